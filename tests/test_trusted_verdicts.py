"""Issue 18's rules: reliability that decides, refutation that needs a reason, figures that
count the same thing (constructed evidence, no models)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from verify.checks.aggregate import (
    aggregate,
    figure_stated,
    is_pointed,
    mark_dissent,
    numeric_adjust,
    settle_stance,
)
from verify.checks.refutation import contradiction_cue, negated
from verify.config import VerdictSettings
from verify.quantities import align_quantities
from verify.types import EvidenceAssessment, PassageRef, QuantityAlignment

VS = VerdictSettings()


def _ev(pid: int, stance: str, p: tuple[float, float, float], *, reliability: float,
        domain: str, weight: float = 0.8) -> EvidenceAssessment:
    passage = PassageRef(pid, pid, 0, f"passage {pid}", 0, 10, "t", None, domain, None, "en")
    return EvidenceAssessment(
        passage=passage, rank=pid, stance=stance, p_supports=p[0], p_refutes=p[1],  # type: ignore[arg-type]
        p_unrelated=p[2], model_stance=stance, reliability=reliability,  # type: ignore[arg-type]
        reliability_explanation="", relevance=0.9, weight=weight, dense_score=None,
        lexical_score=None, fused_score=0.0, duplicate_of=None)


def _figure(status: str, claim_unit: str | None = "prisoner") -> QuantityAlignment:
    return QuantityAlignment("17,000", 17000.0, claim_unit, (0, 6),
                             None if status == "unaligned" else "about 1,700",
                             None if status == "unaligned" else 1700.0,
                             None if status == "unaligned" else "prisoner",
                             None if status == "unaligned" else (0, 11), status)  # type: ignore[arg-type]


# ---------------------------------------------------------------- reliability decides
def test_a_far_less_reliable_dissent_does_not_make_conflicting():
    evidence = [_ev(1, "refutes", (0.05, 0.9, 0.05), reliability=0.88, domain="wire.com"),
                _ev(2, "refutes", (0.05, 0.9, 0.05), reliability=0.92, domain="broadcast.org"),
                _ev(3, "supports", (0.9, 0.05, 0.05), reliability=0.10, domain="blog.net",
                    weight=0.9)]
    marked = mark_dissent(evidence, VS)
    assert [e.dissent for e in marked] == [False, False, True]
    assert "dissent" in marked[2].stance_note
    agg = aggregate(marked, VS)
    assert agg.verdict == "REFUTED"
    assert "dissent: blog.net (reliability 0.10) supports it" in agg.reason
    assert 3 not in agg.decisive_passage_ids


def test_comparably_reliable_sources_that_disagree_stay_conflicting():
    evidence = [replace(_ev(1, "refutes", (0.05, 0.9, 0.05), reliability=0.85, domain="wire.com"),
                        refute_reason="figure"),
                _ev(2, "supports", (0.9, 0.05, 0.05), reliability=0.80, domain="paper.com")]
    marked = mark_dissent(evidence, VS)
    assert not any(e.dissent for e in marked)
    assert aggregate(marked, VS).verdict == "CONFLICTING"


def test_no_dissent_when_the_reliable_side_cannot_win_alone():
    evidence = [_ev(1, "refutes", (0.3, 0.6, 0.1), reliability=0.9, domain="wire.com", weight=0.2),
                _ev(2, "supports", (0.9, 0.05, 0.05), reliability=0.1, domain="blog.net")]
    assert not any(e.dissent for e in mark_dissent(evidence, VS))


def test_the_gap_is_a_setting():
    evidence = [_ev(1, "refutes", (0.05, 0.9, 0.05), reliability=0.9, domain="wire.com"),
                _ev(2, "supports", (0.9, 0.05, 0.05), reliability=0.7, domain="paper.com")]
    assert not any(e.dissent for e in mark_dissent(evidence, VS))
    narrow = VerdictSettings(dissent_reliability_gap=0.15)
    assert mark_dissent(evidence, narrow)[1].dissent


# ---------------------------------------------------------------- refutation needs a reason
CLAIM = "About 300 escaped prisoners remain at large"
LEANS_AGAINST = (0.2, 0.6, 0.2)


def test_a_passage_that_leans_against_without_a_reason_is_related_but_silent():
    stance, reason, note = settle_stance(LEANS_AGAINST, (), CLAIM,
                                         "Gunmen stormed the prison on Sunday evening.", 0.55,
                                         False, VS)
    assert (stance, reason) == ("unrelated", "")
    assert note.startswith("related but silent")


@pytest.mark.parametrize(("sentence", "focus", "alignments", "reason"), [
    ("Officials denied that any prisoners remain at large.", 0.5, (), "negation"),
    ("The prison held about 1,700 prisoners.", 0.5, (_figure("mismatch"),), "figure"),
])
def test_each_reason_lets_a_passage_refute(sentence, focus, alignments, reason):
    has_figures = bool(alignments)
    stance, got, note = settle_stance(LEANS_AGAINST, alignments, CLAIM, sentence, focus,
                                      has_figures, VS)
    assert (stance, got) == ("refutes", reason)
    assert note


def test_a_model_refutes_needs_a_strong_sentence_and_optionally_the_predicate():
    claim = "The fire started in the plant's solvent store"
    on_point = "The fire began in the mixing hall, plant managers said."
    assert settle_stance(LEANS_AGAINST, (), claim, on_point, 0.85, False, VS)[:2] == ("refutes", "model")
    assert settle_stance(LEANS_AGAINST, (), claim, on_point, 0.6, False, VS)[0] == "unrelated"
    # asked to, a confident model on a sentence that does not name the predicate is silent
    strict = VerdictSettings(model_refute_needs_predicate=True)
    assert settle_stance(LEANS_AGAINST, (), claim, on_point, 0.85, False, strict)[0] == "refutes"
    off_point = "The minister ordered an inquiry into the plant."
    dismissed = "The plant's manager was dismissed"
    assert settle_stance(LEANS_AGAINST, (), dismissed, off_point, 0.95, False, strict)[0] == "unrelated"
    assert settle_stance(LEANS_AGAINST, (), dismissed, off_point, 0.95, False, VS)[0] == "refutes"


def test_a_figure_claim_is_not_refuted_by_a_passage_silent_on_its_figures():
    stance, reason, _ = settle_stance((0.05, 0.9, 0.05), (_figure("unaligned"),),
                                      "312 prisoners escaped", "Gunmen stormed the prison.", 0.98,
                                      True, VS)
    assert (stance, reason) == ("unrelated", "")


def test_asking_no_reason_restores_the_old_rule():
    loose = VerdictSettings(refute_needs_reason=False)
    assert settle_stance(LEANS_AGAINST, (), CLAIM, "Gunmen stormed it.", 0.5, False, loose)[0] == "refutes"


def test_a_figure_claim_is_not_supported_by_a_passage_stating_none_of_its_figures():
    stance, _, note = settle_stance((0.8, 0.1, 0.1), (_figure("unaligned"),),
                                    "The prison held about 17,000 prisoners",
                                    "The assault on the prison was a reminder.", 0.1, True, VS)
    assert stance == "unrelated"
    assert "none of the claim's figures" in note


def test_silence_on_a_figure_counts_only_where_the_evidence_states_it():
    unaligned = (_figure("unaligned"),)
    args = ((0.8, 0.1, 0.1), unaligned, "The prison held about 17,000 prisoners",
            "The assault on the prison was a reminder.", 0.1, True, VS)
    assert settle_stance(*args, figure_stated=True)[0] == "unrelated"
    # no passage states the figure: the model's reading decides, as for any claim
    assert settle_stance(*args, figure_stated=False)[0] == "supports"
    assert figure_stated([unaligned, (_figure("mismatch"),)])
    assert not figure_stated([unaligned])
    # a small count is often told by listing ("two primary types"), not its number
    small = QuantityAlignment("two", 2.0, "type", (0, 3), None, None, None, None, "unaligned")
    assert not is_pointed(small) and is_pointed(_figure("unaligned"))


def test_agreeing_figures_on_the_same_thing_carry_a_paraphrase_the_model_misses():
    match = QuantityAlignment("roughly 800", 800.0, "fighter", (0, 11), "about 800", 800.0,
                              "militant", (0, 9), "match")
    p, _ = numeric_adjust((0.2, 0.1, 0.7), (match,), 0.9, VS)
    assert p[0] >= VS.numeric_match_support
    assert settle_stance(p, (match,), "In 2018 IS-K had roughly 800 fighters", "x", 0.1, True,
                         VS)[0] == "supports"


@pytest.mark.parametrize(("claim", "sentence", "kind"), [
    ("Turnout rose to 62 percent", "Turnout fell to 58 percent.", "antonym"),
    ("The council approved the bridge", "The council rejected the bridge plan.", "antonym"),
    ("The minister resigned", "The minister denied she had resigned.", "negation"),
    ("The vaccine was not tested on children", "It was tested on 3,000 children.", "negation"),
])
def test_contradiction_cues(claim, sentence, kind):
    cue = contradiction_cue(claim, sentence)
    assert cue is not None and cue[0] == kind


def test_no_cue_where_both_or_neither_negate():
    assert contradiction_cue("The bridge did not open", "The bridge has not opened yet.") is None
    assert contradiction_cue("The bridge opened in May", "Crowds watched the bridge open.") is None
    assert negated("It wasn't built") == "n't"


# ---------------------------------------------------------------- figures count the same thing
def test_figures_on_different_counted_things_never_align():
    a = align_quantities("3,000 civilians were killed",
                         "In early 2016 the group had between 1,000 and 3,000 fighters.")
    assert a[0].status == "unaligned"


def test_a_noun_left_out_is_the_one_named_just_before():
    text = ("In 2018 the group had about 800 fighters. That is far fewer than in 2016, when "
            "officials talked of as many as 3,000.")
    assert align_quantities("3,000 civilians were killed", text)[0].status == "unaligned"
    assert align_quantities("In 2016 the group had 3,000 fighters", text)[0].status == "match"


def test_prisoners_held_are_not_prisoners_at_large():
    text = ("The prison then held about 1,700 prisoners. More than 1,000 inmates tried to flee "
            "and about 300 were still at large on Monday.")
    a = align_quantities("About 300 escaped prisoners remain at large", text)
    assert (a[0].status, a[0].evidence_text) == ("match", "about 300")
    held = align_quantities("The prison held 17,000 prisoners", "The jail housed about 1,700 inmates.")
    assert held[0].status == "mismatch"


def test_synonymous_counted_nouns_align():
    a = align_quantities("In 2018 IS-K had roughly 800 fighters",
                         "Our 2018 assessment puts the strength of the branch at about 800 militants.")
    assert a[0].status == "match"


def test_an_opposite_predicate_is_an_antonym_cue():
    assert contradiction_cue("The Ashford plant will close", "The plant will stay open.")[0] == "antonym"


def test_a_count_on_a_named_day_is_not_contradicted_by_a_later_report():
    import datetime as dt

    from verify.quantities import as_of_other_day

    claim = "On 14 June, officials had confirmed twelve deaths"
    rows = align_quantities(claim, "The death toll stands at 31.")
    assert rows[0].status == "mismatch"
    later = as_of_other_day(claim, rows, dt.date(2024, 6, 20))
    assert later[0].status == "different_scope" and "14 June" in later[0].note
    assert as_of_other_day(claim, rows, dt.date(2024, 6, 14))[0].status == "mismatch"
    same = align_quantities(claim, "Twelve deaths have been confirmed.")
    assert as_of_other_day(claim, same, dt.date(2024, 6, 20))[0].status == "match"


def test_a_question_and_its_answer_are_read_together_for_a_reason():
    from verify.checks.pipeline import _point_text

    qa = "Did the council approve the bridge? No, the vote failed."
    assert _point_text("The council approved the bridge", qa) == qa
    news = "Crowds gathered early. The council approved the bridge on Monday. It opens in May."
    assert _point_text("The council approved the bridge", news) == "The council approved the bridge on Monday."


def test_each_passage_reason_is_stored_for_people_who_query_the_file(ws, monkeypatch):
    from verify.checks.pipeline import check_claim
    from verify.types import Reliability, SearchHit

    text = "The prison held about 1,700 prisoners when the attack began."
    passage = PassageRef(1, 1, 0, text, 0, len(text), "t", None, "wire.com", None, "en")
    monkeypatch.setattr(ws, "search", lambda claim, k=10, filters=None: [
        SearchHit(passage, 1, 0.9, 1.0, 1.0)])
    monkeypatch.setattr(ws, "reliability", lambda d: Reliability(d or "", 0.9, "test"))
    result = check_claim(ws, "The prison held 17,000 prisoners")
    row = ws.db.execute("SELECT stance, refute_reason, stance_note, dissent FROM check_evidence"
                        " WHERE check_id = ?", [result.check_id]).fetchone()
    assert row[0] == "refutes" and row[1] == "figure"
    assert row[2].startswith("figures differ") and row[3] is False
