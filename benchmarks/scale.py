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

Sizes of ``--stream-min`` (2M) and more, or every size with ``--streamed``, take the
streamed path: the same vectors (same generator, same seeds, so a row is the same row)
are generated chunk by chunk and never held all at once (10M x 384 float32 is 15.4 GB).
The IVF-SQ8 index is built by the library's own ``DenseIndex._new_ivf`` (the code
``DenseIndex.build`` runs, same nlist, same seeded training sample, gathered in one
streamed pass), then filled chunk by chunk through ``DenseIndex.add``. The exact Flat row
is skipped there (it would hold every float32 vector); recall@10 ground truth comes from
a chunked exact scan of the same chunks. Build time excludes generating the vectors and
the exact scan; on-disk size is the written index file.

    python benchmarks/scale.py                 # 100k and 1M
    python benchmarks/scale.py --sizes 100000  # quick
    python benchmarks/scale.py --sizes 100000 --streamed   # streamed path, same figures
    python benchmarks/scale.py --sizes 10000000            # 10M, streamed
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def synthetic_chunks(n: int, seed: int, centres: np.ndarray,
                     chunk: int = 100_000) -> Iterator[tuple[int, np.ndarray]]:
    """(start, block) of ``n`` normalised vectors from the cluster mixture, chunk by chunk."""
    rng = np.random.default_rng(seed)
    for start in range(0, n, chunk):
        m = min(chunk, n - start)
        block = centres[rng.integers(0, len(centres), m)] + NOISE * rng.standard_normal((m, DIM), dtype=np.float32)
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        yield start, block


def synthetic(n: int, seed: int, centres: np.ndarray, chunk: int = 100_000) -> np.ndarray:
    """``n`` normalised vectors from the cluster mixture, generated in chunks."""
    out = np.empty((n, DIM), dtype=np.float32)
    for start, block in synthetic_chunks(n, seed, centres, chunk):
        out[start:start + len(block)] = block
    return out


class StreamedRows:
    """The ``n`` synthetic vectors without holding them: ``len`` and row gathers by one streamed pass."""

    def __init__(self, n: int, seed: int, centres: np.ndarray) -> None:
        self.n, self.seed, self.centres = n, seed, centres
        self.seconds = 0.0  # time spent generating, excluded from build time

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, rows: np.ndarray) -> np.ndarray:
        """The vectors at sorted row numbers ``rows``, gathered chunk by chunk."""
        with Timer() as t:
            rows = np.asarray(rows, dtype=np.int64)
            out = np.empty((len(rows), DIM), dtype=np.float32)
            for start, block in synthetic_chunks(self.n, self.seed, self.centres):
                lo, hi = np.searchsorted(rows, [start, start + len(block)])
                out[lo:hi] = block[rows[lo:hi] - start]
        self.seconds += t.seconds
        return out

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """Every row (only reached when ``n`` is below the training-sample limit)."""
        return self[np.arange(self.n)].astype(dtype or np.float32)


def exact_top10(truth_scores: np.ndarray, truth_ids: np.ndarray, queries: np.ndarray,
                block: np.ndarray, start: int) -> tuple[np.ndarray, np.ndarray]:
    """Merge one chunk's exact inner products into the running top-10 (ids are row + 1)."""
    sims = queries @ block.T
    top = np.argpartition(-sims, 10, axis=1)[:, :10] if sims.shape[1] > 10 else np.tile(
        np.arange(sims.shape[1]), (len(queries), 1))
    scores = np.concatenate([truth_scores, np.take_along_axis(sims, top, axis=1)], axis=1)
    ids = np.concatenate([truth_ids, top + start + 1], axis=1)
    keep = np.argsort(-scores, axis=1, kind="stable")[:, :10]
    return np.take_along_axis(scores, keep, axis=1), np.take_along_axis(ids, keep, axis=1)


