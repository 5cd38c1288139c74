"""The desk and the server fetch pages for their users, never from their own network unless
the operator allows it (VERIFY_FETCH_PRIVATE=1); the CLI, run by the operator, may."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from verify.errors import FetchError
from verify.ingest.fetch import Fetcher, FetchPolicy, private_address


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"<html><body><p>internal page</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_url():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/page"
    finally:
        httpd.shutdown()


def test_private_and_local_hosts_are_recognised():
    assert private_address("http://127.0.0.1:8080/x") == "127.0.0.1"
    assert private_address("http://10.1.2.3/") == "10.1.2.3"
    assert private_address("http://169.254.169.254/latest/meta-data") == "169.254.169.254"
    assert private_address("http://[::1]/") == "::1"
    assert private_address("http://93.184.215.14/") is None


def test_a_desk_policy_refuses_a_local_page_and_says_how_to_allow_it(local_url, monkeypatch):
    monkeypatch.setenv("VERIFY_FETCH_PRIVATE", "0")
    with pytest.raises(FetchError, match="private or local address.*VERIFY_FETCH_PRIVATE=1"):
        Fetcher(FetchPolicy(respect_robots=False)).fetch(local_url)


def test_the_operator_may_allow_local_pages(local_url, monkeypatch):
    monkeypatch.setenv("VERIFY_FETCH_PRIVATE", "1")
    page = Fetcher(FetchPolicy(respect_robots=False)).fetch(local_url)
    assert page.status == 200 and b"internal page" in page.body
    monkeypatch.delenv("VERIFY_FETCH_PRIVATE")
    assert FetchPolicy().allow_private is True      # the CLI's default
