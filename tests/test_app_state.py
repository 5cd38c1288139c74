"""A desk that shows its state (issue 23), through AppTest on the fake models (fast tier).

Reviews wherever a check is shown (a check reopened from History, an audited claim), reviews
recorded from the Audit page, repeated checks of one claim grouped in History, the document
browser (filter, open, edit, remove), unrated sources with a rate action, confidence in one
sentence, and the ClaimReview download disabled with the reason while nothing is reviewed.
The demo corpus is ingested once per module with the fake models, copied per test where a
test changes the corpus.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

import verify.workspace as workspace_mod  # noqa: E402
from tests.test_app import open_app  # noqa: E402
from verify.config import Settings  # noqa: E402
from verify.explain import explain_confidence  # noqa: E402

CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"
ARTICLE = ("The Jalalabad prison held 17,000 prisoners before the attack. "
           "IS-K killed 338 civilians in Pakistan since 2017, officials said.")


def _fake_settings() -> Settings:
    return Settings(embedder="fake", stance_model="fake")


@pytest.fixture(scope="module")
def built_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A VERIFY_HOME with the demo workspace on the fake models (built once)."""
    from verify.demo import ensure_demo_workspace

    home = tmp_path_factory.mktemp("desk-state-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workspace_mod, "Settings", _fake_settings)
        ensure_demo_workspace(home / "demo").close()
    return home


@pytest.fixture
def home(built_home: Path, tmp_path: Path) -> Path:
    """A copy of the built home for one test (tests write checks, reviews and edits)."""
    target = tmp_path / "desk-home"
    shutil.copytree(built_home, target)
    return target


@pytest.fixture
def desk(home: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The desk on the test's copy of the demo workspace, Check page loaded."""
    monkeypatch.setattr(workspace_mod, "Settings", _fake_settings)
    monkeypatch.setenv("VERIFY_BUILD_DEMO", "0")
    return open_app(home, monkeypatch)


def _open(home: Path) -> workspace_mod.Workspace:
    return workspace_mod.Workspace.open(home / "demo", settings=_fake_settings())


def page_html(at: AppTest) -> str:
    return html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html]))


def texts(group) -> str:  # noqa: ANN001
    return "\n".join(str(e.value) for e in group)


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def button(at: AppTest, label: str, key_start: str | None = None):  # noqa: ANN201
    found = [b for b in at.button if b.label == label
             and (key_start is None or str(b.key or "").startswith(key_start))]
    assert len(found) == 1, f"expected one {label!r} button, found {len(found)}"
    return found[0]


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return run(at)


def run_check(at: AppTest, claim: str) -> AppTest:
    at.text_area(key="claim").input(claim)
    button(at, "Check claim").click()
    return run(at)


