"""Ray batch work on a real two-node Ray cluster on loopback (``ray start --head`` and a
second ``ray start --address``), started and stopped by the test: the index sync's vectors
come back from both nodes, identical to the single-process path, and an audit run on both
nodes stores what the single-process audit stores (also when stopped midway and resumed)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

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


# ---- audits on Ray ----------------------------------------------------------------------------
AUDIT_CORPUS = {
    "isk-profile.md": (
        "---\ntitle: IS-K profile\nurl: https://thinktank.org/isk\ndate: 2019-11-01\n---\n\n"
        "IS-K killed 338 civilians in Pakistan since January 2017. "
        "A CSIS estimate put IS-K at about 800 fighters in 2018.\n"),
    "prison.md": (
        "---\ntitle: Jalalabad prison attack\nurl: https://newsdesk.com/jalalabad\n"
        "date: 2020-08-03\n---\n\nThe Jalalabad prison held about 1,700 prisoners. "
        "About 300 prisoners were still at large after the attack.\n"),
}
CLAIMS = ["IS-K killed 338 civilians in Pakistan since January 2017.",
          "The Jalalabad prison held about 1,700 prisoners.",
          "A CSIS estimate put IS-K at about 800 fighters in 2018.",
          "About 300 prisoners were still at large after the attack.",
          "Kandahar officials counted 45 attacks in 2019."]
STOP_WORD = "Zebrafish"


def audit_articles(folder: Path, n: int = 20) -> Path:
    """``n`` articles: figures to check (some repeated across articles, as syndicated copies
    are), one with nothing check-worthy, one empty, one that the stopping scorer stops on."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        if i == 5:
            body = "Raids of this type are a common tactic in the region."
        elif i == 9:
            body = ""
        else:
            body = f"{CLAIMS[i % 5]} Officials said the count of {i + 3} sites was new."
            if i == n - 2:
                body += f" {STOP_WORD} counts rose to 12 in the lab."
        (folder / f"a{i:02d}.md").write_text(f"---\ntitle: Article {i}\n---\n\n{body}\n",
                                             encoding="utf-8")
    return folder


def digit_scorer(sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
    """Check-worthy when the sentence has a digit (a deterministic stand-in for the model)."""
    return np.asarray([0.9 if any(ch.isdigit() for ch in s) else 0.1 for s in sentences],
                      dtype=np.float32)


class StoppingScorer:
    """``digit_scorer`` that stops the audit (a missing model) on a sentence with the stop
    word while ``flag`` exists: the run dies midway, as a killed one does."""

    def __init__(self, flag: str) -> None:
        self.flag = flag

    def __call__(self, sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
        from verify.errors import ModelLoadError

        if os.path.exists(self.flag) and any(STOP_WORD in s for s in sentences):
            raise ModelLoadError("the check-worthiness model went away")
        return digit_scorer(sentences, docs)


class RegisterFakes:
    """Run in each Ray worker before its first task: the fake models under their names."""

    def __init__(self, embedder: type, stance: type) -> None:
        self.embedder, self.stance = embedder, stance

    def __call__(self) -> None:
        from verify.embedders import EMBEDDERS
        from verify.stance.base import STANCE_MODELS

        EMBEDDERS.register("fake", self.embedder, replace=True)
        STANCE_MODELS.register("fake", self.stance, replace=True)


def _disk_ws(path: Path, settings: Settings) -> Workspace:
    ws = Workspace.open(path, settings=settings)
    corpus = path.parent / f"{path.name}-corpus"
    corpus.mkdir()
    for name, text in AUDIT_CORPUS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    ws.ingest([corpus], progress=False)
    return ws


def _report(result: Any) -> Any:
    """The audit as stored, without what differs between runs (check ids, times)."""
    from verify.types import to_jsonable

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()
                    if k not in {"check_id", "created_at", "finished_at", "skipped", "processed"}}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(to_jsonable(result))


def _checks(ws: Workspace) -> list[tuple[Any, ...]]:
    return ws.db.execute("SELECT claim, verdict, round(confidence, 6) FROM checks "
                         "ORDER BY claim").fetchall()


def _ray_spec(address: str) -> Any:
    import ray
    from conftest import FakeEmbedder, FakeStanceModel

    from verify.batch.rayaudit import RayAudit

    ray.cloudpickle.register_pickle_by_value(sys.modules[FakeEmbedder.__module__])
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])
    return RayAudit(address, setup=RegisterFakes(FakeEmbedder, FakeStanceModel))


