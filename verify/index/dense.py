"""The dense (FAISS) half of the index, keyed by passage id.

Index type by corpus size (inner product on L2-normalised vectors = cosine):

* fewer than ``FLAT_MAX`` (50,000) vectors: ``IndexIDMap2(IndexFlatIP)``, exact
  search, 4 bytes per dimension per vector (1.5 GB at 1M x 384).
* more: ``IndexIVFScalarQuantizer`` (IVF, SQ8 codes), 1 byte per dimension plus
  an 8-byte id (about 0.4 GB at 1M x 384). IVF supports ``add_with_ids`` and
  ``remove_ids`` natively, so deletes and updates stay incremental; HNSW was
  rejected because it cannot remove ids (every delete would force a rebuild)
  and its graph costs another ~260 bytes a vector at M=32. ``nlist`` is about
  sqrt(n) and ``nprobe`` defaults to 32 (see ``benchmarks/scale.py``). The
  coarse quantiser is retrained when the corpus grows 4x past its training size.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, cast

import faiss
import numpy as np

from verify.index.base import VectorBackend

log = logging.getLogger(__name__)

IndexType = Literal["flat", "ivf-sq8"]
FLAT_MAX = 50_000
DEFAULT_NPROBE = 32
RETRAIN_GROWTH = 4.0
EXACT_FILTER_MAX = 20_000
# One query at a time is fastest on one thread: OpenMP fan-out costs more than it
# saves below ~1M flat vectors and degrades badly on a busy machine (benchmarks/scale.py).
SEARCH_THREADS = 1
TRAIN_POINTS_PER_LIST = 64


def choose_type(n: int, flat_max: int = FLAT_MAX) -> IndexType:
    """Exact search for small corpora, IVF-SQ8 for large ones."""
    return "flat" if n < flat_max else "ivf-sq8"


def choose_nlist(n: int) -> int:
    """About sqrt(n) inverted lists, between 64 and 4096."""
    return int(min(4096, max(64, round(math.sqrt(max(n, 1))))))


def _as_ids(ids: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(ids, dtype=np.int64))


def _as_vectors(vectors: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(vectors, dtype=np.float32))


class DenseIndex(VectorBackend):
    """A FAISS index of passage vectors with ids, plus the type policy above (the ``faiss``
    vector backend)."""

    def __init__(self, dimension: int, index: Any = None, index_type: IndexType = "flat",
                 *, trained_on: int = 0, nprobe: int = DEFAULT_NPROBE,
                 flat_max: int = FLAT_MAX) -> None:
        self.dimension = dimension
        self.index_type: IndexType = index_type
        self.trained_on = trained_on
        self.nprobe = nprobe
        self.flat_max = flat_max
        self.index = index if index is not None else self._new_flat()
        self._ids: np.ndarray | None = None

    # ---- construction -------------------------------------------------------
    def _new_flat(self) -> Any:
        return faiss.IndexIDMap2(faiss.IndexFlatIP(self.dimension))

    def _new_ivf(self, train: np.ndarray) -> Any:
        nlist = choose_nlist(len(train))
        quantizer = faiss.IndexFlatIP(self.dimension)
        ivf = faiss.IndexIVFScalarQuantizer(quantizer, self.dimension, nlist,
                                            faiss.ScalarQuantizer.QT_8bit,
                                            faiss.METRIC_INNER_PRODUCT)
        ivf.own_fields = True
        quantizer.this.disown()  # type: ignore[attr-defined]
        sample = train
        limit = TRAIN_POINTS_PER_LIST * nlist
        if len(train) > limit:
            rng = np.random.default_rng(0)
            sample = train[np.sort(rng.choice(len(train), limit, replace=False))]
        ivf.cp.max_points_per_centroid = TRAIN_POINTS_PER_LIST
        ivf.train(_as_vectors(sample))
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]
        ivf.nprobe = min(self.nprobe, nlist)
        return ivf

    @classmethod
    def build(cls, vectors: np.ndarray, ids: Sequence[int] | np.ndarray,
              index_type: IndexType | None = None, **kwargs: Any) -> DenseIndex:
        """A fresh index over ``vectors`` (type chosen by size unless given)."""
        vectors = _as_vectors(vectors)
        dense = cls(vectors.shape[1], **kwargs)
        chosen = index_type or choose_type(len(vectors), dense.flat_max)
        if chosen == "ivf-sq8":
            dense.index = dense._new_ivf(vectors)
            dense.index_type = "ivf-sq8"
            dense.trained_on = len(vectors)
        if len(vectors):
            dense.index.add_with_ids(vectors, _as_ids(ids))
        return dense

    # ---- contents -----------------------------------------------------------
    @property
    def ntotal(self) -> int:
        """Number of vectors held."""
        return int(self.index.ntotal)

    def ids(self) -> np.ndarray:
        """Every passage id held, sorted (cached until the next change)."""
        if self._ids is None:
            self._ids = np.sort(self._read_ids())
        return self._ids

    def _read_ids(self) -> np.ndarray:
        if self.index_type == "flat":
            return faiss.vector_to_array(self.index.id_map).astype(np.int64)
        invlists = self.index.invlists
        parts = []
        for list_no in range(self.index.nlist):
            size = invlists.list_size(list_no)
            if size:
                ptr = invlists.get_ids(list_no)
                parts.append(faiss.rev_swig_ptr(ptr, size).copy())
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Stored vectors for ``ids`` (SQ8-approximate for IVF)."""
        ids = _as_ids(ids)
        if not len(ids):
            return np.zeros((0, self.dimension), np.float32)
        return np.asarray(self.index.reconstruct_batch(ids), dtype=np.float32)

    def all_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids, vectors) for everything held."""
        if self.index_type == "flat":
            ids = self._read_ids()
            flat = faiss.downcast_index(self.index.index)
            codes = faiss.vector_to_array(flat.codes).view(np.float32)  # type: ignore[attr-defined]
            return ids, codes.reshape(-1, self.dimension).copy()
        ids = self.ids()
        return ids, self.vectors(ids)

    def add(self, vectors: np.ndarray, ids: Sequence[int] | np.ndarray) -> None:
        """Add vectors under passage ids (ids must not be present)."""
        vectors, ids = _as_vectors(vectors), _as_ids(ids)
        if not len(ids):
            return
        self._ids = None
        target = choose_type(self.ntotal + len(ids), self.flat_max)
        grown = self.index_type == "ivf-sq8" and (self.ntotal + len(ids)) > RETRAIN_GROWTH * max(1, self.trained_on)
        if (target == "ivf-sq8" and self.index_type == "flat") or grown:
            old_ids, old_vectors = self.all_vectors()
            all_ids = np.concatenate([old_ids, ids])
            all_vectors = np.vstack([old_vectors, vectors]) if len(old_ids) else vectors
            log.info("rebuilding dense index as IVF-SQ8 over %d vectors", len(all_ids))
            rebuilt = DenseIndex.build(all_vectors, all_ids, "ivf-sq8", nprobe=self.nprobe,
                                       flat_max=self.flat_max)
            self.index, self.index_type, self.trained_on = rebuilt.index, "ivf-sq8", rebuilt.trained_on
            return
        self.index.add_with_ids(vectors, ids)

    def remove(self, ids: Sequence[int] | np.ndarray) -> int:
        """Remove passage ids; returns how many were removed."""
        ids = _as_ids(ids)
        if not len(ids):
            return 0
        self._ids = None
        if self.index_type == "ivf-sq8":  # the hashtable direct map needs an array selector
            return int(self.index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))))
        return int(self.index.remove_ids(faiss.IDSelectorBatch(ids)))

    # ---- search ---------------------------------------------------------------
    def search(self, query: np.ndarray, k: int,
               allowed_ids: Sequence[int] | np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-``k`` (passage_id, cosine) for one query vector, optionally restricted."""
        if self.ntotal == 0 or k <= 0:
            return []
        query = _as_vectors(query).reshape(1, -1)
        k = min(k, self.ntotal)
        params: Any = None
        selector = None
        if allowed_ids is not None:
            allowed = _as_ids(allowed_ids)
            if not len(allowed):
                return []
            if len(allowed) <= EXACT_FILTER_MAX:  # exact over the allowed subset
                return self._exact(query, k, allowed[np.isin(allowed, self.ids())])
            selector = faiss.IDSelectorBatch(allowed)
            k = min(k, len(allowed))
        if self.index_type == "ivf-sq8":
            params = faiss.SearchParametersIVF(nprobe=min(self.nprobe, self.index.nlist))  # type: ignore[call-arg]
            if selector is not None:
                params.sel = selector
        elif selector is not None:
            params = faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(SEARCH_THREADS)
        try:
            scores, ids = self.index.search(query, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def _exact(self, query: np.ndarray, k: int, ids: np.ndarray) -> list[tuple[int, float]]:
        """Brute-force top-k over a small set of ids."""
        if not len(ids):
            return []
        sims = self.vectors(ids) @ query.reshape(-1)
        order = np.argsort(-sims, kind="stable")[:k]
        return [(int(ids[j]), float(sims[j])) for j in order]

    def scores(self, query: np.ndarray, ids: Sequence[int] | np.ndarray) -> dict[int, float]:
        """Cosine of the query with each stored passage in ``ids`` (absent ids skipped)."""
        ids = _as_ids(ids)
        ids = ids[np.isin(ids, self.ids())]
        if not len(ids):
            return {}
        vectors = self.vectors(ids)
        sims = vectors @ _as_vectors(query).reshape(-1)
        return {int(i): float(s) for i, s in zip(ids, sims, strict=True)}

    def memory_bytes(self) -> int:
        """Serialized size of the index (a close proxy for its RAM use)."""
        return int(faiss.serialize_index(self.index).nbytes)

    # ---- persistence ----------------------------------------------------------
    def write(self, path: Path) -> None:
        """Write the FAISS index to ``path``."""
        faiss.write_index(self.index, str(path))

    @classmethod
    def read(cls, path: Path, dimension: int, index_type: str, *, trained_on: int = 0,
             nprobe: int = DEFAULT_NPROBE) -> DenseIndex:
        """Read an index written by :meth:`write`."""
        index = faiss.read_index(str(path))  # already downcast to its concrete class
        expected = faiss.IndexIVFScalarQuantizer if index_type == "ivf-sq8" else faiss.IndexIDMap2
        if not isinstance(index, expected):
            raise ValueError(f"{path.name} holds a {type(index).__name__}, expected {expected.__name__}")
        if index_type == "ivf-sq8":
            index.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[union-attr, attr-defined]
        if int(index.d) != dimension:
            raise ValueError(f"index dimension {index.d} != metadata dimension {dimension}")
        return cls(dimension, index, cast(IndexType, index_type), trained_on=trained_on,
                   nprobe=nprobe)
