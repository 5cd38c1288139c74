"""Build index backends, indexes and retrievers by registered name (the index factory).

Example:
    from verify.index.factory import dense_backend
    dense_backend("faiss").__name__
    # -> 'DenseIndex'
    index = create_index("hybrid", store=ws.store, embedder=ws.embedder)
    index.sync().in_sync
    # -> True
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

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
    from verify.index.base import IndexStatus
    from verify.store import Store

log = logging.getLogger(__name__)

DEFAULT_INDEX = "hybrid"
DEFAULT_DENSE = "faiss"
DEFAULT_LEXICAL = "bm25"
CHOICE_FILE = "BACKEND"      # <workspace>/index/BACKEND: the index the workspace uses


def index_choice(store: Store) -> str:
    """The index a workspace uses: the name in ``<workspace>/index/BACKEND`` (written by
    :func:`migrate_index`), else ``hybrid``."""
    if store.path is None:
        return DEFAULT_INDEX
    path = Path(store.path) / "index" / CHOICE_FILE
    try:
        name = path.read_text(encoding="utf-8").strip()
    except OSError:
        return DEFAULT_INDEX
    return name or DEFAULT_INDEX


def _record_choice(store: Store, name: str) -> None:
    if store.path is None:
        return
    folder = Path(store.path) / "index"
    path = folder / CHOICE_FILE
    if name == DEFAULT_INDEX:
        path.unlink(missing_ok=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    from verify.index.hybrid import _atomic_write_text

    _atomic_write_text(path, name + "\n")


def dense_backend(name: str = DEFAULT_DENSE) -> type[VectorBackend]:
    """The vector backend class registered as ``name``."""
    return cast("type[VectorBackend]", DENSE_BACKENDS.factory(name))


def lexical_backend(name: str = DEFAULT_LEXICAL) -> type[LexicalBackend]:
    """The lexical backend class registered as ``name``."""
    return cast("type[LexicalBackend]", LEXICAL_BACKENDS.factory(name))


def create_index(name: str | None = None, *, store: Store, embedder: Embedder,
                 **options: Any) -> PassageIndex:
    """A new, empty index of the passages in ``store``: ``name`` (default: the one the
    workspace uses, :func:`index_choice`); ``options``: e.g. ``dense_backend=`` and
    ``lexical_backend=`` names for ``hybrid``."""
    return INDEXES.create(name or index_choice(store), store=store, embedder=embedder, **options)


def load_index(store: Store, embedder: Embedder, name: str | None = None) -> PassageIndex:
    """The index saved beside ``store`` (``name``, default the one the workspace uses, with
    the backends it was built with), or an empty one; raises
    :class:`~verify.errors.IndexMismatchError` when the saved one is refused."""
    factory = INDEXES.factory(name or index_choice(store))
    load = getattr(factory, "load", None)
    if load is None:
        return factory(store=store, embedder=embedder)
    return cast(PassageIndex, load(store, embedder))


def get_retriever(name: str, index: PassageIndex, settings: RetrievalSettings | None = None,
                  **kwargs: Any) -> RetrieverBackend:
    """A retriever backend by registry name; an index that answers ``name`` natively
    (its ``native_retrievers``, e.g. Milvus's one-query ``hybrid``) gets that one."""
    native = getattr(index, "native_retrievers", None) or {}
    return RETRIEVERS.create(native.get(name, name), index=index, settings=settings, **kwargs)


class IndexUser(Protocol):
    """A facade that owns an index (the :class:`~verify.workspace.Workspace`)."""

    @property
    def store(self) -> Store: ...

    @property
    def embedder(self) -> Embedder: ...

    def use_index(self, index: PassageIndex) -> None: ...


def migrate_index(ws: IndexUser, name: str, progress: bool = False,
                  **options: Any) -> IndexStatus:
    """Rebuild the workspace's index from its passages with the index ``name`` (``milvus``,
    ``hybrid``) and make it the workspace's index from now on (recorded in
    ``<workspace>/index/BACKEND``; every process that opens the workspace loads it). The
    other backend's files are left as they were. ``verify index --backend NAME --rebuild``.

    Example:
        migrate_index(ws, "milvus").in_sync
        # -> True
    """
    INDEXES.factory(name)   # an unknown name fails before anything is built
    index = create_index(name, store=ws.store, embedder=ws.embedder, **options)
    status = index.sync(progress=progress, rebuild=True)
    _record_choice(ws.store, name)
    ws.use_index(index)
    log.info("workspace index is now %r (%d passages)", name, status.vectors)
    return status


__all__ = ["CHOICE_FILE", "create_index", "dense_backend", "get_retriever", "index_choice",
           "lexical_backend", "load_index", "migrate_index"]
