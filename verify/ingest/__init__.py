"""Ingestion: read files (txt, md, html, pdf, jsonl, csv), split into passages, store.

Example:
    from verify import Workspace
    ws = Workspace.in_memory()
    report = ws.ingest(["corpus/demo"], sync_index=False)
    report.added, report.failed
    # -> (28, 0)
"""

from __future__ import annotations

from verify.ingest.core import (
    collect_files,
    corpus_stats,
    ingest_paths,
    remove_document,
    remove_documents,
)
from verify.ingest.domains import registrable_domain
from verify.ingest.html import extract_html_text
from verify.ingest.models import (
    CorpusStats,
    IngestIssue,
    IngestReport,
    ParsedDocument,
    RemovalReport,
    SourceCount,
)
from verify.ingest.passages import make_passages
from verify.ingest.readers import (
    DEFAULT_MAX_BYTES,
    SUPPORTED_EXTENSIONS,
    FieldMap,
    iter_documents,
    read_article,
)
from verify.ingest.sentences import split_sentences

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SUPPORTED_EXTENSIONS",
    "CorpusStats",
    "FieldMap",
    "IngestIssue",
    "IngestReport",
    "ParsedDocument",
    "RemovalReport",
    "SourceCount",
    "collect_files",
    "corpus_stats",
    "extract_html_text",
    "ingest_paths",
    "iter_documents",
    "make_passages",
    "read_article",
    "registrable_domain",
    "remove_document",
    "remove_documents",
    "split_sentences",
]
