"""The desk on a server (VERIFY_SERVER): RemoteWorkspace against a real `verify serve` app on
loopback, per role allowed and refused, and the desk's sign-in through AppTest (fake models)."""

from __future__ import annotations

import contextlib
import html
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_server import ROLES, _corpus  # the API tests' roles and two-story corpus
from verify import Workspace
from verify.client import RemoteWorkspace, ServerUnavailableError, from_jsonable, server_url
from verify.config import Settings
from verify.errors import AuthenticationError, InputError, PermissionDeniedError
from verify.types import CheckResult

CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"
PASSWORD = "correct horse battery"


@contextlib.contextmanager
def serve(ws: Workspace) -> Iterator[str]:
    """`verify serve`'s app on a free loopback port, in a thread; yields its URL."""
    import socket

    import uvicorn

    from verify.server import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ws, write_wait_s=30), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str], Path]]:
    """A server on a small workspace (fake models): its URL, a token per role, the folder."""
    root = tmp_path_factory.mktemp("remote")
    ws = Workspace.open(root / "ws", settings=Settings(embedder="fake", stance_model="fake"))
    ws.ingest([_corpus(root / "corpus")], progress=False)
    tokens = {role: ws.users.add(f"{role}-person", role)[1] for role in ROLES}
    ws.users.set_password("checker-person", PASSWORD)
    with serve(ws) as url:
        yield url, tokens, root
    ws.close()


@pytest.fixture
def remote(served) -> Iterator[dict[str, RemoteWorkspace]]:
    url, tokens, _ = served
    clients = {role: RemoteWorkspace(url, token) for role, token in tokens.items()}
    yield clients
    for client in clients.values():
        client.close()


# ---- the client ------------------------------------------------------------------------------
def test_server_url_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VERIFY_SERVER", raising=False)
    assert server_url() is None
    monkeypatch.setenv("VERIFY_SERVER", "http://127.0.0.1:8765/")
    assert server_url() == "http://127.0.0.1:8765"
    monkeypatch.setenv("VERIFY_SERVER", "127.0.0.1:8765")
    with pytest.raises(InputError, match="VERIFY_SERVER"):
        server_url()


def test_check_comes_back_as_the_librarys_dataclass(remote) -> None:
    checker = remote["checker"]
    result = checker.check(CLAIM)
    assert isinstance(result, CheckResult)
    assert result.evidence and result.evidence[0].passage.domain
    again = checker.load_check(result.check_id)
    assert again == result
    row = next(r for r in checker.list_checks(limit=50) if r["check_id"] == result.check_id)
    assert row["verdict"] == result.verdict
    assert hasattr(row["created_at"], "year")  # a datetime, as the library gives


def test_review_is_stamped_with_the_signed_in_user(remote) -> None:
    check_id = remote["checker"].check(CLAIM).check_id
    remote["checker"].review(check_id, "REFUTED", "someone else", "wrong count")
    reviews = remote["reader"].check_reviews(check_id)
    assert reviews[0]["reviewer"] == "checker-person"
    assert reviews[0]["verdict"] == "REFUTED"


@pytest.mark.parametrize(("role", "allowed"), [("reader", False), ("checker", True),
                                               ("editor", True), ("admin", True)])
def test_check_and_review_per_role(remote, role: str, allowed: bool) -> None:
    ws = remote[role]
    check_id = remote["checker"].check(CLAIM).check_id
    if allowed:
        assert ws.check(CLAIM).verdict
        assert ws.review(check_id, "SUPPORTED", "", "ok")
        return
    with pytest.raises(PermissionDeniedError, match="checker role or above"):
        ws.check(CLAIM)
    with pytest.raises(PermissionDeniedError, match="checker role or above"):
        ws.review(check_id, "SUPPORTED", "", "")
    assert ws.load_check(check_id).check_id == check_id  # reading is allowed


@pytest.mark.parametrize(("role", "allowed"), [("reader", False), ("checker", False),
                                               ("editor", True), ("admin", True)])
