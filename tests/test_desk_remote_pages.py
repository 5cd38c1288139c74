"""The desk's Sources, Corpus, Audit and History pages on a server (VERIFY_SERVER), through
AppTest against a real `verify serve` on loopback (fake models): each action taken on a page
must reach the server, stamped with the signed-in user.

The demo workspace (plus one document from an unrated outlet) is built once per module; each
test serves a copy of it, so the tests do not see each other's writes.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("streamlit")
pytest.importorskip("uvicorn")
from streamlit.testing.v1 import AppTest  # noqa: E402

import verify.workspace as workspace_mod  # noqa: E402
from tests.test_desk_remote import serve  # noqa: E402
from verify.config import Settings  # noqa: E402

CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"
ARTICLE = ("The Jalalabad prison held 17,000 prisoners before the attack. "
           "IS-K killed 338 civilians in Pakistan since 2017, officials said.")
UNRATED = "unrated-example.org"
ROLES = ("reader", "checker", "editor")


def _fake_settings() -> Settings:
    return Settings(embedder="fake", stance_model="fake")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo workspace on the fake models, with a document from an unrated outlet."""
    from verify.demo import ensure_demo_workspace

    root = tmp_path_factory.mktemp("remote-pages")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(workspace_mod, "Settings", _fake_settings)
        ensure_demo_workspace(root / "demo").close()
    folder = root / "extra"
    folder.mkdir()
    (folder / "wheat.md").write_text(
        f'---\ntitle: "Wheat prices"\nurl: https://news.{UNRATED}/wheat\ndate: 2020-06-01\n---'
        "\n\nWheat prices rose by 12 percent in June.\n", encoding="utf-8")
    with workspace_mod.Workspace.open(root / "demo", settings=_fake_settings()) as ws:
        assert ws.ingest([folder], progress=False).added == 1
    return root / "demo"


@dataclass
class Served:
    url: str
    tokens: dict[str, str]
    ws: workspace_mod.Workspace  # the served workspace (read it to see what reached it)

    def actions(self, action: str) -> list[dict[str, Any]]:
        """The user log's entries for ``action``, newest first."""
        return self.ws.users.actions(action=action)


@pytest.fixture
def server(built: Path, tmp_path: Path) -> Iterator[Served]:
    """`verify serve` on a copy of the built workspace, a token per role."""
    target = tmp_path / "served"
    shutil.copytree(built, target)
    ws = workspace_mod.Workspace.open(target, settings=_fake_settings())
    tokens = {role: ws.users.add(f"{role}-person", role)[1] for role in ROLES}
    try:
        with serve(ws) as url:
            yield Served(url, tokens, ws)
    finally:
        ws.close()


def desk_as(server: Served, role: str, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The desk against ``server``, signed in with ``role``'s token (Check page)."""
    monkeypatch.setenv("VERIFY_SERVER", server.url)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"),
                           default_timeout=120)
    run(at)
    next(t for t in at.text_input if t.label == "or API token").input(server.tokens[role])
    next(b for b in at.button if b.label == "Sign in").click()
    run(at)
    assert f"{role}-person" in texts(at.caption).replace("\\", "")  # markdown escapes
    return at


def run(at: AppTest) -> AppTest:
    at.run()
    assert not at.exception, at.exception
    return at


def go(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    return run(at)


def page_html(at: AppTest) -> str:
    return html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html]))


def texts(group: Any) -> str:
    return "\n".join(str(e.value) for e in group)


def frame_with(at: AppTest, column: str) -> Any:
    """The one dataframe on the page with ``column``."""
    found = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(found) == 1, f"expected one table with {column!r}, found {len(found)}"
    return found[0]


def no_failure(at: AppTest) -> None:
    """Nothing on the page says an action failed or was refused."""
    assert not at.error, texts(at.error)
    assert not at.warning, texts(at.warning)
    assert "Traceback" not in page_html(at)


# ---- Sources: an unrated source rated from its row -------------------------------------------

