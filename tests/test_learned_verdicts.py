"""The verdict head a desk learns from its reviewed checks (fake models, real DuckDB)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import numpy as np
import pytest

from verify.checks.head import (
    VerdictHead,
    allowed_verdicts,
    apply_head,
    fit_verdict_head,
    head_features,
)
from verify.checks.pipeline import check_claim
from verify.checks.records import load_check
from verify.errors import InputError
from verify.types import CheckResult, EvidenceAssessment, PassageRef, Reliability, SearchHit

CLAIM = "IS-K killed 338 civilians in Pakistan since 2017"
CSIS = ("Since January 2017, IS-K has killed 338 civilians in Pakistan, according to a CSIS "
        "count of attacks claimed by the group.")


def _evidence(pid: int, stance: str, p: tuple[float, float, float], weight: float) -> EvidenceAssessment:
    passage = PassageRef(pid, pid, 0, f"passage {pid}", 0, 9, None, None, f"s{pid}.org", None, "en")
    return EvidenceAssessment(passage, pid, stance, *p, stance, 0.5, "test", weight, weight,  # type: ignore[arg-type]
                              0.5, None, 0.0, None)


def _result(support: float, refute: float, evidence: list[EvidenceAssessment],
            verdict: str = "NOT ENOUGH EVIDENCE") -> CheckResult:
    return CheckResult("chk_x", "a claim", verdict, 0.5, "rule reason", support, refute,  # type: ignore[arg-type]
                       tuple(evidence), (), (), {"stance_version": "t"}, dt.datetime(2026, 1, 1))


def _synthetic(label: str, rng: np.random.Generator) -> CheckResult:
    """A check whose evidence looks like ``label`` (with noise)."""
    w = float(rng.uniform(0.5, 0.9))
    if label == "SUPPORTED":
        ev = [_evidence(1, "supports", (0.8, 0.1, 0.1), w)]
        return _result(0.8 * w, 0.0, ev, "SUPPORTED")
    if label == "REFUTED":
        ev = [_evidence(1, "refutes", (0.1, 0.8, 0.1), w)]
        return _result(0.0, 0.8 * w, ev, "REFUTED")
    # NOT ENOUGH EVIDENCE: a weak supporting passage the rule still calls SUPPORTED
    ev = [_evidence(1, "supports", (0.55, 0.1, 0.35), w * 0.7)]
    return _result(0.55 * w * 0.7, 0.0, ev, "SUPPORTED")


def _dataset(n: int = 60, seed: int = 0) -> tuple[list[CheckResult], list[str]]:
    rng = np.random.default_rng(seed)
    labels = [("SUPPORTED", "REFUTED", "NOT ENOUGH EVIDENCE")[i % 3] for i in range(n)]
    return [_synthetic(lab, rng) for lab in labels], labels


def test_head_learns_what_the_rule_misses_and_says_so_in_cv() -> None:
    results, labels = _dataset()
    head = fit_verdict_head(results, labels, versions={"stance_version": "t"})
    assert head.n_reviews == 60 and head.label_counts == {
        "NOT ENOUGH EVIDENCE": 20, "REFUTED": 20, "SUPPORTED": 20}
    assert head.cv_head_f1 > 0.9 > head.cv_rule_f1   # the rule calls the weak ones SUPPORTED
    weak = _synthetic("NOT ENOUGH EVIDENCE", np.random.default_rng(5))
    verdict, posterior = head.decide(weak)
    assert verdict == "NOT ENOUGH EVIDENCE" and 0.5 < posterior <= 1.0


def test_head_only_picks_a_verdict_its_evidence_backs() -> None:
    results, labels = _dataset()
    head = fit_verdict_head(results, labels, versions={})
    # strong "supports" numbers but the passage carries no weight: nothing backs SUPPORTED
    ev = [_evidence(1, "supports", (0.9, 0.05, 0.05), 0.0)]
    lonely = _result(0.9, 0.0, ev)
    assert allowed_verdicts(lonely) == ("NOT ENOUGH EVIDENCE",)
    assert head.decide(lonely)[0] == "NOT ENOUGH EVIDENCE"


def test_a_head_without_the_verdict_the_evidence_allows_leaves_it_to_the_rule() -> None:
    rng = np.random.default_rng(1)
    labels = ["SUPPORTED", "REFUTED"] * 30              # this desk never said NEE
    head = fit_verdict_head([_synthetic(lab, rng) for lab in labels], labels, versions={})
    silent = _result(0.0, 0.0, [_evidence(1, "unrelated", (0.1, 0.1, 0.8), 0.6)])
    assert head.decide(silent) is None
    out = apply_head(silent, head)
    assert out.verdict == "NOT ENOUGH EVIDENCE" and out.rule_verdict is None
    assert out.confidence == silent.confidence and "so the rule decided" in out.reason


def test_head_round_trips_through_json() -> None:
    results, labels = _dataset()
    head = fit_verdict_head(results, labels, versions={"stance_version": "t"})
    again = VerdictHead.from_dict(json.loads(json.dumps(head.to_dict())))
    feats = head_features(results[0])
    assert again.posteriors(feats) == pytest.approx(head.posteriors(feats))
    assert again.fits({"stance_version": "t"}) is None
    assert "stance_version" in (again.fits({"stance_version": "other"}) or "")


def test_too_few_reviews_is_a_clear_error() -> None:
    results, labels = _dataset(12)
    with pytest.raises(InputError, match=r"at least 60 reviewed checks.*has 12"):
        fit_verdict_head(results, labels, versions={})
    results, labels = _dataset(40)
    with pytest.raises(InputError, match="at least two verdicts"):
        fit_verdict_head(results, ["SUPPORTED"] * 40, versions={})


def test_apply_head_keeps_the_rule_verdict_and_names_the_head() -> None:
    results, labels = _dataset()
    head = fit_verdict_head(results, labels, versions={})
    weak = _synthetic("NOT ENOUGH EVIDENCE", np.random.default_rng(7))
    out = apply_head(weak, head)
    assert out.verdict == "NOT ENOUGH EVIDENCE" and out.rule_verdict == "SUPPORTED"
    assert head.head_id in out.reason and "the rule said SUPPORTED" in out.reason
    assert out.model_versions["verdict_head"] == head.head_id
    assert out.decisive_passage_ids == ()


# ---------------------------------------------------------------- in a workspace
@pytest.fixture
def desk(ws, monkeypatch):
    """The ws fixture with one CSIS-like passage per check, its source's reliability set
    by the test: weak sources give the rule SUPPORTED verdicts a careful desk rejects."""
    state = {"reliability": 0.5}
    hit = SearchHit(PassageRef(1, 1, 0, CSIS, 0, len(CSIS), "doc", "https://csis.org/1",
                               "csis.org", None, "en"), 1, 0.5, 3.0, 1.0 / 61)
    monkeypatch.setattr(ws, "search", lambda claim, k=10, filters=None: [hit])
    monkeypatch.setattr(ws, "reliability", lambda domain: Reliability(
        domain or "", state["reliability"], "test rating"))
    return ws, state


def _review_history(ws, state, n: int = 60) -> None:
    """Check the claim against sources of rising reliability; the desk accepts SUPPORTED
    only from sources of reliability 0.6 or more."""
    for i in range(n):
        state["reliability"] = i / (n - 1)
        result = check_claim(ws, CLAIM)
        label = "SUPPORTED" if state["reliability"] >= 0.6 else "NOT ENOUGH EVIDENCE"
        ws.review(result.check_id, label, "amina")


def test_workspace_learns_activates_and_later_checks_use_the_head(desk, monkeypatch) -> None:
    ws, state = desk
    state["reliability"] = 0.3
    before = check_claim(ws, CLAIM, save=False)
    assert before.verdict == "SUPPORTED" and before.rule_verdict is None
    _review_history(ws, state)
    report = ws.learn_verdicts()
    assert report.activated and report.reviews_used == 60 and report.reviews_skipped == 0
    assert report.head.cv_head_f1 > report.head.cv_rule_f1
    assert "active" in report.why
    row = ws.db.execute("SELECT n_reviews, active, stance_version FROM verdict_heads").fetchone()
    assert row == (60, True, "test")
    state["reliability"] = 0.3
    after = check_claim(ws, CLAIM)
    assert after.verdict == "NOT ENOUGH EVIDENCE" and after.rule_verdict == "SUPPORTED"
    assert "learned head" in after.reason
    assert load_check(ws, after.check_id) == after          # stored as decided
    rule_only = ws.with_settings(verdict=replace(ws.settings.verdict, learned_head=False))
    monkeypatch.setattr(rule_only, "search", ws.search)
    monkeypatch.setattr(rule_only, "reliability", ws.reliability)
    assert check_claim(rule_only, CLAIM, save=False).verdict == "SUPPORTED"
    assert ws.forget_learned_verdicts() == 1
    assert check_claim(ws, CLAIM, save=False).verdict == "SUPPORTED"


def test_a_verdict_reviewed_too_rarely_is_left_out_and_said(desk) -> None:
    ws, state = desk
    _review_history(ws, state)
    state["reliability"] = 0.9
    for _ in range(2):
        ws.review(check_claim(ws, CLAIM).check_id, "CONFLICTING", "bo")
    report = ws.learn_verdicts()
    assert "CONFLICTING" not in report.head.labels and report.head.n_reviews == 60
    assert report.reviews_used == 62
    assert "left out, under 5 reviews each (the head never gives these): CONFLICTING 2" in report.why


def test_head_of_another_stance_model_is_not_used(desk, monkeypatch) -> None:
    from verify.stance import get_stance_model

    ws, state = desk
    _review_history(ws, state)
    ws.learn_verdicts(activate=True)
    monkeypatch.setattr(type(get_stance_model("fake")), "version", "test-2")
    state["reliability"] = 0.3
    result = check_claim(ws, CLAIM, save=False)
    assert result.verdict == "SUPPORTED" and result.rule_verdict is None
    assert "was not used (stance_version is 'test-2'" in result.reason
    with pytest.raises(InputError, match="none of the 60 reviewed checks"):
        ws.learn_verdicts()


def test_cli_learn_reports_and_refuses_cleanly(desk, monkeypatch, capsys) -> None:
    from click.testing import CliRunner

    import verify.cli as cli_module

    ws, state = desk
    monkeypatch.setattr(ws, "close", lambda: None)
    monkeypatch.setattr(cli_module, "open_workspace", lambda ctx, **kw: ws)
    runner = CliRunner()
    with pytest.raises(SystemExit) as stop:
        cli_module.main(["learn"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.startswith("error: a verdict head needs at least 60")
    assert "Traceback" not in err
    _review_history(ws, state)
    out = runner.invoke(cli_module.cli, ["learn", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["activated"] is True and data["reviews_used"] == 60
    off = runner.invoke(cli_module.cli, ["learn", "--off"])
    assert off.exit_code == 0 and "switched 1 learned head off" in off.output
