"""The hybrid index: sync, persistence, refusal of mismatched indexes, atomic saves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import FakeEmbedder
from verify import Workspace
from verify.config import Settings
from verify.embedders import EMBEDDERS, get_embedder
from verify.errors import IndexMismatchError, IndexMissingError
from verify.index import HybridIndex, rebuild, tokenize, weighted_rrf
from verify.index.dense import DenseIndex
from verify.index.hybrid import META_FILE, POINTER

TEXTS = [
    "IS-K killed 338 civilians in Pakistan since 2017, officials said.",
    "The Jalalabad prison attack freed about 1,700 prisoners in August.",
    "Farmers in Helmand reported a strong poppy harvest this spring.",
    "The peace agreement was signed in Doha by both delegations.",
]


class OtherIdEmbedder(FakeEmbedder):
    """Same vectors, different model id."""

    model_id = "other-fake"


class NarrowEmbedder(FakeEmbedder):
    """Same model id, different dimension."""

    dimension = 32


def add_document(ws: Workspace, key: str, texts: list[str]) -> list[int]:
    """Insert one document and its passages straight into the store."""
    doc_id = ws.db.execute(
        "INSERT INTO documents (origin_key, title, content_hash, text, char_count) "
        "VALUES (?, ?, 'h', ?, ?) RETURNING document_id",
        [key, key, " ".join(texts), sum(map(len, texts))]).fetchone()[0]
    ids = []
    for order, text in enumerate(texts):
        ids.append(ws.db.execute(
            "INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
            "VALUES (?, ?, ?, 0, ?) RETURNING passage_id", [doc_id, order, text, len(text)]).fetchone()[0])
    return ids


@pytest.fixture
def disk_ws(tmp_path: Path, fake_settings: Settings):
    workspace = Workspace.open(tmp_path / "ws", settings=fake_settings)
    yield workspace
    workspace.close()


def reopen(ws: Workspace, settings: Settings) -> Workspace:
    path = ws.path
    ws.close()
    return Workspace.open(path, settings=settings)


def test_sync_adds_vectors_keyed_by_passage_id(ws: Workspace) -> None:
    ids = add_document(ws, "a", TEXTS)
    status = ws.sync_index()
    assert (status.passages_in_store, status.vectors, status.lexical_docs) == (4, 4, 4)
    assert status.in_sync and status.index_type == "flat" and status.embedder_id == "fake-hash-64"
    for pid, text in zip(ids, TEXTS, strict=True):
        top_id, score = ws.index.dense_search(ws.embedder.embed(text), 1)[0]
        assert top_id == pid and score == pytest.approx(1.0, abs=1e-5)


def test_sync_removes_deleted_passages(ws: Workspace) -> None:
    ids = add_document(ws, "a", TEXTS)
    ws.sync_index()
    ws.db.execute("DELETE FROM passages WHERE passage_id = ?", [ids[1]])
    before = ws.index_status()
    assert not before.in_sync and before.stale == 1 and before.missing == 0
    status = ws.sync_index()
    assert status.in_sync and status.vectors == 3 and status.lexical_docs == 3
    found = [pid for pid, _ in ws.index.dense_search(ws.embedder.embed(TEXTS[1]), 10)]
    assert ids[1] not in found and len(found) == 3
    assert ids[1] not in [pid for pid, _ in ws.index.lexical_search("Jalalabad 1700", 10)]


def test_sync_reembeds_changed_text(ws: Workspace) -> None:
    ids = add_document(ws, "a", TEXTS)
    ws.sync_index()
    new_text = "Kabul airport reopened to civilian flights on Tuesday."
    ws.db.execute("UPDATE passages SET text = ? WHERE passage_id = ?", [new_text, ids[2]])
    plan = ws.index.plan()
    assert plan.add.tolist() == [ids[2]] and plan.remove.tolist() == [ids[2]]
    ws.sync_index()
    assert ws.index.dense_search(ws.embedder.embed(new_text), 1)[0][0] == ids[2]
    assert ws.index.lexical_search("airport", 1)[0][0] == ids[2]
    assert ws.index.lexical_search("poppy", 5) == []


def test_sync_embeds_only_new_passages(ws: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    add_document(ws, "a", TEXTS)
    ws.sync_index()
    seen: list[int] = []
    fake_class = type(ws.embedder)
    original = fake_class.embed_many

    def counting(self, texts, batch_size=128, progress=False):  # type: ignore[no-untyped-def]
        seen.append(len(texts))
        return original(self, texts, batch_size, progress)

    monkeypatch.setattr(fake_class, "embed_many", counting)
    add_document(ws, "b", ["A brand new passage about Kunduz."])
    status = ws.sync_index()
    assert seen == [1] and status.vectors == 5
    ws.sync_index()
    assert seen == [1]  # nothing to do the second time


def test_saved_index_reloads_with_metadata(disk_ws: Workspace, fake_settings: Settings) -> None:
    ids = add_document(disk_ws, "a", TEXTS)
    disk_ws.sync_index()
    root = Path(disk_ws.path) / "index"
    folder = root / (root / POINTER).read_text().strip()
    meta = json.loads((folder / META_FILE).read_text())
    for field in ("embedder_id", "dimension", "metric", "faiss_version", "index_type",
                  "passage_count", "passage_checksum", "created_at", "verify_version"):
        assert field in meta
    assert meta["passage_count"] == 4 and meta["dimension"] == 64
    ws2 = reopen(disk_ws, fake_settings)
    try:
        status = ws2.index_status()
        assert status.in_sync and status.vectors == 4 and status.built_at == meta["created_at"]
        assert ws2.index.lexical_search("338 civilians", 1)[0][0] == ids[0]
        assert ws2.search("Jalalabad prison 1,700", k=1)[0].passage.passage_id == ids[1]
    finally:
        ws2.close()


@pytest.mark.parametrize("other", [OtherIdEmbedder, NarrowEmbedder])
def test_index_from_another_embedder_is_refused(disk_ws: Workspace, other: type, fake_settings: Settings) -> None:
    add_document(disk_ws, "a", TEXTS)
    disk_ws.sync_index()
    EMBEDDERS.register("fake-other", other, replace=True)
    get_embedder.cache_clear()
    settings = Settings(embedder="fake-other", stance_model="fake")
    ws2 = reopen(disk_ws, settings)
    try:
        with pytest.raises(IndexMismatchError, match="built with embedder 'fake-hash-64'") as err:
            _ = ws2.index
        assert "rebuild" in err.value.user_message()
        with pytest.raises(IndexMismatchError):
            ws2.search("civilians")
        status = rebuild(ws2)
        assert status.in_sync and status.dimension == other.dimension and status.embedder_id == other.model_id
        assert len(ws2.search("civilians", k=2)) == 2
    finally:
        ws2.close()
        EMBEDDERS.unregister("fake-other")
        get_embedder.cache_clear()


@pytest.mark.parametrize("damage", ["meta_garbage", "meta_missing", "dense_missing", "dense_garbage",
                                    "pointer_dangling", "count_mismatch"])
def test_damaged_index_files_are_refused(disk_ws: Workspace, fake_settings: Settings, damage: str) -> None:
    add_document(disk_ws, "a", TEXTS)
    disk_ws.sync_index()
    root = Path(disk_ws.path) / "index"
    folder = root / (root / POINTER).read_text().strip()
    if damage == "meta_garbage":
        (folder / META_FILE).write_text("{not json")
    elif damage == "meta_missing":
        (folder / META_FILE).unlink()
    elif damage == "dense_missing":
        (folder / "dense.faiss").unlink()
    elif damage == "dense_garbage":
        (folder / "dense.faiss").write_bytes(b"\x00" * 64)
    elif damage == "pointer_dangling":
        (root / POINTER).write_text("gen-0\n")
    else:
        meta = json.loads((folder / META_FILE).read_text())
        meta["passage_count"] = 99
        (folder / META_FILE).write_text(json.dumps(meta))
    ws2 = reopen(disk_ws, fake_settings)
    try:
        with pytest.raises(IndexMismatchError):
            _ = ws2.index
        assert rebuild(ws2).in_sync
        ws3 = reopen(ws2, fake_settings)
        assert ws3.index_status().vectors == 4
        ws3.close()
    finally:
        ws2.close()


def test_crash_while_saving_keeps_previous_index(disk_ws: Workspace, fake_settings: Settings,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ids = add_document(disk_ws, "a", TEXTS)
    disk_ws.sync_index()
    root = Path(disk_ws.path) / "index"
    pointer_before = (root / POINTER).read_text()
    add_document(disk_ws, "b", ["Kunduz was retaken after a week of fighting."])

    def exploding_write(self, path):  # type: ignore[no-untyped-def]
        Path(path).write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(DenseIndex, "write", exploding_write)
    with pytest.raises(OSError, match="disk full"):
        disk_ws.sync_index()
    monkeypatch.undo()
    assert (root / POINTER).read_text() == pointer_before
    assert [p.name for p in root.iterdir() if p.name.endswith(".tmp")] == []
    ws2 = reopen(disk_ws, fake_settings)
    try:
        index = ws2.index
        assert index.dense.ntotal == 4 and index.status().missing == 1
        assert index.dense_search(ws2.embedder.embed(TEXTS[0]), 1)[0][0] == ids[0]
        hits = ws2.search("Kunduz retaken fighting", k=1)  # the drift is synced before searching
        assert hits[0].passage.text.startswith("Kunduz")
        assert ws2.index_status().in_sync
    finally:
        ws2.close()


def test_old_generations_are_cleaned(disk_ws: Workspace) -> None:
    add_document(disk_ws, "a", TEXTS[:2])
    disk_ws.sync_index()
    add_document(disk_ws, "b", TEXTS[2:])
    disk_ws.sync_index()
    root = Path(disk_ws.path) / "index"
    gens = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert gens == [(root / POINTER).read_text().strip()]


def test_search_before_any_index_raises(ws: Workspace) -> None:
    with pytest.raises(IndexMissingError):
        ws.search("anything")
    add_document(ws, "a", TEXTS)
    status = ws.index_status()
    assert not status.in_sync and status.index_type == "none" and status.missing == 4
    with pytest.raises(IndexMissingError, match="no index has been built"):
        ws.search("anything")


def test_search_syncs_a_drifted_index(ws: Workspace) -> None:
    add_document(ws, "a", TEXTS)
    ws.sync_index()
    new = add_document(ws, "b", ["Kunduz was retaken after a week of fighting."])
    assert ws.search("Kunduz retaken", k=1)[0].passage.passage_id == new[0]


def test_dense_index_grows_into_ivf_and_supports_removal() -> None:
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((20, 32))
    vectors = (centres[rng.integers(0, 20, 3000)] + 0.3 * rng.standard_normal((3000, 32))).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(10_000, 13_000)
    dense = DenseIndex.build(vectors[:1000], ids[:1000], flat_max=2000)
    assert dense.index_type == "flat"
    dense.add(vectors[1000:], ids[1000:])
    assert dense.index_type == "ivf-sq8" and dense.ntotal == 3000
    assert sorted(dense.ids().tolist()) == ids.tolist()
    hits = sum(dense.search(vectors[i], 1)[0][0] == ids[i] for i in range(0, 3000, 50))
    assert hits >= 55  # of 60 self-queries
    assert dense.remove(ids[:10]) == 10 and dense.ntotal == 2990
    assert all(dense.search(vectors[i], 5)[0][0] != ids[i] for i in range(10))
    restricted = dense.search(vectors[500], 3, allowed_ids=ids[[500, 700, 5]])
    assert [pid for pid, _ in restricted][:1] == [ids[500]] and ids[5] not in [p for p, _ in restricted]


def test_tokenizer_keeps_numbers_and_hyphenated_names() -> None:
    tokens = tokenize("IS-K freed 1,700 prisoners; 338 civilians and 12,345,678 people, 3.5% of the total")
    assert {"is-k", "1700", "338", "12345678", "3.5", "prisoner", "civilian"} <= set(tokens)
    assert "the" not in tokens and "of" not in tokens and "is" not in tokens


def test_weighted_rrf_prefers_agreement_and_respects_weights() -> None:
    dense = [(1, 0.9), (2, 0.8), (3, 0.7)]
    lexical = [(3, 12.0), (4, 9.0), (2, 1.0)]
    fused = weighted_rrf([dense, lexical], [1.0, 1.0], rrf_k=60)
    order = [pid for pid, _ in fused]
    assert order[0] == 3  # ranks 3 and 1 beat ranks 2 and 3, and 1 alone
    assert set(order) == {1, 2, 3, 4}
    assert all(a[1] >= b[1] for a, b in zip(fused, fused[1:], strict=False))
    assert weighted_rrf([[(7, 1.0)], [(7, 1.0)]], [1.0, 1.0])[0][1] == pytest.approx(1.0)
    lexical_heavy = [pid for pid, _ in weighted_rrf([dense, lexical], [0.2, 1.0], rrf_k=60)]
    assert lexical_heavy.index(4) < lexical_heavy.index(1)
    dense_heavy = [pid for pid, _ in weighted_rrf([dense, lexical], [1.0, 0.2], rrf_k=60)]
    assert dense_heavy.index(1) < dense_heavy.index(4)


def test_index_for_in_memory_workspace_is_not_saved(ws: Workspace) -> None:
    add_document(ws, "a", TEXTS)
    index = HybridIndex.for_workspace(ws)
    assert index.root is None and not index.built
    assert index.sync().in_sync and index.built
