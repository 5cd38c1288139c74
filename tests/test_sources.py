"""Source book: append-only ratings, effective reliability, priors, aliases, seed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from verify.config import Settings, eval_data_path
from verify.errors import InputError
from verify.sources import SourceBook, normalise, normalize_domain, registrable_domain
from verify.sources.book import SEED_NAME, SEED_PATH
from verify.sources.domains import is_gov_edu, lookup_chain
from verify.sources.keys import rating_key
from verify.sources.scales import MBFC_REPORTING

VERIFY_SRC = Path(__file__).resolve().parent.parent / "verify"


@pytest.fixture
def book(ws):
    """The workspace's source book without the shipped seed (controlled values)."""
    ws._sources = SourceBook(ws.store, ws.settings, seed=False)
    return ws.sources


def _all_ratings(ws) -> list[tuple]:
    return ws.db.execute("SELECT * FROM ratings ORDER BY rating_id").fetchall()


# ---- domains -----------------------------------------------------------------------------
@pytest.mark.parametrize("text, host", [
    ("https://www.BBC.co.uk/news/world", "bbc.co.uk"),
    ("news.bbc.co.uk", "news.bbc.co.uk"),
    ("Reuters.com.", "reuters.com"),
    ("http://user@example.org:8080", "example.org"),
    ("www.gov.uk", "gov.uk"),
])
def test_domains_are_normalised_to_host_keys(text: str, host: str) -> None:
    assert normalize_domain(text, allow_path=True) == host


@pytest.mark.parametrize("bad", ["", "   ", "not a domain", "localhost", "1.2.3.4", "http://",
                                 "-bad-.com", "foo..com", "x.notatld"])
def test_unknown_domain_forms_raise_input_error(bad: str) -> None:
    with pytest.raises(InputError):
        normalize_domain(bad)


def test_paths_are_refused_unless_allowed() -> None:
    with pytest.raises(InputError, match="page or section"):
        normalize_domain("example.com/opinion")
    assert normalize_domain("example.com/opinion", allow_path=True) == "example.com"


def test_registrable_domain_and_lookup_chain() -> None:
    assert registrable_domain("a.b.news.bbc.co.uk") == "bbc.co.uk"
    assert lookup_chain("live.news.bbc.co.uk") == ("live.news.bbc.co.uk", "news.bbc.co.uk", "bbc.co.uk")
    assert is_gov_edu("cdc.gov") and is_gov_edu("ox.ac.uk") and is_gov_edu("ons.gov.uk")
    assert is_gov_edu("army.mil") and is_gov_edu("unimelb.edu.au")
    assert not is_gov_edu("bbc.co.uk") and not is_gov_edu("governing.com")


# ---- scales ------------------------------------------------------------------------------
def test_scales_normalise_to_unit_interval() -> None:
    assert normalise("0-1", "0.3") == pytest.approx(0.3)
    assert normalise("0-100", 85) == pytest.approx(0.85)
    assert normalise("1-5", 5) == 1.0 and normalise("1-5", 1) == 0.0
    assert normalise("1-3", 2) == pytest.approx(0.5)
    assert normalise("mbfc", "Very-High") > normalise("mbfc", "mostly-factual") > normalise("mbfc", "low")
    assert normalise("lasser", "5/3") == 1.0 and normalise("lasser", "1/1") == 0.0


@pytest.mark.parametrize("scale, raw, field_word", [
    ("0-1", "1.2", "value"), ("0-100", "-1", "value"), ("1-5", "0", "value"),
    ("0-1", "abc", "value"), ("mbfc", "sort-of", "value"), ("9-9", "1", "scale"),
])
def test_out_of_scale_values_name_the_field(scale: str, raw: str, field_word: str) -> None:
    with pytest.raises(InputError, match=field_word):
        normalise(scale, raw, field="value")


