"""The ``ingest``, ``remove`` and ``stats`` commands."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from verify.cli import cli


def _invoke(args: list[str]):
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def test_ingest_reports_a_bad_file_and_exits_one(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "good.md").write_text("---\ntitle: Good\nurl: https://g.example.com/1\n---\nGood text here.\n")
    (folder / "rows.jsonl").write_text('{"text": "Fine row."}\n{"text": oops}\n')
    ws = str(tmp_path / "ws")
    result = _invoke(["-w", ws, "ingest", str(folder), "--no-index", "--no-progress"])
    assert result.exit_code == 1, result.output  # partial failure (README, Exit codes)
    assert f"{folder / 'rows.jsonl'}:2: malformed JSON" in result.output
    assert "added" in result.output

    stats = _invoke(["-w", ws, "stats", "--json"])
    data = json.loads(stats.output)
    assert data["documents"] == 2 and data["passages"] == 2
    assert [s["domain"] for s in data["per_source"]] == ["example.com", None]


def test_ingest_json_report_and_all_failed_exit_code(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.html").write_bytes(b"\x00\x01\x02")
    ws = str(tmp_path / "ws")
    result = _invoke(["-w", ws, "ingest", str(folder), "--no-index", "--json"])
    assert result.exit_code == 2  # every input failed (README, Exit codes)
    report = json.loads(result.stdout)
    assert report["failed"] == 2 and report["added"] == 0
    assert {Path(e["path"]).name for e in report["errors"]} == {"empty.txt", "binary.html"}


def test_remove_unknown_document_is_a_clean_error(tmp_path: Path, capsys) -> None:
    from verify.cli import main

    ws = str(tmp_path / "ws")
    try:
        main(["-w", ws, "remove", "nothing-like-this"])
    except SystemExit as exc:
        assert exc.code == 2
    err = capsys.readouterr().err
    assert "no document matches 'nothing-like-this'" in err and "Traceback" not in err
