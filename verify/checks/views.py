"""What the stance model is asked about a claim and its passages, and how the answers
combine into one stance per passage.

Up to three views of each (claim, passage) pair go into one batch:

- the whole passage;
- its focus sentence, the one sharing most claim words, mixed in with ``sentence_weight``
  (words elsewhere in a passage, "the Taliban denied any role", can sway a small model);
- when the claim names a date and the passage names none, the claim with its dates taken
  out. A date the passage never states cannot be what refutes the claim, so the passage's
  refute probability is capped at this view's; the excess becomes "unrelated", never
  "supports" (the date stays unconfirmed).

A claim negated on its verb ("X does not affect Y") is asked the other way round: the
model sees the affirmed claim ("X does affect Y") in every view, and its *supports* and
*refutes* are swapped back. Trained on many "not"-inserted counterfactuals, the model
reads a "not" as a sign of *refutes* whatever the evidence says; the affirmed claim it
judges on the evidence (the negation view; ``negation_view=False`` asks the claim as
written).

Example:
    >>> plan = plan_stance("In 2019 the council approved the stadium.",
    ...                    ["The council approved the stadium."], 0.5)
    >>> plan.claims
    ('In 2019 the council approved the stadium.', 'The council approved the stadium.')
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from verify.overlap import content_terms, lexical_overlap
from verify.quantities import date_phrases, without_dates

if TYPE_CHECKING:
    from verify.stance.base import StanceModel

NEGATION_RE = re.compile(r"\b(not|never|no|none|nor)\b|n't", re.IGNORECASE)
# "<aux> not" before a word: the negation the negation view takes out
_AUX_NOT = re.compile(r"\b(is|are|was|were|do|does|did|has|have|had|can|could|will|would|may|"
                      r"might|should) not (?=[a-z])")
# "<aux>n't" before a word ("doesn't", "can't", "won't"), straight or curly apostrophe
_AUX_NT = re.compile(r"\b(is|are|was|were|do|does|did|has|have|had|ca|could|wo|would|should)"
                     r"n['\u2019]t (?=[a-z])", re.IGNORECASE)
_UNCONTRACTED = {"ca": "can", "wo": "will"}
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])|\n\s*\n")


def focus_sentence(claim: str, passage: str,
                   about: Callable[[str], bool] | None = None) -> str | None:
    """The passage sentence that shares most of the claim's content words, if the passage
    has more than one sentence and that sentence shares at least one word; questions are
    passed over while the passage has a statement. With ``about``, a sentence it accepts
    (one naming the claim's subject) comes before one that shares more words."""
    parts = [p.strip() for p in _SENTENCE_END.split(passage) if p and p.strip()]
    if len(parts) < 2:
        return None
    # a question asserts nothing ("Did the vote pass? No."): the focus is a statement
    statements = [p for p in parts if not p.rstrip("\"')]").endswith("?")] or parts
    scored = [(lexical_overlap(claim, p), -i, p) for i, p in enumerate(statements)]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    if about is not None:
        scored = [s for s in scored if about(s[2])] or scored
    return max(scored)[2]


def undated_claim(claim: str) -> str | None:
    """The claim without its dates, when it names one and enough of it is left to judge."""
    if not date_phrases(claim):
        return None
    rest = without_dates(claim)
    return rest if len(content_terms(rest)) >= 2 and rest != claim else None


def affirmed_claim(claim: str, contractions: bool = True) -> str | None:
    """The claim with its one "<aux> not" (or, with ``contractions``, "<aux>n't") taken
    out, or None when it has no such negation or more than one negation word.

    Example:
        >>> affirmed_claim("Aspirin did not alter the risk of stroke.")
        'Aspirin did alter the risk of stroke.'
        >>> affirmed_claim("The vaccine doesn't cause autism.")
        'The vaccine does cause autism.'
    """
    if len(NEGATION_RE.findall(claim.replace("\u2019", "'"))) != 1:
        return None
    if m := _AUX_NOT.search(claim):
        return claim[:m.start()] + m.group(1) + " " + claim[m.end():]
    if not contractions or not (m := _AUX_NT.search(claim)):
        return None
    aux = m.group(1)
    word = _UNCONTRACTED.get(aux.lower(), aux.lower())
    word = word.capitalize() if aux[:1].isupper() else word
    return claim[:m.start()] + word + " " + claim[m.end():]


def turned_claim(claim: str, negation_view: bool = True) -> str | None:
    """The affirmed claim the negation view asks instead of ``claim``, or None."""
    return affirmed_claim(claim) if negation_view else None


@dataclass(frozen=True)
class StancePlan:
    """The pairs to score for one claim and where each view's answer lands.

    Rows ``0..passages-1`` are the passages themselves; ``focus`` maps a passage to the row
    of its focus sentence; ``undated`` maps a passage to its rows (passage, focus or -1)
    scored against the claim without its dates; ``turned`` says the rows ask about the
    affirmed claim, so supports and refutes are swapped back when combined.
    """

    claims: tuple[str, ...]
    texts: tuple[str, ...]
    passages: int
    sentence_weight: float
    focus: tuple[tuple[int, int], ...]
    undated: tuple[tuple[int, int, int], ...]
    turned: bool = False


def plan_stance(claim: str, texts: Sequence[str], sentence_weight: float,
                date_view: bool = True, negation_view: bool = True) -> StancePlan:
    """Every (claim, text) pair one claim needs, in one batch (see the module docstring)."""
    positive = turned_claim(claim, negation_view)
    claim = positive or claim
    claims, batch = [claim] * len(texts), list(texts)
    focus_of: dict[int, str] = {}
    focus: list[tuple[int, int]] = []
    if sentence_weight > 0:
        for i, text in enumerate(texts):
            sentence = focus_sentence(claim, text)
            if sentence is not None:
                focus_of[i] = sentence
                focus.append((i, len(batch)))
                claims.append(claim)
                batch.append(sentence)
    undated: list[tuple[int, int, int]] = []
    bare = undated_claim(claim) if date_view else None
    if bare is not None:
        for i, text in enumerate(texts):
            if date_phrases(text):
                continue  # the passage names a date: the model judges the dated claim
            passage_row, focus_row = len(batch), -1
            claims.append(bare)
            batch.append(text)
            if i in focus_of:
                focus_row = len(batch)
                claims.append(bare)
                batch.append(focus_of[i])
            undated.append((i, passage_row, focus_row))
    return StancePlan(tuple(claims), tuple(batch), len(texts), sentence_weight,
                      tuple(focus), tuple(undated), positive is not None)


def _blend(passage: np.ndarray, sentence: np.ndarray | None, weight: float) -> np.ndarray:
    """w x sentence + (1 - w) x passage (the passage alone without a focus sentence)."""
    return passage if sentence is None else weight * sentence + (1.0 - weight) * passage


def combine_stance(out: np.ndarray, plan: StancePlan) -> np.ndarray:
    """One (supports, refutes, unrelated) row per passage from the model's answers."""
    out = np.asarray(out, dtype=np.float64)
    w = plan.sentence_weight
    probs = out[:plan.passages].copy()
    for i, row in plan.focus:
        probs[i] = _blend(out[i], out[row], w)
    for i, row, focus_row in plan.undated:
        bare = _blend(out[row], out[focus_row] if focus_row >= 0 else None, w)
        capped = min(probs[i][1], bare[1])
        probs[i][2] += probs[i][1] - capped
        probs[i][1] = capped
    return probs[:, [1, 0, 2]] if plan.turned else probs


def focus_stance(out: np.ndarray, plan: StancePlan) -> np.ndarray:
    """One row per passage from the view of its focus sentence alone (the passage itself
    where it has none), capped by the undated view as ``combine_stance`` does: what the
    sentence carrying the claim's point says, for ``verify.checks.refutation``."""
    out = np.asarray(out, dtype=np.float64)
    probs = out[:plan.passages].copy()
    for i, row in plan.focus:
        probs[i] = out[row]
    for i, row, focus_row in plan.undated:
        bare = out[focus_row] if focus_row >= 0 else out[row]
        capped = min(probs[i][1], bare[1])
        probs[i][2] += probs[i][1] - capped
        probs[i][1] = capped
    return probs[:, [1, 0, 2]] if plan.turned else probs


def score_stance_views(model: StanceModel, claim: str, texts: Sequence[str],
                       sentence_weight: float, date_view: bool = True,
                       negation_view: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """``score_stance`` and ``focus_stance`` of each passage from one model batch."""
    if not texts:
        return np.zeros((0, 3)), np.zeros((0, 3))
    plan = plan_stance(claim, texts, sentence_weight, date_view, negation_view)
    out = model.predict_distinct(list(plan.claims), list(plan.texts))
    return combine_stance(out, plan), focus_stance(out, plan)


def score_stance(model: StanceModel, claim: str, texts: Sequence[str],
                 sentence_weight: float, date_view: bool = True,
                 negation_view: bool = True) -> np.ndarray:
    """Stance of each passage from all its views, in one model batch.

    Example:
        score_stance(model, "IS-K killed 338 civilians", [passage], 0.5)
        # -> array([[0.9 , 0.05, 0.05]])
    """
    if not texts:
        return np.zeros((0, 3))
    plan = plan_stance(claim, texts, sentence_weight, date_view, negation_view)
    return combine_stance(model.predict_distinct(list(plan.claims), list(plan.texts)), plan)
