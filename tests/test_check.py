"""check_claim end to end with fake models and constructed retrieval hits."""

from __future__ import annotations

import json

import pytest

from verify.checks.pipeline import _reliability, check_claim, check_claims, match_spans
from verify.checks.records import list_checks, load_check, review_check
from verify.errors import InputError
from verify.types import PassageRef, Reliability, SearchHit

CSIS = ("Since January 2017, IS-K has killed 338 civilians in Pakistan, according to a CSIS "
        "count of attacks claimed by the group.")
WIRE = ("Since January 2017, IS-K has killed 338 civilians in Pakistan, according to a CSIS "
        "count of attacks claimed by the group.")
BLOG = "IS-K has killed more than 3,000 civilians in Pakistan since 2017, a blog claims."
OTHER = "The weather in Lisbon was sunny and warm for most of the spring season."


def _hit(pid: int, text: str, domain: str, *, doc: int | None = None, rank: int | None = None):
    passage = PassageRef(pid, doc if doc is not None else pid, 0, text, 0, len(text),
                         f"doc {pid}", f"https://{domain}/{pid}", domain, None, "en")
    return SearchHit(passage, rank if rank is not None else pid, 0.5, 3.0, 1.0 / (60 + pid))


RELIABILITY = {"csis.org": 0.9, "apnews.com": 0.85, "wire.example": 0.85, "blog.example": 0.2,
               "weather.example": 0.6}


@pytest.fixture
def stub(ws, monkeypatch):
    """The ws fixture with retrieval and reliability replaced by constructed values."""
    hits: list[SearchHit] = []
    monkeypatch.setattr(ws, "search", lambda claim, k=10, filters=None: hits[:k])
    monkeypatch.setattr(ws, "reliability", lambda domain: Reliability(
        domain or "", RELIABILITY.get(domain or "", 0.5), "test rating"))
    return ws, hits


