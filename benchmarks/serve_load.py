"""A bounded load test of ``verify serve`` on loopback.

Builds the demo workspace (real models) in a temporary folder, measures the library's
``check`` and ``search`` without HTTP (the baseline), then starts ``verify serve`` in a
subprocess on 127.0.0.1 and, for ``--duration`` seconds, runs ``--clients`` clients issuing
checks and searches while one client ingests uploaded documents (a job each, polled until
done) and another rates sources. Prints p50/p95 per endpoint, the error count, the ratio
to the baseline, and whether every write is present exactly once afterwards (each saved
check in History, each uploaded document in the corpus, each rating in its source's
history, each write in the user log).

    python benchmarks/serve_load.py [--duration 60] [--clients 20] [--workspace PATH]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx  # noqa: E402

from benchmarks._common import machine_note, percentile, print_table  # noqa: E402

CLAIMS = (
    "IS-K killed 338 civilians in Pakistan since 2017",
    "IS-K killed more than 3,000 civilians in Pakistan since 2017",
    "CSIS estimated IS-K had roughly 800 fighters in 2018",
    "The Jalalabad prison held 17,000 prisoners",
    "The US agreed to close five bases within 135 days",
    "The Eiffel Tower was repainted green in 2019",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(path: Path) -> dict[str, str]:
    """The demo workspace at ``path`` and a token per role used here."""
    from verify.demo import ensure_demo_workspace

    ws = ensure_demo_workspace(path)
    try:
        tokens = {}
        for role in ("checker", "editor", "admin"):
            name = f"load-{role}-{uuid.uuid4().hex[:6]}"
            tokens[role] = ws.users.add(name, role)[1]
        return tokens
    finally:
        ws.close()


def baseline(path: Path, rounds: int) -> dict[str, list[float]]:
    """The library's check and search latencies (seconds), no HTTP, one caller."""
    from verify import Workspace

    out: dict[str, list[float]] = defaultdict(list)
    with Workspace.open(path, create=False) as ws:
        ws.check(CLAIMS[0], save=False)  # warm the models
        for _ in range(rounds):
            for claim in CLAIMS:
                t0 = time.perf_counter()
                ws.search(claim, k=10)
                out["POST /search"].append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                ws.check(claim, save=False)
                out["POST /check"].append(time.perf_counter() - t0)
    return out


