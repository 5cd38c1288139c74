"""The demo story checked with the real models (MiniLM, verify-stance, spaCy)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.real


@pytest.fixture(scope="module")
def demo_ws(real_ws):
    """The real demo workspace with the demo outlets' ratings imported (idempotent)."""
    try:
        from verify.demo import _ensure_demo_ratings

        _ensure_demo_ratings(real_ws)
    except (ImportError, AttributeError):  # ratings are optional for these checks
        pass
    return real_ws


@pytest.mark.parametrize(
    ("claim", "verdict"),
    [
        ("IS-K killed 338 civilians in Pakistan since 2017", "SUPPORTED"),
        ("IS-K killed more than 3,000 civilians in Pakistan since 2017", "REFUTED"),
        ("CSIS estimated IS-K had roughly 800 fighters in 2018", "SUPPORTED"),
        ("The Jalalabad prison held 17,000 prisoners", "REFUTED"),
        ("The Eiffel Tower was repainted green in 2019", "NOT ENOUGH EVIDENCE"),
    ],
)
def test_demo_claims(demo_ws, claim, verdict):
    result = demo_ws.check(claim, save=False)
    assert result.verdict == verdict, (result.reason, [
        (e.passage.domain, e.stance, round(e.weight, 2)) for e in result.evidence])
    assert 0.0 <= result.confidence <= 1.0
    if verdict != "NOT ENOUGH EVIDENCE":
        assert result.decisive_passage_ids
        decisive = [e for e in result.evidence if e.passage.passage_id in result.decisive_passage_ids]
        assert all(e.spans for e in decisive)


def test_inflated_figure_is_refuted_by_the_figure(demo_ws):
    result = demo_ws.check("IS-K killed more than 3,000 civilians in Pakistan since 2017", save=False)
    refuting = result.by_stance("refutes")
    assert any(a.status == "mismatch" and a.evidence_value == 338
               for e in refuting for a in e.alignments)


def test_syndicated_copy_is_not_a_second_confirmation(demo_ws):
    result = demo_ws.check("Afghan forces regained control of the Jalalabad prison after "
                           "about 20 hours of fighting", save=False)
    domains = {e.passage.domain: e for e in result.evidence}
    if {"globewire-news.com", "harbourtimes-online.com"} <= set(domains):
        dups = [e for e in result.evidence if e.duplicate_of is not None]
        assert dups, "the Harbour Times near-copy should be marked as a duplicate"


def test_saved_real_check_reopens(demo_ws):
    from verify.checks.records import load_check

    result = demo_ws.check("The Jalalabad prison held 17,000 prisoners")
    assert load_check(demo_ws, result.check_id) == result


def test_batched_checks_match_one_by_one(demo_ws):
    """check_claims (one stance batch, as audits use it) decides as check_claim does."""
    from verify.checks.pipeline import check_claim, check_claims

    claims = ["IS-K killed 338 civilians in Pakistan since 2017",
              "The Jalalabad prison held 17,000 prisoners",
              "The Eiffel Tower was repainted green in 2019"]
    batched = check_claims(demo_ws, claims, save=False)
    for claim, together in zip(claims, batched, strict=True):
        alone = check_claim(demo_ws, claim, save=False)
        assert together.claim == claim
        assert together.verdict == alone.verdict
        assert [e.passage.passage_id for e in together.evidence] == \
            [e.passage.passage_id for e in alone.evidence]
        for a, b in zip(together.evidence, alone.evidence, strict=True):
            assert a.stance == b.stance
            assert abs(a.p_supports - b.p_supports) < 0.03
            assert abs(a.p_refutes - b.p_refutes) < 0.03


def test_embedder_remembers_recent_texts_without_changing_vectors():
    """Audits embed a sentence for check-worthiness, then again as a claim: the second
    time is a memo hit with the same vector."""
    import numpy as np

    from verify.embedders import get_embedder

    emb = get_embedder("minilm")
    texts = ["IS-K killed 338 civilians in Pakistan.", "The prison held about 1,700 inmates."]
    first = emb.embed_many(texts)
    assert all(t in emb._memo for t in texts)
    again = emb.embed_batch([texts[1], texts[0], texts[1]])
    assert np.allclose(again, first[[1, 0, 1]])
    fresh = emb._encode([texts[0]], 1)[0]
    assert float(fresh @ first[0]) > 0.9999
    assert emb.embed_batch([]).shape == (0, emb.dimension)


def test_a_head_learned_from_real_reviews_decides_the_plain_cases(demo_ws):
    """verify learn on real checks: 30 reviewed checks of the demo story (the true figures
    SUPPORTED, changed ones REFUTED); the stored head is not switched on, and on a fresh
    check it keeps the true figure SUPPORTED and an inflated one REFUTED."""
    from verify.checks.head import VerdictHead, apply_head
    from verify.checks.learned import list_heads
    from verify.checks.pipeline import check_claims

    true = ["IS-K killed 338 civilians in Pakistan since 2017",
            "CSIS estimated IS-K had roughly 800 fighters in 2018",
            "The Jalalabad prison held 1,700 prisoners"]
    changed = [f"IS-K killed {n} civilians in Pakistan since 2017" for n in ("3,000", "1,200", "90")]
    changed += [f"CSIS estimated IS-K had roughly {n} fighters in 2018" for n in ("8,000", "20,000")]
    changed += [f"The Jalalabad prison held {n} prisoners" for n in ("17,000", "25,000", "300")]
    claims = true * 2 + changed * 3
    for result, claim in zip(check_claims(demo_ws, claims), claims, strict=True):
        demo_ws.review(result.check_id, "SUPPORTED" if claim in true else "REFUTED", "test desk")
    report = demo_ws.learn_verdicts(min_reviews=30, activate=False)
    head: VerdictHead = report.head
    assert not report.activated and report.reviews_used == 30
    assert head.label_counts == {"REFUTED": 24, "SUPPORTED": 6}
    assert 0.0 <= head.cv_rule_f1 <= 1.0 and 0.0 <= head.cv_head_f1 <= 1.0
    assert [h["active"] for h in list_heads(demo_ws) if h["head_id"] == head.head_id] == [False]
    fresh = check_claims(demo_ws, [true[0], changed[0]], save=False)
    assert fresh[0].rule_verdict is None                    # not switched on: the rule decided
    assert [apply_head(r, head).verdict for r in fresh] == ["SUPPORTED", "REFUTED"]
