"""Full ``check`` latency: stance model in fp32 vs bf16 autocast, side by side, the cost
of the date view (bf16 with ``date_view`` off, in the same run), the stance model's
length-grouped batches against one padded batch per check (bf16, in the same run), and
scoring each distinct stance pair once with the passages parsed in one spaCy batch against
scoring every pair and parsing passage by passage (bf16, in the same run).

Every timed check starts with spaCy's parse cache empty, as a new claim's check would.

Runs on the demo workspace (built if needed) and, when the eval data is present, on SciFact
claims against a workspace given with ``--scifact-workspace`` (the agreement benchmark
caches one under benchmarks/artifacts/ws-scifact). Also reports the verdicts that differ
between the two precisions.

    python benchmarks/check_latency.py [--scifact-workspace benchmarks/artifacts/ws-scifact]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import add_data_option, fmt, machine_note, percentile, print_table  # noqa: E402

# label, stance precision, date view, stance batches grouped by length (else one padded batch)
CONFIGS = (("fp32", "fp32", True, True), ("bf16", "bf16", True, True),
           ("bf16-no-date-view", "bf16", False, True), ("bf16-one-batch", "bf16", True, False),
           ("bf16-every-pair", "bf16", True, True))
EVERY_PAIR = "bf16-every-pair"   # every stance pair scored, passages parsed one by one


def _no_priming(texts):  # type: ignore[no-untyped-def]
    """The baseline's spaCy: no batch, each passage parsed when its figures are read."""


def _time_checks(ws, claims):  # type: ignore[no-untyped-def]
    """p50/p95 ms and verdicts of full checks per configuration (precision, date view).

    The configurations take turns claim by claim, each going first in turn, so neither
    warm caches nor position favour one of them.
    """
    from dataclasses import replace

    import verify.checks.pipeline as check_module
    from verify.quantities import forget_parses
    from verify.stance.base import STANCE_MODELS
    from verify.stance.model import MODEL_DIR, TransformerStanceModel

    class EveryPair(TransformerStanceModel):
        """The baseline: pairs that repeat within a check are scored again."""

        def predict_distinct(self, claims, evidence):  # type: ignore[no-untyped-def]
            return self.predict_batch(claims, evidence)

    def model_name(label: str, precision: str, grouped: bool) -> str:
        return f"bench-{label}" if label == EVERY_PAIR else f"bench-{precision}-{grouped}"

    for label, precision, _, grouped in CONFIGS:
        kind = EveryPair if label == EVERY_PAIR else TransformerStanceModel
        STANCE_MODELS.register(model_name(label, precision, grouped),
                               lambda k=kind, p=precision, g=grouped: k(
                                   MODEL_DIR, precision=p, group_by_length=g),
                               replace=True)
    views = {}
    for label, precision, date_view, grouped in CONFIGS:
        views[label] = ws.with_settings(stance_model=model_name(label, precision, grouped),
                                        verdict=replace(ws.settings.verdict, date_view=date_view))
        views[label].check(claims[0], save=False)  # warm-up: loads the model
    primed = check_module.prime_quantities
    times: dict[str, list[float]] = {label: [] for label in views}
    verdicts: dict[str, list[str]] = {label: [] for label in views}
    order = list(views.items())
    for i, claim in enumerate(claims):
        for label, view in order[i % len(order):] + order[:i % len(order)]:
            forget_parses()
            check_module.prime_quantities = _no_priming if label == EVERY_PAIR else primed
            try:
                start = time.perf_counter()
                result = view.check(claim, save=False)
                times[label].append((time.perf_counter() - start) * 1000)
            finally:
                check_module.prime_quantities = primed
            verdicts[label].append(result.verdict)
    return {label: (percentile(times[label], 50), percentile(times[label], 95), verdicts[label])
            for label in views}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_data_option(parser)
    parser.add_argument("--scifact-workspace", default="benchmarks/artifacts/ws-scifact")
    args = parser.parse_args()

    from verify import Workspace
    from verify.config import eval_data_path
    from verify.demo import DEMO_CLAIMS, ensure_demo_workspace

    suites = []
    demo_ws = ensure_demo_workspace(Path("benchmarks/artifacts/ws-demo-latency"))
    suites.append(("demo corpus", demo_ws, list(DEMO_CLAIMS) * 3))
    data = eval_data_path(args.data)
    sci_path = Path(args.scifact_workspace)
    if data is not None and (sci_path / "verify.duckdb").is_file():
        claims = [json.loads(line)["claim"]
                  for line in (data / "claims/scifact/claims.jsonl").open(encoding="utf-8")]
        suites.append(("scifact (5,183 abstracts)", Workspace.open(sci_path, read_only=True),
                       claims[: args.limit or 60]))
    else:
        print(f"no SciFact workspace at {sci_path} (or no eval data); demo only")

    rows = []
    for label, ws, claims in suites:
        timed = _time_checks(ws, claims)
        (p50_32, p95_32, v32), (p50_16, p95_16, v16) = timed["fp32"], timed["bf16"]
        p50_nd, _, vnd = timed["bf16-no-date-view"]
        p50_ob, p95_ob, vob = timed["bf16-one-batch"]
        p50_ep, p95_ep, vep = timed[EVERY_PAIR]
        by_distinct = sum(a != b for a, b in zip(vep, v16, strict=True))
        by_batches = sum(a != b for a, b in zip(vob, v16, strict=True))
        changed = sum(a != b for a, b in zip(v32, v16, strict=True))
        by_date_view = sum(a != b for a, b in zip(vnd, v16, strict=True))
        rows.append([label, len(claims), fmt(p50_32, 0), fmt(p95_32, 0), fmt(p50_16, 0),
                     fmt(p95_16, 0), f"{p50_32 / p50_16:.2f}x", changed, fmt(p50_nd, 0),
                     f"{p50_16 / p50_nd:.2f}x", by_date_view, fmt(p50_ob, 0), fmt(p95_ob, 0),
                     f"{p50_ob / p50_16:.2f}x", by_batches, fmt(p50_ep, 0), fmt(p95_ep, 0),
                     f"{p50_ep / p50_16:.2f}x", by_distinct])
    print_table("full check latency (ms), stance model fp32 vs bf16 autocast; bf16 without "
                "the date view; bf16 in one padded batch per check instead of length groups; bf16 "
                "scoring every pair and parsing passage by passage",
                ["corpus", "claims", "fp32 p50", "fp32 p95", "bf16 p50", "bf16 p95",
                 "speed-up (p50)", "verdicts changed", "no date view p50",
                 "date view cost", "verdicts changed by it", "one batch p50", "one batch p95",
                 "length groups speed-up (p50)", "verdicts changed by them",
                 "every pair p50", "every pair p95", "distinct pairs speed-up (p50)",
                 "verdicts changed by it"], rows)
    print(machine_note())


if __name__ == "__main__":
    main()