def test_audit_on_two_ray_nodes_stores_what_one_process_does(
        ray_cluster: str, fake_settings: Settings, tmp_path: Path) -> None:
    import spacy

    from verify.audit import run_audit

    articles = audit_articles(tmp_path / "articles")
    nlp = spacy.blank("en")
    one = _disk_ws(tmp_path / "one", fake_settings)
    alone = run_audit(one, [articles], scorer=digit_scorer, nlp=nlp, progress=False)
    spread = _disk_ws(tmp_path / "two", fake_settings)
    spec = _ray_spec(ray_cluster)
    written: list[tuple[int, int]] = []
    on_ray = run_audit(spread, [articles], scorer=digit_scorer, nlp=nlp, progress=False, ray=spec,
                       progress_callback=lambda done, total, _: written.append((done, total)))
    assert on_ray.audit_id == alone.audit_id and on_ray.processed == 20
    assert _report(on_ray) == _report(alone)
    assert _checks(spread) == _checks(one)
    # 37 claims, 24 distinct texts: a claim repeated across articles is checked once
    assert spread.db.execute("SELECT count(*) FROM audit_claims").fetchone()[0] == 37
    assert len(_checks(spread)) == 24
    run = spec.runs[-1]
    assert run.workers == 2 and len(run.nodes) == 2        # both nodes worked
    # the empty article is written before any task; 19 go to the cluster in 3 chunks of 8
    assert run.waves == 2 and run.rounds == 2 and run.articles == 19
    assert written[-1] == (20, 20)
    left = Path(tempfile.gettempdir()).glob(f"verify-ray-audit-{run.token}-*")
    assert not list(left)                                  # unpacked snapshots deleted
    statuses = [a.status for a in on_ray.articles]
    assert statuses.count("done") == 18 and statuses[5] == "no_claims" and statuses[9] == "unreadable"


def test_an_audit_on_ray_stopped_midway_resumes_to_the_same_result(
        ray_cluster: str, fake_settings: Settings, tmp_path: Path) -> None:
    import spacy

    from verify.audit import run_audit
    from verify.errors import ModelLoadError

    articles = audit_articles(tmp_path / "articles")
    nlp = spacy.blank("en")
    flag = tmp_path / "stop"
    scorer = StoppingScorer(str(flag))
    one = _disk_ws(tmp_path / "one", fake_settings)
    alone = run_audit(one, [articles], scorer=scorer, nlp=nlp, progress=False)

    spread = _disk_ws(tmp_path / "two", fake_settings)
    spec = _ray_spec(ray_cluster)
    flag.touch()
    with pytest.raises(ModelLoadError, match="went away"):
        run_audit(spread, [articles], scorer=scorer, nlp=nlp, progress=False, ray=spec)
    assert not list(Path(tempfile.gettempdir()).glob(f"verify-ray-audit-{spec.runs[-1].token}-*"))
    # the empty article and the first wave (two chunks of eight) were written before the stop
    assert spread.db.execute("SELECT count(*) FROM audit_articles").fetchone()[0] == 17
    flag.unlink()
    resumed = run_audit(spread, [articles], scorer=scorer, nlp=nlp, progress=False, ray=spec)
    assert (resumed.skipped, resumed.processed) == (17, 3)
    assert _report(resumed) == _report(alone)
    # the same checks; a claim first checked before the stop is checked again after it
    # (the memo is per run, as in the single-process path)
    assert set(_checks(spread)) == set(_checks(one))


def test_an_in_memory_workspace_is_refused_before_any_cluster_is_joined(
        ws: Workspace, tmp_path: Path) -> None:
    pytest.importorskip("ray")
    from verify.audit import run_audit
    from verify.batch.rayaudit import RayAudit
    from verify.errors import ConfigError

    articles = audit_articles(tmp_path / "articles", n=3)
    ws.ingest([articles], progress=False)
    with pytest.raises(ConfigError, match="workspace on disk"):
        run_audit(ws, [articles], scorer=digit_scorer, progress=False,
                  ray=RayAudit("127.0.0.1:1"))


@pytest.mark.parametrize("args, address", [(["--ray"], "auto"), (["--ray=10.0.0.5:6379"], "10.0.0.5:6379")])
def test_cli_audit_ray_option_reaches_the_audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                args: list[str], address: str) -> None:
    """``verify audit --ray [ADDRESS]`` hands the address to ``run_audit`` (ray not needed)."""
    from click.testing import CliRunner

    import verify.audit as audit_module
    from verify.audit.models import AuditResult
    from verify.cli import cli

    monkeypatch.setattr("verify.workspace.Settings", lambda: Settings(embedder="fake", stance_model="fake"))
    seen: list[Any] = []

    def fake_run(ws: Workspace, inputs: Any, **kw: Any) -> AuditResult:
        seen.append(kw.get("ray"))
        return AuditResult(audit_id="audit-x", status="done", created_at=None, finished_at=None,
                           inputs=[], settings={})

    monkeypatch.setattr(audit_module, "run_audit", fake_run)
    articles = audit_articles(tmp_path / "articles", n=2)
    result = CliRunner().invoke(cli, ["-w", str(tmp_path / "ws"), "audit", str(articles), "--json",
                                      *args])
    assert result.exit_code in (0, 2), result.output
    assert seen == [address]
