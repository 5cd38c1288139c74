"""Importing a desk's past verdicts as reviewed checks (fake models, real DuckDB)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from verify.checks.past import rating_verdict, read_past_verdicts
from verify.errors import InputError

CORPUS = {
    "a.txt": "IS-K has killed 338 civilians in Pakistan since January 2017, CSIS says.",
    "b.txt": "The prison in Jalalabad held about 1,700 prisoners before the attack.",
}
CSV = """claim,verdict
IS-K killed 338 civilians in Pakistan since 2017,True
The prison held 17000 prisoners,Pants on Fire
Mars has two moons,Misleading
,true
The prison held about 1700 prisoners,SUPPORTED
"""


@pytest.fixture
def desk_ws(ws, tmp_path: Path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    ws.ingest([corpus])
    return ws


def test_rating_words_map_to_verdicts_and_unknown_ones_do_not() -> None:
    assert rating_verdict("Mostly True") == "SUPPORTED"
    assert rating_verdict("pants-on-fire!") == "REFUTED"
    assert rating_verdict("Half True") == "CONFLICTING"
    assert rating_verdict("unproven") == "NOT ENOUGH EVIDENCE"
    assert rating_verdict("NEE") == "NOT ENOUGH EVIDENCE"
    assert rating_verdict("Misleading") is None


def test_csv_rows_are_checked_stored_and_reviewed_with_their_line(desk_ws, tmp_path) -> None:
    path = tmp_path / "archive.csv"
    path.write_text(CSV, encoding="utf-8")
    report = desk_ws.import_past_verdicts(path)
    assert report.imported == 3 and report.reviewer == "import:archive.csv"
    assert report.verdicts == {"REFUTED": 1, "SUPPORTED": 2}
    assert report.problems == [
        f"{path}:4: rating 'Misleading' has no verify verdict (SUPPORTED, REFUTED, "
        "CONFLICTING, NOT ENOUGH EVIDENCE); skipped",
        f"{path}:5: no claim (give a 'claim' or 'claimReviewed' field)"]
    rows = desk_ws.db.execute(
        "SELECT c.claim, v.verdict, v.reviewer, v.note FROM verdicts v JOIN checks c"
        " ON c.check_id = v.check_id ORDER BY v.note").fetchall()
    assert rows == [
        ("IS-K killed 338 civilians in Pakistan since 2017", "SUPPORTED", "import:archive.csv",
         f"imported from {path}:2"),
        ("The prison held 17000 prisoners", "REFUTED", "import:archive.csv",
         f"imported from {path}:3"),
        ("The prison held about 1700 prisoners", "SUPPORTED", "import:archive.csv",
         f"imported from {path}:6")]
    # each review judges a real stored check with its evidence
    n_evidence = desk_ws.db.execute(
        "SELECT count(*) FROM check_evidence WHERE check_id IN (SELECT check_id FROM verdicts)"
    ).fetchone()[0]
    assert n_evidence >= 3
    again = desk_ws.import_past_verdicts(path)          # a second import adds nothing
    assert (again.imported, again.already_there) == (0, 3)
    other = desk_ws.import_past_verdicts(path, reviewer="amina")   # another reviewer does
    assert other.imported == 3


def test_claimreview_jsonld_round_trips_verifys_own_export(desk_ws, tmp_path) -> None:
    items = {"@context": "https://schema.org", "@graph": [
        {"@type": "ClaimReview", "claimReviewed": "IS-K killed 338 civilians in Pakistan",
         "reviewRating": {"@type": "Rating", "ratingValue": 4, "bestRating": 4,
                          "worstRating": 1, "alternateName": "True"}},
        {"@type": "ClaimReview", "claimReviewed": "The prison held 17000 prisoners",
         "reviewRating": {"@type": "Rating", "ratingValue": 1}},
        {"@type": "ClaimReview", "claimReviewed": "The prison held 1700 prisoners",
         "reviewRating": {"@type": "Rating", "alternateName": "Mixed"}},
    ]}
    path = tmp_path / "reviews.jsonld"
    path.write_text(json.dumps(items), encoding="utf-8")
    report = desk_ws.import_past_verdicts(path, reviewer="desk")
    assert report.verdicts == {"CONFLICTING": 1, "SUPPORTED": 1}
    assert report.problems == [f"{path}: item 2: rating 1 is only a number; add its words "
                               "(reviewRating.alternateName) so it can be read"]


def test_jsonl_bad_lines_are_reported_and_the_rest_go_on() -> None:
    text = ('{"claim": "IS-K killed 338 civilians", "verdict": "true"}\n'
            "not json\n\n"
            '{"claim": "x", "rating": "half-true"}\n'
            "[1, 2]\n")
    rows, problems = read_past_verdicts(text, "desk.jsonl")
    assert [(r.claim, r.verdict, r.where) for r in rows] == [
        ("IS-K killed 338 civilians", "SUPPORTED", "desk.jsonl:1"),
        ("x", "CONFLICTING", "desk.jsonl:4")]
    assert problems == ["desk.jsonl:2: malformed JSON: Expecting value (column 1)",
                        "desk.jsonl:5: not an object"]


def test_unreadable_files_are_clear_errors(desk_ws, tmp_path) -> None:
    with pytest.raises(InputError, match=r"needs a 'claim' and a 'verdict' column \(columns: a, b\)"):
        read_past_verdicts("a,b\n1,2\n", "x.csv")
    rows, problems = read_past_verdicts('claim,verdict\nIt held 1,700 prisoners,true\n'
                                        '"It held 1,700 prisoners",true\n', "x.csv")
    assert [r.where for r in rows] == ["x.csv:3"]
    assert problems == ["x.csv:2: 3 fields where the header has 2; put a claim that contains "
                        "commas in double quotes"]
    with pytest.raises(InputError, match=r"x.json:1: malformed JSON"):
        read_past_verdicts("{oops", "x.json")
    with pytest.raises(InputError, match=r"read from .csv, .tsv, .jsonl, .json, .jsonld, .html, .htm files \(got ..xlsx.\)"):
        read_past_verdicts("claim\tverdict", "x.xlsx")
    with pytest.raises(InputError, match="no such file"):
        desk_ws.import_past_verdicts(tmp_path / "missing.csv")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="no past verdicts in it"):
        desk_ws.import_past_verdicts(empty)


def test_cli_imports_then_learns_and_errors_cleanly(desk_ws, tmp_path, monkeypatch, capsys) -> None:
    import verify.cli as cli_module

    monkeypatch.setattr(desk_ws, "close", lambda: None)
    monkeypatch.setattr(cli_module, "open_workspace", lambda ctx, **kw: desk_ws)
    claims = ["IS-K killed 338 civilians in Pakistan since 2017",
              "The prison held about 1700 prisoners"]
    lines = ["claim,verdict"] + [f"{claims[i % 2]} (report {i}),{('true', 'unproven')[i % 2]}"
                                 for i in range(60)]
    path = tmp_path / "archive.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = CliRunner().invoke(cli_module.cli, ["import-verdicts", str(path), "--learn", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["imported"] == 60 and data["verdicts"] == {"NOT ENOUGH EVIDENCE": 30,
                                                           "SUPPORTED": 30}
    assert data["learned"]["reviews_used"] == 60
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SystemExit) as stop:
        cli_module.main(["import-verdicts", str(bad)])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith(f"error: {bad}:1: needs a 'claim'")
    assert "Traceback" not in err


PAGE = """<html><head>
<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Fact check"}</script>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "ClaimReview",
 "claimReviewed": "The prison held 17000 prisoners",
 "reviewRating": {"@type": "Rating", "alternateName": "False"}}</script>
