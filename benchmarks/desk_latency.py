"""Submit -> verdict rendered in the desk, in headless Chromium, next to the library's check.

Usage:
    python benchmarks/desk_latency.py [--repeats 3] [--home DIR] [--mode embedded|remote|both]

Builds the demo workspace (real models) in a temporary VERIFY_HOME unless ``--home`` names one
that has it, starts ``streamlit run app.py`` on loopback and, for every demo claim and repeat,
times (interleaved, so both see the same machine load):

* ``library``: ``ws.check(claim)`` in this process (saved to History, as the desk does), on
  an open workspace whose index and ratings are loaded. In embedded mode it is a copy of the
  desk's workspace (the same data), so the desk keeps its own open between runs, as it does
  for a person (``verify.ui.keeper``), instead of giving it up to this process every time;
* ``desk``: in Chromium, from pressing *Check claim* to the new check's verdict in the page
  (the new check id in the DOM): by the browser's clock (``performance.now()`` at the click
  and at the DOM change), and as the harness sees it, which adds Playwright's checks before
  its click and its polling after (``scripts/screenshots.submit_claim_timed``).

The desk runs with ``VERIFY_DESK_TIMINGS=1``, so its log splits each script run into opening
the workspace, the page (with the time of each workspace call, ``ws.check`` among them) and
closing it; the table shows their medians over the submits. ``--mode remote`` runs the desk
against ``verify serve`` (VERIFY_SERVER, signed in with a token) instead; the library's check
is then timed in the server process's workspace before the server starts.

``--paused-control`` sends each claim a second time and stops Chromium (SIGSTOP) from the
desk's mark at the start of ``ws.check`` to its mark at the end: a control, not the product,
that shows how long the desk's check takes when the browser does not share the machine's
cores (as when the reader's browser runs on their own computer).

Also the CPU seconds each process spent (``/proc``): this process during ``ws.check``, the
streamlit process and Chromium during each submit. Prints p50 (and p90) of each, and the
ratios desk / library (target <= 1.5), by the browser's clock and by the harness's.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

TIMING = re.compile(r"desk-timing (\S+) ([0-9.]+)")
MARK = re.compile(r"desk-mark (\S+) ([0-9.]+)")
# the desk's side of one submit, from its marks (wall clock) and the browser's click and
# verdict times: (row, from, to)
STEPS = (("click -> script run starts", "click", "run.start"),
         ("run start -> ws.check starts", "run.start", "check.start"),
         ("ws.check in the desk", "check.start", "check.end"),
         ("check done -> verdict sent", "check.end", "verdict.sent"),
         ("verdict sent -> in the page", "verdict.sent", "shown"))


def _harness() -> Any:
    """scripts/screenshots.py: the desk server and Chromium helpers of the browser test."""
    spec = importlib.util.spec_from_file_location("verify_desk_screens",
                                                  ROOT / "scripts" / "screenshots.py")
    if spec is None or spec.loader is None:
        raise RuntimeError("scripts/screenshots.py is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _logged(log_path: Path, since: int, pattern: re.Pattern[str]) -> list[tuple[str, float]]:
    """(name, value) of every ``pattern`` line the desk wrote to its log after byte ``since``."""
    with log_path.open("rb") as handle:
        handle.seek(since)
        text = handle.read().decode("utf-8", "replace")
    return [(name, float(value)) for name, value in pattern.findall(text)]


def timings(log_path: Path, since: int) -> dict[str, list[float]]:
    """The desk's timing lines (``desk-timing NAME SECONDS``) written after byte ``since``."""
    out: dict[str, list[float]] = {}
    for name, value in _logged(log_path, since, TIMING):
        out.setdefault(name, []).append(value)
    return out


def marks(log_path: Path, since: int) -> dict[str, float]:
    """The desk's wall-clock marks (``desk-mark NAME SECONDS``) written after byte ``since``;
    the first of each name."""
    found: dict[str, float] = {}
    for name, value in _logged(log_path, since, MARK):
        found.setdefault(name, value)
    return found


@contextlib.contextmanager
def api_server(home: Path, token_out: list[str]) -> Iterator[str]:
    """`verify serve` on the demo workspace (a checker's token in ``token_out``)."""
    from verify.workspace import Workspace

    shots = _harness()
    with Workspace.open(home / "demo") as ws:
        names = {u.name for u in ws.users.list_users()}
        name = "bench-checker"
        if name in names:
            ws.users.remove(name)
        token_out.append(ws.users.add(name, "checker")[1])
    port = shots.free_port()
    url = f"http://127.0.0.1:{port}"
    with shots.serving([sys.executable, "-m", "verify", "-w", str(home / "demo"), "serve",
                        "--host", "127.0.0.1", "--port", str(port)],
                       url + "/health", "verify serve", env=dict(os.environ, VERIFY_HOME=str(home)),
                       log_path=home / "serve.log", timeout_s=180):
        yield url


