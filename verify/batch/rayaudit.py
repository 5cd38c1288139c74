"""Audits over many articles as Ray tasks: claims extracted and verified on the cluster,
every article written by the one process that owns the workspace.

The owner reads the articles, decides what is left to do (resumption as without Ray) and
ships the workers a read-only snapshot of the workspace (the DuckDB file after a
checkpoint, the index files, the fact-check archive's index) once, through Ray's object
store. It then works in waves of ``workers x chunks_per_worker`` extraction chunks
(``EXTRACT_CHUNK`` articles each, the single-process path's chunks):

1. each worker extracts the claims of its contiguous share of the wave's chunks;
2. the owner lists, article by article in input order, the claim texts not checked
   earlier in the run (the single-process path's per-run memo), and each worker verifies
   its share: per article the same ``check_claims`` batch, the same embedding cache
   priming and the same archive matches as the single-process path;
3. the owner writes each article in its own transaction, as without Ray, so a killed run
   loses at most the wave in flight and ``--resume`` carries on.

An article whose repeated claim was to be verified by an earlier article that then failed
is verified again in a further round (as the single-process path would). The stored audit
is the same as the single-process path's, check ids and times aside.

Example:
    from verify.batch.rayaudit import RayAudit
    result = ws.audit(["articles/"], ray=RayAudit("10.0.0.5:6379"))
    result.summary["articles"]
    # -> 100
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from verify.audit.models import DONE, FAILED
from verify.audit.runner import (
    EXTRACT_CHUNK,
    ArchiveMatcher,
    BatchVerifier,
    Verifier,
    _batch_verifier,
    _CachedEmbedder,
    _write_article,
    claim_report,
    done_message,
    extract_alone,
    extract_chunk,
    triage,
    verification_failed,
)
from verify.batch.raywork import cluster_slots, join_cluster
from verify.errors import ConfigError, ModelLoadError, VerifyError, WorkspaceError

if TYPE_CHECKING:
    from verify.audit.extract import Claim, Extraction, Scorer
    from verify.audit.inputs import Article
    from verify.audit.models import EarlierFactCheck
    from verify.config import Settings
    from verify.types import CheckResult
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

SNAPSHOT_PARTS = ("index", "archive_index", "archive_reranker.json")   # beside the DuckDB file
SKIPPED = {"partial", "writer.lock"}
SNAPSHOT_PREFIX = "verify-ray-audit-"   # + the run's token: a worker's unpacked snapshot
CLEANUP_WAIT_S = 60.0
Verified: TypeAlias = "str | tuple[list[CheckResult], list[list[EarlierFactCheck]]]"


@dataclass
class RayAuditRun:
    """What one audit on Ray did: workers (CPU slots) used, waves, verification rounds
    (more than the waves when an article had to be verified again), the ids of the nodes
    that ran its tasks, articles written, the snapshot's size and the run's token (in the
    names of the unpacked snapshots, deleted from every node when the run ends)."""

    workers: int
    waves: int = 0
    rounds: int = 0
    nodes: set[str] = field(default_factory=set)
    articles: int = 0
    snapshot_bytes: int = 0
    token: str = ""


@dataclass(frozen=True)
class RayAudit:
    """Where and how an audit runs on Ray: the cluster ``address`` (``"auto"``: the one
    this machine joined; ``None``: a local one-machine Ray), extraction chunks per worker
    per wave, ``workers`` to use (default: one per CPU the cluster offers), a ``setup``
    run once in each worker process before its first task (e.g. registering models), and
    extra ``ray.init`` options. Each run appends a :class:`RayAuditRun` to ``runs``.

    Example:
        ws.audit(["feed.jsonl"], ray=RayAudit("10.0.0.5:6379", chunks_per_worker=2))
    """

    address: str | None = "auto"
    chunks_per_worker: int = 1
    workers: int | None = None
    setup: Callable[[], None] | None = None
    init_options: Mapping[str, Any] = field(default_factory=dict)
    runs: list[RayAuditRun] = field(default_factory=list, compare=False)


@dataclass
class _Job:
    """What a worker needs for one audit run (shipped once through the object store)."""

    token: str
    snapshot: bytes
    settings: Settings
    threshold: float | None
    scorer: Scorer | None
    nlp: Any
    verifier: Verifier | None
    setup: Callable[[], None] | None


# ---- the owner's side: the snapshot ------------------------------------------------------
def _skip(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
    """Leave lock files and half-written index chunks out of the snapshot."""
    return None if Path(info.name).name in SKIPPED else info


def workspace_snapshot(ws: Workspace) -> bytes:
    """The workspace as workers read it: its DuckDB file after a checkpoint, its index
    files and the fact-check archive's index, as an uncompressed tar.

    Raises :class:`ConfigError` for an in-memory workspace and for a milvus-lite index (one
    process at a time opens its file; a Milvus server is searched by every worker)."""
    from verify.index.milvus import MilvusIndex
    from verify.store import DB_FILENAME

    if ws.path is None:
        raise ConfigError("an audit on Ray needs a workspace on disk (the workers read a copy)")
    index = ws.index
    if isinstance(index, MilvusIndex) and index.local:
        raise ConfigError("an audit on Ray cannot share a milvus-lite index between processes",
                          hint="point VERIFY_MILVUS_URI at a Milvus server, or audit without --ray")
    index.ensure_ready()           # what the first search would do: in sync before copying
    from verify.archive import has_fact_checks

    if has_fact_checks(ws):
        from verify.archive.index import ensure_index

        ensure_index(ws.store, ws.embedder)
    ws.store.execute("CHECKPOINT")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name in (DB_FILENAME, DB_FILENAME + ".wal", *SNAPSHOT_PARTS):
            if (ws.path / name).exists():
                tar.add(ws.path / name, arcname=name, filter=_skip)
    return buffer.getvalue()


# ---- the workers' side --------------------------------------------------------------------
class _WorkerAudit:
    """One worker process's hold on a run: the snapshot opened read-only, the models, the
    verifier, its embedding cache and the archive matcher."""

    def __init__(self, job: _Job) -> None:
        if job.setup is not None:
            job.setup()
        from verify.store import Store
        from verify.workspace import Workspace

        self.token = job.token
        self.folder = tempfile.mkdtemp(prefix=f"{SNAPSHOT_PREFIX}{job.token}-")
        with tarfile.open(fileobj=io.BytesIO(job.snapshot), mode="r") as tar:
            tar.extractall(self.folder, filter="data")
        self.ws = Workspace(Store.open(self.folder, read_only=True), job.settings)
        self.scorer, self.threshold = job.scorer, job.threshold
        if self.scorer is None:
            from verify.audit.extract import default_scorer

            self.scorer, self.threshold = default_scorer(job.threshold)
        self.nlp = job.nlp
        self.verify_many: BatchVerifier
        self.cache: _CachedEmbedder | None
        self.verify_many, self.cache = _batch_verifier(self.ws, job.verifier, None, 1)
        self.matcher = ArchiveMatcher(self.ws)

    def close(self) -> None:
        """Close the snapshot and delete it."""
        self.ws.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_WORKER_RUNS: dict[str, _WorkerAudit] = {}


def _worker_run(token: str, job_ref: list[Any]) -> _WorkerAudit:
    """This worker process's state for run ``token`` (set up on its first task; an earlier
    run's state is closed then)."""
    run = _WORKER_RUNS.get(token)
    if run is None:
        for old in list(_WORKER_RUNS):
            _WORKER_RUNS.pop(old).close()
        import ray

        run = _WORKER_RUNS[token] = _WorkerAudit(ray.get(job_ref[0]))
    return run


