"""Recipe v1k's extra stance-training sets (training.extra): loaders, label mapping,
licence gate, dev split, replay and manifest pieces, and train.py's checkpoint guard.
Tiny made-up rows in tmp_path; no shared data, no real model, no training."""

from __future__ import annotations

import argparse
import gzip
import json
import random
from pathlib import Path

import pytest

from training import extra
from training.data import REFUTES, SUPPORTS, UNRELATED, Pair, write_jsonl_gz


def _write(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in rows)
    if path.suffix == ".gz":
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    else:
        path.write_text(text, encoding="utf-8")


def _extra_root(tmp_path: Path, n: int = 4) -> Path:
    """An ``extra`` folder with made-up rows for every set."""
    root = tmp_path / "extra"
    _write(root / "pairs/citint.jsonl", [
        {"id": f"ci-{i}", "claim": f"Drug Z{i} lowers the blinking rate of owls [<|cit|>].",
         "evidence": f"Owls given drug Z{i} blinked less often.", "label": lab}
        for i, lab in enumerate(["SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "CONFLICTING"] * n)])
    _write(root / "pairs/check-covid.jsonl", [
        {"id": "cc-0", "claim": "Masks made of felt stop purple fog.",
         "evidence": "Felt masks did not stop purple fog in the trial.", "label": "REFUTES"},
        {"id": "cc-1", "claim": "Masks made of felt stop purple fog.",
         "evidence": "Felt masks did not stop purple fog in the trial.", "label": "REFUTES"},
        {"id": "cc-2", "claim": "Masks made of felt stop purple fog.",
         "evidence": "The trial ran in two towns.", "label": "NOT_ENOUGH_INFO"}])
    _write(root / "pairs/perspectrum.jsonl", [
        {"id": f"p-{i}", "claim": f"Towns should paint every bench green {i % 2}",
         "evidence": f"Green benches cheer people up, reason {i}.",
         "label": "SUPPORTS" if i % 3 else "REFUTES", "cluster": i // 2,
         "stance_label_5": ["SUPPORT", "UNDERMINE", "MILDLY_SUPPORT", "NO_MAJORITY_LABEL"][i % 4]}
        for i in range(8 * n)])
    _write(root / "pairs/tabfact.jsonl.gz", [
        {"id": f"t-{i}", "claim": f"team {i} score more than 3 goal",
         "evidence": "Table: cup. Row 1: team: a; goals: 4." + ("x" * (2000 if i == 1 else 0)),
         "label": "SUPPORTS" if i % 2 else "REFUTES", "table_truncated": i == 2}
        for i in range(4 * n)])
    _write(root / "pairs/fnc1-test.jsonl.gz", [
        {"id": f"f-{i}", "claim": "Town mayor adopts a llama", "evidence": f"Body text {i}.",
         "label": "SUPPORTS", "orig_label": stance}
        for i, stance in enumerate(["agree", "disagree", "discuss", "unrelated", "odd"])])
    return root


def test_label_mapping_three_way_and_fnc1_discuss_is_not_support() -> None:
    assert [extra.pair_label(x) for x in ("SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO")] == \
        [SUPPORTS, REFUTES, UNRELATED]
    assert extra.pair_label("CONFLICTING") is None and extra.pair_label(None) is None
    assert extra.fnc1_label("agree") == SUPPORTS
    assert extra.fnc1_label("disagree") == REFUTES
    assert extra.fnc1_label("discuss") == UNRELATED
    assert extra.fnc1_label("Unrelated ") == UNRELATED
    assert extra.fnc1_label("maybe") is None


def test_strip_citations_removes_markers_and_numeric_references() -> None:
    strip = extra.strip_citations
    assert strip("Owls sleep more in winter [<|cit|>].") == "Owls sleep more in winter."
    assert strip("Owls sleep more (Lee et al., <|other_cit|>; Ng, 2001), as shown.") == \
        "Owls sleep more, as shown."
    assert strip("Owls sleep more.<|multi_cit|> Bats do not.") == "Owls sleep more. Bats do not."
    assert strip("Owls sleep more [3-5] and bats less [7].") == "Owls sleep more and bats less."
    assert strip("Owls sleep more [<|cit|>,12], bats less.") == "Owls sleep more, bats less."
    assert strip("Owls [n = 12] sleep more.") == "Owls [n = 12] sleep more."


def test_citint_loader_maps_labels_strips_markers_and_drops_conflicting(tmp_path: Path) -> None:
    pairs = extra.citint_pairs(_extra_root(tmp_path, n=1))
    assert [p.label for p in pairs] == [SUPPORTS, REFUTES, UNRELATED]
    assert all("<|" not in p.claim and p.claim.endswith("owls.") for p in pairs)
    assert {p.src for p in pairs} == {"citint"}


def test_check_covid_drops_repeats_and_keeps_on_topic_nei_as_unrelated(tmp_path: Path) -> None:
    pairs = extra.check_covid_pairs(_extra_root(tmp_path))
    assert [p.label for p in pairs] == [REFUTES, UNRELATED]


def test_perspectrum_keeps_clear_majority_one_per_cluster(tmp_path: Path) -> None:
    pairs = extra.perspectrum_pairs(_extra_root(tmp_path), random.Random(0), None)
    # 32 rows, 16 (claim, cluster) groups; only SUPPORT / UNDERMINE rows count, and every
    # cluster of two rows holds one of them
    assert len(pairs) == 16
    assert len({(p.claim, p.evidence) for p in pairs}) == 16
    capped = extra.perspectrum_pairs(_extra_root(tmp_path), random.Random(0), 6)
    assert len(capped) == 6 and {p.label for p in capped} == {SUPPORTS, REFUTES}


def test_tabfact_drops_cut_and_long_tables_and_balances(tmp_path: Path) -> None:
    pairs = extra.tabfact_pairs(_extra_root(tmp_path), random.Random(0), None)
    assert len(pairs) == 14   # 16 less the cut table (t-2) and the long one (t-1)
    assert all(len(p.evidence) <= extra.TABFACT_MAX_CHARS for p in pairs)
    capped = extra.tabfact_pairs(_extra_root(tmp_path), random.Random(0), 4)
    assert sorted(p.label for p in capped) == [SUPPORTS, SUPPORTS, REFUTES, REFUTES]


def test_fnc1_reads_the_source_stance_but_is_never_trained_on(tmp_path: Path) -> None:
    root = _extra_root(tmp_path)
    assert [p.label for p in extra.fnc1_pairs(root)] == [SUPPORTS, REFUTES, UNRELATED, UNRELATED]
    assert not extra.EXTRA_SETS["fnc1-test"].trainable
    with pytest.raises(extra.UnlicensedSetError, match="fnc1-test"):
        extra.extra_pairs(root, {"citint": None, "fnc1-test": None})
    with pytest.raises(KeyError):
        extra.extra_pairs(root, {"no-such-set": None})
    assert "fnc1-test" not in extra.CAPS_CPU and "fnc1-test" not in extra.CAPS_GPU
    assert "no licence" in extra.licences()["fnc1-test"]


def test_extra_pairs_split_by_claim_is_seeded_and_skips_missing_files(tmp_path: Path) -> None:
    root = _extra_root(tmp_path, n=30)
    (root / "pairs/tabfact.jsonl.gz").unlink()
    train, dev = extra.extra_pairs(root, extra.CAPS_CPU, seed=3)
    again = extra.extra_pairs(root, extra.CAPS_CPU, seed=3)
    assert (train, dev) == again
    assert dev and train
    assert not {p.claim for p in train} & {p.claim for p in dev}
    assert {p.src for p in train} == {"citint", "check-covid", "perspectrum"}


def test_v1k_groups_replay_v1g_data_and_variants_name_them(tmp_path: Path) -> None:
    from training import refine
    from training.train import VARIANTS

    data = tmp_path / "data"
    for group in refine.REPLAY_V1K:
        if group != "title":
            write_jsonl_gz(data / f"train_{group}.jsonl.gz",
                           [Pair(f"{group} claim {i}.", f"{group} evidence {i}.", i % 3, group)
                            for i in range(6)])
    title = [Pair("Owls blink less at night.", "Night owls blinked less.", SUPPORTS,
                  "scifact-title")]
    _extra_root(tmp_path)
    groups = refine.extra_groups(data, tmp_path, title, seed=5)
    assert set(groups) == {"train_extra", "train_extra_full", "dev_extra", "train_replay_v1k"}
    replay_srcs = {p.src for p in groups["train_replay_v1k"]}
    # every v1d group and v1g's titles
    assert replay_srcs == (set(refine.REPLAY_V1K) - {"title"}) | {"scifact-title"}
    assert {p.src for p in groups["train_extra"]} == {"citint", "check-covid", "perspectrum",
                                                      "tabfact"}
    assert len(groups["train_extra_full"]) >= len(groups["train_extra"])
    assert refine.RECIPES["v1k"] == "extra" and refine.RECIPES["v1k-gpu"] == "extra_full"
    assert VARIANTS["extra"] == ("extra", "replay_v1k")
    assert {"extra_full", "title", "base", "liar"} <= set(VARIANTS["extra_full"])


def test_v1k_version_names_both_parents(tmp_path: Path) -> None:
    from training.ship import write_version

    manifest = tmp_path / "manifest_v1k.json"
    manifest.write_text(json.dumps({"recipe": "v1k", "seed": 13, "train_sha256": "ab" * 32,
                                    "parent_version": "1.2.0+data.111111111111.222222222222"}))
    info = write_version(tmp_path, manifest, "fp16")
    assert info["version"] == "1.3.0+data.111111111111.222222222222.abababababab"
    assert info["parent_version"] == "1.2.0+data.111111111111.222222222222"
    # a run on part of the recipe's pairs names the pairs it saw, not the recipe's
    metrics = tmp_path / "metrics.json"
    metrics.write_text(json.dumps({"variant": "extra", "best_epoch": 1, "n_train": 9,
                                   "train_sha256": "cd" * 32,
                                   "hyper": {"train_fraction": 0.32}}))
    info = write_version(tmp_path, manifest, "fp16", metrics)
    assert info["version"] == "1.3.0+data.111111111111.222222222222.cdcdcdcdcdcd"
    assert info["recipe_train_sha256"] == "ab" * 32 and info["train_fraction"] == 0.32


def test_checkpoint_is_resumed_only_by_its_own_run(tmp_path: Path) -> None:
    from training import train

    args = argparse.Namespace(variant="extra", lr=2e-5, batch=32, epochs=1, max_len=256,
                              max_steps=0, limit=None, base=str(tmp_path),
                              freeze_word_embeddings=True)
    rows = [{"claim": "a", "evidence": "b", "label": 0}]
    fp = train.run_fingerprint(args, 13, rows)
    assert fp == train.run_fingerprint(args, 13, [dict(r) for r in rows])
    assert fp != train.run_fingerprint(args, 13, [{**rows[0], "label": 1}])
    assert fp != train.run_fingerprint(argparse.Namespace(**{**vars(args), "lr": 3e-5}), 13, rows)
    path = tmp_path / "checkpoint.pt"
    assert train.load_checkpoint(path, fp) is None
    train.save_checkpoint(path, {"fingerprint": fp, "step": 7})
    assert train.load_checkpoint(path, fp)["step"] == 7
    assert train.load_checkpoint(path, "other") is None
    path.write_bytes(b"not a checkpoint")
    assert train.load_checkpoint(path, fp) is None
    assert not train.finished(tmp_path, fp)


def test_compare_table_shows_points(tmp_path: Path) -> None:
    from training.evaluate import compare

    before = {"eval": {"fever_symmetric": {"n": 4, "f1": 0.70, "f1_sr": 0.72}},
              "probes": [{}] * 16, "probes_passed": 14}
    after = {"eval": {"fever_symmetric": {"n": 4, "f1": 0.715, "f1_sr": 0.71}},
             "probes": [{}] * 16, "probes_passed": 13}
    text = compare(before, after)
    assert "+1.5" in text and "-1.0" in text and "probes" in text
