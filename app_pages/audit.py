"""Audit page: paste an article, give its URL, upload files or name a folder; every claim
checked."""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from app_pages import _reviews
from verify.audit import claimreview_blocker
from verify.history import Review, apply_reviews
from verify.ui import forms, render

ws = desk.workspace()
RESULT_KEY = "audit_result"
REPORTS = (  # (label, renderer name in verify.audit, file extension, mime)
    ("HTML report", "render_html", "html", "text/html"),
    ("Markdown", "render_markdown", "md", "text/markdown"),
    ("CSV", "render_csv", "csv", "text/csv"),
    ("JSON", "render_json", "json", "application/json"),
    ("JSON Lines", "render_jsonl", "jsonl", "application/x-ndjson"),
    ("ClaimReview", "render_claimreview", "jsonld", "application/ld+json"),
)


def _inbox(kind: str) -> Path:
    """A folder inside the workspace for pasted or uploaded articles (kept for resuming)."""
    root = (ws.path / "audit_inputs" / kind) if ws.path is not None else Path(tempfile.mkdtemp())
    root.mkdir(parents=True, exist_ok=True)
    return root


def _safe_name(name: str) -> str:
    base = Path(name).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "article.txt"


def _pasted_file(text: str, title: str) -> Path:
    """Write pasted text to a file named by its content (same text -> same audit)."""
    digest = hashlib.sha1((title + "\n" + text).encode("utf-8")).hexdigest()[:12]
    path = _inbox("pasted") / f"pasted-{digest}.md"
    if not path.exists():
        header = f"---\ntitle: {json.dumps(title.strip() or 'Pasted text')}\n---\n\n"
        path.write_text(header + text, encoding="utf-8")
    return path


def web_inputs(text: str) -> tuple[list[str], list[str]]:
    """The http(s) URLs of a text box (one per line) and the lines that are not URLs."""
    from verify.audit.inputs import as_url

    urls, bad = [], []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        url = as_url(line) if line.lower().startswith(("http://", "https://")) else None
        (urls if url else bad).append(url or line)
    return list(dict.fromkeys(urls)), bad


def run(inputs: Sequence[Path | str], threshold: float | None) -> None:
    """Run the audit with progress, keep the result in the session."""
    with st.status(f"Auditing {len(inputs)} input(s): finding claims and checking each…",
                   expanded=False) as status, desk.guard("auditing"):
        from verify.audit import run_audit

        options: dict[str, Any] = {"progress": False}
        if threshold is not None:
            options["threshold"] = threshold
        if desk.accepts(run_audit, "progress_callback"):
            bar = st.progress(0.0, text="Auditing")
            options["progress_callback"] = desk.progress_callback(bar, "Auditing")
        result = ws.audit([str(p) for p in inputs], **options)
        st.session_state[RESULT_KEY] = result
        s = result.summary
        status.update(label=f"Audit done: {s['claims_checked']} claim(s) checked in "
                            f"{s['articles']} article(s)", state="complete")


def claim_spans(article: Any) -> tuple[list[tuple[int, int, str]], dict[tuple[int, int], str]]:
    """Where each claim sits in the article text, coloured by verdict."""
    spans, titles = [], {}
    for c in article.claims:
        start, end = c.claim_start, c.claim_end
        if not (0 <= start < end <= len(article.text)):
            start, end = c.sentence_start, c.sentence_end
        verdict = c.verdict or ("ERROR" if c.error else "NOT ENOUGH EVIDENCE")
        spans.append((start, end, render.verdict_class_for_claim(verdict)))
        titles[(start, end)] = f"#{c.index + 1} {verdict}"
    return spans, titles


def evidence_block(label: str, ev: Any) -> str:
    """The best supporting or refuting passage of a claim, escaped."""
    if ev is None:
        return ""
    span = [ev.span] if ev.span else []
    return (
        f'<div style="margin:.4rem 0"><span class="vf-meta">{render.esc(label)}</span><br>'
        f'<span class="vf-title">{render.esc(ev.title or ev.source or "untitled")}</span> '
        f'<span class="vf-meta">{render.esc(ev.source or "unknown source")} · '
        f"{render.esc(render.fmt_date(ev.published_date))} · "
        f"{render.link(ev.url, 'open source') if render.safe_url(ev.url) else 'no link'}</span> "
        + render.reliability_badge(ev.reliability, ev.reliability_explanation)
        + "<br>" + render.highlight(ev.passage_text, span)
        + (f'<br><span class="vf-meta">{render.esc(ev.numeric_note)}</span>'
           if ev.numeric_note else "")
        + "</div>")


def open_check(check_id: str) -> None:
    st.session_state["check_result"] = ws.load_check(check_id)
    st.switch_page(desk.PAGE_CHECK)


