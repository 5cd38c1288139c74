"""CPU speed of the stance model: torch fp32 (safetensors) vs ONNX int8 (onnxruntime).

Prints a table with throughput (pairs/s, at each runtime's default batch size: 32 for
torch, 1 for ONNX int8), single-pair latency and, when an
eval file is given, macro-F1 of each, side by side in the same run, and the ratio.

Example:
    $ python -m training.speed --pairs .gpu/data/eval_mnli_heldout.jsonl.gz \
          --torch-model /tmp/stance/model --onnx-model verify/models/stance --n 320
"""

from __future__ import annotations

import argparse
import logging
import statistics
import time
from pathlib import Path

import numpy as np

from training.train import read_pairs, score
from verify.stance.model import MODEL_DIR, TransformerStanceModel

log = logging.getLogger(__name__)


def measure(model, claims: list[str], evidence: list[str], repeats: int = 20) -> dict:
    """Batch throughput over all pairs and median single-pair latency."""
    model.predict_batch(claims[:4], evidence[:4])  # warm-up
    t0 = time.perf_counter()
    model.predict_batch(claims, evidence)
    throughput = len(claims) / (time.perf_counter() - t0)
    lat = []
    for i in range(repeats):
        t = time.perf_counter()
        model.predict_batch([claims[i]], [evidence[i]])
        lat.append(time.perf_counter() - t)
    return {"pairs_per_s": throughput, "latency_ms": 1000 * statistics.median(lat)}


def main(argv: list[str] | None = None) -> int:
    """CLI entry: log the side-by-side table."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--torch-model", default=None, help="folder with model.safetensors")
    parser.add_argument("--onnx-model", default=str(MODEL_DIR), help="folder with the ONNX")
    parser.add_argument("--pairs", required=True, help="a built .jsonl.gz pair file")
    parser.add_argument("--n", type=int, default=320, help="pairs for the throughput run")
    parser.add_argument("--accuracy", action="store_true", help="also score the whole file")
    args = parser.parse_args(argv)
    rows = read_pairs(Path(args.pairs))
    claims, evidence = [r["claim"] for r in rows], [r["evidence"] for r in rows]
    runners = {}
    if args.torch_model:
        runners["torch fp32"] = TransformerStanceModel(args.torch_model, backend="torch")
    runners["onnx int8"] = TransformerStanceModel(args.onnx_model, backend="onnx")
    results = {}
    for name, runner in runners.items():
        results[name] = measure(runner, claims[:args.n], evidence[:args.n])
        if args.accuracy:
            probs = runner.predict_batch(claims, evidence)
            results[name]["f1"] = score(np.array([r["label"] for r in rows]), probs)["f1"]
    log.info(f"{'runtime':<12}{'batch':>6}{'pairs/s':>10}{'latency ms':>12}{'macroF1':>9}")
    for name, r in results.items():
        f1 = f"{r['f1']:.3f}" if "f1" in r else "-"
        batch = runners[name].batch_size
        log.info(f"{name:<12}{batch:>6}{r['pairs_per_s']:>10.1f}{r['latency_ms']:>12.1f}{f1:>9}")
    if len(results) == 2:
        a, b = results["torch fp32"], results["onnx int8"]
        log.info(f"ratio onnx/torch: throughput x{b['pairs_per_s'] / a['pairs_per_s']:.2f}, "
              f"latency x{b['latency_ms'] / a['latency_ms']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
