"""Ingest files and folders into a workspace; remove documents; corpus statistics."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import time
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from verify.errors import InputError
from verify.ingest.models import (
    CorpusStats,
    IngestIssue,
    IngestReport,
    RemovalReport,
    SourceCount,
)
from verify.ingest.passages import make_passages
from verify.ingest.readers import (
    DEFAULT_MAX_BYTES,
    ROW_FORMATS,
    SUPPORTED_EXTENSIONS,
    FieldMap,
    ReadItem,
    iter_documents,
    symlinked_folder_warnings,
)
from verify.ingest.store import (
    Catalog,
    attach_origin,
    close_dead_runs,
    content_hash,
    delete_documents,
    document_identity,
    drop_origins,
    load_catalog,
    record_errors,
    start_run,
    update_run,
    write_document,
)
from verify.ingest.warc import is_archive
from verify.store import writer_lock

if TYPE_CHECKING:
    from verify.ingest.fetch import Fetcher, FetchPolicy
    from verify.workspace import Workspace

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
YIELD_EVERY_S = 0.5     # between commits, readers waiting for the database get it this often
WRITER_WAIT_S = 5.0     # how long a second writer waits before it is told who is writing


def _is_skipped_name(name: str) -> bool:
    """Dotfiles and README files are never ingested from a folder walk."""
    return name.startswith(".") or name.upper().startswith("README")


def collect_files(paths: list[Path], warnings: list[IngestIssue] | None = None,
                  ) -> tuple[list[Path], list[IngestIssue], list[IngestIssue]]:
    """Files to read (sorted walk of folders), plus errors and ignored files.

    Symlinked folders inside a walked folder are not followed (they could lead outside it
    or round in a loop); each one is named in ``warnings`` when a list is given.
    """
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
                if warnings is not None:
                    warnings.extend(symlinked_folder_warnings(Path(root), dirs))
                for name in sorted(names):
                    full = Path(root) / name
                    if _is_skipped_name(name):
                        continue
                    if full.suffix.lower() not in SUPPORTED_EXTENSIONS and not is_archive(full):
                        ignored.append(IngestIssue(str(full), None,
                                                   f"unsupported file type {full.suffix or '(none)'}"))
                        continue
                    add(full)
        elif path.is_file():
            if path.suffix.lower() not in SUPPORTED_EXTENSIONS and not is_archive(path):
                supported = sorted({*SUPPORTED_EXTENSIONS, ".warc", ".warc.gz", ".arc", ".arc.gz"})
                errors.append(IngestIssue(str(path), None, f"unsupported file type {path.suffix or '(none)'}; "
                                          f"supported: {', '.join(supported)}"))
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
                 progress_callback: ProgressCallback | None = None,
                 prune: bool = False, wait_s: float = WRITER_WAIT_S,
                 urls: Sequence[str] = (), url_files: Sequence[str | Path] = (),
                 feeds: Sequence[str] = (), fetch_policy: FetchPolicy | None = None,
                 fetcher: Fetcher | None = None) -> IngestReport:
    """Ingest files and folders; idempotent and incremental. Returns an :class:`IngestReport`.

    Web pages too: ``urls`` (and ``paths`` that are http(s) URLs), ``url_files`` (text files
    of URLs, one per line) and ``feeds`` (RSS/Atom feeds or sitemaps, by URL or file) are
    fetched by ``fetch_policy`` (timeout, size cap, robots.txt, per-host interval, retries)
    and read with the HTML extractor; a page that fails is an error in the report and the
    rest go on. A feed's items whose URL is already in the workspace are not fetched again.
    WARC/ARC files among ``paths`` give one document per archived HTML page.

    ``progress_callback(done, total, message)`` is called after each file (for UIs).

    The run holds the workspace's writer lock (a second writer waits ``wait_s`` seconds,
    then is told who is writing) but lets go of the database between short commits and
    while embedding, so readers keep answering from the last index generation. It is
    recorded in ``ingest_runs`` as 'running' before it changes anything; a later run marks
    a run that died 'killed' and completes its work. Unless ``sync_index`` is False, the
    index is reconciled with the store (missing and stale passages) before it returns,
    whether or not this run changed a document, resuming an embedding that was killed.
    With ``prune``, documents read from files under the given folders that no longer exist
    are removed (a copy elsewhere keeps its document).

    Example:
        report = ingest_paths(ws, [Path("corpus/demo")], progress=False)
        report.added, report.failed
        # -> (28, 0)
    """
    if max_bytes <= 0:
        raise InputError(f"max_bytes must be positive, got {max_bytes}")
    fields = FieldMap(text_field, url_field, title_field, date_field, source_field,
                      author_field, language_field)
    files, given_urls = _split_urls(paths)
    web = _WebInputs([*given_urls, *urls], [Path(p) for p in url_files], list(feeds),
                     fetcher, fetch_policy)
    with writer_lock(ws.path, "an ingest", wait_s=wait_s):
        return _ingest(ws, files, fields, progress=progress,
                       sync_index=sync_index, max_bytes=max_bytes,
                       progress_callback=progress_callback, prune=prune, web=web)


_MANGLED_URL = re.compile(r"^(https?):/+(.+)$", re.IGNORECASE)


def _split_urls(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Files and folders, and the http(s) URLs among ``paths`` (also as ``Path`` made them:
    ``https:/host/page``, one slash lost)."""
    files: list[Path] = []
    found: list[str] = []
    for item in paths:
        match = _MANGLED_URL.match(str(item))
        if match and not Path(item).exists():
            found.append(f"{match[1].lower()}://{match[2]}")
        else:
            files.append(Path(item))
    return files, found