def _node() -> str:
    """The id of the Ray node this runs on."""
    import ray

    return str(ray.get_runtime_context().get_node_id())


def _cleanup_task(token: str) -> int:
    """Runs once on each node at the end of a run: close this process's hold on the run and
    delete every unpacked snapshot of it on the node; how many folders were deleted."""
    import glob

    run = _WORKER_RUNS.pop(token, None)
    if run is not None:
        run.close()
    folders = glob.glob(os.path.join(tempfile.gettempdir(), f"{SNAPSHOT_PREFIX}{token}-*"))
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
    return len(folders)


def _extract_task(token: str, job_ref: list[Any],
                  chunks: list[list[Article]]) -> tuple[str, list[Extraction | str]]:
    """Runs on a worker: each chunk's extractions (or why an article's failed), in order."""
    run = _worker_run(token, job_ref)
    out: list[Extraction | str] = []
    for chunk in chunks:
        made = extract_chunk([a.text for a in chunk], run.scorer, run.threshold, run.nlp)
        out += [extract_alone(a, e, run.scorer, run.threshold, run.nlp)
                for a, e in zip(chunk, made, strict=True)]
    return _node(), out


def _verify_task(token: str, job_ref: list[Any],
                 items: list[tuple[str, list[Claim], list[str]]]) -> tuple[str, list[Verified]]:
    """Runs on a worker: per article (key, claims, texts to check) the checks of those texts
    and each claim's earlier fact-checks, or why verifying failed."""
    run = _worker_run(token, job_ref)
    out: list[Verified] = []
    for key, claims, todo in items:
        try:
            if run.cache is not None:
                run.cache.clear()
                run.cache.prime([c.claim_text for c in claims])
            results = run.verify_many(todo) if todo else []
        except (ModelLoadError, WorkspaceError):
            raise              # a missing model or index fails every article: stop, clearly
        except Exception as exc:   # the article is marked failed and retried on resume
            log.warning("verification failed for %s: %s", key, exc)
            out.append(verification_failed(exc))
            continue
        out.append((list(results), [run.matcher(c.claim_text) for c in claims]))
    return _node(), out


