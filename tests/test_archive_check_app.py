"""The desk's Check page shows the best earlier fact-checks (from the workspace's archive,
scoring at least MATCH_THRESHOLD) above the evidence, as ``verify check`` does. AppTest on
a fake-model workspace."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from verify import Workspace  # noqa: E402
from verify.config import Settings  # noqa: E402
from verify.errors import WorkspaceError  # noqa: E402

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "check.py")
WS_KEY = "_vf_workspace"   # the desk's session key for the open workspace
CLAIM = "IS-K killed 338 civilians in Pakistan since January 2017"
FACT_CHECKS = (
    "claim,rating,organisation,date,url\n"
    f'"{CLAIM}",False,"Checker <i>One</i>",2020-03-25,https://one.example/isk\n'
    '"The moon is made of cheese",Pants on Fire,Checker Three,2019-01-01,'
    "https://three.example/moon\n")


def raw_blocks(at: AppTest) -> list[str]:
    """The page's markdown and HTML elements, in page order."""
    return [str(node.value) for node in at.main if node.type in ("markdown", "html")]


def markdown(at: AppTest) -> list[str]:
    return [html.unescape(b) for b in raw_blocks(at)]


def check(at: AppTest, claim: str) -> AppTest:
    at.text_area(key="claim").input(claim)
    next(b for b in at.button if b.label == "Check claim").click()
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def workspace(fake_settings: Settings, tmp_path: Path) -> Any:
    ws = Workspace.in_memory(fake_settings)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "isk.txt").write_text(
        "Title: IS-K profile\nURL: https://thinktank.org/isk\nDate: 2019-11-01\n\n"
        f"{CLAIM}. A CSIS estimate put IS-K at about 800 fighters in 2018.\n", encoding="utf-8")
    ws.ingest([corpus])
    yield ws
    ws.close()


def open_page(ws: Any) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[WS_KEY] = ws
    at.run()
    assert not at.exception, at.exception
    return at


def test_a_matched_claim_shows_its_earlier_fact_check_above_the_evidence(workspace: Any) -> None:
    workspace.import_fact_checks(text=FACT_CHECKS, name="desk.csv")
    at = check(open_page(workspace), CLAIM)
    blocks = markdown(at)
    earlier = [i for i, b in enumerate(blocks) if 'class="vf-earlier"' in b]
    assert len(earlier) == 1          # the moon fact-check is far below the threshold
    shown = blocks[earlier[0]]
    assert "<b>False</b>" in shown and 'data-verdict="REFUTED"' in shown
    assert re.search(r'<a href="https://one\.example/isk"[^>]*>Checker &lt;i&gt;One&lt;/i&gt;</a>',
                     raw_blocks(at)[earlier[0]]), shown   # linked, the name escaped
    assert "2020-03-25" in shown
    score = float(re.search(r"match score (\d\.\d\d)", shown).group(1))  # type: ignore[union-attr]
    assert score >= 0.5
    assert "Checked before" in blocks[earlier[0] - 1]
    verdict = next(i for i, b in enumerate(blocks) if "data-check-id=" in b)
    evidence = [i for i, b in enumerate(blocks) if "vf-title" in b and "thinktank.org" in b]
    assert evidence and verdict < earlier[0] < min(evidence)


def test_no_earlier_fact_check_when_nothing_clears_the_threshold(workspace: Any) -> None:
    workspace.import_fact_checks(text=FACT_CHECKS.splitlines()[0] + "\n"
                                 + FACT_CHECKS.splitlines()[2] + "\n", name="moon.csv")
    at = check(open_page(workspace), CLAIM)
    assert any("data-check-id=" in b for b in markdown(at))
    assert not any("vf-earlier" in b or "Checked before" in b for b in markdown(at))


def test_a_new_claim_clears_the_previous_claims_fact_checks(workspace: Any) -> None:
    workspace.import_fact_checks(text=FACT_CHECKS, name="desk.csv")
    at = check(open_page(workspace), CLAIM)
    assert any("vf-earlier" in b for b in markdown(at))
    check(at, "A CSIS estimate put IS-K at about 800 fighters in 2018")
    assert not any("vf-earlier" in b for b in markdown(at))


def test_an_archive_that_fails_leaves_the_verdict_and_says_why(
        workspace: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace.import_fact_checks(text=FACT_CHECKS, name="desk.csv")

    def broken(*_: Any, **__: Any) -> list[Any]:
        raise WorkspaceError("archive index is damaged")

    monkeypatch.setattr(type(workspace), "match", broken)
    at = check(open_page(workspace), CLAIM)
    assert any("data-check-id=" in b for b in markdown(at))
    errors = " ".join(str(e.value) for e in at.error)
    assert "archive index is damaged" in errors, errors
    assert not any("vf-earlier" in b for b in markdown(at))


def test_a_check_reopened_from_history_gets_its_own_fact_checks(workspace: Any) -> None:
    workspace.import_fact_checks(text=FACT_CHECKS, name="desk.csv")
    matched = workspace.check(CLAIM)
    other = workspace.check("A CSIS estimate put IS-K at about 800 fighters in 2018")
    at = check(open_page(workspace), CLAIM)
    assert any("vf-earlier" in b for b in markdown(at))
    at.session_state["check_result"] = workspace.load_check(other.check_id)   # as History does
    at.run()
    assert any(f'data-check-id="{other.check_id}"' in b for b in markdown(at))
    assert not any("vf-earlier" in b for b in markdown(at))   # not the last claim's
    at.session_state["check_result"] = workspace.load_check(matched.check_id)
    at.run()
    assert any("https://one.example/isk" in b for b in markdown(at) if "vf-earlier" in b)