<script type="application/ld+json">{not json</script>
</head><body><p>The prison held about 1,700.</p></body></html>"""


def test_a_saved_fact_check_page_gives_its_claimreview_only() -> None:
    rows, problems = read_past_verdicts(PAGE, "check.html")
    assert [(r.claim, r.verdict, r.where) for r in rows] == [
        ("The prison held 17000 prisoners", "REFUTED", "check.html: JSON-LD block 2")]
    assert problems == ["check.html: JSON-LD block 3: malformed JSON: Expecting property "
                        "name enclosed in double quotes"]
    with pytest.raises(InputError, match="no ClaimReview markup"):
        read_past_verdicts("<html><p>no markup</p></html>", "plain.html")


def test_a_folder_is_read_file_by_file_and_a_bad_file_does_not_stop_it(desk_ws, tmp_path) -> None:
    folder = tmp_path / "archive"
    (folder / "2020").mkdir(parents=True)
    (folder / "2020" / "check.html").write_text(PAGE, encoding="utf-8")
    (folder / "sheet.csv").write_text("claim,verdict\nIS-K killed 338 civilians,true\n",
                                      encoding="utf-8")
    (folder / "broken.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    # a spreadsheet saved on Windows (Windows-1252) and Excel's "Unicode text" (UTF-16 TSV)
    (folder / "latin1.jsonl").write_bytes(b'{"claim": "Caf\xe9 owners paid 5% more", '
                                          b'"verdict": "mostly false"}\n')
    (folder / "excel.tsv").write_bytes("claim\tverdict\nThe bridge cost \u20ac2m\ttrue\n"
                                       .encode("utf-16"))
    (folder / "binary.csv").write_bytes(b"claim,verdict\n\x00\x01\x02")
    (folder / "notes.txt").write_text("not a verdict file", encoding="utf-8")   # not read
    report = desk_ws.import_past_verdicts(folder, reviewer="desk")
    assert report.imported == 4 and report.verdicts == {"REFUTED": 2, "SUPPORTED": 2}
    claims = {c for (c,) in desk_ws.db.execute("SELECT claim FROM checks").fetchall()}
    assert {"Caf\u00e9 owners paid 5% more", "The bridge cost \u20ac2m"} <= claims
    assert report.problems == [
        f"{folder / '2020' / 'check.html'}: JSON-LD block 3: malformed JSON: Expecting "
        "property name enclosed in double quotes",
        f"{folder / 'binary.csv'}: binary file (contains NUL bytes), not text",
        f"{folder / 'broken.csv'}:1: needs a 'claim' and a 'verdict' column (columns: a, b)"]
