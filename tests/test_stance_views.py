"""Stance views: the focus sentence and the claim without the dates a passage never states."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from verify.checks.views import plan_stance, score_stance, undated_claim
from verify.quantities import date_phrases, unstated_dates, without_dates
from verify.stance.base import StanceModel
from verify.types import PassageRef, Reliability, SearchHit

DATED = "Under the February 29 agreement the US would close five bases within 135 days."
NO_DATE = "The US will cut its troops and close five of its bases within 135 days."
OTHER_DATE = "On March 3 the US said it would close five of its bases within 135 days."


class DateShy(StanceModel):
    """Reads any date in a claim as a sign of falsehood (what the small model can do)."""

    def __init__(self, dated: Sequence[float] = (0.1, 0.8, 0.1),
                 undated: Sequence[float] = (0.8, 0.1, 0.1)) -> None:
        self.dated, self.undated = list(dated), list(undated)
        self.calls: list[list[tuple[str, str]]] = []

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        self.calls.append(list(zip(claims, evidence, strict=True)))
        return np.asarray([self.dated if date_phrases(c) else self.undated for c in claims])


@pytest.mark.parametrize(("text", "dates", "rest"), [
    (DATED, ["February 29"], "Under the agreement the US would close five bases within 135 days."),
    ("In 2019 the council approved the new stadium.", ["In 2019"],
     "The council approved the new stadium."),
    ("On February 29, 2020 the US agreed.", ["February 29, 2020"], "The US agreed."),
    ("IS-K killed 338 civilians since January 2017", ["since January 2017"],
     "IS-K killed 338 civilians"),
    ("The 2019 budget passed.", ["2019"], "The budget passed."),
    ("It killed 2000 fighters in 3 days.", [], "It killed 2000 fighters in 3 days."),
])
def test_dates_are_found_and_taken_out(text, dates, rest):
    assert [t for t, _ in date_phrases(text)] == dates
    assert without_dates(text) == rest


def test_a_claim_with_too_little_left_has_no_undated_view():
    assert undated_claim("It happened in 2019.") is None
    assert undated_claim("The council approved the stadium.") is None  # no date to take out
    assert undated_claim(DATED) == without_dates(DATED)


def test_unstated_dates_only_where_the_passage_names_no_date():
    rows = unstated_dates(DATED, NO_DATE)
    assert [(a.claim_text, a.claim_unit, a.status, a.evidence_text) for a in rows] == \
        [("February 29", "date", "unaligned", None)]
    assert DATED[slice(*rows[0].claim_span)] == "February 29"
    assert unstated_dates(DATED, OTHER_DATE) == []
    assert unstated_dates("The US will close bases.", NO_DATE) == []


def test_a_date_the_passage_never_states_cannot_refute():
    model = DateShy()
    p = score_stance(model, DATED, [NO_DATE], 0.5)[0]
    assert len(model.calls) == 1                       # one batch for every view
    assert p == pytest.approx([0.1, 0.1, 0.8])         # refutes capped, the rest unrelated
    assert p[0] == pytest.approx(0.1)                  # ...never moved to supports


def test_a_passage_naming_another_date_keeps_the_refutation():
    model = DateShy()
    p = score_stance(model, DATED, [OTHER_DATE], 0.5)[0]
    assert p == pytest.approx([0.1, 0.8, 0.1])
    assert all(c == DATED for c, _ in model.calls[0])  # no undated view was asked for


def test_the_undated_view_covers_the_focus_sentence_too():
    passage = "Talks went on for months. " + NO_DATE
    plan = plan_stance(DATED, [passage], 0.5)
    bare = without_dates(DATED)
    assert plan.claims == (DATED, DATED, bare, bare)
    assert plan.texts == (passage, NO_DATE, passage, NO_DATE)
    assert plan.undated == ((0, 2, 3),)
    # the undated view can lower refutes but never raise it
    p = score_stance(DateShy(dated=(0.6, 0.2, 0.2), undated=(0.1, 0.8, 0.1)), DATED, [passage], 0.5)
    assert p[0] == pytest.approx([0.6, 0.2, 0.2])


def _hit(pid: int, text: str, domain: str) -> SearchHit:
    passage = PassageRef(pid, pid, 0, text, 0, len(text), f"doc {pid}", f"https://{domain}/{pid}",
                         domain, None, "en")
    return SearchHit(passage, pid, 0.6, 3.0, 1.0 / (60 + pid))


def test_check_says_the_date_is_unconfirmed(ws, monkeypatch):
    import verify.stance
    from verify.checks.pipeline import check_claim, check_claims

    monkeypatch.setattr(ws, "search", lambda claim, k=10, filters=None: [
        _hit(1, NO_DATE, "apnews.com")][:k])
    monkeypatch.setattr(ws, "reliability", lambda d: Reliability(d or "", 0.9, "test rating"))
    model = DateShy(dated=(0.45, 0.45, 0.1), undated=(0.85, 0.1, 0.05))
    monkeypatch.setattr(verify.stance, "get_stance_model", lambda name: model)
    result = check_claim(ws, DATED)
    e = result.evidence[0]
    assert e.p_refutes == pytest.approx(0.1) and e.stance == "supports"  # five = five bases
    assert [a.claim_text for a in e.alignments if a.claim_unit == "date"] == ["February 29"]
    assert result.verdict == "SUPPORTED"
    assert "claim's date (February 29)" in result.reason and "unconfirmed" in result.reason
    batch = check_claims(ws, [DATED, "The US would close five bases within 135 days."], save=False)
    assert batch[0].verdict == result.verdict
    assert batch[0].evidence[0].p_refutes == pytest.approx(e.p_refutes)
    assert "date" not in batch[1].reason


def test_the_date_view_can_be_switched_off():
    plan = plan_stance(DATED, [NO_DATE], 0.5, date_view=False)
    assert plan.undated == () and plan.claims == (DATED,)
    assert score_stance(DateShy(), DATED, [NO_DATE], 0.5, date_view=False)[0] == \
        pytest.approx([0.1, 0.8, 0.1])


class NotShy(StanceModel):
    """Reads any "not" in a claim as refuting (the lean the shipped model has), and judges
    an affirmed claim on the evidence: supported when the evidence has the claim's verb."""

    def __init__(self) -> None:
        self.calls: list[list[tuple[str, str]]] = []

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        self.calls.append(list(zip(claims, evidence, strict=True)))
        rows = []
        for c, e in zip(claims, evidence, strict=True):
            if " not " in f" {c} ":
                rows.append([0.05, 0.9, 0.05])
            else:
                rows.append([0.8, 0.1, 0.1] if "altered" in e else [0.1, 0.8, 0.1])
        return np.asarray(rows)