class Load:
    """The shared record of a run: latencies, errors and every write made."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.error_samples: list[str] = []
        self.check_ids: list[str] = []
        self.documents: list[str] = []
        self.ratings: list[str] = []

    def record(self, endpoint: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.latency[endpoint].append(seconds)
            if not ok:
                self.errors[endpoint] += 1
                if len(self.error_samples) < 5:
                    self.error_samples.append(f"{endpoint}: {detail[:600]}")


def _call(load: Load, client: httpx.Client, endpoint: str, method: str, url: str,
          **kwargs: Any) -> httpx.Response | None:
    t0 = time.perf_counter()
    try:
        answer = client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        load.record(endpoint, time.perf_counter() - t0, False, repr(exc))
        return None
    ok = answer.status_code < 400
    load.record(endpoint, time.perf_counter() - t0, ok, f"{answer.status_code} {answer.text}")
    return answer if ok else None


def checker(load: Load, base: str, token: str, deadline: float, seed: int) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=600) as client:
        i = seed
        while time.monotonic() < deadline:
            claim = CLAIMS[i % len(CLAIMS)]
            if i % 2:
                answer = _call(load, client, "POST /check", "POST", "/check", json={"claim": claim})
                if answer is not None:
                    with load.lock:
                        load.check_ids.append(answer.json()["check_id"])
            else:
                _call(load, client, "POST /search", "POST", "/search", json={"claim": claim, "k": 10})
            i += 1


def ingester(load: Load, base: str, token: str, deadline: float) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=600) as client:
        n = 0
        while time.monotonic() < deadline:
            marker = f"loadtest{uuid.uuid4().hex[:10]}"
            text = (f"Report {marker}: the port authority counted {1000 + n} ships in May, "
                    f"up from {900 + n} a year earlier, according to its monthly bulletin.")
            t0 = time.perf_counter()
            answer = _call(load, client, "POST /ingest/uploads", "POST", "/ingest/uploads",
                           files=[("files", (f"{marker}.txt", text.encode(), "text/plain"))])
            if answer is None:
                continue
            job_id = answer.json()["job_id"]
            while True:
                job = client.get(f"/jobs/{job_id}").json()
                if job["status"] in ("done", "failed"):
                    break
                time.sleep(0.2)
            ok = job["status"] == "done" and job["result"]["added"] == 1
            load.record("ingest job (upload to done)", time.perf_counter() - t0, ok,
                        str(job.get("error") or json.dumps(job.get("result"))))
            if ok:
                with load.lock:
                    load.documents.append(marker)
            n += 1


def rater(load: Load, base: str, token: str, deadline: float) -> None:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=600) as client:
        while time.monotonic() < deadline:
            domain = f"loadtest-{uuid.uuid4().hex[:10]}.example"
            answer = _call(load, client, "POST /sources/{domain}/ratings", "POST",
                           f"/sources/{domain}/ratings",
                           json={"value": 0.6, "rationale": "load test rating"})
            if answer is not None:
                with load.lock:
                    load.ratings.append(domain)
            time.sleep(0.5)


def verify_writes(base: str, token: str, load: Load) -> dict[str, str]:
    """Every write present exactly once, read back through the API."""
    out = {}
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"},
                      timeout=600) as client:
        rows = client.get("/checks", params={"limit": 1000}).json()
        ids = [r["check_id"] for r in rows]
        wrong = [c for c in load.check_ids if ids.count(c) != 1]
        out["checks"] = f"{len(load.check_ids) - len(wrong)}/{len(load.check_ids)} exactly once"
        docs_wrong = [m for m in load.documents
                      if len(client.get("/documents", params={"query": m}).json()) != 1]
        out["documents"] = (f"{len(load.documents) - len(docs_wrong)}/{len(load.documents)} "
                            "exactly once")
        rated_wrong = [d for d in load.ratings
                       if len(client.get(f"/sources/{d}/history").json()) != 1]
        out["ratings"] = f"{len(load.ratings) - len(rated_wrong)}/{len(load.ratings)} exactly once"
        actions = client.get("/actions", params={"limit": 5000}).json()
        counts: dict[str, int] = defaultdict(int)
        for a in actions:
            counts[a["action"]] += 1
        expected = {"check": len(load.check_ids), "ingest.uploads": len(load.documents),
                    "sources.rate": len(load.ratings)}
        out["user log"] = ", ".join(f"{k} {counts[k]}/{v}" for k, v in expected.items())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--clients", type=int, default=20, help="concurrent check/search clients")
    parser.add_argument("--workspace", type=Path, default=None,
                        help="a workspace folder to use (default: the demo, built in a temp folder)")
    parser.add_argument("--baseline-rounds", type=int, default=2,
                        help="rounds over the sample claims for the library baseline")
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="verify-serve-load-")
    path = args.workspace or Path(tmp.name) / "ws"
    print(f"workspace {path}; {machine_note()}", flush=True)
    tokens = prepare(path)
    base_lat = baseline(path, args.baseline_rounds)

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "verify", "-w", str(path), "serve", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning"],
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        t_start = time.monotonic()
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if server.poll() is not None or time.monotonic() - t_start > 300:
                raise SystemExit("the server did not start")
            time.sleep(0.5)
        print(f"server up in {time.monotonic() - t_start:.1f} s; load for {args.duration:.0f} s "
              f"with {args.clients} clients + 1 ingester + 1 rater", flush=True)
        load = Load()
        deadline = time.monotonic() + args.duration
        threads = [threading.Thread(target=checker, args=(load, base, tokens["checker"], deadline, i))
                   for i in range(args.clients)]
        threads.append(threading.Thread(target=ingester, args=(load, base, tokens["editor"], deadline)))
        threads.append(threading.Thread(target=rater, args=(load, base, tokens["editor"], deadline)))
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - t0
        written = verify_writes(base, tokens["admin"], load)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    rows = []
    for endpoint in sorted(load.latency):
        lat = load.latency[endpoint]
        ref = base_lat.get(endpoint)
        p50 = percentile(lat, 50) * 1000
        ref50 = percentile(ref, 50) * 1000 if ref else None
        rows.append([endpoint, len(lat), round(p50), round(percentile(lat, 95) * 1000),
                     load.errors.get(endpoint, 0), round(ref50) if ref50 else "-",
                     f"{p50 / ref50:.1f}x" if ref50 else "-"])
    print_table(f"verify serve under load: {args.clients} clients, {wall:.0f} s "
                f"(baseline: the library call, one caller, no HTTP)",
                ["endpoint", "n", "p50 ms", "p95 ms", "errors", "baseline p50 ms", "p50 / baseline"],
                rows)
    total = sum(len(v) for k, v in load.latency.items() if k.startswith("POST /check")
                or k.startswith("POST /search"))
    print(f"\nthroughput: {total / wall:.2f} checks+searches/s; errors: "
          f"{sum(load.errors.values())}")
    for sample in load.error_samples:
        print(f"  error: {sample}")
    print_table("writes read back afterwards", ["write", "present"], list(written.items()))
    tmp.cleanup()


if __name__ == "__main__":
    main()
