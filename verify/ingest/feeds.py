"""RSS, Atom and sitemap reading: the article URLs an outlet lists.

``read_feed`` takes a URL (fetched politely) or a file, recognises RSS 2.0 / RSS 1.0 (RDF),
Atom, sitemaps and sitemap indexes (whose child sitemaps it reads too, up to a limit),
gzipped or not, and returns the entries' links. Ingestion then reads the pages it does not
have yet, so rerunning a feed adds only its new items.

Example:
    entries, issues = read_feed("https://example.com/rss.xml", Fetcher())
    entries[0].url
    # -> 'https://example.com/news/1'
"""

from __future__ import annotations

import gzip
import logging
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify.errors import InputError
from verify.ingest.fetch import Fetcher, is_url
from verify.ingest.models import IngestIssue

log = logging.getLogger(__name__)

MAX_SITEMAPS = 50           # child sitemaps read from one sitemap index
MAX_FEED_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed or sitemap."""

    url: str
    title: str | None = None
    published: str | None = None


@dataclass
class ParsedFeed:
    """What one feed document holds: its kind, entries, and (for an index) child sitemaps."""

    kind: str                        # rss | atom | rdf | sitemap | sitemapindex
    entries: list[FeedEntry]
    sitemaps: list[str]


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child(el: Any, name: str) -> Any:
    return next((c for c in el if _local(c.tag) == name), None)


def _text(el: Any, name: str) -> str | None:
    child = _child(el, name)
    if child is None:
        return None
    text = " ".join("".join(child.itertext()).split())
    return text or None


def parse_feed(data: bytes, where: str) -> ParsedFeed:
    """Entries of an RSS/Atom feed or sitemap; InputError when it is none of these."""
    from lxml import etree

    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise InputError(f"{where}: damaged gzip file: {exc}") from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=True,
                             huge_tree=False)
    try:
        root = etree.fromstring(data.lstrip(), parser=parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(f"{where}: not a feed or sitemap (malformed XML: {exc})") from None
    if root is None:
        raise InputError(f"{where}: not a feed or sitemap (no XML)")
    kind = _local(root.tag)
    entries: list[FeedEntry] = []
    sitemaps: list[str] = []
    if kind == "rss":
        channel = _child(root, "channel")
        for item in (channel if channel is not None else root).iter():
            if _local(item.tag) != "item":
                continue
            link = _text(item, "link")
            guid = _child(item, "guid")
            if not link and guid is not None and (guid.get("isPermaLink") or "true") == "true":
                link = _text(item, "guid")
            if link:
                entries.append(FeedEntry(link, _text(item, "title"),
                                         _text(item, "pubdate") or _text(item, "date")))
    elif kind == "feed":
        kind = "atom"
        for entry in root:
            if _local(entry.tag) != "entry":
                continue
            links = [c for c in entry if _local(c.tag) == "link" and c.get("href")]
            best = next((c for c in links if c.get("rel") in (None, "alternate")), None)
            if best is not None:
                entries.append(FeedEntry(best.get("href").strip(), _text(entry, "title"),
                                         _text(entry, "published") or _text(entry, "updated")))
    elif kind == "rdf":
        for item in root:
            if _local(item.tag) == "item" and _text(item, "link"):
                entries.append(FeedEntry(str(_text(item, "link")), _text(item, "title"),
                                         _text(item, "date")))
    elif kind == "urlset":
        kind = "sitemap"
        for url in root:
            if _local(url.tag) == "url" and _text(url, "loc"):
                news = _child(url, "news")
                published = _text(news, "publication_date") if news is not None else None
                title = _text(news, "title") if news is not None else None
                entries.append(FeedEntry(str(_text(url, "loc")), title,
                                         published or _text(url, "lastmod")))
    elif kind == "sitemapindex":
        sitemaps = [str(_text(s, "loc")) for s in root if _local(s.tag) == "sitemap" and _text(s, "loc")]
    else:
        raise InputError(f"{where}: not an RSS/Atom feed or sitemap (root element <{kind}>)")
    return ParsedFeed(kind, entries, sitemaps)


def _load(source: str, fetcher: Fetcher) -> bytes:
    """The bytes of a feed URL or file; InputError (FetchError) naming it when unreadable."""
    if is_url(source):
        return fetcher.fetch(source).body
    path = Path(source)
    try:
        size = path.stat().st_size
        if size > MAX_FEED_BYTES:
            raise InputError(f"{source}: feed file too large ({size:,} bytes)")
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file (give a feed URL or file)") from None
    except OSError as exc:
        raise InputError(f"{source}: cannot read: {exc.strerror or exc}") from None


def read_feed(source: str, fetcher: Fetcher) -> tuple[list[FeedEntry], list[IngestIssue]]:
    """The entries of a feed or sitemap (URL or file), child sitemaps included, each URL
    once; problems (an unreadable child sitemap, a relative link) as issues."""
    issues: list[IngestIssue] = []
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    queue = [source]
    read = 0
    while queue:
        current = queue.pop(0)
        try:
            parsed = parse_feed(_load(current, fetcher), current)
        except InputError as exc:
            if current == source:
                raise
            issues.append(IngestIssue(current, None, str(exc).removeprefix(f"{current}: ")))
            continue
        read += 1
        base = current if is_url(current) else ""
        for child in parsed.sitemaps:
            if read + len(queue) >= MAX_SITEMAPS + 1:
                issues.append(IngestIssue(source, None, f"more than {MAX_SITEMAPS} child "
                                          "sitemaps; the rest were not read"))
                break
            queue.append(urllib.parse.urljoin(base, child) if base else child)
        for entry in parsed.entries:
            url = urllib.parse.urljoin(base, entry.url) if base else entry.url
            if not is_url(url):
                issues.append(IngestIssue(current, None, f"entry link is not an http(s) URL: "
                                          f"{entry.url[:80]!r}"))
                continue
            if url not in seen:
                seen.add(url)
                entries.append(FeedEntry(url, entry.title, entry.published))
    return entries, issues
