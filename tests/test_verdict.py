"""Aggregation rules with constructed evidence: no models, no database."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from verify.checks.aggregate import (
    aggregate,
    decide,
    final_stance,
    independence_factors,
    numeric_adjust,
    relevance_from_scores,
)
from verify.checks.calibration import Calibrator, expected_calibration_error, fit_calibrator
from verify.config import VerdictSettings
from verify.types import EvidenceAssessment, PassageRef, QuantityAlignment

VS = VerdictSettings()


def _evidence(pid: int, stance: str, p: tuple[float, float, float], *, weight: float = 0.8,
              relevance: float = 0.9, reliability: float = 0.8, domain: str = "csis.org",
              duplicate_of: int | None = None, alignments=()) -> EvidenceAssessment:
    passage = PassageRef(pid, pid, 0, f"passage {pid}", 0, 10, "t", None, domain, None, "en")
    return EvidenceAssessment(
        passage=passage, rank=pid, stance=stance, p_supports=p[0], p_refutes=p[1],
        p_unrelated=p[2], model_stance=stance, reliability=reliability,
        reliability_explanation="", relevance=relevance, weight=weight, dense_score=None,
        lexical_score=None, fused_score=0.0, duplicate_of=duplicate_of, alignments=alignments)


def _mismatch(strong: bool = True) -> QuantityAlignment:
    return QuantityAlignment("more than 3,000", 3000.0, "civilian" if strong else None, (0, 15),
                             "338", 338.0, "civilian", (10, 13), "mismatch")


def _match() -> QuantityAlignment:
    return QuantityAlignment("338", 338.0, "civilian", (0, 3), "338", 338.0, "civilian",
                             (10, 13), "match")


def test_strong_support_is_supported_and_names_its_source():
    agg = aggregate([_evidence(1, "supports", (0.9, 0.05, 0.05))], VS)
    assert agg.verdict == "SUPPORTED"
    assert agg.decisive_passage_ids == (1,)
    assert "csis.org" in agg.reason


def test_strong_refutation_is_refuted():
    agg = aggregate([_evidence(1, "refutes", (0.05, 0.9, 0.05)),
                     _evidence(2, "unrelated", (0.1, 0.1, 0.8))], VS)
    assert agg.verdict == "REFUTED"
    assert agg.refute_score > agg.support_score


def test_reliable_sources_disagreeing_is_conflicting():
    refuting = dataclasses.replace(_evidence(2, "refutes", (0.05, 0.9, 0.05), domain="b.org"),
                                   refute_reason="figure")
    agg = aggregate([_evidence(1, "supports", (0.9, 0.05, 0.05), domain="a.org"), refuting], VS)
    assert agg.verdict == "CONFLICTING"
    assert set(agg.decisive_passage_ids) == {1, 2}


def test_a_refutation_that_is_only_the_models_reading_does_not_make_conflicting():
    agg = aggregate([_evidence(1, "supports", (0.9, 0.05, 0.05), domain="a.org"),
                     _evidence(2, "refutes", (0.05, 0.9, 0.05), domain="b.org")], VS)
    assert agg.verdict == "SUPPORTED"
    assert "b.org reads against it, but states no differing figure" in agg.reason


def test_weak_or_unrelated_evidence_is_not_enough_evidence():
    weak = [_evidence(1, "supports", (0.6, 0.2, 0.2), weight=0.2, relevance=0.3),
            _evidence(2, "unrelated", (0.1, 0.1, 0.8))]
    assert aggregate(weak, VS).verdict == "NOT ENOUGH EVIDENCE"
    assert aggregate([], VS).verdict == "NOT ENOUGH EVIDENCE"


def test_duplicates_do_not_add_up_to_support():
    """Five copies of a weak passage must not beat the threshold that one fails."""
    single = _evidence(1, "supports", (0.7, 0.1, 0.2), weight=0.4)
    assert aggregate([single], VS).verdict == "NOT ENOUGH EVIDENCE"
    order = list(range(5))
    cos = np.ones((5, 5), dtype=np.float32)
    factors, dup_of = independence_factors(order, [1, 2, 3, 4, 5], [1, 2, 3, 4, 5],
                                           ["a.org", "b.org", "c.org", "d.org", "e.org"], cos, VS)
    assert dup_of == [None, 1, 1, 1, 1]
    copies = [_evidence(i + 1, "supports", (0.7, 0.1, 0.2), weight=0.4 * f, duplicate_of=d)
              for i, (f, d) in enumerate(zip(factors, dup_of, strict=True))]
    assert aggregate(copies, VS).verdict == "NOT ENOUGH EVIDENCE"
    independent = [_evidence(i + 1, "supports", (0.7, 0.1, 0.2), weight=0.4) for i in range(5)]
    assert aggregate(independent, VS).verdict == "SUPPORTED"


def test_same_document_and_same_source_are_discounted():
    cos = np.eye(3, dtype=np.float32)
    factors, dup_of = independence_factors([0, 1, 2], [10, 11, 12], [1, 1, 2],
                                           ["a.org", "a.org", "a.org"], cos, VS)
    assert dup_of == [None, 10, None]
    assert factors[0] == 1.0
    assert factors[1] == VS.same_document_discount
    assert factors[2] == pytest.approx(VS.same_source_discount)


def test_a_passage_that_takes_no_side_is_no_repeat_of_one_that_does():
    """Repeats are counted side by side: a paper's off-topic paragraph, visited first,
    must not discount the paragraph of it that confirms the claim, nor must a source's
    unrelated article discount its article that does."""
    cos = np.eye(4, dtype=np.float32)
    stances = ["unrelated", "supports", "unrelated", "supports"]
    factors, dup_of = independence_factors([0, 1, 2, 3], [10, 11, 12, 13], [1, 1, 2, 3],
                                           [None, None, "a.org", "a.org"], cos, VS, stances)
    assert factors == [1.0, 1.0, 1.0, 1.0] and dup_of == [None] * 4
    same_side = ["supports"] * 4
    factors, dup_of = independence_factors([0, 1, 2, 3], [10, 11, 12, 13], [1, 1, 2, 3],
                                           [None, None, "a.org", "a.org"], cos, VS, same_side)
    assert dup_of == [None, 10, None, None]
    assert factors[1] == VS.same_document_discount
    assert factors[3] == pytest.approx(VS.same_source_discount)


def test_numeric_mismatch_overrides_a_supporting_model():
    probs, note = numeric_adjust([0.85, 0.05, 0.10], [_mismatch()], 0.9, VS)
    assert final_stance(probs, VS) == "refutes"
    assert probs[1] >= VS.numeric_mismatch_weight - 1e-9
    assert "3,000" in note and "338" in note
    assert probs.sum() == pytest.approx(1.0)


def test_numeric_match_strengthens_support_but_not_against_a_refuting_model():
    probs, _ = numeric_adjust([0.45, 0.05, 0.50], [_match()], 0.9, VS)
    assert final_stance(probs, VS) == "supports"
    refuting, _ = numeric_adjust([0.1, 0.8, 0.1], [_match()], 0.9, VS)
    assert final_stance(refuting, VS) == "refutes"


def test_figures_about_another_time_are_not_a_contradiction():
    scoped = QuantityAlignment("800", 800.0, "fighter", (0, 3), "800", 800.0, "fighter",
                               (0, 3), "different_scope", "2016 vs 2018")
    probs, note = numeric_adjust([0.1, 0.6, 0.3], [scoped], 0.9, VS)
    assert final_stance(probs, VS) == "unrelated"
    assert "different time" in note


def test_irrelevant_passages_are_not_overridden():
    probs, note = numeric_adjust([0.05, 0.05, 0.9], [_mismatch()], 0.05, VS)
    assert final_stance(probs, VS) == "unrelated" and note == ""


def test_decide_thresholds_follow_settings():
    strict = VerdictSettings(min_support_mass=0.9)
    assert decide(0.6, 0.0, VS)[0] == "SUPPORTED"
    assert decide(0.6, 0.0, strict)[0] == "NOT ENOUGH EVIDENCE"


def test_relevance_combines_cosine_and_overlap():
    low = relevance_from_scores(0.05, 0.0, VS)
    high = relevance_from_scores(0.8, 1.0, VS)
    assert low == 0.0 and high == 1.0
    assert 0 < relevance_from_scores(0.45, 0.5, VS) < 1


def test_calibrator_fit_save_load_roundtrip(tmp_path):
    rng = np.random.default_rng(0)
    raw = rng.uniform(0, 1, 400)
    correct = (rng.uniform(0, 1, 400) < raw * 0.6).astype(int)  # over-confident raw scores
    verdicts = ["SUPPORTED"] * 400
    cal = fit_calibrator(verdicts, raw, correct, version="test")
    before = expected_calibration_error(list(raw), list(correct))
    after = expected_calibration_error([cal.predict(v, r) for v, r in zip(verdicts, raw, strict=True)],
                                       list(correct))
    assert after < before
    path = cal.save(tmp_path / "cal.json")
    loaded = Calibrator.load(path)
    assert loaded.predict("SUPPORTED", 0.7) == pytest.approx(cal.predict("SUPPORTED", 0.7))
    assert Calibrator.load(tmp_path / "missing.json").version == "identity"
