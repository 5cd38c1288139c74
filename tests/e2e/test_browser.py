"""The desk in a real browser: `streamlit run app.py` driven by Playwright + system Chromium.

Skips cleanly when Chromium or Playwright is missing. Prints the time from
submitting a claim to its verdict rendering (after a warm-up check); with
VERIFY_SCREENSHOTS=1 it also saves a screenshot of every page to tests/artifacts/.
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.real]


def _harness():
    spec = importlib.util.spec_from_file_location("verify_desk_screens",
                                                  ROOT / "scripts" / "screenshots.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


shots = _harness()

if shots.chromium_path() is None:
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="module")
def server(home: Path, tmp_path_factory: pytest.TempPathFactory):
    """The desk on a free port with a fresh VERIFY_HOME (first page load builds the demo).

    It may read server folders under this run's pytest temp folder (VERIFY_DESK_ROOTS),
    where the tests write the documents they ingest through the *Folder path* tab. It keeps
    its workspace open between runs, as by default (tests that open the workspace here wait
    for it, and the desk lets go at once).
    """
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("VERIFY_DESK_ROOTS", str(tmp_path_factory.getbasetemp()))
        mp.delenv("VERIFY_DESK_KEEP_S", raising=False)
        with shots.desk_server(home, ARTIFACTS / "streamlit-e2e.log") as base:
            yield base


def _library_check_seconds(home: Path, claim: str, repeats: int = 3) -> float:
    """Best-of-n time of the library's own check on the same workspace (baseline)."""
    from verify.workspace import Workspace

    best = float("inf")
    with Workspace.open(home / "demo") as ws:
        ws.check(claim, save=False)  # warm this process's models
        for _ in range(repeats):
            started = time.perf_counter()
            ws.check(claim, save=False)
            best = min(best, time.perf_counter() - started)
    return best


@pytest.fixture(scope="module")
def page(server: str):
    with shots.browser_page() as pg:
        started = time.perf_counter()
        pg.goto(server + "/")
        shots.wait_for_app(pg, "Check a claim")
        print(f"\nfirst load (builds the demo workspace): {time.perf_counter() - started:.1f} s")
        yield pg


def test_claim_gets_verdict_and_evidence_in_browser(page, server: str, home: Path) -> None:
    warm = shots.submit_claim(page, "CSIS estimated IS-K had roughly 800 fighters in 2018",
                              timeout_ms=120_000)
    shots.wait_idle(page)
    claim = "IS-K killed 338 civilians in Pakistan since 2017"
    times = []
    for _ in range(3):
        times.append(shots.submit_claim(page, claim))
        shots.wait_idle(page)
    baseline = _library_check_seconds(home, claim)
    best = min(times)
    print(f"\nwarm-up check (submit -> verdict): {warm:.2f} s")
    print(f"{'measure':<44}{'seconds':>9}")
    print(f"{'browser: submit -> verdict rendered (best of 3)':<44}{best:>9.2f}")
    print(f"{'browser: all three runs':<44}{', '.join(f'{t:.2f}' for t in times):>9}")
    print(f"{'library: ws.check alone (best of 3)':<44}{baseline:>9.2f}")
    print(f"{'ratio browser / library':<44}{best / baseline:>9.2f}")
    print("target: <= 1.5 s submit -> verdict on the demo corpus, model warm")
    badge = page.locator("[data-verdict]").first
    assert badge.get_attribute("data-verdict") == "SUPPORTED"
    body = page.inner_text("body")
    assert "Supporting (" in body
    assert "338" in " ".join(page.locator("mark").all_inner_texts())
    cards = page.locator(".vf-card")      # one bordered card per passage, as raw HTML
    assert cards.count() >= 1 and cards.first.locator("mark").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "browser-check.png"), full_page=True)


def test_inflated_claim_is_refuted_in_browser(page) -> None:
    claim = "IS-K killed more than 3,000 civilians in Pakistan since 2017"
    elapsed = shots.submit_claim(page, claim)
    print(f"\nsubmit -> verdict rendered (inflated claim): {elapsed:.2f} s")
    shots.wait_idle(page)
    assert page.locator("[data-verdict]").first.get_attribute("data-verdict") == "REFUTED"
    assert "mismatch" in page.inner_text("body")


