"""The desk's Audit page audits an article by its URL (as ``verify audit https://...``),
against a local HTTP server on 127.0.0.1 started by the test. AppTest on a fake-model
workspace; the page's audit runs the real fetcher, extractor and audit pipeline, with a
digit check-worthiness scorer and a blank spaCy in place of the trained models."""

from __future__ import annotations

import functools
import html
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

import verify.audit  # noqa: E402
from verify import Workspace  # noqa: E402
from verify.config import Settings  # noqa: E402

PAGE = str(Path(__file__).resolve().parent.parent / "app_pages" / "audit.py")
WS_KEY = "_vf_workspace"   # the desk's session key for the open workspace
RESULT_KEY = "audit_result"
CLAIM = "IS-K killed 338 civilians in Pakistan since January 2017"
STORY = f"""<!DOCTYPE html><html lang="en"><head><title>IS-K in Pakistan | Valley Post</title>
<meta property="og:title" content="IS-K in Pakistan">
<meta property="og:site_name" content="Valley Post">
<meta property="article:published_time" content="2023-10-02T08:00:00Z">
<meta name="author" content="Sam Rivera">
</head><body><nav><a href="/">Home</a></nav>
<main><article><h1>IS-K in Pakistan</h1>
<p>{CLAIM}, according to a report published this week by a research institute.</p>
<p>The group was founded in Nangarhar, and its attacks were studied by the institute's
researchers over several months of field work in the region.</p>
</article></main><footer>Valley Post</footer></body></html>""".encode()


def _handler(hits: Counter[str]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def send(self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8") -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            hits[self.path] += 1
            if "verify-claims" not in self.headers.get("User-Agent", ""):
                self.send(403, b"who are you?")
            elif self.path == "/robots.txt":
                self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            elif self.path == "/news/story":
                self.send(200, STORY)
            else:
                self.send(404, b"<html><body>Not found</body></html>")

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Counter[str]]]:
    hits: Counter[str] = Counter()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hits))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def digit_scorer(sentences: Sequence[str], docs: Sequence[Any]) -> np.ndarray:
    return np.asarray([0.9 if any(ch.isdigit() for ch in s) else 0.1 for s in sentences],
                      dtype=np.float32)


@pytest.fixture
def page(fake_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    import spacy

    real = verify.audit.run_audit
    blank = spacy.blank("en")

    @functools.wraps(real)
    def with_test_models(ws: Any, inputs: Any, **options: Any) -> Any:
        return real(ws, inputs, scorer=digit_scorer, nlp=blank, **options)

    monkeypatch.setattr(verify.audit, "run_audit", with_test_models)
    # the test's pages are on 127.0.0.1, which the desk refuses by default
    monkeypatch.setenv("VERIFY_FETCH_PRIVATE", "1")
    ws = Workspace.in_memory(fake_settings)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "isk.txt").write_text(
        "Title: IS-K profile\nURL: https://thinktank.org/isk\nDate: 2019-11-01\n\n"
        f"{CLAIM}. A CSIS estimate put IS-K at about 800 fighters in 2018.\n", encoding="utf-8")
    ws.ingest([corpus])
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state[WS_KEY] = ws
    at.run()
    assert not at.exception, at.exception
    yield at
    ws.close()


def audit_url(at: AppTest, text: str) -> AppTest:
    at.text_area(key="audit_url").input(text)
    at.button(key="audit_url_btn").click()
    at.run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest) -> str:
    return html.unescape("\n".join(str(m.value) for m in [*at.markdown, *at.html]))


def test_an_article_is_audited_by_its_url(page: AppTest, server: Any) -> None:
    base, hits = server
    url = f"{base}/news/story"
    at = audit_url(page, url)
    result = at.session_state[RESULT_KEY]
    [article] = result.articles
    assert article.status == "done", article.message
    assert (article.key, article.url, article.title) == (url, url, "IS-K in Pakistan")
    assert (article.author, article.published_date) == ("Sam Rivera", "2023-10-02")
    assert article.outlet == "Valley Post"
    checked = [c for c in article.claims if "338 civilians" in c.claim_text]
    assert checked and checked[0].verdict is not None and checked[0].check_id
    assert {m.label: m.value for m in at.metric}["Claims checked"] == str(
        result.summary["claims_checked"])
    page_text = shown(at)
    assert "IS-K in Pakistan" in page_text
    assert f'<a href="{url}"' in page_text and "Sam Rivera" in page_text
    assert "2023-10-02" in page_text
    assert "Valley Post" in page_text
    assert hits["/news/story"] == 1 and hits["/robots.txt"] == 1
    # the reports name the page: title, outlet, author and date
    from verify.audit import render_csv, render_html, render_markdown

    md = render_markdown(result)
    assert "## IS-K in Pakistan" in md and "- outlet: Valley Post" in md
    assert "- author: Sam Rivera" in md and "- published: 2023-10-02" in md
    assert "Valley Post · by Sam Rivera · 2023-10-02" in render_html(result)
    assert ",Valley Post,2023-10-02" in render_csv(result)


def test_a_page_that_cannot_be_fetched_is_reported(page: AppTest, server: Any) -> None:
    base, _ = server
    at = audit_url(page, f"{base}/gone")
    [article] = at.session_state[RESULT_KEY].articles
    assert article.status == "unreadable"
    warnings = " ".join(str(w.value) for w in at.warning)
    assert f"unreadable: {base}/gone: HTTP 404" in warnings, warnings


def test_lines_that_are_not_urls_are_refused_before_anything_is_fetched(
        page: AppTest, server: Any) -> None:
    base, hits = server
    at = audit_url(page, f"{base}/news/story\n/etc/passwd")
    warnings = " ".join(str(w.value) for w in at.warning)
    assert "Not a web address" in warnings and "/etc/passwd" in warnings, warnings
    assert RESULT_KEY not in at.session_state and not hits
    at = audit_url(at, "   ")
    assert "Enter the article's URL first." in " ".join(str(w.value) for w in at.warning)
