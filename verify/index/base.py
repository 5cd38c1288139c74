"""The index interfaces and the registries of their backends (txtai-style).

Three layers, each an abstract class with named backends in a
:class:`verify.registry.Registry`:

* :class:`VectorBackend` (``DENSE_BACKENDS``; built-in ``faiss``,
  :class:`verify.index.dense.DenseIndex`): passage vectors keyed by passage id;
* :class:`LexicalBackend` (``LEXICAL_BACKENDS``; built-in ``bm25``,
  :class:`verify.index.lexical.LexicalIndex`): a term index over the passage texts;
* :class:`PassageIndex` (``INDEXES``; built-in ``hybrid``,
  :class:`verify.index.hybrid.HybridIndex`): one workspace's passages, a vector and a
  lexical backend kept in line with the ``passages`` table, what search and the checker use;
  ``milvus`` (:class:`verify.index.milvus.MilvusIndex`) keeps them in a Milvus collection.

:class:`RetrieverBackend` (``RETRIEVERS``: ``dense``, ``bm25``, ``hybrid``, in
:mod:`verify.index.retrievers`) ranks passages over a :class:`PassageIndex`.
:mod:`verify.index.factory` builds each by name. An index takes only what it uses: the
:class:`~verify.store.Store` and the :class:`~verify.embedders.Embedder`.

Example:
    >>> from verify.index.base import DENSE_BACKENDS, INDEXES, LEXICAL_BACKENDS
    >>> DENSE_BACKENDS.names(), LEXICAL_BACKENDS.names(), INDEXES.names()
    (['faiss'], ['bm25'], ['hybrid', 'milvus'])
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

import numpy as np

from verify.config import RetrievalSettings
from verify.registry import Registry
from verify.types import SearchFilters, to_jsonable

if TYPE_CHECKING:
    from verify.embedders import Embedder
    from verify.store import Store

Ids = Sequence[int] | np.ndarray
Ranking = list[tuple[int, float]]


@dataclass(frozen=True)
class IndexStatus:
    """Size, type and sync state of a workspace's indexes."""

    passages_in_store: int
    vectors: int
    lexical_docs: int
    index_type: str
    embedder_id: str
    dimension: int
    metric: str
    faiss_version: str
    in_sync: bool
    built_at: str | None
    missing: int = 0          # passages in the store but not (or not currently) indexed
    stale: int = 0            # indexed passages removed from the store or changed since
    path: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return to_jsonable(self)


@dataclass(frozen=True)
class SyncPlan:
    """What a sync must do to match the store."""

    store_ids: np.ndarray
    store_hashes: np.ndarray
    add: np.ndarray
    remove: np.ndarray

    @property
    def in_sync(self) -> bool:
        """True when nothing needs to change."""
        return not (len(self.add) or len(self.remove))


def store_passages(store: Any) -> tuple[np.ndarray, np.ndarray]:
    """``(passage ids, text hashes)`` of the store's passages, sorted by id."""
    rows = store.execute(
        "SELECT passage_id, hash(text) AS text_hash FROM passages ORDER BY passage_id").fetchnumpy()
    return (np.asarray(rows["passage_id"], dtype=np.int64),
            np.asarray(rows["text_hash"], dtype=np.uint64))


def store_signature(store: Any) -> tuple[int, int]:
    """A cheap check that the store's passages changed: their count and id sum."""
    count, total = store.execute(
        "SELECT count(*), coalesce(sum(passage_id), 0) FROM passages").fetchone()
    return int(count), int(total)


def sync_plan(store: Any, ids: np.ndarray, hashes: np.ndarray, *,
              remove_changed: bool) -> SyncPlan:
    """What to add (new or changed text) and remove (gone, and changed too where the
    backend cannot overwrite in place: ``remove_changed``) to match the store."""
    store_ids, store_hashes = store_passages(store)
    indexed = dict(zip(ids.tolist(), hashes.tolist(), strict=True))
    current = dict(zip(store_ids.tolist(), store_hashes.tolist(), strict=True))
    add = [i for i, h in current.items() if indexed.get(i) != h]
    remove = [i for i, h in indexed.items()
              if i not in current or (remove_changed and current[i] != h)]
    return SyncPlan(store_ids, store_hashes, np.asarray(add, np.int64), np.asarray(remove, np.int64))


class VectorBackend(ABC):
    """Unit-length passage vectors keyed by passage id; inner product is cosine."""

    index_type: str = ""
    nprobe: int = 0
    trained_on: int = 0

    def __init__(self, dimension: int) -> None:
        """An empty backend for vectors of ``dimension``."""
        self.dimension = dimension

    @property
    @abstractmethod
    def ntotal(self) -> int:
        """Number of vectors held."""

    @abstractmethod
    def add(self, vectors: np.ndarray, ids: Ids) -> None:
        """Add vectors under passage ids (ids must not be present)."""

    @abstractmethod
    def remove(self, ids: Ids) -> int:
        """Remove passage ids; returns how many were removed."""

    @abstractmethod
    def search(self, query: np.ndarray, k: int, allowed_ids: Ids | None = None) -> Ranking:
        """Top-``k`` (passage_id, cosine) for one query vector, optionally restricted."""

    @abstractmethod
    def scores(self, query: np.ndarray, ids: Ids) -> dict[int, float]:
        """Cosine of the query with each stored passage in ``ids`` (absent ids skipped)."""

    @abstractmethod
    def vectors(self, ids: Ids) -> np.ndarray:
        """Stored vectors for ``ids``, in that order."""

    @abstractmethod
    def write(self, path: Path) -> None:
        """Save to the file ``path``."""

    @classmethod
    @abstractmethod
    def read(cls, path: Path, dimension: int, index_type: str, *, trained_on: int = 0,
             nprobe: int = 0) -> VectorBackend:
        """Load what :meth:`write` saved (``index_type`` etc. as recorded in the meta)."""