def processes(needle: str) -> list[Path]:
    """The /proc folders of every process whose command line holds ``needle``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if needle in cmd:
            found.append(entry)
    return found


def cpu_seconds(needle: str) -> float:
    """User+system CPU seconds of every process whose command line holds ``needle`` (/proc)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for entry in processes(needle):
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            continue
    return total


def check_with_browser_paused(page: Any, claim: str, log_path: Path,
                              timeout_s: float = 60.0) -> float | None:
    """A control, not the product: submit ``claim`` and stop Chromium (SIGSTOP) from the
    desk's ``check.start`` mark to its ``check.end``, as if the browser ran on another
    computer; returns ``ws.check``'s seconds in the desk by its marks (None if no marks)."""
    page.get_by_role("textbox", name="Claim", exact=True).fill(claim)
    since = log_path.stat().st_size
    page.get_by_role("button", name="Check claim").click()
    pids: list[int] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            seen = marks(log_path, since)
            if "check.start" in seen and not pids:
                pids = [int(entry.name) for entry in processes("chromium")]
                for pid in pids:
                    with contextlib.suppress(OSError):
                        os.kill(pid, signal.SIGSTOP)
            if "check.end" in seen:
                break
            time.sleep(0.001)
    finally:
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGCONT)
    seen = marks(log_path, since)
    if "check.start" in seen and "check.end" in seen:
        return seen["check.end"] - seen["check.start"]
    return None


def run_mode(mode: str, home: Path, claims: list[str], repeats: int,
             paused_control: bool = False) -> dict[str, Any]:
    """Time library and desk for ``mode`` (embedded or remote); returns the samples."""
    from verify.workspace import Workspace

    shots = _harness()
    library: list[float] = []
    library_cpu: list[float] = []
    desk: list[float] = []
    desk_page: list[float] = []
    steps: dict[str, list[float]] = {name: [] for name, _, _ in STEPS}
    desk_cpu: list[float] = []
    browser_cpu: list[float] = []
    paused: list[float] = []
    log_path = home / f"streamlit-{mode}.log"
    with contextlib.ExitStack() as stack:
        if mode == "remote":
            # the library's checks before the server holds the workspace
            with Workspace.open(home / "demo") as ws:
                ws.check(claims[0])
                for _ in range(repeats):
                    for claim in claims:
                        started, cpu = time.perf_counter(), time.process_time()
                        ws.check(claim)
                        library.append(time.perf_counter() - started)
                        library_cpu.append(time.process_time() - cpu)
            token: list[str] = []
            url = stack.enter_context(api_server(home, token))
            os.environ["VERIFY_SERVER"] = url
            stack.callback(os.environ.pop, "VERIFY_SERVER", None)
        if mode == "embedded":
            # the same data in a folder of its own (copied before the desk opens it): opening
            # the desk's workspace here would make the desk give it up, and reopen it cold,
            # on every submit
            copy = home / "demo-library"
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(home / "demo", copy,
                            ignore=shutil.ignore_patterns(".waiters", "writer.lock"))
            library_ws = stack.enter_context(Workspace.open(copy))
        os.environ["VERIFY_DESK_TIMINGS"] = "1"
        os.environ["VERIFY_BUILD_DEMO"] = "0"
        base = stack.enter_context(shots.desk_server(home, log_path))
        page = stack.enter_context(shots.browser_page())
        page.goto(base + "/")
        if mode == "remote":
            page.get_by_role("heading", name="Sign in to the desk").wait_for(timeout=240_000)
            page.get_by_label("or API token").fill(token[0])
            page.get_by_role("button", name="Sign in").click()
        shots.wait_for_app(page, "Check a claim")
        shots.submit_claim(page, claims[0], timeout_ms=240_000)  # warm-up: the desk's models
        shots.wait_idle(page)
        if mode == "embedded":
            library_ws.check(claims[0])  # warm-up: this process's models, index and ratings
        since = log_path.stat().st_size
        port = base.rsplit(":", 1)[1]
        for _ in range(repeats):
            for claim in claims:
                if mode == "embedded":   # interleaved, so both see the same machine load
                    started, cpu = time.perf_counter(), time.process_time()
                    library_ws.check(claim)
                    library.append(time.perf_counter() - started)
                    library_cpu.append(time.process_time() - cpu)
                desk_before = cpu_seconds(f"--server.port {port}")
                browser_before = cpu_seconds("chromium")
                mark_from = log_path.stat().st_size
                harness_s, page_s, clicked, shown = shots.submit_claim_timed(page, claim)
                desk.append(harness_s)
                desk_page.append(page_s)
                at = {"click": clicked, "shown": shown, **marks(log_path, mark_from)}
                for name, first, then in STEPS:
                    if first in at and then in at:
                        steps[name].append(at[then] - at[first])
                desk_cpu.append(cpu_seconds(f"--server.port {port}") - desk_before)
                browser_cpu.append(cpu_seconds("chromium") - browser_before)
                shots.wait_idle(page)
                if paused_control:
                    took = check_with_browser_paused(page, claim, log_path)
                    if took is not None:
                        paused.append(took)
                    shots.wait_idle(page)
        parts = timings(log_path, since)
    return {"mode": mode, "library": library, "desk": desk, "desk_page": desk_page,
            "parts": parts, "steps": steps,
            "library_cpu": library_cpu, "desk_cpu": desk_cpu, "browser_cpu": browser_cpu,
            "paused": paused}


