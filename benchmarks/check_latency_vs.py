"""Full ``check`` latency of this checkout against the checker at a pinned commit, in one run.

Both run the same SciFact claims (or the demo claims when the eval data or the SciFact
workspace is absent) against the same workspace, opened read-only, each in a process of
its own: the pinned commit's library comes from a temporary ``git worktree`` put first on
``PYTHONPATH``. Each timed check starts with spaCy's parse cache empty where the library
has one to empty, as a new claim's check would. Prints p50/p95 per version, the ratio, and
how many verdicts differ.

    python benchmarks/check_latency_vs.py [--ref 47bb52d] [--limit 60]   (claims timed per version)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent.parent))  # after PYTHONPATH: a pinned verify wins

from benchmarks._common import add_data_option, fmt, machine_note, percentile, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BASELINE_REF = "47bb52d"   # the last commit before issue 18's verdict rules


def _child(workspace: str, claims_file: str) -> None:
    """Time every claim's check with the ``verify`` on sys.path; print JSON to stdout."""
    import verify
    from verify import Workspace

    try:
        from verify.quantities import forget_parses
    except ImportError:  # a library without a parse cache
        def forget_parses() -> None:
            return None

    claims = json.loads(Path(claims_file).read_text(encoding="utf-8"))
    ws = Workspace.open(workspace, read_only=True)
    for claim in claims[:3]:   # warm-up: models loaded, index read
        ws.check(claim, save=False)
    times, verdicts = [], []
    for claim in claims:
        forget_parses()
        t0 = time.perf_counter()
        result = ws.check(claim, save=False)
        times.append((time.perf_counter() - t0) * 1000.0)
        verdicts.append(result.verdict)
    print(json.dumps({"verify": verify.__file__, "ms": times, "verdicts": verdicts}))


def _run(pythonpath: Path, workspace: Path, claims_file: Path) -> dict:
    """One version's timings, from a child process with ``pythonpath`` first."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath), HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, __file__, "--child", str(workspace), str(claims_file)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    add_data_option(parser)
    parser.add_argument("--ref", default=BASELINE_REF, help="the commit to compare against")
    parser.add_argument("--scifact-workspace", default=str(ROOT / "benchmarks/artifacts/ws-scifact"))
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return

    from verify.config import eval_data_path
    from verify.demo import DEMO_CLAIMS, ensure_demo_workspace

    data = eval_data_path(args.data)
    sci = Path(args.scifact_workspace)
    if data is not None and (sci / "verify.duckdb").is_file():
        label, workspace = "scifact (5,183 abstracts)", sci
        claims = [json.loads(line)["claim"]
                  for line in (data / "claims/scifact/claims.jsonl").open(encoding="utf-8")]
    else:
        print(f"no SciFact workspace at {sci} (or no eval data); timing the demo claims")
        label, workspace = "demo corpus", ROOT / "benchmarks/artifacts/ws-demo-latency"
        ensure_demo_workspace(workspace).close()
        claims = list(DEMO_CLAIMS) * 5
    claims = claims[: args.limit or 60]
    with tempfile.TemporaryDirectory(prefix="verify-latency-") as tmp:
        claims_file = Path(tmp) / "claims.json"
        claims_file.write_text(json.dumps(claims), encoding="utf-8")
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.ref],
                       check=True, capture_output=True)
        try:
            before = _run(tree, workspace, claims_file)
            after = _run(ROOT, workspace, claims_file)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False, capture_output=True)
    if not before["verify"].startswith(str(tree)):
        raise SystemExit(f"the baseline imported verify from {before['verify']}, not the worktree")
    p50_b, p50_a = percentile(before["ms"], 50), percentile(after["ms"], 50)
    changed = sum(a != b for a, b in zip(before["verdicts"], after["verdicts"], strict=True))
    print_table(f"full check latency (ms) on {label}: {len(claims)} claims, each version in its own "
                "process, parse cache emptied before every check",
                ["version", "p50", "p95", "p50 ratio (after / before)", "verdicts changed"],
                [[f"before ({args.ref})", fmt(p50_b, 0), fmt(percentile(before["ms"], 95), 0), "1.00x", "-"],
                 ["after (this checkout)", fmt(p50_a, 0), fmt(percentile(after["ms"], 95), 0),
                  f"{p50_a / p50_b:.2f}x", changed]])
    print("target: after p50 <= 300 ms ->", "met" if p50_a <= 300 else "NOT met")
    print(machine_note())


if __name__ == "__main__":
    main()
