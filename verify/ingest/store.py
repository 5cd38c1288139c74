"""Database writes for ingestion: sources, documents and passages, one transaction each.

A document's identity is its URL where it has one, else the sha256 of its text
(:func:`document_identity`); every place it was read from (a file, a JSONL/CSV row) is an
*origin* in ``document_origins``. A moved or copied file is one more origin of the same
document, not a second document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from verify.ingest.domains import looks_like_domain, name_key
from verify.ingest.models import IngestIssue, IngestReport, ParsedDocument
from verify.sources.keys import source_key
from verify.store import insert_rows

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


def text_identity(text: str) -> str:
    """The identity of a document without a URL: the sha256 of its text."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_identity(doc: ParsedDocument) -> str:
    """``url:<url>`` where the document has a URL, else :func:`text_identity`.

    Example:
        >>> document_identity(ParsedDocument("Some text.", url=" https://a.example.com/1 "))
        'url:https://a.example.com/1'
    """
    url = (doc.url or "").strip()
    return f"url:{url}" if url else text_identity(doc.text)


@dataclass
class DocumentState:
    """What ingest knows of one stored document."""

    digest: str
    identity: str
    origins: set[str] = field(default_factory=set)


@dataclass
class Catalog:
    """The stored documents and their origins, loaded once per ingest and kept current.

    Valid for a whole ingest because the ingest holds the workspace's writer lock.
    """

    docs: dict[int, DocumentState] = field(default_factory=dict)
    origins: dict[str, int] = field(default_factory=dict)
    origin_paths: dict[str, str] = field(default_factory=dict)
    identities: dict[str, int] = field(default_factory=dict)

    def add_origin(self, doc_id: int, origin_key: str, file_path: str | None) -> None:
        """Record that ``origin_key`` now reads ``doc_id``."""
        self.origins[origin_key] = doc_id
        self.origin_paths[origin_key] = file_path or ""
        self.docs[doc_id].origins.add(origin_key)

    def drop_origin(self, origin_key: str) -> int | None:
        """Forget an origin; the document it read, if any."""
        doc_id = self.origins.pop(origin_key, None)
        self.origin_paths.pop(origin_key, None)
        if doc_id is not None and doc_id in self.docs:
            self.docs[doc_id].origins.discard(origin_key)
        return doc_id

    def set_document(self, doc_id: int, digest: str, identity: str) -> None:
        """Record a document's content hash and identity after a write."""
        state = self.docs.get(doc_id)
        if state is None:
            state = self.docs[doc_id] = DocumentState(digest, identity)
        elif self.identities.get(state.identity) == doc_id:
            del self.identities[state.identity]
        state.digest, state.identity = digest, identity
        self.identities.setdefault(identity, doc_id)

    def drop_document(self, doc_id: int) -> None:
        """Forget a deleted document and its origins."""
        state = self.docs.pop(doc_id, None)
        if state is None:
            return
        if self.identities.get(state.identity) == doc_id:
            del self.identities[state.identity]
        for key in state.origins:
            self.origins.pop(key, None)
            self.origin_paths.pop(key, None)


def load_catalog(store: Store) -> Catalog:
    """Every document's content hash, identity and origins."""
    catalog = Catalog()
    for doc_id, digest, identity in store.fetchall(
            "SELECT document_id, content_hash, identity FROM documents ORDER BY document_id"):
        catalog.docs[int(doc_id)] = DocumentState(str(digest), str(identity or ""))
        if identity:
            catalog.identities.setdefault(str(identity), int(doc_id))
    for key, doc_id, file_path in store.fetchall(
            "SELECT origin_key, document_id, file_path FROM document_origins"):
        if int(doc_id) in catalog.docs:
            catalog.add_origin(int(doc_id), str(key), file_path)
    return catalog


def _upsert_origin(con: Store, origin_key: str, document_id: int, file_path: str | None) -> None:
    con.execute("DELETE FROM document_origins WHERE origin_key = ?", [origin_key])
    con.execute("INSERT INTO document_origins (origin_key, document_id, file_path) VALUES (?, ?, ?)",
                [origin_key, document_id, file_path])


def attach_origin(store: Store, document_id: int, origin_key: str, file_path: str | None) -> None:
    """Record one more place ``document_id`` is read from (a moved or copied file)."""
    with store.transaction() as con:
        _upsert_origin(con, origin_key, document_id, file_path)
        if file_path:
            con.execute("UPDATE documents SET file_path = ? WHERE document_id = ?",
                        [file_path, document_id])


def drop_origins(store: Store, origin_keys: Sequence[str]) -> tuple[list[int], int]:
    """Forget origins; delete the documents left with none. Returns (documents deleted,
    passages removed). A surviving document whose ``origin_key`` or ``file_path`` named a
    dropped origin takes one of its remaining origins."""
    if not origin_keys:
        return [], 0
    keys = list(origin_keys)
    with store.transaction() as con:
        affected = [int(r[0]) for r in con.fetchall(
            "SELECT DISTINCT document_id FROM document_origins WHERE origin_key IN "
            "(SELECT unnest(?::VARCHAR[]))", [keys])]
        con.execute("DELETE FROM document_origins WHERE origin_key IN (SELECT unnest(?::VARCHAR[]))",
                    [keys])
        orphans: list[int] = []
        for doc_id in affected:
            left = con.fetchone("SELECT origin_key, file_path FROM document_origins "
                                "WHERE document_id = ? ORDER BY seen_at DESC, origin_key LIMIT 1",
                                [doc_id])
            if left is None:
                orphans.append(doc_id)
            else:
                con.execute("UPDATE documents SET file_path = ? WHERE document_id = ?",
                            [left[1], doc_id])
        removed = delete_documents(con, orphans)
    return orphans, removed


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
        rekey_documents(ws.store, dry_run=True)
        # -> [(12, 'x.com', 'x.com/@somehandle')]
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
    insert_rows(con, "INSERT INTO passages (document_id, passage_order, text, char_start, char_end)",
                [(document_id, order, text[s:e], s, e) for order, (s, e) in enumerate(spans)],
                per_statement=PASSAGE_BATCH)