class _WebInputs:
    """The web part of one ingest: URLs, files of URLs and feeds, and the fetcher."""

    def __init__(self, urls: list[str], url_files: list[Path], feeds: list[str],
                 fetcher: Fetcher | None, policy: FetchPolicy | None) -> None:
        self.urls, self.url_files, self.feeds = urls, url_files, feeds
        self._fetcher, self._policy = fetcher, policy

    def __bool__(self) -> bool:
        return bool(self.urls or self.url_files or self.feeds)

    @property
    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from verify.ingest.fetch import Fetcher

            self._fetcher = Fetcher(self._policy)
        return self._fetcher

    def plan(self, report: IngestReport, catalog: Catalog) -> list[tuple[str, str]]:
        """(url, how) to read, each URL once: given URLs always (the content hash decides),
        feed items only when the workspace does not have them yet."""
        from verify.ingest.feeds import read_feed
        from verify.ingest.web import read_url_list

        todo: list[tuple[str, str]] = []
        seen: set[str] = set()

        def add(url: str, how: str) -> None:
            if url not in seen:
                seen.add(url)
                todo.append((url, how))

        for url in self.urls:
            add(url.strip(), "url")
        for path in self.url_files:
            listed, issues = read_url_list(path)
            report.errors.extend(issues)
            report.failed += len(issues)
            for url in listed:
                add(url, "url")
        for feed in self.feeds:
            try:
                entries, issues = read_feed(feed, self.fetcher)
            except InputError as exc:
                report.failed += 1
                report.errors.append(IngestIssue(feed, None, str(exc).removeprefix(f"{feed}: ")))
                continue
            report.feeds += 1
            report.warnings.extend(issues)
            for entry in entries:
                if entry.url in catalog.origins or f"url:{entry.url}" in catalog.identities:
                    if entry.url not in seen:
                        seen.add(entry.url)
                        report.skipped += 1
                        report.feed_known += 1
                    continue
                add(entry.url, "feed")
        return todo


def _ingest(ws: Workspace, paths: list[Path], fields: FieldMap, *, progress: bool,
            sync_index: bool, max_bytes: int, progress_callback: ProgressCallback | None,
            prune: bool, web: _WebInputs | None = None) -> IngestReport:
    """The body of :func:`ingest_paths`, run under the writer lock."""
    from tqdm import tqdm

    store = ws.store
    report = IngestReport(run_id=uuid.uuid4().hex)
    report.recovered_runs = close_dead_runs(store)
    for run_id in report.recovered_runs:
        log.warning("ingest run %s was killed before it finished; this run completes its work",
                    run_id)
    start_run(store, report.run_id, dt.datetime.now())
    try:
        files, errors, ignored = collect_files(paths, report.warnings)
        report.files = len(files)
        report.errors.extend(errors)
        report.failed += len(errors)
        report.ignored.extend(ignored)
        catalog = load_catalog(store)
        seen_docs: set[int] = set()
        last_yield = time.monotonic()
        pages = web.plan(report, catalog) if web else []
        report.urls = len(pages)
        total = len(files) + len(pages)
        bar = tqdm(total=total, desc="ingest", unit="doc", disable=not progress)
        for done, path in enumerate(files):
            if progress_callback is not None:
                progress_callback(done, total, path.name)
            seen: set[str] = set()
            all_ok = True
            file_path = str(path.resolve())
            for item in iter_documents(path, fields, max_bytes):
                seen.add(item.origin_key)
                all_ok = _store_item(ws, report, catalog, seen_docs, str(path), file_path,
                                     item) and all_ok
            if path.suffix.lower() in ROW_FORMATS:
                _prune_rows(ws, report, catalog, path, seen, all_ok)
            bar.update(1)
            if time.monotonic() - last_yield >= YIELD_EVERY_S:
                store.yield_to_waiters()
                last_yield = time.monotonic()
        if pages and web is not None:
            from verify.ingest.web import read_url

            for done, (url, _how) in enumerate(pages, len(files)):
                if progress_callback is not None:
                    progress_callback(done, total, url)
                _store_item(ws, report, catalog, seen_docs, url, "", read_url(web.fetcher, url))
                bar.update(1)
                store.yield_to_waiters()
        bar.close()
        _prune_gone(ws, report, catalog, paths, prune)
        record_errors(store, report)
        for issue in report.errors:
            log.warning("ingest: %s", issue)
        update_run(store, report, phase="indexing" if sync_index else "stored")
        if sync_index:
            if progress_callback is not None:
                progress_callback(total, total, "embedding and indexing passages")
            _reconcile_index(ws, report, progress)
        update_run(store, report, status="done", finished=True)
    except BaseException as exc:
        _close_run(ws, report, "interrupted" if isinstance(exc, KeyboardInterrupt | SystemExit)
                   else "failed")
        raise
    if progress_callback is not None:
        progress_callback(total, total, "done")
    return report


