"""Build index backends, indexes and retrievers by registered name (the index factory).

Example:
    >>> from verify.index.factory import dense_backend
    >>> dense_backend("faiss").__name__
    'DenseIndex'
    >>> index = create_index("hybrid", store=ws.store, embedder=ws.embedder)  # doctest: +SKIP
    >>> index.sync().in_sync                                                  # doctest: +SKIP
    True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from verify.config import RetrievalSettings
from verify.index.base import (
    DENSE_BACKENDS,
    INDEXES,
    LEXICAL_BACKENDS,
    RETRIEVERS,
    LexicalBackend,
    PassageIndex,
    RetrieverBackend,
    VectorBackend,
)

if TYPE_CHECKING:
    from verify.embedders import Embedder
    from verify.store import Store

DEFAULT_INDEX = "hybrid"
DEFAULT_DENSE = "faiss"
DEFAULT_LEXICAL = "bm25"


def dense_backend(name: str = DEFAULT_DENSE) -> type[VectorBackend]:
    """The vector backend class registered as ``name``."""
    return cast("type[VectorBackend]", DENSE_BACKENDS.factory(name))


def lexical_backend(name: str = DEFAULT_LEXICAL) -> type[LexicalBackend]:
    """The lexical backend class registered as ``name``."""
    return cast("type[LexicalBackend]", LEXICAL_BACKENDS.factory(name))


def create_index(name: str = DEFAULT_INDEX, *, store: Store, embedder: Embedder,
                 **options: Any) -> PassageIndex:
    """A new, empty index of the passages in ``store`` (``options``: e.g. ``dense=`` and
    ``lexical=`` backend names for ``hybrid``)."""
    return INDEXES.create(name, store=store, embedder=embedder, **options)


def load_index(store: Store, embedder: Embedder, name: str = DEFAULT_INDEX) -> PassageIndex:
    """The index saved beside ``store`` (with the backends it was built with), or an empty
    one; raises :class:`~verify.errors.IndexMismatchError` when the saved one is refused."""
    factory = INDEXES.factory(name)
    load = getattr(factory, "load", None)
    if load is None:
        return factory(store=store, embedder=embedder)
    return cast(PassageIndex, load(store, embedder))


def get_retriever(name: str, index: PassageIndex, settings: RetrievalSettings | None = None,
                  **kwargs: Any) -> RetrieverBackend:
    """A retriever backend by registry name."""
    return RETRIEVERS.create(name, index=index, settings=settings, **kwargs)


__all__ = ["create_index", "dense_backend", "get_retriever", "lexical_backend", "load_index"]