def test_rating_a_source_per_role(remote, role: str, allowed: bool) -> None:
    book = remote[role].sources
    if not allowed:
        with pytest.raises(PermissionDeniedError, match="editor role or above"):
            book.rate("reuters.com", 0.7, rationale="desk", by="x")
        return
    event = book.rate("reuters.com", 0.7, rationale=f"rated by {role}", by="x")
    assert event.rater == f"{role}-person"
    history = book.history(book.canonical("reuters.com"))
    assert history[-1].rationale == f"rated by {role}"
    assert remote["reader"].reliability("reuters.com").domain == "reuters.com"


def test_sources_listing_and_view(remote) -> None:
    book = remote["reader"].sources
    listed = book.list_sources(None, limit=None)
    assert listed and all(isinstance(s.value, float) for s in listed)
    view = book.show("reuters.com")
    assert view.domain == "reuters.com" and isinstance(view.history, tuple)
    assert book.suggestions(refresh=False) == [] or book.suggestions(refresh=False)[0].domain
    with pytest.raises(PermissionDeniedError):
        book.suggestions(refresh=True)
    assert isinstance(remote["editor"].sources.suggestions(refresh=True), list)


def test_corpus_upload_and_removal_per_role(remote, tmp_path: Path) -> None:
    doc = tmp_path / "quarry.md"
    doc.write_text("---\ntitle: Quarry\nurl: https://www.dawn.com/quarry\ndate: 2020-08-09\n---\n\n"
                   "The Zelborn quarry produced 4,417 tonnes of basalt in 2020.\n", encoding="utf-8")
    with pytest.raises(PermissionDeniedError, match="editor role or above"):
        remote["checker"].ingest([doc])
    seen: list[tuple[Any, ...]] = []
    report = remote["editor"].ingest([doc], progress=False,
                                     progress_callback=lambda *a: seen.append(a))
    assert report.added == 1 and report.failed == 0
    stats = remote["reader"].corpus_stats()
    assert stats.documents == 3 and any(s.domain == "dawn.com" for s in stats.per_source)
    assert remote["reader"].index_status().in_sync
    with pytest.raises(PermissionDeniedError):
        remote["checker"].remove("https://www.dawn.com/quarry")
    assert remote["editor"].remove("https://www.dawn.com/quarry") > 0
    assert remote["reader"].corpus_stats().documents == 2


def test_audit_on_the_server(remote, tmp_path: Path) -> None:
    article = tmp_path / "article.md"
    article.write_text("---\ntitle: A piece\n---\n\nIS-K has killed 338 civilians in Pakistan "
                       "since January 2017, according to CSIS.\n", encoding="utf-8")
    with pytest.raises(PermissionDeniedError):
        remote["reader"].audit([str(article)], progress=False)
    result = remote["checker"].audit([str(article)], progress=False)
    assert result.articles and result.summary["articles"] == 1
    listed = remote["reader"].list_audits()
    assert listed[0]["audit_id"] == result.audit_id
    assert remote["reader"].load_audit(result.audit_id).audit_id == result.audit_id


def test_learned_verdicts_per_role(remote) -> None:
    assert remote["reader"].reviewed_checks() >= 0
    assert isinstance(remote["reader"].learned_heads(), list)
    with pytest.raises(PermissionDeniedError):
        remote["checker"].forget_learned_verdicts()
    assert remote["editor"].forget_learned_verdicts() == 0


def test_login_with_a_password_gives_a_session_token(served) -> None:
    url, _, _ = served
    with RemoteWorkspace.login(url, name="checker-person", password=PASSWORD) as ws:
        assert ws.token.startswith("vfy_s")
        assert ws.user.name == "checker-person" and ws.user.role == "checker"
        assert ws.check(CLAIM).verdict
        ws.logout()
        with pytest.raises(AuthenticationError, match="sign in again"):
            RemoteWorkspace(url, ws.token).me()
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        RemoteWorkspace.login(url, name="checker-person", password="not it at all")
    with pytest.raises(AuthenticationError, match="wrong user name or password"):
        RemoteWorkspace.login(url, name="nobody", password=PASSWORD)


