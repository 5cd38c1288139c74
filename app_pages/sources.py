"""Sources page: reliability table, per-source history, rating, suggestions, import/export."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from verify.ui import forms, render

ws = desk.workspace()
book = ws.sources


def _field(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def sources_frame(items: list[Any]) -> pd.DataFrame:
    """One row per source: domain, effective reliability and the parts it came from."""
    rows = [{
        "domain": s.domain,
        "name": s.name or "",
        "reliability": round(float(s.value), 3),
        "band": s.band,
        "parts": "; ".join(f"{rater}: {float(v):.2f} (weight {float(w):.1f})"
                           for rater, v, w in s.parts) or "prior only",
        "aliases": ", ".join(s.aliases),
    } for s in items]
    columns = ["domain", "name", "reliability", "band", "parts", "aliases"]
    return pd.DataFrame(rows, columns=columns)


def distribution_chart(frame: pd.DataFrame) -> None:
    """How many sources fall in each reliability band."""
    rated = frame.dropna(subset=["reliability"])
    if rated.empty:
        return
    chart = (
        alt.Chart(rated)
        .mark_bar()
        .encode(
            x=alt.X("reliability:Q", bin=alt.Bin(extent=[0, 1], step=0.1),
                    title="effective reliability"),
            y=alt.Y("count():Q", title="sources"),
            color=alt.Color("band:N", scale=alt.Scale(
                domain=list(render.BAND_COLOUR), range=list(render.BAND_COLOUR.values())),
                legend=alt.Legend(orient="bottom", columns=3, title=None)),
            tooltip=["band:N", "count():Q"],
        )
        .properties(height=220)
    )
    st.altair_chart(chart, width="stretch")


def show_source(domain: str) -> None:
    """Effective reliability with its explanation and the track record."""
    view = book.show(domain)
    rel = view.reliability
    aliases = f" · also {', '.join(view.aliases)}" if view.aliases else ""
    desk.html("<div>" + f'<span class="vf-title">{render.esc(view.name or view.domain)}</span> '
              + f'<span class="vf-meta">{render.esc(view.domain + aliases)}</span><br>'
              + render.reliability_badge(rel.value, rel.explanation)
              + f'<div class="vf-meta" style="margin-top:.3rem">{render.esc(rel.explanation)}'
              + "</div></div>")
    tr = view.track_record
    if tr is not None and tr.n:
        lo, hi = tr.interval
        st.caption(f"Track record: {tr.agreements} agreeing and {tr.disagreements} disagreeing "
                   f"verdicts; posterior {tr.posterior_mean:.2f} (90% interval {lo:.2f}–{hi:.2f}).")
    else:
        st.caption("No track record yet: it builds up as checks that cite this source are "
                   "reviewed.")


def show_history(domain: str) -> None:
    """Every rating of the source, newest first (append-only: nothing is overwritten)."""
    history = book.history(book.canonical(domain))
    st.markdown("**Rating history**")
    if not history:
        st.caption("No rating recorded for this source yet; it gets the default prior.")
        return
    columns = ["valid_from", "valid_to", "rater", "rater_kind", "rating_set", "raw_value",
               "reliability", "previous", "rationale"]
    rows = render.to_rows(reversed(history), columns)
    for row in rows:
        row["valid_to"] = row["valid_to"] or "current"
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", key="source_history")


def rate_form(domain: str) -> None:
    """Record a person's rating, with a rationale and a name.

    The widgets are keyed to the source and to how many ratings it has, so another
    source (or a saved rating) gets fresh widgets starting at its current value.
    """
    reliability = ws.reliability(domain).value
    current = forms.snap(reliability)
    revision = len(book.history(book.canonical(domain)))

    def key(field: str) -> str:
        """This form's key for ``field``."""
        return forms.widget_key(field, domain, revision)

    with st.container(border=True):
        st.markdown("**Rate this source**")
        cols = st.columns([1, 1])
        value = cols[0].slider("Reliability", 0.0, 1.0, current, 0.05, key=key("rate_value"))
        by = desk.name_field(cols[1], key("rate_by"),
                             "On a server your rating is recorded as the user you signed in as.")
        rationale = st.text_area("Rationale", key=key("rate_rationale"), height=80,
                                 placeholder="What the rating rests on (corrections policy, "
                                             "track record, ownership…)")
        summary = forms.rating_summary(domain, value, reliability, by)
        desk.html(f'<div class="vf-meta vf-will-save" data-will-save="rating">'
                  f"{render.esc(summary)}</div>")
        sent = st.button("Save rating", type="primary", key=key("rate_save"))
    if sent:
        if not by.strip() or not rationale.strip():
            st.warning("Enter your name and a rationale; every rating is attributed and explained.")
            return
        with desk.guard("saving the rating"):
            book.rate(domain, value, rationale=rationale.strip(), by=by.strip())
            desk.remember_name(by)
            desk.flash(f"Rating {value:.2f} saved for {domain}; it is in the history.")
            st.rerun()


