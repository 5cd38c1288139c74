"""Exit codes match the README, and `remove URL` says how many documents it removed
(issue 20, item 12).

Before: a partial failure exited 0, a total failure 1, while the README said errors exit 2;
`remove URL` removed every document with that URL and reported only passages. Now
(README, *Exit codes*): 0 all done, 1 some inputs failed (reported; the rest done),
2 nothing done (domain error, usage error, or every input failed), 130 interrupted.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from verify.cli import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL, main

ROOT = Path(__file__).resolve().parents[2]
GOOD = "---\ntitle: Good\nurl: https://g.example.com/{n}\n---\nThe harbour took {n} ships.\n"


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    out = capsys.readouterr()
    return code, out.out, out.err


def test_readme_states_the_codes_the_cli_uses() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Exit codes", 1)[1].split("\n#", 1)[0]
    codes = {int(c) for c in re.findall(r"^\| `(\d+)` \|", section, re.M)}
    assert codes == {EXIT_OK, EXIT_PARTIAL, EXIT_ERROR, 130}
    assert (EXIT_OK, EXIT_PARTIAL, EXIT_ERROR) == (0, 1, 2)


def test_ingest_all_done_partial_and_total_failure(tmp_path: Path, capsys) -> None:
    ws = str(tmp_path / "ws")
    ok = tmp_path / "ok"
    ok.mkdir()
    (ok / "a.md").write_text(GOOD.format(n=1), encoding="utf-8")
    code, _, err = _run(["-w", ws, "ingest", str(ok), "--no-index", "--no-progress"], capsys)
    assert code == EXIT_OK, err

    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "b.md").write_text(GOOD.format(n=2), encoding="utf-8")
    (partial / "empty.txt").write_bytes(b"")
    code, _, err = _run(["-w", ws, "ingest", str(partial), "--no-index", "--no-progress"], capsys)
    assert code == EXIT_PARTIAL and "empty.txt" in err

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.html").write_bytes(b"\x00\x01\x02")
    code, out, _ = _run(["-w", ws, "ingest", str(bad), "--no-index", "--json"], capsys)
    assert code == EXIT_ERROR and json.loads(out)["failed"] == 2


def test_domain_errors_exit_2_without_a_traceback(tmp_path: Path, capsys) -> None:
    code, _, err = _run(["-w", str(tmp_path / "ws"), "remove", "nothing-like-this"], capsys)
    assert code == EXIT_ERROR and err.startswith("error: no document matches")
    assert "Traceback" not in err


def test_sources_import_partial_and_total(tmp_path: Path, capsys) -> None:
    ws = str(tmp_path / "ws")
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("domain,rating\nalpha-news.com,0.6\nnot a domain,0.5\n", encoding="utf-8")
    code, out, err = _run(["-w", ws, "sources", "import", str(mixed), "--format", "generic"], capsys)
    assert code == EXIT_PARTIAL and "imported 1 of 2 rows" in out and "rejected" in err
    again = tmp_path / "good.csv"
    again.write_text("domain,rating\nbeta-daily.co.uk,0.8\n", encoding="utf-8")
    code, _, err = _run(["-w", ws, "sources", "import", str(again), "--format", "generic",
                         "--json"], capsys)
    assert code == EXIT_OK, err
    code, out, _ = _run(["-w", ws, "sources", "import", str(mixed), "--format", "generic"], capsys)
    assert code == EXIT_OK and "already imported" in out  # nothing new to report
    strict = tmp_path / "strict.csv"
    strict.write_text("domain,rating\ngamma.example.org,0.6\nnot a domain,0.5\n", encoding="utf-8")
    code, _, err = _run(["-w", ws, "sources", "import", str(strict), "--format", "generic",
                         "--strict"], capsys)
    assert code == EXIT_ERROR and err.startswith("error:")


def test_remove_url_reports_every_document_it_removed(ws, tmp_path: Path) -> None:
    from verify.ingest import remove_documents

    url = "https://shared.example.com/story"
    for name in ("one", "two"):
        (tmp_path / f"{name}.jsonl").write_text(
            json.dumps({"text": f"Report {name}: the harbour took 12 ships.", "url": url}) + "\n"
            + json.dumps({"text": f"Other {name}: the port opened.",
                          "url": f"https://shared.example.com/{name}"}) + "\n",
            encoding="utf-8")
    ws.ingest([tmp_path], sync_index=False, progress=False)
    n_shared = ws.db.execute("SELECT count(*) FROM documents WHERE url = ?", [url]).fetchone()[0]
    # Documents are keyed by URL now, so the two rows are one document with two origins.
    assert n_shared >= 1
    before = ws.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    report = remove_documents(ws, url)
    after = ws.db.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert report.documents == n_shared == before - after
    assert report.passages >= n_shared
    summary = report.summary()
    assert summary.startswith(f"removed {n_shared} document")
    if n_shared > 1:
        assert report.shared_url == url and f"shared the URL {url}" in summary


def test_cli_remove_says_how_many_documents(tmp_path: Path, capsys) -> None:
    ws = str(tmp_path / "ws")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a.md").write_text(GOOD.format(n=7), encoding="utf-8")
    code, _, err = _run(["-w", ws, "ingest", str(folder), "--no-index", "--no-progress"], capsys)
    assert code == EXIT_OK, err
    code, out, err = _run(["-w", ws, "remove", "https://g.example.com/7"], capsys)
    assert code == EXIT_OK, err
    assert out.startswith("removed 1 document (1 passages) matching https://g.example.com/7")


def test_removal_summary_names_a_shared_url() -> None:
    """Legacy workspaces can hold several documents with one URL: all go, and it says so."""
    from verify.ingest import RemovalReport

    report = RemovalReport("https://x.example.com/a", [4, 9], 6, "https://x.example.com/a")
    assert report.documents == 2
    assert report.summary() == (
        "removed 2 documents (6 passages) matching https://x.example.com/a; 2 documents shared "
        "the URL https://x.example.com/a, all removed (ids 4, 9)")
