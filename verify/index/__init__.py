"""Dense (FAISS) + lexical (BM25) index of a workspace's passages, and retrievers.

Example:
    >>> from verify import Workspace
    >>> ws = Workspace.open("demo")                      # doctest: +SKIP
    >>> status = ws.sync_index()                         # doctest: +SKIP
    >>> status.index_type, status.in_sync                # doctest: +SKIP
    ('flat', True)
"""

from __future__ import annotations

from verify.index.hybrid import HybridIndex, IndexStatus, rebuild, status, sync
from verify.index.retrievers import (
    RETRIEVERS,
    BM25Retriever,
    DenseRetriever,
    HybridRetriever,
    RetrieverBackend,
    get_retriever,
    weighted_rrf,
)
from verify.index.tokenize import tokenize

__all__ = [
    "RETRIEVERS",
    "BM25Retriever",
    "DenseRetriever",
    "HybridIndex",
    "HybridRetriever",
    "IndexStatus",
    "RetrieverBackend",
    "get_retriever",
    "rebuild",
    "status",
    "sync",
    "tokenize",
    "weighted_rrf",
]
