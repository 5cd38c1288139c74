"""Ray batch work against the single-process path, in one run: corpus embedding and a
100-article audit with 1 and 2 Ray workers, throughput, ratio, and whether the outputs are
the same.

    python benchmarks/ray_batch.py                       # 2,000 passages, 100 articles
    python benchmarks/ray_batch.py --passages 500 --articles 20 --words 80   # quick

The Ray cluster is real and on loopback, started and stopped here: a head node with one
CPU (the "1 worker" rows), then a second node with one CPU joins (the "2 workers" rows),
as ``tests/test_batch_ray.py`` does. The benchmark process is the one that owns the
workspace (it plans, snapshots and writes); the workers run the models.

* **corpus embedding**: the demo corpus's passages plus sentences of articles made from
  it, up to ``--passages`` texts, embedded with MiniLM in ``EMBED_CHUNK`` (256) chunks as
  an index sync hands them over: ``embedder.embed_many`` here, against
  ``RayEmbedder.embed_many`` (each chunk split across the workers). Same output: the
  largest absolute difference between the vectors.
* **audit**: ``--articles`` articles made from the demo corpus's sentences (some figures
  altered, some sentences shared between articles; ``benchmarks/audit.py``'s generator)
  audited on the demo workspace with the shipped models: ``run_audit`` in this process
  against ``run_audit(..., ray=RayAudit(...))``. Same output: the stored reports compared
  field by field, check ids and times aside.

Each configuration runs once on other texts and articles to warm up (models loaded in this
process or in each worker process), then every per-text cache is emptied (the embedder's
memo of recent texts, spaCy parses, claim predicates) before each timed run, in this
process and in each worker (a fresh cluster per Ray configuration), so no run re-uses
another's work. The Ray rows include making and shipping the workspace snapshot. Ray's workers run torch on one thread each (Ray sets ``OMP_NUM_THREADS`` to a
task's CPUs), so the single-process path is timed twice: with torch's default threads (one
per core, as ``verify`` runs) and with ``torch.set_num_threads(1)`` (what each worker has).
The ONNX stance model keeps onnxruntime's default threads everywhere.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Timer, machine_note, print_table  # noqa: E402
from audit import demo_sentences, demo_workspace, make_article  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ART = ROOT / "benchmarks" / "artifacts"
RAY = str(Path(sys.executable).with_name("ray"))


# ---- the cluster -----------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """End a ``ray start --block`` started here and everything in its session."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


class LoopbackCluster:
    """A Ray head with one CPU on 127.0.0.1; :meth:`add_node` joins another one-CPU node."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.temp = tempfile.mkdtemp(prefix="vrayb")   # short: Ray's socket paths must be short
        self.env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}
        self.common = ["--num-cpus", "1", "--object-store-memory", str(200 * 2**20), "--block",
                       "--disable-usage-stats"]
        self.procs: list[subprocess.Popen[bytes]] = []
        self.log = open(Path(self.temp) / "start.log", "wb")  # noqa: SIM115 - closed in stop()

    def _start(self, args: list[str]) -> None:
        self.procs.append(subprocess.Popen([RAY, "start", *args, *self.common], stdout=self.log,
                                           stderr=subprocess.STDOUT, start_new_session=True,
                                           env=self.env))

    def start(self) -> None:
        self._start(["--head", "--node-ip-address", "127.0.0.1", "--port", str(self.port),
                     "--include-dashboard=false", "--temp-dir", self.temp])
        deadline = time.monotonic() + 180
        while subprocess.run([RAY, "status", "--address", self.address], capture_output=True,
                             env=self.env).returncode != 0:
            if time.monotonic() > deadline or self.procs[0].poll() is not None:
                raise RuntimeError("the Ray head did not start; see " + self.log.name)
            time.sleep(1.0)
        import ray

        ray.init(address=self.address, include_dashboard=False, log_to_driver=False)

    def add_node(self) -> None:
        import ray

        alive = len([n for n in ray.nodes() if n["Alive"]])
        self._start(["--address", self.address, "--node-ip-address", "127.0.0.1"])
        deadline = time.monotonic() + 180
        while len([n for n in ray.nodes() if n["Alive"]]) <= alive:
            if time.monotonic() > deadline or self.procs[-1].poll() is not None:
                raise RuntimeError("the second Ray node did not join; see " + self.log.name)
            time.sleep(1.0)

    def stop(self) -> None:
        import ray

        if ray.is_initialized():
            ray.shutdown()
        for proc in reversed(self.procs):
            _stop(proc)
        self.log.close()
        shutil.rmtree(self.temp, ignore_errors=True)


@contextmanager
def loopback_cluster(nodes: int) -> Iterator[LoopbackCluster]:
    """A fresh cluster of ``nodes`` one-CPU nodes (fresh worker processes: cold caches)."""
    cluster = LoopbackCluster()
    try:
        cluster.start()
        for _ in range(nodes - 1):
            cluster.add_node()
        yield cluster
    finally:
        cluster.stop()


def cold_caches(embedder: str) -> None:
    """Empty this process's per-text caches: the embedder's memo of recent texts, spaCy
    parses and quantities, claim predicates (models stay loaded)."""
    from verify.checks.refutation import claim_predicates
    from verify.embedders import get_embedder
    from verify.quantities import forget_parses

    memo = getattr(get_embedder(embedder), "_memo", None)   # the memo has no public clear
    if memo is not None:
        memo.clear()
    forget_parses()
    claim_predicates.cache_clear()


# ---- inputs -------------------------------------------------------------------------------------
def corpus_texts(ws: Any, sentences: list[str], n: int) -> list[str]:
    """The workspace's passages, then article sentences with their figures varied, ``n`` in all."""
    texts = [r[0] for r in ws.db.execute("SELECT text FROM passages ORDER BY passage_id").fetchall()]
    i = 0
    while len(texts) < n:
        texts.append(f"{sentences[i % len(sentences)]} (report {i // len(sentences) + 1})")
        i += 1
    return texts[:n]


