"""Dense (FAISS) + lexical (BM25) index of a workspace's passages, and retrievers.

The interfaces and registries are in :mod:`verify.index.base`, the factory in
:mod:`verify.index.factory`; one file per backend: :mod:`verify.index.dense` (FAISS),
:mod:`verify.index.lexical` (BM25), :mod:`verify.index.hybrid` (the two kept in line with
the store), :mod:`verify.index.retrievers` (how a query is ranked).

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    status = ws.sync_index()
    status.index_type, status.in_sync
    # -> ('flat', True)
"""

from __future__ import annotations

from verify.index.base import (
    DENSE_BACKENDS,
    INDEXES,
    LEXICAL_BACKENDS,
    RETRIEVERS,
    IndexStatus,
    LexicalBackend,
    PassageIndex,
    RetrieverBackend,
    SyncPlan,
    VectorBackend,
)
from verify.index.factory import (
    create_index,
    dense_backend,
    get_retriever,
    lexical_backend,
    load_index,
)
from verify.index.hybrid import HybridIndex, rebuild, status, sync
from verify.index.retrievers import (
    BM25Retriever,
    DenseRetriever,
    HybridRetriever,
    weighted_rrf,
)
from verify.index.tokenize import tokenize

__all__ = [
    "DENSE_BACKENDS",
    "INDEXES",
    "LEXICAL_BACKENDS",
    "RETRIEVERS",
    "BM25Retriever",
    "DenseRetriever",
    "HybridIndex",
    "HybridRetriever",
    "IndexStatus",
    "LexicalBackend",
    "PassageIndex",
    "RetrieverBackend",
    "SyncPlan",
    "VectorBackend",
    "create_index",
    "dense_backend",
    "get_retriever",
    "lexical_backend",
    "load_index",
    "rebuild",
    "status",
    "sync",
    "tokenize",
    "weighted_rrf",
]
