"""Format readers: ``.txt .md .html .htm .pdf`` (one document per file) and
``.jsonl .csv`` (one document per row). Bad input raises or yields an
:class:`~verify.errors.InputError` reason naming where it is.

Example:
    from pathlib import Path
    doc = read_article(Path("corpus/demo/2019-11-meridian-isk-profile.md"))
    doc.title
    # -> 'Profile: Islamic State Khorasan (IS-K)'
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from verify.errors import InputError
from verify.ingest.frontmatter import split_front_matter, split_text_header, strip_markdown
from verify.ingest.html import extract_html_text
from verify.ingest.models import IngestIssue, ParsedDocument
from verify.ingest.text import (
    clean_value,
    decode_bytes,
    normalize_language,
    normalize_text,
    parse_date,
)

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
SINGLE_FORMATS = frozenset({".txt", ".md", ".markdown", ".html", ".htm", ".pdf"})
ROW_FORMATS = frozenset({".jsonl", ".ndjson", ".csv"})
SUPPORTED_EXTENSIONS = SINGLE_FORMATS | ROW_FORMATS

ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("headline", "name"),
    "url": ("link", "canonical_url", "canonical", "href"),
    "date": ("published", "published_date", "date_published", "published_at", "pubdate",
             "publish_date", "created"),
    "source": ("site_name", "publisher", "outlet", "site", "source_name"),
    "author": ("byline", "authors", "creator"),
    "language": ("lang", "locale"),
}


@dataclass(frozen=True)
class FieldMap:
    """Which row / front-matter keys hold the text and each metadata field."""

    text: str = "text"
    url: str = "url"
    title: str = "title"
    date: str = "date"
    source: str = "source"
    author: str = "author"
    language: str = "language"


@dataclass
class ReadItem:
    """One document read from a file (or one row of it), or the reason it failed."""

    origin_key: str
    location: str | None
    doc: ParsedDocument | None = None
    error: str | None = None


def _pick(meta: dict[str, Any], primary: str, field: str) -> Any:
    """The value of ``primary`` (or a known alias of ``field``) in ``meta``."""
    for key in (primary.lower(), field, *ALIASES.get(field, ())):
        value = meta.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def doc_from_mapping(meta: dict[str, Any], text: str, fields: FieldMap) -> ParsedDocument:
    """Build a document from cleaned text and a metadata mapping."""
    meta = {str(k).strip().lower(): v for k, v in meta.items()}
    text = normalize_text(text)
    if not text:
        raise InputError("no text (the document is empty)")
    used = {fields.text.lower()}
    values: dict[str, Any] = {}
    for field in ("title", "url", "date", "source", "author", "language"):
        primary = getattr(fields, field)
        values[field] = _pick(meta, primary, field)
        used.update({primary.lower(), field, *ALIASES.get(field, ())})
    date = parse_date(values["date"])
    warnings = []
    if values["date"] not in (None, "") and date is None:
        warnings.append(f"unreadable date {values['date']!r}")
    extra = {k: _jsonable(v) for k, v in meta.items() if k not in used}
    if warnings:
        extra["_warnings"] = warnings
    return ParsedDocument(
        text=text,
        title=clean_value(values["title"]) or _first_line_title(text),
        url=clean_value(values["url"]),
        published_date=date,
        author=clean_value(values["author"]),
        language=normalize_language(values["language"]),
        source_name=clean_value(values["source"]),
        meta=extra,
    )


def _jsonable(value: Any) -> Any:
    """Metadata values that JSON can hold."""
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)


def _first_line_title(text: str) -> str | None:
    """A short first line without a final period reads as a title."""
    first = text.split("\n", 1)[0].strip()
    if 0 < len(first) <= 150 and not first.endswith((".", ",", ";")) and "\n" in text:
        return first
    return None


def _check_size(path: Path, max_bytes: int) -> int:
    """The file size, or InputError when empty or over ``max_bytes``."""
    size = path.stat().st_size
    if size == 0:
        raise InputError("empty file")
    if size > max_bytes:
        raise InputError(f"file too large ({size:,} bytes > limit {max_bytes:,}); "
                         "raise --max-size-mb to ingest it")
    return size


def _read_text_file(path: Path, max_bytes: int) -> str:
    _check_size(path, max_bytes)
    return decode_bytes(path.read_bytes())


def _read_pdf(path: Path, max_bytes: int) -> ParsedDocument:
    """Text and metadata of a PDF; InputError for corrupt, encrypted or image-only files."""
    _check_size(path, max_bytes)
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    pdf_log = logging.getLogger("pypdf")
    level = pdf_log.level
    pdf_log.setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(path.read_bytes()), strict=False)
        if reader.is_encrypted:
            raise InputError("encrypted PDF: cannot extract text")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except InputError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            IndexError, RecursionError, ZeroDivisionError, AssertionError) as exc:
        raise InputError(f"corrupt or unreadable PDF: {exc or type(exc).__name__}") from None
    finally:
        pdf_log.setLevel(level)
    text = "\n\n".join(_unwrap_pdf_text(p) for p in pages if p.strip())
    if not normalize_text(text):
        raise InputError("PDF has no extractable text (scanned images?)")
    meta: dict[str, Any] = {}
    if info is not None:
        meta = {"title": info.title, "author": info.author}
        try:
            meta["date"] = info.creation_date
        except (ValueError, TypeError):
            pass
    return doc_from_mapping(meta, text, FieldMap())


def _unwrap_pdf_text(page: str) -> str:
    """Join hyphenated line breaks and wrapped lines within paragraphs."""
    import re

    page = re.sub(r"(\w)-\n(\w)", r"\1\2", page)
    return re.sub(r"(?<!\n)\n(?!\n)", " ", page)


def read_article(path: Path, fields: FieldMap | None = None,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> ParsedDocument:
    """Read one single-document file (.txt .md .html .htm .pdf); InputError when bad."""
    fields = fields or FieldMap()
    suffix = path.suffix.lower()
    if suffix in ROW_FORMATS:
        raise InputError(f"{suffix} files hold one document per row; ingest them instead")
    if suffix not in SINGLE_FORMATS:
        raise InputError(f"unsupported file type {suffix or '(none)'}")
    if suffix == ".pdf":
        return _read_pdf(path, max_bytes)
    raw = _read_text_file(path, max_bytes)
    if suffix in (".html", ".htm"):
        return extract_html_text(raw)
    if suffix in (".md", ".markdown"):
        meta, body = split_front_matter(raw.replace("\r\n", "\n"))
        return doc_from_mapping(meta, strip_markdown(body), fields)
    meta, body = split_text_header(raw.replace("\r\n", "\n"))
    return doc_from_mapping(meta, body, fields)


def _row_key(base: str, n: int, doc: ParsedDocument | None, seen: set[str]) -> str:
    """``path#url=...`` when the row has a URL not seen before in this file, else ``path#row=N``."""
    if doc is not None and doc.url and doc.url not in seen:
        seen.add(doc.url)
        return f"{base}#url={doc.url}"
    return f"{base}#row={n}"