def frame_with(at: AppTest, column: str):  # noqa: ANN201
    """The one dataframe on the page with ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"expected one table with {column!r}, found {len(found)}"
    return found[0]


# ---- 6: confidence in one sentence ---------------------------------------------------------

def test_the_check_page_explains_the_confidence_next_to_it(desk: AppTest) -> None:
    run_check(desk, CLAIM)
    result = desk.session_state["check_result"]
    sentence = explain_confidence(result)
    shown = page_html(desk)
    assert f'<div class="vf-meta vf-confidence-why">{sentence}</div>' in shown
    assert shown.index("vf-confidence-why\">") < shown.index("class=\"vf-reason\"")


# ---- 1 and 3: History groups repeated checks; a reopened check shows its reviews -----------

def test_history_groups_repeated_checks_and_a_reopened_run_shows_its_reviews(
        desk: AppTest, home: Path) -> None:
    for text in (CLAIM, CLAIM + ".", "  " + CLAIM.lower()):
        run_check(desk, text)
    run_check(desk, "The Jalalabad prison held 17,000 prisoners")
    with _open(home) as ws:
        runs = ws.check_history().groups[1].runs
        assert len(runs) == 3
        first = runs[-1]
        ws.review(first.check_id, "REFUTED", "Amina State", "CSIS revised the figure")
        ws.review(first.check_id, "CONFLICTING", "Bo State", "two counts in print")
    go(desk, "app_pages/history.py")
    table = frame_with(desk, "runs")
    assert list(table["runs"]) == [1, 3]
    assert table["claim"].iloc[1] == CLAIM.lower()  # the latest run, as typed
    assert table["reviewed as"].iloc[1] == "CONFLICTING"
    assert "2 claim(s) from 4 check(s); 1 claim(s) checked more than once" in texts(desk.caption)
    latest = table["check id"].iloc[1]
    desk.selectbox(key="history_check_pick").set_value(latest)
    run(desk)
    assert any(e.label == "Earlier runs of this claim (2)" for e in desk.expander)
    picker = [s for s in desk.selectbox if str(s.key).startswith("history_run_pick::")]
    assert len(picker) == 1 and picker[0].value == latest
    picker[0].set_value(first.check_id)
    run(desk)
    button(desk, "Open in Check page").click()
    run(desk)
    assert desk.session_state["check_result"].check_id == first.check_id
    shown = page_html(desk)
    assert 'data-reviews="2"' in shown
    reviews = re.findall(r'<div class="vf-meta vf-review">([^<]+)</div>', shown)
    assert reviews[0].startswith("CONFLICTING (overrides ") and "by Bo State, " in reviews[0]
    assert reviews[0].endswith(": two counts in print")
    assert "REFUTED" in reviews[1] and reviews[1].endswith(": CSIS revised the figure")
    assert "Reviewed 2×; latest: CONFLICTING by Bo State" in texts(desk.caption)


def test_history_search_finds_a_group_by_a_reviewer_of_an_earlier_run(
        desk: AppTest, home: Path) -> None:
    run_check(desk, CLAIM)
    run_check(desk, CLAIM)
    with _open(home) as ws:
        earlier = ws.check_history().groups[0].runs[-1]
        ws.review(earlier.check_id, "SUPPORTED", "Zed Searcher")
    go(desk, "app_pages/history.py")
    desk.text_input(key="history_q").input("zed searcher")
    run(desk)
    assert list(frame_with(desk, "runs")["runs"]) == [2]


# ---- 1, 2 and 7: the Audit page shows reviews, records them, and says why ClaimReview is off --

def _audit(at: AppTest) -> AppTest:
    go(at, "app_pages/audit.py")
    at.text_area(key="audit_text").input(ARTICLE)
    button(at, "Audit pasted text").click()
    return run(at)


def claimreview_button(at: AppTest):  # noqa: ANN201
    found = [b for b in at.get("download_button") if b.proto.label == "ClaimReview"]
    assert len(found) == 1
    return found[0]


def test_audit_claims_are_reviewed_on_the_page_and_claimreview_waits_for_a_review(
        desk: AppTest, home: Path) -> None:
    _audit(desk)
    result = desk.session_state["audit_result"]
    claims = [c for _, c in result.claims() if c.check_id and c.verdict]
    assert claims, "the article must give at least one checked claim"
    # 7: nothing reviewed -> the ClaimReview download is disabled, and the page says why
    cr = claimreview_button(desk)
    assert cr.proto.disabled
    why = f"none of the {len([c for _, c in result.claims() if c.check_id])} checked claim"
    assert why in cr.proto.help and why in texts(desk.caption)
    # 2: the review form of the audit's claims (the Check page's form, keyed to the check)
    target = claims[-1]
    pick = [s for s in desk.selectbox if str(s.key).startswith("audit_review_pick::")]
    assert len(pick) == 1
    pick[0].set_value(target.check_id)
    run(desk)
    verdict = desk.selectbox(key=f"review_verdict::{target.check_id}::0")
    assert verdict.value == target.verdict
    other = "REFUTED" if target.verdict != "REFUTED" else "SUPPORTED"
    verdict.set_value(other)
    desk.text_input(key=f"review_name::{target.check_id}::0").input("Audit Reviewer")
    desk.text_area(key=f"review_note::{target.check_id}::0").input("the count was revised")
    run(desk)
    assert (f"Will record: verdict {other} (overrides the tool's {target.verdict}) on check "
            f"{target.check_id}, by Audit Reviewer") in page_html(desk)
    desk.button(key=f"review_save::{target.check_id}::0").click()
    run(desk)
    assert any(f"Review recorded on check {target.check_id}: verdict overridden to {other} "
               "by Audit Reviewer" in str(s.value) for s in desk.success), texts(desk.success)
    with _open(home) as ws:
        got = ws.reviews([target.check_id])[target.check_id]
    assert [(r.verdict, r.reviewer, r.note) for r in got] == [
        (other, "Audit Reviewer", "the count was revised")]
    # 1: the claim table and the claim's detail show the review; the form is a fresh one
    table = frame_with(desk, "reviewed")
    row = table[table["claim"] == target.claim_text]
    assert list(row["reviewed"]) == [other] and list(row["reviewer"]) == ["Audit Reviewer"]
    assert f"{other} (overrides {target.verdict}) by Audit Reviewer" in page_html(desk)
    assert desk.selectbox(key=f"review_verdict::{target.check_id}::1").value == target.verdict
    # 7: a reviewed claim -> ClaimReview is offered, with that claim in it
    cr = claimreview_button(desk)
    assert not cr.proto.disabled
    from verify.audit import claimreview_items

    items = claimreview_items(desk.session_state["audit_result"])
    assert [i["claimReviewed"] for i in items] == [target.claim_text]


def test_a_review_made_on_the_check_page_shows_on_the_audit_page(
        desk: AppTest, home: Path) -> None:
    _audit(desk)
    claim = next(c for _, c in desk.session_state["audit_result"].claims() if c.check_id)
    other = "CONFLICTING" if claim.verdict != "CONFLICTING" else "SUPPORTED"
    with _open(home) as ws:
        ws.review(claim.check_id, other, "Elsewhere Reviewer", "from the Check page")
    run(desk)
    assert f"{other} (overrides {claim.verdict})" in page_html(desk)
    assert "by Elsewhere Reviewer" in page_html(desk)
    assert not claimreview_button(desk).proto.disabled


# ---- 5: unrated corpus sources, with a rate action --------------------------------------------

def _add_document(home: Path, tmp_path: Path, name: str, front: str, text: str) -> None:
    """Ingest one markdown document into the test's workspace."""
    folder = tmp_path / f"new-{name}"
    folder.mkdir()
    (folder / f"{name}.md").write_text(f"---\n{front}\n---\n\n{text}\n", encoding="utf-8")
    with _open(home) as ws:
        assert ws.ingest([folder]).added == 1


