"""Score a stance model folder on the built dev/eval sets and the probes (CPU).

Example:
    $ python -m training.evaluate --model verify/models/stance --data .gpu/data \
          --sets mnli_heldout,dev_base,dev_aug
    $ python -m training.evaluate --compare shipped.json candidate.json   # two --json runs
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np

from training.train import (
    EVAL_SETS,
    LABEL_NAMES,
    PROBES,
    probe_passed,
    read_pairs,
    score,
    set_path,
)
from verify.stance.model import TransformerStanceModel

log = logging.getLogger(__name__)


def evaluate(model: TransformerStanceModel, data: Path, sets: list[str],
             limit: int | None = None) -> dict:
    """Scores for each named set present in ``data`` plus the probes."""
    results: dict = {"eval": {}}
    for name in sets:
        path = set_path(data, name)
        if not path.exists():
            log.warning("%s: no %s, skipped", name, path)
            continue
        rows = read_pairs(path, limit)
        t0 = time.perf_counter()
        probs = model.predict_batch([r["claim"] for r in rows], [r["evidence"] for r in rows])
        results["eval"][name] = {**score(np.array([r["label"] for r in rows]), probs),
                                 "seconds": time.perf_counter() - t0}
    probs = model.predict_batch([c for c, _, _ in PROBES], [e for _, e, _ in PROBES])
    results["probes"] = [{"claim": c, "evidence": e, "expected": x, "probs": p.round(4).tolist(),
                          "got": LABEL_NAMES[int(p.argmax())]}
                         for (c, e, x), p in zip(PROBES, probs, strict=True)]
    results["probes_passed"] = sum(probe_passed(p["got"], p["expected"])
                                   for p in results["probes"])
    return results


def compare(before: dict, after: dict, names: tuple[str, str] = ("shipped", "candidate")) -> str:
    """Macro-F1 of two ``evaluate`` results side by side, with the difference in points."""
    lines = [f"{'set':<16}{'n':>6}{names[0]:>11}{names[1]:>11}{'diff (pt)':>11}"]
    for name, a in after["eval"].items():
        b = before["eval"].get(name)
        if b is None:
            continue
        lines.append(f"{name:<16}{a['n']:>6}{b['f1']:>11.3f}{a['f1']:>11.3f}"
                     f"{100 * (a['f1'] - b['f1']):>+11.1f}")
        if "f1_sr" in a and "f1_sr" in b:
            lines.append(f"{'  (S/R only)':<16}{'':>6}{b['f1_sr']:>11.3f}{a['f1_sr']:>11.3f}"
                         f"{100 * (a['f1_sr'] - b['f1_sr']):>+11.1f}")
    lines.append(f"{'probes':<16}{len(after['probes']):>6}{before['probes_passed']:>11}"
                 f"{after['probes_passed']:>11}"
                 f"{after['probes_passed'] - before['probes_passed']:>+11}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """CLI entry: print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=None, help="model folder (default: shipped)")
    parser.add_argument("--data", default=".gpu/data")
    parser.add_argument("--sets", default=",".join(EVAL_SETS))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--json", default=None, help="write the results here")
    parser.add_argument("--compare", nargs=2, default=None, metavar=("BEFORE.json", "AFTER.json"),
                        help="print two --json results side by side (no model is run)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.compare:
        before, after = (json.loads(Path(p).read_text(encoding="utf-8")) for p in args.compare)
        log.info(compare(before, after))
        return 0
    model = TransformerStanceModel(args.model) if args.model else TransformerStanceModel()
    res = evaluate(model, Path(args.data), [s for s in args.sets.split(",") if s], args.limit)
    lines = [f"{'set':<16}{'n':>6}{'acc':>8}{'macroF1':>9}{'F1(S/R)':>9}  recalls S/R/U"]
    for name, s in res["eval"].items():
        rec = "/".join(f"{s.get('recall_' + n, float('nan')):.2f}" for n in LABEL_NAMES)
        f1sr = f"{s['f1_sr']:.3f}" if "f1_sr" in s else "-"
        lines.append(f"{name:<16}{s['n']:>6}{s['acc']:>8.3f}{s['f1']:>9.3f}{f1sr:>9}  {rec}")
    lines.append(f"probes passed {res['probes_passed']}/{len(res['probes'])}")
    log.info("\n".join(lines))
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