# ---- rating, history, append-only -----------------------------------------------------------
def test_person_rating_requires_rationale_and_writes_nothing_without(book, ws) -> None:
    before = _all_ratings(ws)
    for rationale in (None, "", "   "):
        with pytest.raises(InputError, match="rationale"):
            book.rate("alpha-news.com", 0.8, rationale=rationale, by="ana")
    with pytest.raises(InputError, match="by"):
        book.rate("alpha-news.com", 0.8, rationale="fine", by="")
    with pytest.raises(InputError, match="value"):
        book.rate("alpha-news.com", 1.5, rationale="fine", by="ana")
    with pytest.raises(InputError):
        book.rate("not a domain", 0.5, rationale="fine", by="ana")
    assert _all_ratings(ws) == before


def test_correction_adds_a_row_and_history_shows_the_trail(book, ws) -> None:
    first = book.rate("https://www.alpha-news.com", 0.9, rationale="wire service", by="ana")
    snapshot = _all_ratings(ws)
    second = book.rate("alpha-news.com", 2, scale="1-5", rationale="two failed fact checks", by="bob",
                       label="low")
    rows = _all_ratings(ws)
    assert rows[: len(snapshot)] == snapshot          # nothing changed in place
    assert len(rows) == len(snapshot) + 1
    trail = book.history("alpha-news.com")
    assert [e.rater for e in trail] == ["ana", "bob"]
    assert trail[0].rating_id == first.rating_id and trail[0].reliability == pytest.approx(0.9)
    assert trail[0].valid_to == trail[1].valid_from   # superseded by the correction
    assert trail[1].previous == pytest.approx(0.9)    # from what ...
    assert trail[1].reliability == pytest.approx(0.25)  # ... to what
    assert trail[1].rationale == "two failed fact checks" and trail[1].valid_to is None
    assert second.label == "low" and second.raw_value == "2" and second.scale == "1-5"
    assert book.reliability("alpha-news.com").value == pytest.approx(0.25)


def test_no_update_or_delete_statement_reaches_ratings() -> None:
    table = r"""["']?ratings["']?(?![\w])"""
    pattern = re.compile("|".join([
        rf"UPDATE\s+{table}", rf"DELETE\s+FROM\s+{table}", rf"TRUNCATE\s+(TABLE\s+)?{table}",
        rf"DROP\s+TABLE\s+(IF\s+EXISTS\s+)?{table}", rf"ALTER\s+TABLE\s+{table}",
        rf"INSERT\s+OR\s+REPLACE\s+INTO\s+{table}", rf"INSERT\s+INTO\s+{table}[^;]{{0,2000}}?ON\s+CONFLICT",
    ]), re.IGNORECASE)
    assert pattern.search("UPDATE ratings SET reliability = 1") and pattern.search('delete from "ratings"')
    assert not pattern.search("UPDATE rating_sets SET rows_read = 1")
    offenders = []
    files = list(VERIFY_SRC.rglob("*.py"))
    assert VERIFY_SRC / "sources" / "book.py" in files       # the scan covers the source book
    for path in files:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(VERIFY_SRC)}: {match.group(0)[:60]}")
    assert offenders == []


