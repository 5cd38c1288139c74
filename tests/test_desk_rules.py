"""The desk suite's second round of rules (issue 18): when a later report supersedes, the
same number for another thing, opposite words that agree, times of day, precise
approximations, stale reports, names no source mentions (constructed evidence; spaCy only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from verify.checks.aggregate import aggregate, settle_stance, stale_figures, superseding_side
from verify.checks.refutation import (
    complement_agreement,
    contradiction_cue,
    names_all,
    unmentioned_names,
)
from verify.config import VerdictSettings
from verify.quantities import align_quantities, counts_other_thing, extract_quantities
from verify.types import EvidenceAssessment, PassageRef, QuantityAlignment

VS = VerdictSettings()


def _ev(pid: int, stance: str, text: str, day: dt.date, alignments: tuple[QuantityAlignment, ...],
        reason: str = "") -> EvidenceAssessment:
    passage = PassageRef(pid, pid, 0, text, 0, len(text), "t", None, f"outlet{pid}.com", day, "en")
    p = (0.9, 0.05, 0.05) if stance == "supports" else (0.05, 0.9, 0.05)
    return EvidenceAssessment(
        passage=passage, rank=pid, stance=stance, p_supports=p[0], p_refutes=p[1],  # type: ignore[arg-type]
        p_unrelated=p[2], model_stance=stance, reliability=0.9,  # type: ignore[arg-type]
        reliability_explanation="", relevance=0.9, weight=0.8, dense_score=None,
        lexical_score=None, fused_score=0.0, duplicate_of=None, alignments=alignments,
        refute_reason=reason)  # type: ignore[arg-type]


def _pair(claim: str, early: str, later: str, later_day: dt.date) -> list[EvidenceAssessment]:
    return [_ev(1, "supports", early, dt.date(2023, 9, 22), tuple(align_quantities(claim, early))),
            _ev(2, "refutes", later, later_day, tuple(align_quantities(claim, later)), "figure")]


# ------------------------------------------------------------------ later reports
def test_a_later_report_supersedes_only_when_it_says_the_figure_changed():
    claim = "The factory fire killed three workers"
    changed = _pair(claim, "The fire killed three workers.",
                    "The number of workers killed has risen to seven.", dt.date(2023, 9, 25))
    silent = _pair(claim, "The fire killed three workers.",
                   "The fire killed seven workers, police said.", dt.date(2023, 9, 25))
    sides = lambda ev: ([(0.7, ev[0])], [(0.7, ev[1])])  # noqa: E731
    assert superseding_side(*sides(changed), VS) == "refutes"
    assert superseding_side(*sides(silent), VS) is None
    assert aggregate(changed, VS).verdict == "REFUTED"
    assert aggregate(silent, VS).verdict == "CONFLICTING"


def test_a_report_a_month_or_more_later_supersedes_without_a_word_of_change():
    claim = "The factory fire killed three workers"
    later = _pair(claim, "The fire killed three workers.",
                  "The fire killed seven workers, police said.", dt.date(2023, 11, 1))
    assert superseding_side([(0.7, later[0])], [(0.7, later[1])], VS) == "refutes"
    never = replace(VS, supersede_after_days=10_000)
    assert superseding_side([(0.7, later[0])], [(0.7, later[1])], never) is None


def test_a_report_years_older_than_the_rest_speaks_of_its_own_time():
    claim = "Castellan shares rose 4% after the job cuts were announced"
    rows = [tuple(align_quantities(claim, "Shares rose 6% on the news.")), ()]
    assert rows[0][0].status == "mismatch"
    out = stale_figures(rows, [dt.date(2021, 3, 15), dt.date(2025, 2, 6)])
    assert out[0][0].status == "different_scope" and "2021" in out[0][0].note
    assert stale_figures(rows, [dt.date(2025, 1, 15), dt.date(2025, 2, 6)])[0][0].status == "mismatch"


# ------------------------------------------------------------------ figures
def test_the_same_number_for_another_counted_thing_does_not_support():
    claim = "412,000 children were vaccinated in the first eight weeks"
    rows = align_quantities(claim, "The campaign has given about 412,000 doses in its first eight weeks.")
    other = [a for a in rows if counts_other_thing(a)]
    assert other and other[0].note.startswith("the passage gives this number for another")
    stance, _, note = settle_stance((0.8, 0.1, 0.1), rows, claim, "given about 412,000 doses",
                                    0.1, True, VS, True)
    assert stance == "unrelated" and "another counted thing" in note


def test_times_of_day_are_figures_of_their_own():
    claim = "The car bomb went off at about 21:30"
    assert [(q.kind, q.value) for q in extract_quantities(claim)] == [("clock", 1290.0)]
    assert align_quantities(claim, "A car bomb exploded at about 21:30 on Thursday.")[0].status == "match"
    later = align_quantities(claim, "The explosion came shortly after 23:00, police said.")
    assert later[0].status == "mismatch"
    assert align_quantities(claim, "The bomb exploded at 9:15 pm.")[0].status == "match"


def test_an_approximation_said_to_three_digits_is_tight():
    claim = "Castellan employs 41,000 people"
    assert align_quantities(claim, "Castellan employs about 36,500 people.")[0].status == "mismatch"
    assert align_quantities("The prison held 330 inmates",
                            "The prison held about 300 inmates.")[0].status == "match"


def test_the_year_of_an_earlier_figure_is_not_the_current_figures():
    rows = align_quantities("Castellan currently employs 41,000 people",
                            "Castellan employs about 36,500 people, down from 41,000 in 2021.",
                            published=dt.date(2025, 2, 6))
    assert rows[0].status == "mismatch" and rows[0].evidence_text == "about 36,500"


def test_a_percentage_is_of_its_verbs_subject():
    claim = "Castellan shares rose 4% after the job cuts"
    assert align_quantities(claim, "Sales rose 4% to 701,000 vehicles.")[0].status == "unaligned"
    assert align_quantities(claim, "Shares rose 6% on the news.")[0].status == "mismatch"
    assert align_quantities("Unemployment rose 4% last year",
                            "The unemployment rate rose 4% in 2023.")[0].status == "match"


def test_a_figure_whose_noun_is_left_out_carries_the_noun_before_it():
    rows = align_quantities("Five of the people injured were seriously hurt",
                            "Twenty-three people were injured, five of them seriously.")
    assert rows[0].status == "match" and rows[0].evidence_unit == "people"


# ------------------------------------------------------------------ words
def test_a_negated_claim_said_with_the_opposite_word_agrees():
    claim = "Castellan's Ashford plant will not close"
    assert complement_agreement(claim, "The Ashford plant will stay open.") == "not close = open"
    assert contradiction_cue(claim, "The Ashford plant will stay open.") is None
    # gradable opposites are not complements: "did not rise" is not "fell"
    assert complement_agreement("Prices did not rise", "Prices fell in May.") is None


def test_an_affirmative_sentence_about_another_subject_does_not_deny_a_negated_claim():
    claim = "Castellan's Ashford plant will not close"
    other = "ASHFORD (Meridian Wire) - Castellan will close its engine plant in Brenton."
    assert not names_all(claim, other)
    assert contradiction_cue(claim, other) is None
    assert contradiction_cue(claim, "Castellan will close the Ashford plant in June.") == ("negation", "not")


def test_names_and_dates_no_passage_mentions():
    texts = ["Uptake in Calder has been slower in rural areas.", "The campaign began in March 2024."]
    assert unmentioned_names("Uptake in Calder has been lowest in the Fenwick district", texts) == ("Fenwick",)
    assert unmentioned_names("The Calder campaign will end in December 2024", texts) == ("december 2024",)
    # acronyms may be spelt out; a name a letter away is a misspelling of the same name
    assert unmentioned_names("CKD raises the risk", ["Chronic kidney disease raises it."]) == ()
    assert unmentioned_names("Adoption of the Hub vaccine", ["Adoption of the Hib vaccine"]) == ()


def test_the_model_cannot_refute_a_claim_on_a_name_no_passage_mentions():
    claim = "Uptake has been lowest in the Fenwick district"
    sentence = "The campaign was launched after Calder recorded 1,900 cases."
    stance, reason, note = settle_stance((0.1, 0.85, 0.05), (), claim, sentence, 0.9, False, VS,
                                         True, ("Fenwick",))
    assert (stance, reason) == ("unrelated", "") and "Fenwick" in note
    stance, reason, _ = settle_stance((0.1, 0.85, 0.05), (), claim, sentence, 0.9, False, VS, True, ())
    assert (stance, reason) == ("refutes", "model")


def test_the_evidence_cap_per_source_lets_other_sources_in():
    from verify.retrieval import evidence_search
    from verify.types import SearchHit

    def hit(pid: int, domain: str | None) -> SearchHit:
        ref = PassageRef(pid, pid // 10, pid, f"p{pid}", 0, 3, None, None, domain, None, "en")
        return SearchHit(passage=ref, rank=pid, dense_score=0.5, lexical_score=0.5, fused_score=1.0 / pid)

    pool = [hit(1, "thread.x"), hit(2, "thread.x"), hit(3, "thread.x"), hit(4, "wire.com"),
            hit(5, None), hit(6, None), hit(7, None)]

    class Stub:
        def search(self, claim: str, k: int = 10, filters: object = None) -> list[SearchHit]:
            return pool[:k]

    capped = evidence_search(Stub(), "claim", 4, None, per_source=2)  # type: ignore[arg-type]
    assert [h.passage.passage_id for h in capped] == [1, 2, 4, 5]
    assert [h.rank for h in capped] == [1, 2, 3, 4]
    assert [h.passage.passage_id for h in evidence_search(Stub(), "claim", 4)] == [1, 2, 3, 4]  # type: ignore[arg-type]


# ------------------------------------------------------------------ the claim's subject
def test_the_point_sentence_names_the_claims_subject():
    from verify.checks.pipeline import _point_text

    claim = "Castellan's Brenton plant will stay open"
    passage = ("Castellan Motors will close its engine plant in Brenton by the end of 2025. "
               "Another 600 jobs will be lost at the Ashford plant, which will stay open.")
    # more words in common with the Ashford sentence, but the claim is about Brenton
    assert _point_text(claim, passage).startswith("Castellan Motors will close")
    # a claim with no proper names keeps the sentence with most words in common
    assert _point_text("the plant will stay open", passage).startswith("Another 600 jobs")


def test_a_named_sentence_with_the_opposite_predicate_turns_a_models_support():
    import numpy as np

    from verify.checks.pipeline import _antonym_turned

    claim = "Castellan's Brenton plant will stay open"
    named = "Castellan will also close its engine plant in Brenton by the end of the year."
    other = "Castellan will also close its engine plant in Ashford by the end of the year."
    p = np.asarray([0.7, 0.2, 0.1])
    assert list(_antonym_turned(claim, named, p, ())) == [0.2, 0.7, 0.1]
    # another subject, or a claim without names: the model's reading stands
    assert list(_antonym_turned(claim, other, p, ())) == [0.7, 0.2, 0.1]
    assert list(_antonym_turned("the plant will stay open", named, p, ())) == [0.7, 0.2, 0.1]
    # a model that already reads it as refuting is left alone
    q = np.asarray([0.2, 0.7, 0.1])
    assert list(_antonym_turned(claim, named, q, ())) == [0.2, 0.7, 0.1]


def test_a_passage_about_another_subject_does_not_support_against_a_named_refutation():
    from verify.checks.pipeline import _unnamed_support_silenced

    claim = "Castellan's Brenton plant will stay open"
    texts = ["Castellan will close its engine plant in Brenton.",
             "The Ashford plant will stay open but drop its night shift."]
    settled = [("refutes", "antonym", ""), ("supports", "", "")]
    out = _unnamed_support_silenced(claim, texts, settled)  # type: ignore[arg-type]
    assert out[0] == ("refutes", "antonym", "")
    assert out[1][0] == "unrelated" and "does not name Brenton" in out[1][2]
    # without a named refutation the support stands (a passage may say "the plant")
    kept = _unnamed_support_silenced(claim, texts, [("unrelated", "", ""), ("supports", "", "")])  # type: ignore[arg-type]
    assert kept[1][0] == "supports"
    # nor against a refutation that is only the model's reading ("she" names no one)
    model_only = _unnamed_support_silenced(claim, texts, [("refutes", "model", ""), ("supports", "", "")])  # type: ignore[arg-type]
    assert model_only[1][0] == "supports"