def write_articles(folder: Path, sentences: list[str], n: int, words: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        path = folder / f"article-{i:03d}.txt"
        path.write_text(make_article(sentences, words, seed=2000 + i), encoding="utf-8")
        paths.append(path)
    return paths


def stored_report(result: Any) -> Any:
    """An audit as stored, without what differs between runs (ids, times)."""
    from verify.types import to_jsonable

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()
                    if k not in {"check_id", "audit_id", "created_at", "finished_at", "skipped",
                                 "processed"}}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(to_jsonable(result))


def differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Every field where two stored reports differ (empty when they do not)."""
    if type(a) is not type(b):
        return [f"{path}: {a!r} != {b!r}"]
    if isinstance(a, dict):
        return [d for key in sorted(set(a) | set(b))
                for d in differences(a.get(key), b.get(key), f"{path}.{key}")]
    if isinstance(a, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True))
                for d in differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def verdicts(report: Any) -> list[Any]:
    """Each claim's verdict, in order."""
    return [c.get("verdict") for a in report["articles"] for c in a["claims"]]


def compared(report: Any, reference: Any) -> str:
    """'identical', or how many fields differ, whether verdicts do, and the first field."""
    found = differences(reference, report)
    if not found:
        return "identical"
    same_verdicts = verdicts(report) == verdicts(reference)
    return (f"{len(found)} field(s) differ, verdicts {'same' if same_verdicts else 'DIFFER'}; "
            f"first {found[0]}")


# ---- runs ---------------------------------------------------------------------------------------
def timed(run: Callable[[], Any]) -> tuple[float, Any]:
    with Timer() as t:
        out = run()
    return t.seconds, out


def embed_chunks(embedder: Any, texts: list[str], chunk: int) -> np.ndarray:
    """Vectors for ``texts``, ``chunk`` at a time, as an index sync asks for them."""
    return np.vstack([np.asarray(embedder.embed_many(texts[i:i + chunk]), dtype=np.float32)
                      for i in range(0, len(texts), chunk)])


