"""Workspace names stay under $VERIFY_HOME; commands that read never create one
(issue 20, item 8).

``-w ../../<outside folder> stats`` wrote a ``verify.duckdb`` outside ``$VERIFY_HOME``,
and a mistyped name silently created an empty workspace. The rule now: a *name*
(``[A-Za-z0-9_][A-Za-z0-9_.-]*``) is ``$VERIFY_HOME/<name>``; an *explicit path*
(absolute, or starting ``./`` ``../`` ``~/``) is used as given; anything else is refused.
Commands that only read (stats, search, check, index, sources list/show/export, ...)
refuse a workspace that does not exist, naming it and listing the existing ones.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from verify import Workspace
from verify.cli import main
from verify.config import resolve_workspace_path, verify_home
from verify.errors import WorkspaceError, WorkspaceNotFoundError

READ_ONLY_COMMANDS = [
    ["stats"],
    ["stats", "--json"],
    ["search", "IS-K killed 338 civilians"],
    ["check", "IS-K killed 338 civilians", "--no-save"],
    ["check", "IS-K killed 338 civilians"],
    ["index", "--status"],
    ["index"],
    ["sources", "list"],
    ["sources", "show", "reuters.com"],
    ["sources", "history", "reuters.com"],
    ["sources", "track-record"],
    ["sources", "suggestions"],
]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    else:
        code = 0
    return code, capsys.readouterr().err


def _files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*")) if root.exists() else []


@pytest.mark.parametrize("name", ["a/b", "demo/../../escape", ".hidden", "", "a\\b" if os.sep == "\\" else "a b"])
def test_names_that_are_not_names_are_refused(name: str) -> None:
    with pytest.raises(WorkspaceError, match="neither a workspace name nor an explicit path"):
        resolve_workspace_path(name)


@pytest.mark.parametrize("name", ["demo", "my-ws_2", "v1.2"])
def test_names_live_under_verify_home(name: str) -> None:
    assert resolve_workspace_path(name) == verify_home() / name
    assert resolve_workspace_path(name).parent == verify_home()


def test_explicit_paths_are_used_as_given(tmp_path: Path) -> None:
    assert resolve_workspace_path(str(tmp_path / "ws")) == tmp_path / "ws"
    assert resolve_workspace_path("./here/ws") == Path("./here/ws")
    assert resolve_workspace_path("../up/ws") == Path("../up/ws")
    assert resolve_workspace_path(tmp_path / "p") == tmp_path / "p"  # a Path from Python


def test_dotdot_name_cannot_escape_verify_home(tmp_path: Path, capsys, monkeypatch) -> None:
    """The probe: ``-w demo/../../outside stats`` wrote a database outside $VERIFY_HOME."""
    monkeypatch.chdir(tmp_path)
    home = verify_home()
    code, err = _run(["-w", "demo/../../outside", "stats"], capsys)
    assert code == 2 and err.startswith("error: workspace 'demo/../../outside' is neither")
    assert "Traceback" not in err and "./" in err  # the hint says how to write a path
    assert not (tmp_path / "outside").exists() and _files_under(home) == []


def test_read_only_command_on_an_explicit_missing_path_creates_nothing(tmp_path: Path, capsys,
                                                                        monkeypatch) -> None:
    """The probe as filed: ``-w ../../<outside> stats``: a path, but stats creates nothing."""
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    code, err = _run(["-w", "../../outside", "stats"], capsys)
    assert code == 2 and "no workspace '../../outside'" in err
    assert not (tmp_path / "outside").exists()


@pytest.mark.parametrize("argv", READ_ONLY_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_read_only_commands_never_create_a_workspace(argv: list[str], capsys) -> None:
    home = verify_home()
    with Workspace.open("newsroom"):
        pass
    with Workspace.open("archive"):
        pass
    before = _files_under(home)
    code, err = _run(["-w", "newsrom", *argv], capsys)  # a typo
    assert code == 2, err
    assert err.startswith("error: no workspace 'newsrom'") and "Traceback" not in err
    assert "existing workspaces under" in err and "archive, newsroom" in err
    assert not (home / "newsrom").exists()
    assert _files_under(home) == before


def test_export_to_a_missing_workspace_writes_nothing(tmp_path: Path, capsys) -> None:
    out = tmp_path / "ratings.csv"
    code, err = _run(["-w", "nosuch", "sources", "export", str(out)], capsys)
    assert code == 2 and "no workspace 'nosuch'" in err and "none" in err
    assert not out.exists() and not (verify_home() / "nosuch").exists()


def test_default_workspace_missing_points_at_verify_demo(capsys) -> None:
    code, err = _run(["stats"], capsys)
    assert code == 2 and "no workspace 'demo'" in err and "verify demo" in err
    assert not (verify_home() / "demo").exists()


def test_commands_that_add_data_still_create(tmp_path: Path, capsys) -> None:
    code, err = _run(["-w", "fresh", "sources", "rate", "alpha-news.com", "0.4", "--rationale",
                      "corrections policy", "--by", "ana"], capsys)
    assert code == 0, err
    assert (verify_home() / "fresh" / "verify.duckdb").is_file()
    code, err = _run(["-w", "fresh", "stats", "--json"], capsys)
    assert code == 0, err


def test_library_open_create_false_and_read_only(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFoundError, match="no workspace"):
        Workspace.open("missing", create=False)
    with pytest.raises(WorkspaceNotFoundError):
        Workspace.open(tmp_path / "missing", read_only=True)
    assert not (verify_home() / "missing").exists() and not (tmp_path / "missing").exists()
    with Workspace.open("made") as ws:
        assert ws.path == verify_home() / "made"
    with Workspace.open("made", create=False) as ws:
        assert ws.path == verify_home() / "made"
