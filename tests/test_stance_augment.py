"""Unit tests of the stance-training augmentation (no shared data, no models)."""

from __future__ import annotations

import random

from training import augment
from training.data import UNRELATED, Builder, Pair, bucket

CLAIM = "IS-K killed 338 civilians in Pakistan since January 2017"
EVIDENCE = "The group killed 338 civilians in Pakistan since January 2017, the report says."


def _values(text: str) -> set[float]:
    return {f.value for f in augment.find_figures(text)}


def test_find_figures_reads_commas_words_and_scales() -> None:
    assert _values("about 1,700 prisoners") == {1700.0}
    assert _values("five bases were closed") == {5.0}
    assert _values("a budget of 2 million dollars") == {2_000_000.0}
    assert augment.find_figures("caspase-11 activity") == []


def test_numeric_counterfactual_changes_a_shared_figure() -> None:
    for seed in range(20):
        edited = augment.numeric_counterfactual(CLAIM, EVIDENCE, random.Random(seed))
        assert edited is not None and edited != CLAIM
        changed = _values(CLAIM) - _values(edited)
        assert changed, edited
        assert not _values(edited) - _values(CLAIM) <= _values(EVIDENCE)


def test_numeric_counterfactual_is_deterministic_per_seed() -> None:
    first = [augment.numeric_counterfactual(CLAIM, EVIDENCE, random.Random(s)) for s in range(10)]
    again = [augment.numeric_counterfactual(CLAIM, EVIDENCE, random.Random(s)) for s in range(10)]
    assert first == again
    assert len(set(first)) > 1


def test_numeric_counterfactual_needs_a_shared_unnegated_figure() -> None:
    rng = random.Random(0)
    assert augment.numeric_counterfactual("Prices rose sharply", "Prices rose 5%", rng) is None
    assert augment.numeric_counterfactual(
        "The army did not close 5 bases", "The army closed 5 bases", rng) is None


def test_hedged_figure_moves_outside_its_hedge() -> None:
    claim, evidence = "More than 1,000 people attended", "Police counted 1,000 people"
    for seed in range(10):
        edited = augment.numeric_counterfactual(claim, evidence, random.Random(seed))
        assert edited is not None
        assert min(_values(edited)) >= 10_000  # "more than" only moves up, by x10
    assert augment.numeric_counterfactual(claim, evidence, random.Random(0), hedged=False) is None


def test_numeric_paraphrase_keeps_the_figure_true() -> None:
    evidence = "Police said 1,200 people attended and five buses came."
    for seed in range(30):
        rng = random.Random(seed)
        para = augment.numeric_paraphrase("1,200 people attended with five buses", evidence, rng)
        assert para is not None
        low = para.lower()
        if "more than" in low:
            bound = augment.find_figures(low.split("more than", 1)[1])[0].value
            assert bound < 1200
        else:
            assert _values(para) <= _values(evidence)


def test_word_number_paraphrase_rule() -> None:
    outs = {augment.numeric_paraphrase("They closed five bases", "They closed five bases",
                                       random.Random(s)) for s in range(20)}
    assert "They closed 5 bases" in outs
    assert "They closed about five bases" in outs


def test_negation_insert_and_remove() -> None:
    rng = random.Random(0)
    assert augment.negate("The man is sleeping.", rng) == "The man is not sleeping."
    assert augment.negate("He was not born in Paris", rng) == "He was born in Paris"
    assert augment.negate("IS-K killed people", rng) is None


def test_antonym_swap() -> None:
    rng = random.Random(0)
    assert augment.antonym_swap("Unemployment increased in 2020", rng) == \
        "Unemployment decreased in 2020"
    assert augment.antonym_swap("The army closed five bases", rng) == \
        "The army kept open five bases"
    assert augment.antonym_swap("The bases were kept open", rng) == "The bases were closed"
    assert augment.antonym_swap("Nobody is here", rng) is None


def test_entity_swap() -> None:
    assert augment.entity_swap("Obama was born in Hawaii", "Hawaii", "Kenya") == \
        "Obama was born in Kenya"
    assert augment.entity_swap("Obama was born in Hawaii", "Paris", "Kenya") is None


