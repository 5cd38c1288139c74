"""Recipe v1d's training groups (science flips, abstract conclusions, LIAR-PLUS) and the
layer-weights trip back from a training machine. No shared data, no real models."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from training import science
from training.data import REFUTES, SUPPORTS, UNRELATED, Builder, Pair, benchmark_fit_part

CONCLUSION = ("In conclusion, these data suggest that interleukin-6 increases insulin "
              "resistance in obese adults.")


def test_direction_swap_flips_one_direction_word_each_way() -> None:
    assert science.direction_swap("Exercise reduces blood pressure.", random.Random(0)) == \
        "Exercise increases blood pressure."
    assert science.direction_swap("Activation of p53 inhibits growth.", random.Random(0)) in {
        "Inhibition of p53 inhibits growth.", "Activation of p53 activates growth."}
    assert science.direction_swap("Higher doses work.", random.Random(1)) == "Lower doses work."


def test_direction_swap_leaves_negated_or_directionless_claims() -> None:
    assert science.direction_swap("Aspirin does not reduce pain.", random.Random(0)) is None
    assert science.direction_swap("The gene is on chromosome 7.", random.Random(0)) is None


def test_conclusion_claim_strips_lead_ins_and_rejects_study_talk() -> None:
    assert science.conclusion_claim(CONCLUSION) == \
        "Interleukin-6 increases insulin resistance in obese adults."
    assert science.conclusion_claim("We conclude that statins lower the risk of stroke in "
                                    "older women.") == \
        "Statins lower the risk of stroke in older women."
    assert science.conclusion_claim("This study provides a resource for future research on "
                                    "the topic.") is None
    assert science.conclusion_claim("Too short to use.") is None


def test_science_group_flips_only_supported_science_pairs(tmp_path: Path) -> None:
    pairs = [Pair("Exercise reduces blood pressure in adults.", "ev", SUPPORTS, "scifact"),
             Pair("Exercise reduces blood pressure in adults.", "ev", REFUTES, "scifact"),
             Pair("Exercise reduces blood pressure in adults.", "ev", SUPPORTS, "mnli")]
    out = Builder(tmp_path).science(pairs * 10, random.Random(2))
    assert out
    assert {p.label for p in out} == {REFUTES}
    assert {p.src for p in out} == {"scifact+direction"}
    assert all(p.claim == "Exercise increases blood pressure in adults." for p in out)


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def _claim_id(fit: bool) -> str:
    return next(f"c{i}" for i in range(1000) if benchmark_fit_part(f"c{i}") == fit)


def test_corpus_pairs_skip_abstracts_that_benchmark_claims_cite(tmp_path: Path) -> None:
    body = ["Background sentence one.", "Methods were used in mice.",
            "Levels of IL-6 rose in the treated group.", "Insulin resistance was measured."]
    docs = [{"doc_id": str(d), "title": "t", "text": "x", "sentences": [*body, CONCLUSION]}
            for d in range(6)]
    _write(tmp_path / "claims/scifact/corpus.jsonl", docs)
    _write(tmp_path / "claims/scifact/claims.jsonl", [
        {"id": _claim_id(fit=False), "claim": "c", "label": "SUPPORTS", "cited_doc_ids": ["0"]},
        {"id": _claim_id(fit=True), "claim": "c", "label": "SUPPORTS", "cited_doc_ids": ["1"]}])
    out = Builder(tmp_path).corpus_pairs(random.Random(0))
    assert out
    window = " ".join(body[-4:])
    supported = [p for p in out if p.label == SUPPORTS]
    assert len(supported) == 5          # doc 0 is cited by an eval-part claim: left out
    assert all(p.evidence == window and CONCLUSION not in p.evidence for p in supported)
    refuted = [p for p in out if p.label == REFUTES]
    assert len(refuted) == 5
    assert {p.claim for p in refuted} <= {
        "Interleukin-6 decreases insulin resistance in obese adults.",
        "Interleukin-6 increases insulin susceptibility in obese adults."}
    assert all(p.label in (SUPPORTS, REFUTES, UNRELATED) for p in out)


def test_liar_pairs_keep_clear_ratings_only(tmp_path: Path) -> None:
    just = "The records show the figure was reported by the state agency in its annual review."
    _write(tmp_path / "claims/liar-plus.jsonl", [
        {"id": 1, "label": "true", "claim": "Says that the state cut taxes twice", "justification": just},
        {"id": 2, "label": "pants-fire", "claim": "The state doubled taxes in 2015", "justification": just},
        {"id": 3, "label": "half-true", "claim": "The state cut taxes in 2015", "justification": just},
        {"id": 4, "label": "false", "claim": "The state cut taxes in 2015", "justification": "Too short."}])
    out = Builder(tmp_path).liar_pairs()
    assert [(p.claim, p.label) for p in out] == [("The state cut taxes twice", SUPPORTS),
                                                 ("The state doubled taxes in 2015", REFUTES)]


def test_returned_layers_rejoin_into_the_trained_model(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from safetensors.torch import load_file, save_file
    from transformers import BertConfig, BertForSequenceClassification

    from training.ship import join_layers
    from training.train import WORD_EMBEDDINGS, return_layers

    config = BertConfig(vocab_size=50, hidden_size=8, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=16, num_labels=3)
    torch.manual_seed(0)
    trained = BertForSequenceClassification(config)
    model_dir, base, like, out = (tmp_path / n for n in ("trained", "base", "like", "out"))
    trained.save_pretrained(model_dir, safe_serialization=True)
    weights = load_file(str(model_dir / "model.safetensors"))
    base.mkdir()
    save_file({"embeddings.word_embeddings.weight": weights[WORD_EMBEDDINGS]},
              str(base / "model.safetensors"))
    like.mkdir()
    for name in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        (like / name).write_text("{}", encoding="utf-8")
    return_layers(model_dir, tmp_path, "v", part=4096)
    parts = sorted(tmp_path.glob("v.layers.part*"))
    assert len(parts) > 1
    join_layers(parts, base, like, out)
    rejoined = load_file(str(out / "model.safetensors"))
    assert set(rejoined) == set(weights)
    assert all(torch.equal(rejoined[k], weights[k]) for k in weights)
    assert (out / "config.json").is_file()


def test_returning_layers_needs_frozen_embeddings() -> None:
    from training.train import parse

    with pytest.raises(SystemExit):
        parse(["--data", "d", "--base", "b", "--return-variants", "full"])
    args = parse(["--data", "d", "--base", "b", "--return-variants", "full",
                  "--freeze-word-embeddings"])
    assert "--freeze-word-embeddings" in args.passthrough


def test_wider_corpus_group_also_uses_earlier_findings(tmp_path: Path) -> None:
    sentences = ["Background sentence one.", "Methods were used in mice.", "A third sentence here.",
                 "Serum levels of IL-6 were higher in the treated group of mice.", CONCLUSION]
    _write(tmp_path / "claims/scifact/corpus.jsonl",
           [{"doc_id": "9", "title": "t", "text": "x", "sentences": sentences}])
    _write(tmp_path / "claims/scifact/claims.jsonl", [])
    last_only = Builder(tmp_path).corpus_pairs(random.Random(0))
    wider = Builder(tmp_path).corpus_pairs(random.Random(0), candidates=3)
    assert {p.claim for p in last_only if p.label == SUPPORTS} == {
        "Interleukin-6 increases insulin resistance in obese adults."}
    earlier = [p for p in wider if p.label == SUPPORTS and p.claim.startswith("Serum")]
    assert len(earlier) == 1
    assert earlier[0].evidence == " ".join(sentences[:3])   # only sentences before it


def test_a_fine_tune_version_names_its_parent_and_its_own_data(tmp_path: Path) -> None:
    from training.ship import write_version

    manifest = tmp_path / "manifest_v1g.json"
    manifest.write_text(json.dumps({"recipe": "v1g", "seed": 13, "train_sha256": "ab" * 32,
                                    "parent_version": "1.0.0+data.93494e2ee28b"}))
    info = write_version(tmp_path, manifest, "float16 safetensors")
    assert info["version"] == "1.2.0+data.93494e2ee28b.abababababab"
    assert info["parent_version"] == "1.0.0+data.93494e2ee28b" and info["data_recipe"] == "v1g"
    assert json.loads((tmp_path / "version.json").read_text())["version"] == info["version"]
    # a model trained from the base encoder has no parent
    manifest.write_text(json.dumps({"recipe": "v1d", "train_sha256": "cd" * 32}))
    assert write_version(tmp_path, manifest, "w")["version"] == "1.0.0+data.cdcdcdcdcdcd"
