"""Loaders for the extra stance-training sets in ``<shared>/extra`` (recipe v1k).

``<shared>/extra/README.md`` describes five sets (about 67k pairs). Each has a licence
entry here (``EXTRA_SETS``); only sets whose stated licence allows training a shipped
model are read by ``extra_pairs``. Asking for any other set is an error, not a skip:

| set | licence as stated by the source | used |
|---|---|---|
| citint (Citation-Integrity) | MIT | yes |
| check-covid (Check-COVID) | MIT (abstracts from CORD-19 papers) | yes |
| perspectrum | CC BY-SA 4.0 | yes, with attribution; clear-majority labels only, capped |
| tabfact | MIT (repo); CC BY 4.0 (dataset card) | yes; uncut tables only, capped |
| fnc1-test (FNC-1) | none stated | **no**: no licence, so evaluation or nothing |

Labels (0 supports, 1 refutes, 2 unrelated) follow the copy's mapping, which is this
project's three-way reading of each source:

- SUPPORTS -> supports, REFUTES -> refutes, NOT_ENOUGH_INFO -> unrelated; CONFLICTING and
  anything else is dropped.
- FNC-1 (``fnc1_label``, should it ever be licensed): agree -> supports, disagree ->
  refutes, **discuss -> unrelated** (a body that reports the headline's claim without
  taking a side does not support it: "Reports say X" is not evidence for X), unrelated ->
  unrelated. The source's ``orig_label`` is read, not the copy's mapped label.

Per-set cleaning:

- citint: the claims are citation sentences with markers (``[<|cit|>]``,
  ``(Smith et al., <|other_cit|>)``, ``shown.<|multi_cit|>``) and numeric references
  (``[7]``, ``[3-5]``); ``strip_citations`` removes both. Its REFUTES means "the
  citation misrepresents the cited paper", looser than a contradiction; kept, since the
  cited paper's rationale sentences do contradict the citing claim's reading.
- check-covid: exact (claim, evidence) repeats dropped. Its NOT_ENOUGH_INFO pairs are an
  abstract's sentence that does not settle a claim that another sentence of the same
  abstract does settle (hard, on-topic *unrelated*).
- perspectrum: debate claims against arguments for/against them: an argumentative
  stance, not factual support. Only ``stance_label_5`` SUPPORT / UNDERMINE (no MILDLY_*,
  no NO_MAJORITY_LABEL), at most one perspective per (claim, paraphrase cluster), capped.
- tabfact: lemmatised statements against a linearised table; only tables shown whole
  (``table_truncated`` false: the label may rest on rows cut away otherwise) and at most
  ``TABFACT_MAX_CHARS`` of evidence (a long table costs the full 256 tokens), capped.

A seeded ~5 % of claims (md5 bucket of the set and claim) goes to ``dev_extra`` instead
of training, so the fine-tune's skill on the new sets is measured on claims it did not
see.

Example:
    >>> strip_citations("Exercise lowers blood pressure [<|cit|>].")
    'Exercise lowers blood pressure.'
    >>> fnc1_label("discuss")
    2
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from pathlib import Path

from training.data import LABELS, Pair, bucket, read_jsonl

log = logging.getLogger(__name__)

SUPPORTS, REFUTES, UNRELATED = 0, 1, 2


@dataclass(frozen=True)
class ExtraSet:
    """One extra set: its pairs file under ``extra/``, its licence, whether a shipped
    model may be trained on it, and why (recorded in the manifest and the model card)."""

    path: str
    licence: str
    trainable: bool
    note: str = ""


EXTRA_SETS: dict[str, ExtraSet] = {
    "citint": ExtraSet("pairs/citint.jsonl", "MIT (jedick/MLE-capstone-project; upstream "
                       "ScienceNLP-Lab/Citation-Integrity MIT)", True),
    "check-covid": ExtraSet("pairs/check-covid.jsonl", "MIT (posuer/Check-COVID; abstracts "
                            "from CORD-19 papers)", True),
    "perspectrum": ExtraSet("pairs/perspectrum.jsonl", "CC BY-SA 4.0 (CogComp/perspectrum; "
                            "attribution: Chen et al. 2019)", True),
    "tabfact": ExtraSet("pairs/tabfact.jsonl.gz", "MIT (wenhuchen/Table-Fact-Checking); "
                        "CC BY 4.0 (dataset card)", True),
    "fnc1-test": ExtraSet("pairs/fnc1-test.jsonl.gz", "none stated (FakeNewsChallenge/fnc-1)",
                          False, "no licence: not trained on"),
}
# FNC-1's four stances in this project's three labels ("discuss" is not support)
FNC1_LABELS = {"agree": SUPPORTS, "disagree": REFUTES, "discuss": UNRELATED,
               "unrelated": UNRELATED}
PERSPECTRUM_CLEAR = {"SUPPORT", "UNDERMINE"}
TABFACT_MAX_CHARS = 900
DEV_SHARE = 5   # percent of claims (md5 bucket) held out as dev_extra


class UnlicensedSetError(ValueError):
    """A set whose licence does not allow training a shipped model was asked for."""


def pair_label(label: object) -> int | None:
    """SUPPORTS / REFUTES / NOT_ENOUGH_INFO -> 0 / 1 / 2; anything else (CONFLICTING) None."""
    return LABELS.get(str(label or "").strip().upper())


def fnc1_label(stance: object) -> int | None:
    """An FNC-1 stance as a label: agree 0, disagree 1, discuss and unrelated 2."""
    return FNC1_LABELS.get(str(stance or "").strip().lower())


_MARKER = r"<\|[a-z_]+\|>"
# a bracketed or parenthesised group holding a citation marker: "[<|cit|>, 7]", "(Li, <|cit|>)"
_MARKER_GROUP = re.compile(r"\s*[\[(][^\[\]()]*" + _MARKER + r"[^\[\]()]*[\])]")
# a bare marker with the reference numbers stuck to it: "shown.<|multi_cit|>", "12,<|cit|>"
_BARE_MARKER = re.compile(r"(?:\d+[,\u2013-])*" + _MARKER + r"(?:[,\u2013-]\d+)*")
# a numeric reference: "[7]", "[3-5]", "[6, 7]"
_NUMERIC_REF = re.compile(r"\s*\[\d+(?:\s*[,\u2013-]\s*\d+)*\]")


def strip_citations(text: str) -> str:
    """A citing sentence without its citation markers and numeric references."""
    out = _MARKER_GROUP.sub("", text)
    out = _BARE_MARKER.sub("", out)
    out = _NUMERIC_REF.sub("", out)
    out = re.sub(r"\s+([.,;:])", r"\1", out)
    out = re.sub(r"([.,;:])(?=[.,;:])", "", out)   # "shown,." left by a removed group
    return re.sub(r"\s{2,}", " ", out).strip()


def citint_pairs(root: Path) -> list[Pair]:
    """Citation-Integrity: a citing sentence against the cited paper's rationale sentences
    (supports / refutes) or its first three sentences (unrelated)."""
    out = []
    for row in read_jsonl(root / EXTRA_SETS["citint"].path):
        label = pair_label(row.get("label"))
        claim = strip_citations(str(row.get("claim") or ""))
        evidence = str(row.get("evidence") or "").strip()
        if label is None or len(claim.split()) < 4 or not evidence:
            continue
        out.append(Pair(claim, evidence, label, "citint"))
    return out


def check_covid_pairs(root: Path) -> list[Pair]:
    """Check-COVID: a claim against its annotated abstract sentences; repeats dropped."""
    seen: set[tuple[str, str]] = set()
    out = []
    for row in read_jsonl(root / EXTRA_SETS["check-covid"].path):
        label = pair_label(row.get("label"))
        claim, evidence = str(row.get("claim") or "").strip(), str(row.get("evidence") or "").strip()
        if label is None or not claim or not evidence or (claim, evidence) in seen:
            continue
        seen.add((claim, evidence))
        out.append(Pair(claim, evidence, label, "check-covid"))
    return out


def perspectrum_pairs(root: Path, rng: random.Random, limit: int | None) -> list[Pair]:
    """Perspectrum: clear-majority SUPPORT / UNDERMINE perspectives, one per (claim,
    cluster), a seeded sample of at most ``limit`` balanced by label."""
    by_cluster: dict[tuple[str, object], list[Pair]] = {}
    for row in read_jsonl(root / EXTRA_SETS["perspectrum"].path):
        if row.get("stance_label_5") not in PERSPECTRUM_CLEAR:
            continue
        label = pair_label(row.get("label"))
        claim, evidence = str(row.get("claim") or "").strip(), str(row.get("evidence") or "").strip()
        if label is None or label == UNRELATED or not claim or not evidence:
            continue
        key = (claim, row.get("cluster", row.get("perspective_id")))
        by_cluster.setdefault(key, []).append(Pair(claim, evidence, label, "perspectrum"))
    picked = [rng.choice(pairs) for _, pairs in sorted(by_cluster.items(), key=lambda kv: str(kv[0]))]
    return balanced(picked, limit, rng)


def tabfact_pairs(root: Path, rng: random.Random, limit: int | None,
                  max_chars: int = TABFACT_MAX_CHARS) -> list[Pair]:
    """TabFact: statements against whole (uncut) tables of at most ``max_chars``, a seeded
    sample of at most ``limit`` balanced by label."""
    out = []
    for row in read_jsonl(root / EXTRA_SETS["tabfact"].path):
        label = pair_label(row.get("label"))
        claim, evidence = str(row.get("claim") or "").strip(), str(row.get("evidence") or "").strip()
        if (label is None or row.get("table_truncated", True) or not claim or not evidence
                or len(evidence) > max_chars):
            continue
        out.append(Pair(claim, evidence, label, "tabfact"))
    return balanced(out, limit, rng)


def fnc1_pairs(root: Path) -> list[Pair]:
    """FNC-1 headline/body pairs by ``fnc1_label`` of the source's own stance. FNC-1 states
    no licence, so ``extra_pairs`` never trains on it; this is for evaluation only."""
    out = []
    for row in read_jsonl(root / EXTRA_SETS["fnc1-test"].path):
        label = fnc1_label(row.get("orig_label"))
        claim, evidence = str(row.get("claim") or "").strip(), str(row.get("evidence") or "").strip()
        if label is not None and claim and evidence:
            out.append(Pair(claim, evidence, label, "fnc1"))
    return out


def balanced(pairs: list[Pair], limit: int | None, rng: random.Random) -> list[Pair]:
    """A seeded sample of at most ``limit`` pairs, as even across labels as they allow."""
    if limit is None or len(pairs) <= limit:
        every = list(pairs)
        rng.shuffle(every)
        return every
    by_label: dict[int, list[Pair]] = {}
    for p in pairs:
        by_label.setdefault(p.label, []).append(p)
    for group in by_label.values():
        rng.shuffle(group)
    out: list[Pair] = []
    labels = sorted(by_label)
    while len(out) < limit:
        for label in labels:
            if by_label[label] and len(out) < limit:
                out.append(by_label[label].pop())
    rng.shuffle(out)
    return out


LOADERS = {"citint": lambda root, rng, cap: citint_pairs(root),
           "check-covid": lambda root, rng, cap: check_covid_pairs(root),
           "perspectrum": perspectrum_pairs, "tabfact": tabfact_pairs}
# pairs per set: None for all of it. v1k is sized for a CPU hour; v1k-gpu takes every pair
CAPS_CPU: dict[str, int | None] = {"citint": None, "check-covid": None, "perspectrum": 1500,
                                   "tabfact": 1000}
CAPS_GPU: dict[str, int | None] = {"citint": None, "check-covid": None, "perspectrum": None,
                                   "tabfact": None}


def extra_pairs(root: Path, caps: dict[str, int | None], seed: int = 13
                ) -> tuple[list[Pair], list[Pair]]:
    """Training and dev pairs from the extra sets named in ``caps`` (``root`` is the
    ``extra`` folder). A set whose licence does not allow training raises
    ``UnlicensedSetError``; a set whose file is missing is logged and skipped."""
    train: list[Pair] = []
    dev: list[Pair] = []
    for name, cap in caps.items():
        info = EXTRA_SETS.get(name)
        if info is None:
            raise KeyError(f"unknown extra set {name!r}: one of {sorted(EXTRA_SETS)}")
        if not info.trainable:
            raise UnlicensedSetError(f"{name}: licence {info.licence!r} does not allow "
                                     f"training a shipped model ({info.note})")
        if not (root / info.path).is_file():
            log.warning("%s: no %s, skipped", name, root / info.path)
            continue
        rows = LOADERS[name](root, random.Random(f"{seed}:{name}"), cap)
        if cap is not None:
            rows = rows[:cap]
        for p in rows:
            (dev if bucket(p.claim, f"extra-dev:{name}") < DEV_SHARE else train).append(p)
    random.Random(seed).shuffle(train)
    return train, dev


def licences(names: list[str] | None = None) -> dict[str, str]:
    """Each extra set's licence and whether it is trained on (for a manifest)."""
    return {name: f"{info.licence}; {'trained on' if info.trainable else info.note}"
            for name, info in EXTRA_SETS.items() if names is None or name in names}
