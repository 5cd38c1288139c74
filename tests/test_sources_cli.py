"""`verify sources ...` through click's CliRunner against a workspace in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from verify.cli import cli
from verify.errors import InputError

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"


def run(tmp_path: Path, *args: str):
    result = CliRunner().invoke(cli, ["--workspace", str(tmp_path / "ws"), "sources", *args])
    return result


def test_rate_then_history_shows_the_rating(tmp_path: Path) -> None:
    result = run(tmp_path, "rate", "alpha-news.com", "0.8", "--rationale", "corrections policy",
                 "--by", "ana")
    assert result.exit_code == 0, result.output
    assert "rated alpha-news.com 0.80" in result.output
    result = run(tmp_path, "rate", "alpha-news.com", "40", "--scale", "0-100", "--rationale",
                 "retracted story", "--by", "bob")
    assert result.exit_code == 0, result.output
    result = run(tmp_path, "history", "alpha-news.com", "--json")
    assert result.exit_code == 0, result.output
    events = json.loads(result.output)
    assert [(e["rater"], e["reliability"], e["previous"]) for e in events] == [
        ("ana", 0.8, None), ("bob", 0.4, 0.8)]
    assert events[1]["rationale"] == "retracted story"
    table = run(tmp_path, "history", "alpha-news.com")
    assert table.exit_code == 0 and "retracted" in table.output and "bob" in table.output


def test_rate_without_rationale_is_refused(tmp_path: Path) -> None:
    result = run(tmp_path, "rate", "alpha-news.com", "0.8", "--by", "ana")
    assert result.exit_code != 0 and "--rationale" in result.output
    result = run(tmp_path, "rate", "alpha-news.com", "7", "--rationale", "x", "--by", "ana")
    assert isinstance(result.exception, InputError) and "value" in str(result.exception)


def test_import_with_a_bad_row_reports_its_line_and_keeps_the_rest(tmp_path: Path) -> None:
    result = run(tmp_path, "import", str(FIXTURES / "generic_bad.csv"), "--format", "generic")
    assert result.exit_code == 1, result.output  # rows rejected: partial (README, Exit codes)
    assert "imported 2 of 9 rows" in result.output and "5 rejected" in result.output
    assert "line 3, field domain" in result.output and "line 4, field rating" in result.output
    listed = run(tmp_path, "list", "--query", "epsilon", "--json")
    assert [s["domain"] for s in json.loads(listed.output)] == ["epsilon-post.com"]


def test_strict_import_refuses_everything(tmp_path: Path) -> None:
    result = run(tmp_path, "import", str(FIXTURES / "generic_bad.csv"), "--format", "generic", "--strict")
    assert isinstance(result.exception, InputError) and "nothing imported" in str(result.exception)
    listed = run(tmp_path, "list", "--query", "epsilon", "--json")
    assert json.loads(listed.output) == []


def test_list_show_export_and_suggestions(tmp_path: Path) -> None:
    assert run(tmp_path, "import", str(FIXTURES / "mbfc_small.json"), "--format", "mbfc",
               "--version", "1").exit_code == 1  # the fixture has a rejected row: partial
    listed = run(tmp_path, "list", "--sort", "value", "--limit", "3")
    assert listed.exit_code == 0 and "reuters.com" in listed.output       # seeded Lin et al. 2023
    shown = run(tmp_path, "show", "alpha-news.com", "--json")
    view = json.loads(shown.output)
    assert view["domain"] == "alpha-news.com" and view["name"] == "Alpha News"
    assert [c["rater"] for c in view["current"]] == ["mbfc"]
    assert run(tmp_path, "show", "alpha-news.com").exit_code == 0
    out = tmp_path / "ratings.json"
    exported = run(tmp_path, "export", str(out), "--format", "json")
    assert exported.exit_code == 0 and out.is_file()
    assert any(r["domain"] == "alpha-news.com" for r in json.loads(out.read_text())["ratings"])
    assert run(tmp_path, "alias", "alpha-news.com", "alpha.news").exit_code == 0
    sugg = run(tmp_path, "suggestions", "--json")
    assert sugg.exit_code == 0 and json.loads(sugg.output) == []
    missing = run(tmp_path, "accept", "7", "--by", "ana")
    assert isinstance(missing.exception, InputError)
    assert run(tmp_path, "track-record").exit_code == 0
