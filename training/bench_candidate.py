"""Run ``benchmarks/agreement.py`` with a candidate stance model folder, not the shipped one.

The candidate (a folder written by ``training.ship --out DIR``: weights, tokenizer,
config and ``version.json``) is registered as ``verify-stance-candidate`` and the
benchmark is run with ``--stance-model verify-stance-candidate``, through the same CPU
pipeline (retrieval, views, verdict rule) as the shipped model. Its stance cache is keyed
by the candidate's version, so it never mixes with the shipped model's.

Example (claim level, candidate vs shipped, same code and the same 200 claims per set):

    $ python -m training.bench_candidate --model /tmp/stance-v1k-out/candidate -- \\
          --limit 200 --sections claims --no-baseline
    $ python benchmarks/agreement.py --limit 200 --sections claims --no-baseline
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

CANDIDATE = "verify-stance-candidate"
BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def main(argv: list[str] | None = None) -> int:
    """Register the candidate and hand the remaining arguments to the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", required=True, help="candidate folder (with version.json)")
    parser.add_argument("--artifacts", default=None,
                        help="the benchmark's workspace and cache folder (default: its own)")
    parser.add_argument("rest", nargs=argparse.REMAINDER,
                        help="arguments for benchmarks/agreement.py (after --)")
    args = parser.parse_args(argv)
    rest = [a for a in args.rest if a != "--"]
    if any(a == "--stance-model" or a.startswith("--stance-model=") for a in rest):
        parser.error("--stance-model is set by this wrapper")
    from verify.stance.base import STANCE_MODELS
    from verify.stance.model import TransformerStanceModel

    folder = Path(args.model)
    STANCE_MODELS.register(CANDIDATE, lambda: TransformerStanceModel(folder), replace=True)
    sys.path.insert(0, str(BENCHMARKS))
    import agreement  # type: ignore[import-not-found]

    if args.artifacts:
        target = Path(args.artifacts)
        seed_artifacts(Path(agreement.ARTIFACTS), target)
        agreement.ARTIFACTS = target
    return int(agreement.main(rest + ["--stance-model", CANDIDATE]) or 0)


def seed_artifacts(source: Path, target: Path) -> None:
    """Copy the built claim-set workspaces (``ws-*/BUILT``) and the ``*.pkl`` caches of
    ``source`` into ``target`` where ``target`` lacks them."""
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for ws in sorted(source.glob("ws-*")):
        if (ws / "BUILT").is_file() and not (target / ws.name / "BUILT").is_file():
            shutil.copytree(ws, target / ws.name, dirs_exist_ok=True)
    for cache in sorted(source.glob("*.pkl")):
        if not (target / cache.name).is_file():
            shutil.copy2(cache, target / cache.name)


if __name__ == "__main__":
    raise SystemExit(main())
