"""The desk keeps its workspace open between runs, and lets another process in at once
(verify.ui.keeper)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from verify import Workspace
from verify.config import Settings
from verify.ui.keeper import WorkspaceKeeper


@pytest.fixture
def folder(tmp_path: Path, fake_settings: Settings) -> Path:
    path = tmp_path / "ws"
    Workspace.open(path, settings=fake_settings).close()
    return path


def opener(folder: Path, settings: Settings, opened: list[Workspace]):  # noqa: ANN201
    def open_it() -> Workspace:
        ws = Workspace.open(folder, settings=settings)
        opened.append(ws)
        return ws
    return open_it


def other_process_opens(folder: Path) -> subprocess.CompletedProcess[str]:
    """Another process opens the workspace database (waiting up to 5 s, as the CLI does)."""
    code = ("import sys; from verify.store import Store; s = Store.open(sys.argv[1]); "
            "s.execute(\"INSERT INTO sources (source_id, domain) VALUES (777, 'cli.example')\"); "
            "s.close(); print('in')")
    return subprocess.run([sys.executable, "-c", code, str(folder)], capture_output=True,
                          text=True, timeout=60)


def test_the_next_run_gets_the_same_open_workspace(folder: Path, fake_settings: Settings) -> None:
    keeper, opened = WorkspaceKeeper(idle_s=60), []
    open_it = opener(folder, fake_settings, opened)
    with keeper.run("k", open_it) as first:
        assert first is not None
        first.store.execute("CREATE TABLE IF NOT EXISTS kept (x INT)")
    assert keeper.holding
    with keeper.run("k", open_it) as second:
        assert second is first
        assert second.store.fetchone("SELECT count(*) FROM kept") == (0,)
    assert len(opened) == 1
    keeper.close()
    assert not keeper.holding


def test_another_workspace_key_closes_the_kept_one(folder: Path, fake_settings: Settings,
                                                   tmp_path: Path) -> None:
    keeper, opened = WorkspaceKeeper(idle_s=60), []
    with keeper.run("a", opener(folder, fake_settings, opened)):
        pass
    other = tmp_path / "other"
    with keeper.run("b", opener(other, fake_settings, opened)) as ws:
        assert ws is opened[1]
    assert len(opened) == 2
    with pytest.raises(duckdb.ConnectionException):  # the first was closed when "b" came
        opened[0].store.fetchone("SELECT 1")
    keeper.close()


def test_zero_seconds_closes_after_every_run(folder: Path, fake_settings: Settings) -> None:
    keeper, opened = WorkspaceKeeper(idle_s=0), []
    for _ in range(2):
        with keeper.run("k", opener(folder, fake_settings, opened)):
            pass
        assert not keeper.holding
    assert len(opened) == 2
    assert other_process_opens(folder).stdout.strip() == "in"


def test_idle_workspace_is_let_go_after_idle_seconds(folder: Path, fake_settings: Settings) -> None:
    keeper = WorkspaceKeeper(idle_s=0.3, poll_s=0.05)
    with keeper.run("k", opener(folder, fake_settings, [])):
        pass
    assert keeper.holding
    deadline = time.monotonic() + 10
    while keeper.holding and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not keeper.holding


def test_a_process_that_waits_gets_the_workspace_at_once(folder: Path,
                                                         fake_settings: Settings) -> None:
    """The CLI beside the desk: it waits for the database, the keeper lets go, it writes,
    and the desk's next run opens the workspace again and sees the write."""
    keeper, opened = WorkspaceKeeper(idle_s=600, poll_s=0.05), []
    open_it = opener(folder, fake_settings, opened)
    with keeper.run("k", open_it):
        pass
    assert keeper.holding
    started = time.monotonic()
    done = other_process_opens(folder)
    assert done.stdout.strip() == "in", done.stderr
    assert time.monotonic() - started < 30
    assert not keeper.holding
    with keeper.run("k", open_it) as ws:
        assert ws is opened[1]
        assert ws.store.fetchone("SELECT domain FROM sources WHERE source_id = 777") == (
            "cli.example",)
    keeper.close()


def test_overlapping_runs_keep_nothing(folder: Path, fake_settings: Settings) -> None:
    """Two runs at once each have their own handle; neither is kept (one's writes would
    leave the other's caches stale)."""
    keeper, opened = WorkspaceKeeper(idle_s=60), []
    open_it = opener(folder, fake_settings, opened)
    inside, release = threading.Event(), threading.Event()

    def slow_run() -> None:
        with keeper.run("k", open_it):
            inside.set()
            release.wait(10)

    worker = threading.Thread(target=slow_run)
    worker.start()
    assert inside.wait(10)
    with keeper.run("k", open_it) as ws:
        assert ws is opened[1]
    release.set()
    worker.join(10)
    assert len(opened) == 2
    assert not keeper.holding
    with keeper.run("k", open_it):   # and afterwards it keeps again
        pass
    assert keeper.holding
    keeper.close()


def test_a_failed_open_is_not_kept() -> None:
    keeper = WorkspaceKeeper(idle_s=60)
    with keeper.run("k", lambda: None) as ws:
        assert ws is None
    assert not keeper.holding
