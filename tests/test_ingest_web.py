"""Web ingestion against a local HTTP server on 127.0.0.1 (no internet needed): URLs, files
of URLs, feeds and sitemaps, and the fetcher's rules (timeout, size cap, robots.txt,
redirects, retries, per-host interval)."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from verify.errors import FetchError, InputError
from verify.ingest import ingest_paths
from verify.ingest.feeds import parse_feed
from verify.ingest.fetch import Fetcher, FetchPolicy

PARAGRAPHS = [
    "The river authority said on Tuesday that the new flood barrier at Kellham held back "
    "water levels that were the highest recorded in the valley since 1987.",
    "Engineers had raised the barrier by 1.2 metres over the summer, a project that cost "
    "about 14 million and took eleven weeks to finish, according to the authority.",
    "Residents of the lower town, where 340 homes were flooded four years ago, reported no "
    "water in their streets this time, the mayor told reporters at the town hall.",
]


def article(n: int, title: str = "Flood barrier holds") -> bytes:
    body = "".join(f"<p>{p} (Report {n}.)</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head><title>{title} {n} | Valley Post</title>
<meta property="og:title" content="{title} {n}">
<meta property="og:site_name" content="Valley Post">
<meta property="article:published_time" content="2023-10-0{n}T08:00:00Z">
<meta name="author" content="Sam Rivera">
</head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<div class="cookie-banner">We use cookies.</div>
<main><article><h1>{title} {n}</h1>{body}</article></main>
<footer>Valley Post. All rights reserved.</footer></body></html>""".encode()


class Site:
    """What the local server serves, and what it was asked for."""

    def __init__(self) -> None:
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = {}
        self.feed_items = [1, 2]
        self.flaky_left = 1


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def handle(self) -> None:
            try:
                super().handle()
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, cap)
                pass

        def send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
                 headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802
            path = self.path
            site.hits[path] += 1
            site.times.setdefault(path, []).append(time.monotonic())
            assert "verify-claims" in self.headers.get("User-Agent", "")
            host = f"http://{self.headers['Host']}"
            if path == "/robots.txt":
                self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
            elif path.startswith("/article/"):
                self.send(200, article(int(path.rsplit("/", 1)[1])))
            elif path == "/private/page":
                self.send(200, article(9))
            elif path == "/slow":
                time.sleep(1.5)
                self.send(200, article(5))
            elif path == "/missing":
                self.send(404, b"<html><body>Not found</body></html>")
            elif path in ("/loop-a", "/loop-b"):
                other = "/loop-b" if path == "/loop-a" else "/loop-a"
                self.send(302, headers={"Location": other})
            elif path == "/moved":
                self.send(301, headers={"Location": f"{host}/article/3"})
            elif path == "/huge":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                chunk = b"<p>" + b"word " * 2000 + b"</p>"
                for _ in range(300):  # ~3 MB, no Content-Length: the cap must cut the read
                    self.wfile.write(chunk)
            elif path == "/report.pdf":
                self.send(200, b"%PDF-1.4 not html", "application/pdf")
            elif path == "/flaky":
                if site.flaky_left:
                    site.flaky_left -= 1
                    self.send(503, b"busy")
                else:
                    self.send(200, article(4))
            elif path == "/down":
                self.send(503, b"busy")
            elif path == "/feed.xml":
                items = "".join(f"<item><title>Item {n}</title><link>{host}/article/{n}</link>"
                                f"<pubDate>Mon, 0{n} Oct 2023 08:00:00 GMT</pubDate></item>"
                                for n in site.feed_items)
                self.send(200, f'<?xml version="1.0"?><rss version="2.0"><channel><title>VP'
                          f'</title>{items}</channel></rss>'.encode(), "application/rss+xml")
            elif path == "/sitemap-index.xml":
                self.send(200, (f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.'
                                f'org/schemas/sitemap/0.9"><sitemap><loc>{host}/sitemap.xml</loc>'
                                '</sitemap></sitemapindex>').encode(), "application/xml")
            elif path == "/sitemap.xml":
                self.send(200, (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/'
                                f'schemas/sitemap/0.9"><url><loc>{host}/article/6</loc>'
                                '<lastmod>2023-10-06</lastmod></url></urlset>').encode(),
                          "application/xml")
            else:
                self.send(404, b"no such page")

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[str, Site]]:
    site = Site()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(site))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", site
    finally:
        httpd.shutdown()
        httpd.server_close()


