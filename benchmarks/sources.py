"""Benchmark the source book: import speed, lookup throughput, Lin 2023 vs MBFC agreement.

Reads the public reliability files from the shared evaluation data (``--data`` or
``$VERIFY_EVAL_DATA``); skips cleanly when they are absent.

    python benchmarks/sources.py [--data PATH] [--lookups 200000]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from verify import Workspace
from verify.config import eval_data_path
from verify.sources import SourceBook
from verify.sources.book import _EFFECTIVE_SQL
from verify.sources.formats import parse_file
from verify.sources.scales import MBFC_REPORTING

FILES = {
    "lin2023": "lin2023_domain_pc1.csv",
    "mbfc": "mbfc_sources.json",
    "lasser": "lasser_domain_list.csv",
}
BANDS = ((0.0, 0.2), (0.2, 0.4), (0.4, 0.6), (0.6, 0.8), (0.8, 1.01))


def fresh_book() -> tuple[Workspace, SourceBook]:
    """An in-memory workspace whose book does not load the shipped seed."""
    ws = Workspace.in_memory()
    ws._sources = SourceBook(ws, seed=False)
    return ws, ws.sources


def bulk_import(path: Path, fmt: str, repeat: int = 3) -> tuple[float, int]:
    """SourceBook.import_file (parse + one bulk INSERT) -> (best seconds of ``repeat``, rows)."""
    from verify.sources.domains import parse_domain

    best, rows = float("inf"), 0
    for _ in range(repeat):
        parse_domain.cache_clear()  # no help from an earlier run's domain cache
        ws, book = fresh_book()
        t = time.perf_counter()
        report = book.import_file(path, fmt)
        best = min(best, time.perf_counter() - t)
        rows = report.rows_imported
        ws.close()
    return best, rows


def row_by_row_import(path: Path, fmt: str) -> tuple[float, int]:
    """Baseline: the same parse, then one INSERT statement per rating row."""
    ws, _ = fresh_book()
    t = time.perf_counter()
    parsed = parse_file(path, fmt)
    con = ws.db
    con.execute("BEGIN TRANSACTION")
    set_id = con.execute("INSERT INTO rating_sets (name, format) VALUES (?, ?) RETURNING rating_set_id",
                         [fmt, fmt]).fetchone()[0]
    for r in parsed.rows:
        con.execute("INSERT INTO ratings (domain, rater, rater_kind, rating_set_id, scale, raw_value, "
                    "reliability, label, rationale, method) VALUES (?, ?, 'rating_set', ?, ?, ?, ?, ?, ?, ?)",
                    [r.domain, fmt, set_id, r.scale, r.raw_value, r.reliability, r.label, r.rationale,
                     parsed.method])
    con.execute("COMMIT")
    elapsed = time.perf_counter() - t
    ws.close()
    return elapsed, len(parsed.rows)


def seed_time(repeat: int = 3) -> tuple[float, int]:
    """ensure_seed(): DuckDB read_csv insert of the shipped Lin 2023 figures (best of ``repeat``)."""
    best, n = float("inf"), 0
    for _ in range(repeat):
        ws = Workspace.in_memory()
        t = time.perf_counter()
        ws.sources.ensure_seed()
        best = min(best, time.perf_counter() - t)
        n = int(ws.db.execute("SELECT count(*) FROM ratings").fetchone()[0])
        ws.close()
    return best, n


def lookups(data: Path, n: int) -> list[tuple[str, float, float]]:
    """Cached SourceBook.reliability vs one SQL query per lookup."""
    ws = Workspace.in_memory()
    book = ws.sources
    book.import_file(data / FILES["mbfc"], "mbfc")
    book.rate("reuters.com", 0.9, rationale="benchmark", by="bench")
    domains = [d for (d,) in ws.db.execute("SELECT DISTINCT domain FROM ratings").fetchall()]
    rng = random.Random(7)
    sample = [rng.choice(domains) for _ in range(n)]
    sample[::10] = [f"unrated-{i % 1000}.example.com" for i in range(len(sample[::10]))]
    book.reliability("warm-up.com")
    t = time.perf_counter()
    for d in sample:
        book.reliability(d)
    cached = time.perf_counter() - t
    unseen = [f"www.never-seen-{i}.example.org" for i in range(min(n, 20_000))]
    t = time.perf_counter()
    for d in unseen:
        book.reliability(d)
    slow = time.perf_counter() - t
    per_domain_sql = _EFFECTIVE_SQL.replace(
        "ORDER BY l.canonical", "WHERE l.canonical = $domain ORDER BY l.canonical")
    m = min(n, 2000)
    t = time.perf_counter()
    for d in sample[:m]:
        ws.db.execute(per_domain_sql, {"domain": d}).fetchall()
    uncached = time.perf_counter() - t
    simple_sql = ("SELECT rater, rater_kind, reliability FROM ratings WHERE domain = ? "
                  "QUALIFY row_number() OVER (PARTITION BY CASE WHEN rater_kind = 'person' THEN '' "
                  "ELSE rater END ORDER BY valid_from DESC, rating_id DESC) = 1")
    t = time.perf_counter()
    for d in sample[:m]:
        parts = ws.db.execute(simple_sql, [d]).fetchall()
        sum(p[2] for p in parts) / len(parts) if parts else 0.5
    simple = time.perf_counter() - t
    cold = Workspace.in_memory()
    t = time.perf_counter()
    cold.reliability("reuters.com")
    first = time.perf_counter() - t
    cold.close()
    ws.close()
    return [("cached SourceBook.reliability", n / cached, cached / n * 1e6),
            ("  slow path: each domain seen for the first time", len(unseen) / slow,
             slow / len(unseen) * 1e6),
            ("uncached: one SQL query per lookup", m / uncached, uncached / m * 1e6),
            ("  uncached, simpler SQL (no aliases, no set weights)", m / simple, simple / m * 1e6),
            ("first lookup on a new workspace (seed + load)", 1 / first, first * 1e6)]


def spearman(xs: list[float], ys: list[float]) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(xs, ys).statistic)


def agreement(data: Path) -> None:
    """Spearman correlation on shared domains and MBFC label x Lin pc1 band confusion table."""
    lin = {r.domain: r.reliability for r in parse_file(data / FILES["lin2023"], "lin2023").rows}
    mbfc_rows = parse_file(data / FILES["mbfc"], "mbfc").rows
    mbfc = {r.domain: r for r in mbfc_rows}
    lasser = {r.domain: r.reliability for r in parse_file(data / FILES["lasser"], "lasser").rows}
    shared = sorted(set(lin) & set(mbfc))
    print("\nAgreement between rating sets on shared domains (normalised values)")
    print(f"{'pair':<22}{'shared domains':>16}{'Spearman rho':>15}")
    print(f"{'Lin 2023 vs MBFC':<22}{len(shared):>16}"
          f"{spearman([lin[d] for d in shared], [mbfc[d].reliability for d in shared]):>15.3f}")
    shared_l = sorted(set(lin) & set(lasser))
    print(f"{'Lin 2023 vs Lasser':<22}{len(shared_l):>16}"
          f"{spearman([lin[d] for d in shared_l], [lasser[d] for d in shared_l]):>15.3f}")
    shared_ml = sorted(set(mbfc) & set(lasser))
    print(f"{'MBFC vs Lasser':<22}{len(shared_ml):>16}"
          f"{spearman([mbfc[d].reliability for d in shared_ml], [lasser[d] for d in shared_ml]):>15.3f}")

    print("\nMBFC factual reporting (rows, our value) x Lin 2023 pc1 band (columns), domain counts")
    header = "".join(f"{f'{lo:.1f}-{min(hi, 1.0):.1f}':>10}" for lo, hi in BANDS)
    print(f"{'MBFC label':<24}{header}{'median pc1':>12}{'n':>7}")
    for label, value in sorted(MBFC_REPORTING.items(), key=lambda kv: -kv[1]):
        ds = [d for d in shared if mbfc[d].scale == "mbfc" and mbfc[d].raw_value == label]
        counts = [sum(1 for d in ds if lo <= lin[d] < hi) for lo, hi in BANDS]
        med = sorted(lin[d] for d in ds)[len(ds) // 2] if ds else float("nan")
        cells = "".join(f"{c:>10}" for c in counts)
        print(f"{label + f' ({value:.2f})':<24}{cells}{med:>12.2f}{len(ds):>7}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None, help="shared evaluation data folder")
    parser.add_argument("--lookups", type=int, default=200_000)
    args = parser.parse_args(argv)
    root = eval_data_path(args.data)
    data = root / "reliability" if root else None
    if data is None or not all((data / f).is_file() for f in FILES.values()):
        print("skipped: reliability data not found (set --data or VERIFY_EVAL_DATA)")
        return 0

    print("Import time (in-memory workspace; parse + validate + insert; bulk: best of 3, "
          "row-by-row: one run)")
    print(f"{'file':<26}{'rows':>8}{'bulk (s)':>11}{'row-by-row (s)':>16}{'ratio':>8}{'rows/s bulk':>13}")
    for fmt in ("lin2023", "mbfc", "lasser"):
        path = data / FILES[fmt]
        bulk_s, rows = bulk_import(path, fmt)
        slow_s, _ = row_by_row_import(path, fmt)
        print(f"{FILES[fmt]:<26}{rows:>8}{bulk_s:>11.3f}{slow_s:>16.3f}{slow_s / bulk_s:>7.1f}x"
              f"{rows / bulk_s:>13,.0f}")
    s, n = seed_time()
    print(f"{'shipped seed (read_csv)':<26}{n:>8}{s:>11.3f}{'':>16}{'':>8}{n / s:>13,.0f}")

    print(f"\nLookup throughput ({args.lookups:,} lookups over the MBFC + seed domains; 10% are "
          f"1,000 unrated domains)")
    print(f"{'method':<48}{'lookups/s':>14}{'us/lookup':>11}")
    rows_out = lookups(data, args.lookups)
    for name, rate, us in rows_out:
        print(f"{name:<48}{rate:>14,.0f}{us:>11.2f}")
    print(f"cached / uncached speed-up: {rows_out[0][1] / rows_out[2][1]:,.0f}x "
          f"(target >= 100,000 lookups/s: {'met' if rows_out[0][1] >= 100_000 else 'NOT met'})")

    agreement(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
