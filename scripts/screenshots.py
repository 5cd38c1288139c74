"""Screenshot every page of the desk in headless Chromium.

Usage:
    python scripts/screenshots.py [--out tests/artifacts] [--home /tmp/verify-home]

Starts ``streamlit run app.py`` on a free port (VERIFY_HOME in a temporary
folder unless ``--home`` is given, so the first start builds the demo
workspace), runs one check so the Check page has a verdict, and saves a
full-page PNG of each page. Needs the system ``chromium`` (never
``playwright install``). The helpers here are reused by
``tests/e2e/test_browser.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PAGES = {"check": "", "audit": "audit", "sources": "sources", "corpus": "corpus",
         "history": "history"}
VERDICT_SELECTOR = "[data-verdict]"
START_TIMEOUT_S = 120.0
FIRST_LOAD_TIMEOUT_MS = 240_000


def chromium_path() -> str | None:
    """The system Chromium, if installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(cmd: list[str], health_url: str, what: str, *, env: dict[str, str] | None = None,
            log_path: Path | None = None, timeout_s: float = START_TIMEOUT_S) -> Iterator[None]:
    """Run ``cmd`` until ``health_url`` answers; stop it afterwards (its output to
    ``log_path``, or nowhere)."""
    log = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with code {proc.returncode}")
            try:
                with urllib.request.urlopen(health_url, timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not start in time")
            time.sleep(0.5)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log_path:
            log.close()  # type: ignore[union-attr]


@contextlib.contextmanager
def desk_server(home: Path, log_path: Path | None = None) -> Iterator[str]:
    """Run ``streamlit run app.py`` headless; yields its base URL; stops it afterwards."""
    port = free_port()
    env = dict(os.environ, VERIFY_HOME=str(home), HF_HUB_OFFLINE="1",
               TOKENIZERS_PARALLELISM="false")
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
           "--server.headless", "true", "--server.port", str(port),
           "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]
    base = f"http://127.0.0.1:{port}"
    with serving(cmd, base + "/_stcore/health", "streamlit", env=env, log_path=log_path):
        yield base


@contextlib.contextmanager
def browser_page(width: int = 1400, height: int = 1000) -> Iterator[Any]:
    """A Playwright page in the system's headless Chromium."""
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    if exe is None:
        raise RuntimeError("chromium is not installed (apt-get install -y chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": width, "height": height})
            yield context.new_page()
        finally:
            browser.close()


def wait_for_app(page: Any, title: str, timeout_ms: int = FIRST_LOAD_TIMEOUT_MS) -> None:
    """Wait until the page's title heading is shown and the app has stopped running."""
    page.get_by_role("heading", name=title).first.wait_for(timeout=timeout_ms)
    wait_idle(page, timeout_ms)


def wait_idle(page: Any, timeout_ms: int = 60_000) -> None:
    """Wait until Streamlit has finished the script run and no skeleton is left."""
    page.wait_for_timeout(250)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSkeleton\"]')",
        timeout=timeout_ms)
    page.wait_for_timeout(400)


def full_screenshot(page: Any, path: Path, width: int = 1400) -> None:
    """Screenshot the whole app (Streamlit scrolls inside its main block, not the body)."""
    height = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return m ? m.scrollHeight : document.body.scrollHeight; }")
    page.set_viewport_size({"width": width, "height": max(800, min(int(height) + 40, 12000))})
    page.wait_for_timeout(600)
    page.screenshot(path=str(path), full_page=True)
    page.set_viewport_size({"width": width, "height": 1000})


def submit_claim(page: Any, claim: str, timeout_ms: int = 60_000, *, filled: bool = False,
                 previous: str | None = None) -> float:
    """Type a claim, press Check, wait for its verdict; returns seconds from click to verdict."""
    if not filled:
        page.get_by_role("textbox", name="Claim", exact=True).fill(claim)
    button = page.get_by_role("button", name="Check claim")
    if previous is None:
        shown = page.locator("[data-check-id]")
        previous = shown.first.get_attribute("data-check-id") if shown.count() else ""
    start = time.perf_counter()
    button.click()
    # a new check has its own id: wait for the verdict of *this* submission
    page.wait_for_function(
        "prev => { const e = document.querySelector('[data-check-id]');"
        " return e && e.getAttribute('data-check-id') !== prev; }",
        arg=previous, timeout=timeout_ms, polling=20)
    elapsed = time.perf_counter() - start
    page.get_by_text(f"Claim: {claim}", exact=True).wait_for(timeout=timeout_ms)
    return elapsed


