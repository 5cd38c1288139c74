"""Retrieval quality and speed: BM25 alone, dense alone and hybrid, side by side.

Datasets (from the shared eval data, never copied into the repo):
* ``claims/scifact``: claim -> its ``cited_doc_ids`` among 5,183 abstracts
  (809 train-split claims; BEIR's published BM25 nDCG@10 of ~0.67 is on the
  300-claim test split, so it is a reference point, not a like-for-like figure).
* ``claims/climate-fever``: claim -> the doc ids of its evidence sentences
  among the 5,240 sentences of its corpus.

Every query goes through the library's ``verify.retrieval.search`` on an
in-memory workspace (DuckDB + FAISS + bm25s), with the real MiniLM embedder.
Latency is per query, end to end (embedding, both searches, fusion, the
DuckDB metadata join), after a warm-up, excluding model load. Indexing
throughput is ``ws.sync_index()`` over all passages, set beside raw
``SentenceTransformer.encode`` on the same texts with the same batch size.

    python benchmarks/retrieval.py                      # both sets, whole abstracts
    python benchmarks/retrieval.py --limit 100          # quick: 100 claims a set
    python benchmarks/retrieval.py --scifact-mode both  # also 3-sentence passages
    python benchmarks/retrieval.py --backends hybrid,milvus   # + the milvus index column

With ``milvus`` among ``--backends`` (pymilvus + milvus-lite installed), the same corpus is
indexed a second time into a milvus-lite collection (``verify.index.milvus.MilvusIndex``;
the passage vectors are the embedded index's, handed over through a caching embedder, so
the corpus is embedded once) and the claims are run through the same ``search`` path: its
hybrid is one Milvus hybrid query (dense + Milvus's BM25, RRF inside Milvus).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    Timer,
    add_data_option,
    data_path_or_exit,
    machine_note,
    peak_rss_mb,
    percentile,
    print_table,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
RETRIEVERS = ("bm25", "dense", "hybrid")
DEPTH = 20
PASSAGE_SENTENCES = 3


@dataclass
class Dataset:
    """A corpus and its claims with relevant doc ids."""

    name: str
    docs: list[dict]
    queries: list[tuple[str, str, set[str]]]


def read_jsonl(path: Path) -> list[dict]:
    """Rows of a JSON-lines file."""
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load(root: Path, name: str, limit: int | None, corpus_limit: int | None) -> Dataset | None:
    """Load one dataset; None when it is absent."""
    folder = root / "claims" / name
    if not (folder / "claims.jsonl").exists() or not (folder / "corpus.jsonl").exists():
        print(f"{folder} not found; skipping {name}")
        return None
    docs = read_jsonl(folder / "corpus.jsonl")
    known = {d["doc_id"] for d in docs}
    queries = []
    for row in read_jsonl(folder / "claims.jsonl"):
        if name == "scifact":
            relevant = {str(d) for d in row.get("cited_doc_ids") or []}
        else:
            relevant = {e["doc_id"] for e in row.get("evidence") or []}
        relevant &= known
        if relevant and row.get("claim", "").strip():
            queries.append((row["id"], row["claim"], relevant))
    if limit:
        queries = queries[:limit]
    if corpus_limit and corpus_limit < len(docs):
        needed = set().union(*(q[2] for q in queries))
        others = [d for d in docs if d["doc_id"] not in needed][: max(0, corpus_limit - len(needed))]
        docs = [d for d in docs if d["doc_id"] in needed] + others
    return Dataset(name, docs, queries)


def passages_of(doc: dict, mode: str) -> list[str]:
    """Whole document (title + text), or windows of sentences prefixed by the title."""
    title = (doc.get("title") or "").strip()
    if mode == "whole" or not doc.get("sentences"):
        text = doc["text"].strip()
        return [f"{title}. {text}" if title and not text.startswith(title) else text]
    sentences = [s.strip() for s in doc["sentences"] if s.strip()]
    return [f"{title}. " + " ".join(sentences[i:i + PASSAGE_SENTENCES])
            for i in range(0, len(sentences), PASSAGE_SENTENCES)]


def build_workspace(ds: Dataset, mode: str):  # type: ignore[no-untyped-def]
    """An in-memory workspace holding the corpus; returns (ws, document_id -> doc_id, texts)."""
    from verify import Workspace

    ws = Workspace.in_memory()
    doc_rows, passage_rows, texts = [], [], []
    for i, doc in enumerate(ds.docs, start=1):
        doc_rows.append((i, doc["doc_id"], doc.get("title"), "bench", doc["text"], len(doc["text"])))
        for order, text in enumerate(passages_of(doc, mode)):
            passage_rows.append((i, order, text, 0, len(text)))
            texts.append(text)
    ws.db.executemany("INSERT INTO documents (document_id, origin_key, title, content_hash, text, char_count) "
                      "VALUES (?, ?, ?, ?, ?, ?)", doc_rows)
    ws.db.executemany("INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
                      "VALUES (?, ?, ?, ?, ?)", passage_rows)
    doc_of = {i: doc["doc_id"] for i, doc in enumerate(ds.docs, start=1)}
    return ws, doc_of, texts


def metrics(ranked: Sequence[str], relevant: set[str]) -> dict[str, float]:
    """recall@5, recall@20, nDCG@10 (binary gains) and MRR@20 for one query."""
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if d in relevant)
    idcg = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    rr = next((1 / (i + 1) for i, d in enumerate(ranked[:DEPTH]) if d in relevant), 0.0)
    return {"recall@5": len(set(ranked[:5]) & relevant) / len(relevant),
            "recall@20": len(set(ranked[:DEPTH]) & relevant) / len(relevant),
            "nDCG@10": dcg / idcg, "MRR": rr}


def doc_ranking(hits, doc_of: dict[int, str]) -> list[str]:  # type: ignore[no-untyped-def]
    """Documents in first-hit order (a document's best passage stands for it)."""
    seen: list[str] = []
    for h in hits:
        doc = doc_of[h.passage.document_id]
        if doc not in seen:
            seen.append(doc)
    return seen


def evaluate(ws, ds: Dataset, doc_of: dict[int, str], k: int,  # type: ignore[no-untyped-def]
             retrievers: Sequence[str] = RETRIEVERS, label: str = "") -> tuple[list[list], dict]:
    """Run every retriever over every claim; rows for the quality table and candidate lists."""
    from verify.retrieval import search

    rows = []
    cached: dict[str, list] = {}
    for name in retrievers:
        view = ws.with_settings(retriever=name)
        for _, claim, _ in ds.queries[:5]:  # warm-up
            search(view, claim, k=k)
        scores: dict[str, list[float]] = {m: [] for m in ("recall@5", "recall@20", "nDCG@10", "MRR")}
        times = []
        lists = []
        for _, claim, relevant in ds.queries:
            with Timer() as t:
                hits = search(view, claim, k=k)
            times.append(t.seconds * 1000)
            ranked = doc_ranking(hits, doc_of)
            lists.append(hits)
            for m, v in metrics(ranked, relevant).items():
                scores[m].append(v)
        cached[name] = lists
        rows.append([ds.name, label + name, len(ds.queries), *(float(np.mean(scores[m])) for m in scores),
                     f"{percentile(times, 50):.1f}", f"{percentile(times, 95):.1f}"])
        print(f"  {ds.name}/{label}{name}: nDCG@10 {np.mean(scores['nDCG@10']):.3f}", flush=True)
    return rows, cached


def milvus_index(ws, folder: Path):  # type: ignore[no-untyped-def]
    """The workspace's passages in a milvus-lite collection under ``folder``, built from the
    vectors the embedded index already holds (so the corpus is not embedded twice); the
    workspace searches it from now on. Returns the build seconds (upserts + BM25 in Milvus)."""
    from verify.embedders import Embedder
    from verify.index.milvus import MilvusIndex

    embedded = ws.index
    rows = ws.db.execute("SELECT passage_id, text FROM passages ORDER BY passage_id").fetchall()
    vectors = embedded.dense.vectors([r[0] for r in rows])
    known = {text: vectors[i] for i, (_, text) in enumerate(rows)}
    real = ws.embedder

    class Cached(Embedder):
        model_id = real.model_id
        dimension = real.dimension

        def embed_batch(self, texts: Sequence[str]) -> np.ndarray:
            return np.stack([known[t] if t in known else real.embed(t) for t in texts])

    index = MilvusIndex(ws.store, Cached(), uri=str(folder / "milvus.db"), collection="bench")
    with Timer() as t:
        index.sync(rebuild=True)
    ws.use_index(index)
    return t.seconds


def weight_sweep(ws, ds: Dataset, doc_of: dict[int, str], settings) -> list[list]:  # type: ignore[no-untyped-def]
    """nDCG@10 of weighted RRF for a few dense:lexical weights, from cached candidate lists."""
    from verify.index.retrievers import weighted_rrf

    index = ws.index
    depth = settings.candidates
    dense_lists, lexical_lists = [], []
    for _, claim, _ in ds.queries:
        vec = ws.embedder.embed(claim)
        dense_lists.append(index.dense_search(vec, depth))
        lexical_lists.append(index.lexical_search(claim, depth))
    doc_of_passage = dict(ws.db.execute("SELECT passage_id, document_id FROM passages").fetchall())
    rows = []
    for wd, wl in ((1.0, 0.0), (2.0, 1.0), (1.0, 1.0), (1.0, 2.0), (0.0, 1.0)):
        vals = []
        for (_, _, relevant), d, lx in zip(ds.queries, dense_lists, lexical_lists, strict=True):
            fused = weighted_rrf([d, lx], [wd, wl], settings.rrf_k)
            ranked: list[str] = []
            for pid, _ in fused:
                doc = doc_of[doc_of_passage[pid]]
                if doc not in ranked:
                    ranked.append(doc)
            vals.append(metrics(ranked, relevant)["nDCG@10"])
        rows.append([ds.name, f"{wd:g} : {wl:g}", float(np.mean(vals))])
    return rows


def throughput(ds: Dataset, mode: str, sample: int) -> list:
    """Index-build throughput vs raw SentenceTransformer.encode on the same texts.

    Alternates raw, sync, raw, sync on the first ``sample`` passages (a fresh
    workspace per sync) and keeps the faster run of each, so a busy shared
    machine penalises both sides alike.
    """
    from verify.embedders import get_embedder

    model = get_embedder("minilm").model  # type: ignore[attr-defined]
    small = Dataset(ds.name, ds.docs, ds.queries)
    raw_s, sync_s, n = [], [], 0
    for _ in range(2):
        ws, _, texts = build_workspace(small, mode)
        keep = texts[:sample]
        if len(texts) > sample:  # trim the store to the sample
            ws.db.execute("DELETE FROM passages WHERE passage_id > (SELECT min(passage_id) + ? - 1 FROM passages)",
                          [sample])
        n = len(keep)
        with Timer() as t_raw:
            model.encode(keep, batch_size=64, normalize_embeddings=True, convert_to_numpy=True,
                         show_progress_bar=False)
        with Timer() as t_sync:
            ws.sync_index()
        ws.close()
        raw_s.append(t_raw.seconds)
        sync_s.append(t_sync.seconds)
    raw_rate, sync_rate = n / min(raw_s), n / min(sync_s)
    return [n, f"{sync_rate:.1f}", f"{raw_rate:.1f}", f"{sync_rate / raw_rate:.0%}"]


def bm25_persistence(ws, folder: Path) -> list:  # type: ignore[no-untyped-def]
    """Rebuild BM25 from DuckDB vs save + load with bm25s."""
    from verify.index.lexical import LexicalIndex

    with Timer() as t_build:
        rows = ws.db.execute("SELECT passage_id, text FROM passages ORDER BY passage_id").fetchall()
        lexical = LexicalIndex.build([r[1] for r in rows], [r[0] for r in rows])
    folder.mkdir(parents=True, exist_ok=True)
    with Timer() as t_save:
        lexical.write(folder)
    with Timer() as t_load:
        LexicalIndex.read(folder)
    return [lexical.size, f"{t_build.seconds * 1000:.0f}", f"{t_save.seconds * 1000:.0f}",
            f"{t_load.seconds * 1000:.0f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_option(parser)
    parser.add_argument("--corpus-limit", type=int, default=None,
                        help="at most N corpus documents (the claims' own documents are kept)")
    parser.add_argument("--sets", default="scifact,climate-fever")
    parser.add_argument("--scifact-mode", choices=("whole", "passages", "both"), default="whole",
                        help="index whole abstracts or 3-sentence passages")
    parser.add_argument("--throughput-sample", type=int, default=256,
                        help="passages for the sync-vs-raw-encode comparison (0: skip it)")
    parser.add_argument("--backends", default="hybrid",
                        help="index backends to compare: hybrid (embedded FAISS + BM25), milvus "
                             "(milvus-lite; needs pymilvus and milvus-lite)")
    args = parser.parse_args()
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    root = data_path_or_exit(args.data, "claims/scifact", "claims/climate-fever")

    import tempfile

    from verify.config import RetrievalSettings
    from verify.embedders import get_embedder

    with Timer() as t_model:
        get_embedder("minilm")
    print(f"model load {t_model.seconds:.1f}s (excluded from every figure below); {machine_note()}", flush=True)
    settings = RetrievalSettings()
    quality, speed, build, sweep, persist, side = [], [], [], [], [], []
    for name in args.sets.split(","):
        ds = load(root, name, args.limit, args.corpus_limit)
        if ds is None:
            continue
        modes = ["whole", "passages"] if (name == "scifact" and args.scifact_mode == "both") else \
            [args.scifact_mode if name == "scifact" else "whole"]
        for mode in modes:
            label = f"{name} ({mode})"
            print(f"{label}: {len(ds.docs)} docs, {len(ds.queries)} claims", flush=True)
            build.append([label, *(throughput(ds, mode, args.throughput_sample)
                                   if args.throughput_sample else ["-"] * 4)])
            ws, doc_of, texts = build_workspace(ds, mode)
            with Timer() as t_full:
                status = ws.sync_index()
            build[-1] += [status.vectors, f"{t_full.seconds:.1f}", f"{status.vectors / t_full.seconds:.1f}"]
            labelled = Dataset(label, ds.docs, ds.queries)
            k = DEPTH if mode == "whole" else 5 * DEPTH
            rows, _ = evaluate(ws, labelled, doc_of, k)
            quality += [r[:7] for r in rows]
            speed += [[r[0], r[1], r[7], r[8]] for r in rows]
            sweep += weight_sweep(ws, labelled, doc_of, settings)
            with tempfile.TemporaryDirectory() as tmp:
                persist.append([label, *bm25_persistence(ws, Path(tmp))])
            if "milvus" in backends:
                with tempfile.TemporaryDirectory() as tmp:
                    seconds = milvus_index(ws, Path(tmp))
                    print(f"  milvus-lite collection built in {seconds:.1f}s", flush=True)
                    mrows, _ = evaluate(ws, labelled, doc_of, k, ("hybrid",), label="milvus ")
                    ws.index.close()
                quality += [r[:7] for r in mrows]
                speed += [[r[0], r[1], r[7], r[8]] for r in mrows]
                emb = next(r for r in rows if r[1] == "hybrid")
                mil = mrows[0]
                side.append([label, f"{emb[5]:.3f}", f"{mil[5]:.3f}", f"{mil[5] - emb[5]:+.3f}",
                             f"{emb[4]:.3f}", f"{mil[4]:.3f}", f"{mil[4] - emb[4]:+.3f}",
                             emb[7], mil[7], f"{seconds:.1f}"])
            ws.close()

    print_table("Retrieval quality (document level; hybrid = weighted RRF, "
                f"weights {settings.dense_weight:g}:{settings.lexical_weight:g}, rrf_k {settings.rrf_k}, "
                f"{settings.candidates} candidates each)",
                ["dataset", "retriever", "claims", "recall@5", "recall@20", "nDCG@10", "MRR"], quality)
    print_table("Query latency (ms, end to end, excluding model load)",
                ["dataset", "retriever", "p50", "p95"], speed)
    print_table("Indexing throughput: ws.sync_index() vs raw SentenceTransformer.encode (batch 64), "
                "best of 2 alternating runs on a sample; then the full index build",
                ["dataset", "sample", "sync passages/s", "raw encode passages/s", "ratio",
                 "full: passages", "full: sync s", "full: passages/s"], build)
    print_table("Fusion weight sensitivity (dense : lexical, nDCG@10; default 1 : 1)",
                ["dataset", "weights", "nDCG@10"], sweep)
    print_table("BM25: rebuild from DuckDB vs bm25s save/load (ms)",
                ["dataset", "docs", "rebuild", "save", "load"], persist)
    if side:
        print_table("Embedded hybrid (FAISS + bm25s, RRF in verify) vs milvus hybrid (milvus-lite: "
                    "dense + Milvus BM25, RRF in one Milvus hybrid query)",
                    ["dataset", "nDCG@10 embedded", "nDCG@10 milvus", "diff",
                     "recall@20 embedded", "recall@20 milvus", "diff",
                     "p50 ms embedded", "p50 ms milvus", "milvus build s"], side)
    print(f"\nmachine: {machine_note()}")
    print(f"peak RSS {peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
