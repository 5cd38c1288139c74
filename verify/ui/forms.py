"""Desk forms keyed to the object they edit, and the line saying what they will save.

Streamlit keeps a widget's value under its key for as long as the widget is
drawn, and ignores a new default for a key it already holds. A form whose
widgets have fixed keys therefore keeps the previous object's values when the
page moves to another check or source, and saves them for the new one. Every
desk form builds its widget keys with :func:`widget_key` from the id of the
object it edits (and a revision that changes when that object is saved), so a
new object gets fresh widgets with its own defaults. No Streamlit import here.

Example:
    >>> widget_key("review_verdict", "chk_0123")
    'review_verdict::chk_0123'
    >>> review_summary("SUPPORTED", "SUPPORTED", "chk_0123", "Amina")
    'Will record: verdict SUPPORTED (confirms the tool) on check chk_0123, by Amina'
"""

from __future__ import annotations

from typing import Any

NO_NAME = "(enter your name)"
RATING_STEP = 0.05


def widget_key(field: str, *ids: Any) -> str:
    """A widget key for ``field`` of the object named by ``ids``: ``field::id1::id2``."""
    return "::".join([field, *(str(i) for i in ids)])


def snap(value: float, step: float = RATING_STEP) -> float:
    """``value`` on the slider's grid (0.05 steps), clipped to 0..1."""
    return min(1.0, max(0.0, round(round(float(value) / step) * step, 2)))


def review_summary(verdict: str, machine_verdict: str, check_id: str, reviewer: str) -> str:
    """What recording the review form will save, in one line."""
    relation = ("confirms the tool" if verdict == machine_verdict
                else f"overrides the tool's {machine_verdict}")
    who = reviewer.strip() or NO_NAME
    return f"Will record: verdict {verdict} ({relation}) on check {check_id}, by {who}"


def rating_summary(domain: str, value: float, current: float | None, rater: str) -> str:
    """What saving the rating form will save, in one line."""
    now = "" if current is None else f" (now {current:.2f})"
    who = rater.strip() or NO_NAME
    return f"Will save: {domain} rated {value:.2f}{now}, by {who}"


def check_reviews(ws: Any, check_id: str) -> list[dict[str, Any]]:
    """The reviews recorded for one check, newest first (verdict, reviewer, note, created_at;
    through ``ws.check_reviews``, so a desk on a server gets them from the API)."""
    return [{k: row.get(k) for k in ("verdict", "reviewer", "note", "created_at")}
            for row in ws.check_reviews(check_id)]