def test_sources_rate_an_unrated_source_on_the_server(server: Served, monkeypatch) -> None:
    at = go(desk_as(server, "editor", monkeypatch), "app_pages/sources.py")
    no_failure(at)
    assert UNRATED in set(frame_with(at, "weighed at")["source"])
    at.selectbox(key="sources_unrated_pick").set_value(UNRATED)
    run(at)
    next(b for b in at.button if b.label == "Rate").click()
    run(at)
    assert at.selectbox(key="source_pick").value == UNRATED
    name = at.text_input(key=f"rate_by::{UNRATED}::0")
    assert name.value == "editor-person" and name.disabled  # the server stamps the user
    at.text_area(key=f"rate_rationale::{UNRATED}::0").input("A new trade outlet")
    at.slider(key=f"rate_value::{UNRATED}::0").set_value(0.35)
    run(at)
    assert f"Will save: {UNRATED} rated 0.35" in page_html(at)
    assert "by editor-person" in page_html(at)
    at.button(key=f"rate_save::{UNRATED}::0").click()
    run(at)
    no_failure(at)
    assert any(f"Rating 0.35 saved for {UNRATED}" in str(s.value) for s in at.success), \
        texts(at.success)
    assert "Sources in the corpus without a rating (0)" in [e.label for e in at.expander]
    history = server.ws.sources.history(UNRATED)
    assert [(e.rater, e.rationale) for e in history] == [("editor-person", "A new trade outlet")]
    assert server.ws.reliability(UNRATED).value == pytest.approx(0.35)
    logged = server.actions("sources.rate")[0]
    assert (logged["user"], logged["target"]) == ("editor-person", UNRATED)


def test_sources_a_checker_is_refused_a_rating(server: Served, monkeypatch) -> None:
    at = go(desk_as(server, "checker", monkeypatch), "app_pages/sources.py")
    at.selectbox(key="sources_unrated_pick").set_value(UNRATED)
    run(at)
    next(b for b in at.button if b.label == "Rate").click()
    run(at)
    at.text_area(key=f"rate_rationale::{UNRATED}::0").input("trying")
    run(at)
    at.button(key=f"rate_save::{UNRATED}::0").click()
    run(at)
    assert "Your role does not allow this: checker-person is a checker; an editor role or " \
           "above is needed" in texts(at.warning)
    assert server.ws.sources.history(UNRATED) == []


# ---- Corpus: the document browser (filter, open, edit with the server's preview, remove) -----

def test_corpus_browse_edit_and_remove_on_the_server(server: Served, monkeypatch) -> None:
    everything = server.ws.list_documents(limit=100)
    counts: dict[str, int] = {}
    for r in everything.rows:
        counts[r.source or ""] = counts.get(r.source or "", 0) + 1
    source = max((s for s in counts if s), key=lambda s: counts[s])
    doc = next(r for r in everything.rows if r.source == source and r.url and r.title)
    at = go(desk_as(server, "editor", monkeypatch), "app_pages/corpus.py")
    no_failure(at)
    assert len(frame_with(at, "ingested")) == everything.total
    # filter by source, then by words of the title
    at.multiselect(key="docs_sources").set_value([source])
    run(at)
    table = frame_with(at, "ingested")
    assert set(table["source"]) == {source} and len(table) == counts[source]
    at.text_input(key="docs_q").input(str(doc.title)[:12])
    run(at)
    assert doc.document_id in list(frame_with(at, "ingested")["id"])
    # open it
    at.selectbox(key="docs_pick").set_value(doc.document_id)
    run(at)
    view = server.ws.document(doc.document_id)
    assert f'data-document-id="{doc.document_id}"' in page_html(at)
    assert view.text[:60] in page_html(at)
    assert list(frame_with(at, "passage id")["passage id"]) == [p.passage_id for p in view.passages]
    # a new URL: the Will-save line is the server's dry run (the source follows the URL),
    # and nothing is saved before Save
    revision = f"{view.url}|{view.source}|{view.published_date}"
    at.text_input(key=f"doc_url::{doc.document_id}::{revision}").input(
        "https://www.example-moved.org/story")
    run(at)
    no_failure(at)
    assert (f"Will save on document #{doc.document_id}: url: {view.url} → "
            f"https://www.example-moved.org/story; source: {source} → example-moved.org"
            ) in page_html(at)
    assert server.ws.document(doc.document_id).url == view.url
    assert server.actions("documents.edit") == []
    at.button(key=f"doc_save::{doc.document_id}::{revision}").click()
    run(at)
    no_failure(at)
    assert any(f"Saved: document {doc.document_id}: url:" in str(s.value)
               and "re-indexed" in str(s.value) for s in at.success), texts(at.success)
    after = server.ws.document(doc.document_id)
    assert (after.url, after.source) == ("https://www.example-moved.org/story",
                                         "example-moved.org")
    edits = server.actions("documents.edit")
    assert len(edits) == 1 and (edits[0]["user"], edits[0]["target"]) == (
        "editor-person", str(doc.document_id))
    # a bad URL: the server's refusal shown, Save disabled, nothing sent
    revision = f"{after.url}|{after.source}|{after.published_date}"
    at.multiselect(key="docs_sources").set_value([])
    run(at)
    at.selectbox(key="docs_pick").set_value(doc.document_id)
    run(at)
    at.text_input(key=f"doc_url::{doc.document_id}::{revision}").input("not a url")
    run(at)
    assert "is not an http(s) address" in texts(at.error)
    assert at.button(key=f"doc_save::{doc.document_id}::{revision}").disabled
    # remove it, after the confirmation
    assert at.button(key=f"doc_remove::{doc.document_id}").disabled
    at.checkbox(key=f"doc_remove_sure::{doc.document_id}").check()
    run(at)
    at.button(key=f"doc_remove::{doc.document_id}").click()
    run(at)
    assert any(f"Removed document #{doc.document_id}" in str(s.value) for s in at.success), \
        texts(at.success)
    assert server.ws.list_documents(limit=100).total == everything.total - 1
    removed = server.actions("documents.remove")
    assert [(a["user"], a["target"]) for a in removed] == [("editor-person",
                                                            str(doc.document_id))]
    assert server.ws.index_status().in_sync


