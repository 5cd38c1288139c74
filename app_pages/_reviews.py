"""The review of a check on the desk: its reviews listed, and the form that records one.

One form for the Check page and the Audit page's claims (``ws.review`` either way). Every
widget is keyed to the check and to how many reviews it has (:func:`verify.ui.forms.widget_key`),
so another check, or a recorded review, gets fresh widgets whose default is its own verdict.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from app_pages import _desk as desk
from verify.history import Review, review_from_row
from verify.types import VERDICTS
from verify.ui import forms, render


def reviews_of(ws: Any, check_ids: list[str]) -> dict[str, list[Review]]:
    """Each check's reviews, newest first: one query where the workspace has ``reviews``,
    one request per check otherwise (the desk's remote client)."""
    if hasattr(ws, "reviews"):
        return dict(ws.reviews(check_ids))
    return {c: [review_from_row(r, c) for r in ws.check_reviews(c)] for c in check_ids}


def show_reviews(reviews: list[Review]) -> None:
    """Every review of a check, newest first: verdict given, who, when, note."""
    if not reviews:
        st.caption("Not reviewed yet.")
        return
    last = reviews[0]
    st.caption(f"Reviewed {len(reviews)}×; latest: {render.md_escape(last.verdict)} "
               f"by {render.md_escape(last.reviewer)}, "
               f"{render.md_escape(render.fmt_date(last.created_at))}.")
    desk.html(f'<div class="vf-reviews" data-reviews="{len(reviews)}">'
              + "".join(f'<div class="vf-meta vf-review">{render.esc(r.line())}</div>'
                        for r in reviews) + "</div>")


def review_form(ws: Any, check_id: str, machine_verdict: str, reviews: list[Review], *,
                title: str = "Review this verdict", show_flash: bool = True) -> None:
    """The reviews of ``check_id`` and a form to confirm or override its verdict with a
    note and a name; a recorded review reruns the page with a message."""

    def key(field: str) -> str:
        """This form's key for ``field``."""
        return forms.widget_key(field, check_id, len(reviews))

    with st.container(border=True):
        st.markdown(f"**{title}**")
        if show_flash:
            desk.show_flash()
        show_reviews(reviews)
        cols = st.columns([1, 1])
        default = VERDICTS.index(machine_verdict) if machine_verdict in VERDICTS else 0
        verdict = cols[0].selectbox("Verdict", VERDICTS, index=default,
                                    key=key("review_verdict"))
        reviewer = desk.name_field(cols[1], key("review_name"),
                                   "On a server your review is recorded as the user you "
                                   "signed in as.")
        note = st.text_area("Note", key=key("review_note"), height=80,
                            placeholder="Why you confirm or override the machine verdict")
        summary = forms.review_summary(verdict, machine_verdict, check_id, reviewer)
        desk.html(f'<div class="vf-meta vf-will-save" data-will-save="review">'
                  f"{render.esc(summary)}</div>")
        sent = st.button("Record review", key=key("review_save"))
    if not sent:
        return
    name = reviewer.strip()
    if not name:
        st.warning("Enter your name so the review can be attributed.")
        return
    with desk.guard("recording the review"):
        ws.review(check_id, verdict, name, note.strip())
        desk.remember_name(name)
        action = "confirmed" if verdict == machine_verdict else f"overridden to {verdict}"
        desk.flash(f"Review recorded on check {check_id}: verdict {action} by {name}.")
        st.rerun()
