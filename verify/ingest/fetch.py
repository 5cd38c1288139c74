"""Polite web fetching for ingestion and audits: one page at a time, by the rules.

A :class:`Fetcher` reads ``http(s)`` URLs with a timeout (for the whole response, not just
each read), a size cap, a clear User-Agent, ``robots.txt`` respected, redirects followed
(a loop or too many is an error) and the final URL recorded, a minimum interval between
requests to the same host, and retries with exponential backoff on 5xx, 429 and timeouts.
Every failure is a :class:`~verify.errors.FetchError` naming the URL, so a batch can report
it and go on.

Example:
    fetcher = Fetcher(FetchPolicy(timeout_s=10))
    page = fetcher.fetch("https://example.com/")
    page.final_url, page.content_type
    # -> ('https://example.com/', 'text/html')
"""

from __future__ import annotations

import datetime as dt
import email.message
import ipaddress
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field

from verify.errors import FetchError

log = logging.getLogger(__name__)

USER_AGENT_TOKEN = "verify-claims"
USER_AGENT = (f"{USER_AGENT_TOKEN}/0.1 (claim-verification toolkit for fact-checkers; "
              "reads pages a person asked for)")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how far to fetch."""

    timeout_s: float = 20.0          # for the whole response
    max_bytes: int = 10 * 1024 * 1024
    user_agent: str = USER_AGENT
    respect_robots: bool = True
    min_interval_s: float = 1.0      # between two requests to the same host
    retries: int = 2                 # extra tries on 5xx / 429 / timeouts
    backoff_s: float = 1.0           # first wait; doubles each retry
    max_backoff_s: float = 30.0
    max_redirects: int = 5
    # hosts that resolve to loopback, private, link-local or reserved addresses; off where
    # VERIFY_FETCH_PRIVATE=0 (the desk and the server set that default: a web user must not
    # make the server read its own network)
    allow_private: bool = field(default_factory=lambda: os.environ.get(PRIVATE_ENV, "1") != "0")


@dataclass
class FetchedPage:
    """One fetched response: bytes, type, and where it finally came from."""

    url: str                          # as asked
    final_url: str                    # after redirects
    status: int
    content_type: str                 # lower-case media type, no parameters
    charset: str | None
    body: bytes
    fetched_at: dt.datetime
    redirects: list[str] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return self.content_type in HTML_TYPES

    def text(self) -> str:
        """The body decoded: the declared charset, else ingestion's UTF-8/cp1252 rule."""
        from verify.errors import InputError
        from verify.ingest.text import decode_bytes

        if self.charset:
            try:
                return self.body.decode(self.charset)
            except (LookupError, UnicodeDecodeError):
                pass
        try:
            return decode_bytes(self.body)
        except InputError as exc:
            raise FetchError(f"{self.final_url}: {exc}") from None


