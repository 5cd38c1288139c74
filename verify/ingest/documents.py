"""The corpus one document at a time: list (filtered), open, edit source/URL/date.

An edit is written as an ingest update is: the document row and its passages in one
transaction under the workspace's writer lock, then the index is synced. A new source or
date gives the document's passages new ids (same text and offsets), so every index backend
re-reads them with the new metadata (the Milvus index keeps source and date per passage for
its filters; the embedded index reads them from DuckDB). A new URL is the document's new
identity (``url:<url>``) and, unless a source is given as well, its source key
(:func:`verify.sources.keys.source_key`). The stored content hash is kept: re-ingesting
the unchanged file later keeps the edit; a changed file replaces it, as any update does.

Example:
    edit_document(ws, 12, url="https://www.dawn.com/news/1", published_date="2024-03-01")
    # -> DocumentEdit(document_id=12, changed={'url': ..., 'source': ('', 'dawn.com'), ...})
    document_view(ws, 12).passages[0].text
    # -> 'IS-K killed 338 civilians in Pakistan since 2017 ...'
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from verify.errors import InputError
from verify.ingest.domains import looks_like_domain, name_key
from verify.ingest.store import ensure_source, text_identity
from verify.ingest.text import parse_date
from verify.sources.keys import source_key
from verify.store import writer_lock
from verify.urls import safe_url

if TYPE_CHECKING:
    from verify.index.base import IndexStatus
    from verify.workspace import Workspace

WRITER_WAIT_S = 5.0
MAX_PAGE = 1000


class _Unset:
    """The marker for 'leave this field as it is'."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


@dataclass(frozen=True)
class DocumentRow:
    """One document as the browser lists it."""

    document_id: int
    title: str | None
    url: str | None
    file_path: str | None
    source: str | None
    published_date: dt.date | None
    language: str | None
    passages: int
    ingested_at: dt.datetime | None


@dataclass(frozen=True)
class DocumentList:
    """A page of documents and how many match the filters in all."""

    rows: tuple[DocumentRow, ...]
    total: int


@dataclass(frozen=True)
class PassageRow:
    """One passage of a document: its id, order and text with offsets in the document."""

    passage_id: int
    order: int
    text: str
    char_start: int
    char_end: int


@dataclass(frozen=True)
class DocumentView:
    """A document opened: its metadata, full text, passages and where it was read from."""

    document_id: int
    title: str | None
    url: str | None
    file_path: str | None
    source: str | None
    source_name: str | None
    author: str | None
    published_date: dt.date | None
    language: str | None
    identity: str | None
    text: str
    ingested_at: dt.datetime | None
    origins: tuple[str, ...]
    passages: tuple[PassageRow, ...]


@dataclass(frozen=True)
class DocumentEdit:
    """What an edit changed (field -> (before, after)), and the index afterwards."""

    document_id: int
    changed: dict[str, tuple[Any, Any]]
    passages_renewed: int
    index: IndexStatus | None = None

    def summary(self) -> str:
        """One line: 'url: a -> b; source: x -> y', or that nothing changed."""
        if not self.changed:
            return f"document {self.document_id}: nothing changed"
        return f"document {self.document_id}: " + "; ".join(
            f"{k}: {before or '(none)'} -> {after or '(none)'}"
            for k, (before, after) in self.changed.items())


_LIST_FROM = (" FROM documents d LEFT JOIN sources s ON s.source_id = d.source_id")


def _where(text: str | None, sources: Sequence[str] | None, date_from: dt.date | None,
           date_to: dt.date | None) -> tuple[str, list[Any]]:
    """The WHERE clause of the document filters, with its parameters."""
    where: list[str] = []
    params: list[Any] = []
    if text and text.strip():
        where.append("(d.title ILIKE ? OR d.url ILIKE ? OR d.file_path ILIKE ?)")
        params += [f"%{text.strip()}%"] * 3
    keys = [s.strip() for s in (sources or ()) if s and s.strip()]
    if keys:
        where.append("s.domain IN (SELECT unnest(?::VARCHAR[]))")
        params.append(keys)
    if date_from is not None:
        where.append("d.published_date >= ?")
        params.append(date_from)
    if date_to is not None:
        where.append("d.published_date <= ?")
        params.append(date_to)
    return (" WHERE " + " AND ".join(where)) if where else "", params