def test_matching_figures_support(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org"), _hit(2, OTHER, "weather.example")]
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")
    assert result.verdict == "SUPPORTED"
    assert result.decisive_passage_ids == (1,)
    top = result.evidence[0]
    assert top.alignments[0].status == "match"
    assert top.weight > result.evidence[1].weight
    assert result.evidence[1].stance == "unrelated"
    assert "338" in result.reason and "csis.org" in result.reason
    assert 0.0 <= result.confidence <= 1.0


def test_numeric_override_refutes_an_inflated_claim(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org")]
    result = check_claim(ws, "IS-K killed more than 3,000 civilians in Pakistan since 2017")
    assert result.verdict == "REFUTED"
    e = result.evidence[0]
    assert e.alignments[0].status == "mismatch"
    assert e.stance == "refutes"
    assert "3,000" in result.reason


def test_model_support_without_figures_is_overridden_by_mismatch(stub, monkeypatch):
    """The fake stance model says supports (same wording) but the figures differ."""
    ws, hits = stub
    text = "The Jalalabad prison held about 1,700 prisoners before the attack."
    hits += [_hit(1, text, "apnews.com")]
    result = check_claim(ws, "The Jalalabad prison held 17,000 prisoners before the attack")
    assert result.evidence[0].alignments[0].status == "mismatch"
    assert result.verdict == "REFUTED"


def test_reliable_disagreement_is_conflicting(stub):
    ws, hits = stub
    hits += [_hit(1, "Officials said the bridge was closed on Monday for repairs.", "csis.org"),
             _hit(2, "Officials said the bridge was not closed on Monday for repairs.", "apnews.com")]
    result = check_claim(ws, "Officials said the bridge was closed on Monday for repairs")
    assert result.verdict == "CONFLICTING"
    assert {e.stance for e in result.evidence} == {"supports", "refutes"}


def test_unrelated_corpus_gives_not_enough_evidence(stub):
    ws, hits = stub
    hits += [_hit(1, OTHER, "weather.example"), _hit(2, CSIS, "csis.org")]
    result = check_claim(ws, "The Eiffel Tower was repainted green in 2019")
    assert result.verdict == "NOT ENOUGH EVIDENCE"
    assert result.decisive_passage_ids == ()


def test_empty_corpus_gives_not_enough_evidence(stub):
    ws, _hits = stub
    result = check_claim(ws, "IS-K killed 338 civilians")
    assert result.verdict == "NOT ENOUGH EVIDENCE" and result.evidence == ()


def test_near_duplicate_wire_copy_does_not_count_twice(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org"), _hit(2, WIRE, "wire.example")]
    claim = "IS-K killed 338 civilians in Pakistan since 2017"
    both = check_claim(ws, claim)
    assert both.evidence[1].duplicate_of == 1
    assert both.evidence[1].weight < both.evidence[0].weight
    hits.pop()
    alone = check_claim(ws, claim)
    assert both.support_score == pytest.approx(alone.support_score)


def test_same_document_passages_are_discounted(stub):
    ws, hits = stub
    second = CSIS.replace("according to a CSIS count", "as counted by CSIS researchers")
    hits += [_hit(1, CSIS, "csis.org", doc=7), _hit(2, second, "csis.org", doc=7)]
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")
    assert result.evidence[1].duplicate_of == 1


def test_unreliable_source_weighs_less(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org"), _hit(2, CSIS + " ", "blog.example", rank=2)]
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017", save=False)
    by_domain = {e.passage.domain: e for e in result.evidence}
    assert by_domain["blog.example"].reliability == 0.2
    assert by_domain["csis.org"].duplicate_of is None


def test_spans_point_at_claim_words_and_figures():
    claim = "IS-K killed 338 civilians in Pakistan"
    spans = match_spans(claim, CSIS)
    words = {CSIS[s:e] for s, e in spans}
    assert any("338" in w for w in words)
    assert any("Pakistan" in w for w in words)
    assert all(CSIS[s:e].strip() for s, e in spans)


def test_saved_rows_reproduce_the_result(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org"), _hit(2, OTHER, "weather.example")]
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")
    again = load_check(ws, result.check_id)
    assert again == result
    rows = ws.db.execute("SELECT evidence_rank, passage_id, stance, weight, numeric_alignment "
                         "FROM check_evidence WHERE check_id = ? ORDER BY evidence_rank",
                         [result.check_id]).fetchall()
    assert [(r[1], r[2]) for r in rows] == [(e.passage.passage_id, e.stance) for e in result.evidence]
    assert json.loads(rows[0][4])[0]["status"] == "match"
    versions = json.loads(ws.db.execute("SELECT model_versions FROM checks WHERE check_id = ?",
                                        [result.check_id]).fetchone()[0])
    assert versions["stance_model"] == "fake-stance" and "calibrator" in versions
    listed = list_checks(ws, query="338")
    assert listed[0]["check_id"] == result.check_id and listed[0]["reviewed_verdict"] is None
    assert list_checks(ws, query="Eiffel") == []


def test_save_false_stores_nothing(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org")]
    check_claim(ws, "IS-K killed 338 civilians", save=False)
    assert ws.db.execute("SELECT count(*) FROM checks").fetchone()[0] == 0


def test_review_validates_and_appends(stub):
    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org")]
    result = check_claim(ws, "IS-K killed 338 civilians in Pakistan since 2017")
    vid = review_check(ws, result.check_id, "not enough evidence", "amina", "needs a second source")
    vid2 = ws.review(result.check_id, "SUPPORTED", "bo")
    assert vid != vid2
    rows = ws.db.execute("SELECT verdict, machine_verdict, reviewer FROM verdicts "
                         "ORDER BY created_at").fetchall()
    assert rows[0] == ("NOT ENOUGH EVIDENCE", result.verdict, "amina")
    assert list_checks(ws)[0]["reviewed_verdict"] in ("SUPPORTED", "NOT ENOUGH EVIDENCE")
    with pytest.raises(InputError, match="unknown verdict"):
        review_check(ws, result.check_id, "MOSTLY TRUE", "amina")
    with pytest.raises(InputError, match="no check"):
        review_check(ws, "chk_missing", "SUPPORTED", "amina")
    with pytest.raises(InputError, match="reviewer"):
        review_check(ws, result.check_id, "SUPPORTED", " ")


def test_bad_input_is_an_input_error(stub):
    ws, _ = stub
    with pytest.raises(InputError):
        check_claim(ws, "   ")
    with pytest.raises(InputError):
        check_claim(ws, "a claim", k=0)
    with pytest.raises(InputError):
        load_check(ws, "chk_nope")


def test_reliability_falls_back_only_when_the_module_is_missing(ws, monkeypatch):
    def missing(domain):
        raise ImportError("no module named verify.sources")

    monkeypatch.setattr(ws, "reliability", missing)
    assert _reliability(ws, "csis.org").value == 0.5

    def broken(domain):
        raise ValueError("real bug")

    monkeypatch.setattr(ws, "reliability", broken)
    with pytest.raises(ValueError):
        _reliability(ws, "csis.org")


def test_cli_check_json_and_review(stub, monkeypatch):
    from click.testing import CliRunner

    import verify.cli as cli_module

    ws, hits = stub
    hits += [_hit(1, CSIS, "csis.org")]
    monkeypatch.setattr(ws, "close", lambda: None)
    monkeypatch.setattr(cli_module, "open_workspace", lambda ctx, **kw: ws)
    runner = CliRunner()
    out = runner.invoke(cli_module.cli, ["check", "IS-K killed 338 civilians in Pakistan since 2017",
                                         "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["verdict"] == "SUPPORTED" and data["evidence"][0]["alignments"][0]["status"] == "match"
    text = runner.invoke(cli_module.cli, ["check", "IS-K killed more than 3,000 civilians in "
                                          "Pakistan since 2017"])
    assert text.exit_code == 0, text.output
    assert "REFUTED" in text.output and "mismatch" in text.output and "csis.org" in text.output
    rev = runner.invoke(cli_module.cli, ["review", data["check_id"], "--verdict", "REFUTED",
                                         "--by", "amina", "--note", "checked"])
    assert rev.exit_code == 0, rev.output
    assert "recorded vrd_" in rev.output
    bad = runner.invoke(cli_module.cli, ["review", data["check_id"], "--verdict", "maybe",
                                         "--by", "amina"])
    assert bad.exit_code != 0


def test_focus_sentence_is_scored_and_blended():
    from verify.checks.views import focus_sentence, score_stance

    passage = ("IS-K has killed 338 civilians in Pakistan since January 2017, according to CSIS. "
               "The Taliban denied any role in the attack.")
    claim = "IS-K killed 338 civilians in Pakistan since 2017"
    assert focus_sentence(claim, passage).startswith("IS-K has killed 338")
    assert focus_sentence(claim, "One sentence only about 338 civilians.") is None

    from verify.stance.base import StanceModel

    class Recorder(StanceModel):
        def __init__(self):
            self.seen = []

        def predict_batch(self, claims, evidence):
            self.seen.append(list(evidence))
            import numpy as np
            # whole passages look refuting (the denial), the focus sentence supporting
            return np.asarray([[0.1, 0.8, 0.1] if "denied" in e else [0.9, 0.05, 0.05]
                               for e in evidence])

    model = Recorder()
    probs = score_stance(model, claim, [passage], 0.5)
    assert len(model.seen) == 1 and len(model.seen[0]) == 2  # one batch: passage + sentence
    assert probs[0][0] == pytest.approx(0.5) and probs[0][1] == pytest.approx(0.425)
    only_passage = score_stance(Recorder(), claim, [passage], 0.0)
    assert only_passage[0][1] == pytest.approx(0.8)


def test_check_claims_in_one_batch_equals_one_by_one(ws, monkeypatch):
    """Each claim keeps its own evidence and verdict when checked together."""
    by_claim = {
        "IS-K killed 338 civilians in Pakistan since 2017":
            [_hit(1, CSIS, "csis.org"), _hit(2, OTHER, "weather.example")],
        "IS-K killed more than 3,000 civilians in Pakistan since 2017":
            [_hit(1, CSIS, "csis.org")],
        "The Eiffel Tower was repainted green in 2019": [_hit(2, OTHER, "weather.example")],
    }
    monkeypatch.setattr(ws, "search", lambda claim, k=10, filters=None: by_claim[claim][:k])
    monkeypatch.setattr(ws, "reliability", lambda domain: Reliability(
        domain or "", RELIABILITY.get(domain or "", 0.5), "test rating"))
    claims = list(by_claim)
    together = check_claims(ws, claims, save=False)
    alone = [check_claim(ws, c, save=False) for c in claims]
    assert [r.claim for r in together] == claims
    assert [r.verdict for r in together] == [r.verdict for r in alone]
    assert [r.verdict for r in together][:2] == ["SUPPORTED", "REFUTED"]
    for a, b in zip(together, alone, strict=True):
        assert [(e.passage.passage_id, e.stance, round(e.p_supports, 6)) for e in a.evidence] == \
            [(e.passage.passage_id, e.stance, round(e.p_supports, 6)) for e in b.evidence]


def test_check_claims_rejects_an_empty_claim_before_any_work(ws):
    with pytest.raises(InputError, match="empty"):
        check_claims(ws, ["IS-K killed 338 civilians", "  "])


def test_a_negated_claim_says_it_was_turned_round(stub, monkeypatch):
    from dataclasses import replace

    from verify.config import VerdictSettings

    ws, hits = stub
    hits += [_hit(1, "The government closed all of its military bases last year.", "apnews.com")]
    claim = "The government was not closing its military bases last year."
    turned = check_claim(ws, claim)
    assert 'scored as "The government was closing its military bases last year."' in turned.reason
    assert turned.verdict == "REFUTED" and turned.evidence[0].p_refutes > 0.5
    assert "turned round" not in check_claim(ws, "The government closed its bases last year.").reason
    monkeypatch.setattr(ws, "settings", replace(ws.settings, verdict=VerdictSettings(negation_view=False)))
    assert "turned round" not in check_claim(ws, claim).reason
