"""Reading articles to audit: plain text, Markdown, HTML, JSONL/CSV of articles, and web
pages by URL (fetched politely, read with ingestion's HTML extractor; the page's title,
outlet, date and final URL are kept).

Each article comes back as an :class:`Article`; a file that cannot be read becomes an
article with a ``status`` (``unreadable``, ``too_large``, ``empty``) and a message, so
the batch goes on.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from verify.errors import InputError

log = logging.getLogger(__name__)

DEFAULT_MAX_CHARS = 200_000      # ~30,000 words; longer articles are reported "too_large"
DEFAULT_MAX_BYTES = 20_000_000   # a JSONL/CSV file of articles may be larger than one article
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"}
TABLE_SUFFIXES = {".jsonl", ".ndjson", ".csv"}
DEFAULT_FIELDS = {"text": "text", "title": "title", "url": "url", "id": "id",
                  "author": "author", "date": "date"}


@dataclass
class Article:
    """One article to audit (or the reason it cannot be)."""

    key: str                          # stable identity inside an audit: path or path#id
    file_path: str
    text: str = ""
    title: str | None = None
    url: str | None = None
    author: str | None = None
    published_date: str | None = None
    content_hash: str = ""
    status: str = "ok"                # ok | empty | too_large | unreadable
    message: str = ""
    meta: dict[str, Any] = field(default_factory=dict)


def _hash(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _decode(data: bytes) -> str:
    """Decode bytes as ingestion does (binary and undecodable text raise InputError)."""
    from verify.ingest.text import decode_bytes

    return decode_bytes(data)


def html_to_text(html: str) -> tuple[str, dict[str, Any]]:
    """Article text and metadata from HTML, with ingestion's extractor."""
    from verify.ingest import extract_html_text

    doc = extract_html_text(html)
    meta = {k: getattr(doc, k, None) for k in ("title", "url", "author", "published_date")}
    return str(doc.text), meta


def _clean(text: str) -> str:
    from verify.ingest.text import normalize_text

    return normalize_text(text)


def parse_text_file(path: Path, raw: str) -> tuple[str, dict[str, Any]]:
    """Text and metadata of a .txt / .md / .html file, as ingestion extracts them."""
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm", ".xhtml") or raw.lstrip()[:15].lower().startswith(
            ("<!doctype html", "<html")):
        text, meta = html_to_text(raw)
        return _clean(text), meta
    from verify.ingest.frontmatter import split_front_matter, split_text_header, strip_markdown

    if suffix in (".md", ".markdown"):
        meta, body = split_front_matter(raw)
        return _clean(strip_markdown(body)), meta
    meta, body = split_text_header(raw)
    return _clean(body), meta


def _read_single(path: Path, data: bytes) -> tuple[str, dict[str, Any]]:
    """Text and metadata exactly as ingestion reads the file (``read_article``)."""
    try:
        from verify.ingest import read_article
    except ImportError:  # pragma: no cover - older ingestion
        return parse_text_file(path, _decode(data))
    if path.suffix.lower() not in (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".pdf"):
        return parse_text_file(path, _decode(data))
    doc = read_article(path)
    meta = {k: getattr(doc, k, None) for k in ("title", "url", "author", "published_date")}
    return _clean(doc.text), meta


