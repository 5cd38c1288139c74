"""Hybrid retrieval: filters, fusion, metadata join, errors, CLI; plus real-model checks."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from verify import Workspace
from verify.errors import InputError, UnknownBackendError
from verify.types import Reliability, SearchFilters

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
]


def add_corpus(ws: Workspace) -> dict[str, list[int]]:
    """Insert DOCS with sources straight into the store; returns passage ids by origin."""
    out: dict[str, list[int]] = {}
    for origin, domain, date, lang, title, passages in DOCS:
        source_id = ws.db.execute("INSERT INTO sources (domain) VALUES (?) RETURNING source_id",
                                  [domain]).fetchone()[0]
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


@pytest.fixture
def corpus_ws(ws: Workspace) -> tuple[Workspace, dict[str, list[int]]]:
    ids = add_corpus(ws)
    ws.sync_index()
    return ws, ids


def origins(hits) -> set[str]:  # type: ignore[no-untyped-def]
    return {h.passage.url.rsplit("/", 1)[1] for h in hits}


def test_hits_carry_metadata_scores_and_ranks(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids = corpus_ws
    hits = ws.search("IS-K killed 338 civilians in Pakistan", k=3)
    top = hits[0]
    assert top.passage.passage_id == ids["a"][0]
    assert (top.passage.domain, top.passage.title, top.passage.language) == ("dawn.com", "IS-K toll", "en")
    assert top.passage.published_date == dt.date(2020, 8, 7)
    assert top.passage.url == "https://www.dawn.com/a"
    assert top.dense_score is not None and top.dense_score > 0.5 and top.lexical_score > 0
    assert [h.rank for h in hits] == [1, 2, 3]
    assert [h.fused_score for h in hits] == sorted((h.fused_score for h in hits), reverse=True)
    assert top.fused_score == pytest.approx(1.0)  # first in both lists
    json.dumps([h.to_dict() for h in hits])


def test_bm25_finds_a_number_the_fake_embedder_cannot(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids = corpus_ws
    target = ids["b"][0]
    # The fake embedder sees "1,700" as the tokens "1" and "700", so "1700" is invisible to it.
    dense = ws.index.dense_scores(ws.embedder.embed("1700"), [target])[target]
    assert abs(dense) < 0.5  # only hash collisions, no shared token
    bm25 = ws.with_settings(retriever="bm25").search("1700", k=2)
    assert bm25[0].passage.passage_id == target and bm25[0].lexical_score > 0
    hybrid = ws.search("1700 escaped", k=3)
    assert target in [h.passage.passage_id for h in hybrid[:2]]
    assert [h.passage.passage_id for h in ws.search("1700", k=1)] == [target]


def test_retriever_is_chosen_by_settings(corpus_ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws, ids = corpus_ws
    dense_only = ws.with_settings(retriever="dense").search("Doha peace agreement", k=6)
    assert len(dense_only) == 6  # dense ranks every passage, even without shared words
    monkeypatch.setattr(type(ws.embedder), "embed_batch",
                        lambda self, texts: (_ for _ in ()).throw(AssertionError("embedded")))
    bm25_only = ws.with_settings(retriever="bm25").search("Jalalabad prison", k=6)
    # only passages sharing a word ("prisons" is stemmed to "prison")
    assert {h.passage.passage_id for h in bm25_only} == set(ids["b"]) | {ids["d"][0]}
    with pytest.raises(UnknownBackendError):
        ws.with_settings(retriever="nope").search("x")


def test_domain_filter_accepts_urls_and_aliases(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids = corpus_ws
    hits = ws.search("prisoners escaped", k=10, filters=SearchFilters(domains=("https://www.bbc.co.uk/news",)))
    assert hits and {h.passage.domain for h in hits} == {"bbc.co.uk"}
    ws.db.execute("INSERT INTO source_aliases (alias_domain, source_id) "
                  "SELECT 'bbc.com', source_id FROM sources WHERE domain = 'bbc.co.uk'")
    aliased = ws.search("prisoners escaped", k=10, filters=SearchFilters(domains=("bbc.com",)))
    assert {h.passage.passage_id for h in aliased} == set(ids["b"])


def test_date_filter(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws
    hits = ws.search("prisoners escaped officials", k=10,
                     filters=SearchFilters(date_from=dt.date(2020, 8, 1), date_to=dt.date(2020, 8, 5)))
    assert origins(hits) == {"b"}
    since = ws.search("officials", k=10, filters=SearchFilters(date_from=dt.date(2020, 1, 1)))
    assert origins(since) == {"a", "b"}  # undated and older documents are left out


def test_language_filter(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws
    assert origins(ws.search("accord de paix Doha", k=10, filters=SearchFilters(languages=("fr",)))) == {"c"}
    english = ws.search("prisoners", k=10, filters=SearchFilters(languages=("EN",)))
    assert origins(english) == {"a", "b", "d"}  # en-US counts as en


def test_min_reliability_filter(corpus_ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws
    scores = {"bbc.co.uk": 0.9, "dawn.com": 0.7}
    monkeypatch.setattr(ws, "reliability",
                        lambda domain: Reliability(domain or "", scores.get(domain or "", 0.2), "test"))
    hits = ws.search("prisoners escaped officials", k=10, filters=SearchFilters(min_reliability=0.8))
    assert origins(hits) == {"b"}
    assert origins(ws.search("officials", k=10, filters=SearchFilters(min_reliability=0.6))) == {"a", "b"}


def test_min_reliability_without_sources_book_uses_prior(corpus_ws, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws

    def missing(domain):  # type: ignore[no-untyped-def]
        raise ImportError("no sources module yet")

    monkeypatch.setattr(ws, "reliability", missing)
    assert ws.search("officials", k=10, filters=SearchFilters(min_reliability=0.6)) == []
    assert len(ws.search("officials", k=10, filters=SearchFilters(min_reliability=0.5))) > 0


def test_filters_still_fill_k_when_the_match_ranks_low(ws: Workspace) -> None:
    ids = add_corpus(ws)
    rows = [(f"x{i}", [f"Prisoners escaped from the prison, officials said, report {i}."]) for i in range(40)]
    for origin, passages in rows:
        doc = ws.db.execute("INSERT INTO documents (origin_key, content_hash, text, char_count) "
                            "VALUES (?, 'h', ?, 10) RETURNING document_id", [origin, passages[0]]).fetchone()[0]
        ws.db.execute("INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
                      "VALUES (?, 0, ?, 0, 10)", [doc, passages[0]])
    ws.sync_index()
    hits = ws.search("prisoners escaped prison officials", k=2, filters=SearchFilters(domains=("dawn.com",)))
    assert sorted(h.passage.passage_id for h in hits) == sorted(ids["a"])


def test_filter_matching_nothing_returns_empty(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws
    assert ws.search("prisoners", filters=SearchFilters(domains=("nowhere.net",))) == []


@pytest.mark.parametrize("claim", ["", "   ", "\n\t"])
def test_empty_claim_is_refused(corpus_ws, claim: str) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws
    with pytest.raises(InputError, match="empty"):
        ws.search(claim)


@pytest.mark.parametrize("k", [0, -1, 10_001])
def test_bad_k_is_refused(corpus_ws, k: int) -> None:  # type: ignore[no-untyped-def]
    ws, _ = corpus_ws
    with pytest.raises(InputError, match="k must be"):
        ws.search("prisoners", k=k)


def test_removed_passages_never_come_back(corpus_ws) -> None:  # type: ignore[no-untyped-def]
    ws, ids = corpus_ws
    ws.db.execute("DELETE FROM passages WHERE passage_id = ?", [ids["a"][0]])
    hits = ws.search("IS-K killed 338 civilians in Pakistan", k=10)
    assert ids["a"][0] not in {h.passage.passage_id for h in hits}
    assert ws.index_status().in_sync


# ---- CLI ---------------------------------------------------------------------------
@pytest.fixture
def cli_ws(corpus_ws, monkeypatch):  # type: ignore[no-untyped-def]
    ws, ids = corpus_ws

    class Unclosable:
        def __init__(self, inner: Workspace) -> None:
            self._inner = inner

        def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
            return getattr(self._inner, name)

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self._inner

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr("verify.cli.open_workspace", lambda ctx, **kw: Unclosable(ws))
    return ws, ids


def test_cli_search_json_and_table(cli_ws) -> None:  # type: ignore[no-untyped-def]
    from verify.cli import cli

    ws, ids = cli_ws
    runner = CliRunner()
    result = runner.invoke(cli, ["search", "IS-K killed 338 civilians", "-k", "2", "--json",
                                 "--since", "2020-01-01", "--domain", "dawn.com"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["rank"] for d in data] == [1, 2]
    assert data[0]["passage"]["passage_id"] == ids["a"][0] and data[0]["passage"]["domain"] == "dawn.com"
    table = runner.invoke(cli, ["search", "Jalalabad prison", "-k", "1"])
    assert table.exit_code == 0 and "bbc.co.uk" in table.output and "Jalalabad" in table.output
    bad = runner.invoke(cli, ["search", "x", "--since", "yesterday"])
    assert bad.exit_code != 0 and "not a date" in bad.output


def test_cli_index_status_json(cli_ws) -> None:  # type: ignore[no-untyped-def]
    from verify.cli import cli

    result = CliRunner().invoke(cli, ["index", "--status", "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["in_sync"] is True and status["vectors"] == 6 and status["index_type"] == "flat"
    rebuilt = CliRunner().invoke(cli, ["index", "--rebuild", "--json"])
    assert rebuilt.exit_code == 0 and json.loads(rebuilt.output)["vectors"] == 6


def test_commands_do_not_import_heavy_libraries() -> None:
    source = (Path(__file__).parent.parent / "verify" / "commands" / "search.py").read_text()
    for name in ("faiss", "duckdb", "sklearn"):
        assert f"import {name}" not in source


# ---- real models ---------------------------------------------------------------------
def _demo_ready() -> bool:
    from verify.config import demo_corpus_path

    try:
        import verify.ingest  # noqa: F401
    except ImportError:
        return False
    return demo_corpus_path().is_dir()


real_demo = pytest.mark.skipif(not _demo_ready(), reason="demo corpus or ingestion not available yet")


@pytest.mark.real
@real_demo
def test_real_338_civilians_at_rank_one(real_ws) -> None:  # type: ignore[no-untyped-def]
    hits = real_ws.search("IS-K killed 338 civilians in Pakistan since 2017", k=5)
    assert "338" in hits[0].passage.text and "civilian" in hits[0].passage.text.lower()


@pytest.mark.real
@real_demo
def test_real_jalalabad_1700_in_top_three(real_ws) -> None:  # type: ignore[no-untyped-def]
    hits = real_ws.search("Jalalabad prison attack 1,700 prisoners", k=3)
    assert any("1,700" in h.passage.text or "1700" in h.passage.text for h in hits)


@pytest.mark.real
@real_demo
def test_real_index_is_in_sync_and_saved(real_ws) -> None:  # type: ignore[no-untyped-def]
    status = real_ws.index_status()
    assert status.in_sync and status.embedder_id == "all-MiniLM-L6-v2" and status.dimension == 384
    assert status.vectors == status.passages_in_store > 0
    vec = real_ws.embedder.embed("prisoners escaped")
    assert np.isclose(np.linalg.norm(vec), 1.0, atol=1e-4)
