"""Dense index at scale: exact Flat vs IVF-SQ8 (the large-corpus type) on synthetic vectors.

Vectors are 384-d, L2-normalised, drawn from a mixture of 2,000 Gaussian
clusters (cosine about 0.5 within a cluster), because uniformly random
vectors have no neighbourhood structure to find. Queries are fresh draws
from the same mixture. Recall@10 is measured against exact (Flat) search.
Latency is one query at a time through ``DenseIndex.search`` (the code path
retrieval uses). Memory is the serialised index size plus the RSS growth
while building.

``--milvus`` adds milvus-lite (the ``milvus`` index backend without a server) as a column
beside the embedded index: the same vectors in a collection with the ``milvus`` backend's
local dense index (FLAT, inner product), inserted in chunks and flushed as a sync does,
then searched one query at a time through ``MilvusClient.search``. milvus-lite runs in this
process, so its memory is this process's RSS growth (plus its ``.db`` folder on disk). A
size it cannot hold within ``--milvus-budget-s`` seconds of inserting or
``--milvus-max-rss-mb`` of RSS growth is stopped and reported with the count it reached:
that is the limit measured.

    python benchmarks/scale.py                 # 100k and 1M
    python benchmarks/scale.py --sizes 100000  # quick
    python benchmarks/scale.py --sizes 100000,1000000 --milvus
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import sys
import tempfile
import time
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


def folder_mb(path: str) -> float:
    """Bytes under ``path`` in MB."""
    total = 0
    for root, _dirs, files in os.walk(path):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    return total / 1e6


def milvus_lite_row(n: int, vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray,
                    truth: np.ndarray, budget_s: float, max_rss_mb: float,
                    chunk: int = 10_000) -> list[str]:
    """milvus-lite holding ``vectors``: insert (stopped at the budget), flush, one query at a time."""
    from pymilvus import DataType, MilvusClient

    folder = tempfile.mkdtemp(prefix="scale-milvus")
    gc.collect()
    before = current_rss_mb()
    client = MilvusClient(os.path.join(folder, "milvus.db"))
    try:
        schema = client.create_schema(auto_id=False)
        schema.add_field("passage_id", DataType.INT64, is_primary=True)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=DIM)
        params = client.prepare_index_params()
        params.add_index("dense", index_type="FLAT", metric_type="IP")  # MilvusIndex's local index
        client.create_collection("scale", schema=schema, index_params=params,
                                 consistency_level="Strong")
        held = 0
        stop = ""
        began = time.perf_counter()
        with Timer() as t_build:
            for start in range(0, n, chunk):
                block = vectors[start:start + chunk]
                client.insert("scale", [{"passage_id": int(pid), "dense": vec.tolist()}
                                        for pid, vec in zip(ids[start:start + chunk], block, strict=True)])
                held = start + len(block)
                grown = current_rss_mb() - before
                elapsed = time.perf_counter() - began
                if held < n and (elapsed > budget_s or grown > max_rss_mb):
                    stop = (f"stopped at {held:,} vectors: {elapsed:.0f} s inserting, "
                            f"RSS +{grown:.0f} MB")
                    break
            if not stop:
                client.flush("scale")
        grown = current_rss_mb() - before
        disk = folder_mb(folder)
        if stop:
            print(f"milvus-lite n={n:,}: {stop}", flush=True)
            return [f"{n:,}", "milvus-lite FLAT", f"{t_build.seconds:.1f}", "-", "-", f"{disk:.0f} (disk)",
                    f"{grown:.0f}", stop]
        times, results = [], []
        for q in queries:
            with Timer() as t:
                found = client.search("scale", data=[q.tolist()], anns_field="dense", limit=10,
                                      output_fields=["passage_id"], search_params={"metric_type": "IP"})
            times.append(t.seconds * 1000)
            results.append([int(h["entity"]["passage_id"]) for h in found[0]])
        print(f"done milvus-lite n={n:,}: {t_build.seconds:.0f} s to insert and flush, "
              f"RSS +{grown:.0f} MB, {disk:.0f} MB on disk", flush=True)
        return [f"{n:,}", "milvus-lite FLAT", f"{t_build.seconds:.1f}", f"{percentile(times, 50):.2f}",
                f"{percentile(times, 95):.2f}", f"{disk:.0f} (disk)", f"{grown:.0f}",
                f"{recall_at(results, truth[:len(queries)]):.3f}"]
    finally:
        client.close()
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated corpus sizes")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--nprobe", default="8,16,32,64", help="IVF nprobe values to sweep")
    parser.add_argument("--milvus", action="store_true",
                        help="add milvus-lite (the milvus backend without a server) as a column")
    parser.add_argument("--milvus-queries", type=int, default=50,
                        help="queries timed against milvus-lite (the first of the same set)")
    parser.add_argument("--milvus-budget-s", type=float, default=900.0,
                        help="seconds of inserting after which milvus-lite is stopped at a size")
    parser.add_argument("--milvus-max-rss-mb", type=float, default=8000.0,
                        help="RSS growth after which milvus-lite is stopped at a size")
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
        del ivf
        gc.collect()
        if args.milvus:
            rows.append(milvus_lite_row(n, vectors, ids, queries[:args.milvus_queries], truth,
                                        args.milvus_budget_s, args.milvus_max_rss_mb))
        del vectors
        gc.collect()

    print_table("Dense index at scale (one query at a time, k=10)",
                ["vectors", "index", "build s", "p50 ms", "p95 ms", "index MB", "RSS growth MB",
                 "recall@10 vs exact"], rows)
    if args.milvus:
        print(f"milvus-lite: {args.milvus_queries} queries timed; its memory is this process's RSS "
              "growth while inserting and flushing (it runs in-process), its index MB the .db "
              "folder on disk; a row that says 'stopped at' is the limit measured.")
    print_table("IVF-SQ8 nprobe sweep", ["vectors", "nprobe", "p50 ms", "p95 ms", "recall@10 vs exact"], sweep)
    print(f"\nmachine: {machine_note()}")
    print(f"peak RSS {peak_rss_mb():.0f} MiB. Targets at 1M: p50 <= 50 ms, index <= 1,000 MB.")


if __name__ == "__main__":
    main()