def test_bucket_is_stable_and_spread() -> None:
    assert bucket("mnli-1") == bucket("mnli-1")
    spread = {bucket(f"id-{i}") for i in range(2000)}
    assert len(spread) == 100


def test_builder_numeric_augmentation_labels(tmp_path) -> None:
    builder = Builder(tmp_path, seed=1)
    pairs = [Pair(CLAIM, EVIDENCE, 0, "fm2"), Pair("A cat sat", "A dog ran", 1, "fm2")]
    out = builder.numeric(pairs, random.Random(3))
    assert out
    for p in out:
        assert p.evidence == EVIDENCE
        assert (p.label == 1) == p.src.endswith(("num-cf", "unit"))


def test_numeric_unrelated_pairs_share_no_figure(tmp_path) -> None:
    builder = Builder(tmp_path, seed=1)
    pairs = [Pair(f"The town has {100 + i} schools", f"Reports list {100 + i} schools", 0, "fm2")
             for i in range(40)]
    out = builder._numeric_unrelated(pairs, random.Random(5))
    assert out
    for p in out:
        assert p.label == UNRELATED
        assert not augment.shared_figures(p.claim, p.evidence)


def test_absent_date_only_where_neither_side_names_a_date() -> None:
    claim, evidence = "The US agreed to close five bases.", "Five US bases will be closed soon."
    for seed in range(20):
        edited = augment.absent_date(claim, evidence, random.Random(seed))
        assert edited is not None and augment.has_date(edited) and edited.endswith(".")
        assert "five bases" in edited or "five bases" in edited.lower()
    assert augment.absent_date("The bridge opened in 1998.", evidence, random.Random(0)) is None
    assert augment.absent_date(claim, "The bases close in March.", random.Random(0)) is None


def test_stated_date_uses_a_year_the_evidence_gives() -> None:
    evidence = "The bridge was opened to traffic in 1998 after six years of work."
    for seed in range(10):
        edited = augment.stated_date("The bridge was opened to traffic.", evidence,
                                     random.Random(seed))
        assert edited is not None and augment.years_in(edited) == ["1998"]
    assert augment.stated_date("The bridge was opened.", "It opened after work.",
                               random.Random(0)) is None


def test_insert_date_keeps_sentence_shape() -> None:
    rng = random.Random(3)
    outs = {augment.insert_date("The council approved the plan.", "in 2019", rng) for _ in range(20)}
    assert "The council approved the plan in 2019." in outs
    assert "In 2019, the council approved the plan." in outs


def test_stage2_detail_pairs_are_labelled_by_what_the_evidence_states() -> None:
    from training.stage2 import SUPPORTS, detail_pairs
    from training.stage2 import UNRELATED as U

    base = [{"claim": "The council approved the stadium plan.", "label": SUPPORTS, "src": "t",
             "evidence": "After a long debate the council approved the stadium plan."},
            {"claim": "The council approved the stadium plan.", "label": SUPPORTS, "src": "t",
             "evidence": "In 2019 the council approved the stadium plan."},
            {"claim": "The council rejected the plan.", "label": 1, "src": "t",
             "evidence": "The council approved the plan."}]
    rows = detail_pairs(base, random.Random(0), max_absent=5, max_stated=5)
    by_label = {r["label"]: r for r in rows}
    assert len(rows) == 2 and set(by_label) == {SUPPORTS, U}
    assert "2019" in by_label[SUPPORTS]["claim"]
    assert augment.has_date(by_label[U]["claim"]) and not augment.has_date(by_label[U]["evidence"])