def test_token_login_checks_the_name(served) -> None:
    url, tokens, _ = served
    with pytest.raises(AuthenticationError, match="belongs to reader-person"):
        RemoteWorkspace.login(url, token=tokens["reader"], name="admin-person")
    with pytest.raises(AuthenticationError):
        RemoteWorkspace.login(url, token="vfy_abc_def")


def test_an_unreachable_server_is_a_domain_error() -> None:
    with pytest.raises(ServerUnavailableError, match="could not be reached"):
        RemoteWorkspace("http://127.0.0.1:9", "vfy_a_b", timeout_s=2).me()


def test_from_jsonable_rebuilds_nested_dataclasses() -> None:
    from verify.sources.models import SourceSummary

    item = from_jsonable(SourceSummary, {"domain": "a.org", "value": 1, "band": "high",
                                         "explanation": "x", "parts": [["s", 0.5, 1]],
                                         "name": None, "aliases": ["b.org"]})
    assert item.aliases == ("b.org",) and item.parts == (("s", 0.5, 1.0),)
    assert isinstance(item.value, float)


# ---- the desk (AppTest) ----------------------------------------------------------------------
def _desk(url: str, monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    monkeypatch.setenv("VERIFY_SERVER", url)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"),
                           default_timeout=120)
    at.run()
    assert not at.exception, at.exception
    return at


def _text(at: Any) -> str:
    parts = [re.sub(r"<[^>]+>", " ", html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html])))]
    for group in (at.caption, at.success, at.info, at.warning, at.error, at.title):
        parts.extend(str(e.value) for e in group)
    return "\n".join(parts).replace("\\", "")  # markdown escapes


def _sign_in(at: Any, **fields: str) -> Any:
    labels = {"name": "User name", "password": "Password", "token": "or API token"}
    for key, value in fields.items():
        next(t for t in at.text_input if t.label == labels[key]).input(value)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    assert not at.exception, at.exception
    return at


def _check(at: Any, claim: str) -> Any:
    next(t for t in at.text_area if t.label == "Claim").input(claim)
    next(b for b in at.button if b.label == "Check claim").click()
    at.run()
    assert not at.exception, at.exception
    return at


pytest.importorskip("streamlit")


def test_desk_asks_for_a_login_and_refuses_a_wrong_one(served, monkeypatch) -> None:
    url, _, _ = served
    at = _desk(url, monkeypatch)
    assert "Sign in to the desk" in _text(at)
    assert not [t for t in at.text_area if t.label == "Claim"]  # no page before signing in
    _sign_in(at, name="checker-person", password="wrong password")
    assert "Could not sign in: wrong user name or password" in _text(at)


def test_reader_signs_in_with_a_token_and_is_refused_a_check(served, monkeypatch) -> None:
    url, tokens, _ = served
    at = _sign_in(_desk(url, monkeypatch), token=tokens["reader"])
    text = _text(at)
    assert "Signed in as" in text and "reader-person" in text and "Check a claim" in text
    _check(at, CLAIM)
    text = _text(at)
    assert "Your role does not allow this: reader-person is a reader; a checker role or above " \
           "is needed to check or review claims" in text
    assert "Traceback" not in text and not [m for m in at.markdown if "data-verdict" in str(m.value)]


def test_checker_signs_in_with_a_password_checks_and_reviews(served, monkeypatch) -> None:
    url, tokens, _ = served
    at = _sign_in(_desk(url, monkeypatch), name="checker-person", password=PASSWORD)
    assert "checker-person" in _text(at)
    _check(at, CLAIM)
    badge = next(m for m in at.markdown if "data-verdict" in str(m.value))
    check_id = re.search(r'data-check-id="([^"]+)"',
                         html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html])))
    assert badge is not None and check_id is not None
    name = next(t for t in at.text_input if t.label == "Your name")
    assert name.value == "checker-person"
    next(b for b in at.button if b.label == "Record review").click()
    at.run()
    assert not at.exception, at.exception
    assert f"Review recorded on check {check_id.group(1)}" in _text(at)
    reviews = RemoteWorkspace(url, tokens["reader"]).check_reviews(check_id.group(1))
    assert reviews[0]["reviewer"] == "checker-person"


