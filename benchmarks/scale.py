"""Dense index at scale: exact Flat vs IVF-SQ8 (the large-corpus type) on synthetic vectors.

Vectors are 384-d, L2-normalised, drawn from a mixture of 2,000 Gaussian
clusters (cosine about 0.5 within a cluster), because uniformly random
vectors have no neighbourhood structure to find. Queries are fresh draws
from the same mixture. Recall@10 is measured against exact (Flat) search.
Latency is one query at a time through ``DenseIndex.search`` (the code path
retrieval uses). Memory is the serialised index size plus the RSS growth
while building.

    python benchmarks/scale.py                 # 100k and 1M
    python benchmarks/scale.py --sizes 100000  # quick
"""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    Timer,
    current_rss_mb,
    machine_note,
    peak_rss_mb,
    percentile,
    print_table,
)

DIM = 384
CLUSTERS = 2000
NOISE = 1.0


def synthetic(n: int, seed: int, centres: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """``n`` normalised vectors from the cluster mixture, generated in chunks."""
    rng = np.random.default_rng(seed)
    out = np.empty((n, DIM), dtype=np.float32)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        block = centres[rng.integers(0, len(centres), m)] + NOISE * rng.standard_normal((m, DIM), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        out[start:start + m] = block
    return out


def latencies(index, queries: np.ndarray, k: int = 10) -> tuple[list[float], list[list[int]]]:  # type: ignore[no-untyped-def]
    """Per-query wall times (ms) and results, one query at a time."""
    times, results = [], []
    for q in queries:
        with Timer() as t:
            hits = index.search(q, k)
        times.append(t.seconds * 1000)
        results.append([pid for pid, _ in hits])
    return times, results


def recall_at(results: list[list[int]], truth: np.ndarray, k: int = 10) -> float:
    """Mean overlap of the top-k with the exact top-k."""
    return float(np.mean([len(set(r[:k]) & set(t[:k].tolist())) / k for r, t in zip(results, truth, strict=True)]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--nprobe", default="8,16,32,64", help="IVF nprobe values to sweep")
    args = parser.parse_args()

    import faiss

    from verify.index.dense import DEFAULT_NPROBE, DenseIndex, choose_nlist

    print(f"faiss {faiss.__version__}, {faiss.omp_get_max_threads()} threads, dim {DIM}, "
          f"{CLUSTERS} clusters, noise {NOISE}, {args.queries} queries; default nprobe {DEFAULT_NPROBE}; "
          f"{machine_note()}", flush=True)
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((CLUSTERS, DIM)).astype(np.float32)
    rows = []
    sweep = []
    for n in [int(s) for s in args.sizes.split(",")]:
        vectors = synthetic(n, seed=n, centres=centres)
        ids = np.arange(1, n + 1, dtype=np.int64)
        queries = synthetic(args.queries, seed=7, centres=centres)
        gc.collect()

        before = current_rss_mb()
        with Timer() as t_flat:
            flat = DenseIndex.build(vectors, ids, "flat")
        flat_rss = current_rss_mb() - before
        flat_bytes = flat.memory_bytes()
        _, truth = flat.index.search(queries, 10)
        flat_times, flat_results = latencies(flat, queries)
        rows.append([f"{n:,}", "Flat (exact)", f"{t_flat.seconds:.1f}", f"{percentile(flat_times, 50):.2f}",
                     f"{percentile(flat_times, 95):.2f}", f"{flat_bytes / 1e6:.0f}", f"{flat_rss:.0f}",
                     f"{recall_at(flat_results, truth):.3f}"])
        del flat
        gc.collect()

        before = current_rss_mb()
        with Timer() as t_ivf:
            ivf = DenseIndex.build(vectors, ids, "ivf-sq8")
        ivf_rss = current_rss_mb() - before
        ivf_bytes = ivf.memory_bytes()
        for nprobe in [int(p) for p in args.nprobe.split(",")]:
            ivf.nprobe = nprobe
            times, results = latencies(ivf, queries)
            sweep.append([f"{n:,}", nprobe, f"{percentile(times, 50):.2f}", f"{percentile(times, 95):.2f}",
                          f"{recall_at(results, truth):.3f}"])
            if nprobe == DEFAULT_NPROBE:
                rows.append([f"{n:,}", f"IVF{choose_nlist(n)},SQ8 nprobe={nprobe}", f"{t_ivf.seconds:.1f}",
                             f"{percentile(times, 50):.2f}", f"{percentile(times, 95):.2f}",
                             f"{ivf_bytes / 1e6:.0f}", f"{ivf_rss:.0f}", f"{recall_at(results, truth):.3f}"])
        print(f"done n={n:,}: flat {flat_bytes / 1e6:.0f} MB vs ivf-sq8 {ivf_bytes / 1e6:.0f} MB "
              f"(ratio {ivf_bytes / flat_bytes:.2f})", flush=True)
        del ivf, vectors
        gc.collect()

    print_table("Dense index at scale (one query at a time, k=10)",
                ["vectors", "index", "build s", "p50 ms", "p95 ms", "index MB", "RSS growth MB",
                 "recall@10 vs exact"], rows)
    print_table("IVF-SQ8 nprobe sweep", ["vectors", "nprobe", "p50 ms", "p95 ms", "recall@10 vs exact"], sweep)
    print(f"\nmachine: {machine_note()}")
    print(f"peak RSS {peak_rss_mb():.0f} MiB. Targets at 1M: p50 <= 50 ms, index <= 1,000 MB.")


if __name__ == "__main__":
    main()