# ---- Audit: a claim reviewed from the claim list ---------------------------------------------

def claimreview_button(at: AppTest) -> Any:
    found = [b for b in at.get("download_button") if b.proto.label == "ClaimReview"]
    assert len(found) == 1
    return found[0]


def test_audit_claim_reviewed_from_the_list_on_the_server(server: Served, monkeypatch) -> None:
    at = go(desk_as(server, "checker", monkeypatch), "app_pages/audit.py")
    at.text_area(key="audit_text").input(ARTICLE)
    next(b for b in at.button if b.label == "Audit pasted text").click()
    run(at)
    no_failure(at)
    result = at.session_state["audit_result"]
    assert server.actions("audit")[0]["user"] == "checker-person"
    assert server.ws.load_audit(result.audit_id).audit_id == result.audit_id
    claims = [c for _, c in result.claims() if c.check_id and c.verdict]
    assert claims, "the article must give at least one checked claim"
    assert claimreview_button(at).proto.disabled
    target = claims[-1]
    pick = [s for s in at.selectbox if str(s.key).startswith("audit_review_pick::")]
    assert len(pick) == 1
    pick[0].set_value(target.check_id)
    run(at)
    other = "REFUTED" if target.verdict != "REFUTED" else "SUPPORTED"
    at.selectbox(key=f"review_verdict::{target.check_id}::0").set_value(other)
    name = at.text_input(key=f"review_name::{target.check_id}::0")
    assert name.value == "checker-person" and name.disabled
    at.text_area(key=f"review_note::{target.check_id}::0").input("the count was revised")
    run(at)
    assert (f"Will record: verdict {other} (overrides the tool's {target.verdict}) on check "
            f"{target.check_id}, by checker-person") in page_html(at)
    at.button(key=f"review_save::{target.check_id}::0").click()
    run(at)
    no_failure(at)
    assert any(f"Review recorded on check {target.check_id}: verdict overridden to {other} "
               "by checker-person" in str(s.value) for s in at.success), texts(at.success)
    got = server.ws.reviews([target.check_id])[target.check_id]
    assert [(r.verdict, r.reviewer, r.note) for r in got] == [
        (other, "checker-person", "the count was revised")]
    logged = server.actions("review")[0]
    assert (logged["user"], logged["target"]) == ("checker-person", target.check_id)
    table = frame_with(at, "reviewed")
    row = table[table["claim"] == target.claim_text]
    assert list(row["reviewed"]) == [other] and list(row["reviewer"]) == ["checker-person"]
    assert not claimreview_button(at).proto.disabled


# ---- History: repeated checks grouped; an earlier run reopened and reviewed ------------------

def check_claimreview(at: AppTest) -> Any:
    found = [b for b in at.get("download_button") if "-check_claimreview::" in str(b.proto.id)]
    assert len(found) == 1
    return found[0].proto


def check_on_page(at: AppTest, claim: str) -> AppTest:
    at.text_area(key="claim").input(claim)
    next(b for b in at.button if b.label == "Check claim").click()
    return run(at)