def test_unrated_corpus_sources_are_listed_and_rated_from_the_sources_page(
        desk: AppTest, home: Path, tmp_path: Path) -> None:
    _add_document(home, tmp_path, "wheat", 'title: "Wheat prices"\n'
                  "url: https://news.unrated-example.org/wheat\ndate: 2020-06-01",
                  "Wheat prices rose by 12 percent in June.")
    _add_document(home, tmp_path, "blog", 'title: "A blog"\nsource: Nameless Outlet',
                  "The troops are leaving in weeks, my contacts say.")
    go(desk, "app_pages/sources.py")
    table = frame_with(desk, "weighed at")
    assert {"unrated-example.org", "nameless-outlet"} <= set(table["source"])
    row = table[table["source"] == "nameless-outlet"]
    assert list(row["rate"])[0].startswith("known only by name")
    pick = desk.selectbox(key="sources_unrated_pick")
    assert "nameless-outlet" not in pick.options  # nothing to store a rating under
    pick.set_value("unrated-example.org")
    run(desk)
    button(desk, "Rate").click()
    run(desk)
    assert desk.selectbox(key="source_pick").value == "unrated-example.org"
    assert "Will save: unrated-example.org rated" in page_html(desk)
    desk.text_input(key="rate_by::unrated-example.org::0").input("Rae Rater")
    desk.text_area(key="rate_rationale::unrated-example.org::0").input("A new trade outlet")
    desk.slider(key="rate_value::unrated-example.org::0").set_value(0.35)
    run(desk)
    desk.button(key="rate_save::unrated-example.org::0").click()
    run(desk)
    assert any("Rating 0.35 saved for unrated-example.org" in str(s.value)
               for s in desk.success), texts(desk.success)
    assert "unrated-example.org" not in set(frame_with(desk, "weighed at")["source"])
    with _open(home) as ws:
        assert ws.reliability("unrated-example.org").value == pytest.approx(0.35)


# ---- 4: the document browser on the Corpus page ----------------------------------------------

