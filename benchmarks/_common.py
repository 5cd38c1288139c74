"""Small helpers shared by the benchmark scripts: data path, timers, RSS, tables.

Example:
    >>> from benchmarks._common import Timer, print_table
    >>> with Timer() as t:
    ...     _ = sum(range(1000))
    >>> print_table("demo", ["what", "seconds"], [["sum", f"{t.seconds:.4f}"]])  # doctest: +SKIP
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """``--data PATH`` (else $VERIFY_EVAL_DATA, else ../shared/data) and ``--limit N``."""
    parser.add_argument("--data", default=None,
                        help="eval data folder (default: $VERIFY_EVAL_DATA or ../shared/data)")
    parser.add_argument("--limit", type=int, default=None, help="use at most N items (quick runs)")


def data_path_or_exit(explicit: str | None, *needed: str) -> Path:
    """The eval data folder; exits 0 with a message when it (or a needed part) is absent."""
    from verify.config import eval_data_path

    root = eval_data_path(explicit)
    if root is None:
        print("eval data not found (pass --data or set VERIFY_EVAL_DATA); skipping")
        sys.exit(0)
    missing = [n for n in needed if not (root / n).exists()]
    if missing and len(missing) == len(needed):
        print(f"none of {', '.join(needed)} under {root}; skipping")
        sys.exit(0)
    return root


class Timer:
    """Context manager measuring wall time in seconds."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> Timer:
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self._start


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """Current resident memory of this process in MiB (Linux; else the peak)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except OSError:
        return peak_rss_mb()


def machine_note() -> str:
    """CPU count and load average, to print beside timings from a shared machine."""
    try:
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on this platform
        load = "n/a"
    return f"{os.cpu_count()} CPUs, load average {load}"


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of ``values``."""
    import numpy as np

    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else float("nan")


def fmt(value: Any, digits: int = 3) -> str:
    """Format a number for a table cell."""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def print_table(title: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a plain, aligned, markdown-compatible table."""
    cells = [[fmt(c) for c in row] for row in rows]
    widths = [max(len(str(h)), *(len(r[i]) for r in cells)) if cells else len(str(h))
              for i, h in enumerate(headers)]
    print(f"\n### {title}\n")
    print("| " + " | ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in cells:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |")
    sys.stdout.flush()
