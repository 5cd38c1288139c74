"""History page: past checks and audits, searchable, each reopenable."""

from __future__ import annotations

from typing import Any, cast

import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from verify.history import CheckHistory, CheckRun, group_checks
from verify.ui import forms, render

ws = desk.workspace()
HISTORY_GROUPS = 300   # claims listed
HISTORY_SCAN = 500     # checks read where the workspace cannot group them itself


def _field(item: Any, name: str, default: Any = None) -> Any:
    return item.get(name, default) if isinstance(item, dict) else getattr(item, name, default)


def _matches(item: Any, query: str, fields: tuple[str, ...]) -> bool:
    if not query:
        return True
    hay = " ".join(str(_field(item, f, "") or "") for f in fields).lower()
    return all(word in hay for word in query.lower().split())


def reopen_check(check_id: str) -> None:
    """Load a saved check into the Check page."""
    st.session_state["check_result"] = ws.load_check(check_id)
    st.switch_page(desk.PAGE_CHECK)


def reopen_audit(audit_id: str) -> None:
    """Load a saved audit into the Audit page."""
    st.session_state["audit_result"] = ws.load_audit(audit_id)
    st.switch_page(desk.PAGE_AUDIT)


st.title("History")
query = st.text_input("Search claims, verdicts, reviewers and audit inputs", key="history_q",
                      placeholder="e.g. IS-K, REFUTED, Jalalabad")

tab_checks, tab_audits, tab_learn = st.tabs(["Checks", "Audits", "Learned verdicts"])

def check_history(text: str) -> CheckHistory:
    """Past checks grouped by claim: ``ws.check_history`` where the workspace has it,
    else its ``list_checks`` rows grouped here (the desk's remote client)."""
    if hasattr(ws, "check_history"):
        return cast("CheckHistory", ws.check_history(text or None, limit=HISTORY_GROUPS))
    return group_checks(ws.list_checks(limit=HISTORY_SCAN), text or None, limit=HISTORY_GROUPS)


def run_label(run: CheckRun) -> str:
    """A run in a picker: when, verdict, review and the end of its id."""
    review = f" · reviewed {run.reviewed_verdict}" if run.reviewed_verdict else ""
    return (f"{render.fmt_date(run.created_at)} · {run.verdict} {run.confidence:.0%}{review} "
            f"({run.check_id[-6:]})")


def show_checks() -> None:
    """One row per claim (its latest run, how often it ran), the earlier runs of the chosen
    claim expandable; any run reopens in the Check page with its reviews."""
    history = check_history(query)
    if not history.groups:
        st.info("No checks yet. Check a claim on the Check page and it will be listed here."
                if not query else "No check matches the search.")
        return
    rows = [{
        "last checked": render.fmt_date(g.latest.created_at),
        "claim": g.latest.claim,
        "verdict": g.latest.verdict,
        "confidence": round(g.latest.confidence, 2),
        "runs": g.count,
        "verdicts given": " / ".join(g.verdicts) if len(g.verdicts) > 1 else "",
        "reviewed as": g.review.reviewed_verdict if g.review else "",
        "reviewer": (g.review.reviewer or "") if g.review else "",
        "check id": g.latest.check_id,
    } for g in history.groups]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch",
                 key="history_checks_table",
                 column_config={"confidence": st.column_config.NumberColumn(
                     "confidence", format="percent")})
    repeated = sum(1 for g in history.groups if g.count > 1)
    st.caption(f"{len(history.groups)} claim(s) from {history.runs} check(s)"
               + (f"; {repeated} claim(s) checked more than once, latest run shown"
                  if repeated else "")
               + ("; older checks not read" if history.truncated else ""))
    groups = {g.latest.check_id: g for g in history.groups}
    chosen = st.selectbox("Reopen a check", list(groups), key="history_check_pick",
                          format_func=lambda k: f"{groups[k].latest.claim} — "
                                                f"{run_label(groups[k].latest)}"
                                                + (f" · {groups[k].count} runs"
                                                   if groups[k].count > 1 else ""))
    group = groups[chosen]
    run_id = group.latest.check_id
    if group.earlier:
        with st.expander(f"Earlier runs of this claim ({len(group.earlier)})", expanded=False):
            st.dataframe(pd.DataFrame([{
                "checked at": render.fmt_date(r.created_at), "claim as typed": r.claim,
                "verdict": r.verdict, "confidence": round(r.confidence, 2),
                "reviewed as": r.reviewed_verdict or "", "reviewer": r.reviewer or "",
                "reviews": r.reviews, "check id": r.check_id} for r in group.runs]),
                hide_index=True, width="stretch",
                key=forms.widget_key("history_runs", group.key),
                column_config={"confidence": st.column_config.NumberColumn(
                    "confidence", format="percent")})
            runs = {r.check_id: r for r in group.runs}
            run_id = st.selectbox("Run to open", list(runs),
                                  key=forms.widget_key("history_run_pick", group.key),
                                  format_func=lambda k: ("latest: " if k == group.latest.check_id
                                                         else "") + run_label(runs[k]))
    if st.button("Open in Check page", key="history_open_check", type="primary"):
        reopen_check(run_id)


