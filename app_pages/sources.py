"""Sources page: reliability table, per-source history, rating, suggestions, import/export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

from verify.ui import desk, render

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
                legend=alt.Legend(orient="bottom")),
            tooltip=["band:N", "count():Q"],
        )
        .properties(height=220)
    )
    st.altair_chart(chart, use_container_width=True)


def show_source(domain: str) -> None:
    """Effective reliability with its explanation and the rating history."""
    rel = ws.reliability(domain)
    desk.html("<div>" + f'<span class="vf-title">{render.esc(domain)}</span> '
              + render.reliability_badge(rel.value, rel.explanation)
              + f'<div class="vf-meta">{render.esc(rel.explanation)}</div></div>')
    history = list(book.history(domain))
    if history:
        st.dataframe(pd.DataFrame(render.to_rows(history)), hide_index=True,
                     use_container_width=True, key="source_history")
    else:
        st.caption("No rating recorded for this source yet.")


def rate_form(domain: str) -> None:
    """Record a person's rating, with a rationale and a name."""
    with st.form("rate_form"):
        st.markdown("**Rate this source**")
        cols = st.columns([1, 1])
        value = cols[0].slider("Reliability", 0.0, 1.0, 0.5, 0.05, key="rate_value")
        by = cols[1].text_input("Your name", key="rate_by")
        rationale = st.text_area("Rationale", key="rate_rationale", height=80,
                                 placeholder="What the rating rests on (corrections policy, "
                                             "track record, ownership…)")
        sent = st.form_submit_button("Save rating", type="primary")
    if sent:
        if not by.strip() or not rationale.strip():
            st.warning("Enter your name and a rationale; every rating is attributed and explained.")
            return
        with desk.guard("saving the rating"):
            book.rate(domain, value, rationale=rationale.strip(), by=by.strip())
            desk.flash(f"Rating {value:.2f} saved for {domain}; it is in the history.")
            st.rerun()


def show_suggestions() -> None:
    """Rating changes the desk's verdicts suggest; accept or dismiss each."""
    items = list(book.suggestions())
    if not items:
        st.caption("No pending suggestions. They appear once reviewed checks agree or "
                   "disagree with a source often enough.")
        return
    name = st.text_input("Your name (for decisions)", key="sugg_by")
    for item in items:
        sid = _field(item, "suggestion_id")
        with st.container(border=True):
            cur, new = _field(item, "current_value"), _field(item, "suggested_value")
            desk.html(
                f'<div><span class="vf-title">{render.esc(_field(item, "domain"))}</span> '
                f'<span class="vf-meta">{"–" if cur is None else f"{float(cur):.2f}"} → '
                f"{float(new):.2f} · {int(_field(item, 'agreements', 0))} agreeing, "
                f"{int(_field(item, 'disagreements', 0))} disagreeing verdicts</span></div>")
            cols = st.columns([1, 1, 4])
            if cols[0].button("Accept", key=f"sugg_ok_{sid}"):
                with desk.guard("accepting the suggestion"):
                    _decide(book.accept_suggestion, sid, name)
            if cols[1].button("Dismiss", key=f"sugg_no_{sid}"):
                with desk.guard("dismissing the suggestion"):
                    _decide(book.dismiss_suggestion, sid, name)


def _decide(fn: Any, sid: Any, name: str) -> None:
    if not name.strip():
        st.warning("Enter your name above so the decision is attributed.")
        return
    fn(sid, by=name.strip())
    st.rerun()


def import_export() -> None:
    """Import a ratings file; export the ratings in any format."""
    from verify import sources as sources_mod

    formats = list(getattr(sources_mod, "IMPORT_FORMATS", ("generic", "csv", "json")))
    cols = st.columns(2)
    with cols[0]:
        st.markdown("**Import ratings**")
        up = st.file_uploader("Ratings file", key="ratings_upload",
                              type=["csv", "json", "jsonl", "tsv", "txt"])
        fmt = st.selectbox("Format", formats, key="ratings_format")
        who = st.text_input("Your name", key="ratings_by")
        if st.button("Import", key="ratings_import", disabled=up is None):
            folder = (ws.path or Path(".")) / "imports"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / Path(up.name).name
            target.write_bytes(up.getvalue())
            with desk.guard("importing ratings"):
                report = book.import_file(target, fmt, by=who.strip() or "desk")
                read = _field(report, "rows_read")
                ok = _field(report, "rows_imported")
                bad = _field(report, "rows_rejected")
                st.success(f"Imported {ok} of {read} rows ({bad} rejected).")
                errors = _field(report, "errors") or []
                if errors:
                    st.dataframe(pd.DataFrame(render.to_rows(errors)), hide_index=True,
                                 key="ratings_import_errors")
    with cols[1]:
        st.markdown("**Export ratings**")
        out_formats = list(getattr(sources_mod, "EXPORT_FORMATS", ("csv", "json")))
        out_fmt = st.selectbox("Export format", out_formats, key="ratings_export_fmt")
        with desk.guard("exporting ratings"):
            data = book.export(out_fmt)
            payload = data if isinstance(data, bytes | str) else str(data)
            st.download_button(f"Download ratings.{out_fmt}", payload,
                               file_name=f"ratings.{out_fmt}", key="ratings_download")


st.title("Sources")
desk.show_flash()
with desk.guard("listing sources"):
    items = list(book.list_sources())
    frame = sources_frame(items)
    search = st.text_input("Search sources", key="sources_q", placeholder="domain or name")
    shown = frame
    if search.strip() and not frame.empty:
        needle = search.strip().lower()
        shown = frame[frame["domain"].str.lower().str.contains(needle, regex=False)
                      | frame["name"].str.lower().str.contains(needle, regex=False)]
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.dataframe(shown, hide_index=True, use_container_width=True, key="sources_table",
                     column_config={"reliability": st.column_config.ProgressColumn(
                         "reliability", min_value=0.0, max_value=1.0, format="%.2f")})
    with right:
        st.markdown("**Reliability distribution**")
        distribution_chart(frame)

    domains = list(shown["domain"]) if not shown.empty else []
    if domains:
        st.subheader("Source detail")
        domain = st.selectbox("Source", domains, key="source_pick")
        show_source(domain)
        rate_form(domain)

st.subheader("Suggestions")
with desk.guard("listing suggestions"):
    show_suggestions()

st.subheader("Import and export")
with desk.guard("preparing import and export"):
    import_export()