def test_corpus_document_browser_filters_opens_edits_and_removes(
        desk: AppTest, home: Path) -> None:
    with _open(home) as ws:
        everything = ws.list_documents(limit=100)
        counts: dict[str, int] = {}
        for r in everything.rows:
            counts[r.source or ""] = counts.get(r.source or "", 0) + 1
        source = max((s for s in counts if s), key=lambda s: counts[s])
        doc = next(r for r in everything.rows if r.source == source and r.url)
    go(desk, "app_pages/corpus.py")
    table = frame_with(desk, "ingested")
    assert len(table) == everything.total
    assert f"{everything.total} document(s) match" in texts(desk.caption)
    # filter by source, then by words of the title
    desk.multiselect(key="docs_sources").set_value([source])
    run(desk)
    assert set(frame_with(desk, "ingested")["source"]) == {source}
    assert len(frame_with(desk, "ingested")) == counts[source]
    desk.text_input(key="docs_q").input(str(doc.title)[:12])
    run(desk)
    assert doc.document_id in list(frame_with(desk, "ingested")["id"])
    # open it: its text and passages
    desk.selectbox(key="docs_pick").set_value(doc.document_id)
    run(desk)
    with _open(home) as ws:
        view = ws.document(doc.document_id)
    shown = page_html(desk)
    assert f'data-document-id="{doc.document_id}"' in shown
    assert view.text[:60] in shown
    passages = frame_with(desk, "passage id")
    assert list(passages["passage id"]) == [p.passage_id for p in view.passages]
    # edit the URL: the source follows, the passages are re-indexed
    revision = f"{view.url}|{view.source}|{view.published_date}"
    desk.text_input(key=f"doc_url::{doc.document_id}::{revision}").input(
        "https://www.example-moved.org/story")
    run(desk)
    assert (f"Will save on document #{doc.document_id}: url: {view.url} → "
            f"https://www.example-moved.org/story; source: {source} → example-moved.org"
            ) in page_html(desk)
    desk.button(key=f"doc_save::{doc.document_id}::{revision}").click()
    run(desk)
    assert any(f"Saved: document {doc.document_id}: url:" in str(s.value)
               and "re-indexed" in str(s.value) for s in desk.success), texts(desk.success)
    with _open(home) as ws:
        after = ws.document(doc.document_id)
        assert (after.url, after.source) == ("https://www.example-moved.org/story",
                                             "example-moved.org")
        assert ws.index_status().in_sync
    # a bad URL is refused on the page, nothing is saved
    revision = f"{after.url}|{after.source}|{after.published_date}"
    desk.multiselect(key="docs_sources").set_value([])
    run(desk)
    desk.selectbox(key="docs_pick").set_value(doc.document_id)
    run(desk)
    desk.text_input(key=f"doc_url::{doc.document_id}::{revision}").input("not a url")
    run(desk)
    assert "is not an http(s) address" in texts(desk.error)
    assert desk.button(key=f"doc_save::{doc.document_id}::{revision}").disabled
    # remove it (after the confirmation)
    assert desk.button(key=f"doc_remove::{doc.document_id}").disabled
    desk.checkbox(key=f"doc_remove_sure::{doc.document_id}").check()
    run(desk)
    desk.button(key=f"doc_remove::{doc.document_id}").click()
    run(desk)
    assert any(f"Removed document #{doc.document_id}" in str(s.value) for s in desk.success)
    with _open(home) as ws:
        assert ws.list_documents(limit=100).total == everything.total - 1
        assert ws.index_status().in_sync