def streamed_rows(n: int, centres: np.ndarray, queries: np.ndarray,
                  nprobes: list[int]) -> tuple[list[list[str]], list[list[Any]], float]:
    """IVF-SQ8 over ``n`` streamed vectors: table rows, nprobe sweep, index MB."""
    from verify.index.dense import DEFAULT_NPROBE, DenseIndex, choose_nlist

    rows: list[list[str]] = []
    sweep: list[list[Any]] = []
    nlist = choose_nlist(n)
    gc.collect()
    before = current_rss_mb()
    source = StreamedRows(n, seed=n, centres=centres)
    dense = DenseIndex(DIM)
    print(f"n={n:,}: training IVF{nlist},SQ8 (streamed sample pass)", flush=True)
    with Timer() as t_train:
        dense.index = dense._new_ivf(source)  # type: ignore[arg-type]  # the code DenseIndex.build runs
    dense.index_type, dense.trained_on = "ivf-sq8", n
    train_s = t_train.seconds - source.seconds
    gc.collect()
    print(f"n={n:,}: trained in {train_s:.0f} s (+{source.seconds:.0f} s generating the sample), "
          f"RSS +{current_rss_mb() - before:.0f} MB", flush=True)
    truth_scores = np.full((len(queries), 10), -np.inf, dtype=np.float32)
    truth_ids = np.zeros((len(queries), 10), dtype=np.int64)
    add_s = gen_s = 0.0
    began = time.perf_counter()
    chunks = synthetic_chunks(n, seed=n, centres=centres)
    while True:
        with Timer() as t_gen:
            item = next(chunks, None)
        gen_s += t_gen.seconds
        if item is None:
            break
        start, block = item
        truth_scores, truth_ids = exact_top10(truth_scores, truth_ids, queries, block, start)
        with Timer() as t_add:
            dense.add(block, np.arange(start + 1, start + len(block) + 1, dtype=np.int64))
        add_s += t_add.seconds
        del block, item
        done = dense.ntotal
        if done % 1_000_000 == 0 or done == n:
            elapsed = time.perf_counter() - began
            print(f"n={n:,}: added {done:,} ({add_s:.0f} s adding, {gen_s:.0f} s generating, "
                  f"{elapsed:.0f} s elapsed, ETA {elapsed / done * (n - done):.0f} s), "
                  f"RSS +{current_rss_mb() - before:.0f} MB, {machine_note()}", flush=True)
    gc.collect()
    grown = current_rss_mb() - before
    folder = tempfile.mkdtemp(prefix="scale-ivf")
    try:
        path = Path(folder) / "dense.faiss"
        dense.write(path)
        disk_mb = path.stat().st_size / 1e6
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    build_s = train_s + add_s
    rows.append([f"{n:,}", "Flat (exact)", "-", "-", "-", f"{n * DIM * 4 / 1e6:,.0f} (not built)", "-",
                 "skipped: would hold all float32 vectors; truth by chunked exact scan"])
    for nprobe in nprobes:
        dense.nprobe = nprobe
        times, results = latencies(dense, queries)
        sweep.append([f"{n:,}", nprobe, f"{percentile(times, 50):.2f}", f"{percentile(times, 95):.2f}",
                      f"{recall_at(results, truth_ids):.3f}"])
        if nprobe == DEFAULT_NPROBE:
            rows.append([f"{n:,}", f"IVF{nlist},SQ8 nprobe={nprobe} (streamed)", f"{build_s:.1f}",
                         f"{percentile(times, 50):.2f}", f"{percentile(times, 95):.2f}",
                         f"{disk_mb:.0f}", f"{grown:.0f}", f"{recall_at(results, truth_ids):.3f}"])
    print(f"done n={n:,} streamed: build {build_s:.0f} s (train {train_s:.0f}, add {add_s:.0f}), "
          f"generating {source.seconds + gen_s:.0f} s, index {disk_mb:.0f} MB on disk, RSS +{grown:.0f} MB, "
          f"{machine_note()}", flush=True)
    return rows, sweep, disk_mb


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
    parser.add_argument("--streamed", action="store_true",
                        help="take the streamed path (chunked generation, no Flat row) at every size")
    parser.add_argument("--stream-min", type=int, default=2_000_000,
                        help="sizes from this up always take the streamed path")
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
    rows: list[list[str]] = []
    sweep: list[list[Any]] = []
    for n in [int(s) for s in args.sizes.split(",")]:
        queries = synthetic(args.queries, seed=7, centres=centres)
        if args.streamed or n >= args.stream_min:
            if args.milvus:
                print(f"milvus-lite not run at {n:,}: the streamed path is the embedded index only",
                      flush=True)
            streamed, streamed_sweep, _ = streamed_rows(n, centres, queries,
                                                        [int(p) for p in args.nprobe.split(",")])
            rows += streamed
            sweep += streamed_sweep
            gc.collect()
            continue
        vectors = synthetic(n, seed=n, centres=centres)
        ids = np.arange(1, n + 1, dtype=np.int64)
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