FAST = FetchPolicy(timeout_s=0.5, max_bytes=1024 * 1024, min_interval_s=0.0, retries=1,
                   backoff_s=0.05)


def run(ws, **kw):
    return ingest_paths(ws, [], progress=False, sync_index=False, fetch_policy=FAST, **kw)


def test_urls_are_fetched_and_bad_ones_reported_while_the_rest_go_on(ws, server) -> None:
    base, site = server
    urls = [f"{base}/article/1", f"{base}/slow", f"{base}/missing", f"{base}/loop-a",
            f"{base}/huge", f"{base}/report.pdf", f"{base}/moved", f"{base}/private/page",
            f"{base}/flaky", f"{base}/down"]
    report = run(ws, urls=urls)
    reasons = {e.path.removeprefix(base): e.reason for e in report.errors}
    assert report.added == 3 and report.failed == 7, reasons  # /article/1, /moved, /flaky
    assert reasons["/slow"].startswith("timed out after 0.5s (after 2 tries)")
    assert reasons["/missing"] == "HTTP 404"
    assert reasons["/loop-a"].startswith("redirect loop")
    assert "page too large" in reasons["/huge"]
    assert reasons["/report.pdf"] == "not an HTML page (content type application/pdf)"
    assert "robots.txt" in reasons["/private/page"]
    assert reasons["/down"] == "HTTP 503 (after 2 tries)"
    assert site.hits["/flaky"] == 2 and site.hits["/down"] == 2   # retried once
    assert site.hits["/private/page"] == 0 and site.hits["/robots.txt"] == 1
    assert report.urls == 10 and report.extractors == {"trafilatura": 3}

    rows = ws.db.execute("SELECT url, title, author, published_date, text FROM documents "
                         "ORDER BY url").fetchall()
    by_url = {r[0]: r for r in rows}
    # the redirect's final URL is the document's URL
    assert set(by_url) == {f"{base}/article/1", f"{base}/article/3", f"{base}/flaky"}
    url, title, author, date, text = by_url[f"{base}/article/1"]
    assert (title, author, str(date)) == ("Flood barrier holds 1", "Sam Rivera", "2023-10-01")
    assert "highest recorded in the valley since 1987" in text
    assert "cookies" not in text and "All rights reserved" not in text and "Home" not in text


def test_rerun_of_the_same_urls_skips_unchanged_pages(ws, server) -> None:
    base, _ = server
    urls = [f"{base}/article/1", f"{base}/article/2"]
    assert run(ws, urls=urls).added == 2
    again = run(ws, urls=urls)
    assert (again.added, again.updated, again.skipped) == (0, 0, 2)


def test_url_file_with_a_bad_line(ws, server, tmp_path: Path) -> None:
    base, _ = server
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# outlets\n{base}/article/1\n\nnot a url\n{base}/article/2\n"
                       f"{base}/article/1\n")
    report = run(ws, url_files=[listing])
    assert report.added == 2 and report.failed == 1
    assert str(report.errors[0]) == f"{listing}:4: not an http(s) URL: 'not a url'"


def test_feed_rerun_fetches_only_new_items(ws, server) -> None:
    base, site = server
    first = run(ws, feeds=[f"{base}/feed.xml"])
    assert (first.added, first.feeds, first.urls) == (2, 1, 2)
    again = run(ws, feeds=[f"{base}/feed.xml"])
    assert (again.added, again.skipped, again.feed_known, again.urls) == (0, 2, 2, 0)
    assert site.hits["/article/1"] == 1, "a known item is not fetched again"
    site.feed_items = [1, 2, 3]
    third = run(ws, feeds=[f"{base}/feed.xml"])
    assert (third.added, third.feed_known) == (1, 2)
    assert site.hits["/article/3"] == 1 and site.hits["/article/2"] == 1