def is_url(text: str) -> bool:
    """Whether ``text`` is an absolute http(s) URL."""
    parts = urllib.parse.urlsplit(text.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


PRIVATE_ENV = "VERIFY_FETCH_PRIVATE"


def private_address(url: str) -> str | None:
    """The address a URL's host resolves to when it is loopback, private, link-local,
    reserved or unspecified; None for a public host (or one that does not resolve: the
    fetch itself then fails with its own message)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError):
        return None
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
                or ip.is_unspecified or ip.is_multicast):
            return str(ip)
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as responses, so the fetcher follows (and records) them itself."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None


class Fetcher:
    """Fetches URLs by a :class:`FetchPolicy`; keeps robots.txt and per-host timing.

    Safe to share between threads (requests to one host are spaced, not parallel).
    """

    def __init__(self, policy: FetchPolicy | None = None, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy = policy or FetchPolicy()
        self._sleep = sleep
        self._opener = urllib.request.build_opener(_NoRedirect())
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}

    # ---- public ----------------------------------------------------------------------
    def fetch(self, url: str, *, check_robots: bool = True) -> FetchedPage:
        """The response for ``url`` after redirects; FetchError for anything but a 2xx."""
        url = url.strip()
        if not is_url(url):
            raise FetchError(f"{url}: not an http(s) URL")
        chain: list[str] = []
        current = url
        while True:
            if not self.policy.allow_private and (address := private_address(current)):
                raise FetchError(f"{current}: the host is a private or local address ({address}); "
                                 f"this desk does not fetch those (set {PRIVATE_ENV}=1 to allow)")
            if check_robots and self.policy.respect_robots and not self.allowed(current):
                raise FetchError(f"{current}: disallowed by the site's robots.txt "
                                 f"for {USER_AGENT_TOKEN}")
            status, headers, body = self._with_retries(current)
            if status in REDIRECT_STATUSES:
                location = headers.get("Location")
                if not location:
                    raise FetchError(f"{current}: redirect ({status}) without a Location")
                target = urllib.parse.urljoin(current, location.strip())
                chain.append(current)
                if target in chain or target == current:
                    raise FetchError(f"{url}: redirect loop ({' -> '.join([*chain, target])})")
                if len(chain) > self.policy.max_redirects:
                    raise FetchError(f"{url}: more than {self.policy.max_redirects} redirects")
                if not is_url(target):
                    raise FetchError(f"{current}: redirect to a non-http(s) URL {target}")
                current = target
                continue
            if not 200 <= status < 300:
                raise FetchError(f"{current}: HTTP {status}")
            media, charset = _content_type(headers)
            return FetchedPage(url, current, status, media, charset, body,
                               dt.datetime.now(dt.timezone.utc), chain)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this fetcher read ``url`` (no robots.txt: yes)."""
        parts = urllib.parse.urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            known = root in self._robots
            rules = self._robots.get(root)
        if not known:
            rules = self._load_robots(root)
            with self._lock:
                self._robots[root] = rules
        return True if rules is None else rules.can_fetch(USER_AGENT_TOKEN, url)

    # ---- internals -------------------------------------------------------------------
    def _load_robots(self, root: str) -> urllib.robotparser.RobotFileParser | None:
        """The site's robots rules; None (all allowed) when it has none or cannot be read."""
        rules = urllib.robotparser.RobotFileParser(root + "/robots.txt")
        try:
            status, _, body = self._request(root + "/robots.txt")
        except FetchError as exc:
            log.info("robots.txt of %s unreadable (%s); fetching as allowed", root, exc)
            return None
        if status in (401, 403):
            rules.parse(["User-agent: *", "Disallow: /"])
            return rules
        if not 200 <= status < 300:
            return None
        rules.parse(body.decode("utf-8", errors="replace").splitlines())
        return rules

    def _wait_turn(self, host: str) -> None:
        """Sleep until ``min_interval_s`` has passed since the last request to ``host``."""
        with self._lock:
            last = self._last.get(host)
        if last is not None:
            wait = self.policy.min_interval_s - (time.monotonic() - last)
            if wait > 0:
                self._sleep(wait)

    def _with_retries(self, url: str) -> tuple[int, email.message.Message, bytes]:
        """One request, tried again with backoff on 5xx / 429 / timeouts / dropped connections."""
        attempt = 0
        while True:
            try:
                status, headers, body = self._request(url)
            except _Transient as exc:
                if attempt >= self.policy.retries:
                    raise FetchError(f"{url}: {exc} (after {attempt + 1} tries)") from None
                delay = self._backoff(attempt, None)
                log.info("%s: %s; retrying in %.1fs", url, exc, delay)
            else:
                if status not in RETRY_STATUSES or attempt >= self.policy.retries:
                    if status in RETRY_STATUSES:
                        raise FetchError(f"{url}: HTTP {status} (after {attempt + 1} tries)")
                    return status, headers, body
                delay = self._backoff(attempt, headers.get("Retry-After"))
                log.info("%s: HTTP %d; retrying in %.1fs", url, status, delay)
            self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        delay = self.policy.backoff_s * (2 ** attempt)
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after.strip()))
        return min(delay, self.policy.max_backoff_s)

    def _request(self, url: str) -> tuple[int, email.message.Message, bytes]:
        """One GET, spaced from the last to the same host; the body read within the timeout
        and the size cap."""
        host = urllib.parse.urlsplit(url).netloc.lower()
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            self._wait_turn(host)
            try:
                return self._get(url)
            finally:
                with self._lock:
                    self._last[host] = time.monotonic()

    def _get(self, url: str) -> tuple[int, email.message.Message, bytes]:
        policy = self.policy
        request = urllib.request.Request(url, headers={
            "User-Agent": policy.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.5"})
        deadline = time.monotonic() + policy.timeout_s
        try:
            response = self._opener.open(request, timeout=policy.timeout_s)
        except urllib.error.HTTPError as exc:  # 3xx (not followed here), 4xx, 5xx
            headers = exc.headers
            exc.close()
            return exc.code, headers, b""
        except TimeoutError as exc:
            raise _Transient(f"timed out after {policy.timeout_s:g}s") from exc
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, TimeoutError):
                raise _Transient(f"timed out after {policy.timeout_s:g}s") from exc
            if isinstance(reason, ConnectionError):
                raise _Transient(f"connection failed: {reason}") from exc
            raise FetchError(f"{url}: cannot connect: {reason}") from None
        except (ConnectionError, OSError) as exc:
            raise _Transient(f"connection failed: {exc}") from exc
        with response:
            length = response.headers.get("Content-Length")
            if length and length.strip().isdigit() and int(length) > policy.max_bytes:
                raise FetchError(f"{url}: page too large ({int(length):,} bytes > limit "
                                 f"{policy.max_bytes:,})")
            chunks: list[bytes] = []
            size = 0
            try:
                while True:
                    if time.monotonic() > deadline:
                        raise _Transient(f"timed out after {policy.timeout_s:g}s")
                    chunk = response.read(CHUNK)
                    if not chunk:
                        break
                    size += len(chunk)
                    if size > policy.max_bytes:
                        raise FetchError(f"{url}: page too large (over the limit of "
                                         f"{policy.max_bytes:,} bytes)")
                    chunks.append(chunk)
            except TimeoutError as exc:
                raise _Transient(f"timed out after {policy.timeout_s:g}s") from exc
            except (ConnectionError, OSError) as exc:
                raise _Transient(f"connection dropped: {exc}") from exc
            return response.status, response.headers, b"".join(chunks)


class _Transient(Exception):
    """A failure worth retrying (timeout, dropped connection)."""


def _content_type(headers: email.message.Message) -> tuple[str, str | None]:
    """The media type (lower case) and charset of a response."""
    raw = headers.get("Content-Type") or ""
    media = raw.split(";", 1)[0].strip().lower()
    charset = None
    for part in raw.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media, charset