def _reconcile_index(ws: Workspace, report: IngestReport, progress: bool) -> None:
    """Bring the index in line with the store (missing and stale passages), whatever this
    run changed: a run killed while embedding left it behind, and this one completes it."""
    index = ws.index
    plan = index.plan()
    if not len(plan.store_ids) and not index.built:
        report.index_in_sync = True  # nothing stored, nothing to index
        return
    behind = not (plan.in_sync and index.built)
    if behind and not report.changed:
        log.warning("the index is behind the store (%d passages missing, %d stale); "
                    "completing it", len(plan.add), len(plan.remove))
    status = ws.sync_index(progress=progress)   # in sync: only clears a killed sync's leftovers
    report.index_synced = behind
    report.index_in_sync = bool(status.in_sync)


def _close_run(ws: Workspace, report: IngestReport, status: str) -> None:
    """Best effort: record how a run that raised ended (the error itself propagates)."""
    try:
        update_run(ws.store, report, status=status, finished=True)
    except Exception as exc:  # e.g. the database could not be taken back
        log.warning("could not record ingest run %s as %s: %s", report.run_id, status, exc)


def _store_item(ws: Workspace, report: IngestReport, catalog: Catalog, seen_docs: set[int],
                where: str, file_path: str, item: ReadItem) -> bool:
    """Add, update or skip one read document; False when it failed.

    The document is found by where it was read from (its origin) or by its identity (URL,
    else text hash): a moved or copied file is another origin of the same document. A copy
    whose text then changes leaves its document and becomes one of its own.
    """
    if item.error is not None or item.doc is None:
        report.failed += 1
        report.errors.append(IngestIssue(where, item.location, item.error or "unreadable"))
        return False
    doc = item.doc
    doc.language = doc.language or DEFAULT_LANGUAGE
    for warning in doc.meta.pop("_warnings", []):
        report.warnings.append(IngestIssue(where, item.location, warning))
    extractor = doc.meta.get("extractor")
    if extractor:
        report.extractors[str(extractor)] = report.extractors.get(str(extractor), 0) + 1
    digest = content_hash(doc)
    identity = document_identity(doc)
    origin = item.origin_key
    try:
        target = catalog.identities.get(identity)
        current = catalog.origins.get(origin)
        if current is not None and current != target and (
                target is not None or len(catalog.docs[current].origins) > 1):
            _leave(ws, report, catalog, origin)
            current = None
        doc_id = current if current is not None else target
        if doc_id is None:
            new_id, added, _ = write_document(
                ws.store, origin_key=origin, file_path=file_path, doc=doc, digest=digest,
                spans=make_passages(doc.text), existing_id=None, identity=identity)
            catalog.set_document(new_id, digest, identity)
            catalog.add_origin(new_id, origin, file_path)
            seen_docs.add(new_id)
            report.added += 1
            report.passages_added += added
            return True
        state = catalog.docs[doc_id]
        if state.digest == digest:
            if current is None:
                attach_origin(ws.store, doc_id, origin, file_path)
                catalog.add_origin(doc_id, origin, file_path)
            seen_docs.add(doc_id)
            report.skipped += 1
            return True
        if doc_id in seen_docs:
            report.skipped += 1
            report.warnings.append(IngestIssue(
                where, item.location, f"same {identity.split(':', 1)[0]} as another document "
                "read in this run, with other text or metadata; the first was kept"))
            return True
        _, added, removed = write_document(
            ws.store, origin_key=origin, file_path=file_path, doc=doc, digest=digest,
            spans=make_passages(doc.text), existing_id=doc_id, identity=identity)
    except Exception as exc:  # a database error for one document must not stop the batch
        log.exception("storing %s failed", origin)
        report.failed += 1
        report.errors.append(IngestIssue(where, item.location, f"could not store: {exc}"))
        return False
    catalog.set_document(doc_id, digest, identity)
    catalog.add_origin(doc_id, origin, file_path)
    seen_docs.add(doc_id)
    report.updated += 1
    report.passages_added += added
    report.passages_removed += removed
    return True