def test_review_form_follows_the_check_on_screen_in_browser(page, home: Path) -> None:
    """Issue 20 item 10 in Chromium: after a REFUTED check, confirming the SUPPORTED
    338-civilians check must record SUPPORTED for that check (the form used to keep
    the previous check's REFUTED and record "overridden to REFUTED")."""
    from verify.checks.records import list_checks
    from verify.workspace import Workspace

    shots.submit_claim(page, "IS-K killed more than 3,000 civilians in Pakistan since 2017")
    shots.wait_idle(page)
    verdict_box = page.get_by_role("combobox", name="Verdict")
    assert verdict_box.input_value() == "REFUTED"
    claim = "IS-K killed 338 civilians in Pakistan since 2017"
    shots.submit_claim(page, claim)
    shots.wait_idle(page)
    check_id = page.locator("[data-check-id]").first.get_attribute("data-check-id")
    assert page.locator("[data-verdict]").first.get_attribute("data-verdict") == "SUPPORTED"
    assert verdict_box.input_value() == "SUPPORTED"
    will = page.locator('[data-will-save="review"]')
    assert f"Will record: verdict SUPPORTED (confirms the tool) on check {check_id}" \
        in will.inner_text()
    page.get_by_role("textbox", name="Your name").fill("Browser Desk")
    page.get_by_role("button", name="Record review").click()
    page.get_by_text(f"Review recorded on check {check_id}: verdict confirmed by Browser Desk"
                     ).wait_for(timeout=60_000)
    shots.wait_idle(page)
    with Workspace.open(home / "demo") as ws:
        rows = {r["check_id"]: r for r in list_checks(ws, limit=500)}
    assert rows[check_id]["reviewed_verdict"] == "SUPPORTED"
    assert rows[check_id]["reviewer"] == "Browser Desk"
    assert "Traceback" not in page.inner_text("body")


@pytest.mark.skipif(os.environ.get("VERIFY_SCREENSHOTS") != "1",
                    reason="set VERIFY_SCREENSHOTS=1 to save a screenshot of every page")
def test_screenshot_every_page(page, server: str) -> None:
    saved = shots.screenshot_all(page, server, ARTIFACTS,
                                 claim="IS-K killed more than 3,000 civilians in Pakistan since 2017")
    for path in saved:
        assert path.stat().st_size > 10_000, path
    print("\n" + "\n".join(str(p) for p in saved))