def show_article(audit_id: str, i: int, article: Any,
                 reviews: dict[str, list[Review]]) -> None:
    """One audited article: highlighted text, claims table, per-claim evidence and reviews
    (keyed to the audit)."""
    with st.container(border=True):
        title = article.title or Path(article.file_path).name or article.key
        s = article.summary
        desk.html(f'<div><span class="vf-title">{render.esc(title)}</span> '
                  f'<span class="vf-meta">{render.esc(article.status)} · '
                  f"{s['claims_checked']} checked · {s['supported']} supported · "
                  f"{s['refuted']} refuted · {s['conflicting']} conflicting · "
                  f"{s['unverifiable']} unverifiable</span></div>")
        source = [render.link(article.url) if render.safe_url(article.url) else "",
                  render.esc(article.outlet or ""), render.esc(article.author or ""),
                  render.esc(render.fmt_date(article.published_date))
                  if article.published_date else ""]
        if article.url and any(source):  # an article read from the web: where, who, when
            desk.html('<div class="vf-meta vf-article-source">'
                      + " · ".join(part for part in source if part) + "</div>")
        if article.status != "done":
            st.warning(f"{article.status}: {article.message or 'nothing to check'}")
            if not article.claims:
                return
        spans, titles = claim_spans(article)
        with st.expander("Article with claims highlighted", expanded=True):
            desk.html('<div class="vf-text" style="margin-bottom:.5rem">'
                      '<span class="vf-meta">Legend: </span>'
                      '<mark class="vf-claim-supported">supported</mark> '
                      '<mark class="vf-claim-refuted">refuted</mark> '
                      '<mark class="vf-claim-conflicting">conflicting</mark> '
                      '<mark class="vf-claim-nei">not enough evidence</mark></div>')
            desk.html("<div>" + render.highlight(article.text, spans, titles=titles) + "</div>")
        rows = [{
            "#": c.index + 1,
            "claim": c.claim_text,
            "verdict": c.verdict or ("error" if c.error else "–"),
            "confidence": None if c.confidence is None else round(c.confidence, 2),
            "check-worthiness": round(c.checkworthiness, 2),
            "reviewed": c.reviewed_verdict or "",
            "reviewer": c.reviewer or "",
        } for c in article.claims]
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                         key=forms.widget_key("audit_claims", audit_id, i), column_config={
                             "confidence": st.column_config.NumberColumn(format="percent"),
                             "check-worthiness": st.column_config.NumberColumn(format="%.2f")})
            with desk.guard("showing the review form"):
                review_claims(audit_id, i, article, reviews)
        for c in article.claims:
            label = f"#{c.index + 1} · {c.verdict or 'error'} · {c.claim_text}"
            with st.expander(render.md_escape(label)):
                if c.error:
                    st.error(f"This claim could not be checked: {c.error}")
                    continue
                desk.html("<div>" + render.verdict_badge(c.verdict or "NOT ENOUGH EVIDENCE",
                                                         c.confidence)
                          + f' <span class="vf-reason">{render.esc(c.reason or "")}</span>'
                          + f'<div class="vf-meta">Sentence: {render.esc(c.sentence)}</div>'
                          + "</div>")
                body = evidence_block("Best supporting passage", c.best_support) \
                    + evidence_block("Best refuting passage", c.best_refute)
                if body:
                    desk.html(body)
                else:
                    st.caption("No passage in the corpus took a side on this claim.")
                if c.check_id:
                    st.markdown("**Reviews**")
                    _reviews.show_reviews(reviews.get(c.check_id, []))
                open_key = forms.widget_key("audit_open", audit_id, i, c.index)
                if c.check_id and st.button("Open the full check", key=open_key):
                    with desk.guard("opening the check"):
                        open_check(c.check_id)


def show_downloads(result: Any) -> None:
    """A download button per report format."""
    import verify.audit as audit_mod

    st.markdown("**Download the report**")
    empty_claimreview = claimreview_blocker(result)
    cols = st.columns(len(REPORTS))
    for col, (label, fn_name, ext, mime) in zip(cols, REPORTS, strict=True):
        fn = getattr(audit_mod, fn_name, None)
        if fn is None:
            continue
        blocked = empty_claimreview if fn_name == "render_claimreview" else None
        with col, desk.guard(f"preparing the {label} report"):
            col.download_button(label, lambda f=fn, r=result: f(r),
                                file_name=f"{result.audit_id}.{ext}",
                                mime=mime, key=forms.widget_key("audit_dl", result.audit_id, ext),
                                width="stretch", disabled=blocked is not None, help=blocked)
    if empty_claimreview:
        st.caption(render.md_escape(empty_claimreview), help=None)


