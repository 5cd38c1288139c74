"""Archive page: earlier fact-checks — match a claim, browse and search, import, and see
which checked claims the archive matched."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from verify.archive import MATCH_THRESHOLD
from verify.ui import render

ws = desk.workspace()


def _match_rows(matches: list[Any]) -> list[dict[str, Any]]:
    return [{"score": m.score, "rating": m.fact_check.rating or "",
             "verdict": m.fact_check.verdict or "", "organisation": m.fact_check.organisation or "",
             "date": m.fact_check.review_date.isoformat() if m.fact_check.review_date else "",
             "claim reviewed": m.fact_check.claim, "why": "; ".join(m.why),
             "link": m.fact_check.url or ""} for m in matches]


def _fact_check_rows(items: list[Any]) -> list[dict[str, Any]]:
    return [{"date": fc.review_date.isoformat() if fc.review_date else "",
             "claim reviewed": fc.claim, "rating": fc.rating or "", "verdict": fc.verdict or "",
             "organisation": fc.organisation or "", "claimant": fc.claimant or "",
             "language": fc.language or "", "link": fc.url or ""} for fc in items]


LINK = {"link": st.column_config.LinkColumn("link"),
        "score": st.column_config.NumberColumn("score", format="%.2f")}

st.title("Archive")
st.caption("Earlier fact-checks, this desk's and other fact-checkers'. A claim is matched "
           "against them; matches scoring at least "
           f"{MATCH_THRESHOLD:.2f} "
           "are shown above the evidence when it is checked.")
desk.show_flash()

stats: dict[str, Any] = {"fact_checks": 0}
with desk.guard("reading the archive"):
    stats = ws.archive_stats()
    cols = st.columns(3)
    cols[0].metric("Fact-checks", stats["fact_checks"])
    cols[1].metric("Organisations", stats["organisations"])
    cols[2].metric("With a verdict", stats["with_verdict"])

tab_match, tab_browse, tab_import, tab_matched = st.tabs(
    ["Match a claim", "Browse", "Import", "Matched claims"])

with tab_match:
    claim = st.text_area("Claim, tweet or message", key="archive_claim",
                         placeholder="Paste a claim as you received it; links, handles, "
                                     "hashtags and emoji are fine.")
    if st.button("Find earlier fact-checks", key="archive_match", type="primary"):
        if not claim.strip():
            st.warning("Type or paste a claim first.")
        else:
            with st.spinner("Matching…"), desk.guard("matching the claim"):
                matches = ws.match(claim, k=5)
                if not matches:
                    st.info("No earlier fact-check matched. Import fact-checks on the Import tab.")
                else:
                    st.dataframe(pd.DataFrame(_match_rows(matches)), hide_index=True,
                                 width="stretch", key="archive_matches", column_config=LINK)

with tab_browse, desk.guard("listing fact-checks"):
    query = st.text_input("Search claims, ratings, organisations, claimants", key="archive_q")
    items = ws.fact_checks(query, limit=500)
    if items:
        st.dataframe(pd.DataFrame(_fact_check_rows(items)), hide_index=True, width="stretch",
                     key="archive_table", column_config=LINK)
    else:
        st.info("No fact-check matches the search." if query else
                "The archive is empty. Import fact-checks on the Import tab.")

with tab_import:
    st.write("ClaimReview JSON-LD (files, feeds, saved fact-check pages), Google Fact Check "
             "Tools exports, CSV or JSON lines. Importing the same fact-check twice adds "
             "nothing.")
    upload = st.file_uploader("File of fact-checks", key="archive_file",
                              type=["json", "jsonld", "jsonl", "csv", "tsv", "html", "htm"])
    organisation = st.text_input("Organisation (for records that name none)",
                                 key="archive_org")
    if st.button("Import", key="archive_import", disabled=upload is None):
        with st.spinner("Importing and indexing…"), desk.guard("importing fact-checks"):
            report = ws.import_fact_checks(text=upload.getvalue(), name=upload.name,
                                           organisation=organisation.strip() or None)
            message = report.summary() + "."
            if report.problems:
                message += " " + " ".join(render.md_escape(p) for p in report.problems[:20])
            desk.flash(message)
            st.rerun()

with tab_matched, desk.guard("matching checked claims"):
    if not stats.get("fact_checks"):
        st.info("Import fact-checks first; checked claims are then matched against them.")
    else:
        rows = []
        for item in ws.list_checks(limit=50):
            text = item.get("claim") if isinstance(item, dict) else getattr(item, "claim", "")
            found = ws.match(str(text or ""), k=1, min_score=MATCH_THRESHOLD)
            if found:
                best = found[0]
                rows.append({"checked claim": text, "score": best.score,
                             "earlier fact-check": best.fact_check.claim,
                             "rating": best.fact_check.rating or "",
                             "organisation": best.fact_check.organisation or "",
                             "link": best.fact_check.url or ""})
        if rows:
            st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                         key="archive_matched", column_config=LINK)
        else:
            st.info("None of the last 50 checked claims matched an earlier fact-check.")