RATE_TARGET = "sources_rate_target"


def _rate_unrated(domain: str) -> None:
    """``on_click`` of *Rate*: show ``domain`` in Source detail, with its rating form."""
    st.session_state[RATE_TARGET] = domain
    st.session_state["source_pick"] = domain


def show_unrated(search: str) -> None:
    """Corpus sources no rating covers, most passages first, each with a *Rate* action."""
    if not hasattr(ws, "unrated_sources"):  # a workspace that cannot list them (remote)
        return
    items = ws.unrated_sources(search or None)
    with st.expander(f"Sources in the corpus without a rating ({len(items)})",
                     expanded=bool(items)):
        if not items:
            st.caption("Every source in the corpus has a rating (its own, an alias's or its "
                       "platform's).")
            return
        st.caption("Their passages are weighed at the default prior until someone rates them.")
        st.dataframe(pd.DataFrame([{
            "source": u.domain, "name": u.name or "", "documents": u.documents,
            "passages": u.passages, "weighed at": round(u.prior, 2),
            "rate": "yes" if u.rateable else "known only by name: give its documents a URL "
                                             "or a source domain (Corpus page) to rate it",
        } for u in items]), hide_index=True, width="stretch", key="sources_unrated_table")
        rateable = [u.domain for u in items if u.rateable]
        if not rateable:
            return
        cols = st.columns([3, 1], vertical_alignment="bottom")
        pick = cols[0].selectbox("Unrated source", rateable, key="sources_unrated_pick")
        cols[1].button("Rate", key="sources_unrated_rate", on_click=_rate_unrated, args=(pick,),
                       type="primary", help="Open it in Source detail below, with its rating form")


def show_suggestions() -> None:
    """Rating changes the track record suggests; accept or dismiss each."""
    refresh = st.button("Recompute from the track record", key="sugg_refresh")
    items = list(book.suggestions(refresh=refresh))
    if not items:
        st.caption("No open suggestions. They appear once enough checks agree or disagree "
                   "with a source's rating.")
        return
    name = st.text_input("Your name (for decisions)", key="sugg_by")
    for item in items:
        sid = item.suggestion_id
        with st.container(border=True):
            cur = "–" if item.current_value is None else f"{item.current_value:.2f}"
            desk.html(
                f'<div><span class="vf-title">{render.esc(item.domain)}</span> '
                f'<span class="vf-meta">{cur} → {item.suggested_value:.2f} · '
                f"{item.agreements} agreeing, {item.disagreements} disagreeing verdicts</span></div>")
            cols = st.columns([1, 1, 6])
            if cols[0].button("Accept", key=f"sugg_ok_{sid}"):
                with desk.guard("accepting the suggestion"):
                    _decide(book.accept_suggestion, sid, name, "accepted")
            if cols[1].button("Dismiss", key=f"sugg_no_{sid}"):
                with desk.guard("dismissing the suggestion"):
                    _decide(book.dismiss_suggestion, sid, name, "dismissed")


def _decide(fn: Any, sid: int, name: str, what: str) -> None:
    if not name.strip():
        st.warning("Enter your name above so the decision is attributed.")
        return
    fn(sid, by=name.strip())
    desk.flash(f"Suggestion {sid} {what}.")
    st.rerun()