def list_documents(ws: Workspace, text: str | None = None, *,
                   sources: Sequence[str] | None = None, date_from: dt.date | None = None,
                   date_to: dt.date | None = None, limit: int = 50,
                   offset: int = 0) -> DocumentList:
    """Documents newest-ingested first, filtered by words in the title, URL or path
    (``text``), by source keys (``sources``, exact) and by publication date (an undated
    document matches no date bound). Returns a page and the total that match.

    Example:
        list_documents(ws, "prison", sources=["dawn.com"]).total
        # -> 2
    """
    if not 1 <= limit <= MAX_PAGE or offset < 0:
        raise InputError(f"limit: must be 1..{MAX_PAGE} and offset at least 0 "
                         f"(got {limit}, {offset})")
    if date_from and date_to and date_from > date_to:
        raise InputError(f"date range: {date_from} is after {date_to}")
    where, params = _where(text, sources, date_from, date_to)
    total = int(ws.store.execute("SELECT count(*)" + _LIST_FROM + where, params).fetchone()[0])  # type: ignore[index]
    rows = ws.store.execute(
        "SELECT d.document_id, d.title, d.url, d.file_path, s.domain, d.published_date,"
        " d.language, (SELECT count(*) FROM passages p WHERE p.document_id = d.document_id),"
        " d.ingested_at" + _LIST_FROM + where
        + " ORDER BY d.ingested_at DESC, d.document_id DESC LIMIT ? OFFSET ?",
        [*params, int(limit), int(offset)]).fetchall()
    return DocumentList(tuple(DocumentRow(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6],
                                          int(r[7]), r[8]) for r in rows), total)


def document_view(ws: Workspace, document_id: int) -> DocumentView:
    """One document with its full text, passages in order and origins.

    Example:
        document_view(ws, 12).source
        # -> 'dawn.com'
    """
    row = ws.store.execute(
        "SELECT d.document_id, d.title, d.url, d.file_path, s.domain, s.name, d.author,"
        " d.published_date, d.language, d.identity, d.text, d.ingested_at" + _LIST_FROM
        + " WHERE d.document_id = ?", [int(document_id)]).fetchone()
    if row is None:
        raise InputError(f"no document with id {document_id} in this workspace")
    origins = tuple(str(o) for (o,) in ws.store.execute(
        "SELECT origin_key FROM document_origins WHERE document_id = ? ORDER BY origin_key",
        [int(document_id)]).fetchall())
    passages = tuple(PassageRow(int(p), int(o), str(t), int(a), int(b))
                     for p, o, t, a, b in ws.store.execute(
                         "SELECT passage_id, passage_order, text, char_start, char_end"
                         " FROM passages WHERE document_id = ? ORDER BY passage_order",
                         [int(document_id)]).fetchall())
    return DocumentView(int(row[0]), row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                        row[8], row[9], str(row[10]), row[11], origins, passages)


def _new_url(value: Any) -> str | None:
    """A URL as given to an edit: None to clear it, else an http(s) URL with a source."""
    text = str(value or "").strip()
    if not text:
        return None
    if safe_url(text) is None or source_key(text) is None:
        raise InputError(f"url: {text!r} is not an http(s) address with a host",
                         hint="give the full address, e.g. https://www.example.com/news/1")
    return text


def _new_source(value: Any) -> str | None:
    """A source as given to an edit: a domain or URL gives its key, a name its slug."""
    text = str(value or "").strip()
    if not text:
        return None
    if "://" in text or looks_like_domain(text):
        key = source_key(text if "://" in text else f"https://{text}")
        if key:
            return key
    return name_key(text)