class LexicalBackend(ABC):
    """A term index over passage texts, keyed by passage id."""

    library: str = ""

    def __init__(self) -> None:  # noqa: B027 - subclasses take no argument for an empty one
        """An empty backend (nothing indexed)."""

    @classmethod
    @abstractmethod
    def build(cls, texts: Sequence[str], ids: Ids) -> LexicalBackend:
        """Index ``texts`` (one per passage id)."""

    @property
    @abstractmethod
    def size(self) -> int:
        """Number of documents indexed."""

    @abstractmethod
    def search(self, query: str, k: int, allowed_ids: Ids | None = None) -> Ranking:
        """Top-``k`` (passage_id, score) with a positive score, optionally restricted."""

    @abstractmethod
    def scores(self, query: str, ids: Ids) -> dict[int, float]:
        """Score of the query against each given passage (ids not indexed are skipped)."""

    @abstractmethod
    def write(self, folder: Path) -> None:
        """Save into ``folder``."""

    @classmethod
    @abstractmethod
    def read(cls, folder: Path) -> LexicalBackend:
        """Load what :meth:`write` saved."""


class PassageIndex(ABC):
    """One workspace's passages, searchable by vector and by terms, kept in line with the
    store's ``passages`` table."""

    meta: dict[str, Any] | None = None
    store: Store
    embedder: Embedder

    @property
    @abstractmethod
    def built(self) -> bool:
        """True once an index has been built (saved, or synced in memory)."""

    @abstractmethod
    def plan(self) -> SyncPlan:
        """Compare the store with the index: what to add and what to remove."""

    @abstractmethod
    def sync(self, progress: bool = False, *, rebuild: bool = False) -> IndexStatus:
        """Bring the index in line with the store (from scratch with ``rebuild``)."""

    @abstractmethod
    def status(self) -> IndexStatus:
        """Compare with the store and report."""

    @abstractmethod
    def ensure_ready(self) -> None:
        """Raise if there is nothing to search; bring a slightly drifted index up to date."""

    @abstractmethod
    def dense_search(self, vector: np.ndarray, k: int, allowed_ids: Ids | None = None) -> Ranking:
        """Top-``k`` (passage_id, cosine) for a query vector."""

    @abstractmethod
    def lexical_search(self, query: str, k: int, allowed_ids: Ids | None = None) -> Ranking:
        """Top-``k`` (passage_id, lexical score) for a query text."""

    @abstractmethod
    def dense_scores(self, vector: np.ndarray, ids: Sequence[int]) -> dict[int, float]:
        """Cosine of the query vector with each passage in ``ids``."""

    @abstractmethod
    def lexical_scores(self, query: str, ids: Sequence[int]) -> dict[int, float]:
        """Lexical score of the query against each passage in ``ids``."""

    def view(self, store: Store, embedder: Embedder | None = None) -> Self:
        """This index (sharing its loaded data and sync state) read through another store
        handle, e.g. a worker thread's cursor, and optionally another embedder instance of
        the same model."""
        clone = copy.copy(self)
        clone.store = store
        if embedder is not None:
            clone.embedder = embedder
        return clone


class IndexOwner(Protocol):
    """What the module-level helpers (:func:`verify.index.rebuild` etc.) need: a facade that
    owns an index (the :class:`~verify.workspace.Workspace`)."""

    def rebuild_index(self, progress: bool = False) -> IndexStatus: ...

    def sync_index(self, progress: bool = False) -> IndexStatus: ...

    def index_status(self) -> IndexStatus: ...


class StoreAndEmbedder(Protocol):
    """Anything that has a store and an embedder (a workspace)."""

    @property
    def store(self) -> Store: ...

    @property
    def embedder(self) -> Embedder: ...


class RetrieverBackend(ABC):
    """Ranks passage ids for a query. ``needs_vector`` says whether to embed it."""

    name: str = ""
    needs_vector: bool = True

    def __init__(self, index: PassageIndex, settings: RetrievalSettings | None = None) -> None:
        self.index = index
        self.settings = settings or RetrievalSettings()

    @abstractmethod
    def search(self, query: str, query_vector: np.ndarray | None, k: int,
               allowed_ids: Ids | None = None) -> Ranking:
        """Best ``k`` (passage_id, score), best first."""

    def search_filtered(self, query: str, query_vector: np.ndarray | None, k: int,
                        filters: SearchFilters,
                        reliability: Callable[[str | None], float] | None = None) -> Ranking | None:
        """Best ``k`` among the passages passing ``filters``, the filters applied by the
        engine itself; ``None`` when this retriever cannot (the caller then resolves the
        filters to passage ids and calls :meth:`search`)."""
        return None


DENSE_BACKENDS: Registry[VectorBackend] = Registry("dense index backend", {
    "faiss": "verify.index.dense:DenseIndex",
})
LEXICAL_BACKENDS: Registry[LexicalBackend] = Registry("lexical index backend", {
    "bm25": "verify.index.lexical:LexicalIndex",
})
INDEXES: Registry[PassageIndex] = Registry("index", {
    "hybrid": "verify.index.hybrid:HybridIndex",
    "milvus": "verify.index.milvus:MilvusIndex",
})
RETRIEVERS: Registry[RetrieverBackend] = Registry("retriever", {
    "dense": "verify.index.retrievers:DenseRetriever",
    "bm25": "verify.index.retrievers:BM25Retriever",
    "hybrid": "verify.index.retrievers:HybridRetriever",
    "milvus-hybrid": "verify.index.milvus:MilvusHybridRetriever",
})
