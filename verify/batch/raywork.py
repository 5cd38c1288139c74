"""Embedding on a Ray cluster: an :class:`~verify.embedders.Embedder` whose large batches
run as Ray tasks, one slice per worker CPU (each slice pinned, softly, to a node in turn:
a node that dies hands its slice to another), and come back in order to the calling
process.

The calling process owns the workspace: it plans the index sync, hands each chunk of
passage texts to :meth:`RayEmbedder.embed_many`, and writes the vectors it gets back
(the index's own path: FAISS + ``index/partial/`` chunks, or Milvus upserts), so a sync
killed midway resumes as it does without Ray. Workers load the embedder by its registry
name (``spec``, e.g. ``minilm``; once per worker process) or, without a name, receive
the embedder object itself (small test embedders). Small batches (a query) are embedded
locally. ``ray`` is imported only when a :class:`RayEmbedder` is made.

Example:
    from verify.batch.raywork import RayEmbedder
    ray_ws = ws.view(embedder=RayEmbedder(ws.embedder, "10.0.0.5:6379", spec="minilm"))
    ray_ws.sync_index().in_sync
    # -> True
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from verify.embedders import Embedder
from verify.errors import ConfigError

if TYPE_CHECKING:
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

MIN_REMOTE = 32          # batches smaller than this are embedded in this process
_WORKER_EMBEDDERS: dict[str, Embedder] = {}


def _ray() -> Any:
    try:
        import ray
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigError("--ray needs the ray package",
                          hint="pip install 'verify-claims[ray]'") from None
    return ray


def _embed_on_worker(source: str | Embedder, texts: list[str]) -> tuple[np.ndarray, str]:
    """Runs on a Ray worker: vectors for ``texts`` and the worker's node id."""
    if isinstance(source, str):
        embedder = _WORKER_EMBEDDERS.get(source)
        if embedder is None:
            from verify.embedders import get_embedder

            embedder = _WORKER_EMBEDDERS[source] = get_embedder(source)
    else:
        embedder = source
    # embed_many, not embed_batch: the embedder's own batching (MiniLM sorts by length and
    # runs 64 at a time) instead of one batch padded to the slice's longest text
    vectors = np.asarray(embedder.embed_many(texts), dtype=np.float32)
    import ray

    return vectors, str(ray.get_runtime_context().get_node_id())


def join_cluster(address: str | None, init_options: dict[str, Any] | None = None) -> Any:
    """The ``ray`` module, connected to the cluster at ``address`` (once per process)."""
    ray = _ray()
    if not ray.is_initialized():
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     **(init_options or {}))
        except Exception as exc:
            raise ConfigError(f"cannot join the Ray cluster at {address}: {exc}",
                              hint="start it with `ray start --head` and give its address") from None
    return ray


def cluster_slots() -> list[str]:
    """One node id per CPU of each alive node, nodes taken in turn (the first CPU of each,
    then the second, ...): where the slices of a batch go."""
    slots: list[str] = []
    for node in _ray().nodes():
        if node.get("Alive"):
            slots += [str(node["NodeID"])] * int(node.get("Resources", {}).get("CPU", 0))
    order = sorted(range(len(slots)), key=lambda i: (slots[:i].count(slots[i]), i))
    return [slots[i] for i in order]


class RayEmbedder(Embedder):
    """``local`` (same model id and dimension) with batches of at least ``MIN_REMOTE`` texts
    embedded on the Ray cluster at ``address`` (``"auto"``: the cluster this machine
    joined; ``None``: a local one-machine Ray). ``spec``: the embedder's registry name for
    the workers to load (default: ship ``local`` itself)."""

    def __init__(self, local: Embedder, address: str | None = "auto", *, spec: str | None = None,
                 min_remote: int = MIN_REMOTE, init_options: dict[str, Any] | None = None) -> None:
        self.local = local
        self.model_id = local.model_id
        self.dimension = local.dimension
        self.metric = local.metric
        self.address = address
        self.spec = spec
        self.min_remote = min_remote
        self.nodes_used: set[str] = set()     # node ids that embedded something (for reports)
        ray = join_cluster(address, init_options)
        self._task = ray.remote(num_cpus=1)(_embed_on_worker)
        self._source: Any = spec if spec else ray.put(local)

    def slots(self) -> list[str]:
        """One node id per CPU of each alive node: where the slices of a batch go."""
        return cluster_slots()

    @property
    def workers(self) -> int:
        """CPUs the cluster offers now (at least 1): the number of slices per batch."""
        return max(1, len(self.slots()))

    def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for ``texts``: on the cluster when the batch is large, else here."""
        texts = list(texts)
        if len(texts) < self.min_remote:
            return np.asarray(self.local.embed_batch(texts), dtype=np.float32)
        ray = _ray()
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        slots = self.slots() or [""]
        slices = min(len(slots), math.ceil(len(texts) / max(1, self.min_remote // 2)))
        size = math.ceil(len(texts) / slices)
        futures = []
        for n, start in enumerate(range(0, len(texts), size)):
            node = slots[n % len(slots)]
            task = self._task.options(scheduling_strategy=NodeAffinitySchedulingStrategy(
                node, soft=True)) if node else self._task
            futures.append(task.remote(self._source, texts[start:start + size]))
        parts = ray.get(futures)
        self.nodes_used.update(node for _, node in parts)
        return np.vstack([vectors for vectors, _ in parts]).astype(np.float32, copy=False)

    def embed_many(self, texts: Sequence[str], batch_size: int = 128,
                   progress: bool = False) -> np.ndarray:
        """All of ``texts`` in one spread (the caller's chunk is the unit of resumption)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.embed_batch(texts)


def on_ray(ws: Workspace, address: str | None = "auto") -> Workspace:
    """``ws`` with its passages embedded on the Ray cluster at ``address`` (workers load the
    workspace's embedder by name); call it before the index is loaded. ``--ray [ADDRESS]``."""
    if ws.loaded_index is not None:
        raise ConfigError("on_ray must wrap a workspace before its index is loaded")
    return ws.view(embedder=RayEmbedder(ws.embedder, address, spec=ws.settings.embedder))


__all__ = ["MIN_REMOTE", "RayEmbedder", "cluster_slots", "join_cluster", "on_ray"]