def _new_date(value: Any) -> dt.date | None:
    """A publication date as given to an edit: a date, an ISO string, or None to clear."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(value)
    if parsed is None:
        raise InputError(f"published_date: {value!r} is not a date (use YYYY-MM-DD)")
    return parsed


def plan_edit(before: DocumentView, *, url: Any = UNSET, source: Any = UNSET,
              published_date: Any = UNSET) -> dict[str, tuple[Any, Any]]:
    """What an edit of ``before`` would change, field -> (before, after), without writing:
    the values checked and normalised as :func:`edit_document` stores them (a new URL
    brings its source key unless ``source`` is given). InputError for a bad value.

    Example:
        plan_edit(document_view(ws, 12), url="https://www.bbc.co.uk/news/1")
        # -> {'url': ('https://www.dawn.com/news/1', 'https://www.bbc.co.uk/news/1'),
        #     'source': ('dawn.com', 'bbc.co.uk')}
    """
    changed: dict[str, tuple[Any, Any]] = {}
    new_url = before.url
    if url is not UNSET:
        new_url = _new_url(url)
        if new_url != before.url:
            changed["url"] = (before.url, new_url)
    new_source = before.source
    if source is not UNSET:
        new_source = _new_source(source)
    elif "url" in changed and new_url is not None:
        new_source = source_key(new_url)
    if new_source != before.source:
        changed["source"] = (before.source, new_source)
    if published_date is not UNSET:
        new_date = _new_date(published_date)
        if new_date != before.published_date:
            changed["published_date"] = (before.published_date, new_date)
    return changed


def _url_taken(ws: Workspace, doc_id: int, url: str | None) -> None:
    """InputError when another document already has ``url`` as its identity."""
    if not url:
        return
    other = ws.store.execute(
        "SELECT document_id FROM documents WHERE identity = ? AND document_id <> ? LIMIT 1",
        [f"url:{url}", doc_id]).fetchone()
    if other is not None:
        raise InputError(f"url: document {other[0]} already has the address {url}",
                         hint="remove one of the two documents, or give another URL")


def edit_document(ws: Workspace, document_id: int, *, url: Any = UNSET, source: Any = UNSET,
                  published_date: Any = UNSET, sync_index: bool = True,
                  dry_run: bool = False) -> DocumentEdit:
    """Change a document's URL, source and/or publication date (``None`` or "" clears
    one; a field left out stays). A new URL also sets the source key it gives, unless
    ``source`` is given; the passages are renewed and the index synced (module doc).
    ``dry_run``: check the values and say what would change, writing nothing (and taking
    no lock).

    Example:
        edit_document(ws, 12, source="dawn.com").changed
        # -> {'source': ('unknown-outlet', 'dawn.com')}
    """
    doc_id = int(document_id)
    if dry_run:
        before = document_view(ws, doc_id)
        changed = plan_edit(before, url=url, source=source, published_date=published_date)
        if "url" in changed:
            _url_taken(ws, doc_id, changed["url"][1])
        return DocumentEdit(doc_id, changed, 0)
    with writer_lock(ws.path, "a document edit", wait_s=WRITER_WAIT_S):
        before = document_view(ws, doc_id)
        changed = plan_edit(before, url=url, source=source, published_date=published_date)
        if not changed:
            return DocumentEdit(doc_id, {}, 0)
        new_url = changed["url"][1] if "url" in changed else before.url
        new_source = changed["source"][1] if "source" in changed else before.source
        new_date = (changed["published_date"][1] if "published_date" in changed
                    else before.published_date)
        identity = f"url:{new_url}" if new_url else text_identity(before.text)
        if identity != before.identity:
            _url_taken(ws, doc_id, new_url)
        renew = "source" in changed or "published_date" in changed
        renewed = 0
        with ws.store.transaction() as con:
            source_id = ensure_source(con, new_source, None) if new_source else None
            con.execute("UPDATE documents SET url = ?, source_id = ?, published_date = ?,"
                        " identity = ? WHERE document_id = ?",
                        [new_url, source_id, new_date, identity, doc_id])
            if renew and before.passages:
                old = [p.passage_id for p in before.passages]
                con.execute(
                    "INSERT INTO passages (document_id, passage_order, text, char_start, char_end)"
                    " SELECT document_id, passage_order, text, char_start, char_end FROM passages"
                    " WHERE passage_id IN (SELECT unnest(?::BIGINT[])) ORDER BY passage_order",
                    [old])
                con.execute("DELETE FROM passages WHERE passage_id IN (SELECT unnest(?::BIGINT[]))",
                            [old])
                renewed = len(old)
        status = ws.sync_index() if sync_index and renewed else None
    return DocumentEdit(doc_id, changed, renewed, status)
