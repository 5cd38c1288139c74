"""Retriever backends (dense, BM25, hybrid): the interface is
:class:`verify.index.base.RetrieverBackend`, the registry ``RETRIEVERS``.

Example:
    >>> from verify.index.retrievers import weighted_rrf
    >>> weighted_rrf([[(1, 0.9), (2, 0.8)], [(2, 7.0), (3, 5.0)]], [1.0, 1.0], rrf_k=60)[0][0]
    2
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from verify.index.base import RETRIEVERS, Ranking, RetrieverBackend
from verify.index.factory import get_retriever


class DenseRetriever(RetrieverBackend):
    """FAISS inner product on normalised embeddings (cosine)."""

    name = "dense"

    def search(self, query: str, query_vector: np.ndarray | None, k: int,
               allowed_ids: Sequence[int] | np.ndarray | None = None) -> Ranking:
        if query_vector is None:
            raise ValueError("the dense retriever needs a query vector")
        return self.index.dense_search(query_vector, k, allowed_ids)


class BM25Retriever(RetrieverBackend):
    """BM25 (bm25s) over the passage texts."""

    name = "bm25"
    needs_vector = False

    def search(self, query: str, query_vector: np.ndarray | None, k: int,
               allowed_ids: Sequence[int] | np.ndarray | None = None) -> Ranking:
        return self.index.lexical_search(query, k, allowed_ids)


def weighted_rrf(rankings: Sequence[Ranking], weights: Sequence[float], rrf_k: int = 60) -> Ranking:
    """Weighted reciprocal-rank fusion, scaled so first in every list scores 1.0.

    ``score(d) = sum_i w_i / (rrf_k + rank_i(d))`` (ranks from 1), divided by
    ``sum_i w_i / (rrf_k + 1)``. Ties go to the better best rank, then the lower id.
    """
    fused: dict[int, float] = {}
    best: dict[int, int] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, (pid, _) in enumerate(ranking, start=1):
            fused[pid] = fused.get(pid, 0.0) + weight / (rrf_k + rank)
            best[pid] = min(best.get(pid, rank), rank)
    top = sum(w for w in weights if w > 0) / (rrf_k + 1) or 1.0
    order = sorted(fused, key=lambda p: (-fused[p], best[p], p))
    return [(p, fused[p] / top) for p in order]


class HybridRetriever(RetrieverBackend):
    """Dense and BM25 candidates fused by weighted reciprocal-rank fusion."""

    name = "hybrid"

    def search(self, query: str, query_vector: np.ndarray | None, k: int,
               allowed_ids: Sequence[int] | np.ndarray | None = None) -> Ranking:
        depth = max(k, self.settings.candidates)
        rankings = [DenseRetriever(self.index, self.settings).search(query, query_vector, depth, allowed_ids),
                    BM25Retriever(self.index, self.settings).search(query, None, depth, allowed_ids)]
        weights = [self.settings.dense_weight, self.settings.lexical_weight]
        return weighted_rrf(rankings, weights, self.settings.rrf_k)[:k]


__all__ = ["RETRIEVERS", "BM25Retriever", "DenseRetriever", "HybridRetriever", "Ranking",
           "RetrieverBackend", "get_retriever", "weighted_rrf"]
