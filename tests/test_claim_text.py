"""Claims cleaned of markup noise and refused in languages the models cannot read
(issue 20, items 1 and 2), through the real check pipeline with the fake models."""

from __future__ import annotations

import pytest

from verify.checks.claim_text import claim_language, normalise_claim
from verify.checks.pipeline import check_claim
from verify.checks.records import load_check
from verify.errors import InputError
from verify.types import PassageRef, Reliability, SearchHit

CSIS = "IS-K has killed 338 civilians in Pakistan since January 2017, according to CSIS."


@pytest.mark.parametrize(("noisy", "clean"), [
    ("IS-K killed 338 civilians in Pakistan[31]", "IS-K killed 338 civilians in Pakistan"),
    ("IS-K killed 338 civilians[31][32] in Pakistan", "IS-K killed 338 civilians in Pakistan"),
    ("IS-K killed 338 civilians in Pakistan[citation needed].", "IS-K killed 338 civilians in Pakistan."),
    ("IS-K killed 338 civilians in Pakistan\u00b3\u00b9", "IS-K killed 338 civilians in Pakistan"),
    ("\x1b[31mIS-K killed 338\x1b[0m civilians", "IS-K killed 338 civilians"),
    ("IS-K\u200b killed 338 civ\u00adilians", "IS-K killed 338 civilians"),
    ("IS-K killed 338 civilians &amp; 12 guards", "IS-K killed 338 civilians & 12 guards"),
    ("IS-K killed\x07 338\x00 civilians", "IS-K killed 338 civilians"),
])
def test_markup_noise_is_removed(noisy, clean):
    assert normalise_claim(noisy) == clean


def test_figures_in_a_claim_are_kept():
    assert normalise_claim("Turnout was 62% in [the] 2019 vote") == "Turnout was 62% in [the] 2019 vote"


@pytest.mark.parametrize(("claim", "language"), [
    ("IS-K killed 338 civilians in Pakistan since 2017", "en"),
    ("La Niña caused floods in the Pacific in 2011", "en"),
    ("Le prix du pain à Paris a augmenté de 338 pour cent depuis 2017", "fr"),
    ("ارتفع سعر الخبز في باريس بنسبة 338 بالمئة منذ 2017", "ar"),
    ("El precio del pan subió un 338 por ciento desde 2017", "es"),
    ("Цена хлеба выросла на 338 процентов", "ru"),
])
def test_claim_language(claim, language):
    assert claim_language(claim) == language


@pytest.fixture
def stub(ws, monkeypatch):
    """The ws fixture with one CSIS passage as the whole corpus."""
    passage = PassageRef(1, 1, 0, CSIS, 0, len(CSIS), "t", None, "csis.org", None, "en")
    monkeypatch.setattr(ws, "search", lambda claim, k=10, filters=None: [
        SearchHit(passage, 1, 0.9, 1.0, 1.0)])
    monkeypatch.setattr(ws, "reliability", lambda d: Reliability(d or "", 0.9, "test"))
    return ws


def test_a_footnote_marker_does_not_flip_the_verdict(stub):
    plain = check_claim(stub, "IS-K killed 338 civilians in Pakistan")
    noisy = check_claim(stub, "IS-K killed 338 civilians in Pakistan[31]")
    assert noisy.verdict == plain.verdict == "SUPPORTED"
    assert noisy.claim == "IS-K killed 338 civilians in Pakistan"
    assert noisy.claim_as_given == "IS-K killed 338 civilians in Pakistan[31]"
    assert "31" not in noisy.reason
    assert load_check(stub, noisy.check_id).claim_as_given == noisy.claim_as_given


def test_a_claim_in_another_language_gets_no_verdict_from_its_figures(stub):
    result = check_claim(stub, "ارتفع سعر الخبز في باريس بنسبة 338 بالمئة منذ 2017")
    assert result.verdict == "NOT ENOUGH EVIDENCE"
    assert result.language == "ar"
    assert "Arabic" in result.reason and "English only" in result.reason
    assert result.evidence == ()
    assert load_check(stub, result.check_id).language == "ar"


def test_a_claim_of_only_markup_is_refused(stub):
    with pytest.raises(InputError, match="no words"):
        check_claim(stub, "[31]\x1b[0m")
