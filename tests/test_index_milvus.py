"""The ``milvus`` index backend on milvus-lite with the fake embedder: parity with the
embedded hybrid index, filters pushed down, incremental sync, embedder refusal, migration."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from click.testing import CliRunner  # noqa: E402

from verify import Workspace  # noqa: E402
from verify.config import Settings  # noqa: E402
from verify.errors import IndexMismatchError  # noqa: E402
from verify.index.factory import index_choice, migrate_index  # noqa: E402
from verify.index.hybrid import HybridIndex  # noqa: E402
from verify.index.milvus import MilvusHybridRetriever, MilvusIndex  # noqa: E402
from verify.types import Reliability, SearchFilters  # noqa: E402

DOCS = [
    # (origin, domain, date, language, title, passages)
    ("a", "dawn.com", "2020-08-07", "en", "IS-K toll",
     ["IS-K killed 338 civilians in Pakistan since 2017, officials said.",
      "The group also claimed attacks on polling stations."]),
    ("b", "bbc.co.uk", "2020-08-03", "en", "Jalalabad attack",
     ["Gunmen stormed the Jalalabad prison and about 1,700 prisoners escaped.",
      "Officials said the prison siege ended after twenty hours."]),
    ("c", "lemonde.fr", "2019-05-01", "fr", "Accord de paix",
     ["L'accord de paix a été signé à Doha par les deux délégations."]),
    ("d", "example.org", None, "en-US", "Undated note",
     ["Prisoners escaped from several prisons over the years, officials said."]),
    ("e", "reuters.com", "2021-02-11", "en", "Vaccine rollout",
     ["The vaccine rollout reached two million doses in February.",
      "Health ministers met in Geneva to discuss vaccine supply."]),
    ("f", "apnews.com", "2022-06-30", "en", "Flood season",
     ["Monsoon floods displaced thousands of families in Sindh province.",
      "Rescue teams used boats to reach villages cut off by the water."]),
]

QUERIES = [
    "IS-K killed 338 civilians in Pakistan",
    "Jalalabad prison gunmen stormed",
    "accord de paix signé à Doha",
    "vaccine rollout two million doses",
    "monsoon floods displaced families Sindh",
    "rescue boats villages cut off",
]


def add_docs(ws: Workspace, docs: list[tuple]) -> dict[str, list[int]]:  # type: ignore[type-arg]
    """Insert documents with sources straight into the store; passage ids by origin."""
    out: dict[str, list[int]] = {}
    for origin, domain, date, lang, title, passages in docs:
        row = ws.db.execute("SELECT source_id FROM sources WHERE domain = ?", [domain]).fetchone()
        source_id = row[0] if row else ws.db.execute(
            "INSERT INTO sources (domain) VALUES (?) RETURNING source_id", [domain]).fetchone()[0]
        doc_id = ws.db.execute(
            "INSERT INTO documents (origin_key, source_id, url, title, published_date, language, "
            "content_hash, text, char_count) VALUES (?, ?, ?, ?, ?, ?, 'h', ?, ?) RETURNING document_id",
            [origin, source_id, f"https://www.{domain}/{origin}", title, date, lang,
             " ".join(passages), sum(map(len, passages))]).fetchone()[0]
        out[origin] = []
        start = 0
        for order, text in enumerate(passages):
            out[origin].append(ws.db.execute(
                "INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
                "VALUES (?, ?, ?, ?, ?) RETURNING passage_id",
                [doc_id, order, text, start, start + len(text)]).fetchone()[0])
            start += len(text) + 1
    return out


def origins(hits) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.passage.url.rsplit("/", 1)[1] for h in hits}


@pytest.fixture
def disk_ws(tmp_path: Path, fake_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Workspace]:
    monkeypatch.delenv("VERIFY_MILVUS_URI", raising=False)
    workspace = Workspace.open(tmp_path / "ws", settings=fake_settings)
    yield workspace
    index = workspace.loaded_index
    if isinstance(index, MilvusIndex):
        index.close()
    workspace.close()


@pytest.fixture
def milvus_ws(disk_ws: Workspace) -> tuple[Workspace, dict[str, list[int]], HybridIndex]:
    """DOCS indexed by the embedded hybrid index, then migrated to milvus."""
    ids = add_docs(disk_ws, DOCS)
    disk_ws.sync_index()
    embedded = disk_ws.index
    assert isinstance(embedded, HybridIndex)
    status = migrate_index(disk_ws, "milvus")
    assert status.in_sync and status.vectors == sum(len(d[5]) for d in DOCS)
    return disk_ws, ids, embedded


def test_search_matches_the_embedded_hybrid(milvus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids, embedded = milvus_ws
    milvus = ws.index
    assert isinstance(milvus, MilvusIndex)
    for query in QUERIES:
        hits = ws.search(query, k=3)
        ws.use_index(embedded)
        reference = ws.search(query, k=3)
        ws.use_index(milvus)
        assert hits[0].passage.passage_id == reference[0].passage.passage_id, query
        assert hits[0].fused_score == pytest.approx(1.0)   # first in both lists
        assert hits[0].dense_score == pytest.approx(reference[0].dense_score, abs=1e-5)
        assert hits[0].lexical_score is not None and hits[0].lexical_score > 0
    top = ws.search("IS-K killed 338 civilians in Pakistan", k=1)[0]
    assert top.passage.passage_id == ids["a"][0]
    assert (top.passage.domain, top.passage.published_date) == ("dawn.com", dt.date(2020, 8, 7))


def test_hybrid_is_one_native_milvus_query(milvus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = milvus_ws
    from verify.index.factory import get_retriever

    assert isinstance(get_retriever("hybrid", ws.index, ws.settings.retrieval), MilvusHybridRetriever)
    index = ws.index
    calls: list[str] = []
    real = index.client.hybrid_search

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append("hybrid")
        return real(*args, **kwargs)

    index.client.hybrid_search = spy
    ws.search("vaccine rollout", k=2)
    assert calls == ["hybrid"]
    bm25 = ws.with_settings(retriever="bm25").search("1,700 prisoners", k=5)
    assert bm25 and bm25[0].passage.text.startswith("Gunmen stormed")


def test_filters_through_search_and_pushed_down(milvus_ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws, ids, _ = milvus_ws
    index: MilvusIndex = ws.index
    vec = ws.embedder.embed("prisoners escaped officials")
    cases = [
        (SearchFilters(domains=("https://www.bbc.co.uk/news",)), {"b"}),
        (SearchFilters(date_from=dt.date(2020, 8, 1), date_to=dt.date(2020, 8, 5)), {"b"}),
        (SearchFilters(date_from=dt.date(2020, 1, 1)), {"a", "b", "e", "f"}),   # undated left out
        (SearchFilters(languages=("fr",)), {"c"}),
        (SearchFilters(languages=("EN",)), {"a", "b", "d", "e", "f"}),          # en-US is en
    ]
    by_pid = {pid: origin for origin, pids in ids.items() for pid in pids}
    for filters, want in cases:
        assert origins(ws.search("prisoners escaped officials", k=20, filters=filters)) == want, filters
        expr = index.filter_expression(filters)
        assert expr and "passage_id" not in expr
        pushed = index.search("prisoners escaped officials", vec, 20, filters)
        assert {by_pid[pid] for pid, _ in pushed} == want, (filters, expr)
    scores = {"bbc.co.uk": 0.9, "dawn.com": 0.7}

    def reliability(domain: str | None) -> float:
        return scores.get(domain or "", 0.2)

    monkeypatch.setattr(ws, "reliability", lambda d: Reliability(d or "", reliability(d), "test"))
    strict = SearchFilters(min_reliability=0.6)
    assert origins(ws.search("officials", k=20, filters=strict)) == {"a", "b"}
    pushed = index.search("officials", ws.embedder.embed("officials"), 20, strict, reliability)
    assert {by_pid[pid] for pid, _ in pushed} == {"a", "b"}
    both = SearchFilters(min_reliability=0.8, domains=("dawn.com",))
    assert index.search("officials", vec, 20, both, reliability) == []


def test_reingest_upserts_and_remove_deletes(milvus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids, _ = milvus_ws
    index: MilvusIndex = ws.index
    changed = ids["f"][0]
    ws.db.execute("UPDATE passages SET text = 'Glacier melt raised the river to record levels.' "
                  "WHERE passage_id = ?", [changed])
    new = add_docs(ws, [("g", "dawn.com", "2023-01-05", "en", "Quake",
                         ["An earthquake of magnitude 6.1 struck near Quetta overnight."])])
    plan = index.plan()
    assert sorted(plan.add.tolist()) == sorted([changed, *new["g"]]) and not len(plan.remove)
    status = ws.sync_index()
    assert status.in_sync and status.vectors == sum(len(d[5]) for d in DOCS) + 1
    assert ws.search("earthquake magnitude Quetta", k=1)[0].passage.passage_id == new["g"][0]
    assert ws.search("glacier melt river record", k=1)[0].passage.passage_id == changed
    row = index.client.query(index.collection, filter=f"passage_id == {changed}",
                             output_fields=["text"])
    assert row[0]["text"].startswith("Glacier melt")
    removed = ws.remove("https://www.bbc.co.uk/b")
    assert removed == 2
    ws.sync_index()
    left = index.client.query(index.collection, filter="passage_id >= 0", output_fields=["passage_id"])
    assert {r["passage_id"] for r in left}.isdisjoint(ids["b"])
    assert "b" not in origins(ws.search("Jalalabad prison", k=20))
    assert index.status().in_sync


def test_reopen_loads_milvus_and_refuses_another_embedder(milvus_ws, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws, ids, _ = milvus_ws
    path = Path(ws.store.path)
    assert index_choice(ws.store) == "milvus"
    meta = json.loads((path / "index" / "milvus.json").read_text())
    assert (meta["backend"], meta["embedder_id"], meta["dimension"], meta["metric"]) == (
        "milvus", "fake-hash-64", 64, "inner_product")
    ws.index.close()
    ws.close()
    with Workspace.open(path, settings=Settings(embedder="fake", stance_model="fake")) as again:
        assert isinstance(again.index, MilvusIndex) and again.index_status().in_sync
        assert again.search("Jalalabad prison gunmen stormed", k=1)[0].passage.passage_id == ids["b"][0]
        again.index.close()

    class OtherEmbedder(type(ws.embedder)):  # type: ignore[misc]
        model_id = "fake-other-64"

    with Workspace.open(path, settings=Settings(embedder="fake", stance_model="fake")) as other:
        with pytest.raises(IndexMismatchError, match="fake-other-64"):
            MilvusIndex.load(other.store, OtherEmbedder())
        # the collection itself records the embedder too (a workspace whose meta was lost)
        (path / "index" / "milvus.json").write_text(json.dumps({**meta, "embedder_id": "fake-other-64"}))
        with pytest.raises(IndexMismatchError, match="collection"):
            MilvusIndex.load(other.store, OtherEmbedder())


def test_cli_index_backend_migrates_and_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.cli import cli

    monkeypatch.delenv("VERIFY_MILVUS_URI", raising=False)
    path = tmp_path / "cli"
    with Workspace.open(path, settings=Settings(embedder="fake", stance_model="fake")) as ws:
        add_docs(ws, DOCS[:3])
        ws.sync_index()
    monkeypatch.setattr("verify.workspace.Settings", lambda: Settings(embedder="fake", stance_model="fake"))
    runner = CliRunner()
    args = ["--workspace", str(path)]
    result = runner.invoke(cli, [*args, "index", "--backend", "milvus", "--rebuild", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["in_sync"] and status["vectors"] == 5 and status["index_type"] == "milvus-lite"
    assert (path / "index" / "BACKEND").read_text().strip() == "milvus"
    result = runner.invoke(cli, [*args, "index", "--backend", "milvus", "--json"])   # same: a sync
    assert result.exit_code == 0 and json.loads(result.output)["in_sync"]
    result = runner.invoke(cli, [*args, "index", "--rebuild", "--json"])   # keeps milvus
    assert result.exit_code == 0 and json.loads(result.output)["index_type"] == "milvus-lite"
    result = runner.invoke(cli, [*args, "index", "--backend", "hybrid"])
    assert result.exit_code != 0 and "--rebuild" in result.output
    result = runner.invoke(cli, [*args, "index", "--backend", "hybrid", "--rebuild", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["index_type"] == "flat"
    assert not (path / "index" / "BACKEND").exists()


def test_search_syncs_a_slightly_drifted_collection(milvus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = milvus_ws
    new = add_docs(ws, [("h", "dawn.com", "2023-03-01", "en", "Locusts",
                         ["Locust swarms destroyed wheat crops across Balochistan."])])
    assert not ws.index_status().in_sync
    hits = ws.search("locust swarms wheat Balochistan", k=1)    # syncs first, as the embedded index
    assert hits[0].passage.passage_id == new["h"][0]
    assert ws.index_status().in_sync


FILTER_CASES = [
    SearchFilters(domains=("https://www.bbc.co.uk/news",)),
    SearchFilters(domains=("dawn.com", "reuters.com")),
    SearchFilters(date_from=dt.date(2020, 8, 1), date_to=dt.date(2020, 8, 5)),
    SearchFilters(date_from=dt.date(2020, 1, 1)),
    SearchFilters(date_to=dt.date(2020, 12, 31)),
    SearchFilters(languages=("fr",)),
    SearchFilters(languages=("EN",)),
    SearchFilters(min_reliability=0.6),
    SearchFilters(min_reliability=0.6, date_from=dt.date(2020, 8, 4)),
    SearchFilters(domains=("apnews.com",), languages=("en",), date_from=dt.date(2022, 1, 1)),
    SearchFilters(domains=("nowhere.example",)),
]


def test_ws_search_pushes_filters_down_to_milvus(milvus_ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``ws.search`` hands the filters to Milvus as its own expression (no passage id list),
    and the passages found are the embedded backend's filtered passages; the ranking is the
    one Milvus gives for the same passages named by id."""
    from verify.retrieval import allowed_passage_ids

    ws, _, embedded = milvus_ws
    index: MilvusIndex = ws.index
    scores = {"bbc.co.uk": 0.9, "dawn.com": 0.7, "reuters.com": 0.65}
    monkeypatch.setattr(ws, "reliability",
                        lambda d: Reliability(d or "", scores.get(d or "", 0.2), "test"))
    exprs: list[str] = []
    real = index.client.hybrid_search

    def spy(collection, requests, *args, **kwargs):  # type: ignore[no-untyped-def]
        exprs.extend(r.expr for r in requests)
        return real(collection, requests, *args, **kwargs)

    monkeypatch.setattr(index.client, "hybrid_search", spy)
    for filters in FILTER_CASES:
        for query in ("prisoners escaped officials", "vaccine floods"):
            exprs.clear()
            hits = ws.search(query, k=20, filters=filters)
            assert all(e and "passage_id" not in e for e in exprs), (filters, exprs)
            ws.use_index(embedded)
            reference = ws.search(query, k=20, filters=filters)
            ws.use_index(index)
            assert {h.passage.passage_id for h in hits} == \
                {h.passage.passage_id for h in reference}, filters
            allowed = allowed_passage_ids(ws, filters)
            by_ids = index.hybrid_search(query, ws.embedder.embed(query), 20, allowed,
                                         settings=ws.settings.retrieval) if len(allowed) else []
            assert [h.passage.passage_id for h in hits] == [pid for pid, _ in by_ids], filters
    assert ws.search("officials", k=20, filters=FILTER_CASES[-1]) == []


def test_other_retrievers_on_milvus_still_filter_by_ids(milvus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids, _ = milvus_ws
    dense = ws.with_settings(retriever="dense")
    hits = dense.search("prisoners escaped", k=20, filters=SearchFilters(languages=("fr",)))
    assert {h.passage.passage_id for h in hits} == set(ids["c"])