def review_claims(audit_id: str, i: int, article: Any, reviews: dict[str, list[Review]]) -> None:
    """Pick a checked claim of the article and review its verdict (the Check page's form)."""
    claims = {c.check_id: c for c in article.claims if c.check_id and c.verdict}
    if not claims:
        return

    def label(check_id: str) -> str:
        """A claim in the picker: number, verdict, review state and text."""
        c = claims[check_id]
        state = f"reviewed {c.reviewed_verdict}" if c.reviewed_verdict else "not reviewed"
        return f"#{c.index + 1} · {c.verdict} · {state} · {c.claim_text}"

    with st.expander("Review a claim's verdict", expanded=False):
        chosen = st.selectbox("Claim to review", list(claims), format_func=label,
                              key=forms.widget_key("audit_review_pick", audit_id, i))
        claim = claims[chosen]
        _reviews.review_form(ws, claim.check_id, claim.verdict, reviews.get(claim.check_id, []),
                             title=f"Review claim #{claim.index + 1}", show_flash=False)


def current_reviews(result: Any) -> dict[str, list[Review]]:
    """The audit's claims' reviews as they are now (also those recorded on the Check page
    since the audit ran), written into its claims for the table and the downloads."""
    ids = [c.check_id for _, c in result.claims() if c.check_id]
    reviews: dict[str, list[Review]] = {}
    with desk.guard("reading the claims' reviews"):
        reviews = _reviews.reviews_of(ws, ids)
        apply_reviews(result, reviews)
    return reviews


def show_result(result: Any) -> None:
    desk.show_flash()
    reviews = current_reviews(result)
    s = result.summary
    cols = st.columns(6)
    for col, (label, key) in zip(cols, [("Articles", "articles"),
                                        ("Claims checked", "claims_checked"),
                                        ("Supported", "supported"), ("Refuted", "refuted"),
                                        ("Conflicting", "conflicting"),
                                        ("Unverifiable", "unverifiable")], strict=True):
        col.metric(label, s.get(key, 0))
    st.caption(f"Audit {render.md_escape(result.audit_id)} · {render.md_escape(result.status)}"
               + (f" · {result.skipped} article(s) reused from an earlier run"
                  if result.skipped else ""))
    show_downloads(result)
    for i, article in enumerate(result.articles):
        show_article(result.audit_id, i, article, reviews)


st.title("Audit articles")
st.caption("Finds the check-worthy claims in an article and checks each against the corpus.")
tab_paste, tab_web, tab_upload, tab_dir = st.tabs(["Paste text", "Web page", "Upload files",
                                                   "Folder path"])
with tab_paste:
    title = st.text_input("Title (optional)", key="audit_title")
    text = st.text_area("Article text", key="audit_text", height=180,
                        placeholder="Paste a paragraph or a whole article…")
    go_paste = st.button("Audit pasted text", key="audit_paste_btn", type="primary")
with tab_web:
    st.caption("The page is fetched from this server (robots.txt respected, with a timeout and "
               "a size cap); its title, outlet, author and date go into the report.")
    web_text = st.text_area("Article URL (one per line for several)", key="audit_url",
                            height=68, placeholder="https://www.example.com/news/story")
    go_web = st.button("Audit web page", key="audit_url_btn")
with tab_upload:
    files = st.file_uploader("Articles (txt, md, html, jsonl, csv)", accept_multiple_files=True,
                             key="audit_upload")
    go_upload = st.button("Audit uploaded files", key="audit_upload_btn", disabled=not files)
with tab_dir:
    go_dir, dir_path = desk.server_path("Folder or file path on the server", key="audit_path",
                                        button="Audit folder", button_key="audit_dir_btn",
                                        placeholder="/data/articles")
with st.expander("Options"):
    use_threshold = st.checkbox("Set my own check-worthiness threshold", key="audit_use_thr")
    threshold = st.slider("Threshold", 0.0, 1.0, 0.5, 0.05, key="audit_thr",
                          disabled=not use_threshold) if use_threshold else None

if go_paste or go_web or go_upload or go_dir:
    st.session_state.pop(RESULT_KEY, None)  # a failed audit must not leave the last one up
if go_paste:
    if not text.strip():
        st.warning("Paste the article text first.")
    else:
        run([_pasted_file(text.strip(), title.strip())], threshold)
if go_web:
    urls, not_urls = web_inputs(web_text)
    if not_urls:
        st.warning("Not a web address (give http:// or https:// URLs, one per line): "
                   + ", ".join(render.md_escape(line) for line in not_urls[:5]))
    elif not urls:
        st.warning("Enter the article's URL first.")
    else:
        run(urls, threshold)
if go_upload and files:
    saved = []
    for f in files:
        target = _inbox("uploads") / _safe_name(f.name)
        target.write_bytes(f.getvalue())
        saved.append(target)
    run(saved, threshold)
if dir_path is not None:
    run([dir_path], threshold)

current = st.session_state.get(RESULT_KEY)
if current is not None:
    show_result(current)