with tab_checks, desk.guard("listing past checks"):
    show_checks()


def show_audits() -> None:
    """Past audits, searchable, each reopenable."""
    fields_a = ("audit_id", "inputs", "status", "title")
    audits = [a for a in ws.list_audits() if _matches(a, query, fields_a)]
    if not audits:
        st.info("No audits yet. Audit an article on the Audit page and it will be listed here."
                if not query else "No audit matches the search.")
        return
    st.dataframe(pd.DataFrame(render.to_rows(audits)), hide_index=True,
                 width="stretch", key="history_audits_table")
    ids = [str(_field(a, "audit_id")) for a in audits]
    chosen_a = st.selectbox("Reopen an audit", ids, key="history_audit_pick")
    if st.button("Open in Audit page", key="history_open_audit", type="primary"):
        reopen_audit(chosen_a)


with tab_audits, desk.guard("listing past audits"):
    show_audits()


def show_learning() -> None:
    """The verdict heads learned from this desk's reviews; fit a new one or switch off."""
    from verify.checks.head import MIN_REVIEWS

    st.caption("Review checks (Check page) and verify can learn how your desk decides: a small "
               "model over each check's evidence numbers, fitted on your reviews. It is switched "
               "on only when it beats the built-in rule on your reviews (cross-validated), and "
               "every verdict it gives names it and keeps the rule's verdict beside it.")
    st.write(f"Reviewed checks in this workspace: **{ws.reviewed_checks()}** "
             f"({MIN_REVIEWS} or more needed).")
    heads = ws.learned_heads()
    if heads:
        frame = pd.DataFrame(render.to_rows(heads))
        st.dataframe(frame, hide_index=True, width="stretch", key="history_heads_table",
                     column_config={"cv_head_f1": st.column_config.NumberColumn(
                                        "head macro-F1 (CV)", format="%.3f"),
                                    "cv_rule_f1": st.column_config.NumberColumn(
                                        "rule macro-F1 (CV)", format="%.3f")})
    else:
        st.info("No verdict head learned yet: checks are decided by the rule.")
    cols = st.columns(2)
    if cols[0].button("Learn from reviews", key="history_learn", type="primary"):
        with desk.guard("learning from the reviews"):
            report = ws.learn_verdicts()
            desk.flash(f"Head {report.head.head_id}: {report.why}")
            st.rerun()
    if any(h["active"] for h in heads) and cols[1].button("Switch learned verdicts off",
                                                          key="history_learn_off"):
        with desk.guard("switching learned verdicts off"):
            ws.forget_learned_verdicts()
            desk.flash("Learned verdicts switched off: checks use the rule again.")
            st.rerun()
    import_past_verdicts()


def import_past_verdicts() -> None:
    """Upload a desk's archive of verdicts; each claim is checked and its verdict reviewed."""
    from verify.checks.past import SUFFIXES

    with st.expander("Import past verdicts (your archive of fact-checks)"):
        st.caption("A .csv or .tsv with `claim` and `verdict` columns, a .jsonl of such "
                   "objects, ClaimReview JSON-LD (.json, .jsonld), or a saved fact-check page "
                   "(.html) with ClaimReview markup. Ratings in words are "
                   "read: True, Mostly true, False, Pants on fire, Half true, Mixed, "
                   "Unproven. Each claim is checked against this corpus and its verdict "
                   "recorded as a review, so a head can be learned at once.")
        uploaded = st.file_uploader("Past verdicts", key="history_past_file",
                                    type=[suffix.lstrip(".") for suffix in SUFFIXES])
        reviewer = st.text_input("Recorded as reviewer", key="history_past_by",
                                 placeholder="default: import:<file name>")
        if uploaded is not None and st.button("Import", key="history_past_import"):
            with desk.guard(f"importing {uploaded.name}"), st.spinner("Checking each claim…"):
                report = ws.import_past_verdicts(text=uploaded.getvalue(), name=uploaded.name,
                                                 reviewer=reviewer or None)
                summary, skipped = report.summary(), len(report.problems)
                desk.flash(f"{summary[:1].upper()}{summary[1:]}."
                           + (f" {skipped} row{'s' if skipped != 1 else ''} not recorded as "
                              "a review:" if skipped else "")
                           + "".join(f"\n\n- {p}" for p in report.problems[:10]))
                st.rerun()


with tab_learn, desk.guard("listing learned verdicts"):
    desk.show_flash()
    show_learning()