def _iter_jsonl(path: Path, base: str, fields: FieldMap, max_bytes: int) -> Iterator[ReadItem]:
    """One item per non-blank line; oversize lines are skipped without loading them whole."""
    seen: set[str] = set()
    rows = 0
    with path.open("rb") as handle:
        line_no = 0
        while True:
            raw = handle.readline(max_bytes + 1)
            if not raw:
                break
            line_no += 1
            loc = str(line_no)
            if len(raw) > max_bytes and not raw.endswith(b"\n"):
                while raw and not raw.endswith(b"\n"):
                    raw = handle.readline(1 << 20)
                yield ReadItem(f"{base}#row={line_no}", loc,
                               error=f"line too long (over {max_bytes:,} bytes)")
                continue
            if not raw.strip():
                continue
            rows += 1
            try:
                text = decode_bytes(raw)
                record = json.loads(text)
            except InputError as exc:
                yield ReadItem(f"{base}#row={line_no}", loc, error=str(exc))
                continue
            except json.JSONDecodeError as exc:
                yield ReadItem(f"{base}#row={line_no}", loc,
                               error=f"malformed JSON: {exc.msg} (column {exc.colno})")
                continue
            yield _row_item(record, fields, base, line_no, loc, seen)
    if rows == 0:
        yield ReadItem(base, None, error="empty file (no JSON rows)")


def _row_item(record: Any, fields: FieldMap, base: str, n: int, loc: str,
              seen: set[str]) -> ReadItem:
    """A ReadItem for one JSONL object / CSV row."""
    if not isinstance(record, dict):
        return ReadItem(f"{base}#row={n}", loc,
                        error=f"expected a JSON object, got {type(record).__name__}")
    lowered = {str(k).strip().lower(): v for k, v in record.items()}
    text = lowered.get(fields.text.lower())
    if not isinstance(text, str) or not text.strip():
        what = "missing" if text is None else "empty" if isinstance(text, str) else "not a string"
        return ReadItem(f"{base}#row={n}", loc, error=f"text field {fields.text!r} is {what}")
    try:
        doc = doc_from_mapping(lowered, text, fields)
    except InputError as exc:
        return ReadItem(f"{base}#row={n}", loc, error=str(exc))
    return ReadItem(_row_key(base, n, doc, seen), loc, doc=doc)


