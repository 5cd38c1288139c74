"""`verify archive import|list|status`, `verify match` and the archive hook of `verify check`,
with the fake embedder standing in for MiniLM."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from verify.cli import cli, main

CSV = ("claim,rating,organisation,date,url\n"
       '"122 Guantanamo detainees released by Obama returned to terrorism",Mostly false,'
       "Checks Inc,2016-03-02,https://checks.example/gitmo\n"
       '"Drinking hot water cures the flu",False,Desk,2020-02-01,\n'
       ',True,Nobody,2020-01-01,\n')


@pytest.fixture(autouse=True)
def _fake_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import FakeEmbedder

    monkeypatch.setattr("verify.embedders.get_embedder", lambda name="minilm": FakeEmbedder())


def _invoke(args: list[str]) -> Any:
    return CliRunner(env={"COLUMNS": "300"}).invoke(cli, args, catch_exceptions=False)


@pytest.fixture
def archive_ws(tmp_path: Path) -> str:
    file = tmp_path / "desk.csv"
    file.write_text(CSV)
    ws = str(tmp_path / "ws")
    first = _invoke(["-w", ws, "archive", "import", str(file)])
    assert first.exit_code == 1            # partial: one row could not be read
    assert "read 2 fact-checks" in first.output and "2 added, 0 already" in first.output
    assert "desk.csv:4: field 'claim': no claim reviewed" in first.output
    return ws


def test_second_import_adds_nothing(archive_ws: str, tmp_path: Path) -> None:
    again = _invoke(["-w", archive_ws, "archive", "import", str(tmp_path / "desk.csv"), "--json"])
    report = json.loads(again.output[: again.output.rindex("}") + 1])
    assert (report["read"], report["added"], report["already_there"]) == (2, 0, 2)
    status = json.loads(_invoke(["-w", archive_ws, "archive", "status", "--json"]).output)
    assert status["fact_checks"] == 2 and status["imports"] == 2


def test_match_json_ranks_the_paraphrase_with_why(archive_ws: str) -> None:
    result = _invoke(["-w", archive_ws, "match", "Obama let 122 Guantanamo detainees go and they "
                      "returned to terrorism", "--json", "-k", "2"])
    assert result.exit_code == 0
    matches = json.loads(result.output)
    assert [m["rank"] for m in matches] == [1, 2]
    top = matches[0]
    assert top["fact_check"]["url"] == "https://checks.example/gitmo"
    assert top["fact_check"]["verdict"] == "REFUTED" and top["score"] > matches[1]["score"]
    assert "shared figures: 122" in top["why"]


def test_match_text_and_list(archive_ws: str) -> None:
    text = _invoke(["-w", archive_ws, "match", "hot water cures flu"]).output
    assert "Drinking hot water cures the flu" in text and "earlier fact-checks" in text
    listed = _invoke(["-w", archive_ws, "archive", "list", "guantanamo"]).output
    assert "122 Guantanamo" in listed and "Drinking" not in listed
    assert "rated 'Mostly false' by Checks Inc on 2016-03-02" in listed


def test_match_on_a_missing_workspace_is_a_clean_error(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["-w", str(tmp_path / "nowhere"), "match", "anything"])
    assert stop.value.code == 2
    assert "no workspace" in capsys.readouterr().err


def test_unreadable_archive_file_names_it(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(SystemExit) as stop:
        main(["-w", str(tmp_path / "ws"), "archive", "import", str(bad)])
    assert stop.value.code == 2
    assert f"{bad}:1: malformed JSON" in capsys.readouterr().err


def test_check_shows_earlier_fact_checks_that_clear_the_threshold(
        archive_ws: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from verify.workspace import Workspace

    class Result:
        def to_dict(self) -> dict[str, Any]:
            return {"verdict": "REFUTED"}

    monkeypatch.setattr(Workspace, "check", lambda self, claim, **kw: Result())
    out = json.loads(_invoke(["-w", archive_ws, "check", "Obama freed 122 Guantanamo detainees "
                              "who returned to terrorism", "--json"]).output)
    [earlier] = out["earlier_fact_checks"]
    assert earlier["fact_check"]["organisation"] == "Checks Inc" and earlier["score"] >= 0.5
    none = json.loads(_invoke(["-w", archive_ws, "check", "Bananas are blue on Mars", "--json"]).output)
    assert none["earlier_fact_checks"] == []
