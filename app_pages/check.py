"""Check page: one claim -> verdict, evidence grouped by stance, numbers, review."""

from __future__ import annotations

import datetime as dt

import altair as alt
import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from app_pages import _reviews
from verify.archive import MATCH_THRESHOLD, earlier_fact_checks
from verify.demo import DEMO_CLAIMS
from verify.explain import explain_confidence
from verify.history import Review
from verify.types import SearchFilters
from verify.ui import forms, render

RESULT_KEY = "check_result"
FILTERS_KEY = "check_filters"      # the sidebar's filters, for the panel's own reruns
EARLIER_KEY = "check_earlier"      # (check id, the archive's matches for its claim)
EXAMPLES = DEMO_CLAIMS


def _use_example() -> None:
    choice = st.session_state.get("check_example")
    if choice:
        st.session_state["claim"] = choice


def sidebar_filters(ws) -> SearchFilters:  # noqa: ANN001 - Workspace or RemoteWorkspace
    """Date range, sources and minimum reliability, from the sidebar."""
    stats = None
    domains: list[str] = []
    with desk.guard("reading the corpus"):
        stats = ws.corpus_stats()
    if stats is not None:
        domains = sorted({s.domain for s in stats.per_source if s.domain})
    with st.sidebar:
        st.subheader("Filters")
        use_dates = st.checkbox("Limit to a date range", key="f_use_dates")
        date_from = date_to = None
        if use_dates:
            lo = (stats.earliest if stats else None) or dt.date(2000, 1, 1)
            hi = (stats.latest if stats else None) or dt.date.today()
            picked = st.date_input("Published between", value=(lo, hi), key="f_dates")
            if isinstance(picked, tuple | list) and len(picked) == 2:
                date_from, date_to = picked
        chosen = st.multiselect("Sources", domains, key="f_sources",
                                placeholder="All sources")
        min_rel = st.slider("Minimum reliability", 0.0, 1.0, 0.0, 0.05, key="f_min_rel")
    return SearchFilters(domains=tuple(chosen), date_from=date_from, date_to=date_to,
                         min_reliability=min_rel if min_rel > 0 else None)


def show_verdict(result) -> None:  # noqa: ANN001 - CheckResult
    """Badge, confidence and the one-line reason."""
    with st.container(border=True):
        desk.html(
            f'<div data-check-id="{render.esc(result.check_id)}">'
            + render.verdict_badge(result.verdict, result.confidence, big=True)
            + f'<div class="vf-meta vf-confidence-why">{render.esc(explain_confidence(result))}'
            "</div>"
            + f'<div class="vf-reason">{render.esc(result.reason)}</div>'
            + f'<div class="vf-meta">Claim: {render.esc(result.claim)}</div>'
            + f'<div class="vf-meta">support {result.support_score:.2f} · refute '
            f"{result.refute_score:.2f} · check {render.esc(result.check_id)}</div></div>")


def earlier_for(ws, result) -> list:  # noqa: ANN001 - workspace, CheckResult
    """The archive's best matches for the result's claim (``earlier_fact_checks``, as
    ``verify check``), kept for this check id only: a check reopened from History or an
    audit gets its own. An archive that fails says so; the check stands."""
    stored = st.session_state.get(EARLIER_KEY)
    if stored is not None and stored[0] == result.check_id:
        return list(stored[1])
    with desk.guard("searching the fact-check archive"):
        matches = earlier_fact_checks(ws, result.claim)
        st.session_state[EARLIER_KEY] = (result.check_id, matches)
        return list(matches)
    return []


def show_earlier(matches) -> None:  # noqa: ANN001 - list[verify.archive.Match]
    """The best earlier fact-checks of the claim (each scoring at least MATCH_THRESHOLD):
    rating, organisation, date, link, score, the claim they reviewed and why."""
    if not matches:
        return
    with st.container(border=True):
        st.markdown("**Checked before**: earlier fact-checks of this claim")
        for m in matches:
            fc = m.fact_check
            rating = render.esc(fc.rating or "no rating")
            badge = render.verdict_badge(fc.verdict) if fc.verdict else ""
            who = render.link(fc.url, fc.organisation or fc.url or "unknown organisation")
            when = render.esc(fc.review_date.isoformat() if fc.review_date else "undated")
            desk.html(
                f'<div class="vf-earlier" data-fact-check-id="{render.esc(fc.fact_check_id)}">'
                f"<b>{rating}</b> {badge} · {who} · {when} · match score {m.score:.2f}"
                f'<div class="vf-meta">{render.esc(fc.claim)}</div>'
                + (f'<div class="vf-meta">why: {render.esc("; ".join(m.why))}</div>'
                   if m.why else "") + "</div>")
        st.caption(f"Matches from the fact-check archive scoring at least {MATCH_THRESHOLD:.2f} "
                   "(see the Archive page).")


def show_evidence(evs) -> None:  # noqa: ANN001 - list[EvidenceAssessment]
    """Passages as cards (header, highlighted text, aligned numbers), one HTML block for
    all of them: one element for the browser to redraw instead of four per passage."""
    desk.html_block("".join(render.evidence_card(ev) for ev in evs))


