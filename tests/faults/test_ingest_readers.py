"""Issue 20, item 4: readers keep working while an ingest runs; a second writer is told who
is writing.

Before: an ingest held DuckDB's write lock for its whole run, embedding included, so
``stats``, ``search``, ``check`` and ``index --status`` failed with "locked" after 5 s. Now
the ingest holds the workspace's writer lock (``writer.lock``) for its run but lets go of
the database between short commits and while embedding; readers answer from the last
committed data and index generation.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_server import FAKE_CLI, ROOT, ForkServer, cli_env, write_corpus

from verify import Workspace
from verify.config import Settings
from verify.errors import WorkspaceLockedError


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ForkServer]:
    srv = ForkServer(tmp_path / "home", tmp_path)
    yield srv
    srv.close()


def start_slow_ingest(home: Path, corpus: Path, log: Path) -> subprocess.Popen[bytes]:
    """An ingest that takes several seconds (slow storing, slow embedding), in its own
    process; returns once it holds the writer lock."""
    proc = subprocess.Popen(
        [sys.executable, str(FAKE_CLI), "ingest", str(corpus), "--no-progress"], cwd=ROOT,
        stdout=log.open("wb"), stderr=subprocess.STDOUT,
        env=cli_env(home, VERIFY_HOOK_DELAY="0.15", VERIFY_EMBED_DELAY="0.4",
                    VERIFY_EMBED_CHUNK="4"))
    lock = home / "demo" / "writer.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if lock.exists() and f'"pid": {proc.pid}' in lock.read_text():
            return proc
        assert proc.poll() is None, log.read_text()
        time.sleep(0.05)
    raise AssertionError("the ingest never took the writer lock")


def test_readers_answer_during_a_long_ingest(server: ForkServer, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 6)
    assert server.run("ingest", str(corpus), "--no-progress").rc == 0     # a first generation
    write_corpus(corpus, 24, start=7)
    proc = start_slow_ingest(server.home, corpus, tmp_path / "ingest.log")
    try:
        seen_docs = []
        phases = set()
        while proc.poll() is None:
            stats = server.run("stats", "--json")
            assert stats.rc == 0, stats.output
            seen_docs.append(json.loads(stats.output)["documents"])
            search = server.run("search", "council homes district 3", "--json")
            assert search.rc == 0, search.output
            assert "district 3" in search.output        # from the last committed generation
            status = server.run("index", "--status", "--json")
            assert status.rc == 0, status.output
            phases.add("embedding" if (server.home / "demo" / "index" / "partial").exists()
                       else "storing")
        assert proc.wait(timeout=60) == 0, (tmp_path / "ingest.log").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(seen_docs) >= 3, "readers answered several times while the ingest ran"
    assert seen_docs == sorted(seen_docs) and seen_docs[0] < 30, seen_docs
    assert "embedding" in phases, "a reader answered while the ingest was embedding"
    final = server.run("stats", "--json")
    assert json.loads(final.output)["documents"] == 30
    status = json.loads(server.run("index", "--status", "--json").output)
    assert status["in_sync"] and status["vectors"] == 60


def test_a_second_writer_is_told_who_is_writing(server: ForkServer, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 12)
    proc = start_slow_ingest(server.home, corpus, tmp_path / "ingest.log")
    try:
        with Workspace.open(server.home / "demo",
                            settings=Settings(embedder="fake", stance_model="fake")) as ws, \
                pytest.raises(WorkspaceLockedError) as info:
            ws.ingest([corpus], progress=False, wait_s=0.5)
        message = info.value.user_message()
        assert f"being written by an ingest (pid {proc.pid}" in message
        assert "readers" in message
        second = server.run("remove", str(corpus / "story-001.md"))
        assert second.rc == 2 and f"an ingest (pid {proc.pid}" in second.output, second.output
        assert "Traceback" not in second.output
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