# In the page, by the browser's clock (ms since the epoch, to set beside the server's marks):
# the click on "Check claim" (capture phase, before Streamlit sees it) and the first DOM
# change that shows a new check's verdict.
_ARM_TIMER = """prev => { const t = window.__verifyTimer = {};
  const now = () => performance.timeOrigin + performance.now();
  document.addEventListener('click', () => { t.click = t.click || now(); },
                            {capture: true, once: true});
  const seen = () => { const e = document.querySelector('[data-check-id]');
    return e && e.getAttribute('data-check-id') !== prev; };
  const obs = new MutationObserver(() => { if (!t.shown && seen()) {
    t.shown = now(); obs.disconnect(); } });
  obs.observe(document.body, {subtree: true, childList: true, attributes: true}); }"""


def submit_claim_timed(page: Any, claim: str,
                       timeout_ms: int = 60_000) -> tuple[float, float, float, float]:
    """Like :func:`submit_claim`; returns (seconds from the harness's click call to its
    seeing the verdict, seconds from the click to the verdict in the page by the browser's
    clock, and the click's and the verdict's times in seconds since the epoch). The first
    includes Playwright's own work (checks before the click, polling)."""
    shown = page.locator("[data-check-id]")
    page.get_by_role("textbox", name="Claim", exact=True).fill(claim)
    previous = shown.first.get_attribute("data-check-id") if shown.count() else ""
    page.evaluate(_ARM_TIMER, previous)
    harness = submit_claim(page, claim, timeout_ms, filled=True, previous=previous)
    page.wait_for_function("() => window.__verifyTimer.shown", timeout=timeout_ms)
    clicked, shown_at = page.evaluate("() => [window.__verifyTimer.click, "
                                      "window.__verifyTimer.shown]")
    return harness, (shown_at - clicked) / 1000.0, clicked / 1000.0, shown_at / 1000.0


SAMPLE_ARTICLE = (
    "IS-K has killed 338 civilians in Pakistan since January 2017, according to CSIS. "
    "The group had about 800 fighters in 2018. When gunmen stormed the Jalalabad prison "
    "in August 2020 it held 17,000 prisoners. The weather in Kabul was pleasant that week."
)


def audit_text(page: Any, text: str, timeout_ms: int = 240_000) -> float:
    """Paste an article on the Audit page and wait for its report; returns seconds."""
    page.get_by_role("textbox", name="Article text", exact=True).fill(text)
    start = time.perf_counter()
    page.get_by_role("button", name="Audit pasted text").click()
    page.get_by_text("Claims checked", exact=True).first.wait_for(timeout=timeout_ms)
    wait_idle(page, timeout_ms)
    return time.perf_counter() - start


def screenshot_all(page: Any, base: str, out: Path, claim: str | None = None,
                   article: str | None = SAMPLE_ARTICLE) -> list[Path]:
    """Visit every page (after one check and one audit) and save full-page screenshots."""
    out.mkdir(parents=True, exist_ok=True)
    saved = []
    page.goto(base + "/")
    wait_for_app(page, "Check a claim")
    if claim:
        submit_claim(page, claim)
        wait_idle(page)
    target = out / "desk-check.png"
    full_screenshot(page, target)
    saved.append(target)
    titles = {"audit": "Audit articles", "sources": "Sources", "corpus": "Corpus",
              "history": "History"}
    for name, path in PAGES.items():
        if not path:
            continue
        page.goto(f"{base}/{path}")
        wait_for_app(page, titles[name])
        if name == "audit" and article:
            audit_text(page, article)
        target = out / f"desk-{name}.png"
        full_screenshot(page, target)
        saved.append(target)
    return saved


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "tests" / "artifacts"))
    parser.add_argument("--home", default=None, help="VERIFY_HOME (default: a temp folder)")
    parser.add_argument("--claim", default="IS-K killed 338 civilians in Pakistan since 2017")
    args = parser.parse_args(argv)
    if chromium_path() is None:
        print("chromium is not installed; apt-get install -y chromium", file=sys.stderr)
        return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as stack:
        home = Path(args.home) if args.home else Path(
            stack.enter_context(tempfile.TemporaryDirectory(prefix="verify-shots-")))
        base = stack.enter_context(desk_server(home, out / "streamlit.log"))
        page = stack.enter_context(browser_page())
        for path in screenshot_all(page, base, out, args.claim):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
