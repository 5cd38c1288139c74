"""Importing and exporting rating files: every format, malformed rows, strict, re-import."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from verify.errors import InputError
from verify.sources import SourceBook
from verify.sources.scales import MBFC_CREDIBILITY, MBFC_REPORTING, lasser_value

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"


@pytest.fixture
def book(ws):
    """The workspace's source book without the shipped seed."""
    ws._sources = SourceBook(ws.store, ws.settings, seed=False)
    return ws.sources


def _count(ws, sql: str = "SELECT count(*) FROM ratings", params: list | None = None) -> int:
    return int(ws.db.execute(sql, params or []).fetchone()[0])


def test_generic_csv_import_normalises_each_rows_scale(book, ws) -> None:
    report = book.import_file(FIXTURES / "generic_good.csv", "generic", licence="CC0")
    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 4, 0)
    assert report.name == "generic_good" and report.rating_set_id is not None
    values = dict(ws.db.execute("SELECT domain, reliability FROM ratings").fetchall())
    assert values == pytest.approx({"alpha-news.com": 0.9, "beta-daily.co.uk": 0.8,
                                    "gamma-blog.net": 0.25, "delta-radio.org": MBFC_REPORTING["mixed"]})
    row = ws.db.execute("SELECT name, format, licence, rows_imported FROM rating_sets").fetchone()
    assert row == ("generic_good", "generic", "CC0", 4)
    gamma = book.current("gamma-blog.net")[0]
    assert (gamma.rater, gamma.rater_kind, gamma.label, gamma.raw_value, gamma.scale) == \
        ("generic_good", "rating_set", "low", "2", "1-5")


def test_malformed_rows_are_reported_by_line_and_good_rows_kept(book, ws) -> None:
    report = book.import_file(FIXTURES / "generic_bad.csv", "generic")
    rejected = {i.line: i for i in report.errors}
    skipped = {i.line: i for i in report.skipped}
    assert sorted(rejected) == [3, 4, 5, 6, 10]
    assert sorted(skipped) == [8, 9]
    assert rejected[3].field == "domain" and "spaces" in rejected[3].reason
    assert rejected[4].field == "rating" and "outside the scale" in rejected[4].reason
    assert rejected[5].field == "scale"
    assert rejected[6].field == "rating" and "missing" in rejected[6].reason
    assert "expected 5 fields" in rejected[10].reason
    assert "page or section" in skipped[8].reason and "duplicate of line 2" in skipped[9].reason
    assert str(rejected[3]).startswith("line 3, field domain:")
    assert report.rows_imported == 2 and report.rows_read == 9
    assert sorted(r[0] for r in ws.db.execute("SELECT domain FROM ratings").fetchall()) == \
        ["alpha-news.com", "epsilon-post.com"]
    stored = book.import_issues(report.rating_set_id)
    assert [(i.line, i.kind) for i in stored] == [(3, "rejected"), (4, "rejected"), (5, "rejected"),
                                                  (6, "rejected"), (8, "skipped"), (9, "skipped"),
                                                  (10, "rejected")]
    assert ws.db.execute("SELECT rows_rejected FROM rating_sets").fetchone()[0] == 5


def test_strict_import_refuses_the_whole_file(book, ws) -> None:
    with pytest.raises(InputError) as info:
        book.import_file(FIXTURES / "generic_bad.csv", "generic", strict=True)
    message = str(info.value)
    assert "nothing imported" in message and "line 3" in message and "line 10" in message
    assert _count(ws) == 0
    assert _count(ws, "SELECT count(*) FROM rating_sets") == 0
    assert _count(ws, "SELECT count(*) FROM rating_import_issues") == 0
    # a clean file passes strict mode
    assert book.import_file(FIXTURES / "generic_good.csv", "generic", strict=True).rows_imported == 4


def test_lin2023_import_and_bad_values(book, ws) -> None:
    report = book.import_file(FIXTURES / "lin2023_bad.csv", "lin2023")
    assert report.name == "lin2023" and report.rows_imported == 1
    assert [(i.line, i.field) for i in report.errors] == [(3, "pc1"), (4, "pc1")]
    licence, attribution = ws.db.execute("SELECT licence, attribution FROM rating_sets").fetchone()
    assert "reuse" in licence and "Lin" in attribution and "PNAS Nexus" in attribution


def test_reimport_of_a_newer_version_supersedes_and_keeps_history(book, ws) -> None:
    first = book.import_file(FIXTURES / "lin2023_v1.csv", "lin2023", version="2023-01")
    assert first.superseded == 0
    second = book.import_file(FIXTURES / "lin2023_v2.csv", "lin2023", version="2023-06")
    assert second.superseded == 2                 # alpha-news.com and beta-daily.co.uk
    assert second.not_in_this_version == 1        # gamma-blog.net (its old rating is kept)
    assert _count(ws) == 6                        # nothing lost
    assert book.reliability("alpha-news.com").value == pytest.approx(0.91)
    assert book.reliability("gamma-blog.net").value == pytest.approx(0.12)
    assert book.reliability("gamma-blog.net").parts[0][0] == "lin2023@2023-01"   # kept from v1
    assert book.reliability("alpha-news.com").parts[0][0] == "lin2023@2023-06"
    assert book.reliability("delta-radio.org").value == pytest.approx(0.5)
    trail = book.history("alpha-news.com")
    assert [(e.set_version, e.reliability) for e in trail] == [("2023-01", 0.95), ("2023-06", 0.91)]
    assert trail[0].valid_to == trail[1].valid_from and trail[1].previous == pytest.approx(0.95)
    # the same file again is a no-op
    again = book.import_file(FIXTURES / "lin2023_v2.csv", "lin2023", version="2023-06")
    assert again.already_imported and _count(ws) == 6


