"""Ray batch embedding on a real two-node Ray cluster on loopback (``ray start --head`` and a
second ``ray start --address``), started and stopped by the test: the index sync's vectors
come back from both nodes, identical to the single-process path."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from verify import Workspace
from verify.config import Settings

BOOT_S = 120.0
RAY = str(Path(sys.executable).with_name("ray"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a ``ray start --block`` we started and everything in its session."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[str]:
    """A head node and one more node, each with 1 CPU, on 127.0.0.1; yields the address."""
    ray = pytest.importorskip("ray")
    if not Path(RAY).exists():
        pytest.skip("the ray command is not installed beside this python")
    port = _free_port()
    address = f"127.0.0.1:{port}"
    temp = tempfile.mkdtemp(prefix="vray")     # short: Ray's socket paths must be short
    common = ["--num-cpus", "1", "--object-store-memory", str(80 * 2**20), "--block",
              "--disable-usage-stats"]
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
    procs: list[subprocess.Popen[bytes]] = []
    logs = Path(temp) / "start.log"
    try:
        with open(logs, "wb") as log:
            procs.append(subprocess.Popen(
                [RAY, "start", "--head", "--node-ip-address", "127.0.0.1", "--port", str(port),
                 "--include-dashboard=false", "--temp-dir", temp, *common],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env))
            deadline = time.monotonic() + BOOT_S
            while subprocess.run([RAY, "status", "--address", address], capture_output=True,
                                 env=env).returncode != 0:
                if time.monotonic() > deadline or procs[0].poll() is not None:
                    pytest.fail("the Ray head did not start:\n" + logs.read_text(errors="replace")[-3000:])
                time.sleep(1.0)
            procs.append(subprocess.Popen(
                [RAY, "start", "--address", address, "--node-ip-address", "127.0.0.1", *common],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env))
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
        while len([n for n in ray.nodes() if n["Alive"]]) < 2:
            if time.monotonic() > deadline or procs[1].poll() is not None:
                pytest.fail("the second Ray node did not join:\n" + logs.read_text(errors="replace")[-3000:])
            time.sleep(1.0)
        yield address
    finally:
        if ray.is_initialized():
            ray.shutdown()
        for proc in reversed(procs):
            _stop(proc)
        shutil.rmtree(temp, ignore_errors=True)


def _add_passages(ws: Workspace, texts: list[str]) -> None:
    doc = ws.db.execute(
        "INSERT INTO documents (origin_key, title, content_hash, text, char_count) "
        "VALUES ('bulk', 'bulk', 'h', 'x', 1) RETURNING document_id").fetchone()[0]
    ws.db.executemany(
        "INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
        "VALUES (?, ?, ?, 0, ?)", [(doc, i, t, len(t)) for i, t in enumerate(texts)])


def test_index_sync_embeds_on_two_ray_nodes(ray_cluster: str, fake_settings: Settings) -> None:
    import ray
    from conftest import FakeEmbedder

    from verify.batch.raywork import RayEmbedder

    ray.cloudpickle.register_pickle_by_value(sys.modules[FakeEmbedder.__module__])
    texts = [f"Report {i}: {w} flooded {i * 7} homes near the {w} river in week {i % 13}"
             for i, w in enumerate(["Indus", "Kabul", "Swat", "Chenab", "Jhelum"] * 60)]
    local = Workspace.in_memory(fake_settings)
    _add_passages(local, texts)
    local.sync_index()

    spread = Workspace.in_memory(fake_settings)
    _add_passages(spread, texts)
    embedder = RayEmbedder(FakeEmbedder(), ray_cluster)
    assert embedder.workers == 2
    on_ray = spread.view(embedder=embedder)
    status = on_ray.sync_index()
    assert status.in_sync and status.vectors == len(texts)
    assert len(embedder.nodes_used) == 2      # both nodes embedded a slice
    ids = spread.db.execute("SELECT passage_id FROM passages ORDER BY passage_id").fetchall()
    pids = [r[0] for r in ids]
    np.testing.assert_allclose(on_ray.index.dense.vectors(pids), local.index.dense.vectors(pids),
                               rtol=0, atol=1e-6)
    assert [h.passage.text for h in on_ray.search("Swat river flooded homes", k=5)] == \
        [h.passage.text for h in local.search("Swat river flooded homes", k=5)]
    # a query (one text) is embedded here, not sent to the cluster
    before = set(embedder.nodes_used)
    embedder.nodes_used.clear()
    embedder.embed("one query")
    assert not embedder.nodes_used
    embedder.nodes_used.update(before)


@pytest.mark.parametrize("args, address", [(["--ray"], "auto"), (["--ray", "10.0.0.5:6379"], "10.0.0.5:6379")])
def test_cli_ray_option_wraps_the_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           args: list[str], address: str) -> None:
    """``verify ingest/index --ray [ADDRESS]`` embed through :func:`on_ray` (ray not needed)."""
    from click.testing import CliRunner

    import verify.batch.raywork as raywork
    from verify.cli import cli

    monkeypatch.setattr("verify.workspace.Settings", lambda: Settings(embedder="fake", stance_model="fake"))
    seen: list[str | None] = []

    def fake_on_ray(ws: Workspace, addr: str | None = "auto") -> Workspace:
        seen.append(addr)
        return ws

    monkeypatch.setattr(raywork, "on_ray", fake_on_ray)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("The Indus flooded 700 homes in Sindh province.")
    path = str(tmp_path / "ws")
    result = CliRunner().invoke(cli, ["-w", path, "ingest", str(tmp_path / "docs"), "--json", *args])
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(cli, ["-w", path, "index", "--json", *args])
    assert result.exit_code == 0, result.output
    assert seen == [address, address]