def test_history_groups_the_users_checks_on_the_server(server: Served, monkeypatch) -> None:
    at = desk_as(server, "checker", monkeypatch)
    for text in (CLAIM, CLAIM + ".", "  " + CLAIM.lower()):
        check_on_page(at, text)
    check_on_page(at, "The Jalalabad prison held 17,000 prisoners")
    checks = server.actions("check")
    assert len(checks) == 4 and {a["user"] for a in checks} == {"checker-person"}
    go(at, "app_pages/history.py")
    no_failure(at)
    table = frame_with(at, "runs")
    assert list(table["runs"]) == [1, 3]
    assert table["claim"].iloc[1] == CLAIM.lower()
    assert "2 claim(s) from 4 check(s); 1 claim(s) checked more than once" in texts(at.caption)
    runs = server.ws.check_history().groups[1].runs
    first = runs[-1]
    assert table["check id"].iloc[1] == runs[0].check_id
    at.selectbox(key="history_check_pick").set_value(runs[0].check_id)
    run(at)
    assert any(e.label == "Earlier runs of this claim (2)" for e in at.expander)
    picker = [s for s in at.selectbox if str(s.key).startswith("history_run_pick::")]
    picker[0].set_value(first.check_id)
    run(at)
    next(b for b in at.button if b.label == "Open in Check page").click()
    run(at)
    assert at.session_state["check_result"].check_id == first.check_id
    assert "Not reviewed yet." in texts(at.caption)
    assert check_claimreview(at).disabled  # the Check page's own ClaimReview waits for a review
    # review the reopened run on the Check page: recorded on the server as the checker
    go(at, "app_pages/check.py")  # AppTest reruns the page it last switched to, not History's
    at.selectbox(key=f"review_verdict::{first.check_id}::0").set_value("CONFLICTING")
    run(at)
    at.button(key=f"review_save::{first.check_id}::0").click()
    run(at)
    no_failure(at)
    got = server.ws.reviews([first.check_id])[first.check_id]
    assert [(r.verdict, r.reviewer) for r in got] == [("CONFLICTING", "checker-person")]
    assert 'data-reviews="1"' in page_html(at)
    assert not check_claimreview(at).disabled
    # History shows the review on the group, found by the reviewer's name
    go(at, "app_pages/history.py")
    at.text_input(key="history_q").input("checker-person")
    run(at)
    table = frame_with(at, "runs")
    assert list(table["runs"]) == [3] and list(table["reviewed as"]) == ["CONFLICTING"]


def test_history_lists_audits_run_on_the_server(server: Served, monkeypatch) -> None:
    at = go(desk_as(server, "checker", monkeypatch), "app_pages/audit.py")
    at.text_area(key="audit_text").input(ARTICLE)
    next(b for b in at.button if b.label == "Audit pasted text").click()
    run(at)
    audit_id = at.session_state["audit_result"].audit_id
    go(at, "app_pages/history.py")
    no_failure(at)
    assert at.selectbox(key="history_audit_pick").value == audit_id
    next(b for b in at.button if b.label == "Open in Audit page").click()
    run(at)
    assert at.session_state["audit_result"].audit_id == audit_id
    assert json.dumps(audit_id) and re.search(r"claim", page_html(at))


# ---- Archive: import, browse and match on the server -----------------------------------------

ARCHIVE_FEED = json.dumps({"@type": "ClaimReview",
                           "claimReviewed": "The moon is made of cheese",
                           "url": "https://three.example/moon",
                           "reviewRating": {"alternateName": "Pants on Fire"},
                           "author": {"name": "Checker Three"}})


def _import_feed(at: AppTest) -> AppTest:
    at.file_uploader(key="archive_file").set_value(
        ("feed.json", ARCHIVE_FEED.encode(), "application/json"))
    run(at)
    at.button(key="archive_import").click()
    return run(at)


def test_archive_page_imports_browses_and_matches_on_the_server(server: Served,
                                                                 monkeypatch) -> None:
    at = go(desk_as(server, "editor", monkeypatch), "app_pages/archive.py")
    no_failure(at)
    for expected in ("1 added, 0 already", "0 added, 1 already"):   # the second adds nothing
        _import_feed(at)
        flashed = texts(at.success)
        assert f"read 1 fact-checks from feed.json: {expected} in the archive" in flashed, flashed
    assert server.ws.archive_stats()["fact_checks"] == 1           # it reached the server
    assert server.actions("archive.import")[0]["user"] == "editor-person"
    assert {m.label: m.value for m in at.metric}["Fact-checks"] == "1"
    assert list(frame_with(at, "claimant")["claim reviewed"]) == ["The moon is made of cheese"]
    at.text_area(key="archive_claim").input("the moon is made of cheese!! #moon")
    at.button(key="archive_match").click()
    run(at)
    assert frame_with(at, "why")["link"].iloc[0] == "https://three.example/moon"


def test_archive_import_refused_to_a_reader_on_the_server(server: Served, monkeypatch) -> None:
    at = go(desk_as(server, "reader", monkeypatch), "app_pages/archive.py")
    _import_feed(at)
    assert "Your role does not allow this" in texts(at.warning)
    assert "import fact-checks" in texts(at.warning)
    assert server.ws.archive_stats()["fact_checks"] == 0