def write_document(store: Store, *, origin_key: str, file_path: str,
                   doc: ParsedDocument, digest: str, spans: Sequence[tuple[int, int]],
                   existing_id: int | None, identity: str | None = None) -> tuple[int, int, int]:
    """Insert or replace one document and its passages atomically, and record
    ``origin_key`` as a place it is read from.

    Returns (document_id, passages added, passages removed).
    """
    identity = identity or document_identity(doc)
    with store.transaction() as con:
        source_id = ensure_source(con, source_domain(con, doc), doc.source_name)
        values = [source_id, file_path, doc.url, doc.title, doc.author, doc.published_date,
                  doc.language, digest, doc.text, len(doc.text), identity]
        removed = 0
        if existing_id is None:
            key = origin_key
            if con.fetchone("SELECT 1 FROM documents WHERE origin_key = ?", [key]) is not None:
                key = f"{origin_key}@{digest[:12]}"  # the first origin of another document
            document_id = con.execute(
                "INSERT INTO documents (origin_key, source_id, file_path, url, title, author, "
                "published_date, language, content_hash, text, char_count, identity) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING document_id",
                [key, *values],
            ).fetchone()[0]  # type: ignore[index]
        else:
            document_id = existing_id
            removed = int(con.execute(
                "SELECT count(*) FROM passages WHERE document_id = ?", [document_id]).fetchone()[0])  # type: ignore[index]
            con.execute("DELETE FROM passages WHERE document_id = ?", [document_id])
            con.execute(
                "UPDATE documents SET source_id = ?, file_path = ?, url = ?, title = ?, author = ?, "
                "published_date = ?, language = ?, content_hash = ?, text = ?, char_count = ?, "
                "identity = ?, ingested_at = current_timestamp WHERE document_id = ?",
                [*values, document_id],
            )
        _insert_passages(con, int(document_id), doc.text, spans)
        _upsert_origin(con, origin_key, int(document_id), file_path)
    return int(document_id), len(spans), removed


def delete_documents(store: Store, document_ids: Sequence[int]) -> int:
    """Delete documents, their passages and origins in one transaction; passages removed."""
    if not document_ids:
        return 0
    marks = ", ".join("?" * len(document_ids))
    with store.transaction() as con:
        removed = int(con.execute(
            f"SELECT count(*) FROM passages WHERE document_id IN ({marks})", list(document_ids)
        ).fetchone()[0])  # type: ignore[index]
        con.execute(f"DELETE FROM passages WHERE document_id IN ({marks})", list(document_ids))
        con.execute(f"DELETE FROM document_origins WHERE document_id IN ({marks})", list(document_ids))
        con.execute(f"DELETE FROM documents WHERE document_id IN ({marks})", list(document_ids))
    return removed


# ---- ingest runs ------------------------------------------------------------------------
def close_dead_runs(store: Store) -> list[str]:
    """Mark runs still 'running' as 'killed' (call while holding the writer lock: no live
    ingest can own them); returns their ids."""
    with store.transaction() as con:
        dead = [str(r[0]) for r in con.fetchall(
            "SELECT run_id FROM ingest_runs WHERE status = 'running' ORDER BY started_at")]
        if dead:
            con.execute("UPDATE ingest_runs SET status = 'killed' WHERE status = 'running'")
    return dead


def start_run(store: Store, run_id: str, started: dt.datetime) -> None:
    """Record a run as 'running' before it changes anything."""
    with store.transaction() as con:
        con.execute("INSERT INTO ingest_runs (run_id, started_at, status, phase, pid, added, "
                    "updated, skipped, failed, passages, removed) "
                    "VALUES (?, ?, 'running', 'storing', ?, 0, 0, 0, 0, 0, 0)",
                    [run_id, started, os.getpid()])


def update_run(store: Store, report: IngestReport, *, phase: str | None = None,
               status: str | None = None, finished: bool = False) -> None:
    """Write the run's counts so far (and its phase / final status)."""
    with store.transaction() as con:
        con.execute(
            "UPDATE ingest_runs SET added = ?, updated = ?, skipped = ?, failed = ?, passages = ?, "
            "removed = ?, index_in_sync = ?, phase = coalesce(?, phase), status = coalesce(?, status), "
            "finished_at = CASE WHEN ? THEN current_timestamp ELSE finished_at END WHERE run_id = ?",
            [report.added, report.updated, report.skipped, report.failed, report.passages_added,
             report.removed, report.index_in_sync, phase, status, finished, report.run_id])


def record_errors(con: Store, report: IngestReport) -> None:
    """Write each issue of the run to ``ingest_errors``."""
    issues: list[IngestIssue] = report.errors
    with con.transaction():
        for i in range(0, len(issues), PASSAGE_BATCH):
            batch = issues[i:i + PASSAGE_BATCH]
            con.execute(
                "INSERT INTO ingest_errors (run_id, file_path, location, reason) VALUES "
                + ", ".join(["(?, ?, ?, ?)"] * len(batch)),
                [v for issue in batch for v in (report.run_id, issue.path, issue.location, issue.reason)],
            )
