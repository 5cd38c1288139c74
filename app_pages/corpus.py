"""Corpus page: add documents, see what is stored, remove a document, index health."""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from verify.ui import forms, render

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

DOC_PAGE = 50
OPEN_KEY = "corpus_doc_open"


def document_filters(domains: list[str]) -> dict[str, Any]:
    """The browser's filters: words in the title/URL/path, sources, publication dates."""
    cols = st.columns([2, 2, 1], vertical_alignment="bottom")
    text = cols[0].text_input("Title, URL or path contains", key="docs_q")
    sources = cols[1].multiselect("Sources", domains, key="docs_sources",
                                  placeholder="All sources")
    use_dates = cols[2].checkbox("Published between…", key="docs_use_dates")
    date_from = date_to = None
    if use_dates:
        picked = st.date_input("Published between", value=(dt.date(2000, 1, 1), dt.date.today()),
                               key="docs_dates")
        if isinstance(picked, tuple | list) and len(picked) == 2:
            date_from, date_to = picked
    return {"text": text.strip() or None, "sources": sources, "date_from": date_from,
            "date_to": date_to}


def browse_documents() -> None:
    """Filter the corpus's documents, list a page of them, and open one."""
    stats = ws.corpus_stats()
    domains = sorted({s.domain for s in stats.per_source if s.domain})
    filters = document_filters(domains)
    if not hasattr(ws, "list_documents"):  # a workspace that only lists (the remote client)
        rows = ws.documents(filters["text"], limit=DOC_PAGE)
        st.dataframe(pd.DataFrame(render.to_rows(rows)), hide_index=True, width="stretch",
                     key="docs_table")
        return
    total = ws.list_documents(**filters, limit=1).total
    pages = max(1, -(-total // DOC_PAGE))
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages})", 1, pages, 1, key="docs_page"))
    listing = ws.list_documents(**filters, limit=DOC_PAGE, offset=(page - 1) * DOC_PAGE)
    if not listing.rows:
        st.info("No document matches the filters." if total or any(filters.values())
                else "No documents yet. Upload some above.")
        return
    st.dataframe(pd.DataFrame([{
        "id": r.document_id, "title": r.title or "", "source": r.source or "",
        "published": render.fmt_date(r.published_date) if r.published_date else "",
        "passages": r.passages, "url": r.url or "", "file": r.file_path or "",
        "ingested": render.fmt_date(r.ingested_at)} for r in listing.rows]),
        hide_index=True, width="stretch", key="docs_table")
    st.caption(f"{total} document(s) match; showing {len(listing.rows)}"
               + (f" (page {page} of {pages})" if pages > 1 else ""))
    labels = {r.document_id: f"#{r.document_id} · {r.title or r.file_path or r.url or 'untitled'}"
                             f" · {r.source or 'no source'}" for r in listing.rows}
    chosen = st.selectbox("Open a document", list(labels), key="docs_pick",
                          format_func=lambda k: labels[k])
    if chosen is not None and hasattr(ws, "document"):
        show_document(int(chosen))


def show_document(doc_id: int) -> None:
    """One document: where it came from, its text and passages, the edit form, remove."""
    view = ws.document(doc_id)
    with st.container(border=True):
        desk.html(f'<div data-document-id="{doc_id}"><span class="vf-title">'
                  f"{render.esc(view.title or 'untitled')}</span> "
                  f'<span class="vf-meta">#{doc_id} · {render.esc(view.source or "no source")}'
                  f" · {render.esc(render.fmt_date(view.published_date) if view.published_date else 'undated')}"
                  f" · {render.link(view.url) if render.safe_url(view.url) else 'no URL'}"
                  f" · {render.esc(view.language or '')}</span></div>")
        if view.origins:
            st.caption("Read from: " + ", ".join(render.md_escape(o) for o in view.origins[:5])
                       + (f" and {len(view.origins) - 5} more" if len(view.origins) > 5 else ""))
        tab_text, tab_passages, tab_edit = st.tabs(
            ["Text", f"Passages ({len(view.passages)})", "Edit or remove"])
        with tab_text:
            desk.html(f'<div class="vf-text" style="white-space:pre-wrap;max-height:24rem;'
                      f'overflow:auto">{render.esc(view.text)}</div>')
        with tab_passages:
            st.dataframe(pd.DataFrame([{
                "#": p.order + 1, "passage id": p.passage_id, "text": p.text,
                "characters": f"{p.char_start}–{p.char_end}"} for p in view.passages]),
                hide_index=True, width="stretch", key=forms.widget_key("docs_passages", doc_id))
        with tab_edit:
            edit_form(view)
            remove_form(view)