def test_an_edit_is_not_sent_before_save_where_the_workspace_has_no_dry_run(
        desk: AppTest, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A workspace whose edit_document takes only the changes (the desk's remote client,
    whose server would apply a dry run as an edit) is called once, on Save."""
    real = workspace_mod.Workspace.edit_document
    calls: list[dict] = []

    def edit_without_dry_run(self, document_id: int, **changes):  # noqa: ANN001, ANN202
        calls.append(dict(changes))
        return real(self, document_id, **changes)

    monkeypatch.setattr(workspace_mod.Workspace, "edit_document", edit_without_dry_run)
    with _open(home) as ws:
        doc = next(r for r in ws.list_documents(limit=100).rows if r.url)
        view = ws.document(doc.document_id)
    go(desk, "app_pages/corpus.py")
    desk.selectbox(key="docs_pick").set_value(doc.document_id)
    run(desk)
    revision = f"{view.url}|{view.source}|{view.published_date}"
    desk.text_input(key=f"doc_url::{doc.document_id}::{revision}").input(
        "https://www.example-moved.org/other")
    run(desk)
    assert calls == []
    assert (f"Will save on document #{doc.document_id}: url: {view.url} → "
            "https://www.example-moved.org/other") in page_html(desk)
    desk.button(key=f"doc_save::{doc.document_id}::{revision}").click()
    run(desk)
    assert calls == [{"url": "https://www.example-moved.org/other"}]
    with _open(home) as ws:
        assert ws.document(doc.document_id).source == "example-moved.org"


# ---- the Check page's own ClaimReview download ------------------------------------------------

def check_claimreview_button(at: AppTest):  # noqa: ANN201
    found = [b for b in at.get("download_button") if b.proto.label == "ClaimReview"
             and str(b.proto.id).find("check_claimreview") >= 0]
    assert len(found) == 1, [b.proto.label for b in at.get("download_button")]
    return found[0]


def test_the_check_page_offers_its_claimreview_once_the_check_is_reviewed(
        desk: AppTest, home: Path) -> None:
    from verify.audit import check_claimreview_blocker, check_claimreview_items

    run_check(desk, CLAIM)
    result = desk.session_state["check_result"]
    cr = check_claimreview_button(desk)
    assert cr.proto.disabled
    why = check_claimreview_blocker(result, [])
    assert why is not None and "this check is not reviewed yet" in why
    assert why in cr.proto.help and why in texts(desk.caption).replace("\\", "")
    other = "REFUTED" if result.verdict != "REFUTED" else "SUPPORTED"
    desk.selectbox(key=f"review_verdict::{result.check_id}::0").set_value(other)
    desk.text_input(key=f"review_name::{result.check_id}::0").input("Cora Reviewer")
    run(desk)
    desk.button(key=f"review_save::{result.check_id}::0").click()
    run(desk)
    cr = check_claimreview_button(desk)
    assert not cr.proto.disabled
    assert why not in texts(desk.caption).replace("\\", "")
    with _open(home) as ws:
        reviews = ws.reviews([result.check_id])[result.check_id]
    items = check_claimreview_items(result, reviews)
    from verify.audit.reports import RATING_SCALE

    assert [(i["claimReviewed"], i["reviewRating"]["alternateName"], i["url"]) for i in items] \
        == [(result.claim, RATING_SCALE[other][1], f"urn:verify:check:{result.check_id}")]


def test_check_claimreview_rates_the_latest_review_and_is_empty_without_one() -> None:
    import datetime as dt

    from verify.audit import (
        check_claimreview_blocker,
        check_claimreview_items,
        render_check_claimreview,
    )
    from verify.history import Review
    from verify.types import CheckResult

    result = CheckResult(check_id="chk_1", claim="The bridge cost 4 million euros",
                         verdict="SUPPORTED", confidence=0.8, reason="", support_score=0.8,
                         refute_score=0.1, evidence=(), decisive_passage_ids=(),
                         claim_quantities=(), model_versions={},
                         created_at=dt.datetime(2024, 1, 1))

    def review(verdict: str, day: int, check_id: str = "chk_1") -> Review:
        return Review(f"v{day}", check_id, verdict, "SUPPORTED", "R", "",
                      dt.datetime(2024, 1, day))

    assert check_claimreview_items(result, []) == []
    assert render_check_claimreview(result, []) == "[]\n"
    assert "not reviewed yet" in (check_claimreview_blocker(result, []) or "")
    assert check_claimreview_blocker(result, [review("REFUTED", 2, "chk_other")])
    reviews = [review("SUPPORTED", 2), review("REFUTED", 5), review("CONFLICTING", 3)]
    assert check_claimreview_blocker(result, reviews) is None
    (item,) = check_claimreview_items(result, reviews, report_url="https://desk.example/r")
    assert item["datePublished"] == "2024-01-05"
    assert item["url"] == "https://desk.example/r#claim-chk_1"
    assert item["claimReviewed"] == "The bridge cost 4 million euros"
    from verify.audit.reports import RATING_SCALE

    assert item["reviewRating"]["ratingValue"] == RATING_SCALE["REFUTED"][0]
    unsaved = CheckResult(**{**result.__dict__, "check_id": ""})
    assert "not saved" in (check_claimreview_blocker(unsaved, reviews) or "")
