"""Ingest files and folders into a workspace; remove documents; corpus statistics."""

from __future__ import annotations

import datetime as dt
import logging
import os
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from verify.errors import InputError
from verify.ingest.models import CorpusStats, IngestIssue, IngestReport, SourceCount
from verify.ingest.passages import make_passages
from verify.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ROW_FORMATS,
    SUPPORTED_EXTENSIONS,
    FieldMap,
    ReadItem,
    iter_documents,
)
from verify.ingest.store import (
    content_hash,
    delete_documents,
    record_run,
    write_document,
)

if TYPE_CHECKING:
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"


def _is_skipped_name(name: str) -> bool:
    """Dotfiles and README files are never ingested from a folder walk."""
    return name.startswith(".") or name.upper().startswith("README")


def collect_files(paths: list[Path]) -> tuple[list[Path], list[IngestIssue], list[IngestIssue]]:
    """Files to read (sorted walk of folders), plus errors and ignored files."""
    files: list[Path] = []
    errors: list[IngestIssue] = []
    ignored: list[IngestIssue] = []
    seen: set[Path] = set()

    def add(path: Path) -> None:
        resolved = path.resolve()
        if resolved not in seen:
            seen.add(resolved)
            files.append(path)

    for path in paths:
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    full = Path(root) / name
                    if _is_skipped_name(name):
                        continue
                    if full.suffix.lower() not in SUPPORTED_EXTENSIONS:
                        ignored.append(IngestIssue(str(full), None,
                                                   f"unsupported file type {full.suffix or '(none)'}"))
                        continue
                    add(full)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS:
                errors.append(IngestIssue(str(path), None, f"unsupported file type {path.suffix or '(none)'}; "
                                          f"supported: {', '.join(sorted(SUPPORTED_EXTENSIONS))}"))
                continue
            add(path)
        elif path.exists():
            errors.append(IngestIssue(str(path), None, "not a regular file or folder"))
        else:
            errors.append(IngestIssue(str(path), None, "no such file or folder"))
    return files, errors, ignored


ProgressCallback = Callable[[int, int, str], None]


def ingest_paths(ws: Workspace, paths: list[Path], *, text_field: str = "text",
                 url_field: str = "url", title_field: str = "title", date_field: str = "date",
                 source_field: str = "source", author_field: str = "author",
                 language_field: str = "language", progress: bool = True,
                 sync_index: bool = True, max_bytes: int = DEFAULT_MAX_BYTES,
                 progress_callback: ProgressCallback | None = None) -> IngestReport:
    """Ingest files and folders; idempotent and incremental. Returns an :class:`IngestReport`.

    ``progress_callback(done, total, message)`` is called after each file (for UIs).

    Example:
        >>> report = ingest_paths(ws, [Path("corpus/demo")], progress=False)  # doctest: +SKIP
        >>> report.added, report.failed                                      # doctest: +SKIP
        (28, 0)
    """
    from tqdm import tqdm

    if max_bytes <= 0:
        raise InputError(f"max_bytes must be positive, got {max_bytes}")
    fields = FieldMap(text_field, url_field, title_field, date_field, source_field,
                      author_field, language_field)
    started = dt.datetime.now()
    report = IngestReport(run_id=uuid.uuid4().hex)
    files, errors, ignored = collect_files([Path(p) for p in paths])
    report.files = len(files)
    report.errors.extend(errors)
    report.failed += len(errors)
    report.ignored.extend(ignored)
    known = {key: (int(doc_id), str(digest)) for key, doc_id, digest in ws.store.execute(
        "SELECT origin_key, document_id, content_hash FROM documents").fetchall()}
    for done, path in enumerate(tqdm(files, desc="ingest", unit="file", disable=not progress)):
        if progress_callback is not None:
            progress_callback(done, len(files), path.name)
        seen: set[str] = set()
        all_ok = True
        for item in iter_documents(path, fields, max_bytes):
            seen.add(item.origin_key)
            all_ok = _store_item(ws, report, known, path, item) and all_ok
        if path.suffix.lower() in ROW_FORMATS:
            _prune_rows(ws, report, known, path, seen, all_ok)
    record_run(ws.store, report, started)
    for issue in report.errors:
        log.warning("ingest: %s", issue)
    if report.changed and sync_index:
        if progress_callback is not None:
            progress_callback(len(files), len(files), "embedding and indexing passages")
        ws.sync_index(progress=progress)
        report.index_synced = True
    if progress_callback is not None:
        progress_callback(len(files), len(files), "done")
    return report