def report(result: dict[str, Any]) -> None:
    """Print the table of one mode."""
    lib, desk, parts = result["library"], result["desk"], result["parts"]
    rows: list[tuple[str, list[float]]] = [
        ("library: ws.check(claim)", lib),
        ("desk: click -> verdict in the page (browser clock)", result["desk_page"]),
        ("desk: click -> verdict, as the harness sees it", desk),
    ]
    rows += [(f"  desk: {name} (clocks)", values) for name, values in result["steps"].items()]
    rows.append(("  control: ws.check in the desk, Chromium stopped", result["paused"]))
    rows += [("  CPU s: library process during ws.check", result["library_cpu"]),
             ("  CPU s: desk (streamlit) process per submit", result["desk_cpu"]),
             ("  CPU s: Chromium per submit", result["browser_cpu"])]
    for key in ("run.open", "run.page", "ws.check", "ws.match", "ws.check_reviews",
                "ws.corpus_stats", "run.close"):
        if key in parts:
            rows.append((f"  desk log: {key} (every script run)", parts[key]))
    print(f"\nmode: {result['mode']}  (n = {len(desk)} submits, {len(lib)} library checks)")
    print(f"{'measure':<52}{'p50 s':>8}{'p90 s':>8}{'n':>5}")
    for name, values in rows:
        if values:
            print(f"{name:<52}{statistics.median(values):>8.3f}{pct(values, 0.9):>8.3f}"
                  f"{len(values):>5}")
    ratio = statistics.median(result["desk_page"]) / statistics.median(lib)
    print(f"{'ratio desk p50 / library p50 (target <= 1.5)':<52}{ratio:>8.2f}")
    harness_ratio = statistics.median(desk) / statistics.median(lib)
    print(f"{'  the same, as the harness sees the desk':<52}{harness_ratio:>8.2f}")
    others = sorted(k for k in parts if k.startswith("ws") and k not in
                    ("ws.check", "ws.match", "ws.check_reviews", "ws.corpus_stats"))
    if others:
        print("other workspace calls in the page (median s, calls): " + ", ".join(
            f"{k} {statistics.median(parts[k]):.3f} ({len(parts[k])})" for k in others))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3, help="times each demo claim is sent")
    parser.add_argument("--home", default=None, help="VERIFY_HOME (default: a temp folder)")
    parser.add_argument("--mode", choices=("embedded", "remote", "both"), default="embedded")
    parser.add_argument("--paused-control", action="store_true",
                        help="after each submit, send the claim again with Chromium stopped "
                             "(SIGSTOP) while the desk checks it: the check's time when the "
                             "browser does not share the machine's cores")
    args = parser.parse_args(argv)
    shots = _harness()
    if shots.chromium_path() is None:
        print("chromium is not installed (apt-get install -y chromium); skipping")
        return 0
    from verify.demo import DEMO_CLAIMS, ensure_demo_workspace

    with contextlib.ExitStack() as stack:
        home = Path(args.home) if args.home else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="verify-desk-latency-")))
        os.environ["VERIFY_HOME"] = str(home)
        started = time.perf_counter()
        ensure_demo_workspace(home / "demo").close()
        print(f"demo workspace ready in {time.perf_counter() - started:.1f} s ({home / 'demo'})")
        modes = ("embedded", "remote") if args.mode == "both" else (args.mode,)
        for mode in modes:
            report(run_mode(mode, home, list(DEMO_CLAIMS), args.repeats,
                            args.paused_control))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