def test_hostile_document_is_inert_text_in_browser(page, server: str, tmp_path) -> None:
    """A document with <script> and <img onerror> is ingested and shown as text; nothing runs."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    doc = tmp_path / "hostile.md"
    doc.write_text(
        "---\ntitle: \"Quarry <img src=x onerror=alert('title')> report\"\n"
        "url: https://hostile.example/quarry\ndate: 2020-08-09\n---\n\n"
        "The Zelborn quarry produced 4,417 tonnes of basalt in 2020 "
        "<script>alert('body')</script> <img src=x onerror=alert('img')> said its owner.\n",
        encoding="utf-8")
    page.goto(server + "/corpus")
    shots.wait_for_app(page, "Corpus")
    page.get_by_role("tab", name="Folder path").click()
    page.get_by_role("textbox", name="Folder or file path on the server").fill(str(doc))
    page.get_by_role("button", name="Ingest folder").click()
    page.get_by_text("Last ingest").wait_for(timeout=120_000)
    shots.wait_idle(page)
    page.goto(server + "/")
    shots.wait_for_app(page, "Check a claim")
    shots.submit_claim(page, "The Zelborn quarry produced 4,417 tonnes of basalt in 2020")
    shots.wait_idle(page)
    texts = []
    for name in ("Supporting", "Refuting", "Related"):
        page.get_by_role("tab", name=re.compile(f"^{name} ")).click()
        texts.append(page.inner_text("body"))
    body = "\n".join(texts)
    assert "<script>alert('body')</script>" in body
    assert "<img src=x onerror=alert('img')>" in body
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_learned_verdicts_tab_in_browser(page, server: str) -> None:
    """History → Learned verdicts renders; learning with too few reviews says what it needs."""
    page.goto(server + "/history")
    shots.wait_for_app(page, "History")
    page.get_by_role("tab", name="Learned verdicts").click()
    page.get_by_text("Reviewed checks in this workspace").wait_for(timeout=60_000)
    page.get_by_role("button", name="Learn from reviews").click()
    page.get_by_text("at least 60 reviewed checks").wait_for(timeout=60_000)
    body = page.inner_text("body")
    assert "Traceback" not in body
    assert "No verdict head learned yet" in body


def test_past_verdicts_import_in_browser(page, server: str, tmp_path) -> None:
    """History → Learned verdicts → Import past verdicts: an uploaded CSV is checked and
    reviewed; a row with a rating verify cannot read is named by its line."""
    archive = tmp_path / "desk-archive.csv"
    archive.write_text("claim,verdict\n"
                       "IS-K killed 338 civilians in Pakistan since 2017,True\n"
                       "The Jalalabad prison held 17000 prisoners,Pants on Fire\n"
                       "IS-K had about 800 fighters in 2018,Misleading\n", encoding="utf-8")
    page.goto(server + "/history")
    shots.wait_for_app(page, "History")
    page.get_by_role("tab", name="Learned verdicts").click()
    page.get_by_text("Import past verdicts (your archive of fact-checks)").click()
    page.locator("input[type=file]").set_input_files(str(archive))
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported 2 past verdicts").wait_for(timeout=120_000)
    body = page.inner_text("body")
    assert "REFUTED 1, SUPPORTED 1" in body
    assert "desk-archive.csv:4: rating 'Misleading' has no verify verdict" in body
    assert "Traceback" not in body


def test_history_groups_repeated_checks_in_browser(page, server: str) -> None:
    """History lists one row per claim (the 338-civilians claim was checked several times
    above); a reopened run shows its confidence sentence and its reviews."""
    page.goto(server + "/history")
    shots.wait_for_app(page, "History")
    caption = page.get_by_text(re.compile(r"\d+ claim\(s\) from \d+ check\(s\)"))
    caption.wait_for(timeout=60_000)
    counts = re.search(r"(\d+) claim\(s\) from (\d+) check\(s\); (\d+) claim\(s\) checked "
                       r"more than once", caption.inner_text())
    assert counts is not None, caption.inner_text()
    assert int(counts.group(1)) < int(counts.group(2)) and int(counts.group(3)) >= 1
    page.get_by_role("button", name="Open in Check page").click()
    shots.wait_for_app(page, "Check a claim")
    page.locator("[data-check-id]").first.wait_for(timeout=60_000)
    assert page.locator(".vf-confidence-why").first.inner_text().strip()
    body = page.inner_text("body")
    assert "Not reviewed yet." in body or "Reviewed " in body
    assert "Traceback" not in body


def test_document_browser_previews_and_saves_an_edit_in_browser(page, server: str,
                                                                 home: Path) -> None:
    """Corpus → Documents: the open document's Edit tab says what will be saved while the URL
    is typed (nothing written yet), then Save changes writes it (last: it edits the corpus)."""
    from verify.workspace import Workspace

    page.goto(server + "/corpus")
    shots.wait_for_app(page, "Corpus")
    opened = page.locator("[data-document-id]").first
    opened.wait_for(timeout=60_000)
    doc_id = int(opened.get_attribute("data-document-id") or 0)
    with Workspace.open(home / "demo") as ws:
        before = ws.document(doc_id)
    page.get_by_role("tab", name="Edit or remove").click()
    box = page.get_by_role("textbox", name="URL", exact=True)
    box.fill("https://www.example-moved.org/browser")
    box.press("Enter")
    will = page.locator('[data-will-save="document"]')
    will.wait_for(timeout=60_000)
    assert (f"Will save on document #{doc_id}: url: {before.url or '(none)'} → "
            "https://www.example-moved.org/browser") in will.inner_text()
    with Workspace.open(home / "demo") as ws:
        assert ws.document(doc_id).url == before.url  # a preview writes nothing
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text(f"Saved: document {doc_id}: url:").wait_for(timeout=120_000)
    shots.wait_idle(page)
    with Workspace.open(home / "demo") as ws:
        after = ws.document(doc_id)
        assert (after.url, after.source) == ("https://www.example-moved.org/browser",
                                             "example-moved.org")
        assert ws.index_status().in_sync
    assert "Traceback" not in page.inner_text("body")