def audit_run(ws: Any, paths: list[Path], ray: Any = None) -> Any:
    from verify.audit import run_audit

    return run_audit(ws, paths, audit_id=f"raybench-{uuid.uuid4().hex[:8]}", progress=False,
                     ray=ray)


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passages", type=int, default=2000, help="texts embedded")
    parser.add_argument("--articles", type=int, default=100, help="articles audited")
    parser.add_argument("--words", type=int, default=80, help="words per article")
    args = parser.parse_args()

    from verify.batch.rayaudit import RayAudit
    from verify.batch.raywork import RayEmbedder
    from verify.index.hybrid import EMBED_CHUNK

    sentences = demo_sentences()
    work = ART / "ray-bench"
    shutil.rmtree(work, ignore_errors=True)
    ws = demo_workspace(work / "ws")
    texts = corpus_texts(ws, sentences, args.passages)
    paths = write_articles(work / "articles", sentences, args.articles, args.words)
    warm_paths = write_articles(work / "warm", sentences, 8, args.words)
    embedder = ws.embedder
    print(f"{len(texts):,} texts to embed, {len(paths)} articles of about {args.words} words; "
          f"{machine_note()}", flush=True)

    # the single-process path (warm: models loaded by a first run on other inputs)
    import functools

    import torch

    name = ws.settings.embedder
    warm_texts = [f"Warm-up sentence {i}: {sentences[i % len(sentences)]}" for i in range(EMBED_CHUNK)]
    embed_chunks(embedder, warm_texts, EMBED_CHUNK)
    audit_run(ws, warm_paths)
    threads = torch.get_num_threads()
    cold_caches(name)
    base_embed_s, base_vectors = timed(lambda: embed_chunks(embedder, texts, EMBED_CHUNK))
    cold_caches(name)
    base_audit_s, base_result = timed(lambda: audit_run(ws, paths))
    torch.set_num_threads(1)
    cold_caches(name)
    one_embed_s, one_vectors = timed(lambda: embed_chunks(embedder, texts, EMBED_CHUNK))
    cold_caches(name)
    one_audit_s, one_result = timed(lambda: audit_run(ws, paths))
    torch.set_num_threads(threads)
    base_report = stored_report(base_result)
    one_report = stored_report(one_result)
    claims = base_result.summary["claims_checked"]
    print(f"single process: embedding {base_embed_s:.1f} s ({one_embed_s:.1f} s on 1 thread), "
          f"audit {base_audit_s:.1f} s ({one_audit_s:.1f} s on 1 thread), {claims} claims",
          flush=True)

    def ratios(secs: float, base: float, one: float) -> list[str]:
        return [f"{base / secs:.2f}x", f"{one / secs:.2f}x"]

    one_diff = float(np.abs(one_vectors - base_vectors).max())
    embed_rows: list[list[Any]] = [
        [f"single process, torch {threads} threads", "-", f"{base_embed_s:.1f}",
         f"{len(texts) / base_embed_s:.0f}", *ratios(base_embed_s, base_embed_s, one_embed_s), "-"],
        ["single process, torch 1 thread", "-", f"{one_embed_s:.1f}",
         f"{len(texts) / one_embed_s:.0f}", *ratios(one_embed_s, base_embed_s, one_embed_s),
         f"max |diff| {one_diff:.1e}"]]
    audit_rows: list[list[Any]] = [
        [f"single process, torch {threads} threads", "-", f"{base_audit_s:.1f}",
         f"{len(paths) / base_audit_s * 60:.1f}", f"{claims / base_audit_s:.2f}",
         *ratios(base_audit_s, base_audit_s, one_audit_s), "-", compared(base_report, one_report)],
        ["single process, torch 1 thread", "-", f"{one_audit_s:.1f}",
         f"{len(paths) / one_audit_s * 60:.1f}", f"{claims / one_audit_s:.2f}",
         *ratios(one_audit_s, base_audit_s, one_audit_s), compared(one_report, base_report), "-"]]
    for workers in (1, 2):
        with loopback_cluster(workers) as cluster:
            ray_embedder = RayEmbedder(embedder, cluster.address, spec=name)
            embed_chunks(ray_embedder, warm_texts, EMBED_CHUNK)      # load the model on the workers
            secs, vectors = timed(lambda e=ray_embedder: embed_chunks(e, texts, EMBED_CHUNK))
            diff = float(np.abs(vectors - base_vectors).max())
            embed_rows.append([f"Ray, {workers} worker{'s' * (workers > 1)}",
                               len(ray_embedder.nodes_used), f"{secs:.1f}",
                               f"{len(texts) / secs:.0f}", *ratios(secs, base_embed_s, one_embed_s),
                               f"max |diff| {diff:.1e}"])
            # setup runs in each worker process at the start of each run: caches emptied
            spec = RayAudit(cluster.address, setup=functools.partial(cold_caches, name))
            audit_run(ws, warm_paths, ray=spec)
            secs, result = timed(lambda s=spec: audit_run(ws, paths, ray=s))
            run = spec.runs[-1]
            report = stored_report(result)
            audit_rows.append([f"Ray, {workers} worker{'s' * (workers > 1)}", len(run.nodes),
                               f"{secs:.1f}", f"{len(paths) / secs * 60:.1f}",
                               f"{result.summary['claims_checked'] / secs:.2f}",
                               *ratios(secs, base_audit_s, one_audit_s),
                               compared(report, base_report), compared(report, one_report)])
            print(f"Ray {workers}: embedding {embed_rows[-1][2]} s, audit {secs:.1f} s "
                  f"({run.waves} waves, {run.rounds} rounds, snapshot "
                  f"{run.snapshot_bytes / 1e6:.1f} MB)", flush=True)
    ws.close()

    print_table(f"Corpus embedding: {len(texts):,} texts, MiniLM, {EMBED_CHUNK} per chunk",
                ["path", "nodes used", "wall s", "texts/s", f"ratio vs {threads} threads",
                 "ratio vs 1 thread", "same vectors"], embed_rows)
    print_table(f"Audit: {len(paths)} articles, {claims} claims, shipped models, demo workspace",
                ["path", "nodes used", "wall s", "articles/min", "claims/s",
                 f"ratio vs {threads} threads", "ratio vs 1 thread",
                 f"stored report vs {threads} threads", "stored report vs 1 thread"], audit_rows)
    print(f"\nmachine: {machine_note()}. The Ray workers and this process share the machine's "
          "CPUs: with 2 cores, 2 one-CPU workers have the cores the single process's torch "
          "threads had, plus Ray's own processes and the owner's writes.")


if __name__ == "__main__":
    main()