def _leave(ws: Workspace, report: IngestReport, catalog: Catalog, origin: str) -> None:
    """Detach one origin from its document (deleting the document if it was the last)."""
    _drop(ws, report, catalog, [origin])


def _drop(ws: Workspace, report: IngestReport, catalog: Catalog, origins: list[str]) -> None:
    """Forget origins; documents left with none are deleted (and counted as removed)."""
    deleted, passages = drop_origins(ws.store, origins)
    for origin in origins:
        catalog.drop_origin(origin)
    for doc_id in deleted:
        catalog.drop_document(doc_id)
    report.removed += len(deleted)
    report.passages_removed += passages


def _prune_rows(ws: Workspace, report: IngestReport, catalog: Catalog,
                path: Path, seen: set[str], all_ok: bool) -> None:
    """Remove documents of rows no longer in a JSONL/CSV file (only when every row read)."""
    prefix = f"{path.resolve()}#"
    gone = [key for key in catalog.origins if key.startswith(prefix) and key not in seen]
    if not gone:
        return
    if not all_ok:
        report.warnings.append(IngestIssue(
            str(path), None, f"{len(gone)} earlier row(s) no longer in the file were kept "
            "because some rows failed; fix the file and ingest again to remove them"))
        return
    _drop(ws, report, catalog, gone)


def _prune_gone(ws: Workspace, report: IngestReport, catalog: Catalog, paths: list[Path],
                prune: bool) -> None:
    """Origins under the given folders whose file is gone: removed with ``prune``, else
    reported in one warning."""
    folders = [p.resolve() for p in paths if p.is_dir()]
    if not folders:
        return
    gone = []
    for key, file_path in catalog.origin_paths.items():
        if not file_path:
            continue
        where = Path(file_path)
        if any(where.is_relative_to(folder) for folder in folders) and not where.exists():
            gone.append(key)
    if not gone:
        return
    if not prune:
        report.warnings.append(IngestIssue(
            str(paths[0]), None, f"{len(gone)} file(s) ingested earlier from here no longer "
            "exist; their documents were kept (ingest with --prune to remove them)"))
        return
    _drop(ws, report, catalog, sorted(gone))


def _find_documents(ws: Workspace, ref: int | str) -> list[int]:
    """Document ids matching an id, origin key, file path or URL."""
    con = ws.store
    text = str(ref).strip()
    if isinstance(ref, int) or text.isdigit():
        rows = con.execute("SELECT document_id FROM documents WHERE document_id = ?", [int(text)]).fetchall()
        if rows:
            return [int(r[0]) for r in rows]
    rows = con.execute(
        "SELECT document_id FROM documents WHERE origin_key = ? UNION "
        "SELECT document_id FROM document_origins WHERE origin_key = ? ORDER BY document_id",
        [text, text]).fetchall()
    if not rows:
        try:
            resolved = str(Path(text).expanduser().resolve())
        except (OSError, RuntimeError):
            resolved = text
        rows = con.execute(
            "SELECT document_id FROM documents WHERE file_path IN (?, ?) UNION "
            "SELECT document_id FROM document_origins WHERE file_path IN (?, ?) ORDER BY document_id",
            [resolved, text, resolved, text]).fetchall()
    if not rows:
        rows = con.execute("SELECT document_id FROM documents WHERE url = ? ORDER BY document_id",
                           [text]).fetchall()
    return [int(r[0]) for r in rows]


def remove_document(ws: Workspace, ref: int | str) -> int:
    """Remove a document (by id, origin key, file path or URL) and its passages; syncs the index.

    A file path of a JSONL/CSV file removes every row read from it. Returns passages removed.

    Example:
        remove_document(ws, "corpus/demo/2020-08-02-riverside-gazette-rovers-win.md")
        # -> 3
    """
    return remove_documents(ws, ref).passages


def remove_documents(ws: Workspace, ref: int | str) -> RemovalReport:
    """Like :func:`remove_document`, reporting the documents removed (and a URL they shared)."""
    with writer_lock(ws.path, "a remove", wait_s=WRITER_WAIT_S):
        ids = _find_documents(ws, ref)
        if not ids:
            raise InputError(f"no document matches {ref!r} (give a document id, file path, origin key or URL)")
        urls = {u for (u,) in ws.store.execute(
            "SELECT DISTINCT url FROM documents WHERE document_id IN (SELECT unnest(?::BIGINT[]))",
            [ids]).fetchall()}
        removed = delete_documents(ws.store, ids)
        ws.sync_index()
    shared = next(iter(urls)) if len(ids) > 1 and len(urls) == 1 else None
    return RemovalReport(str(ref), ids, removed, shared)


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
