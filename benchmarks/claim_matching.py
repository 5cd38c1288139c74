"""Has this been fact-checked before? Claim matching on CLEF 2020 CheckThat! task 2.

The 10,375 verified claims (Snopes, with their headlines) are imported into a workspace's
fact-check archive through the library (import throughput in fact-checks/s; a second import
must add nothing), the archive index is built with the workspace embedder (real MiniLM,
FAISS, BM25; index time), and every tweet is matched. Side by side, on the dev queries:

- BM25 alone, dense alone (cosine to the claim or its headline), hybrid (the default
  scorer over both, :data:`verify.archive.matching.DEFAULT_RERANKER`), and hybrid + a
  re-ranker fitted on the *train* queries only (never on dev), each with the p50 latency
  per dev query of what it runs (BM25 search; embedding + FAISS; ``ws.match``);
- the hybrid rows as ``ws.match`` ranks: copies of one claim (equal but for case,
  punctuation and quote style) share their best score and the earliest comes first
  (:func:`verify.archive.matching.pool_same_claims`); one row shows the re-ranker without
  that, as before;
- MAP@1, MAP@3, MAP@5 (trec_eval map_cut: precision at each relevant rank / relevant
  count), MRR and recall@10, plus "distinct MAP@5", where copies of one claim count as one
  (the measure of the content ranking whatever the tie-break between copies), the
  candidate recall (the ceiling of any re-ranker over the candidates) and how often the
  qrels' fact-check has a copy in the archive.

    python benchmarks/claim_matching.py [--data PATH] [--limit N] [--workdir DIR]
                                        [--save-reranker FILE]

Data: ``claim-matching/`` under --data, $VERIFY_EVAL_DATA or ../shared/data (skipped
cleanly when absent).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import add_data_option, data_path_or_exit, machine_note, print_table  # noqa: E402

URL = "https://clef2020.invalid/vclaim/{}"


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a TSV after its header."""
    csv.field_size_limit(10_000_000)
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]


def read_qrels(path: Path) -> dict[str, set[str]]:
    """query id -> relevant vclaim ids."""
    out: dict[str, set[str]] = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[3] != "0":
            out.setdefault(parts[0], set()).add(parts[2])
    return out


def average_precision(ranked: list[str], relevant: set[str], k: int) -> float:
    """trec_eval map_cut at k for one query."""
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k], 1):
        if doc in relevant:
            hits += 1
            total += hits / i
    return total / len(relevant) if relevant else 0.0