def _iter_csv(path: Path, base: str, fields: FieldMap, max_bytes: int) -> Iterator[ReadItem]:
    """One item per CSV row (header row names the fields)."""
    size = path.stat().st_size
    if size == 0:
        yield ReadItem(base, None, error="empty file")
        return
    handle: io.TextIOBase
    if size <= max_bytes:
        try:
            handle = io.StringIO(decode_bytes(path.read_bytes()), newline="")
        except InputError as exc:
            yield ReadItem(base, None, error=str(exc))
            return
    else:
        try:
            _sniff_binary(path)
        except InputError as exc:
            yield ReadItem(base, None, error=str(exc))
            return
        handle = io.TextIOWrapper(path.open("rb"), encoding="utf-8-sig", errors="strict", newline="")
    seen: set[str] = set()
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, max_bytes))
    rows = 0
    try:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames
        except (csv.Error, UnicodeDecodeError) as exc:
            yield ReadItem(base, "1", error=f"unreadable CSV header: {exc}")
            return
        if not header:
            yield ReadItem(base, None, error="empty file (no CSV header)")
            return
        if fields.text.lower() not in {h.strip().lower() for h in header if h}:
            yield ReadItem(base, "1", error=f"no {fields.text!r} column (columns: {', '.join(header)})")
            return
        start_line = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except (csv.Error, UnicodeDecodeError) as exc:
                yield ReadItem(f"{base}#row={rows + 1}", str(start_line),
                               error=f"unreadable CSV row: {exc}; the rest of the file was skipped")
                return
            rows += 1
            loc = str(start_line)
            start_line = reader.line_num + 1
            if None in row:
                yield ReadItem(f"{base}#row={rows}", loc,
                               error=f"row has more fields than the header ({len(header)})")
                continue
            text = row.get(next(h for h in header if h and h.strip().lower() == fields.text.lower()))
            if text is not None and len(text) > max_bytes:
                yield ReadItem(f"{base}#row={rows}", loc,
                               error=f"text too long ({len(text):,} characters > {max_bytes:,})")
                continue
            clean = {k: v for k, v in row.items() if k is not None and v not in (None, "")}
            yield _row_item(clean, fields, base, rows, loc, seen)
    finally:
        handle.close()
        csv.field_size_limit(limit)
    if rows == 0:
        yield ReadItem(base, None, error="no data rows under the CSV header")


def _sniff_binary(path: Path) -> None:
    """InputError when the start of a row file holds NUL bytes (an image, an archive...)."""
    with path.open("rb") as handle:
        head = handle.read(65536)
    if b"\x00" in head and head[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError("binary file (contains NUL bytes), not text")


def iter_documents(path: Path, fields: FieldMap | None = None,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[ReadItem]:
    """Every document in ``path`` (one, or one per row), each with its origin key."""
    fields = fields or FieldMap()
    base = str(path.resolve())
    suffix = path.suffix.lower()
    try:
        if suffix in (".jsonl", ".ndjson"):
            if path.stat().st_size == 0:
                yield ReadItem(base, None, error="empty file")
                return
            _sniff_binary(path)
            yield from _iter_jsonl(path, base, fields, max_bytes)
        elif suffix == ".csv":
            yield from _iter_csv(path, base, fields, max_bytes)
        elif path.name.lower().endswith((".warc", ".warc.gz", ".arc", ".arc.gz")):
            from verify.ingest.warc import iter_archive

            yield from iter_archive(path, max_bytes)
        else:
            yield ReadItem(base, None, doc=read_article(path, fields, max_bytes))
    except InputError as exc:
        yield ReadItem(base, None, error=str(exc))
    except OSError as exc:
        yield ReadItem(base, None, error=f"cannot read file: {exc.strerror or exc}")


def symlinked_folder_warnings(root: Path, dirs: list[str]) -> list[IngestIssue]:
    """One warning per symlinked folder among ``dirs`` of ``root``: a folder walk does not
    follow them (they could lead outside the folder or round in a loop), and says so."""
    out: list[IngestIssue] = []
    for name in dirs:
        link = root / name
        if not link.is_symlink():
            continue
        try:
            target = os.readlink(link)
        except OSError:
            target = "?"
        out.append(IngestIssue(str(link), None,
                               f"symlinked folder not followed (-> {target}); ingest that folder "
                               "by its own path to include it"))
    return out