def test_partial_pairs_join_two_hypotheses_of_one_premise() -> None:
    from training.refine import JOINED, REFUTES, SUPPORTS, UNRELATED, partial_pairs

    premise = "A child is reaching up to the counter using a step stool."
    base = [{"claim": "A child is using a step stool.", "label": SUPPORTS, "src": "snli",
             "evidence": premise},
            {"claim": "The child wants a cookie.", "label": UNRELATED, "src": "snli",
             "evidence": premise},
            {"claim": "The child is asleep in bed.", "label": REFUTES, "src": "snli",
             "evidence": premise},
            # not an NLI source: never joined
            {"claim": "The law passed.", "label": SUPPORTS, "src": "fm2", "evidence": "It passed."},
            {"claim": "The law failed.", "label": REFUTES, "src": "fm2", "evidence": "It passed."}]
    seen = set()
    for seed in range(40):
        (row,) = partial_pairs(base, random.Random(seed), limit=5)
        assert row["evidence"] == premise and row["src"] == "nli+partial"
        parts = [c for c in ("step stool", "cookie", "asleep") if c in row["claim"]]
        assert len(parts) == 2
        labels = {"step stool": SUPPORTS, "cookie": UNRELATED, "asleep": REFUTES}
        got = {labels[p] for p in parts}
        key = next(k for k in JOINED if set(k) == got)
        assert row["label"] == JOINED[key]
        seen.add(row["label"])
    # half-confirmed claims are unrelated, any refuted part refutes: both occur
    assert seen == {UNRELATED, REFUTES}


def test_partial_replay_sample_keeps_the_asked_label_counts() -> None:
    from training.refine import sample

    rows = [{"label": i % 3} for i in range(30)]
    picked = sample(rows, (4, 2, 1), random.Random(0))
    assert [sum(r["label"] == k for r in picked) for k in range(3)] == [4, 2, 1]
    assert len(sample(rows, 50, random.Random(0))) == 30
    assert len(sample(rows, None, random.Random(0))) == 30


def test_declarative_titles_become_supported_and_flipped_claims() -> None:
    from training.refine import REFUTES, SUPPORTS, UNRELATED, declarative_title, title_pairs

    assert declarative_title("Moderate exercise increases nitric oxide in elderly women",
                             "VBZ") == "Moderate exercise increases nitric oxide in elderly women."
    # a topic, a question or a two-part title states no finding
    assert declarative_title("Prevalence of attempting weight loss in adults", "NN") is None
    assert declarative_title("Does exercise increase nitric oxide in women?", "VBZ") is None
    assert declarative_title("Exercise and nitric oxide: a review of trials", "VBZ") is None
    docs = [{"title": "Exercise increases nitric oxide production in older women",
             "sentences": ["Background.", "Methods.", "Nitric oxide rose by a third.",
                           "Exercise raised nitric oxide production."]},
            {"title": "Aspirin reduces the risk of colon cancer in adults",
             "sentences": ["Background.", "Methods.", "Risk fell.", "Aspirin lowered risk."]},
            {"title": "A cohort of colon cancer patients in Sweden", "sentences": ["a", "b", "c", "d"]}]
    pairs = title_pairs(docs, ["VBZ", "VBZ", "NN"], random.Random(3))
    by_label: dict[int, list] = {}
    for p in pairs:
        by_label.setdefault(p.label, []).append(p)
    assert {p.claim for p in by_label[SUPPORTS]} == {
        "Exercise increases nitric oxide production in older women.",
        "Aspirin reduces the risk of colon cancer in adults."}
    # supported against its own abstract's last three sentences
    assert all(p.evidence.endswith(("production.", "risk.")) for p in by_label[SUPPORTS])
    flipped = {p.claim for p in by_label[REFUTES]}
    assert flipped == {"Exercise decreases nitric oxide production in older women.",
                       "Aspirin increases the risk of colon cancer in adults."}
    for p in by_label.get(UNRELATED, []):
        assert p.claim.split()[0] not in p.evidence