def _meta_str(meta: Mapping[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value not in (None, ""):
            return value.isoformat() if isinstance(value, dt.date) else " ".join(str(value).split())
    return None


def _finish(article: Article, max_chars: int) -> Article:
    """Apply the empty / too-large rules."""
    if article.status != "ok":
        return article
    if not article.text.strip():
        article.status, article.message = "empty", "no article text"
    elif len(article.text) > max_chars:
        article.status = "too_large"
        article.message = (f"article has {len(article.text):,} characters; the limit is "
                           f"{max_chars:,} (raise max_chars to audit it)")
        article.text = ""
    return article


def read_file_article(path: Path, *, max_chars: int = DEFAULT_MAX_CHARS) -> Article:
    """One text/Markdown/HTML file as an article (never raises for bad content)."""
    key = str(path)
    try:
        size = path.stat().st_size
        if size > max(max_chars * 4, 1_000_000):
            return Article(key, key, status="too_large",
                           message=f"file is {size:,} bytes; the article limit is {max_chars:,} characters",
                           content_hash=f"size:{size}:{int(path.stat().st_mtime)}")
        data = path.read_bytes()
    except OSError as exc:
        return Article(key, key, status="unreadable", message=f"cannot read file: {exc.strerror or exc}")
    article = Article(key, key, content_hash=_hash(data))
    if not data.strip():
        article.status, article.message = "empty", "empty file"
        return article
    try:
        text, meta = _read_single(path, data)
    except InputError as exc:
        article.status, article.message = "unreadable", str(exc)
        return article
    except Exception as exc:  # a parser bug must not stop the batch
        log.warning("cannot parse %s: %s", path, exc)
        article.status, article.message = "unreadable", f"cannot parse: {exc}"
        return article
    article.text = text
    article.title = _meta_str(meta, "title")
    article.url = _meta_str(meta, "url", "link")
    article.author = _meta_str(meta, "author", "byline")
    article.published_date = _meta_str(meta, "published_date", "date", "published")
    return _finish(article, max_chars)


def _rows(path: Path, raw: str) -> Iterator[tuple[str, dict[str, Any] | None, str]]:
    """(location, row or None, error) for each JSONL line / CSV row."""
    if path.suffix.lower() == ".csv":
        csv.field_size_limit(max(csv.field_size_limit(), 50_000_000))
        reader = csv.DictReader(io.StringIO(raw))
        for n, row in enumerate(reader, 2):
            yield f"row {n}", dict(row), ""
        return
    from verify.ingest.text import json_lines

    for n, row, error in json_lines(raw):
        if error:
            yield f"line {n}", None, f"invalid JSON: {error}"
            continue
        if not isinstance(row, dict):
            yield f"line {n}", None, "expected a JSON object"
            continue
        yield f"line {n}", row, ""


def read_table_articles(path: Path, *, fields: Mapping[str, str] | None = None,
                        max_chars: int = DEFAULT_MAX_CHARS) -> list[Article]:
    """Articles from a JSONL or CSV file; ``fields`` maps text/title/url/id to column names."""
    mapping = {**DEFAULT_FIELDS, **(fields or {})}
    key = str(path)
    try:
        data = path.read_bytes()
        if len(data) > DEFAULT_MAX_BYTES:
            return [Article(key, key, status="too_large",
                            message=f"file is {len(data):,} bytes; the limit is {DEFAULT_MAX_BYTES:,}")]
        raw = _decode(data)
    except OSError as exc:
        return [Article(key, key, status="unreadable", message=f"cannot read file: {exc.strerror or exc}")]
    except InputError as exc:
        return [Article(key, key, status="unreadable", message=str(exc))]
    out: list[Article] = []
    for location, row, error in _rows(path, raw):
        if row is None:
            out.append(Article(f"{key}#{location}", key, status="unreadable",
                               message=f"{path.name} {location}: {error}",
                               content_hash=_hash(location.encode())))
            continue
        ident = row.get(mapping["id"])
        art_key = f"{key}#{ident}" if ident not in (None, "") else f"{key}#{location}"
        value = row.get(mapping["text"])
        if value is not None and not isinstance(value, str):
            value = str(value)
        article = Article(art_key, key, content_hash=_hash(json.dumps(row, sort_keys=True,
                                                                      default=str).encode()))
        article.meta = {"location": location}
        if value is None:
            article.status = "empty"
            article.message = f"{path.name} {location}: no field {mapping['text']!r}"
            out.append(article)
            continue
        article.text = _clean(value)
        article.title = _meta_str(row, mapping["title"])
        article.url = _meta_str(row, mapping["url"])
        article.author = _meta_str(row, mapping["author"])
        article.published_date = _meta_str(row, mapping["date"])
        out.append(_finish(article, max_chars))
    return out


def iter_input_files(inputs: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files named, and the article files inside folders named (sorted, recursive)."""
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in TEXT_SUFFIXES | TABLE_SUFFIXES \
                        and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    yield child
        else:
            yield path


_URL_IN_PATH = re.compile(r"(?:^|/)(https?):/+([^/].*)$", re.IGNORECASE)


def as_url(item: str | os.PathLike[str]) -> str | None:
    """The http(s) URL ``item`` names, also after ``os.path.abspath`` mangled it
    (``/cwd/https:/host/page``, as a stored audit keeps its inputs); None for a path."""
    from verify.ingest.fetch import is_url

    text = os.fspath(item)
    if is_url(text):
        return text.strip()
    match = _URL_IN_PATH.search(text)
    if match and not os.path.exists(text):
        return f"{match[1].lower()}://{match[2]}"
    return None


def read_url_article(url: str, *, max_chars: int = DEFAULT_MAX_CHARS,
                     fetcher: Any = None) -> Article:
    """One web page as an article (never raises for a bad page: it becomes ``unreadable``).

    The page's outlet, final URL, fetch time and the extractor that read it are in
    ``article.meta``; the note (``message``) names the outlet.
    """
    from verify.ingest.fetch import Fetcher, FetchPolicy
    from verify.ingest.web import page_document

    fetcher = fetcher or Fetcher(FetchPolicy(max_bytes=max(max_chars * 8, 2_000_000)))
    try:
        doc = page_document(fetcher.fetch(url))
    except InputError as exc:
        return Article(url, url, status="unreadable", message=str(exc),
                       content_hash=_hash(f"unreadable {url}".encode()))
    except Exception as exc:  # a parser bug must not stop the batch
        log.warning("cannot read %s: %s", url, exc)
        return Article(url, url, status="unreadable", message=f"{url}: cannot read the page: {exc}",
                       content_hash=_hash(f"unreadable {url}".encode()))
    text = _clean(doc.text)
    article = Article(url, url, text=text, title=doc.title, url=doc.url, author=doc.author,
                      published_date=doc.published_date.isoformat() if doc.published_date else None,
                      content_hash=_hash(text.encode()))
    article.meta = {k: v for k, v in (("outlet", doc.source_name),
                                      ("final_url", doc.meta.get("final_url")),
                                      ("fetched_at", doc.meta.get("fetched_at")),
                                      ("extractor", doc.meta.get("extractor"))) if v}
    article.message = doc.source_name or ""
    return _finish(article, max_chars)


def read_articles(inputs: Iterable[str | os.PathLike[str]], *,
                  fields: Mapping[str, str] | None = None,
                  max_chars: int = DEFAULT_MAX_CHARS) -> list[Article]:
    """All articles from files, folders and URLs; bad ones become articles with a status."""
    out: list[Article] = []
    fetcher = None
    for item in inputs:
        url = as_url(item)
        if url is not None:
            if fetcher is None:
                from verify.ingest.fetch import Fetcher, FetchPolicy

                fetcher = Fetcher(FetchPolicy(max_bytes=max(max_chars * 8, 2_000_000)))
            out.append(read_url_article(url, max_chars=max_chars, fetcher=fetcher))
            continue
        for path in iter_input_files([item]):
            if not path.exists():
                out.append(Article(str(path), str(path), status="unreadable",
                                   message="no such file", content_hash="missing"))
            elif path.suffix.lower() in TABLE_SUFFIXES:
                out.extend(read_table_articles(path, fields=fields, max_chars=max_chars))
            else:
                out.append(read_file_article(path, max_chars=max_chars))
    seen: dict[str, int] = {}
    for article in out:          # the same row id twice in one file: keep both, keys unique
        n = seen.get(article.key, 0)
        seen[article.key] = n + 1
        if n:
            article.key = f"{article.key}~{n + 1}"
    return out