# ---- the owner's side: the waves ------------------------------------------------------------
def _shares(weights: Sequence[int], parts: int) -> list[tuple[int, int]]:
    """``parts`` contiguous ``(start, end)`` ranges over ``weights``, about equal in weight
    (empty ranges dropped)."""
    total = sum(weights) or 1
    bounds = [0]
    acc = 0
    for i, w in enumerate(weights):
        acc += w
        if len(bounds) < parts and acc >= total * len(bounds) / parts and i + 1 < len(weights):
            bounds.append(i + 1)
    bounds.append(len(weights))
    return [(a, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a]


class _Owner:
    """The owning process's side of one run: dispatches waves, keeps the run's memo, writes."""

    def __init__(self, ws: Workspace, spec: RayAudit, audit_id: str, positions: Mapping[str, int],
                 job: _Job, written: Callable[[str], None], stats: RayAuditRun) -> None:
        self.ray = join_cluster(spec.address, dict(spec.init_options))
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        self.affinity = NodeAffinitySchedulingStrategy
        slots = cluster_slots() or [""]
        self.slots = slots[:spec.workers] if spec.workers else slots
        self.ws, self.audit_id, self.positions, self.written = ws, audit_id, positions, written
        self.token = job.token
        self.job_ref = [self.ray.put(job)]      # nested: a worker fetches it only once
        self.extract = self.ray.remote(num_cpus=1)(_extract_task)
        self.verify = self.ray.remote(num_cpus=1)(_verify_task)
        self.memo: dict[str, CheckResult] = {}
        self.stats = stats
        stats.workers = len(self.slots)

    @property
    def workers(self) -> int:
        return len(self.slots)

    def clean_up(self) -> None:
        """Delete the run's unpacked snapshots on every node (best effort: logged, not raised;
        a worker process still holding one closes it at its next run)."""
        nodes = {slot for slot in self.slots if slot}
        task = self.ray.remote(num_cpus=0)(_cleanup_task)
        try:
            calls = [task.options(scheduling_strategy=self.affinity(node, soft=True)).remote(self.token)
                     for node in nodes]
            removed = sum(self.ray.get(calls, timeout=CLEANUP_WAIT_S))
            log.debug("run %s: %d unpacked snapshots deleted", self.token, removed)
        except Exception as exc:  # noqa: BLE001 - clean-up must not hide the run's outcome
            log.warning("could not delete the audit's snapshots on the Ray nodes: %s", exc)

    def _spread(self, task: Any, groups: list[list[Any]]) -> list[Any]:
        """Run ``task`` on each group (group i on slot i), results concatenated in order."""
        futures = []
        for slot, group in zip(self.slots, groups, strict=False):
            call = task.options(scheduling_strategy=self.affinity(slot, soft=True)) if slot else task
            futures.append(call.remote(self.token, self.job_ref, group))
        try:
            parts = self.ray.get(futures)
        except self.ray.exceptions.RayTaskError as exc:
            cause = getattr(exc, "cause", None)
            if isinstance(cause, VerifyError):
                raise cause from None
            raise WorkspaceError(f"a Ray task of the audit failed: {exc}") from None
        self.stats.nodes.update(node for node, _ in parts)
        return [item for _, part in parts for item in part]

    def _write(self, article: Article, status: str, message: str,
               rows: Sequence[tuple[Any, CheckResult | None]] = (),
               scores: Sequence[tuple[int, int, float]] = ()) -> None:
        _write_article(self.ws, self.audit_id, article, self.positions[article.key], status,
                       message, rows, scores=scores)
        self.stats.articles += 1
        self.written(article.key)

    def wave(self, chunks: list[list[Article]]) -> None:
        """Extract, verify and write one wave of chunks."""
        self.stats.waves += 1
        ranges = _shares([len(c) for c in chunks], self.workers)
        made = self._spread(self.extract, [chunks[a:b] for a, b in ranges])
        articles = [a for chunk in chunks for a in chunk]
        todo: list[tuple[Article, Extraction]] = []
        for article, extraction in zip(articles, made, strict=True):
            nothing = triage(extraction)
            if nothing is not None or isinstance(extraction, str):
                status, message, scores = nothing or (FAILED, str(extraction), [])
                self._write(article, status, message, scores=scores)
            else:
                todo.append((article, extraction))
        while todo:
            todo = self._verify_round(todo)

    def _verify_round(self, todo: list[tuple[Article, Extraction]]) -> list[tuple[Article, Extraction]]:
        """Verify ``todo`` (the claim texts no earlier article checks), write what is done,
        and return the articles to verify again (an earlier article meant to check one of
        their claims failed)."""
        self.stats.rounds += 1
        claimed = set(self.memo)
        items: list[tuple[str, list[Claim], list[str]]] = []
        for article, extraction in todo:
            texts = [t for t in dict.fromkeys(c.claim_text for c in extraction.claims)
                     if t not in claimed]
            claimed.update(texts)
            items.append((article.key, extraction.claims, texts))
        ranges = _shares([1 + len(texts) for _, _, texts in items], self.workers)
        answers = self._spread(self.verify, [items[a:b] for a, b in ranges])
        again: list[tuple[Article, Extraction]] = []
        for (article, extraction), (_, claims, texts), answer in zip(todo, items, answers, strict=True):
            scores = [(s.start, s.end, s.score) for s in extraction.sentences]
            if isinstance(answer, str):
                self._write(article, FAILED, answer, scores=scores)
                continue
            if any(c.claim_text not in self.memo and c.claim_text not in texts for c in claims):
                again.append((article, extraction))
                continue
            results, earlier = answer
            self.memo.update(zip(texts, results, strict=True))
            rows = [(claim_report(c, self.memo[c.claim_text], earlier=e), self.memo[c.claim_text])
                    for c, e in zip(claims, earlier, strict=True)]
            self._write(article, DONE, done_message(extraction), rows, scores=scores)
        return again


def audit_on_ray(ws: Workspace, ray: str | RayAudit | None, audit_id: str,
                 ready: Sequence[Article], positions: Mapping[str, int], *,
                 threshold: float | None, scorer: Scorer | None, nlp: Any,
                 verifier: Verifier | None, written: Callable[[str], None]) -> None:
    """Audit ``ready`` (readable articles, input order) on the Ray cluster, writing each
    article here (``run_audit(..., ray=...)`` calls this)."""
    spec = ray if isinstance(ray, RayAudit) else RayAudit(address=ray)
    if spec.chunks_per_worker < 1 or (spec.workers is not None and spec.workers < 1):
        raise ConfigError("RayAudit: chunks_per_worker and workers must be at least 1")
    job = _Job(token=uuid.uuid4().hex, snapshot=workspace_snapshot(ws), settings=ws.settings,
               threshold=threshold, scorer=scorer, nlp=nlp, verifier=verifier, setup=spec.setup)
    stats = RayAuditRun(workers=0, snapshot_bytes=len(job.snapshot), token=job.token)
    spec.runs.append(stats)
    owner = _Owner(ws, spec, audit_id, positions, job, written, stats)
    log.info("audit %s on Ray: %d articles, %d workers, snapshot %.1f MB", audit_id, len(ready),
             owner.workers, len(job.snapshot) / 1e6)
    chunks = [list(ready[i:i + EXTRACT_CHUNK]) for i in range(0, len(ready), EXTRACT_CHUNK)]
    per_wave = owner.workers * spec.chunks_per_worker
    try:
        for start in range(0, len(chunks), per_wave):
            owner.wave(chunks[start:start + per_wave])
    finally:
        owner.clean_up()


__all__ = ["RayAudit", "RayAuditRun", "audit_on_ray", "workspace_snapshot"]