def edit_form(view: Any) -> None:
    """Edit the document's URL, source and publication date; says what will be saved.

    Keyed to the document and its current values, so a saved edit gives fresh widgets."""
    revision = f"{view.url}|{view.source}|{view.published_date}"

    def key(field: str) -> str:
        """This form's key for ``field``."""
        return forms.widget_key(field, view.document_id, revision)

    url = st.text_input("URL", value=view.url or "", key=key("doc_url"),
                        help="A new URL also moves the document to the source it names, "
                             "unless you change the source too.")
    source = st.text_input("Source (domain or outlet name)", value=view.source or "",
                           key=key("doc_source"))
    dated = st.checkbox("Has a publication date", value=view.published_date is not None,
                        key=key("doc_dated"))
    published = (st.date_input("Published", value=view.published_date or dt.date.today(),
                               key=key("doc_date")) if dated else None)
    given: dict[str, Any] = {}
    if url.strip() != (view.url or ""):
        given["url"] = url
    if source.strip() != (view.source or ""):
        given["source"] = source
    if published != view.published_date:
        given["published_date"] = published
    changes: dict[str, Any] = {}
    if given and desk.accepts(ws.edit_document, "dry_run"):
        with desk.guard("reading the edit"):
            changes = ws.edit_document(view.document_id, dry_run=True, **given).changed
    elif given:  # a workspace that cannot say in advance: what was typed, sent on Save only
        changes = {k: (getattr(view, k), v) for k, v in given.items()}
    if changes:
        line = "; ".join(f"{k.replace('_', ' ')}: {b or '(none)'} → {a or '(none)'}"
                         for k, (b, a) in changes.items())
        desk.html(f'<div class="vf-meta vf-will-save" data-will-save="document">'
                  f"Will save on document #{view.document_id}: {render.esc(line)}</div>")
    if st.button("Save changes", key=key("doc_save"), disabled=not changes, type="primary"):
        with st.spinner("Saving and re-indexing the document's passages…"), \
                desk.guard("editing the document"):
            edit = ws.edit_document(view.document_id, **given)
            desk.flash(f"Saved: {edit.summary()}"
                       + (f" ({edit.passages_renewed} passage(s) re-indexed)."
                          if edit.passages_renewed else "."))
            st.rerun()


def remove_form(view: Any) -> None:
    """Remove the document and its passages (after a confirmation)."""
    sure = st.checkbox(f"Remove document #{view.document_id} and its {len(view.passages)} "
                       "passage(s)", key=forms.widget_key("doc_remove_sure", view.document_id))
    if st.button("Remove document", key=forms.widget_key("doc_remove", view.document_id),
                 disabled=not sure):
        with desk.guard("removing the document"):
            n = ws.remove(int(view.document_id))
            st.session_state.pop("docs_pick", None)
            desk.flash(f"Removed document #{view.document_id} "
                       f"({view.title or 'untitled'}) and its {n} passage(s).")
            st.rerun()


st.subheader("Documents")
desk.show_flash()
with desk.guard("listing documents"):
    browse_documents()

with st.expander("Remove a document by id, path or URL"):
    doc = st.text_input("Document id, path or URL", key="remove_doc")
    if st.button("Remove", key="remove_btn"):
        if not doc.strip():
            st.warning("Enter the id, path or URL of the document to remove.")
        else:
            key = int(doc) if doc.strip().isdigit() else doc.strip()
            with desk.guard("removing the document"):
                n = ws.remove(key)
                st.success(f"Removed the document and its {n} passage(s).")
