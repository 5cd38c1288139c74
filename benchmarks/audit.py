"""End-to-end audit speed: one ~1,000-word article on the demo corpus and on a
100k-passage corpus, and articles/minute over a batch, beside an unbatched baseline.

    python benchmarks/audit.py                      # everything (the 100k build is cached)
    python benchmarks/audit.py --passages 0         # demo corpus only
    python benchmarks/audit.py --batch 50 --batch-words 400

Models are loaded (a warm-up audit runs first) before anything is timed.

* **audit**: ``run_audit`` as shipped: spaCy and the check-worthiness embeddings run
  batched over all sentences (and over articles, 8 at a time), then the article's
  claims are verified together with ``check_claims`` (retrieval per claim, one
  length-sorted stance batch over every claim-passage pair) and each article is stored
  in one transaction.
* **audit, 2 workers**: the same with the claims split between two threads.
* **audit, date view off**: the same with ``VerdictSettings.date_view`` off, to show what
  scoring dated claims without their dates costs (docs/verdicts.md, section 2). This row and
  the "audit" row are each the mean of two runs, taken in the order on, off, off, on.
* **baseline**: no batching: every sentence parsed, embedded and scored on its own,
  then ``ws.check(claim, save=True)`` for each check-worthy sentence, one at a time.

The 100k corpus is the demo corpus (real MiniLM vectors) plus synthetic passages:
random word salads drawn from the demo vocabulary, with synthetic clustered
384-d vectors inserted through the index's own sync path (embedding 100k passages
on 2 shared cores would take ~15 minutes). It measures retrieval cost at that
size, not answer quality. Built once under ``benchmarks/artifacts/`` (gitignored).
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import sys
import time
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Timer, print_table  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ART = ROOT / "benchmarks" / "artifacts"
FILLER = [
    "Analysts say the situation remains fluid.",
    "Residents described a tense night in the city.",
    "Raids of this type are a common tactic.",
    "The timing also matters.",
    "Few expect a quick resolution.",
    "Officials did not respond to requests for comment.",
]


# ---- inputs ------------------------------------------------------------------------
def demo_sentences() -> list[str]:
    """Sentences of the demo corpus (their figures are what the corpus can check)."""
    from verify.config import demo_corpus_path
    from verify.ingest import read_article, split_sentences

    out: list[str] = []
    for path in sorted(demo_corpus_path().glob("*")):
        if path.suffix.lower() not in (".md", ".txt", ".html"):
            continue
        try:
            text = read_article(path).text
        except Exception:
            continue
        out += [text[a:b].replace("\n", " ") for a, b in split_sentences(text)
                if len(text[a:b].split()) >= 6]
    return out


def make_article(sentences: list[str], words: int, seed: int) -> str:
    """A news-like article of about ``words`` words: corpus sentences (some with altered
    figures, so some claims are refuted) mixed with generic filler."""
    rng = random.Random(seed)
    pool = sentences[:]
    rng.shuffle(pool)
    out: list[str] = []
    count = 0
    i = 0
    while count < words:
        if i % 4 == 3:
            s = FILLER[rng.randrange(len(FILLER))]
        else:
            s = pool[i % len(pool)]
            if i % 5 == 1:   # alter a figure
                s = re.sub(r"\b(\d{2,})\b", lambda m: str(int(m.group(1)) * 10), s, count=1)
        out.append(s)
        count += len(s.split())
        i += 1
    paras = [" ".join(out[j:j + 4]) for j in range(0, len(out), 4)]
    return "Title: Benchmark article\n\n" + "\n\n".join(paras) + "\n"


# ---- workspaces -------------------------------------------------------------------------
def demo_workspace(path: Path) -> Any:
    from verify import Workspace
    from verify.config import demo_corpus_path

    ws = Workspace.open(path)
    if ws.db.execute("SELECT count(*) FROM passages").fetchall()[0][0] == 0:
        ws.ingest([demo_corpus_path()], progress=False)
    ws.sync_index()
    return ws


def large_workspace(path: Path, n_passages: int) -> Any:
    """Demo corpus + synthetic passages up to ``n_passages`` (cached on disk)."""
    import pandas as pd

    ws = demo_workspace(path)
    have = ws.db.execute("SELECT count(*) FROM passages").fetchall()[0][0]
    if have >= n_passages and ws.index_status().in_sync:
        return ws
    real_max = ws.db.execute("SELECT max(passage_id) FROM passages").fetchall()[0][0]
    vocab = sorted({w.lower() for s in demo_sentences() for w in re.findall(r"[A-Za-z]{3,}", s)})
    rng = np.random.default_rng(7)
    missing = n_passages - have
    per_doc = 100
    n_docs = (missing + per_doc - 1) // per_doc
    print(f"building synthetic corpus: {missing:,} passages in {n_docs:,} documents ...", flush=True)
    doc_ids = np.arange(n_docs) + 1_000_000
    docs = pd.DataFrame({
        "document_id": doc_ids, "origin_key": [f"synthetic://{i}" for i in doc_ids],
        "file_path": None, "url": [f"https://synthetic{i % 50}.example/{i}" for i in doc_ids],
        "title": [f"Synthetic document {i}" for i in doc_ids], "content_hash": "synthetic",
        "text": "(synthetic)", "char_count": 11})
    words = rng.integers(0, len(vocab), size=(missing, 60))
    texts = [" ".join(vocab[j] for j in row).capitalize() + "." for row in words]
    passages = pd.DataFrame({
        "passage_id": np.arange(missing) + int(real_max) + 1,
        "document_id": doc_ids[np.arange(missing) // per_doc],
        "passage_order": np.arange(missing) % per_doc, "text": texts, "char_start": 0,
        "char_end": [len(t) for t in texts]})
    ws.db.register("syn_docs", docs)
    ws.db.register("syn_passages", passages)
    ws.db.execute("INSERT INTO documents (document_id, origin_key, file_path, url, title,"
                  " content_hash, text, char_count) SELECT * FROM syn_docs")
    ws.db.execute("INSERT INTO passages (passage_id, document_id, passage_order, text, char_start,"
                  " char_end) SELECT * FROM syn_passages")
    index = ws.index
    real_embed = index._embed
    centres = rng.standard_normal((2000, 384)).astype(np.float32)

    def embed(ids: np.ndarray, progress: bool) -> np.ndarray:
        ids = np.asarray(ids)
        out = np.empty((len(ids), 384), dtype=np.float32)
        real = ids <= real_max
        if real.any():
            out[real] = real_embed(ids[real], progress)
        n = int((~real).sum())
        if n:
            block = centres[rng.integers(0, len(centres), n)] + rng.standard_normal((n, 384),
                                                                                    dtype=np.float32)
            out[~real] = block / np.linalg.norm(block, axis=1, keepdims=True)
        return out

    index._embed = embed
    with Timer() as t:
        status = index.sync(progress=False)
    index._embed = real_embed
    print(f"synthetic index built in {t.seconds:.0f} s: {status.vectors:,} vectors, "
          f"{status.index_type}", flush=True)
    return ws


# ---- runs ----------------------------------------------------------------------------------
def timed_audit(ws: Any, paths: list[Path], workers: int = 1) -> tuple[float, float, int]:
    """Wall seconds, process CPU seconds (all threads) and claims checked."""
    from verify.audit import run_audit

    ws.db.execute("CHECKPOINT")  # the last run's writes are flushed before, not during, this one
    cpu = time.process_time()
    with Timer() as t:
        result = run_audit(ws, paths, audit_id=f"bench-{uuid.uuid4().hex[:8]}", progress=False,
                           workers=workers)
    return t.seconds, time.process_time() - cpu, result.summary["claims_checked"]


def mean_run(runs: list[tuple[float, float, int]]) -> tuple[float, float, int]:
    """Mean wall and CPU seconds of repeated runs (the claims of the first)."""
    return (sum(r[0] for r in runs) / len(runs), sum(r[1] for r in runs) / len(runs),
            runs[0][2])


def timed_baseline(ws: Any, paths: list[Path]) -> tuple[float, float, int]:
    """No batching: each sentence parsed, embedded, scored and checked on its own."""
    from verify.audit.checkworthy import load_checkworthy_model
    from verify.audit.inputs import read_articles
    from verify.ingest import split_sentences

    model = load_checkworthy_model()
    claims = 0
    ws.db.execute("CHECKPOINT")
    cpu = time.process_time()
    with Timer() as t:
        for article in read_articles(paths):
            for a, b in split_sentences(article.text):
                sentence = article.text[a:b]
                if len(sentence.split()) < 4:
                    continue
                if model.score([sentence])[0] >= model.threshold:
                    ws.check(sentence, save=True)
                    claims += 1
    return t.seconds, time.process_time() - cpu, claims


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1000)
    parser.add_argument("--passages", type=int, default=100_000, help="0 to skip the large corpus")
    parser.add_argument("--batch", type=int, default=50, help="articles in the batch run (0 skips)")
    parser.add_argument("--batch-words", type=int, default=400)
    parser.add_argument("--baseline-articles", type=int, default=10,
                        help="articles of the batch the unbatched baseline runs on")
    parser.add_argument("--stance", default=None, help="stance model name (default: settings)")
    args = parser.parse_args()

    from verify.stance import get_stance_model

    stance_note = "shipped stance model"
    try:
        get_stance_model("verify-stance")
    except Exception as exc:  # the stance model is another helper's; report what ran
        sys.path.insert(0, str(ROOT / "tests"))
        from conftest import FakeStanceModel

        from verify.stance.base import STANCE_MODELS

        STANCE_MODELS.register("verify-stance", FakeStanceModel, replace=True)
        stance_note = f"STAND-IN word-overlap stance model (shipped one unavailable: {exc})"
    print(f"stance: {stance_note}")

    sentences = demo_sentences()
    work = ART / "audit-bench"
    work.mkdir(parents=True, exist_ok=True)
    article = work / "article-1000w.txt"
    article.write_text(make_article(sentences, args.words, seed=1), encoding="utf-8")
    n_words = len(article.read_text().split())
    warm = work / "warmup.txt"
    warm.write_text(make_article(sentences, 60, seed=99), encoding="utf-8")

    corpora = [("demo", ART / "audit-ws-demo", 0)]
    if args.passages:
        corpora.append((f"{args.passages // 1000}k passages", ART / f"audit-ws-{args.passages}",
                        args.passages))
    rows = []
    for label, path, size in corpora:
        ws = large_workspace(path, size) if size else demo_workspace(path)
        n = ws.db.execute("SELECT count(*) FROM passages").fetchall()[0][0]
        timed_audit(ws, [warm])                       # load every model and the index
        load = os.getloadavg()[0]
        base_s, base_cpu, base_claims = timed_baseline(ws, [article])
        # date view on and off in A-B-B-A order, each the mean of its two runs, so that
        # drift and warm caches favour neither
        no_dates = ws.with_settings(verdict=replace(ws.settings.verdict, date_view=False))
        on_1 = timed_audit(ws, [article])
        off = [timed_audit(no_dates, [article]), timed_audit(no_dates, [article])]
        on = [on_1, timed_audit(ws, [article])]
        runs = [("baseline: unbatched, sequential", base_s, base_cpu, base_claims),
                ("audit (batched extraction)", *mean_run(on)),
                ("audit, date view off", *mean_run(off)),
                ("audit, 2 verify threads", *timed_audit(ws, [article], workers=2))]
        for name, secs, cpu, claims in runs:
            rows.append([label, f"{n:,}", name, f"{secs:.2f}", f"{cpu:.2f}", claims,
                         f"{secs / max(claims, 1):.3f}", f"{base_s / secs:.2f}x",
                         f"{load:.1f}"])
        ws.close()
    print_table(f"One {n_words}-word article, end to end (models loaded)",
                ["corpus", "passages", "run", "wall s", "CPU s", "claims", "wall s/claim",
                 "speed-up vs baseline", "load avg"],
                rows)

    if args.batch:
        batch_dir = work / f"batch-{args.batch}x{args.batch_words}"
        batch_dir.mkdir(exist_ok=True)
        paths = []
        for i in range(args.batch):
            p = batch_dir / f"article-{i:03d}.txt"
            p.write_text(make_article(sentences, args.batch_words, seed=1000 + i), encoding="utf-8")
            paths.append(p)
        ws = demo_workspace(ART / "audit-ws-demo")
        timed_audit(ws, [warm])
        secs, cpu, claims = timed_audit(ws, paths)
        k = max(1, min(args.baseline_articles, len(paths)))
        b_secs, b_cpu, b_claims = timed_baseline(ws, paths[:k])
        distinct = ws.db.execute(
            "SELECT count(DISTINCT check_id) FROM audit_claims WHERE audit_id ="
            " (SELECT audit_id FROM audits WHERE audit_id LIKE 'bench-%'"
            " ORDER BY created_at DESC LIMIT 1)").fetchall()[0][0]
        rate = len(paths) / secs * 60
        b_rate = k / b_secs * 60
        print_table(f"Batch of {len(paths)} articles of ~{args.batch_words} words (demo corpus)",
                    ["run", "articles", "wall s", "CPU s", "claims", "articles/minute", "ratio"],
                    [["baseline: unbatched, sequential", k, f"{b_secs:.1f}", f"{b_cpu:.1f}",
                      b_claims, f"{b_rate:.1f}", "1.00x"],
                     ["audit (batched)", len(paths), f"{secs:.1f}", f"{cpu:.1f}", claims,
                      f"{rate:.1f}", f"{rate / b_rate:.2f}x"]])
        print(f"(the batch articles reuse demo-corpus sentences: {claims} claims needed "
              f"{distinct} distinct checks; repeated claims reuse one check per run)")
        ws.close()
    print(f"\ncores: {os.cpu_count()} (shared with other jobs: see load avg); CPU s is this "
          "process's CPU time over all threads. Target <= 5 s per 1,000-word article.")


if __name__ == "__main__":
    main()