def import_export() -> None:
    """Import a ratings file; export every rating with its history."""
    from verify.sources.formats import FORMATS

    cols = st.columns(2, gap="large")
    with cols[0], st.container(border=True):
        st.markdown("**Import ratings**")
        up = st.file_uploader("Ratings file", key="ratings_upload",
                              type=["csv", "tsv", "json", "jsonl", "txt"])
        fmt = st.selectbox("Format", list(FORMATS), key="ratings_format")
        c1, c2 = st.columns(2)
        set_name = c1.text_input("Set name", key="ratings_name", placeholder="file name")
        version = c2.text_input("Version", key="ratings_version")
        licence = st.text_input("Licence", key="ratings_licence")
        who = st.text_input("Your name", key="ratings_by")
        in_house = st.checkbox("These are our own ratings (each row needs a rationale)",
                               key="ratings_in_house")
        if st.button("Import", key="ratings_import", disabled=up is None):
            folder = (ws.path or Path(tempfile.mkdtemp())) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / Path(up.name).name
            target.write_bytes(up.getvalue())
            with desk.guard("importing ratings"):
                report = book.import_file(target, fmt, name=set_name.strip() or None,
                                          version=version.strip() or None,
                                          licence=licence.strip() or None,
                                          by=who.strip() or "desk", in_house=in_house)
                if report.already_imported:
                    st.info("This file was already imported; nothing changed.")
                else:
                    st.success(f"Imported {report.rows_imported} of {report.rows_read} rows "
                               f"({report.rows_rejected} rejected, {report.rows_skipped} skipped).")
                if report.issues:
                    st.dataframe(pd.DataFrame(render.to_rows(
                        report.issues, ["location", "field", "reason", "kind"])),
                        hide_index=True, width="stretch", key="ratings_import_issues")
    with cols[1], st.container(border=True):
        st.markdown("**Export ratings** (every rating with its history)")
        out_fmt = st.radio("Export format", ["csv", "json"], horizontal=True,
                           key="ratings_export_fmt")
        def _export(ws_: Any, fmt: str = out_fmt) -> bytes:
            with tempfile.TemporaryDirectory() as tmp:
                target = Path(tmp) / f"ratings.{fmt}"
                ws_.sources.export(target, fmt)
                return target.read_bytes()

        st.download_button(f"Download ratings.{out_fmt}", desk.with_workspace(_export),
                           file_name=f"ratings.{out_fmt}", key="ratings_download",
                           mime="text/csv" if out_fmt == "csv" else "application/json")


st.title("Sources")
desk.show_flash()
domains: list[str] = []
search = ""
with desk.guard("listing sources"):
    corpus_domains = sorted({s.domain for s in ws.corpus_stats().per_source if s.domain})
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    search = c1.text_input("Search sources", key="sources_q",
                           placeholder="domain, name or alias")
    only_corpus = c2.toggle("Only sources in the corpus", value=True, key="sources_only_corpus")
    listed = book.list_sources(search.strip() or None, limit=None)
    if only_corpus:
        keep = set(corpus_domains)
        listed = [s for s in listed if s.domain in keep]
    frame = sources_frame(listed)
    st.dataframe(frame, hide_index=True, width="stretch", key="sources_table",
                 column_config={
                     "reliability": st.column_config.ProgressColumn(
                         "reliability", min_value=0.0, max_value=1.0, format="%.2f",
                         width="small"),
                     "parts": st.column_config.TextColumn("parts (rater: value, weight)",
                                                          width="large")})
    st.caption(f"{len(frame)} source(s) shown"
               + ("" if not only_corpus else " (switch off the toggle to list every rated "
                  "source, including imported rating sets)"))
    with st.expander("Reliability distribution", expanded=True):
        distribution_chart(frame)
    domains = list(frame["domain"])[:500]
with desk.guard("listing unrated sources"):
    show_unrated(search.strip())
target = st.session_state.get(RATE_TARGET)
if target and target not in domains:
    domains.insert(0, target)  # an unrated source to rate: not in the rated list yet
if domains:
    st.subheader("Source detail")
    domain = st.selectbox("Source", domains, key="source_pick")
    detail, rating = st.columns([3, 2], gap="large")
    with detail, desk.guard("showing the source"):
        show_source(domain)
    with rating, desk.guard("rating the source"):
        rate_form(domain)
    with desk.guard("showing the rating history"):
        show_history(domain)

st.subheader("Suggestions")
with desk.guard("listing suggestions"):
    show_suggestions()

st.subheader("Import and export")
with desk.guard("preparing import and export"):
    import_export()
