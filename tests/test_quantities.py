"""Figures: extraction (values, approximators, counted nouns, scope) and alignment."""

from __future__ import annotations

import pytest

from verify.quantities import align_quantities, extract_quantities, time_scopes


def _one(text: str):
    qs = extract_quantities(text)
    assert len(qs) == 1, [q.text for q in qs]
    return qs[0]


@pytest.mark.parametrize(
    ("text", "value", "unit", "direction"),
    [
        ("IS-K has killed 338 civilians in Pakistan", 338, "civilian", "eq"),
        ("They had roughly 800 fighters", 800, "fighter", "approx"),
        ("More than 1,000 prisoners tried to flee", 1000, "prisoner", "gt"),
        ("The US will close five bases", 5, "base", "eq"),
        ("It released 5,000 prisoners", 5000, "prisoner", "eq"),
        ("The fund holds $1.2 million", 1_200_000, "USD", "eq"),
        ("Turnout fell to 45% this time", 45, "%", "eq"),
        ("At least a dozen attacks were reported", 12, "attack", "ge"),
        ("Up to 300 detainees escaped", 300, "detainee", "le"),
        ("Fewer than twenty-five inmates remained", 25, "inmate", "lt"),
    ],
)
def test_extracts_value_unit_and_direction(text, value, unit, direction):
    q = _one(text)
    assert q.value == pytest.approx(value)
    assert q.unit == unit
    assert q.direction == direction
    assert text[q.span[0]:q.span[1]] == q.text


def test_years_and_dates_are_scope_not_figures():
    text = "Since January 2017, IS-K has killed 338 civilians; on Feb 29 2020 a deal was signed."
    qs = extract_quantities(text)
    assert [q.value for q in qs] == [338]
    scope = qs[0].scopes[0]
    assert (scope.relation, scope.year, scope.month) == ("since", 2017, 1)
    assert [s.year for s in time_scopes(text)] == [2017, 2020]


def test_a_year_that_counts_a_plural_noun_is_a_figure():
    assert _one("2000 fighters joined").value == 2000


def test_range_and_duration():
    q = _one("between 20 and 30 people were hurt")
    assert (q.low, q.high, q.direction) == (20, 30, "range")
    d = _one("The bases close within 135 days")
    assert (d.kind, d.unit, d.value) == ("duration", "day", 135)


def test_fraction_is_percent():
    q = _one("two-thirds of the staff left")
    assert q.unit == "%" and q.value == pytest.approx(66.67, rel=1e-3)


def test_identifiers_are_not_figures():
    assert extract_quantities("COVID-19 spread through the F-16 base") == []


SOURCE = ("Since January 2017, IS-K has killed 338 civilians in Pakistan, according to CSIS. "
          "A 2018 CSIS estimate put the group at about 800 fighters.")
PRISON = ("The Jalalabad prison held about 1,700 prisoners. More than 1,000 tried to flee "
          "and about 300 remain at large.")


@pytest.mark.parametrize(
    ("claim", "passage", "status"),
    [
        ("IS-K killed 338 civilians in Pakistan since 2017", SOURCE, "match"),
        ("IS-K killed more than 3,000 civilians in Pakistan since 2017", SOURCE, "mismatch"),
        ("CSIS estimated IS-K had roughly 800 fighters in 2018", SOURCE, "match"),
        ("CSIS estimated IS-K had 10,000 fighters in 2018", SOURCE, "mismatch"),
        ("CSIS estimated IS-K had 800 fighters in 2016", SOURCE, "different_scope"),
        ("The Jalalabad prison held 17,000 prisoners", PRISON, "mismatch"),
        ("The Jalalabad prison held 1,700 prisoners", PRISON, "match"),
        ("More than 1,000 prisoners tried to flee", "1,200 inmates tried to flee.", "match"),
        ("The US agreed to close five bases", "The US will close 5 bases in 135 days.", "match"),
    ],
)
def test_alignment_status(claim, passage, status):
    alignments = align_quantities(claim, passage)
    assert alignments, "the claim figure should be found"
    assert alignments[0].status == status, alignments[0]


def test_alignment_spans_point_at_the_figures():
    a = align_quantities("The Jalalabad prison held 17,000 prisoners", PRISON)[0]
    assert PRISON[a.evidence_span[0]:a.evidence_span[1]] == "about 1,700"
    assert a.claim_text == "17,000" and a.evidence_value == 1700


def test_unrelated_figures_stay_unaligned():
    a = align_quantities("IS-K had 800 fighters", "The deal was worth $5 billion.")
    assert [x.status for x in a] == ["unaligned"]


def test_since_month_precision_is_the_same_scope():
    a = align_quantities("338 civilians were killed since 2017",
                         "338 civilians were killed since January 2017")
    assert a[0].status == "match"


def test_different_counted_things_do_not_align():
    a = align_quantities("IS-K killed 338 civilians", "A bomb killed 5 soldiers in Kabul.")
    assert [x.status for x in a] == ["unaligned"]


@pytest.mark.parametrize("claim, passage", [
    ("Our average private sector employee pays 23 percent for their health care.",
     "Median state workers in Ohio make 24.6 percent more than their private counterparts."),
    ("90% of policemen are for expanding background checks to all gun sales.",
     "40 percent of gun sales occur without a background check."),
    ("The state received over 63 billion dollars of federal pandemic funding.",
     "The governor directed $67.5 million in funds to a new clinic."),
])
def test_percentages_and_sums_of_different_things_do_not_align(claim, passage):
    assert [x.status for x in align_quantities(claim, passage)] == ["unaligned"]


@pytest.mark.parametrize("claim, passage, status", [
    ("Unemployment fell to 4.5% in 2019.", "The unemployment rate was 4.5 percent in 2019.", "match"),
    ("Unemployment fell to 4.5% in 2019.", "The unemployment rate was 7 percent in 2019.", "mismatch"),
    ("The city spent $5 million on the bridge.", "The bridge cost the city $50 million.", "mismatch"),
    ("Inflation reached 9% in June.",
     "Consumer prices rose 9.1 percent in June, the highest inflation rate in decades.", "match"),
])
def test_percentages_and_sums_of_the_same_thing_align(claim, passage, status):
    assert [x.status for x in align_quantities(claim, passage)] == [status]


def test_a_decimal_point_does_not_end_the_sentence():
    q = extract_quantities("Prices rose 9.1 percent in 2022, the statistics office said.")[0]
    assert q.sentence_span == (0, 60)
    assert [s.year for s in q.scopes] == [2022]


def test_synonymous_nouns_align():
    a = align_quantities("IS-K caused 338 civilian deaths", "IS-K killed 338 civilians.")
    assert a[0].status == "match"
    b = align_quantities("The group had 800 fighters", "The group had about 800 militants.")
    assert b[0].status == "match"


def test_units_and_day_month_dates():
    qs = extract_quantities("The storm hit 40 km inland on 16 apr 2023 with 90 mph winds.")
    assert [(q.value, q.kind, q.unit) for q in qs] == [
        (40, "measure", "kilometre"), (90, "measure", "mile per hour")]


def test_a_year_in_an_earlier_sentence_scopes_the_figure():
    passage = "In early 2016, officials were worried. The group had between 1,000 and 3,000 fighters."
    a = align_quantities("CSIS estimated IS-K had roughly 800 fighters in 2018", passage)
    assert a[0].status == "different_scope"
