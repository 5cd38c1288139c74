"""Ship a confidence calibrator: the one explicit step that replaces the package's copy.

``benchmarks/agreement.py --fit-calibration`` fits the calibrator and writes it outside the
package (``benchmarks/artifacts/calibrator.json`` by default); this copies a file it wrote
to ``verify/models/calibration/calibrator.json``, after checking that it reads back as a
fitted calibrator (not the identity):

    $ python benchmarks/agreement.py --limit 400 --quantemp-limit 0 --fit-calibration
    $ python -m training.ship_calibration benchmarks/artifacts/calibrator.json
"""

from __future__ import annotations

import argparse
from pathlib import Path

from verify.checks.calibration import CALIBRATOR_PATH, Calibrator


def ship(source: Path, target: Path = CALIBRATOR_PATH) -> Calibrator:
    """Copy the calibrator at ``source`` to ``target``; ValueError when it is not a fitted one."""
    calib = Calibrator.load(source)
    if not calib.coef:
        raise ValueError(f"{source}: not a fitted calibrator (missing, unreadable or identity)")
    calib.save(target)
    return calib


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibrator", type=Path, help="a file --fit-calibration wrote")
    parser.add_argument("--to", type=Path, default=CALIBRATOR_PATH,
                        help="where to write it (default: the package's shipped copy)")
    args = parser.parse_args(argv)
    calib = ship(args.calibrator, args.to)
    print(f"shipped calibrator {calib.version} to {args.to}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
