"""History page: past checks and audits, searchable, each reopenable."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app_pages import _desk as desk
from verify.ui import render

ws = desk.workspace()


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

with tab_checks, desk.guard("listing past checks"):
    fields = ("claim", "verdict", "reason", "reviewed_verdict", "reviewer", "check_id")
    checks = [c for c in ws.list_checks(limit=500) if _matches(c, query, fields)]
    if not checks:
        st.info("No checks yet. Check a claim on the Check page and it will be listed here."
                if not query else "No check matches the search.")
    else:
        rows = render.to_rows(checks)
        frame = pd.DataFrame(rows)
        preferred = [c for c in ("created_at", "claim", "verdict", "confidence",
                                 "reviewed_verdict", "reviewer", "check_id") if c in frame]
        for col in ("reviewed_verdict", "reviewer"):
            if col in frame:
                frame[col] = frame[col].fillna("")
        st.dataframe(frame[preferred or list(frame.columns)], hide_index=True,
                     width="stretch", key="history_checks_table",
                     column_config={
                         "created_at": st.column_config.TextColumn("checked at"),
                         "confidence": st.column_config.NumberColumn("confidence",
                                                                     format="percent"),
                         "reviewed_verdict": st.column_config.TextColumn("reviewed as"),
                         "check_id": st.column_config.TextColumn("check id")})
        labels = {str(_field(c, "check_id")):
                  f"{render.fmt_date(_field(c, 'created_at'))} · {_field(c, 'verdict')} — "
                  f"{_field(c, 'claim')} ({str(_field(c, 'check_id'))[-6:]})"
                  for c in checks}
        chosen = st.selectbox("Reopen a check", list(labels), key="history_check_pick",
                              format_func=lambda k: labels[k])
        if st.button("Open in Check page", key="history_open_check", type="primary"):
            reopen_check(chosen)

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
