"""Issue 20, item 5: a moved or copied file is the same document; gone files can be pruned.

Before: single files were keyed by absolute path, so a moved or copied file became a second
document (the same passage at ranks 1 and 2) and deleted files were never pruned. Now a
document is identified by its URL, else the sha256 of its text; every path it was read
from is an origin (``document_origins``); ``--prune`` removes documents whose files are gone.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from cli_server import ForkServer, write_corpus

from verify import Workspace
from verify.config import Settings


def count(ws: Workspace, table: str) -> int:
    return int(ws.store.fetchone(f"SELECT count(*) FROM {table}")[0])


def fake_ws(tmp_path: Path) -> Workspace:
    return Workspace.open(tmp_path / "ws", settings=Settings(embedder="fake", stance_model="fake"))


def test_moved_and_copied_files_stay_one_document(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 4)               # stories 1 and 3 have URLs, 2 and 4 do not
    with fake_ws(tmp_path) as ws:
        ws.ingest([corpus], progress=False)
        assert count(ws, "documents") == 4
        (corpus / "moved").mkdir()
        shutil.move(paths[0], corpus / "moved" / paths[0].name)          # a file with a URL
        shutil.move(paths[1], corpus / "moved" / "renamed.md")           # one without
        shutil.copy(paths[2], corpus / "copy-of-3.md")
        shutil.copy(paths[3], tmp_path / "elsewhere.md")
        report = ws.ingest([corpus, tmp_path / "elsewhere.md"], progress=False)
        assert (report.added, report.updated, report.skipped) == (0, 0, 6)
        assert count(ws, "documents") == 4
        hits = ws.search("council approved 2 new homes in district 2", k=5)
        texts = [h.passage.text for h in hits]
        assert len(texts) == len(set(texts)), "no passage comes back twice"
        path = ws.store.fetchone("SELECT file_path FROM documents WHERE title = 'Story 2'")[0]
        assert path.endswith("renamed.md"), "the path is kept as metadata: the latest one"
        assert report.warnings and "no longer exist" in report.warnings[0].reason


def test_prune_removes_documents_whose_files_are_gone(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 4)
    shutil.copy(paths[1], tmp_path / "copy.md")
    with fake_ws(tmp_path) as ws:
        ws.ingest([corpus, tmp_path / "copy.md"], progress=False)
        paths[0].unlink()
        paths[1].unlink()                          # its copy outside the folder remains
        kept = ws.ingest([corpus], progress=False)
        assert kept.removed == 0 and count(ws, "documents") == 4
        report = ws.ingest([corpus], progress=False, prune=True)
        assert report.removed == 1 and count(ws, "documents") == 3
        titles = {r[0] for r in ws.store.fetchall("SELECT title FROM documents")}
        assert titles == {"Story 2", "Story 3", "Story 4"}
        status = ws.index_status()
        assert status.in_sync and status.vectors == count(ws, "passages")


def test_an_edited_copy_becomes_a_document_of_its_own(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 2)
    copy = corpus / "copy.md"
    shutil.copy(paths[1], copy)                    # story 2: no URL, identified by its text
    with fake_ws(tmp_path) as ws:
        ws.ingest([corpus], progress=False)
        assert count(ws, "documents") == 2
        copy.write_text(copy.read_text().replace("divided", "united"))
        report = ws.ingest([corpus], progress=False)
        assert (report.added, report.updated) == (1, 0)
        texts = sorted(r[0] for r in ws.store.fetchall(
            "SELECT text FROM documents WHERE title = 'Story 2'"))
        assert len(texts) == 2 and "united" in texts[1] and "divided" in texts[0]


def test_cli_prune_flag(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    paths = write_corpus(corpus, 3)
    server = ForkServer(tmp_path / "home", tmp_path)
    try:
        assert server.run("ingest", str(corpus), "--no-progress").rc == 0
        paths[2].unlink()
        result = server.run("ingest", str(corpus), "--prune", "--json")
        assert result.rc == 0, result.output
        assert json.loads(result.output)["removed"] == 1
        stats = server.run("stats", "--json")
        assert json.loads(stats.output)["documents"] == 2
    finally:
        server.close()