def test_mbfc_json_import(book, ws) -> None:
    report = book.import_file(FIXTURES / "mbfc_small.json", "mbfc")
    assert report.rows_read == 8
    assert {i.line: i.kind for i in report.issues} == {4: "skipped", 5: "rejected", 6: "rejected",
                                                      7: "skipped"}
    assert next(i for i in report.errors if i.line == 5).field == "reporting"
    assert next(i for i in report.errors if i.line == 6).location == "record 6"
    values = dict(ws.db.execute("SELECT domain, reliability FROM ratings").fetchall())
    assert values == pytest.approx({
        "alpha-news.com": MBFC_REPORTING["very-high"], "gamma-blog.net": MBFC_REPORTING["low"],
        "delta-radio.org": MBFC_CREDIBILITY["medium-credibility"],
        "iota-news.com": MBFC_REPORTING["mostly-factual"]})
    gamma = book.current("gamma-blog.net")[0]
    assert gamma.label == "low" and "failed-fact-checks" in (gamma.rationale or "")
    assert book.names()["iota-news.com"] == "Iota News"
    assert "Media Bias/Fact Check" in ws.db.execute("SELECT attribution FROM rating_sets").fetchone()[0]


def test_lasser_import(book, ws) -> None:
    report = book.import_file(FIXTURES / "lasser_small.csv", "lasser")
    assert report.rows_imported == 3
    assert [(i.line, i.field) for i in report.errors] == [(5, "accuracy"), (6, "transparency")]
    assert [i.line for i in report.skipped] == [4]
    assert book.reliability("alpha-news.com").value == pytest.approx(1.0)
    assert book.reliability("gamma-blog.net").value == pytest.approx(0.0)
    assert book.reliability("nu-tribune.com").value == pytest.approx(lasser_value(4, 2))
    event = book.current("nu-tribune.com")[0]
    assert event.label == "reliable" and event.raw_value == "4/2" and "media_bias_fact_check" in event.rationale
    assert ws.db.execute("SELECT licence FROM rating_sets").fetchone()[0] == "CC BY-SA 4.0"


def test_in_house_import_writes_person_ratings_that_need_rationales(book, tmp_path: Path) -> None:
    path = tmp_path / "ours.csv"
    path.write_text("domain,rating,scale,label,rationale\n"
                    "alpha-news.com,0.4,0-1,,editor review\n"
                    "beta-daily.co.uk,0.9,0-1,,\n", encoding="utf-8")
    report = book.import_file(path, "generic", in_house=True, by="desk")
    assert report.rows_imported == 1 and report.errors[0].field == "rationale"
    event = book.current("alpha-news.com")[0]
    assert (event.rater, event.rater_kind) == ("desk", "person")
    assert book.reliability("alpha-news.com").parts[0][0] == "in-house:desk"


@pytest.mark.parametrize("content, fmt, needle", [
    ("", "generic", "empty file"),
    ("site,score\nx.com,1\n", "generic", "missing column(s) domain"),
    ("domain,pc1\nbad domain,0.5\n", "lin2023", "no valid rating rows"),
    ("{not json", "mbfc", "not valid JSON"),
    ('{"a": 1}', "mbfc", "JSON list"),
])
def test_unreadable_files_raise_input_error_naming_the_file(book, tmp_path: Path, content: str,
                                                              fmt: str, needle: str) -> None:
    path = tmp_path / f"f.{'json' if fmt == 'mbfc' else 'csv'}"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        book.import_file(path, fmt)
    assert needle in str(info.value) and str(path) in str(info.value)


def test_unknown_format_and_missing_file(book, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="format"):
        book.import_file(FIXTURES / "generic_good.csv", "xml")
    with pytest.raises(InputError, match="no such file"):
        book.import_file(tmp_path / "missing.csv", "generic")


def test_export_writes_full_history_csv_and_json(book, tmp_path: Path) -> None:
    book.import_file(FIXTURES / "lin2023_v1.csv", "lin2023", version="1")
    book.import_file(FIXTURES / "lin2023_v2.csv", "lin2023", version="2")
    book.rate("alpha-news.com", 0.5, rationale="why not", by="ana")
    book.add_alias("alpha-news.com", "alpha.news")
    n = book.export(tmp_path / "all.csv", "csv")
    with (tmp_path / "all.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert n == len(rows) == 7
    alpha = [r for r in rows if r["domain"] == "alpha-news.com"]
    assert [(r["rater"], r["set_version"], r["reliability"]) for r in alpha] == [
        ("lin2023", "1", "0.95"), ("lin2023", "2", "0.91"), ("ana", "", "0.5")]
    assert alpha[0]["valid_to"] == alpha[1]["valid_from"] and alpha[1]["valid_to"] == ""
    assert alpha[2]["rationale"] == "why not" and alpha[0]["rating_set"] == "lin2023"
    book.export(tmp_path / "all.json", "json")
    doc = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert len(doc["ratings"]) == 7 and len(doc["rating_sets"]) == 2
    assert doc["aliases"] == [{"alias": "alpha.news", "domain": "alpha-news.com"}]
    with pytest.raises(InputError, match="format"):
        book.export(tmp_path / "x.xml", "xml")
