"""Database writes for ingestion: sources, documents and passages, one transaction each."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from verify.ingest.domains import looks_like_domain, name_key
from verify.ingest.models import IngestIssue, IngestReport, ParsedDocument
from verify.sources.keys import source_key

if TYPE_CHECKING:
    import duckdb

    from verify.store import Store

PASSAGE_BATCH = 200


def content_hash(doc: ParsedDocument) -> str:
    """A hash of the text and the stored metadata: equal hash, nothing to do."""
    payload = json.dumps(
        [doc.text, doc.title, doc.url, doc.published_date.isoformat() if doc.published_date else None,
         doc.author, doc.language, doc.source_name],
        ensure_ascii=False,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def source_domain(con: Store, doc: ParsedDocument) -> str | None:
    """The key of the document's source: :func:`verify.sources.keys.source_key` of its URL
    (registrable domain, platform account or suffix-less host), else from its name."""
    if doc.url:
        domain = source_key(doc.url)
        if domain:
            return domain
    name = doc.source_name
    if not name:
        return None
    if looks_like_domain(name):
        return source_key(name)
    row = con.execute(
        "SELECT domain FROM sources WHERE lower(name) = lower(?) ORDER BY source_id LIMIT 1", [name]
    ).fetchone()
    return str(row[0]) if row else name_key(name)


def ensure_source(con: Store, domain: str | None, name: str | None) -> int | None:
    """The source_id for ``domain`` (following aliases), inserting the source if missing."""
    if not domain:
        return None
    alias = con.execute("SELECT source_id FROM source_aliases WHERE alias_domain = ?", [domain]).fetchone()
    if alias:
        return int(alias[0])
    row = con.execute("SELECT source_id, name FROM sources WHERE domain = ?", [domain]).fetchone()
    if row is None:
        con.execute("INSERT INTO sources (domain, name) VALUES (?, ?)", [domain, name])
        row = con.execute("SELECT source_id, name FROM sources WHERE domain = ?", [domain]).fetchone()
    elif row[1] is None and name:
        con.execute("UPDATE sources SET name = ? WHERE source_id = ?", [name, row[0]])
    return int(row[0]) if row else None


def rekey_documents(store: Store, *, dry_run: bool = False) -> list[tuple[int, str, str]]:
    """Move documents whose URL now gives another source key (platform accounts, hosts
    without a public suffix, a newly registered platform) to that source, in one transaction.

    Returns (document_id, old key, new key) for each document moved (or to move, with
    ``dry_run``). Documents whose current source is an alias of the new key stay.

    Example:
        >>> rekey_documents(ws.store, dry_run=True)   # doctest: +SKIP
        [(12, 'x.com', 'x.com/@somehandle')]
    """
    rows = store.execute(
        "SELECT d.document_id, d.url, s.domain, d.source_id FROM documents d "
        "LEFT JOIN sources s ON s.source_id = d.source_id WHERE d.url IS NOT NULL "
        "ORDER BY d.document_id").fetchall()
    aliases = dict(store.fetchall("SELECT alias_domain, source_id FROM source_aliases"))
    moves: list[tuple[int, str, str]] = []
    for document_id, url, domain, source_id in rows:
        key = source_key(url)
        if key and key != domain and aliases.get(key) != source_id:
            moves.append((int(document_id), str(domain or ""), key))
    if dry_run or not moves:
        return moves
    with store.transaction():
        ids: dict[str, int | None] = {}
        for document_id, _, key in moves:
            if key not in ids:
                ids[key] = ensure_source(store, key, None)
            store.execute("UPDATE documents SET source_id = ? WHERE document_id = ?",
                          [ids[key], document_id])
    return moves


def _insert_passages(con: Store | duckdb.DuckDBPyConnection, document_id: int, text: str,
                     spans: Sequence[tuple[int, int]]) -> None:
    """Insert passages in multi-row batches (much faster than one statement per row)."""
    rows = [(document_id, order, text[s:e], s, e) for order, (s, e) in enumerate(spans)]
    for i in range(0, len(rows), PASSAGE_BATCH):
        batch = rows[i:i + PASSAGE_BATCH]
        placeholders = ", ".join(["(?, ?, ?, ?, ?)"] * len(batch))
        con.execute(
            "INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
            f"VALUES {placeholders}",
            [value for row in batch for value in row],
        )


def write_document(store: Store, *, origin_key: str, file_path: str,
                   doc: ParsedDocument, digest: str, spans: Sequence[tuple[int, int]],
                   existing_id: int | None) -> tuple[int, int, int]:
    """Insert or replace one document and its passages atomically.

    Returns (document_id, passages added, passages removed).
    """
    with store.transaction() as con:
        source_id = ensure_source(con, source_domain(con, doc), doc.source_name)
        values = [source_id, file_path, doc.url, doc.title, doc.author, doc.published_date,
                  doc.language, digest, doc.text, len(doc.text)]
        removed = 0
        if existing_id is None:
            document_id = con.execute(
                "INSERT INTO documents (origin_key, source_id, file_path, url, title, author, "
                "published_date, language, content_hash, text, char_count) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING document_id",
                [origin_key, *values],
            ).fetchone()[0]  # type: ignore[index]
        else:
            document_id = existing_id
            removed = int(con.execute(
                "SELECT count(*) FROM passages WHERE document_id = ?", [document_id]).fetchone()[0])  # type: ignore[index]
            con.execute("DELETE FROM passages WHERE document_id = ?", [document_id])
            con.execute(
                "UPDATE documents SET source_id = ?, file_path = ?, url = ?, title = ?, author = ?, "
                "published_date = ?, language = ?, content_hash = ?, text = ?, char_count = ?, "
                "ingested_at = current_timestamp WHERE document_id = ?",
                [*values, document_id],
            )
        _insert_passages(con, int(document_id), doc.text, spans)
    return int(document_id), len(spans), removed


def delete_documents(store: Store, document_ids: Sequence[int]) -> int:
    """Delete documents and their passages in one transaction; passages removed."""
    if not document_ids:
        return 0
    marks = ", ".join("?" * len(document_ids))
    with store.transaction() as con:
        removed = int(con.execute(
            f"SELECT count(*) FROM passages WHERE document_id IN ({marks})", list(document_ids)
        ).fetchone()[0])  # type: ignore[index]
        con.execute(f"DELETE FROM passages WHERE document_id IN ({marks})", list(document_ids))
        con.execute(f"DELETE FROM documents WHERE document_id IN ({marks})", list(document_ids))
    return removed


def record_run(con: Store, report: IngestReport, started: dt.datetime) -> None:
    """Write the run summary to ``ingest_runs`` and each issue to ``ingest_errors``."""
    con.execute(
        "INSERT INTO ingest_runs (run_id, started_at, finished_at, added, updated, skipped, failed, passages) "
        "VALUES (?, ?, current_timestamp, ?, ?, ?, ?, ?)",
        [report.run_id, started, report.added, report.updated, report.skipped, report.failed,
         report.passages_added],
    )
    issues: list[IngestIssue] = report.errors
    for i in range(0, len(issues), PASSAGE_BATCH):
        batch = issues[i:i + PASSAGE_BATCH]
        con.execute(
            "INSERT INTO ingest_errors (run_id, file_path, location, reason) VALUES "
            + ", ".join(["(?, ?, ?, ?)"] * len(batch)),
            [v for issue in batch for v in (report.run_id, issue.path, issue.location, issue.reason)],
        )