def _store_item(ws: Workspace, report: IngestReport, known: dict[str, tuple[int, str]],
                path: Path, item: ReadItem) -> bool:
    """Add, update or skip one read document; False when it failed."""
    if item.error is not None or item.doc is None:
        report.failed += 1
        report.errors.append(IngestIssue(str(path), item.location, item.error or "unreadable"))
        return False
    doc = item.doc
    doc.language = doc.language or DEFAULT_LANGUAGE
    for warning in doc.meta.pop("_warnings", []):
        report.warnings.append(IngestIssue(str(path), item.location, warning))
    digest = content_hash(doc)
    existing = known.get(item.origin_key)
    if existing is not None and existing[1] == digest:
        report.skipped += 1
        return True
    try:
        doc_id, added, removed = write_document(
            ws.store, origin_key=item.origin_key, file_path=str(path.resolve()), doc=doc,
            digest=digest, spans=make_passages(doc.text),
            existing_id=existing[0] if existing else None)
    except Exception as exc:  # a database error for one document must not stop the batch
        log.exception("storing %s failed", item.origin_key)
        report.failed += 1
        report.errors.append(IngestIssue(str(path), item.location, f"could not store: {exc}"))
        return False
    known[item.origin_key] = (doc_id, digest)
    report.passages_added += added
    report.passages_removed += removed
    if existing is None:
        report.added += 1
    else:
        report.updated += 1
    return True


def _prune_rows(ws: Workspace, report: IngestReport, known: dict[str, tuple[int, str]],
                path: Path, seen: set[str], all_ok: bool) -> None:
    """Remove documents of rows no longer in a JSONL/CSV file (only when every row read)."""
    prefix = f"{path.resolve()}#"
    gone = [(key, doc_id) for key, (doc_id, _) in known.items()
            if key.startswith(prefix) and key not in seen]
    if not gone:
        return
    if not all_ok:
        report.warnings.append(IngestIssue(
            str(path), None, f"{len(gone)} earlier row(s) no longer in the file were kept "
            "because some rows failed; fix the file and ingest again to remove them"))
        return
    report.passages_removed += delete_documents(ws.store, [doc_id for _, doc_id in gone])
    report.removed += len(gone)
    for key, _ in gone:
        known.pop(key, None)


def _find_documents(ws: Workspace, ref: int | str) -> list[int]:
    """Document ids matching an id, origin key, file path or URL."""
    con = ws.store
    text = str(ref).strip()
    if isinstance(ref, int) or text.isdigit():
        rows = con.execute("SELECT document_id FROM documents WHERE document_id = ?", [int(text)]).fetchall()
        if rows:
            return [int(r[0]) for r in rows]
    rows = con.execute("SELECT document_id FROM documents WHERE origin_key = ?", [text]).fetchall()
    if not rows:
        try:
            resolved = str(Path(text).expanduser().resolve())
        except (OSError, RuntimeError):
            resolved = text
        rows = con.execute("SELECT document_id FROM documents WHERE file_path IN (?, ?) ORDER BY document_id",
                           [resolved, text]).fetchall()
    if not rows:
        rows = con.execute("SELECT document_id FROM documents WHERE url = ? ORDER BY document_id",
                           [text]).fetchall()
    return [int(r[0]) for r in rows]


def remove_document(ws: Workspace, ref: int | str) -> int:
    """Remove a document (by id, origin key, file path or URL) and its passages; syncs the index.

    A file path of a JSONL/CSV file removes every row read from it. Returns passages removed.

    Example:
        >>> remove_document(ws, "corpus/demo/2020-08-02-riverside-gazette-rovers-win.md")  # doctest: +SKIP
        3
    """
    ids = _find_documents(ws, ref)
    if not ids:
        raise InputError(f"no document matches {ref!r} (give a document id, file path, origin key or URL)")
    removed = delete_documents(ws.store, ids)
    ws.sync_index()
    return removed


def corpus_stats(ws: Workspace) -> CorpusStats:
    """Counts of documents, passages and sources, the date range, per-source and language counts."""
    con = ws.store
    docs, earliest, latest = con.execute(
        "SELECT count(*), min(published_date), max(published_date) FROM documents").fetchone()  # type: ignore[misc]
    passages = con.execute("SELECT count(*) FROM passages").fetchone()[0]  # type: ignore[index]
    sources = con.execute(
        "SELECT count(DISTINCT source_id) FROM documents WHERE source_id IS NOT NULL").fetchone()[0]  # type: ignore[index]
    per_source = [
        SourceCount(domain, name, int(n_docs), int(n_pass))
        for domain, name, n_docs, n_pass in con.execute(
            "SELECT s.domain, s.name, count(DISTINCT d.document_id), count(p.passage_id) "
            "FROM documents d LEFT JOIN sources s USING (source_id) "
            "LEFT JOIN passages p USING (document_id) "
            "GROUP BY s.domain, s.name ORDER BY count(DISTINCT d.document_id) DESC, s.domain"
        ).fetchall()
    ]
    languages = {str(lang or "unknown"): int(n) for lang, n in con.execute(
        "SELECT language, count(*) FROM documents GROUP BY language ORDER BY count(*) DESC").fetchall()}
    return CorpusStats(int(docs), int(passages), int(sources), earliest, latest, per_source, languages)
