"""Desk forms never save stale values (issue 20, item 10).

Every desk form edits one object (a check, a source). When the page moves to
another object, the form must start from that object's values, show what it
will save, and save exactly that; an input error clears the previous result.
Driven with AppTest on the fake models (fast): the demo corpus is ingested once
per module with the fake embedder and stance model, and the desk opens it with
the same fake settings.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

import verify.workspace as workspace_mod  # noqa: E402
from tests.test_app import open_app  # noqa: E402
from verify.config import Settings  # noqa: E402

REFUTED_CLAIM = "The Jalalabad prison held 17,000 prisoners"
SUPPORTED_CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"


def _fake_settings() -> Settings:
    """The settings every workspace opens with in these tests: the fake models."""
    return Settings(embedder="fake", stance_model="fake")


@pytest.fixture(scope="module")
def fake_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VERIFY_HOME whose default workspace holds the demo corpus and ratings (fake models)."""
    from verify.demo import ensure_demo_workspace

    home = tmp_path_factory.mktemp("desk-forms-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workspace_mod, "Settings", _fake_settings)
        ensure_demo_workspace(home / "demo").close()
    return home


@pytest.fixture
def desk(fake_home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The desk on the fake-model demo workspace, Check page loaded."""
    monkeypatch.setattr(workspace_mod, "Settings", _fake_settings)
    monkeypatch.setenv("VERIFY_BUILD_DEMO", "0")
    return open_app(fake_home, monkeypatch)


def _open(home: Path):
    """The test's own connection to the desk's workspace (closed by the caller)."""
    return workspace_mod.Workspace.open(home / "demo", settings=_fake_settings())


def page_html(at: AppTest) -> str:
    """Everything rendered as markdown/HTML, entities decoded."""
    return html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html]))


def verdict_shown(at: AppTest) -> str | None:
    """The verdict badge on the page, if any."""
    found = re.search(r'data-verdict="([^"]+)"', page_html(at))
    return found.group(1) if found else None


def widget(group, label: str):  # noqa: ANN001 - an AppTest element list
    """The one widget of ``group`` with ``label`` (keys differ per edited object)."""
    found = [w for w in group if w.label == label]
    assert len(found) == 1, f"expected one {label!r}, found {len(found)}"
    return found[0]


def keyed(group, field: str):  # noqa: ANN001 - an AppTest element list
    """The one widget of ``group`` for form field ``field`` (its key starts with it)."""
    found = [w for w in group if w.key == field or str(w.key or "").startswith(field + "::")]
    assert len(found) == 1, f"expected one {field!r} widget, found {len(found)}"
    return found[0]


def click(at: AppTest, label: str) -> AppTest:
    """Press the button ``label`` and run the script."""
    widget(at.button, label).click()
    at.run()
    assert not at.exception, at.exception
    return at


def run_check(at: AppTest, claim: str) -> AppTest:
    """Type ``claim`` and press *Check claim*."""
    at.text_area(key="claim").input(claim)
    return click(at, "Check claim")


def go(at: AppTest, page: str) -> AppTest:
    """Switch to ``page`` and run it."""
    at.switch_page(page)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(group) -> str:  # noqa: ANN001
    """All values of an AppTest element list, joined."""
    return "\n".join(str(e.value) for e in group)


# ---- Check page: the review form follows the check on screen -------------------------

def test_review_form_starts_from_the_new_checks_verdict_and_records_it(
        desk: AppTest, fake_home: Path) -> None:
    run_check(desk, REFUTED_CLAIM)
    first = desk.session_state["check_result"]
    assert widget(desk.selectbox, "Verdict").value == first.verdict
    run_check(desk, SUPPORTED_CLAIM)
    second = desk.session_state["check_result"]
    assert second.check_id != first.check_id
    assert first.verdict != second.verdict, "the two claims must get different verdicts"
    assert verdict_shown(desk) == second.verdict
    # the form shows the check on screen, not the previous one
    assert widget(desk.selectbox, "Verdict").value == second.verdict
    widget(desk.text_input, "Your name").input("Amina Forms")
    desk.run()
    assert (f"Will record: verdict {second.verdict} (confirms the tool) on check "
            f"{second.check_id}, by Amina Forms") in page_html(desk)
    click(desk, "Record review")
    assert any("confirmed by Amina Forms" in str(s.value) for s in desk.success), \
        texts(desk.success)
    from verify.checks.records import list_checks

    with _open(fake_home) as ws:
        rows = {r["check_id"]: r for r in list_checks(ws, limit=500)}
    assert rows[second.check_id]["reviewed_verdict"] == second.verdict
    assert rows[second.check_id]["reviewer"] == "Amina Forms"
    assert rows[first.check_id]["reviewed_verdict"] is None


def test_review_override_on_one_check_does_not_carry_to_the_next(
        desk: AppTest, fake_home: Path) -> None:
    run_check(desk, SUPPORTED_CLAIM)
    widget(desk.selectbox, "Verdict").set_value("CONFLICTING")
    widget(desk.text_input, "Your name").input("Bo Forms")
    desk.run()
    first = desk.session_state["check_result"]
    run_check(desk, REFUTED_CLAIM)
    second = desk.session_state["check_result"]
    assert widget(desk.selectbox, "Verdict").value == second.verdict
    assert widget(desk.text_area, "Note").value in ("", None)
    # the person is the same: the name carries over, and the line says so
    assert widget(desk.text_input, "Your name").value == "Bo Forms"
    assert f"on check {second.check_id}, by Bo Forms" in page_html(desk)
    click(desk, "Record review")
    from verify.checks.records import list_checks

    with _open(fake_home) as ws:
        rows = {r["check_id"]: r for r in list_checks(ws, limit=500)}
    assert rows[second.check_id]["reviewed_verdict"] == second.verdict
    assert rows[second.check_id]["reviewer"] == "Bo Forms"
    assert rows[first.check_id]["reviewed_verdict"] is None


def test_review_form_resets_after_a_review_and_shows_it(desk: AppTest, fake_home: Path) -> None:
    run_check(desk, SUPPORTED_CLAIM)
    result = desk.session_state["check_result"]
    widget(desk.selectbox, "Verdict").set_value("REFUTED")
    widget(desk.text_input, "Your name").input("Fay Forms")
    widget(desk.text_area, "Note").input("CSIS revised the figure")
    click(desk, "Record review")
    assert any(f"Review recorded on check {result.check_id}: verdict overridden to REFUTED "
               "by Fay Forms" in str(s.value) for s in desk.success), texts(desk.success)
    assert "Reviewed 1×; latest: REFUTED by Fay Forms" in texts(desk.caption)
    # a fresh form: the note is not offered again, the default is the tool's verdict
    assert widget(desk.text_area, "Note").value in ("", None)
    assert widget(desk.selectbox, "Verdict").value == result.verdict
    assert widget(desk.text_input, "Your name").value == "Fay Forms"


def test_a_check_reopened_from_history_gets_its_own_review_form(desk: AppTest) -> None:
    run_check(desk, REFUTED_CLAIM)
    first = desk.session_state["check_result"]
    run_check(desk, SUPPORTED_CLAIM)
    widget(desk.selectbox, "Verdict").set_value("CONFLICTING")
    desk.run()
    go(desk, "app_pages/history.py")
    desk.selectbox(key="history_check_pick").set_value(first.check_id)
    click(desk, "Open in Check page")
    assert desk.session_state["check_result"].check_id == first.check_id
    assert widget(desk.selectbox, "Verdict").value == first.verdict
    assert f"Will record: verdict {first.verdict} (confirms the tool) on check " \
           f"{first.check_id}" in page_html(desk)


def test_review_form_says_what_it_will_record(desk: AppTest) -> None:
    run_check(desk, SUPPORTED_CLAIM)
    result = desk.session_state["check_result"]
    widget(desk.text_input, "Your name").input("Cy <b>Forms</b>")
    widget(desk.selectbox, "Verdict").set_value("REFUTED")
    desk.run()
    assert (f"Will record: verdict REFUTED (overrides the tool's {result.verdict}) on check "
            f"{result.check_id}, by Cy <b>Forms</b>") in page_html(desk)
    assert "<b>Forms</b>" not in "\n".join(str(m.value) for m in desk.markdown)  # escaped


# ---- Check page: an error clears the previous verdict --------------------------------

@pytest.mark.parametrize("bad_claim, message", [
    ("   ", "Type a claim"),
    ("IS-K killed civilians. " * 100, "characters long"),
])
def test_an_input_error_clears_the_previous_verdict(desk: AppTest, bad_claim: str,
                                                   message: str) -> None:
    run_check(desk, SUPPORTED_CLAIM)
    assert verdict_shown(desk) == "SUPPORTED"
    run_check(desk, bad_claim)
    assert message in texts(desk.warning) + texts(desk.error)
    assert verdict_shown(desk) is None
    assert "check_result" not in desk.session_state or desk.session_state["check_result"] is None
    assert not [b for b in desk.button if b.label == "Record review"]


# ---- Sources page: the rating form follows the selected source ----------------------

def _search(at: AppTest, text: str) -> AppTest:
    """Type ``text`` into the Sources search."""
    at.text_input(key="sources_q").input(text)
    at.run()
    assert not at.exception, at.exception
    return at


def _snapped(value: float) -> float:
    """``value`` on the rating slider's 0.05 grid."""
    return round(round(value / 0.05) * 0.05, 2)


def test_rating_slider_follows_the_source_the_search_selects(
        desk: AppTest, fake_home: Path) -> None:
    go(desk, "app_pages/sources.py")
    _search(desk, "globewire")
    assert desk.selectbox(key="source_pick").value == "globewire-news.com"
    widget(desk.slider, "Reliability").set_value(0.3)
    desk.run()
    assert widget(desk.slider, "Reliability").value == pytest.approx(0.3)
    _search(desk, "blogverse")
    assert desk.selectbox(key="source_pick").value == "blogverse.net"
    with _open(fake_home) as ws:
        current = _snapped(ws.reliability("blogverse.net").value)
        before = len(ws.sources.history("blogverse.net"))
        globewire_before = len(ws.sources.history("globewire-news.com"))
    shown = widget(desk.slider, "Reliability").value
    assert shown == pytest.approx(current), "the slider kept the previous source's value"
    assert f"Will save: blogverse.net rated {current:.2f}" in page_html(desk)
    keyed(desk.text_input, "rate_by").input("Dee Forms")
    keyed(desk.text_area, "rate_rationale").input("No editorial oversight")
    click(desk, "Save rating")
    with _open(fake_home) as ws:
        history = ws.sources.history("blogverse.net")
        globewire_after = len(ws.sources.history("globewire-news.com"))
    assert len(history) == before + 1
    assert float(history[-1].reliability) == pytest.approx(shown)
    assert history[-1].rater == "Dee Forms"
    assert globewire_after == globewire_before


def test_rating_form_resets_after_a_save(desk: AppTest, fake_home: Path) -> None:
    go(desk, "app_pages/sources.py")
    _search(desk, "riversidegazette")
    widget(desk.slider, "Reliability").set_value(0.45)
    keyed(desk.text_input, "rate_by").input("Ed Forms")
    keyed(desk.text_area, "rate_rationale").input("Two corrections missing")
    click(desk, "Save rating")
    assert any("saved" in str(s.value) for s in desk.success)
    # a second rating needs its own rationale: the saved one is not offered again
    assert keyed(desk.text_area, "rate_rationale").value in ("", None)
    assert keyed(desk.text_input, "rate_by").value == "Ed Forms"
