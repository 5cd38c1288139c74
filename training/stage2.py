"""Stage-2 data (recipe v1.1): absent-detail pairs plus a replay sample of the v1 data.

The v1 model learned from its year-shift counterfactuals that a date in a claim is a
sign of falsehood: "Under the February 29 agreement the US would close five bases"
came out *refutes* against a passage that gives no date. Stage 2 fine-tunes the shipped
model for one short epoch on:

- ``detail``: supported pairs whose claim gets a date the evidence never states
  (-> unrelated), and the year the evidence does state (-> supports);
- ``replay``: every v1 numeric counterfactual and seeded samples of the other v1
  groups, so nothing else is forgotten.

    python -m training.stage2 --data .gpu/data          # adds two train files
    python training/train.py --data .gpu/data --base verify/models/stance \\
        --variants stage2 --epochs 1 --lr 2e-5 --cpu --out stance-stage2

Example:
    >>> import random
    >>> from training.augment import absent_date
    >>> absent_date("The US agreed to close five bases.", "Five bases will close.",
    ...             random.Random(1)) is not None
    True
"""

from __future__ import annotations

import argparse
import json
import logging
import random
from pathlib import Path

from training.augment import absent_date, stated_date
from training.data import Pair, write_pair_files
from training.refine import sample
from training.ship import model_version
from training.train import read_pairs

log = logging.getLogger(__name__)

SUPPORTS, UNRELATED = 0, 2
V1_GROUPS = ("base", "numeric", "edits", "unrelated")


def detail_pairs(base: list[dict], rng: random.Random, max_absent: int,
                 max_stated: int) -> list[dict]:
    """Absent-date (unrelated) and stated-year (supports) pairs from supported pairs."""
    supported = [r for r in base if r["label"] == SUPPORTS]
    rng.shuffle(supported)
    absent: list[dict] = []
    stated: list[dict] = []
    for row in supported:
        if len(absent) < max_absent:
            claim = absent_date(row["claim"], row["evidence"], rng)
            if claim is not None:
                absent.append({"claim": claim, "evidence": row["evidence"], "label": UNRELATED,
                               "src": f"{row['src']}+date-absent"})
                continue
        if len(stated) < max_stated:
            claim = stated_date(row["claim"], row["evidence"], rng)
            if claim is not None:
                stated.append({"claim": claim, "evidence": row["evidence"], "label": SUPPORTS,
                               "src": f"{row['src']}+date-stated"})
    return absent + stated


# replay per v1 group: every numeric counterfactual (what a date edit most easily
# unlearns), and samples of the rest
REPLAY = {"numeric": None, "edits": 4000, "base": 4000, "unrelated": 2000}


def build(data: Path, seed: int = 13, max_absent: int = 1500, max_stated: int = 1500,
          replay: dict[str, int | None] | None = None) -> dict:
    """Write ``train_detail`` and ``train_replay`` into ``data``; return their manifest."""
    groups = {g: read_pairs(data / f"train_{g}.jsonl.gz") for g in V1_GROUPS}
    detail = detail_pairs(groups["base"], random.Random(seed + 21), max_absent, max_stated)
    rng = random.Random(seed + 22)
    replay_rows: list[dict] = []
    for group, n in (replay or REPLAY).items():
        replay_rows += sample(groups[group], n, rng)
    rng.shuffle(replay_rows)
    # held out: the same edits on the v1 dev pairs, to measure what stage 2 changes
    dev_detail = detail_pairs(read_pairs(data / "dev_base.jsonl.gz"), random.Random(seed + 23),
                              max_absent // 5, max_stated // 5)
    manifest: dict = {"recipe": "v1.1-stage2", "seed": seed, "files": {},
                      "parent_version": model_version()}
    files = {name: [Pair(**row) for row in rows] for name, rows in
             (("dev_detail", dev_detail), ("train_detail", detail), ("train_replay", replay_rows))}
    write_pair_files(data, files, manifest)
    (data / "manifest_stage2.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="folder built by training.data")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    manifest = build(Path(args.data), args.seed)
    for name, info in manifest["files"].items():
        log.info("%s: %d pairs, labels S/R/U %s", name, info["n"], info["labels"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