def show_chart(result) -> None:  # noqa: ANN001
    """Per evidence: stance (sign and colour) × reliability (bar length)."""
    rows = render.agreement_rows(result.evidence)
    if not rows:
        return
    data = pd.DataFrame(rows)
    chart = (
        alt.Chart(data)
        .mark_bar(cornerRadius=2)
        .encode(
            x=alt.X("agreement:Q", title="stance × reliability",
                    scale=alt.Scale(domain=[-1, 1]), axis=alt.Axis(values=[-1, -0.5, 0, 0.5, 1])),
            y=alt.Y("evidence:N", sort=None, title=None,
                    axis=alt.Axis(labelLimit=150, labelOverlap=False)),
            color=alt.Color("stance:N", scale=alt.Scale(
                domain=list(render.STANCE_COLOUR), range=list(render.STANCE_COLOUR.values())),
                legend=None),
            tooltip=["evidence", "title", "stance", "reliability", "weight",
                     "p_supports", "p_refutes"],
        )
        .properties(height=alt.Step(24))
    )
    st.altair_chart(chart, width="stretch")
    desk.html('<div class="vf-meta">Bars right of 0 support the claim, left refute it; '
              "length is the stance probability × the source's reliability. "
              + " ".join(render.stance_badge(s) for s in render.STANCE_COLOUR) + "</div>")


def show_review(ws, result) -> None:  # noqa: ANN001
    """The check's reviews and the form to confirm or override its verdict (keyed to the
    check and its number of reviews: another check gets fresh widgets)."""
    reviews: list[Review] = []
    with desk.guard("reading the check's reviews"):
        reviews = _reviews.reviews_of(ws, [result.check_id])[result.check_id]
    _reviews.review_form(ws, result.check_id, result.verdict, reviews)
    show_claimreview(result, reviews)


def show_claimreview(result, reviews: list[Review]) -> None:  # noqa: ANN001
    """The check's schema.org ClaimReview (its latest review's verdict); disabled, with the
    reason, until a person has reviewed it."""
    from verify.audit import check_claimreview_blocker, render_check_claimreview

    blocked = check_claimreview_blocker(result, reviews)
    with desk.guard("preparing the ClaimReview"):
        st.download_button(
            "ClaimReview", "[]\n" if blocked else render_check_claimreview(result, reviews),
            file_name=f"claimreview-{result.check_id}.jsonld", mime="application/ld+json",
            key=forms.widget_key("check_claimreview", result.check_id, len(reviews)),
            disabled=blocked is not None,
            help=blocked or "schema.org ClaimReview of this claim, rated as its latest review "
                            "says (JSON-LD)")
    if blocked:
        st.caption(render.md_escape(blocked))


def show_result(ws, result) -> None:  # noqa: ANN001
    """The whole verdict view: verdict, earlier fact-checks, evidence, review."""
    show_verdict(result)
    desk.mark("verdict.sent")
    desk.let_send()     # the verdict to the browser now, not after the evidence and chart
    show_earlier(earlier_for(ws, result))
    groups = [(s, result.by_stance(s)) for s in ("supports", "refutes", "unrelated")]
    left, right = st.columns([3, 2], gap="large")
    with left:
        if not result.evidence:
            st.info("No passage in the corpus bears on this claim. Ingest more documents on "
                    "the Corpus page or loosen the filters.")
        labels = [f"{render.STANCE_TITLE[s]} ({len(evs)})" for s, evs in groups]
        lead = {"SUPPORTED": 0, "REFUTED": 1, "CONFLICTING": 1}.get(result.verdict, 0)
        if not groups[lead][1]:
            lead = next((i for i, (_, evs) in enumerate(groups) if evs), 0)
        tabs = st.tabs(labels, default=labels[lead])
        for tab, (stance, evs) in zip(tabs, groups, strict=True):
            with tab:
                if evs:
                    show_evidence(evs)
                else:
                    st.caption(f"No {render.STANCE_TITLE[stance].lower()} evidence.")
    with right:
        st.markdown("**Agreement**")
        show_chart(result)
        if result.claim_quantities:
            st.caption("Figures in the claim: " + ", ".join(
                render.md_escape(q) for q in result.claim_quantities))
        show_review(ws, result)


@st.fragment
def check_panel() -> None:
    """The claim form and its verdict. Submitting reruns this panel alone, not the page:
    the title, sidebar and navigation are neither rebuilt nor sent to the browser again,
    which would compete with the check for the CPU."""
    with desk.run_workspace() as ws:
        if ws is None:
            st.info("The workspace could not be opened. Fix the problem above and reload "
                    "the page.")
            return
        with st.form("check_form"):
            claim = st.text_area("Claim", key="claim", height=80,
                                 placeholder="e.g. IS-K killed 338 civilians in Pakistan "
                                             "since 2017")
            submitted = st.form_submit_button("Check claim", type="primary")
        if submitted:
            st.session_state.pop(RESULT_KEY, None)  # an error must not leave the last verdict
            st.session_state.pop(EARLIER_KEY, None)
            text = (claim or "").strip()
            if not text:
                st.warning("Type a claim to check first, for example a sentence with a figure, "
                           "a date or a named actor.")
            else:
                filters = st.session_state.get(FILTERS_KEY) or SearchFilters()
                with st.spinner("Checking the claim against the corpus…"), \
                        desk.guard("checking the claim"):
                    desk.mark("check.start")
                    st.session_state[RESULT_KEY] = ws.check(
                        text, filters=None if filters.is_empty() else filters)
                    desk.mark("check.end")
        current = st.session_state.get(RESULT_KEY)
        if current is not None:
            show_result(ws, current)


st.title("Check a claim")
st.session_state[FILTERS_KEY] = sidebar_filters(desk.workspace())
st.selectbox("Try an example", ("",) + EXAMPLES, key="check_example", on_change=_use_example,
             format_func=lambda s: s or "— pick a sample claim —")
check_panel()
