"""Web pages as documents: a URL (or a file of URLs) fetched and read like an HTML file.

Example:
    from verify.ingest.fetch import Fetcher
    item = read_url(Fetcher(), "https://example.com/news/1")
    item.doc.url, item.doc.meta["final_url"], item.doc.meta["extractor"]
    # -> ('https://example.com/news/1', 'https://example.com/news/1', 'trafilatura')
"""

from __future__ import annotations

import logging
from pathlib import Path

from verify.errors import FetchError, InputError
from verify.ingest.fetch import FetchedPage, Fetcher, is_url
from verify.ingest.html import extract_html_text
from verify.ingest.models import IngestIssue, ParsedDocument
from verify.ingest.readers import ReadItem

log = logging.getLogger(__name__)


def _reason(url: str, exc: Exception) -> str:
    """The error without the URL at its front (the report names the URL already)."""
    return str(exc).removeprefix(f"{url}: ")


def page_document(page: FetchedPage) -> ParsedDocument:
    """A fetched HTML page as a document, with where and when it was read in ``meta``.

    The document's URL is the page's canonical URL when it declares one, else the URL it
    was finally served from.
    """
    if not page.is_html:
        raise FetchError(f"{page.final_url}: not an HTML page (content type "
                         f"{page.content_type or 'unknown'})")
    doc = extract_html_text(page.text(), url=page.final_url)
    doc.url = doc.url or page.final_url
    doc.meta.update({"fetched_url": page.url, "final_url": page.final_url,
                     "fetched_at": page.fetched_at.isoformat(timespec="seconds")})
    if page.redirects:
        doc.meta["redirects"] = [*page.redirects, page.final_url]
    return doc


def read_url(fetcher: Fetcher, url: str) -> ReadItem:
    """One URL as a read item (its origin key is the URL as given); never raises for a bad
    page: the reason is in ``item.error``."""
    url = url.strip()
    try:
        return ReadItem(url, None, doc=page_document(fetcher.fetch(url)))
    except InputError as exc:  # FetchError, or no article text in the page
        return ReadItem(url, None, error=_reason(url, exc))
    except Exception as exc:  # a parser bug on one page must not stop the batch
        log.exception("reading %s failed", url)
        return ReadItem(url, None, error=f"cannot read the page: {exc}")


def read_url_list(path: Path) -> tuple[list[str], list[IngestIssue]]:
    """The URLs in a text file, one per line (blank lines and ``#`` comments skipped), and
    one issue per line that is not an http(s) URL."""
    from verify.ingest.text import decode_bytes

    try:
        raw = decode_bytes(path.read_bytes())
    except OSError as exc:
        return [], [IngestIssue(str(path), None, f"cannot read the URL list: {exc.strerror or exc}")]
    except InputError as exc:
        return [], [IngestIssue(str(path), None, str(exc))]
    urls: list[str] = []
    issues: list[IngestIssue] = []
    for n, line in enumerate(raw.splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if is_url(text):
            urls.append(text)
        else:
            issues.append(IngestIssue(str(path), str(n), f"not an http(s) URL: {text[:80]!r}"))
    if not urls and not issues:
        issues.append(IngestIssue(str(path), None, "no URLs in the file"))
    return urls, issues
