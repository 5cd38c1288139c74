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


# ---------------------------------------------------------------- AVeriTeC and before/after
@pytest.fixture(scope="module")
def averitec(agreement):
    import averitec as module  # benchmarks/ is on sys.path once agreement is loaded

    return module


MADE_UP = [  # (id, label, [(text, url)]): written for these tests, not taken from any data set
    ("t-1", "Supported", [("Did the ferry start running in 2019? Yes. The first crossing "
                           "was in May 2019.", "https://www.harbour-news.example.com/ferry")]),
    ("t-2", "Refuted", [("How long is the new tunnel? About 2 km.",
                         "https://web.archive.org/web/20210101/https://www.roads.example.org/t"),
                        ("Who built the tunnel? A regional consortium.",
                         "https://web.archive.org/web/20210101/https://www.roads.example.org/t")]),
    ("t-3", "Not Enough Evidence", [("Is the mayor a former teacher? No answer could be "
                                     "found.", "")]),
    ("t-4", "Conflicting Evidence/Cherrypicking", [("A note without a question.", "Metadata")]),
    ("t-5", "REFUTES", [("Was the bridge closed? No.", "http://bridges.example.net/x"),
                        ("", "http://ignored.example.net")]),
]


def _write_made_up(path: Path, rows=MADE_UP) -> Path:
    import json

    with path.open("w", encoding="utf-8") as fh:
        for item_id, label, evidence in rows:
            fh.write(json.dumps({"id": item_id, "claim": f"Claim {item_id} about a town.",
                                 "label": label, "evidence": [
                                     {"doc_id": f"{item_id}-{n}", "text": text, "url": url}
                                     for n, (text, url) in enumerate(evidence)]}) + "\n")
    return path