def test_negated_claims_are_seen_supported() -> None:
    from training.refine import (
        REFUTES,
        SUPPORTS,
        negated_finding_pairs,
        negated_pairs,
    )

    rows = [{"claim": "The bridge was built in 1990.", "evidence": "It opened in 1975.",
             "label": REFUTES, "src": "fever"},
            {"claim": "The bridge was built in 1975.", "evidence": "It opened in 1975.",
             "label": SUPPORTS, "src": "fever"},
            {"claim": "He was born in Paris and raised in Rome.", "evidence": "x",
             "label": REFUTES, "src": "fever"},        # two clauses: which one is false?
            {"claim": "The dam was not finished.", "evidence": "x", "label": REFUTES,
             "src": "fever"}]                           # already negated
    pairs = negated_pairs(rows, random.Random(0), 10)
    # a "not" flips the label the evidence gives, either way
    assert sorted((p.claim, p.evidence, p.label) for p in pairs) == [
        ("The bridge was not built in 1975.", "It opened in 1975.", REFUTES),
        ("The bridge was not built in 1990.", "It opened in 1975.", SUPPORTS)]
    assert len(negated_pairs(rows, random.Random(0), 2)) == 2      # limit // 2 of each label
    docs = [{"sentences": ["We enrolled 300 adults.", "They took aspirin or placebo.",
                           "Strokes were counted for five years.",
                           "In conclusion, aspirin did not alter the risk of stroke in adults."]},
            {"sentences": ["We scanned 40 brains.", "Volumes were measured.", "Groups matched.",
                           "Grey matter volume was larger in musicians than in controls."]}]
    found = negated_finding_pairs(docs, random.Random(1))
    labelled = {(p.claim, p.label) for p in found if p.label != 2}
    assert labelled == {("Aspirin did not alter the risk of stroke in adults.", SUPPORTS),
                        ("Aspirin did alter the risk of stroke in adults.", REFUTES)}
    assert all(p.evidence.startswith("We enrolled") for p in found if p.label != 2)


def test_neighbour_pairs_take_an_on_topic_abstract_never_its_own_or_a_copy() -> None:
    import numpy as np

    from training.refine import UNRELATED, neighbour_pairs

    windows = ["own findings", "near copy of own", "same topic", "other topic"]
    window_vectors = np.array([[1.0, 0.0, 0.0], [0.99, 0.141, 0.0], [0.6, 0.8, 0.0],
                               [0.0, 0.0, 1.0]], dtype=np.float32)
    claims = [(0, "Exercise raises nitric oxide.")]
    claim_vectors = np.array([[0.95, 0.312, 0.0]], dtype=np.float32)
    pairs = neighbour_pairs(claims, windows, claim_vectors, window_vectors,
                            random.Random(0), limit=10, ranks=2)
    # rank 1 is the near copy (cosine 0.99 with its own window) and is skipped;
    # rank 2 is the on-topic abstract; the other topic is outside the two ranks
    assert [(p.claim, p.evidence, p.label) for p in pairs] == [
        ("Exercise raises nitric oxide.", "same topic", UNRELATED)]
    assert neighbour_pairs(claims, windows, claim_vectors, window_vectors,
                           random.Random(0), limit=0) == []


def test_aims_pairs_set_a_finding_against_its_own_abstracts_aim() -> None:
    from training.refine import UNRELATED, aims_pairs, aims_window

    doc = {"title": "Walking lowers blood pressure in older adults",
           "sentences": ["BACKGROUND High blood pressure is common in older adults.",
                         "OBJECTIVE To determine whether daily walking lowers blood pressure.",
                         "METHODS We enrolled 200 adults aged 65 or older.",
                         "Blood pressure was measured monthly.",
                         "RESULTS Walking lowered systolic pressure by 5 mmHg.",
                         "Diastolic pressure did not change.",
                         "CONCLUSIONS Daily walking lowers systolic blood pressure in older adults."]}
    # the aim and the methods heading after it; never the background or the results
    assert aims_window(doc) == ("OBJECTIVE To determine whether daily walking lowers blood "
                                "pressure. METHODS We enrolled 200 adults aged 65 or older.")
    pairs = aims_pairs([doc], ["VBZ"], random.Random(0), flipped_share=0.0)
    assert {(p.claim, p.label) for p in pairs} == {
        ("Walking lowers blood pressure in older adults.", UNRELATED),
        ("Daily walking lowers systolic blood pressure in older adults.", UNRELATED)}
    assert all(p.evidence == aims_window(doc) for p in pairs)
    # an aim that already states what was found is no "unrelated" passage
    found = dict(doc, sentences=["We examined whether walking lowers blood pressure; the results "
                                  "say it does.", *doc["sentences"][3:]])
    assert aims_window(found) is None
    assert aims_pairs([found], ["VBZ"], random.Random(0)) == []