def test_every_write_path_only_appends(book, ws, tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "reliability"
    book.rate("alpha-news.com", 0.9, rationale="wire", by="ana")
    history = _all_ratings(ws)
    steps = [
        lambda: book.import_file(fixtures / "lin2023_v1.csv", "lin2023", version="1"),
        lambda: book.import_file(fixtures / "lin2023_v2.csv", "lin2023", version="2"),
        lambda: book.rate("alpha-news.com", 0.4, rationale="correction", by="bob"),
        lambda: book.add_alias("alpha-news.com", "alpha.news"),
        lambda: book.export(tmp_path / "out.json", "json"),
        lambda: book.import_file(fixtures / "generic_bad.csv", "generic"),
    ]
    for step in steps:
        step()
        rows = _all_ratings(ws)
        assert rows[: len(history)] == history
        history = rows
    assert len(history) == 1 + 3 + 3 + 1 + 2


# ---- effective reliability ----------------------------------------------------------------
def test_person_rating_dominates_and_sets_are_weighted(book) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "reliability"
    book.import_file(fixtures / "lin2023_v1.csv", "lin2023", version="1")                 # weight 1
    book.import_file(fixtures / "mbfc_small.json", "mbfc", version="x", weight=3.0)      # weight 3
    rel = book.reliability("alpha-news.com")
    expected = (0.95 * 1 + 0.95 * 3) / 4      # lin 0.95, mbfc very-high 0.95
    assert rel.value == pytest.approx(expected)
    gamma = book.reliability("gamma-blog.net")
    low = MBFC_REPORTING["low"]
    assert gamma.value == pytest.approx((0.12 * 1 + low * 3) / 4)
    assert {p[0].split("@")[0] for p in gamma.parts} == {"lin2023", "mbfc"}
    assert {p[2] for p in gamma.parts} == {1.0, 3.0}
    book.rate("gamma-blog.net", 0.7, rationale="new editor, corrections published", by="ana")
    gamma = book.reliability("gamma-blog.net")
    assert gamma.value == pytest.approx((0.12 + low * 3 + 0.7 * book.person_weight) / (4 + book.person_weight))
    assert gamma.value > 0.5                          # the person's rating dominates
    assert ("in-house:ana", 0.7, book.person_weight) in gamma.parts
    assert "in-house:ana" in gamma.explanation and "mbfc" in gamma.explanation


def test_latest_person_rating_replaces_earlier_ones(book) -> None:
    book.rate("alpha-news.com", 0.9, rationale="a", by="ana")
    book.rate("alpha-news.com", 0.3, rationale="b", by="bob")
    rel = book.reliability("alpha-news.com")
    assert rel.value == pytest.approx(0.3)
    assert [p[0] for p in rel.parts] == ["in-house:bob"]


def test_unknown_sources_get_the_configured_prior(fake_settings) -> None:
    from dataclasses import replace

    from verify import Workspace

    settings = replace(fake_settings, reliability_prior=0.42, gov_edu_prior=0.77)
    with Workspace.in_memory(settings) as w:
        w._sources = SourceBook(w.store, w.settings, seed=False)
        assert w.reliability("unrated-site.com").value == pytest.approx(0.42)
        assert w.reliability("unrated-site.com").parts == (("prior", 0.42, 1.0),)
        for dom in ("health.example.gov", "www.cs.ox.ac.uk", "ons.gov.uk", "navy.mil"):
            rel = w.reliability(dom)
            assert rel.value == pytest.approx(0.77), dom
            assert "government/academic" in rel.explanation
        assert w.reliability(None).value == pytest.approx(0.42)
        assert w.reliability("").value == pytest.approx(0.42)
        assert w.reliability("garbage url with spaces").value == pytest.approx(0.42)


def test_default_priors_come_from_settings(book) -> None:
    assert book.reliability("nobody-rated-this.com").value == Settings().reliability_prior
    assert book.reliability("nobody-rated-this.edu").value == Settings().gov_edu_prior


def test_subdomains_and_urls_fall_back_to_the_registrable_domain(book) -> None:
    book.rate("bbc.co.uk", 0.85, rationale="public broadcaster", by="ana")
    book.rate("blogs.bbc.co.uk", 0.5, rationale="opinion blogs", by="ana")
    assert book.reliability("https://www.bbc.co.uk/news/x").value == pytest.approx(0.85)
    assert book.reliability("sport.bbc.co.uk").value == pytest.approx(0.85)
    assert book.reliability("sport.bbc.co.uk").domain == "bbc.co.uk"
    assert book.reliability("x.blogs.bbc.co.uk").value == pytest.approx(0.5)


def test_cache_is_invalidated_by_writes(book) -> None:
    assert book.reliability("alpha-news.com").value == pytest.approx(0.5)
    book.rate("alpha-news.com", 0.9, rationale="wire", by="ana")
    assert book.reliability("alpha-news.com").value == pytest.approx(0.9)
    assert book.reliability("www.alpha-news.com").value == pytest.approx(0.9)


def test_workspace_reliability_goes_through_the_book(ws) -> None:
    ws._sources = SourceBook(ws.store, ws.settings, seed=False)
    ws.sources.rate("alpha-news.com", 0.66, rationale="x", by="ana")
    assert ws.reliability("alpha-news.com").value == pytest.approx(0.66)


# ---- aliases ----------------------------------------------------------------------------
def test_alias_resolution_merges_an_outlets_domains(book) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "reliability"
    book.rate("alpha-news.com", 0.8, rationale="main site", by="ana")
    book.import_file(fixtures / "lin2023_v1.csv", "lin2023", version="1")
    assert book.reliability("alpha.news").value == pytest.approx(0.5)       # not yet an alias
    assert book.add_alias("alpha-news.com", "https://www.alpha.news") == "alpha-news.com"
    alias_rel = book.reliability("alpha.news")
    main_rel = book.reliability("alpha-news.com")
    assert alias_rel.value == pytest.approx(main_rel.value)
    assert alias_rel.domain == "alpha-news.com" and "alias" in alias_rel.explanation
    assert book.aliases("alpha-news.com") == ("alpha.news",)
    # rating through the alias lands on the outlet, history covers both
    book.rate("alpha.news", 0.6, rationale="via alias", by="bob")
    assert book.reliability("alpha-news.com").parts[-1][0] == "in-house:bob" or any(
        p[0] == "in-house:bob" for p in book.reliability("alpha-news.com").parts)
    assert {e.rater for e in book.history("alpha.news")} == {"ana", "bob", "lin2023"}
    with pytest.raises(InputError, match="itself"):
        book.add_alias("alpha-news.com", "alpha-news.com")
    book.rate("other-outlet.com", 0.4, rationale="x", by="ana")
    with pytest.raises(InputError, match="already an alias"):
        book.add_alias("other-outlet.com", "alpha.news")
    listed = book.list_sources(query="alpha")
    assert [s.domain for s in listed] == ["alpha-news.com"] and listed[0].aliases == ("alpha.news",)


def test_ratings_given_to_an_alias_domain_count_for_the_outlet(book) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "reliability"
    book.import_file(fixtures / "lin2023_v1.csv", "lin2023", version="1")   # rates beta-daily.co.uk
    book.add_alias("beta-daily.com", "beta-daily.co.uk")
    rel = book.reliability("beta-daily.com")
    assert rel.value == pytest.approx(0.72) and rel.domain == "beta-daily.com"


# ---- listing and show ----------------------------------------------------------------------
def test_list_sources_sorts_filters_and_limits(book) -> None:
    for dom, val in (("a-one.com", 0.2), ("b-two.com", 0.9), ("c-three.com", 0.5)):
        book.rate(dom, val, rationale="r", by="ana")
    assert [s.domain for s in book.list_sources(sort="value")] == ["b-two.com", "c-three.com", "a-one.com"]
    assert [s.domain for s in book.list_sources(sort="value-asc", limit=1)] == ["a-one.com"]
    assert [s.domain for s in book.list_sources(query="two")] == ["b-two.com"]
    item = book.list_sources(query="c-three")[0]
    assert item.value == pytest.approx(0.5) and item.band == "mixed" and item.parts
    with pytest.raises(InputError, match="sort"):
        book.list_sources(sort="bogus")


def test_show_gathers_value_current_raters_and_history(book) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "reliability"
    book.import_file(fixtures / "mbfc_small.json", "mbfc", version="1")
    book.rate("alpha-news.com", 0.7, rationale="first", by="ana")
    book.rate("alpha-news.com", 0.8, rationale="second", by="ana")
    view = book.show("www.alpha-news.com")
    assert view.domain == "alpha-news.com" and view.name == "Alpha News"
    assert [e.rater for e in view.current] == ["ana", "mbfc"]
    assert view.current[0].reliability == pytest.approx(0.8)
    assert len(view.history) == 3
    assert view.reliability.value == pytest.approx((0.8 * book.person_weight + 0.95) / (book.person_weight + 1))


# ---- seed --------------------------------------------------------------------------------
def _seed_figures(path: Path) -> dict[str, float]:
    with path.open(encoding="utf-8") as handle:
        return {row["domain"]: float(row["pc1"]) for row in csv.DictReader(handle)}


def test_seed_is_loaded_lazily_once_and_matches_the_shipped_file(ws) -> None:
    assert ws.db.execute("SELECT count(*) FROM rating_sets").fetchone()[0] == 0
    shipped = _seed_figures(SEED_PATH)
    assert len(shipped) > 11000
    rel = ws.reliability("reuters.com")
    assert rel.value == pytest.approx(shipped["reuters.com"])
    assert ws.db.execute("SELECT count(*) FROM rating_sets WHERE name = ?", [SEED_NAME]).fetchone()[0] == 1
    seeded = dict(ws.db.execute(
        "SELECT domain, reliability FROM ratings WHERE rater = ?", [SEED_NAME]).fetchall())
    skipped = ws.db.execute("SELECT count(*) FROM rating_import_issues").fetchone()[0]
    assert len(seeded) + skipped == len(shipped)
    assert skipped < 100                                 # only "site/section" and odd rows
    accounts = {}                                        # twitter.com/handle -> x.com/@handle
    for domain, value in shipped.items():
        if "/" in domain:
            try:
                accounts[rating_key(domain)] = value
            except InputError:
                pass
    for domain, value in seeded.items():
        assert shipped.get(domain, accounts.get(domain)) == pytest.approx(value), domain
    assert seeded["x.com/@cbugliano"] == pytest.approx(shipped["twitter.com/cbugliano"])
    assert "twitter.com/cbugliano" not in seeded and "facebook.com/news" not in seeded
    # a second book on the same workspace does not seed again
    SourceBook(ws.store).reliability("apnews.com")
    assert ws.db.execute("SELECT count(*) FROM rating_sets").fetchone()[0] == 1
    raw = dict(ws.db.execute("SELECT domain, raw_value FROM ratings WHERE rater = ?", [SEED_NAME]).fetchall())
    assert float(raw["apnews.com"]) == shipped["apnews.com"]


def test_shipped_seed_matches_the_public_source_file() -> None:
    data = eval_data_path()
    source = data / "reliability" / "lin2023_domain_pc1.csv" if data else None
    if source is None or not source.is_file():
        pytest.skip("shared evaluation data not available")
    assert _seed_figures(SEED_PATH) == _seed_figures(source)


def test_importing_lin2023_supersedes_the_seed_figures(ws) -> None:
    fixtures = Path(__file__).parent / "fixtures" / "reliability"
    seed_reuters = ws.reliability("reuters.com").value
    report = ws.sources.import_file(fixtures / "lin2023_v1.csv", "lin2023", version="1")
    assert ws.db.execute("SELECT count(*) FROM rating_sets WHERE name = 'lin2023'").fetchone()[0] == 2
    assert report.not_in_this_version > 11000          # seed domains not in the small file keep their value
    assert ws.reliability("reuters.com").value == pytest.approx(seed_reuters)
    rel = ws.reliability("alpha-news.com")
    assert rel.value == pytest.approx(0.95) and rel.parts[0][0] == "lin2023@1"


def test_seed_never_touches_an_open_transaction(ws) -> None:
    ws.db.execute("BEGIN TRANSACTION")
    ws.db.execute("INSERT INTO sources (domain) VALUES ('held-in-txn.com')")
    assert ws.reliability("reuters.com").value > 0.9       # seeded on its own cursor
    ws.sources.rate("alpha-news.com", 0.7, rationale="x", by="ana")
    ws.db.execute("ROLLBACK")                              # the caller's transaction is intact ...
    assert ws.db.execute("SELECT count(*) FROM sources WHERE domain = 'held-in-txn.com'").fetchone()[0] == 0
    assert ws.reliability("alpha-news.com").value == pytest.approx(0.7)   # ... and ours committed


def test_read_only_workspace_falls_back_without_error(tmp_path: Path) -> None:
    from verify import Workspace

    Workspace.open(tmp_path / "ro").close()
    with Workspace.open(tmp_path / "ro", read_only=True) as ro:
        assert ro.reliability("reuters.com").value == pytest.approx(Settings().reliability_prior)
        assert ro.reliability("cdc.gov").value == pytest.approx(Settings().gov_edu_prior)