def metrics(rankings: dict[str, list[str]], qrels: dict[str, set[str]]) -> dict[str, float]:
    """MAP@1/3/5, MRR, recall@10 over the queries of ``qrels``."""
    out: dict[str, list[float]] = {k: [] for k in ("MAP@1", "MAP@3", "MAP@5", "MRR", "R@10")}
    for qid, relevant in qrels.items():
        ranked = rankings.get(qid, [])
        for k in (1, 3, 5):
            out[f"MAP@{k}"].append(average_precision(ranked, relevant, k))
        rr = next((1.0 / i for i, d in enumerate(ranked, 1) if d in relevant), 0.0)
        out["MRR"].append(rr)
        out["R@10"].append(len(set(ranked[:10]) & relevant) / len(relevant))
    return {k: float(np.mean(v)) if v else 0.0 for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_data_option(parser)
    parser.add_argument("--workdir", default=None,
                        help="keep the workspace here (reused: the archive is not re-imported)")
    parser.add_argument("--save-reranker", default=None,
                        help="write the re-ranker fitted on train here (JSON)")
    parser.add_argument("--c", type=float, default=1.0, help="re-ranker regularisation C")
    parser.add_argument("--reuse-index", action="store_true",
                        help="with --workdir: keep an archive index built by an earlier run "
                             "(its build time is the one recorded then)")
    args = parser.parse_args()
    root = data_path_or_exit(args.data, "claim-matching") / "claim-matching"
    for part in ("verified_claims.tsv", "train/queries.tsv", "train/qrels.tsv",
                 "dev/queries.tsv", "dev/qrels.tsv"):
        if not (root / part).is_file():
            print(f"{root / part} is missing; skipping")
            return

    from verify import Workspace
    from verify.archive import archive_index
    from verify.archive.matching import (
        DEFAULT_RERANKER,
        FEATURES,
        MATCH_THRESHOLD,
        Reranker,
        candidates,
        featurise,
        load_fact_checks,
        pool_same_claims,
        same_claim_key,
    )
    from verify.archive.normalise import for_matching

    print(f"# claim matching (CLEF 2020 CheckThat! 2): {machine_note()}")
    vclaims = read_tsv(root / "verified_claims.tsv")
    if args.limit:
        vclaims = vclaims[: args.limit]
    temp = None
    if args.workdir:
        wsdir = Path(args.workdir).resolve()
    else:
        temp = tempfile.mkdtemp(prefix="claim-matching-")
        wsdir = Path(temp) / "ws"
    try:
        ws = Workspace.open(wsdir)
        archive = wsdir.parent / f"{wsdir.name}-vclaims.jsonl"
        with archive.open("w", encoding="utf-8") as fh:
            for row in vclaims:
                vid, claim, title = row[0], row[1], row[2] if len(row) > 2 else ""
                fh.write(json.dumps({"claim": claim, "title": title, "url": URL.format(vid),
                                     "organisation": "Snopes"}) + "\n")
        from verify.archive.importers import import_fact_checks as raw_import

        started = time.perf_counter()
        from verify.store import Store

        scratch = Store.memory()   # throughput on an empty archive, whatever --workdir holds
        first = raw_import(scratch, archive)
        import_s = time.perf_counter() - started
        second = raw_import(scratch, archive)
        scratch.close()
        raw_import(ws.store, archive)
        print(f"import: {first.read} read, {first.added} added in {import_s:.2f}s "
              f"({first.read / max(import_s, 1e-9):,.0f} fact-checks/s); second import added "
              f"{second.added}, {second.already_there} already there; "
              f"{len(first.problems)} problems")
        index_dir = wsdir / "archive_index"
        if not args.reuse_index:
            shutil.rmtree(index_dir, ignore_errors=True)
        started = time.perf_counter()
        index = archive_index(ws, progress=True)
        index_s = time.perf_counter() - started
        if args.reuse_index:
            index_s = index.built_seconds
        print(f"archive index: {len(index.ids)} fact-checks, {index.dense.ntotal} vectors "
              f"({ws.embedder.model_id}) in {index_s:.1f}s")
        id_to_vclaim = {fc_id: (fc.url or "").rsplit("/", 1)[-1] for fc_id, fc in
                        load_fact_checks(ws.store, [int(i) for i in index.ids]).items()}
        rows_ = ws.store.execute("SELECT fact_check_id, claim, title FROM fact_checks").fetchall()
        fc_texts = {i: f"{c} {t or ''}" for i, c, t in rows_}
        same = {i: same_claim_key(c) for i, c, _ in rows_}
        copy_of = {id_to_vclaim[i]: same[i] for i in id_to_vclaim}
        id_to_fc = {v: i for i, v in id_to_vclaim.items()}

        def featurised(split: str) -> tuple[dict[str, Any], dict[str, set[str]]]:
            queries = {r[0]: r[1] for r in read_tsv(root / split / "queries.tsv") if len(r) > 1}
            qrels = {q: rel for q, rel in read_qrels(root / split / "qrels.tsv").items()
                     if q in queries}
            texts = {q: for_matching(t, index.word_count) for q, t in queries.items()
                     if q in qrels}
            vectors = ws.embedder.embed_many(list(texts.values()))
            out: dict[str, Any] = {}
            for (qid, text), vector in zip(texts.items(), vectors, strict=True):
                items = candidates(index, text, vector)
                out[qid] = (items, featurise(text, items, fc_texts, index.idf))
            return out, qrels

        train, train_qrels = featurised("train")
        dev, dev_qrels = featurised("dev")

        def ranked(data: dict[str, Any], key: Any, pooled: bool) -> dict[str, list[str]]:
            out = {}
            for qid, (items, x) in data.items():
                scores = np.asarray(key(items, x), np.float64)
                if pooled:
                    scores = pool_same_claims(scores, [same[c.fact_check_id] for c in items])
                order = sorted(range(len(items)),
                               key=lambda j: (-scores[j], items[j].fact_check_id))
                out[qid] = [id_to_vclaim[items[j].fact_check_id] for j in order]
            return out

        def distinct(rankings: dict[str, list[str]],
                     qrels: dict[str, set[str]]) -> dict[str, float]:
            """The metrics with copies of one claim counted as one."""
            return metrics({q: list(dict.fromkeys(copy_of[v] for v in r))
                            for q, r in rankings.items()},
                           {q: {copy_of[v] for v in rel} for q, rel in qrels.items()})

        def labels(data: dict[str, Any],
                   qrels: dict[str, set[str]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            xs, ys, groups = [], [], []
            for number, (qid, (items, x)) in enumerate(data.items()):
                xs.append(x)
                ys += [int(id_to_vclaim[c.fact_check_id] in qrels[qid]) for c in items]
                groups += [number] * len(items)
            return np.vstack(xs), np.asarray(ys), np.asarray(groups)

        x_train, y_train, g_train = labels(train, train_qrels)
        learned = Reranker.fit(x_train, y_train, "CLEF 2020 CheckThat! 2 train queries", c=args.c,
                               groups=g_train)
        if args.save_reranker:
            learned.save(Path(args.save_reranker))
        queries = {r[0]: r[1] for r in read_tsv(root / "dev" / "queries.tsv") if len(r) > 1}
        dev_texts = [queries[qid] for qid in dev_qrels]
        memo = getattr(ws.embedder, "_memo", None)   # the embedder's memo of recent texts
        from verify.archive.matching import RERANKER_FILE

        saved_rr, aside = wsdir / RERANKER_FILE, wsdir / f"{RERANKER_FILE}.aside"
        if saved_rr.is_file():
            saved_rr.replace(aside)
        learned.save(wsdir / "learned-reranker.json")
        runs = {
            "BM25 alone": lambda t: index.lexical_candidates(for_matching(t, index.word_count), 10),
            "dense alone": lambda t: index.dense_candidates(
                ws.embedder.embed(for_matching(t, index.word_count)), 20),
            "hybrid (default scorer)": lambda t: ws.match(t, k=5),
            "hybrid + re-ranker (train)": lambda t: ws.match(t, k=5),
        }
        times: dict[str, list[float]] = {name: [] for name in runs}
        for text in dev_texts:          # interleaved, so a busy machine slows each alike
            for name, run in runs.items():
                if memo is not None:
                    memo.clear()        # every query embedded afresh
                if name == "hybrid + re-ranker (train)":
                    (wsdir / "learned-reranker.json").replace(saved_rr)
                started = time.perf_counter()
                run(text)
                times[name].append(time.perf_counter() - started)
                if saved_rr.is_file():
                    saved_rr.replace(wsdir / "learned-reranker.json")
        (wsdir / "learned-reranker.json").unlink()
        if aside.is_file():
            aside.replace(saved_rr)
        latency = {name: 1000 * statistics.median(t) for name, t in times.items()}
        systems = {
            "BM25 alone": (lambda items, x: [c.bm25 for c in items], False),
            "dense alone": (lambda items, x: [max(c.cos_claim, c.cos_title) for c in items],
                            False),
            "hybrid (default scorer)": (lambda items, x: DEFAULT_RERANKER.score(x), True),
            "hybrid + re-ranker (train)": (lambda items, x: learned.score(x), True),
            "hybrid + re-ranker, copies not pooled": (lambda items, x: learned.score(x), False),
        }
        rows = []
        for name, (key, pooled) in systems.items():
            for split, data, qrels in (("dev", dev, dev_qrels), ("train", train, train_qrels)):
                got = ranked(data, key, pooled)
                m, d = metrics(got, qrels), distinct(got, qrels)
                ms = f"{latency[name]:.1f}" if split == "dev" and name in latency else ""
                rows.append([name, split, *(f"{m[k]:.3f}" for k in m), f"{d['MAP@5']:.3f}", ms])
        ceiling = {split: float(np.mean([any(id_to_vclaim[c.fact_check_id] in qrels[q]
                                             for c in data[q][0]) for q in qrels]))
                   for split, data, qrels in (("dev", dev, dev_qrels), ("train", train, train_qrels))}
        print_table(f"claim matching, {len(dev_qrels)} dev / {len(train_qrels)} train queries "
                    f"against {len(index.ids)} fact-checks",
                    ["system", "split", "MAP@1", "MAP@3", "MAP@5", "MRR", "R@10",
                     "distinct MAP@5", "p50 ms"], rows)
        print(f"candidate recall (ceiling of any re-ranker): dev {ceiling['dev']:.3f}, "
              f"train {ceiling['train']:.3f}")
        by_copy: dict[str, list[str]] = {}
        for v, k in copy_of.items():
            by_copy.setdefault(k, []).append(v)
        for split, qrels in (("dev", dev_qrels), ("train", train_qrels)):
            gold = [v for rel in qrels.values() for v in rel]
            copied = [v for v in gold if len(by_copy[copy_of[v]]) > 1]
            earliest = sum(id_to_fc[v] == min(id_to_fc[u] for u in by_copy[copy_of[v]])
                           for v in copied)
            print(f"{split}: {len(copied)} of {len(gold)} relevant fact-checks have a copy of "
                  f"their claim in the archive; the qrels name the earliest copy for {earliest}")
        print("re-ranker weights: " + ", ".join(
            f"{f} {w:+.2f}" for f, w in zip(FEATURES, learned.weights, strict=True)))

        for name, scorer in (("default scorer", DEFAULT_RERANKER), ("re-ranker", learned)):
            above = right = 0
            for qid, (items, x) in dev.items():
                scores = pool_same_claims(scorer.score(x), [same[c.fact_check_id] for c in items])
                best = min(range(len(items)), key=lambda j: (-scores[j], items[j].fact_check_id))
                if scores[best] >= MATCH_THRESHOLD:
                    above += 1
                    right += id_to_vclaim[items[best].fact_check_id] in dev_qrels[qid]
            print(f"threshold {MATCH_THRESHOLD} ({name}): top match shown for {above}/{len(dev)} "
                  f"dev queries, right for {right} (precision {right / max(above, 1):.3f})")

        ws.close()
    finally:
        if temp:
            shutil.rmtree(temp, ignore_errors=True)


if __name__ == "__main__":
    main()
