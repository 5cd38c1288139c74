"""Corpus page: add documents, see what is stored, remove a document, index health."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from verify.ui import render

ws = desk.workspace()
REPORT_KEY = "corpus_report"


def _safe_name(name: str) -> str:
    """A plain file name for an upload (no folders, no odd characters)."""
    base = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload.txt"


def _upload_folder() -> Path:
    """Where uploaded documents are kept (inside the workspace, so re-ingest finds them)."""
    root = ws.path / "uploads" if ws.path is not None else Path(tempfile.mkdtemp())
    root.mkdir(parents=True, exist_ok=True)
    return root


def _ingest(paths: list[Path], label: str) -> None:
    """Ingest with a progress bar; keep the report for display."""
    from verify import ingest as ingest_mod

    bar = st.progress(0.0, text=label)
    options: dict[str, Any] = {"progress": False}
    if desk.accepts(ingest_mod.ingest_paths, "progress_callback"):
        options["progress_callback"] = desk.progress_callback(bar, label)
    with st.spinner(label + "…"), desk.guard("ingesting documents"):
        report = ws.ingest(paths, **options)
        st.session_state[REPORT_KEY] = report
    bar.progress(1.0, text="Done")


def show_report(report: Any) -> None:
    """Counts and the per-file error list of the last ingest."""
    st.subheader("Last ingest")
    cols = st.columns(5)
    for col, (label, attr) in zip(cols, [("Added", "added"), ("Updated", "updated"),
                                         ("Skipped", "skipped"), ("Failed", "failed"),
                                         ("Passages added", "passages_added")], strict=True):
        col.metric(label, getattr(report, attr))
    errors = list(getattr(report, "errors", []) or [])
    if errors:
        st.error(f"{len(errors)} file(s) could not be ingested; the rest went in.")
        rows = render.to_rows(errors, ["path", "location", "reason"])
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                     key="ingest_errors")
    warnings = list(getattr(report, "warnings", []) or [])
    if warnings:
        with st.expander(f"{len(warnings)} warning(s)"):
            st.dataframe(pd.DataFrame(render.to_rows(warnings, ["path", "location", "reason"])),
                         hide_index=True, width="stretch", key="ingest_warnings")


def show_stats() -> None:
    """Documents, passages, sources and dates."""
    stats = ws.corpus_stats()
    cols = st.columns(5)
    cols[0].metric("Documents", stats.documents)
    cols[1].metric("Passages", stats.passages)
    cols[2].metric("Sources", stats.sources)
    cols[3].metric("Earliest", render.fmt_date(stats.earliest))
    cols[4].metric("Latest", render.fmt_date(stats.latest))
    if stats.per_source:
        frame = pd.DataFrame(render.to_rows(stats.per_source,
                                            ["name", "domain", "documents", "passages"]))
        st.dataframe(frame, hide_index=True, width="stretch", key="stats_sources")
    if stats.languages:
        st.caption("Languages: " + ", ".join(f"{render.md_escape(k)} ({v})"
                                             for k, v in sorted(stats.languages.items())))


def show_index() -> None:
    """Size, type and sync state of the index, with a sync button."""
    status = ws.index_status()
    cols = st.columns(4)
    cols[0].metric("Vectors", getattr(status, "vectors", 0))
    cols[1].metric("Index type", str(getattr(status, "index_type", "?")))
    in_sync = bool(getattr(status, "in_sync", False))
    cols[2].metric("In sync", "yes" if in_sync else "no")
    cols[3].metric("Not yet indexed", int(getattr(status, "missing", 0) or 0))
    details = [f"embedder {status.embedder_id} ({status.dimension} dimensions, "
               f"{status.metric})"]
    if getattr(status, "stale", 0):
        details.append(f"{status.stale} stale vector(s)")
    built = getattr(status, "built_at", None)
    st.caption(render.md_escape(" · ".join(details + [f"built {built or 'never'}"])))
    if not in_sync and st.button("Bring the index in sync", key="sync_index"):
        with st.spinner("Syncing the index…"), desk.guard("syncing the index"):
            ws.sync_index()
            st.rerun()


st.title("Corpus")

with st.container(border=True):
    st.subheader("Add documents")
    tab_up, tab_dir = st.tabs(["Upload files", "Folder path"])
    with tab_up:
        files = st.file_uploader("Documents (txt, md, html, pdf, json, jsonl, csv)",
                                 accept_multiple_files=True, key="corpus_upload")
        if st.button("Ingest uploaded files", key="ingest_uploads", disabled=not files):
            st.session_state.pop(REPORT_KEY, None)  # a failed ingest must not show the last one
            folder = _upload_folder()
            saved = []
            for f in files or []:
                target = folder / _safe_name(f.name)
                target.write_bytes(f.getvalue())
                saved.append(target)
            _ingest(saved, f"Ingesting {len(saved)} file(s)")
    with tab_dir:
        go_dir, path = desk.server_path("Folder or file path on the server", key="corpus_path",
                                        button="Ingest folder", button_key="ingest_folder",
                                        placeholder="/data/articles")
        if go_dir:
            st.session_state.pop(REPORT_KEY, None)  # a refused path must not show the last ingest
        if path is not None:
            _ingest([path], f"Ingesting {path.name or path}")

if st.session_state.get(REPORT_KEY) is not None:
    show_report(st.session_state[REPORT_KEY])

st.subheader("What is stored")
with desk.guard("reading corpus statistics"):
    show_stats()

st.subheader("Index")
with desk.guard("reading the index status"):
    show_index()

with st.expander("Remove a document"):
    doc = st.text_input("Document id, path or URL", key="remove_doc")
    if st.button("Remove", key="remove_btn"):
        if not doc.strip():
            st.warning("Enter the id, path or URL of the document to remove.")
        else:
            key = int(doc) if doc.strip().isdigit() else doc.strip()
            with desk.guard("removing the document"):
                n = ws.remove(key)
                st.success(f"Removed the document and its {n} passage(s).")