@pytest.mark.parametrize(("claim", "affirmed"), [
    ("Aspirin did not alter the risk of stroke.", "Aspirin did alter the risk of stroke."),
    ("The dam was not finished in 1990.", "The dam was finished in 1990."),
    ("No patient did not respond.", None),             # two negations: left as written
    ("There was no change in weight.", None),          # no "<aux> not" to take out
    ("Aspirin lowers the risk of stroke.", None),
    ("The vaccine doesn't cause autism.", "The vaccine does cause autism."),
    ("The law won\u2019t apply to farms.", "The law will apply to farms."),   # curly apostrophe
    ("Can't is not a word here.", None),                # two negations
])
def test_affirmed_claim(claim, affirmed):
    from verify.checks.views import affirmed_claim

    assert affirmed_claim(claim) == affirmed
    if "'" in claim or "\u2019" in claim:   # the training data builder keeps to "<aux> not"
        assert affirmed_claim(claim, contractions=False) is None


def test_a_negated_claim_is_asked_affirmed_and_the_answer_turned_round():
    claim = "Aspirin did not alter the risk of stroke."
    unchanged = "Aspirin left the risk of stroke where it was in every group."
    changed = "Aspirin altered the risk of stroke in the treated group."
    model = NotShy()
    p = score_stance(model, claim, [unchanged, changed], 0.5)
    # every view asks about the affirmed claim
    assert {c for c, _ in model.calls[0]} == {"Aspirin did alter the risk of stroke."}
    assert np.argmax(p[0]) == 0 and p[0][0] == pytest.approx(0.8)   # unchanged supports "did not"
    assert np.argmax(p[1]) == 1 and p[1][1] == pytest.approx(0.8)   # altered refutes it
    # switched off, the claim is asked as written and the lean decides both
    off = score_stance(NotShy(), claim, [unchanged, changed], 0.5, negation_view=False)
    assert list(np.argmax(off, axis=1)) == [1, 1]
    assert not plan_stance(claim, [unchanged], 0.5, negation_view=False).turned


def test_a_pair_asked_twice_in_one_call_is_scored_once() -> None:
    """Overlapping windows share their focus sentence: the model sees it once, and every
    view still gets its answer in its place."""
    model = NotShy()
    claims = ["Aspirin altered the risk.", "Aspirin altered the risk.", "Aspirin did not alter it."]
    texts = ["Aspirin altered the risk of stroke.", "Aspirin altered the risk of stroke.",
             "Aspirin altered the risk of stroke."]
    probs = model.predict_distinct(claims, texts)
    assert model.calls == [[(claims[0], texts[0]), (claims[2], texts[2])]]
    assert probs.tolist() == [[0.8, 0.1, 0.1], [0.8, 0.1, 0.1], [0.05, 0.9, 0.05]]
    passage = ("The trial ran for two years. Aspirin altered the risk of stroke. "
               "Aspirin altered the risk of stroke in older patients.")
    window = ("Aspirin altered the risk of stroke. Aspirin altered the risk of stroke in older "
              "patients. The effect held.")
    model.calls.clear()
    score_stance(model, "Aspirin altered the risk of stroke.", [passage, window], 0.5)
    asked = model.calls[0]
    assert len(asked) == len(set(asked)) == 3   # two passages, one shared focus sentence
    with pytest.raises(ValueError, match="2 claims but 1"):
        model.predict_distinct(["a", "b"], ["c"])


def test_the_focus_sentence_is_a_statement_not_a_question():
    from verify.checks.views import focus_sentence

    passage = "Did the vote pass in 2020? No. It failed by two votes in the senate."
    assert focus_sentence("The vote passed in 2020", passage) == "It failed by two votes in the senate."
