"""Issue 20, item 3 and item 12 (runs): a crash while storing or embedding.

Before: after ``kill -9`` mid-embedding a rerun of ingest reported "skipped N",
``index_synced: false``, exit 0, and left the index behind; a run killed while storing left
no ``ingest_runs`` row and one killed while embedding was recorded as a success. Now a run
is recorded as 'running' before it changes anything, the next run marks it 'killed',
reconciles the index (resuming the vectors already embedded) and reports it.

The kill test forks the real CLI (fake models, ``tests/faults/fake_cli.py``) and sends it
``SIGKILL`` at 20 seeded random points across ingest and ``index --rebuild``; after each
the workspace must be consistent and a rerun must complete it.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_server import ForkServer, write_corpus

from verify import Workspace
from verify.config import Settings
from verify.index import HybridIndex

N_DOCS = 20
N_PASSAGES = 40
SEED = 20
CHUNK = "8"   # vectors per kept embedding chunk: five chunks for the corpus


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ForkServer]:
    srv = ForkServer(tmp_path / "home", tmp_path)
    yield srv
    srv.close()


def open_ws(home: Path) -> Workspace:
    return Workspace.open(home / "demo", settings=Settings(embedder="fake", stance_model="fake"))


def runs(home: Path) -> list[tuple[str, str, str | None]]:
    with open_ws(home) as ws:
        return [(str(r[0]), str(r[1]), r[2]) for r in ws.store.fetchall(
            "SELECT run_id, status, phase FROM ingest_runs ORDER BY started_at")]


def assert_consistent(home: Path, *, complete: bool) -> None:
    """The database opens and holds no half-written document; a saved index loads (its
    checksums match) and is whole; with ``complete``, everything is ingested and indexed."""
    with open_ws(home) as ws:
        one = lambda sql: ws.store.fetchone(sql)[0]  # noqa: E731
        assert one("SELECT count(*) FROM passages WHERE document_id NOT IN "
                   "(SELECT document_id FROM documents)") == 0
        assert one("SELECT count(*) FROM documents WHERE document_id NOT IN "
                   "(SELECT document_id FROM passages)") == 0
        assert one("SELECT count(*) FROM documents WHERE document_id NOT IN "
                   "(SELECT document_id FROM document_origins)") == 0
        statuses = [r[0] for r in ws.store.fetchall("SELECT status FROM ingest_runs")]
        assert None not in statuses
        if (home / "demo" / "index" / "CURRENT").exists():
            index = HybridIndex.for_workspace(ws)       # raises when damaged or inconsistent
            assert index.dense.ntotal == index.lexical.size == len(index.ids)
        if complete:
            assert one("SELECT count(*) FROM documents") == N_DOCS
            assert one("SELECT count(*) FROM passages") == N_PASSAGES
            status = ws.index_status()
            assert status.in_sync and status.vectors == N_PASSAGES, status
            assert "running" not in statuses
            assert not (home / "demo" / "index" / "partial").exists()


def test_rerun_after_kill_mid_embedding_completes_the_index(server: ForkServer,
                                                             tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N_DOCS)
    killed = server.run("ingest", str(corpus), "--no-progress",
                        VERIFY_KILL_AT="_keep_chunk:3", VERIFY_EMBED_CHUNK=CHUNK)
    assert killed.rc == -9, killed.output
    (run_id, status, phase), = runs(server.home)
    assert (status, phase) == ("running", "indexing"), "the killed run is on record, not a success"
    assert_consistent(server.home, complete=False)

    again = server.run("-vv", "ingest", str(corpus), "--json", VERIFY_EMBED_CHUNK=CHUNK)
    assert again.rc == 0, again.output
    report = json.loads(again.output[again.output.index("{\n"):])
    assert report["skipped"] == N_DOCS
    assert report["index_synced"] is True and report["index_in_sync"] is True
    assert report["recovered_runs"] == [run_id]
    assert "resuming an interrupted sync: 16 of 40 vectors kept" in again.output
    assert [r[1] for r in runs(server.home)] == ["killed", "done"]
    assert_consistent(server.home, complete=True)
    hits = server.run("search", "council homes district 7", "--json")
    assert hits.rc == 0 and "district 7" in hits.output


def test_run_killed_while_storing_is_recorded_and_completed(server: ForkServer,
                                                            tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N_DOCS)
    killed = server.run("ingest", str(corpus), "--no-progress", VERIFY_KILL_AT="write_document:8")
    assert killed.rc == -9
    (_, status, phase), = runs(server.home)
    assert (status, phase) == ("running", "storing")
    with open_ws(server.home) as ws:
        assert ws.store.fetchone("SELECT count(*) FROM documents")[0] == 7
    assert_consistent(server.home, complete=False)
    again = server.run("ingest", str(corpus), "--json")
    report = json.loads(again.output)
    assert again.rc == 0 and (report["added"], report["skipped"]) == (13, 7)
    assert [r[1] for r in runs(server.home)] == ["killed", "done"]
    assert_consistent(server.home, complete=True)


def test_kill_9_at_20_seeded_points_across_ingest_and_rebuild(server: ForkServer,
                                                              tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, N_DOCS)
    # Count the kill points of a full ingest and a full rebuild (the template workspace).
    count = tmp_path / "count"
    template = tmp_path / "template"
    first = server.run("ingest", str(corpus), "--no-progress", VERIFY_COUNT_TO=count,
                       VERIFY_EMBED_CHUNK=CHUNK)
    assert first.rc == 0, first.output
    ingest_calls = int(count.read_text())
    assert server.run("index", "--rebuild", VERIFY_COUNT_TO=count, VERIFY_EMBED_CHUNK=CHUNK).rc == 0
    rebuild_calls = int(count.read_text())
    shutil.copytree(server.home, template)

    rng = random.Random(SEED)
    points = ([("ingest", n) for n in sorted(rng.sample(range(1, ingest_calls + 1), 14))]
              + [("rebuild", n) for n in sorted(rng.sample(range(1, rebuild_calls + 1), 6))])
    for what, n in points:
        shutil.rmtree(server.home)
        if what == "rebuild":
            shutil.copytree(template, server.home)
            argv: tuple[str, ...] = ("index", "--rebuild")
        else:
            argv = ("ingest", str(corpus), "--no-progress")
        killed = server.run(*argv, VERIFY_KILL_AT=n, VERIFY_EMBED_CHUNK=CHUNK)
        assert killed.rc == -9, (what, n, killed.output)
        if (server.home / "demo").exists():
            assert_consistent(server.home, complete=False)
        rerun = server.run(*argv, VERIFY_EMBED_CHUNK=CHUNK)
        assert rerun.rc == 0, (what, n, rerun.output)
        if what == "rebuild":   # a rebuild's rerun is a rebuild; then an ingest finds nothing to do
            assert server.run("ingest", str(corpus), "--no-progress").rc == 0
        assert_consistent(server.home, complete=True)
        assert "running" not in [r[1] for r in runs(server.home)], (what, n)
