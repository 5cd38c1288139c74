"""The index behind interfaces: backends by name, an index built from a store and an
embedder alone, the saved meta naming its backends, and no way back up to the workspace."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import FakeEmbedder
from tests.test_index import TEXTS, add_document
from verify import Workspace
from verify.config import Settings
from verify.errors import UnknownBackendError
from verify.index import (
    DENSE_BACKENDS,
    INDEXES,
    LEXICAL_BACKENDS,
    HybridIndex,
    LexicalBackend,
    PassageIndex,
    VectorBackend,
    create_index,
    dense_backend,
    lexical_backend,
    load_index,
)
from verify.index.dense import DenseIndex
from verify.index.hybrid import META_FILE, POINTER
from verify.index.lexical import LexicalIndex
from verify.retrieval import search_passages
from verify.store import Store

INDEX_DIR = Path(__file__).resolve().parent.parent / "verify" / "index"


def test_backends_are_registered_by_name() -> None:
    assert dense_backend("faiss") is DenseIndex and issubclass(DenseIndex, VectorBackend)
    assert lexical_backend("bm25") is LexicalIndex and issubclass(LexicalIndex, LexicalBackend)
    assert INDEXES.factory("hybrid") is HybridIndex and issubclass(HybridIndex, PassageIndex)
    with pytest.raises(UnknownBackendError, match="known: faiss"):
        dense_backend("annoy")
    with pytest.raises(UnknownBackendError, match="known: bm25"):
        lexical_backend("tfidf")


def test_an_index_needs_only_a_store_and_an_embedder() -> None:
    store = Store.memory()
    ws = Workspace(store)                     # only to write passages the usual way
    ids = add_document(ws, "a", TEXTS)
    embedder = FakeEmbedder()
    index = create_index("hybrid", store=store, embedder=embedder)
    assert isinstance(index, HybridIndex) and not index.built
    status = index.sync()
    assert status.in_sync and status.vectors == len(TEXTS)
    hits = search_passages(store, index, embedder.embed, "Jalalabad prison 1,700", k=2,
                           retriever="bm25")
    assert hits[0].passage.passage_id == ids[1]
    store.close()


def test_saved_meta_names_the_backends_and_the_index_is_read_back_with_them(
        tmp_path: Path, fake_settings: Settings) -> None:
    class Exact(DenseIndex):
        def __init__(self, dimension: int, *args: object, **options: object) -> None:
            options["flat_max"] = 10**12
            super().__init__(dimension, *args, **options)  # type: ignore[arg-type]

    DENSE_BACKENDS.register("exact-test", Exact)
    try:
        with Workspace.open(tmp_path / "ws", settings=fake_settings) as ws:
            add_document(ws, "a", TEXTS)
            ws.use_index(create_index(store=ws.store, embedder=ws.embedder,
                                      dense_backend="exact-test"))
            ws.sync_index()
            root = Path(ws.path) / "index"
            meta = json.loads((root / (root / POINTER).read_text().strip() / META_FILE).read_text())
            assert meta["backends"] == {"dense": "exact-test", "lexical": "bm25"}
            loaded = load_index(ws.store, ws.embedder)
            assert type(loaded.dense) is Exact and loaded.status().in_sync  # type: ignore[attr-defined]
            assert ws.rebuild_index().in_sync and type(ws.index.dense) is Exact  # type: ignore[attr-defined]
    finally:
        DENSE_BACKENDS.unregister("exact-test")


def test_default_index_is_faiss_and_bm25(ws: Workspace) -> None:
    add_document(ws, "a", TEXTS)
    assert ws.loaded_index is None           # nothing loaded until asked for
    ws.sync_index()
    assert ws.loaded_index is ws.index
    assert ws.index.backends == {"dense": "faiss", "lexical": "bm25"}  # type: ignore[attr-defined]
    assert sorted(LEXICAL_BACKENDS.names()) == ["bm25"]


def test_a_view_shares_the_loaded_index_on_its_own_store(ws: Workspace) -> None:
    add_document(ws, "a", TEXTS)
    ws.sync_index()
    view = ws.view(store=ws.store.cursor())
    index, mine = view.index, ws.index
    assert index is not mine and index.store is view.store  # type: ignore[attr-defined]
    assert index.dense is mine.dense                          # type: ignore[attr-defined]
    vector = ws.embedder.embed(TEXTS[2])
    assert index.dense_search(vector, 1) == mine.dense_search(vector, 1)
    assert np.array_equal(index.ids, mine.ids)                # type: ignore[attr-defined]


def test_index_package_never_imports_the_workspace() -> None:
    offenders = []
    for path in sorted(INDEX_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("verify.workspace")]
        assert "._index" not in path.read_text(encoding="utf-8"), path.name
    assert offenders == []