def test_desk_state_reviews_history_and_unrated_sources(remote) -> None:
    checker, reader = remote["checker"], remote["reader"]
    first = checker.check(CLAIM).check_id
    second = checker.check(CLAIM).check_id
    checker.review(second, "SUPPORTED", "", "seen")
    found = reader.reviews([first, second])
    assert found[first] == [] and found[second][0].reviewer == "checker-person"
    history = reader.check_history()
    group = next(g for g in history.groups if g.runs[0].check_id == second)
    assert first in [r.check_id for r in group.runs]
    assert all(isinstance(s.domain, str) for s in reader.unrated_sources())


@pytest.mark.parametrize(("role", "allowed"), [("checker", False), ("editor", True)])
def test_document_browser_and_edits_per_role(remote, role: str, allowed: bool) -> None:
    page = remote["reader"].list_documents("bbc", limit=10)
    assert page.total == 1 and page.rows[0].source == "bbc.co.uk"
    doc_id = page.rows[0].document_id
    view = remote["reader"].document(doc_id)
    assert "budget" in view.text and view.passages
    import datetime as dt

    if not allowed:
        with pytest.raises(PermissionDeniedError, match="editor role or above"):
            remote[role].edit_document(doc_id, published_date=dt.date(2024, 3, 2))
        return
    edit = remote[role].edit_document(doc_id, published_date=dt.date(2024, 3, 2))
    assert "published_date" in edit.changed
    assert remote["reader"].document(doc_id).published_date == dt.date(2024, 3, 2)


def test_a_document_edit_refuses_unknown_fields(served, remote) -> None:
    import httpx

    url, tokens, _ = served
    doc_id = remote["reader"].list_documents("bbc", limit=10).rows[0].document_id
    before = remote["reader"].document(doc_id)
    answer = httpx.patch(f"{url}/documents/{doc_id}", json={"title": "New", "source": "x.org"},
                         headers={"Authorization": f"Bearer {tokens['editor']}"})
    assert answer.status_code == 422
    body = answer.json()
    assert body["field"] == "title"
    assert body["error"] == "title: not a field this request accepts"
    with pytest.raises(InputError, match="title: not a field this request accepts"):
        remote["editor"].edit_document(doc_id, title="New", source="x.org")
    with pytest.raises(InputError, match="published_date: "):
        remote["editor"].edit_document(doc_id, published_date="not a date")
    after = remote["reader"].document(doc_id)  # nothing of the refused edits was saved
    assert (after.source, after.url, after.published_date) == (before.source, before.url,
                                                               before.published_date)


def test_a_document_edit_dry_run_previews_and_saves_nothing(served, remote) -> None:
    import datetime as dt

    import httpx

    url, tokens, _ = served
    doc_id = remote["reader"].list_documents("reuters", limit=10).rows[0].document_id
    before = remote["reader"].document(doc_id)
    new_url = "https://www.example-moved.org/story"
    preview = remote["editor"].edit_document(doc_id, dry_run=True, url=new_url,
                                             published_date=dt.date(2023, 1, 2))
    assert preview.changed == {"url": (before.url, new_url),
                               "source": (before.source, "example-moved.org"),
                               "published_date": (before.published_date, dt.date(2023, 1, 2))}
    assert preview.passages_renewed == 0
    after = remote["reader"].document(doc_id)
    assert (after.url, after.source, after.published_date) == (before.url, before.source,
                                                               before.published_date)
    assert [p.passage_id for p in after.passages] == [p.passage_id for p in before.passages]
    raw = httpx.patch(f"{url}/documents/{doc_id}", params={"dry_run": "true"},
                      json={"source": "other.org"},
                      headers={"Authorization": f"Bearer {tokens['editor']}"})
    assert raw.status_code == 200 and raw.json()["changed"] == {
        "source": [before.source, "other.org"]}
    assert remote["reader"].document(doc_id).source == before.source
    with pytest.raises(InputError, match="is not an http"):  # values checked in the preview
        remote["editor"].edit_document(doc_id, dry_run=True, url="not a url")
    with pytest.raises(PermissionDeniedError, match="editor role or above"):
        remote["checker"].edit_document(doc_id, dry_run=True, source="other.org")