def test_sitemap_index_and_feed_file(ws, server, tmp_path: Path) -> None:
    base, _ = server
    report = run(ws, feeds=[f"{base}/sitemap-index.xml"])
    assert report.added == 1
    assert ws.db.execute("SELECT url FROM documents").fetchall() == [(f"{base}/article/6",)]
    atom = tmp_path / "outlet.atom"
    atom.write_text(f'<feed xmlns="http://www.w3.org/2005/Atom"><title>VP</title><entry>'
                    f'<title>Two</title><link rel="alternate" href="{base}/article/2"/>'
                    f'<updated>2023-10-02T08:00:00Z</updated></entry></feed>')
    assert run(ws, feeds=[str(atom)]).added == 1
    missing = run(ws, feeds=[str(tmp_path / "nope.xml")])
    assert missing.failed == 1 and "no such file" in missing.errors[0].reason


def test_parse_feed_kinds() -> None:
    rdf = parse_feed(b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
                     b'xmlns="http://purl.org/rss/1.0/"><item><title>A</title>'
                     b'<link>https://a.example.com/1</link></item></rdf:RDF>', "f")
    assert rdf.kind == "rdf" and rdf.entries[0].url == "https://a.example.com/1"
    with pytest.raises(InputError, match="not an RSS/Atom feed or sitemap"):
        parse_feed(b"<html><body>hi</body></html>", "page.html")


def test_fetcher_spaces_requests_to_one_host(server) -> None:
    base, site = server
    fetcher = Fetcher(FetchPolicy(timeout_s=2, min_interval_s=0.3, retries=0))
    for n in (1, 2, 3):
        page = fetcher.fetch(f"{base}/article/{n}")
        assert page.status == 200 and page.is_html
    stamps = sorted(t for p in ("/article/1", "/article/2", "/article/3") for t in site.times[p])
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert min(gaps) >= 0.28, gaps


def test_fetcher_records_redirects(server) -> None:
    base, _ = server
    page = Fetcher(FAST).fetch(f"{base}/moved")
    assert page.final_url == f"{base}/article/3" and page.redirects == [f"{base}/moved"]
    with pytest.raises(FetchError, match="HTTP 404"):
        Fetcher(FAST).fetch(f"{base}/missing")


def test_cli_ingest_url_and_url_file(tmp_path: Path, server) -> None:
    from verify.cli import cli

    base, _ = server
    listing = tmp_path / "urls.txt"
    listing.write_text(f"{base}/article/2\n{base}/missing\n")
    ws = str(tmp_path / "ws")
    result = CliRunner().invoke(cli, ["-w", ws, "ingest", f"{base}/article/1", "--urls",
                                      str(listing), "--no-index", "--json", "--timeout", "2",
                                      "--per-host-interval", "0", "--retries", "0"],
                                catch_exceptions=False)
    assert result.exit_code == 1, result.output   # partial failure
    report = json.loads(result.output)
    assert report["added"] == 2 and report["urls"] == 3
    assert report["errors"] == [{"path": f"{base}/missing", "location": None,
                                 "reason": "HTTP 404"}]
    assert report["extractors"] == {"trafilatura": 2}


def test_audit_reads_an_article_by_url(server) -> None:
    import os

    from verify.audit.inputs import as_url, read_articles, read_url_article

    base, _ = server
    article_ = read_url_article(f"{base}/article/2", fetcher=Fetcher(FAST))
    assert article_.status == "ok" and article_.key == f"{base}/article/2"
    assert (article_.title, article_.published_date, article_.author) == (
        "Flood barrier holds 2", "2023-10-02", "Sam Rivera")
    assert article_.meta["outlet"] == "Valley Post" and article_.message == "Valley Post"
    assert article_.text.startswith("Flood barrier holds 2\n\nThe river authority said")
    bad = read_url_article(f"{base}/missing", fetcher=Fetcher(FAST))
    assert (bad.status, bad.message) == ("unreadable", f"{base}/missing: HTTP 404")
    # a resumed audit gets its inputs back through os.path.abspath: the URL survives it
    assert as_url(os.path.abspath(f"{base}/article/2")) == f"{base}/article/2"
    assert as_url("notes/article.txt") is None
    [only] = read_articles([os.path.abspath(f"{base}/article/3")])
    assert only.status == "ok" and only.url == f"{base}/article/3"
