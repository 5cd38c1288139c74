"""A folder ingest names every symlinked folder it does not follow (issue 20, item 12).

Symlinked folders were skipped without a word. They are still not followed (a link can
lead outside the folder given, e.g. past the desk's allowed roots, or round in a loop),
but each one is now a warning in the ingest report and on the CLI.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from verify.cli import cli

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="needs POSIX symlinks")

ARTICLE = "---\ntitle: {t}\nurl: https://example.com/{t}\n---\nThe harbour took {n} ships.\n"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "real").mkdir(parents=True)
    (corpus / "real" / "a.md").write_text(ARTICLE.format(t="a", n=12), encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "b.md").write_text(ARTICLE.format(t="b", n=14), encoding="utf-8")
    (corpus / "linked").symlink_to(elsewhere, target_is_directory=True)
    (corpus / "real" / "loop").symlink_to(corpus, target_is_directory=True)  # a loop
    return corpus


def test_symlinked_folders_are_reported_not_silently_skipped(ws, tree: Path) -> None:
    report = ws.ingest([tree], sync_index=False, progress=False)
    assert report.added == 1 and report.failed == 0
    warned = {Path(w.path).name: w.reason for w in report.warnings}
    assert set(warned) == {"linked", "loop"}
    assert all("symlinked folder not followed" in r for r in warned.values())
    assert str(tree.parent / "elsewhere") in warned["linked"]


def test_cli_prints_the_warning(tmp_path: Path, tree: Path) -> None:
    ws = str(tmp_path / "ws")
    result = CliRunner().invoke(cli, ["-w", ws, "ingest", str(tree), "--no-index", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"warning: {tree / 'linked'}: symlinked folder not followed" in result.output
    as_json = CliRunner().invoke(cli, ["-w", ws, "ingest", str(tree), "--no-index", "--json"])
    data = json.loads(as_json.stdout)
    assert sorted(Path(w["path"]).name for w in data["warnings"]) == ["linked", "loop"]


def test_a_symlinked_folder_given_by_its_own_path_is_ingested(ws, tree: Path) -> None:
    report = ws.ingest([tree / "linked"], sync_index=False, progress=False)
    assert report.added == 1 and report.warnings == []