def test_averitec_labels_map_to_the_four_verdicts(averitec) -> None:
    assert [averitec.label_of(x) for x in ("Supported", "Refuted", "Not Enough Evidence",
                                           "Conflicting Evidence/Cherrypicking")] == \
        ["SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "CONFLICTING"]
    assert averitec.label_of("NOT_ENOUGH_INFO") == "NOT_ENOUGH_INFO"   # the eval data's spelling
    with pytest.raises(ValueError, match="unknown"):
        averitec.label_of("Mostly true")


def test_averitec_loader_maps_labels_and_samples_by_seed(averitec, tmp_path: Path) -> None:
    path = _write_made_up(tmp_path / "claims.jsonl")
    items = averitec.load_averitec(path)
    assert [it["label"] for it in items] == ["SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO",
                                             "CONFLICTING", "REFUTES"]
    assert len(items[4]["evidence"]) == 1                 # an empty item is dropped
    first = [it["id"] for it in averitec.load_averitec(path, limit=3, seed=7)]
    assert first == [it["id"] for it in averitec.load_averitec(path, limit=3, seed=7)]
    assert len(first) == 3 and first == sorted(first)     # file order kept
    assert len(averitec.load_averitec(path, limit=0)) == 5


def test_averitec_passages_follow_one_generic_rule(averitec) -> None:
    yes_no = "Was the bridge closed  in 2020 ? No. It stayed open."
    fact = "How long is the new tunnel? About 2 km."
    assert averitec.passage_text(yes_no, "qa") == "Was the bridge closed in 2020? No. It stayed open."
    assert averitec.passage_text(yes_no, "answer") == averitec.passage_text(yes_no, "qa")
    assert averitec.passage_text(fact, "qa") == fact
    assert averitec.passage_text(fact, "answer") == "About 2 km."
    assert averitec.passage_text("A note without a question.", "answer") == \
        "A note without a question."
    assert averitec.DEFAULT_REPRESENTATION == "qa"
    with pytest.raises(ValueError, match="representation"):
        averitec.passage_text(fact, "summary")


def test_averitec_source_is_the_host_of_the_cited_page(averitec) -> None:
    assert averitec.source_domain("https://www.Example.org/a?b=1") == "example.org"
    assert averitec.source_domain(
        "https://web.archive.org/web/2020id_/http://news.example.co.uk/x") == "news.example.co.uk"
    assert averitec.source_domain("https://web.archihttps://example.org//f.pdf") == "example.org"
    assert averitec.source_domain("https://archive.ph/AbCd") == "archive.ph"
    for nothing in ("", None, "Metadata"):
        assert averitec.source_domain(nothing) is None


def test_averitec_evidence_becomes_hits_one_document_per_page(averitec, tmp_path: Path) -> None:
    items = averitec.load_averitec(_write_made_up(tmp_path / "claims.jsonl"))
    hits = averitec.evidence_hits(items[1], "answer", [0.4, 0.6])
    assert [h.passage.text for h in hits] == ["About 2 km.", "A regional consortium."]
    assert [h.passage.domain for h in hits] == ["roads.example.org"] * 2
    assert hits[0].passage.document_id == hits[1].passage.document_id   # one page
    assert [h.dense_score for h in hits] == [0.4, 0.6] and [h.rank for h in hits] == [1, 2]
    lone = averitec.evidence_hits(items[2])[0]
    assert lone.passage.domain is None and lone.dense_score is None


def test_averitec_sources_are_weighed_by_the_seed_ratings(averitec, fake_settings) -> None:
    from verify.sources.book import SEED_PATH

    rated = next(line.split(",")[0].strip() for line in
                 SEED_PATH.read_text(encoding="utf-8").splitlines()[1:] if "." in line)
    reliability, ws = averitec.seeded_reliability(fake_settings)
    try:
        assert not averitec.is_prior(reliability(rated))
        unrated = reliability("no-such-outlet-anywhere.example")
        assert averitec.is_prior(unrated)
        assert unrated.value == fake_settings.reliability_prior
        assert averitec.is_prior(reliability(None))
    finally:
        ws.close()


def test_averitec_section_scores_four_labels_with_fakes(agreement, averitec, tmp_path: Path,
                                                        monkeypatch, fake_settings) -> None:
    from tests.conftest import FakeStanceModel

    monkeypatch.setattr(agreement, "ARTIFACTS", tmp_path)
    labels = ["Supported", "Refuted", "Not Enough Evidence", "Conflicting Evidence/Cherrypicking"]
    rows = [(f"m-{i}", labels[i % 4], [(f"Did town {i} open a library? "
                                        f"{'Yes' if i % 2 else 'No'}. Town {i} opened one.",
                                        f"https://site{i % 3}.example.org/p")])
            for i in range(40)]
    items = averitec.load_averitec(_write_made_up(tmp_path / "c.jsonl", rows))
    scorer = agreement.StanceScorer("unused", FakeStanceModel())
    reliability, ws = averitec.seeded_reliability(fake_settings)
    calib: list = []
    try:
        out = agreement.run_averitec(items, scorer, agreement.Vectors("fake"), fake_settings,
                                     reliability, "qa", calib)
    finally:
        ws.close()
    n_eval = sum(not agreement.is_fit(it["id"]) for it in items)
    assert out["n"] == n_eval and out["claims"] == 40 and out["passages"] == 40
    for system in ("majority", "cosine", "stance", "full"):
        for key in (system, f"acc:{system}", f"bal_acc:{system}"):
            assert 0.0 <= out[key] <= 1.0, key
        assert out[f"nee:{system}"] == int(out[f"nee:{system}"]) <= n_eval
    assert out["bal_acc:majority"] == pytest.approx(0.25)          # one class of four
    assert len(calib) == 40


def test_before_rows_merge_and_print_side_by_side(agreement, capsys) -> None:
    results = {"set a": {"full": 0.5, "acc:full": 0.6, "nee:full": 3.0, "n": 10.0},
               "set b": {"full": 0.2, "n": 5.0}}
    agreement.merge_before(results, {"set a": {"full": 0.45, "acc:full": 0.7, "nee:full": 5.0,
                                               "majority": 0.1, "n": 10.0},
                                     "set c": {"full": 0.3, "n": 4.0}})
    assert results["set a"]["before"] == 0.45 and results["set a"]["delta"] == pytest.approx(0.05)
    assert "majority" not in results["set a"]                     # only the checker's rows
    assert "before" not in results["set b"] and results["set c"] == {"n": 4.0, "before": 0.3}
    rows = agreement.before_after_rows(results, (("", ".3f"), ("acc", ".3f"), ("nee", "d"),
                                                 ("floor", "d")), "set a", "old", "new")
    assert rows == [["old", "0.450", "0.700", "5", "-"], ["new", "0.500", "0.600", "3", "-"],
                    ["after - before", "+0.050", "-0.100", "-2", "-"]]
    assert agreement.before_after_rows(results, (("", ".3f"),), "set c", "old", "new")[1:] == \
        [["new", "-"], ["after - before", "-"]]
    args = type("Args", (), {"limit": 5, "k": None, "baseline_ref": "abc1234"})()
    agreement.print_report(results, {}, args, "fake-stance", 1.0, None,
                           {"ref": "abc1234", "sha": "abc1234", "results": {"set a": {}},
                            "verify_file": "/tmp/x/verify/__init__.py", "seconds": 2.0})
    out = capsys.readouterr().out
    assert "same, before (abc1234)" in out and "after - before" in out
    assert "+0.050" in out and "/tmp/x/verify/__init__.py" in out


def test_the_before_run_gets_the_same_options(agreement, tmp_path: Path) -> None:
    args = type("Args", (), dict(limit=100, stance_model="verify-stance", claim_sets="scifact",
                                 limit_docs=None, embedder="minilm", k=None, quantemp_limit=0,
                                 averitec_limit=200, averitec_seed=3, averitec_passages="qa",
                                 stance_scores=None, pairs=None))()
    cmd = agreement.baseline_command(args, ["claims", "averitec"], tmp_path / "data",
                                     tmp_path / "tree", tmp_path / "out.json")
    joined = " ".join(cmd[2:])
    assert cmd[1].endswith("agreement.py") and "--no-baseline" in cmd
    for part in ("--sections claims,averitec", f"--data {tmp_path / 'data'}", "--limit 100",
                 "--quantemp-limit 0", "--averitec-limit 200", "--averitec-seed 3",
                 f"--expect-verify-under {tmp_path / 'tree'}", f"--emit-json {tmp_path / 'out.json'}"):
        assert part in joined, part
    assert "--limit-docs" not in joined and "-k" not in cmd


def test_sections_skip_cleanly_without_data_or_desk(agreement, tmp_path: Path, monkeypatch,
                                                    capsys) -> None:
    assert agreement.main(["--data", str(tmp_path / "absent"), "--sections",
                           "pairs,claims,averitec"]) == 0
    assert "eval data not found" in capsys.readouterr().out
    monkeypatch.setattr(agreement, "BENCH", tmp_path)
    assert agreement.desk_suite_module() is None
    assert "benchmarks/desk/ is absent" in capsys.readouterr().out
