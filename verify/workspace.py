"""The workspace: one DuckDB file plus its index files, and the public API.

Example:
    from verify import Workspace
    ws = Workspace.open("demo")
    ws.ingest(["corpus/demo"])
    hits = ws.search("IS-K killed 338 civilians", k=5)
    result = ws.check("IS-K killed 338 civilians in Pakistan since 2017")
    result.verdict
    # -> 'SUPPORTED'
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from verify.config import (
    DEFAULT_WORKSPACE,
    Settings,
    existing_workspaces,
    resolve_workspace_path,
    verify_home,
)
from verify.errors import WorkspaceNotFoundError
from verify.store import DB_FILENAME, Store
from verify.types import Reliability, SearchFilters, SearchHit

if TYPE_CHECKING:
    import duckdb

    from verify.audit.models import AuditResult
    from verify.checks.learned import HeadReport
    from verify.checks.past import PastVerdictImport
    from verify.embedders import Embedder
    from verify.history import CheckHistory, Review
    from verify.index.base import IndexStatus, PassageIndex
    from verify.ingest.documents import DocumentEdit, DocumentList, DocumentView
    from verify.ingest.models import CorpusStats, IngestReport
    from verify.sources import SourceBook
    from verify.sources.unrated import UnratedSource
    from verify.types import CheckResult
    from verify.users import UserBook

log = logging.getLogger(__name__)


def _not_found(name_or_path: str | os.PathLike[str] | None, path: Path) -> WorkspaceNotFoundError:
    """The error for a workspace that is not there, listing the ones that are."""
    shown = DEFAULT_WORKSPACE if name_or_path is None else str(name_or_path)
    names = existing_workspaces()
    where = f"existing workspaces under {verify_home()}: " + (", ".join(names) if names else "none")
    hint = (f"{where}; check the name, or create it by adding data, e.g. "
            f"`verify -w {shown} ingest FOLDER`")
    if name_or_path is None:
        hint += " (or `verify demo` for the demo corpus)"
    return WorkspaceNotFoundError(f"no workspace {shown!r} (looked in {os.path.abspath(path)})",
                                  hint=hint)


class Workspace:
    """A corpus store, its indexes, its ratings and its check history.

    The database is ``ws.store`` (a :class:`verify.store.Store`), which subsystems take
    instead of the workspace; ``ws.db`` is its DuckDB connection.
    """

    def __init__(self, store: Store, settings: Settings | None = None, *,
                 embedder: Embedder | None = None) -> None:
        self.store = store
        self.settings = settings or Settings()
        self._embedder = embedder
        self._index: PassageIndex | None = None
        self._sources: SourceBook | None = None

    @property
    def path(self) -> Path | None:
        """The workspace folder (``None`` in memory)."""
        return self.store.path

    @property
    def db(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection (``ws.store`` is the way in for new code)."""
        return self.store.connection

    # ---- lifecycle -------------------------------------------------------
    @classmethod
    def open(cls, name_or_path: str | os.PathLike[str] | None = None, *,
             settings: Settings | None = None, read_only: bool = False,
             create: bool = True) -> Workspace:
        """Open a workspace by name (under ``$VERIFY_HOME``) or explicit folder path.

        A missing workspace is created unless ``create=False`` (or ``read_only``), which
        raise :class:`~verify.errors.WorkspaceNotFoundError` naming the workspace and
        listing the existing ones. See :func:`verify.config.resolve_workspace_path` for
        what is a name and what is a path.
        """
        path = resolve_workspace_path(name_or_path)
        if not (create and not read_only) and not (path / DB_FILENAME).is_file():
            raise _not_found(name_or_path, path)
        return cls(Store.open(path, read_only=read_only), settings)

    @classmethod
    def in_memory(cls, settings: Settings | None = None) -> Workspace:
        """A throwaway workspace: DuckDB ``:memory:`` and an unsaved index."""
        return cls(Store.memory(), settings)

    def close(self) -> None:
        """Close the database connection."""
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def with_settings(self, **changes: Any) -> Workspace:
        """A view of this workspace with some settings changed (same connection)."""
        return self._derived(self.store, replace(self.settings, **changes), self._embedder)

    def view(self, *, store: Store | None = None, embedder: Embedder | None = None) -> Workspace:
        """This workspace through another store handle (a worker thread's cursor) and/or
        embedder; it shares the settings, the source book and the loaded index.

        Example:
            worker = ws.view(store=ws.store.cursor())
            worker.check("IS-K killed 338 civilians", save=False).verdict
            # -> 'SUPPORTED'
        """
        return self._derived(store or self.store, self.settings, embedder or self._embedder)

    def _derived(self, store: Store, settings: Settings, embedder: Embedder | None) -> Workspace:
        """A workspace sharing this one's sources and index (an index view on another store)."""
        clone = Workspace(store, settings, embedder=embedder)
        clone._sources = self._sources
        index = self._index
        if index is not None and store is not self.store:
            index = index.view(store, embedder)
        clone._index = index
        return clone

    # ---- models ------------------------------------------------------------
    @property
    def embedder(self) -> Embedder:
        """The embedder named in settings (shared, loaded once per process), unless the
        workspace was made with one of its own."""
        if self._embedder is not None:
            return self._embedder
        from verify.embedders import get_embedder

        return get_embedder(self.settings.embedder)

    # ---- corpus -------------------------------------------------------------
    def ingest(self, paths: Iterable[str | os.PathLike[str]], **options: Any) -> IngestReport:
        """Ingest files or folders; returns an ``IngestReport``. Index is synced after."""
        from verify.ingest import ingest_paths

        if isinstance(paths, str | os.PathLike):  # one path, not its characters
            paths = [paths]
        return ingest_paths(self, [Path(p) for p in paths], **options)

    def remove(self, document: int | str) -> int:
        """Remove a document (by id, origin key, path or url); returns passages removed."""
        from verify.ingest import remove_document

        return remove_document(self, document)

    def documents(self, query: str | None = None, *, limit: int = 50,
                  offset: int = 0) -> list[dict[str, Any]]:
        """Documents, newest first (optionally those whose title, URL, path or source holds
        ``query``): rows of document_id, title, url, file_path, source, published_date,
        language, passages, ingested_at."""
        from verify.errors import InputError

        if limit < 1 or offset < 0:
            raise InputError(f"limit: must be at least 1 and offset at least 0 "
                             f"(got {limit}, {offset})")
        sql = ("SELECT d.document_id, d.title, d.url, d.file_path, s.domain AS source,"
               " d.published_date, d.language,"
               " (SELECT count(*) FROM passages p WHERE p.document_id = d.document_id) AS passages,"
               " d.ingested_at FROM documents d LEFT JOIN sources s ON s.source_id = d.source_id")
        params: list[Any] = []
        if query and query.strip():
            sql += (" WHERE d.title ILIKE ? OR d.url ILIKE ? OR d.file_path ILIKE ?"
                    " OR s.domain ILIKE ?")
            params += [f"%{query.strip()}%"] * 4
        sql += " ORDER BY d.ingested_at DESC, d.document_id DESC LIMIT ? OFFSET ?"
        params += [int(limit), int(offset)]
        cols = ["document_id", "title", "url", "file_path", "source", "published_date",
                "language", "passages", "ingested_at"]
        return [dict(zip(cols, row, strict=True)) for row in self.store.fetchall(sql, params)]

    def list_documents(self, text: str | None = None, *, sources: Sequence[str] | None = None,
                       date_from: Any = None, date_to: Any = None, limit: int = 50,
                       offset: int = 0) -> DocumentList:
        """A page of documents filtered by words in the title/URL/path, source keys and
        publication dates, with the total that match (see :mod:`verify.ingest.documents`)."""
        from verify.ingest.documents import list_documents

        return list_documents(self, text, sources=sources, date_from=date_from,
                              date_to=date_to, limit=limit, offset=offset)

    def document(self, document_id: int) -> DocumentView:
        """One document with its full text, passages and origins."""
        from verify.ingest.documents import document_view

        return document_view(self, document_id)

    def edit_document(self, document_id: int, *, dry_run: bool = False,
                      **changes: Any) -> DocumentEdit:
        """Change a document's ``url``, ``source`` and/or ``published_date``; its passages
        and the index follow. ``dry_run``: what would change, nothing written.

        Example:
            ws.edit_document(12, url="https://www.dawn.com/news/1").changed["source"]
            # -> ('unknown-outlet', 'dawn.com')
        """
        from verify.ingest.documents import edit_document

        return edit_document(self, document_id, dry_run=dry_run, **changes)

    def corpus_stats(self) -> CorpusStats:
        """Counts of documents, passages and sources, and the date range."""
        from verify.ingest import corpus_stats

        return corpus_stats(self)

    # ---- index --------------------------------------------------------------
    @property
    def index(self) -> PassageIndex:
        """The passage index (``hybrid``: dense FAISS + BM25), loaded lazily and checked."""
        if self._index is None:
            from verify.index.factory import load_index

            self._index = load_index(self.store, self.embedder)
        return self._index

    @property
    def loaded_index(self) -> PassageIndex | None:
        """The index if it has been loaded already (``None`` otherwise; nothing is loaded)."""
        return self._index

    def use_index(self, index: PassageIndex) -> None:
        """Search ``index`` from now on (e.g. one built with other backends by
        :func:`verify.index.create_index`)."""
        self._index = index

    def sync_index(self, progress: bool = False) -> IndexStatus:
        """Bring the indexes in line with the passages table; returns ``IndexStatus``."""
        return self.index.sync(progress=progress)

    def rebuild_index(self, progress: bool = False) -> IndexStatus:
        """Rebuild the index from scratch (also when the saved one is refused), with the
        backends of the loaded one (the defaults when none is loaded); returns its status."""
        from verify.index.factory import create_index

        backends = getattr(self._index, "backends", None) or {}
        index = create_index(store=self.store, embedder=self.embedder,
                             dense_backend=backends.get("dense", "faiss"),
                             lexical_backend=backends.get("lexical", "bm25"))
        status = index.sync(progress=progress, rebuild=True)
        self._index = index
        return status

    def index_status(self) -> IndexStatus:
        """Size, type and sync state of the indexes."""
        return self.index.status()

    def search(self, claim: str, k: int = 10, filters: SearchFilters | None = None) -> list[SearchHit]:
        """Hybrid retrieval of the passages that bear on ``claim``."""
        from verify.retrieval import search

        return search(self, claim, k=k, filters=filters)

    # ---- sources ---------------------------------------------------------------
    @property
    def sources(self) -> SourceBook:
        """The source-reliability book (ratings, history, import/export, suggestions)."""
        if self._sources is None:
            from verify.sources import SourceBook

            self._sources = SourceBook(self.store, self.settings)
        return self._sources

    @property
    def users(self) -> UserBook:
        """Users, their API tokens and roles, and the log of their writes (``verify serve``)."""
        from verify.users import UserBook

        return UserBook(self.store)

    def unrated_sources(self, query: str | None = None) -> list[UnratedSource]:
        """Corpus sources no rating covers, most passages first (see
        :mod:`verify.sources.unrated`)."""
        from verify.sources.unrated import unrated_sources

        return unrated_sources(self.sources, query)

    def reliability(self, domain: str | None) -> Reliability:
        """Effective reliability of a domain (fast, cached)."""
        return self.sources.reliability(domain)

    # ---- verification -------------------------------------------------------------
    def check(self, claim: str, *, k: int | None = None, filters: SearchFilters | None = None,
              save: bool = True) -> CheckResult:
        """Verify one claim against the corpus; returns a ``CheckResult``."""
        from verify.checks.pipeline import check_claim

        return check_claim(self, claim, k=k, filters=filters, save=save)

    def load_check(self, check_id: str) -> CheckResult:
        """Reopen a saved check exactly as it was produced."""
        from verify.checks.records import load_check

        return load_check(self, check_id)

    def list_checks(self, query: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Recent checks, newest first (optionally those whose claim holds ``query``): rows
        of check_id, claim, verdict, confidence, reason, created_at, reviewed_verdict, reviewer."""
        from verify.checks.records import list_checks

        return list_checks(self, query, limit=limit)

    def save_check(self, result: CheckResult, *, filters: SearchFilters | None = None) -> str:
        """Store a check made with ``save=False`` (e.g. computed outside a writer lock)."""
        from verify.checks.records import save_check

        return save_check(self, result, filters=filters)

    def check_reviews(self, check_id: str) -> list[dict[str, Any]]:
        """The reviews of one check, newest first: verdict_id, verdict, machine_verdict,
        reviewer, note, created_at."""
        cols = ["verdict_id", "verdict", "machine_verdict", "reviewer", "note", "created_at"]
        rows = self.store.fetchall(
            "SELECT verdict_id, verdict, machine_verdict, reviewer, note, created_at FROM verdicts"
            " WHERE check_id = ? ORDER BY created_at DESC, verdict_id DESC", [check_id])
        return [dict(zip(cols, row, strict=True)) for row in rows]

    def reviews(self, check_ids: Iterable[str]) -> dict[str, list[Review]]:
        """The reviews of each of ``check_ids``, newest first (``[]`` for none)."""
        from verify.history import reviews_of

        return reviews_of(self, check_ids)

    def check_history(self, query: str | None = None, *, limit: int = 200) -> CheckHistory:
        """Past checks grouped by claim, latest first, each with its earlier runs.

        Example:
            ws.check_history()[0].count
            # -> 5
        """
        from verify.history import check_history

        return check_history(self, query, limit=limit)

    def review(self, check_id: str, verdict: str, reviewer: str, note: str = "") -> str:
        """Record a person's confirmation or override of a check's verdict."""
        from verify.checks.records import review_check

        return review_check(self, check_id, verdict, reviewer, note)

    def learn_verdicts(self, *, min_reviews: int | None = None,
                       activate: bool | None = None) -> HeadReport:
        """Fit a verdict head on this workspace's reviewed checks; returns a ``HeadReport``.

        Example:
            ws.learn_verdicts().why
            # -> 'cross-validated macro-F1 on 120 reviews: head 0.612, rule 0.548; active: ...'
        """
        from verify.checks.learned import learn_verdict_head

        return learn_verdict_head(self, min_reviews=min_reviews, activate=activate)

    def import_past_verdicts(self, path: str | os.PathLike[str] | None = None, *,
                             reviewer: str | None = None, text: str | bytes | None = None,
                             name: str | None = None, progress: bool = False) -> PastVerdictImport:
        """Check the claims of a file of past verdicts (CSV, JSON lines, ClaimReview) and
        record each verdict as a review; returns a ``PastVerdictImport``. The same file's
        fact-checks also go into the fact-check archive (``archived``: how many were new;
        its problems are those already reported).

        Example:
            ws.import_past_verdicts("archive.csv", reviewer="desk").imported
            # -> 118
        """
        from verify.archive import import_fact_checks
        from verify.checks.past import import_past_verdicts
        from verify.errors import InputError

        report = import_past_verdicts(self, path, reviewer=reviewer, text=text, name=name,
                                      progress=progress)
        try:
            found = import_fact_checks(self, None if text is not None else path, text=text,
                                       name=report.source, organisation=report.reviewer,
                                       index=False)
        except InputError:
            return report
        report.archived = found.added
        return report

    def learned_heads(self) -> list[dict[str, object]]:
        """Every learned verdict head on record, newest first, with its scores and whether
        it is on."""
        from verify.checks.learned import list_heads

        return list_heads(self)

    def reviewed_checks(self) -> int:
        """How many checks of this workspace a person has reviewed."""
        from verify.checks.learned import reviewed_checks

        return reviewed_checks(self)

    def forget_learned_verdicts(self) -> int:
        """Switch learned verdict heads off (kept on record); returns how many were on."""
        from verify.checks.learned import deactivate_heads

        return deactivate_heads(self)

    def audit(self, inputs: Sequence[str | os.PathLike[str]], **options: Any) -> AuditResult:
        """Audit articles: extract check-worthy claims and verify each."""
        from verify.audit import run_audit

        return run_audit(self, inputs, **options)

    def load_audit(self, audit_id: str) -> AuditResult:
        """Reopen a saved audit (articles in input order)."""
        from verify.audit import load_audit

        return load_audit(self, audit_id)

    def list_audits(self, limit: int = 200) -> list[dict[str, Any]]:
        """Past audits, newest first, with article and claim counts."""
        from verify.audit import list_audits

        return list_audits(self, limit=limit)

    # ---- fact-check archive ----------------------------------------------------------
    def import_fact_checks(self, path: str | os.PathLike[str] | None = None, *,
                           text: str | bytes | None = None, name: str | None = None,
                           organisation: str | None = None, progress: bool = False) -> Any:
        """Import earlier fact-checks (ClaimReview JSON-LD, Fact Check Tools, CSV, JSON lines,
        saved pages; a file or folder) into the archive; returns an ``ArchiveImport``.

        Example:
            ws.import_fact_checks("feed.json").added
            # -> 412
        """
        from verify.archive import import_fact_checks

        return import_fact_checks(self, path, text=text, name=name, organisation=organisation,
                                  progress=progress)

    def archive_stats(self) -> dict[str, Any]:
        """The archive's counts: fact-checks, organisations, with a verdict, first and last
        review dates, imports."""
        from verify.archive import archive_stats

        return archive_stats(self)

    def fact_checks(self, query: str = "", *, limit: int = 200) -> list[Any]:
        """The archive's fact-checks (``FactCheck``), newest first; with ``query``, those
        whose claim, title, rating, organisation or claimant hold every word of it.

        Example:
            [fc.rating for fc in ws.fact_checks("5G", limit=3)]
            # -> ['False', 'False', 'Pants on Fire']
        """
        from verify.archive import list_fact_checks

        return list_fact_checks(self, query, limit=limit)

    def match(self, claim: str, k: int = 5, *, min_score: float = 0.0) -> list[Any]:
        """Earlier fact-checks that may have checked ``claim``, best first (``Match``es with
        a score in [0, 1] and why); see docs/archive.md.

        Example:
            ws.match("Obama freed 122 Guantanamo detainees who returned to terror")[0].why
            # -> ['paraphrase (cosine 0.86)', 'shared figures: 122', 'shared names: guantanamo, obama']
        """
        from verify.archive import match

        return match(self, claim, k, min_score=min_score)
