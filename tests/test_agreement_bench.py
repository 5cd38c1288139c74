"""The agreement benchmark's round trip for variants scored elsewhere: the pairs a run
dumps, scored into an .npz, are looked up exactly (a missing pair is an error)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def agreement():
    spec = importlib.util.spec_from_file_location("agreement_bench", ROOT / "benchmarks" / "agreement.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["agreement_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_dumped_pairs_come_back_with_their_scores(agreement, tmp_path: Path) -> None:
    pairs = [("claim one", "passage a"), ("claim two", "passage b"), ("claim one", "passage c")]
    agreement.write_pairs(tmp_path / "pairs.jsonl.gz", pairs)
    scores = np.asarray([[0.8, 0.1, 0.1], [0.1, 0.7, 0.2], [0.2, 0.2, 0.6]], dtype=np.float16)
    np.savez(tmp_path / "scored.npz", v1=scores, v2=scores[::-1])
    model = agreement.PrecomputedStance(tmp_path / "pairs.jsonl.gz", f"{tmp_path / 'scored.npz'}:v2")
    got = model.predict_batch(["claim two", "claim one"], ["passage b", "passage a"])
    np.testing.assert_allclose(got, scores[::-1][[1, 0]].astype(np.float32))
    assert model.version == "v2"
    with pytest.raises(SystemExit, match="missing"):
        model.predict_batch(["claim three"], ["passage a"])
    with pytest.raises(SystemExit, match="no scores for variant"):
        agreement.PrecomputedStance(tmp_path / "pairs.jsonl.gz", f"{tmp_path / 'scored.npz'}:v9")


def test_scorer_records_every_pair_it_is_asked(agreement, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(agreement, "ARTIFACTS", tmp_path)
    agreement.write_pairs(tmp_path / "p.jsonl.gz", [("c", "e1"), ("c", "e2")])
    np.savez(tmp_path / "s.npz", v=np.eye(3, dtype=np.float32)[:2])
    scorer = agreement.StanceScorer("unused", agreement.PrecomputedStance(
        tmp_path / "p.jsonl.gz", str(tmp_path / "s.npz")))
    out = scorer.probs(["c", "c", "c"], ["e2", "e1", "e2"])
    assert out.argmax(1).tolist() == [1, 0, 1]
    assert list(scorer.asked.values()) == [("c", "e2"), ("c", "e1")]


def test_the_cached_scorer_serves_a_whole_check(agreement, tmp_path: Path, monkeypatch) -> None:
    """The benchmark's cached scorer is a ``StanceModel``: the library's check asks it
    through the views (each distinct pair once) and gets the cached answers back."""
    from tests.conftest import FakeStanceModel

    monkeypatch.setattr(agreement, "ARTIFACTS", tmp_path)
    scorer = agreement.StanceScorer("unused", FakeStanceModel())
    claim = "IS-K killed 338 civilians in Pakistan."
    passage = ("IS-K killed 338 civilians in Pakistan, officials said. "
               "The toll was confirmed on Monday.")
    res = agreement.full_check(claim, [agreement._hit(0, passage, 0.8)], scorer, None,
                               _settings(), agreement._default_reliability)
    assert res.verdict == "SUPPORTED"
    assert len(scorer.asked) == 2          # the passage and its focus sentence


def _settings() -> Any:
    from verify.config import Settings

    return Settings()


def _checked(label: str, rng: np.random.Generator) -> Any:
    """A checked claim whose one passage clearly takes ``label``'s side (or none)."""
    import datetime as dt

    from verify.types import CheckResult, EvidenceAssessment, PassageRef

    p = {"SUPPORTS": (0.85, 0.05, 0.1), "REFUTES": (0.05, 0.85, 0.1),
         "NOT_ENOUGH_INFO": (0.1, 0.1, 0.8)}[label]
    stance = {"SUPPORTS": "supports", "REFUTES": "refutes", "NOT_ENOUGH_INFO": "unrelated"}[label]
    w = float(rng.uniform(0.6, 0.9))
    ev = EvidenceAssessment(PassageRef(1, 1, 0, "t", 0, 1, None, None, "d.org", None, "en"), 1,
                            stance, *p, stance, 0.5, "x", w, w, 0.5, None, 0.0, None)
    sup = w * p[0] if stance == "supports" else 0.0
    ref = w * p[1] if stance == "refutes" else 0.0
    return CheckResult("c", "claim", "NOT ENOUGH EVIDENCE", 0.5, "r", sup, ref, (ev,), (), (), {},
                       dt.datetime(2026, 1, 1))


def test_one_pooled_head_is_scored_on_every_set(agreement) -> None:
    S, R, N = agreement.S, agreement.R, agreement.N
    rng = np.random.default_rng(0)

    def rows(labels, n):
        gold = [labels[i % len(labels)] for i in range(n)]
        fit = [i % 5 < 2 for i in range(n)]
        return [_checked(g, rng) for g in gold], gold, fit, sorted(labels)

    sets = {"a (claims)": rows([S, R, N], 90), "b (claims)": rows([S, R], 60),
            "c (3-class)": rows([S, R], 30)}
    got = agreement.score_pooled_head(sets, ["a (claims)", "b (claims)"])
    assert set(got) == set(sets)                      # scored on every set, fitted on two
    assert all(v == pytest.approx(1.0) for v in got.values()), got  # separable: all right
    results, gold, fit, labels = sets["a (claims)"]
    f1, _, switched_on = agreement.score_head(results, gold, fit, labels)
    assert f1 == pytest.approx(1.0) and switched_on


def test_head_learning_curve_uses_only_n_reviews(agreement) -> None:
    S, R, N = agreement.S, agreement.R, agreement.N
    rng = np.random.default_rng(3)
    gold = [(S, R, N)[i % 3] for i in range(400)]
    fit = [i % 5 < 2 for i in range(400)]                    # 160 fitting-part reviews
    curve = agreement.head_by_reviews([_checked(g, rng) for g in gold], gold, fit, [N, R, S],
                                      rule_f1=0.25)
    assert sorted(curve) == [30, 60, 120]                    # all is not a sample
    for head_f1, desk_f1, switched_on in curve.values():
        assert head_f1 == pytest.approx(1.0) and switched_on == 5 and desk_f1 == pytest.approx(1.0)


def test_the_ceiling_row_reads_the_gold_evidence_as_the_stance(agreement) -> None:
    gold = agreement.GoldStance()
    gold.set_claim({"label": "SUPPORTED", "evidence": [
        {"text": "Drug X lowered  the risk."},
        {"text": "Trial B found no effect.", "label": "REFUTES"}]})
    probs = gold.predict_distinct(
        ["c"] * 3, ["Methods. Drug X lowered the risk. More.", "Trial B found no effect.",
                    "An unrelated sentence."])
    assert probs.argmax(1).tolist() == [0, 1, 2]
    gold.set_claim({"label": "NOT_ENOUGH_INFO", "evidence": []})
    assert gold.predict_batch(["c"], ["Drug X lowered the risk."]).argmax(1).tolist() == [2]
