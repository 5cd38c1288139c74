"""What a learned verdict head (``verify learn``) costs in a full ``check``: the same
claims checked with the head switched on and off, side by side, on a fresh copy of the
demo workspace whose checks were reviewed (each review = the rule's verdict, so the head
learns the rule back and the comparison measures time, not accuracy).

    python benchmarks/learned_head.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import fmt, machine_note, percentile, print_table  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="times each demo claim is timed")
    args = parser.parse_args()

    from verify.demo import DEMO_CLAIMS, ensure_demo_workspace

    with tempfile.TemporaryDirectory() as tmp:
        ws = ensure_demo_workspace(Path(tmp) / "demo")
        t0 = time.perf_counter()
        for _ in range(10):   # 60 reviewed checks
            for claim in DEMO_CLAIMS:
                result = ws.check(claim)
                ws.review(result.check_id, result.verdict, "benchmark")
        report = ws.learn_verdicts(activate=True)
        setup_s = time.perf_counter() - t0
        views = {"rule only": ws.with_settings(verdict=replace(ws.settings.verdict,
                                                               learned_head=False)),
                 "learned head on": ws}
        times: dict[str, list[float]] = {k: [] for k in views}
        verdicts: dict[str, list[str]] = {k: [] for k in views}
        order = list(views.items())
        for i, claim in enumerate(list(DEMO_CLAIMS) * args.rounds):
            for label, view in order[i % 2:] + order[:i % 2]:   # each goes first in turn
                start = time.perf_counter()
                result = view.check(claim, save=False)
                times[label].append((time.perf_counter() - start) * 1000)
                verdicts[label].append(result.verdict)
        ws.close()
    base = percentile(times["rule only"], 50)
    rows = [[label, len(t), fmt(percentile(t, 50), 1), fmt(percentile(t, 95), 1),
             f"{percentile(t, 50) / base:.3f}x"] for label, t in times.items()]
    print_table("full check latency on the demo corpus (ms), learned head off vs on",
                ["configuration", "checks", "p50", "p95", "p50 vs rule only"], rows)
    differ = sum(a != b for a, b in zip(verdicts["rule only"], verdicts["learned head on"],
                                        strict=True))
    print(f"head {report.head.head_id}: {report.why}")
    print(f"verdicts that differ between the two: {differ} of {len(verdicts['rule only'])}; "
          f"setup (60 checks, 60 reviews, learn) {setup_s:.1f} s")
    print(machine_note())


if __name__ == "__main__":
    main()
