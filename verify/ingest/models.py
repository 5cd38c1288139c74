"""Data classes shared by the ingestion modules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ParsedDocument:
    """One document read from a file or a row: cleaned text plus metadata."""

    text: str
    title: str | None = None
    url: str | None = None
    published_date: dt.date | None = None
    author: str | None = None
    language: str | None = None
    source_name: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestIssue:
    """A problem with one file or row: where it is and why."""

    path: str
    location: str | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.location}" if self.location else self.path
        return f"{where}: {self.reason}"


@dataclass
class IngestReport:
    """What one ingest run did."""

    run_id: str = ""
    files: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    removed: int = 0
    passages_added: int = 0
    passages_removed: int = 0
    errors: list[IngestIssue] = field(default_factory=list)
    warnings: list[IngestIssue] = field(default_factory=list)
    ignored: list[IngestIssue] = field(default_factory=list)
    index_synced: bool = False            # this run changed the index (embedded / dropped)
    index_in_sync: bool | None = None     # the index matches the store at the end (None: not checked)
    recovered_runs: list[str] = field(default_factory=list)  # earlier runs found killed
    urls: int = 0                         # web pages fetched (given URLs and new feed items)
    feeds: int = 0                        # feeds and sitemaps read
    feed_known: int = 0                   # feed items already in the workspace, not fetched
    extractors: dict[str, int] = field(default_factory=dict)  # HTML pages per extractor path

    @property
    def changed(self) -> bool:
        """Whether any document was added, updated or removed."""
        return bool(self.added or self.updated or self.removed or self.passages_removed)

    @property
    def all_failed(self) -> bool:
        """True when something was attempted and nothing succeeded."""
        return self.failed > 0 and not (self.added or self.updated or self.skipped)


@dataclass
class SourceCount:
    """Documents per source in :class:`CorpusStats`."""

    domain: str | None
    name: str | None
    documents: int
    passages: int


@dataclass
class CorpusStats:
    """Counts of documents, passages and sources, and the date range."""

    documents: int
    passages: int
    sources: int
    earliest: dt.date | None
    latest: dt.date | None
    per_source: list[SourceCount] = field(default_factory=list)
    languages: dict[str, int] = field(default_factory=dict)


@dataclass
class RemovalReport:
    """What ``verify remove REF`` removed: every document REF matched, and their passages.

    A URL matches every document with that URL (rows of several files can share one);
    all of them are removed and ``shared_url`` names the URL when there were several.
    """

    ref: str
    document_ids: list[int] = field(default_factory=list)
    passages: int = 0
    shared_url: str | None = None

    @property
    def documents(self) -> int:
        """How many documents were removed."""
        return len(self.document_ids)

    def summary(self) -> str:
        """One line for a person."""
        docs = f"{self.documents} document{'s' if self.documents != 1 else ''}"
        text = f"removed {docs} ({self.passages} passages) matching {self.ref}"
        if self.shared_url and self.documents > 1:
            text += (f"; {self.documents} documents shared the URL {self.shared_url}, all removed "
                     f"(ids {', '.join(str(i) for i in self.document_ids)})")
        return text
