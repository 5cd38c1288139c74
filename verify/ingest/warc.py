"""Web archives (WARC and ARC files, gzipped or not) as documents, read with ``warcio``.

One document per archived HTML response with a 2xx status; other records (requests,
metadata, images, scripts, redirects) are passed over. The original URL and the capture
time are kept: the origin key is ``<file>#<capture time> <url>``, and ``doc.meta`` has
``original_url``, ``capture_time`` and ``warc_record_id``. The document's URL is the page's
canonical URL when it declares one, else the archived URL.

Example:
    items = list(iter_archive(Path("capture.warc.gz"), max_bytes=10_000_000))
    items[0].doc.meta["original_url"], items[0].doc.meta["capture_time"]
    # -> ('https://example.com/news/1', '2020-08-03T21:15:00Z')
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from verify.errors import InputError
from verify.ingest.html import extract_html_text
from verify.ingest.readers import ReadItem

log = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a WARC/ARC file (by its name)."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            return value.strip().strip("\"'")
    return None


def _decode(body: bytes, charset: str | None) -> str:
    from verify.ingest.text import decode_bytes

    if charset:
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(body)


def _record_item(record: Any, base: str, max_bytes: int) -> ReadItem | None:
    """A read item for one archived HTML response; None for any other record."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode() or ""
    content_type = record.http_headers.get_header("Content-Type") or ""
    if not status.startswith("2") or content_type.split(";")[0].strip().lower() not in HTML_TYPES:
        return None
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
    captured = record.rec_headers.get_header("WARC-Date") or ""
    record_id = record.rec_headers.get_header("WARC-Record-ID")
    origin = f"{base}#{captured} {url}"
    location = f"{captured} {url}".strip()
    body = record.content_stream().read(max_bytes + 1)
    if len(body) > max_bytes:
        return ReadItem(origin, location, error=f"archived page too large (over {max_bytes:,} "
                        "bytes); raise --max-size-mb to ingest it")
    try:
        doc = extract_html_text(_decode(body, _charset(content_type)), url=url or None)
    except InputError as exc:
        return ReadItem(origin, location, error=str(exc))
    doc.url = doc.url or url or None
    doc.meta.update({"original_url": url, "capture_time": captured,
                     "warc_record_id": record_id, "archive_file": base})
    return ReadItem(origin, location, doc=doc)


def _looks_like_archive(path: Path) -> bool:
    """Whether the file starts like a WARC (``WARC/``) or ARC (``filedesc://``) file,
    gzipped or not."""
    import zlib

    with path.open("rb") as handle:
        head = handle.read(4096)
    if head[:2] == b"\x1f\x8b":
        try:
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
        except zlib.error:
            return False
    return head.lstrip().startswith((b"WARC/", b"filedesc://"))


def iter_archive(path: Path, max_bytes: int) -> Iterator[ReadItem]:
    """One read item per archived HTML response in a WARC/ARC file; a damaged file yields
    an error item where it breaks, after the pages read before it. (A gzipped file cut off
    inside its last record loses that record without an error: warcio stops there.)"""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    base = str(path.resolve())
    pages = 0
    try:
        if not _looks_like_archive(path):
            yield ReadItem(base, None, error="not a WARC/ARC file (it does not start with a "
                           "WARC or ARC header)")
            return
        with path.open("rb") as handle:
            for record in ArchiveIterator(handle, arc2warc=True):
                try:
                    item = _record_item(record, base, max_bytes)
                except Exception as exc:  # one bad record must not lose the rest of the file
                    log.warning("%s: unreadable archive record: %s", path, exc)
                    uri = record.rec_headers.get_header("WARC-Target-URI") or "?"
                    item = ReadItem(f"{base}#{uri}", uri, error=f"unreadable archive record: {exc}")
                if item is not None:
                    pages += 1
                    yield item
    except ArchiveLoadFailed as exc:
        yield ReadItem(base, None, error=f"not a readable WARC/ARC file: {exc.msg}")
        return
    except (OSError, EOFError, ValueError) as exc:  # truncated gzip, cut-off record
        yield ReadItem(base, None, error=f"damaged web archive (read {pages} page(s) before "
                       f"it broke): {exc}")
        return
    if pages == 0:
        yield ReadItem(base, None, error="no archived HTML pages (2xx text/html responses) "
                       "in this web archive")
