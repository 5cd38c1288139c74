"""Agreement benchmark: stance, claim verdicts, numeric claims, calibration, speed.

One printed table with the baselines side by side in the same run:

- majority class (of the fitting part),
- embedding cosine with thresholds fitted on the fitting part,
- the stance model alone (argmax, no numeric reasoning, no aggregation),
- the full checker: stance + numeric reasoning + weighted aggregation (``verify.checks``),
  with its default thresholds, with thresholds fitted on the fitting part, and with a
  learned verdict head (balanced logistic regression over the checker's outputs, fitted
  on the fitting part; measured here, not shipped), and one such head fitted on the
  fitting parts of all the claim sets together (SciFact and FM2; what a shipped head would
  have to be), scored on each set, QuanTemp included;
- the same full checker as it was at ``--baseline-ref`` (default 47bb52d, before issue 18),
  recomputed in the same run, and the difference: a ``git worktree`` of that commit is
  made in a temporary folder and this script runs again in a subprocess with
  ``PYTHONPATH`` on it, so ``import verify`` is the old library while the benchmark code is
  this one (the subprocess prints and checks ``verify.__file__``); it returns its rows as
  JSON and the worktree is removed. Stance probabilities and vectors are cached by model
  version, so the two runs share them. ``--no-baseline`` skips it;
- not a system but a ceiling, on the claim sets: the same retrieval and rule with the
  claim's gold evidence sentences in place of the stance model (``GoldStance``), what a
  perfect stance model would get from this checker.

Columns: FEVER-Symmetric, HealthVer, Climate-FEVER evidence (pairs), SciFact and FM2
(claims with retrieval), QuanTemp (3-class, given snippets), AVeriTeC (4-class, each claim
against its own question-answer evidence items; sources weighed by the shipped seed
ratings, unrated ones by the prior; see ``benchmarks/averitec.py`` for the label mapping
and the passage representations, ``qa`` by default) and the desk suite
(``benchmarks/desk_suite.py``: accuracy, macro-F1 and floor violations, each version with
a workspace it builds itself). AVeriTeC and the desk suite also get tables of their own.

Every set is split once with a fixed hash of the item id: about 30% "fit" (thresholds,
label mapping of NOT ENOUGH EVIDENCE where a set has no such label, calibration) and
70% "eval" (every score printed). Nothing is tuned on the eval part. The calibrator that
``--fit-calibration`` writes (to benchmarks/artifacts/calibrator.json or the path given;
only ``python -m training.ship_calibration`` copies it into the package) is fitted on
SciFact and FM2 only (their licences allow it); QuanTemp and AVeriTeC (CC BY-NC) only add eval rows to the calibration
error. No checker threshold, mapping or head is fitted on AVeriTeC; only the cosine
baseline's thresholds are fitted, on its fitting part.

Usage:
    python benchmarks/agreement.py                      # all sections, before and after
    python benchmarks/agreement.py --limit 200          # quick run
    python benchmarks/agreement.py --limit 200 --averitec-limit 200 --sections claims,averitec,desk
    python benchmarks/agreement.py --no-baseline        # this checkout only
    python benchmarks/agreement.py --baseline-ref HEAD~3
    python benchmarks/agreement.py --fit-calibration    # also refit the calibrator, written to
                                                        # benchmarks/artifacts/calibrator.json
    python -m training.ship_calibration benchmarks/artifacts/calibrator.json  # then ship it
    python benchmarks/agreement.py --sections pairs,quantemp
    python benchmarks/agreement.py --limit 400 --quantemp-limit 0 --fit-calibration
    # measure variants trained on a GPU without their weights:
    python benchmarks/agreement.py --limit 400 --quantemp-limit 0 --sections pairs,claims,quantemp \
        --dump-pairs .gpu/score/pairs.jsonl.gz          # then train.py ... --score-pairs that file
    python benchmarks/agreement.py ... --pairs .gpu/score/pairs.jsonl.gz --stance-scores scored.npz:full_sci

Data: ``--data`` or $VERIFY_EVAL_DATA (else ../shared/data); without it the data sections
are skipped and only the desk suite runs. Built SciFact/FM2 workspaces and stance scores
are cached under benchmarks/artifacts/.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import logging
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from verify.stance.base import StanceModel

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks"
ARTIFACTS = BENCH / "artifacts"
# sibling modules (averitec, desk_suite) import by name; appended, so that ``verify``
# still resolves first to PYTHONPATH (the baseline's worktree) and never to this checkout
for _path in (str(BENCH), str(ROOT)):
    if _path not in sys.path:
        sys.path.append(_path)
BASELINE_REF = "47bb52d"        # the last commit before issue 18
PINNED_SECTIONS = ("pairs", "claims", "quantemp", "averitec", "desk")
AVERITEC, DESK = "averitec (4-class)", "desk suite"
S, R, N, C = "SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO", "CONFLICTING"
VERDICT_TO_LABEL = {"SUPPORTED": S, "REFUTED": R, "NOT ENOUGH EVIDENCE": N, "CONFLICTING": C}
SYSTEMS = ("majority", "cosine", "stance", "full", "before", "delta", "full_fit", "head",
           "head_pooled", "gold")
SYSTEM_NAMES = {"majority": "majority class", "cosine": "embedding cosine (fit thresholds)",
                "stance": "stance model alone", "full": "model + numeric + aggregation",
                "before": "  same, before (pinned ref)", "delta": "  after - before",
                "full_fit": "  same, verdict thresholds fit on split",
                "head": "  same, learned head (verify learn) on the split's reviews",
                "head_pooled": "  same, one head fit on all claim sets",
                "gold": "ceiling: gold evidence as the stance model"}
log = logging.getLogger("agreement")


# ---------------------------------------------------------------- data
def load_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file (bad lines are skipped with a warning)."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except ValueError:
                log.warning("%s line %d: not JSON, skipped", path, n)
    return rows


def is_fit(item_id: str) -> bool:
    """Fixed split: ~30% of ids (by md5) are for fitting, the rest for scoring. The stance
    training recipe v1c keeps the scoring part of SciFact and FM2 out of training."""
    from training.data import benchmark_fit_part

    return benchmark_fit_part(item_id)


def limited(items: list[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """At most ``limit`` items, chosen by a fixed hash order (not file order)."""
    if not limit or len(items) <= limit:
        return items
    ordered = sorted(items, key=lambda it: hashlib.md5(str(it["id"]).encode()).hexdigest())
    return ordered[:limit]


def norm_label(label: str) -> str:
    """Dataset label to S/R/NEI/CONFLICTING."""
    text = str(label).upper().replace(" ", "_")
    return {"SUPPORTED": S, "REFUTED": R, "NEI": N, "NOT_SUPPORTED": N,
            "NOT_ENOUGH_EVIDENCE": N}.get(text, text)


# ---------------------------------------------------------------- metrics
def macro_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> float:
    """Macro-F1 over ``labels`` (sklearn)."""
    from sklearn.metrics import f1_score

    return float(f1_score(list(gold), list(pred), labels=list(labels), average="macro",
                          zero_division=0))


def ece(conf: Sequence[float], correct: Sequence[int]) -> float:
    """Expected calibration error, 10 bins."""
    try:
        from verify.checks.calibration import expected_calibration_error
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.calibration import expected_calibration_error

    return expected_calibration_error(list(conf), list(correct))


# ---------------------------------------------------------------- cached models
class Cache:
    """A pickled dict under benchmarks/artifacts (stance probabilities, vectors)."""

    def __init__(self, name: str) -> None:
        self.path = ARTIFACTS / f"{name}.pkl"
        self.data: dict[str, Any] = {}
        if self.path.is_file():
            try:
                self.data = pickle.loads(self.path.read_bytes())
            except Exception:  # a damaged cache is rebuilt
                self.data = {}
        self.dirty = False

    def save(self) -> None:
        if self.dirty:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_bytes(pickle.dumps(self.data))
            tmp.replace(self.path)
            self.dirty = False


def _key(*parts: str) -> str:
    return hashlib.sha1("\x00".join(parts).encode()).hexdigest()


class StanceScorer(StanceModel):
    """The stance model with a disk cache; counts uncached pairs/second."""

    def __init__(self, name: str, model: Any = None) -> None:
        from verify.stance import get_stance_model

        self.model = model if model is not None else get_stance_model(name)
        self.tag = f"{getattr(self.model, 'model_id', name)}-{getattr(self.model, 'version', '')}"
        self.cache = Cache(f"stance-{_key(self.tag)[:10]}")
        self.asked: dict[str, tuple[str, str]] = {}   # every pair scored, for --dump-pairs

    def probs(self, claims: Sequence[str], evidence: Sequence[str], batch: int = 64) -> np.ndarray:
        keys = [_key(c, e) for c, e in zip(claims, evidence, strict=True)]
        for k, c, e in zip(keys, claims, evidence, strict=True):
            self.asked.setdefault(k, (c, e))
        todo = sorted({i for i, k in enumerate(keys) if k not in self.cache.data})
        todo_unique: dict[str, int] = {}
        for i in todo:
            todo_unique.setdefault(keys[i], i)
        idx = list(todo_unique.values())
        for start in range(0, len(idx), batch):
            chunk = idx[start:start + batch]
            out = self.model.predict_batch([claims[i] for i in chunk], [evidence[i] for i in chunk])
            for i, row in zip(chunk, np.asarray(out), strict=True):
                self.cache.data[keys[i]] = np.asarray(row, dtype=np.float32)
            self.cache.dirty = True
            if start // batch % 20 == 19:
                self.cache.save()
        self.cache.save()
        return np.stack([self.cache.data[k] for k in keys]) if keys else np.zeros((0, 3))

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        """The ``StanceModel`` method, served from the cache."""
        return self.probs(claims, evidence)


class GoldStance(StanceModel):
    """Not a system: the claim's gold evidence sentences as a perfect stance model. A
    passage holding one takes its labelled side (0.9), any other is unrelated (0.9), so
    the same retrieval, views and rule show the verdicts a perfect stance model would get.
    The claim is asked as written (it is ignored), so the negation view is off."""

    model_id, version = "gold-evidence", "ceiling"

    def __init__(self) -> None:
        self.gold: list[tuple[str, str]] = []   # (sentence, S or R) of the claim being checked

    def set_claim(self, item: dict[str, Any]) -> None:
        self.gold = [(_squeezed(ev["text"]), norm_label(ev.get("label") or item["label"]))
                     for ev in item.get("evidence", []) if ev.get("text")]

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        rows = []
        for text in map(_squeezed, evidence):
            sides = {label for sentence, label in self.gold if sentence in text}
            rows.append([0.9, 0.05, 0.05] if S in sides else [0.05, 0.9, 0.05] if R in sides
                        else [0.05, 0.05, 0.9])
        return np.asarray(rows, dtype=np.float32).reshape(-1, 3)


def _squeezed(text: str) -> str:
    return " ".join(text.split())


class PrecomputedStance(StanceModel):
    """Stance probabilities scored elsewhere (``train.py --score-pairs`` on a GPU) for the
    pairs a ``--dump-pairs`` run wrote: a trained variant is measured here through the
    whole CPU pipeline without bringing its weights back."""

    def __init__(self, pairs_path: Path, scores: str) -> None:
        from training.train import read_pairs

        path, _, variant = scores.partition(":")
        with np.load(path) as npz:
            name = variant or npz.files[0]
            if name not in npz.files:
                raise SystemExit(f"{path}: no scores for variant {name!r} (has {npz.files})")
            probs = npz[name].astype(np.float32)
        keys = [_key(r["claim"], r["evidence"]) for r in read_pairs(pairs_path)]
        if len(keys) != len(probs):
            raise SystemExit(f"{pairs_path}: {len(keys)} pairs but {len(probs)} scores in {path}")
        self.table = dict(zip(keys, probs, strict=True))
        self.model_id, self.version = f"scored:{Path(path).name}", name

    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        """Look the pairs up; a pair the dump did not hold is an error, never a guess."""
        try:
            return np.stack([self.table[_key(c, e)] for c, e in zip(claims, evidence, strict=True)])
        except KeyError:
            raise SystemExit("a pair is missing from the scored file: dump the pairs with the "
                             "same --limit, --sections and --claim-sets") from None


class Vectors:
    """The embedder with a disk cache of normalised vectors."""

    def __init__(self, name: str) -> None:
        from verify.embedders import get_embedder

        self.embedder = get_embedder(name)
        self.cache = Cache(f"vectors-{_key(self.embedder.model_id)[:10]}")

    def get(self, texts: Sequence[str]) -> np.ndarray:
        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(t for t, k in zip(texts, keys, strict=True)
                                     if k not in self.cache.data))
        if missing:
            vecs = self.embedder.embed_many(missing, batch_size=64)
            for t, v in zip(missing, vecs, strict=True):
                self.cache.data[_key(t)] = np.asarray(v, dtype=np.float32)
            self.cache.dirty = True
            self.cache.save()
        return np.stack([self.cache.data[k] for k in keys])

    def cosine(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        va, vb = self.get(a), self.get(b)
        return np.sum(va * vb, axis=1)


# ---------------------------------------------------------------- fitted baselines
def fit_cosine_thresholds(cos: np.ndarray, gold: Sequence[str], labels: Sequence[str]
                          ) -> tuple[float, float]:
    """Thresholds (t_low, t_high): below t_low NEI, above t_high SUPPORTS, else REFUTES."""
    grid = np.quantile(cos, np.linspace(0.02, 0.98, 25)) if len(cos) else np.array([0.5])
    best, best_t = -1.0, (0.0, 0.5)
    lows = grid if N in labels else [-np.inf]
    for lo in lows:
        for hi in grid:
            if hi < lo:
                continue
            pred = apply_cosine(cos, (lo, hi), labels)
            score = macro_f1(gold, pred, labels)
            if score > best:
                best, best_t = score, (float(lo), float(hi))
    return best_t


def apply_cosine(cos: np.ndarray, t: tuple[float, float], labels: Sequence[str]) -> list[str]:
    """Cosine thresholds to labels."""
    out = []
    for c in cos:
        if N in labels and c < t[0]:
            out.append(N)
        elif c >= t[1]:
            out.append(S)
        else:
            out.append(R if R in labels else N)
    return out


def fit_output_map(outputs: Sequence[str], gold: Sequence[str], labels: Sequence[str]
                   ) -> dict[str, str]:
    """Map system outputs a set has no label for (e.g. NEI on a S/R set) to the gold
    label they most often hide, counted on the fitting part."""
    mapping = {}
    for out in set(outputs) | {S, R, N, C}:
        if out in labels:
            mapping[out] = out
            continue
        hidden = Counter(g for o, g in zip(outputs, gold, strict=True) if o == out)
        mapping[out] = hidden.most_common(1)[0][0] if hidden else Counter(gold).most_common(1)[0][0]
    return mapping


def fit_decision(masses: Sequence[tuple[float, float]], gold: Sequence[str], labels: Sequence[str],
                 base: Any) -> tuple[Any, dict[str, str]]:
    """Grid-search min_support_mass, min_refute_mass and conflict_ratio on the fitting part
    (the evidence masses are computed once; only the final decision is refitted)."""
    from dataclasses import replace

    try:
        from verify.checks.aggregate import decide
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.verdict import decide

    grid = [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95]
    best: tuple[float, Any, dict[str, str]] = (-1.0, base, {})
    for ms in grid:
        for mr in grid:
            for cr in (0.2, 0.4, 0.6, 0.8, 1.01):
                vs = replace(base, min_support_mass=ms, min_refute_mass=mr, conflict_ratio=cr)
                outs = [VERDICT_TO_LABEL[decide(sm, rm, vs)[0]] for sm, rm in masses]
                mapping = fit_output_map(outs, gold, labels)
                score = macro_f1(gold, [mapping[o] for o in outs], labels)
                if score > best[0]:
                    best = (score, vs, mapping)
    return best[1], best[2]


LABEL_TO_VERDICT = {label: verdict for verdict, label in VERDICT_TO_LABEL.items()}


def fit_head(results: Sequence[Any], gold: Sequence[str]) -> Any:
    """``verify.checks.head.fit_verdict_head`` on checks labelled with the gold verdicts:
    the head a desk that reviewed these checks would learn with ``verify learn``."""
    try:
        from verify.checks.head import fit_verdict_head
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.verdict_head import fit_verdict_head

    return fit_verdict_head(list(results), [LABEL_TO_VERDICT[g] for g in gold],
                            versions={}, min_reviews=2)


def _head_outputs(head: Any, results: Sequence[Any]) -> list[str]:
    """The head's verdicts (as dataset labels) for checked claims."""
    try:
        from verify.checks.head import head_verdict
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.verdict_head import head_verdict

    return [VERDICT_TO_LABEL[head_verdict(head, r)[0]] for r in results]


def score_head(results: Sequence[Any], gold: Sequence[str], fit: Sequence[bool],
               labels: Sequence[str], verbose: bool = True) -> tuple[float, float, bool]:
    """Macro-F1 and confidence ECE on the eval part of the learned verdict head (``verify
    learn``) fitted on the fitting part's checks and gold verdicts, as a desk that reviewed
    those checks would have it, and whether ``verify learn`` would switch it on (its
    cross-validated macro-F1 beats the rule's). A label a set lacks is mapped from the
    fitting part."""
    r_fit = [r for r, f in zip(results, fit, strict=True) if f]
    g_fit = [g for g, f in zip(gold, fit, strict=True) if f]
    if len(set(g_fit)) < 2:
        return float("nan"), float("nan"), False
    try:
        from verify.checks.head import head_verdict
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.verdict_head import head_verdict

    head = fit_head(r_fit, g_fit)
    if verbose:
        log.info("learned head: cross-validated macro-F1 on the fitting part %.3f (rule %.3f)",
                 head.cv_head_f1, head.cv_rule_f1)
    decided = [head_verdict(head, r) for r in results]
    outs = [VERDICT_TO_LABEL[v] for v, _ in decided]
    mapping = fit_output_map([o for o, f in zip(outs, fit, strict=True) if f], g_fit, labels)
    ev = [i for i, f in enumerate(fit) if not f]
    f1 = macro_f1([gold[i] for i in ev], [mapping[outs[i]] for i in ev], labels)
    calib = ece([decided[i][1] for i in ev], [int(mapping[outs[i]] == gold[i]) for i in ev])
    return f1, calib, head.cv_head_f1 > head.cv_rule_f1


REVIEW_COUNTS = (30, 60, 120)


def head_by_reviews(results: Sequence[Any], gold: Sequence[str], fit: Sequence[bool],
                    labels: Sequence[str], rule_f1: float,
                    seeds: int = 5) -> dict[int, tuple[float, float, int]]:
    """Heads learned from only ``n`` of the fitting part's reviews (random draws): mean
    eval-part macro-F1 of the head, mean macro-F1 of what the desk gets (the head where
    ``verify learn`` switches it on, else the rule's ``rule_f1``), and in how many draws
    it was switched on. How many reviews a desk needs."""
    import random

    from verify.errors import VerifyError

    fit_idx = [i for i, f in enumerate(fit) if f]
    out: dict[int, tuple[float, float, int]] = {}
    for n in REVIEW_COUNTS:
        if n >= len(fit_idx):
            continue
        heads, got, on = [], [], 0
        for seed in range(seeds):
            pick = set(random.Random(seed).sample(fit_idx, n))
            sub_fit = [i in pick for i in range(len(fit))]
            keep = [i for i in range(len(fit)) if sub_fit[i] or not fit[i]]
            try:
                f1, _, active = score_head([results[i] for i in keep], [gold[i] for i in keep],
                                           [sub_fit[i] for i in keep], labels, verbose=False)
            except VerifyError:   # too few reviews of some verdict in this draw
                got.append(rule_f1)
                continue
            heads.append(f1)
            got.append(f1 if active else rule_f1)
            on += int(active)
        if heads:
            out[n] = (float(np.mean(heads)), float(np.mean(got)), on)
    return out


HeadRows = dict[str, tuple[list[Any], list[str], list[bool], list[str]]]


def score_pooled_head(rows: HeadRows, fitted_on: Sequence[str]) -> dict[str, float]:
    """One head fitted on the fitting parts of ``fitted_on`` together (as a shipped head
    would be), scored on every set's eval part. A label a set lacks (NEI on FM2) is mapped
    as for the other systems, from that set's fitting part."""
    rs: list[Any] = []
    ys: list[str] = []
    for name in fitted_on:
        results, gold, fit, _ = rows[name]
        rs += [r for r, f in zip(results, fit, strict=True) if f]
        ys += [g for g, f in zip(gold, fit, strict=True) if f]
    if len(set(ys)) < 2:
        return {}
    head = fit_head(rs, ys)
    out = {}
    for name, (results, gold, fit, labels) in rows.items():
        pred = _head_outputs(head, results)
        mapping = fit_output_map([p for p, f in zip(pred, fit, strict=True) if f],
                                 [g for g, f in zip(gold, fit, strict=True) if f], labels)
        out[name] = macro_f1([g for g, f in zip(gold, fit, strict=True) if not f],
                             [mapping[p] for p, f in zip(pred, fit, strict=True) if not f], labels)
    return out


def score_fitted(masses: Sequence[tuple[float, float]], gold: Sequence[str], fit: Sequence[bool],
                 labels: Sequence[str], base: Any) -> float:
    """Macro-F1 on the eval part with decision thresholds fitted on the fitting part."""
    try:
        from verify.checks.aggregate import decide
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.verdict import decide

    m_fit = [m for m, f in zip(masses, fit, strict=True) if f]
    g_fit = [g for g, f in zip(gold, fit, strict=True) if f]
    vs, mapping = fit_decision(m_fit, g_fit, labels, base)
    outs = [mapping[VERDICT_TO_LABEL[decide(sm, rm, vs)[0]]]
            for (sm, rm), f in zip(masses, fit, strict=True) if not f]
    log.info("fitted thresholds: support %.2f refute %.2f conflict %.2f", vs.min_support_mass,
             vs.min_refute_mass, vs.conflict_ratio)
    return macro_f1([g for g, f in zip(gold, fit, strict=True) if not f], outs, labels)


def stance_label(row: np.ndarray, labels: Sequence[str]) -> str:
    """Argmax of the stance probabilities over the labels a set has."""
    cols = {S: 0, R: 1, N: 2}
    allowed = [lab for lab in (S, R, N) if lab in labels]
    return max(allowed, key=lambda lab: row[cols[lab]])


# ---------------------------------------------------------------- the full checker
def _hit(pid: int, text: str, dense: float | None, domain: str | None = None) -> Any:
    from verify.types import PassageRef, SearchHit

    ref = PassageRef(pid, pid, 0, text, 0, len(text), None, None, domain, None, "en")
    return SearchHit(ref, pid + 1, dense, None, 0.0)


def full_check(claim: str, hits: Sequence[Any], stance: StanceScorer, vectors: np.ndarray | None,
               settings: Any, reliability: Callable[[str | None], Any]) -> Any:
    """``verify.checks.pipeline.assess_hits`` with the cached stance model and raw (identity) confidence."""
    try:
        from verify.checks.calibration import Calibrator
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.calibration import Calibrator
    try:
        from verify.checks.pipeline import assess_hits
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.check import assess_hits

    return assess_hits(claim, hits, stance_model=stance, embedder=None,  # type: ignore[arg-type]
                       settings=settings, reliability=reliability,
                       calibrator=Calibrator.identity(), passage_vectors=vectors)


def _default_reliability(domain: str | None) -> Any:
    from verify.types import Reliability

    return Reliability(domain or "", 0.5, "benchmark: no ratings")


# ---------------------------------------------------------------- section 1: pairs
def pair_sets(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Claim/evidence pairs: FEVER-Symmetric, HealthVer, Climate-FEVER evidence labels."""
    sets: dict[str, list[dict[str, Any]]] = {}
    for name, rel in (("fever-symmetric", "pairs/fever-symmetric.jsonl"),
                      ("healthver", "pairs/healthver.jsonl")):
        if (root / rel).is_file():
            sets[name] = [{"id": r["id"], "claim": r["claim"], "evidence": r["evidence"],
                           "label": norm_label(r["label"])} for r in load_jsonl(root / rel)]
    cf = root / "claims/climate-fever/claims.jsonl"
    if cf.is_file():
        rows = []
        for r in load_jsonl(cf):
            for j, ev in enumerate(r.get("evidence", [])):
                if ev.get("label"):
                    # split by claim so one claim's evidence stays on one side
                    rows.append({"id": r["id"], "sub": j, "claim": r["claim"], "evidence": ev["text"],
                                 "label": norm_label(ev["label"])})
        sets["climate-fever (evidence)"] = rows
    return sets


def run_pairs(items: list[dict[str, Any]], stance: StanceScorer, vec: Vectors, settings: Any,
              extras: bool = True) -> dict[str, float]:
    """Pair-level macro-F1 of the four systems on the eval part (``extras``: fitted rows)."""
    labels = sorted({it["label"] for it in items})
    claims = [it["claim"] for it in items]
    evidence = [it["evidence"] for it in items]
    gold = [it["label"] for it in items]
    fit = np.array([is_fit(it["id"]) for it in items])
    probs = stance.probs(claims, evidence)
    cos = vec.cosine(claims, evidence)
    ev_vecs = vec.get(evidence)
    full_out, masses = [], []
    for i in range(len(items)):
        res = full_check(claims[i], [_hit(0, evidence[i], float(cos[i]))], stance,
                         ev_vecs[i:i + 1], settings, _default_reliability)
        full_out.append(VERDICT_TO_LABEL[res.verdict])
        masses.append((res.support_score, res.refute_score))
    g_fit = [g for g, f in zip(gold, fit, strict=True) if f]
    g_ev = [g for g, f in zip(gold, fit, strict=True) if not f]
    out: dict[str, float] = {}
    majority = Counter(g_fit).most_common(1)[0][0]
    out["majority"] = macro_f1(g_ev, [majority] * len(g_ev), labels)
    t = fit_cosine_thresholds(cos[fit], g_fit, labels)
    out["cosine"] = macro_f1(g_ev, apply_cosine(cos[~fit], t, labels), labels)
    st = [stance_label(p, labels) for p in probs]
    out["stance"] = macro_f1(g_ev, [s for s, f in zip(st, fit, strict=True) if not f], labels)
    mapping = fit_output_map([o for o, f in zip(full_out, fit, strict=True) if f], g_fit, labels)
    out["full"] = macro_f1(g_ev, [mapping[o] for o, f in zip(full_out, fit, strict=True) if not f],
                           labels)
    if extras:
        out["full_fit"] = score_fitted(masses, gold, list(fit), labels, settings.verdict)
    out["n"] = float(len(g_ev))
    return out


# ---------------------------------------------------------------- section 2: claims + retrieval
def build_workspace(name: str, corpus: Path, limit_docs: int | None, embedder: str,
                    read_only: bool = False) -> Any:
    """A workspace of a claim set's corpus, ingested once and cached under artifacts/
    (``read_only``: a built one is opened read-only, as the baseline run does)."""
    from verify import Workspace
    from verify.config import Settings

    folder = ARTIFACTS / (f"ws-{name}" + ("" if not limit_docs else f"-{limit_docs}"))
    done = folder / "BUILT"
    if read_only and done.is_file():
        return Workspace.open(folder, settings=Settings(embedder=embedder), read_only=True)
    ws = Workspace.open(folder, settings=Settings(embedder=embedder))
    if done.is_file():
        return ws
    rows = load_jsonl(corpus)
    if limit_docs:
        rows = rows[:limit_docs]
    jsonl = folder / f"{name}-corpus.jsonl"
    with jsonl.open("w", encoding="utf-8") as fh:
        for r in rows:
            # one publisher per document, so documents are independent sources
            doc = str(r["doc_id"]).replace("/", "_")
            fh.write(json.dumps({"title": r.get("title") or None, "text": r["text"],
                                 "url": f"https://d{hashlib.md5(doc.encode()).hexdigest()[:10]}.org/{doc}"})
                     + "\n")
    t0 = time.perf_counter()
    report = ws.ingest([jsonl], progress=False)
    print(f"  built {name} workspace: {report} in {time.perf_counter() - t0:.0f}s", flush=True)
    done.write_text("ok\n")
    return ws


def evidence_hits(ws: Any, claim: str, k: int, settings: Any) -> list[Any]:
    """The passages ``check`` weighs for a claim: ``verify.retrieval.evidence_search`` where
    this version of verify has it (a per-document cap), plain search before it."""
    try:
        from verify.retrieval import evidence_search
    except ImportError:
        return list(ws.search(claim, k=k))
    return list(evidence_search(ws, claim, k, None,
                                getattr(settings.verdict, "evidence_per_source", 0)))


def run_claims(items: list[dict[str, Any]], ws: Any, stance: StanceScorer, settings: Any,
               k: int, calib_rows: list[tuple[str, float, int, bool]],
               latencies: list[float] | None = None,
               head_rows: HeadRows | None = None, name: str = "",
               extras: bool = True) -> dict[str, float]:
    """Claim-level verdict macro-F1 with retrieval from the set's corpus (``extras``: the
    fitted, learned and ceiling rows too)."""
    try:
        from verify.checks.pipeline import _stored_vectors
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.check import _stored_vectors

    labels = sorted({it["label"] for it in items})
    gold = [it["label"] for it in items]
    fit = [is_fit(it["id"]) for it in items]
    outs: dict[str, list[str]] = {s: [] for s in ("cosine_score", "stance", "full")}
    top_cos: list[float] = []
    masses: list[tuple[float, float]] = []
    checked: list[Any] = []
    gold_stance = GoldStance()
    gold_settings = dataclasses.replace(
        settings, verdict=dataclasses.replace(settings.verdict, negation_view=False))
    outs["gold"] = []
    for it in items:
        claim = it["claim"]
        t0 = time.perf_counter()
        hits = evidence_hits(ws, claim, k, settings)
        search_s = time.perf_counter() - t0
        texts = [h.passage.text for h in hits]
        probs = stance.probs([claim] * len(hits), texts) if hits else np.zeros((0, 3))
        t1 = time.perf_counter()
        vectors = _stored_vectors(ws, hits)
        res = full_check(claim, hits, stance, vectors, settings, _default_reliability)
        if latencies is not None:
            latencies.append(search_s + time.perf_counter() - t1)
        outs["full"].append(VERDICT_TO_LABEL[res.verdict])
        if extras:
            gold_stance.set_claim(it)
            outs["gold"].append(VERDICT_TO_LABEL[full_check(
                claim, hits, gold_stance, vectors, gold_settings, _default_reliability).verdict])
        masses.append((res.support_score, res.refute_score))
        checked.append(res)
        calib_rows.append((res.verdict, res.confidence, int(VERDICT_TO_LABEL[res.verdict] == it["label"]),
                           is_fit(it["id"])))
        top_cos.append(max((h.dense_score or 0.0) for h in hits) if hits else 0.0)
        # stance alone: the most confident side-taking passage among the top k
        best_lab, best_p = N, 0.5
        for row in probs:
            for lab, col in ((S, 0), (R, 1)):
                if row[col] > best_p and row[col] >= row[2]:
                    best_lab, best_p = lab, float(row[col])
        outs["stance"].append(best_lab)
    g_fit = [g for g, f in zip(gold, fit, strict=True) if f]
    g_ev = [g for g, f in zip(gold, fit, strict=True) if not f]
    out: dict[str, float] = {}
    majority = Counter(g_fit).most_common(1)[0][0]
    out["majority"] = macro_f1(g_ev, [majority] * len(g_ev), labels)
    cos = np.asarray(top_cos)
    fit_a = np.asarray(fit)
    t = fit_cosine_thresholds(cos[fit_a], g_fit, labels)
    out["cosine"] = macro_f1(g_ev, apply_cosine(cos[~fit_a], t, labels), labels)
    for system in ("stance", "full", "gold") if extras else ("stance", "full"):
        mapping = fit_output_map([o for o, f in zip(outs[system], fit, strict=True) if f], g_fit, labels)
        out[system] = macro_f1(g_ev, [mapping[o] for o, f in zip(outs[system], fit, strict=True)
                                      if not f], labels)
    out["n"] = float(len(g_ev))
    if not extras:
        return out
    out["full_fit"] = score_fitted(masses, gold, fit, labels, settings.verdict)
    out["head"], out["head_ece"], _ = score_head(checked, gold, fit, labels)
    out["n_fit"] = float(len(g_fit))
    out["_curve"] = head_by_reviews(checked, gold, fit, labels, out["full"])  # type: ignore[assignment]
    if head_rows is not None:
        head_rows[name] = (checked, gold, fit, list(labels))
    return out


# ---------------------------------------------------------------- section 3: QuanTemp
def run_quantemp(items: list[dict[str, Any]], stance: StanceScorer, vec: Vectors, settings: Any,
                 calib_rows: list[tuple[str, float, int, bool]],
                 head_rows: HeadRows | None = None, name: str = "",
                 extras: bool = True) -> dict[str, float]:
    """3-class macro-F1 (SUPPORTS/REFUTES/CONFLICTING) with the given snippets."""
    labels = [S, R, C]
    items = [it for it in items if it["label"] in labels]
    gold = [it["label"] for it in items]
    fit = [is_fit(it["id"]) for it in items]
    pairs_c, pairs_e, owner = [], [], []
    for i, it in enumerate(items):
        for ev in it.get("evidence", [])[:3]:
            pairs_c.append(it["claim"])
            pairs_e.append(ev["text"])
            owner.append(i)
    probs = stance.probs(pairs_c, pairs_e)
    cos = vec.cosine(pairs_c, pairs_e) if pairs_c else np.zeros(0)
    ev_vecs = vec.get(pairs_e) if pairs_e else np.zeros((0, 1))
    by_item: dict[int, list[int]] = {}
    for j, i in enumerate(owner):
        by_item.setdefault(i, []).append(j)
    full_out, stance_out, mean_cos, masses = [], [], [], []
    checked: list[Any] = []
    for i, it in enumerate(items):
        js = by_item.get(i, [])
        hits = [_hit(n, pairs_e[j], float(cos[j])) for n, j in enumerate(js)]
        res = full_check(it["claim"], hits, stance, ev_vecs[js] if js else None, settings,
                         _default_reliability)
        full_out.append(VERDICT_TO_LABEL[res.verdict])
        masses.append((res.support_score, res.refute_score))
        checked.append(res)
        calib_rows.append((res.verdict, res.confidence, int(VERDICT_TO_LABEL[res.verdict] == it["label"]),
                           is_fit(it["id"])))
        sides = {stance_label(probs[j], (S, R, N)) for j in js}
        stance_out.append(C if {S, R} <= sides else S if S in sides else R if R in sides else N)
        mean_cos.append(float(np.mean(cos[js])) if js else 0.0)
    g_fit = [g for g, f in zip(gold, fit, strict=True) if f]
    g_ev = [g for g, f in zip(gold, fit, strict=True) if not f]
    out: dict[str, float] = {}
    majority = Counter(g_fit).most_common(1)[0][0]
    out["majority"] = macro_f1(g_ev, [majority] * len(g_ev), labels)
    mc, fa = np.asarray(mean_cos), np.asarray(fit)
    t = fit_cosine_thresholds(mc[fa], g_fit, [S, R])
    out["cosine"] = macro_f1(g_ev, apply_cosine(mc[~fa], t, [S, R]), labels)
    for system, outs in (("stance", stance_out), ("full", full_out)):
        mapping = fit_output_map([o for o, f in zip(outs, fit, strict=True) if f], g_fit, labels)
        out[system] = macro_f1(g_ev, [mapping[o] for o, f in zip(outs, fit, strict=True) if not f],
                               labels)
    out["n"] = float(len(g_ev))
    if not extras:
        return out
    out["full_fit"] = score_fitted(masses, gold, fit, labels, settings.verdict)
    out["head"], out["head_ece"], _ = score_head(checked, gold, fit, labels)
    out["n_fit"] = float(len(g_fit))
    out["_curve"] = head_by_reviews(checked, gold, fit, labels, out["full"])  # type: ignore[assignment]
    if head_rows is not None:
        head_rows[name] = (checked, gold, fit, list(labels))
    return out


# ---------------------------------------------------------------- section 4: AVeriTeC
def scores_4way(gold: Sequence[str], pred: Sequence[str], prefix: str) -> dict[str, float]:
    """4-label macro-F1 (as ``prefix``), balanced accuracy, accuracy and the count of NOT
    ENOUGH EVIDENCE answers of one system, as flat keys (``acc:prefix`` ...)."""
    from sklearn.metrics import accuracy_score, balanced_accuracy_score

    gold, pred = list(gold), list(pred)
    if not gold:
        return {}
    return {prefix: macro_f1(gold, pred, (S, R, N, C)),
            f"bal_acc:{prefix}": float(balanced_accuracy_score(gold, pred)),
            f"acc:{prefix}": float(accuracy_score(gold, pred)),
            f"nee:{prefix}": float(sum(p == N for p in pred))}


def run_averitec(items: list[dict[str, Any]], stance: StanceScorer, vec: Vectors, settings: Any,
                 reliability: Callable[[str | None], Any], representation: str,
                 calib_rows: list[tuple[str, float, int, bool]] | None = None
                 ) -> dict[str, float]:
    """AVeriTeC: each claim checked against its own evidence items, weighed by the seed
    ratings; the checker with its default thresholds (nothing fitted on this set) beside
    the majority class, the embedding cosine (thresholds fit on the fitting part) and the
    stance model alone, scored on the eval part."""
    import averitec

    gold = [it["label"] for it in items]
    fit = [is_fit(it["id"]) for it in items]
    texts = [[averitec.passage_text(ev["text"], representation) for ev in it["evidence"]]
             for it in items]
    pairs_c = [it["claim"] for it, ts in zip(items, texts, strict=True) for _ in ts]
    pairs_e = [t for ts in texts for t in ts]
    probs = stance.probs(pairs_c, pairs_e)
    cos = vec.cosine(pairs_c, pairs_e) if pairs_e else np.zeros(0)
    ev_vecs = vec.get(pairs_e) if pairs_e else np.zeros((0, 1))
    outs: dict[str, list[str]] = {"stance": [], "full": []}
    mean_cos: list[float] = []
    rated = 0
    start = 0
    for it, ts in zip(items, texts, strict=True):
        js = list(range(start, start + len(ts)))
        start += len(ts)
        hits = averitec.evidence_hits(it, representation, [float(cos[j]) for j in js])
        rated += sum(not averitec.is_prior(reliability(h.passage.domain)) for h in hits)
        res = full_check(it["claim"], hits, stance, ev_vecs[js] if js else None, settings,
                         reliability)
        outs["full"].append(VERDICT_TO_LABEL[res.verdict])
        if calib_rows is not None:
            calib_rows.append((res.verdict, res.confidence,
                               int(VERDICT_TO_LABEL[res.verdict] == it["label"]), is_fit(it["id"])))
        sides = {stance_label(probs[j], (S, R, N)) for j in js}
        outs["stance"].append(C if {S, R} <= sides else S if S in sides else R if R in sides
                              else N)
        mean_cos.append(float(np.mean(cos[js])) if js else 0.0)
    g_fit = [g for g, f in zip(gold, fit, strict=True) if f]
    g_ev = [g for g, f in zip(gold, fit, strict=True) if not f]
    out: dict[str, float] = {}
    if g_fit:
        out.update(scores_4way(g_ev, [Counter(g_fit).most_common(1)[0][0]] * len(g_ev),
                               "majority"))
        mc, fa = np.asarray(mean_cos), np.asarray(fit)
        t = fit_cosine_thresholds(mc[fa], g_fit, (S, R, N, C))
        out.update(scores_4way(g_ev, apply_cosine(mc[~fa], t, (S, R, N, C)), "cosine"))
    for system in ("stance", "full"):
        out.update(scores_4way(g_ev, [o for o, f in zip(outs[system], fit, strict=True)
                                      if not f], system))
    out["n"] = float(len(g_ev))
    out["gold_nee"] = float(sum(g == N for g in g_ev))
    out["claims"] = float(len(items))
    out["passages"] = float(len(pairs_e))
    out["rated_share"] = rated / max(1, len(pairs_e))
    return out


# ---------------------------------------------------------------- section 5: desk suite
def desk_suite_module() -> Any:
    """``benchmarks/desk_suite.py`` with its ``benchmarks/desk/`` data, or None (says why)."""
    import importlib

    if not (BENCH / "desk").is_dir():
        print("[desk] skipped: benchmarks/desk/ is absent", flush=True)
        return None
    try:
        module = importlib.import_module("desk_suite")
    except ImportError as exc:
        print(f"[desk] skipped: benchmarks/desk_suite.py cannot be imported ({exc})", flush=True)
        return None
    missing = [f for f in ("load_claims", "build_workspace", "run", "summarise")
               if not hasattr(module, f)]
    if missing:
        print(f"[desk] skipped: desk_suite has no {', '.join(missing)}", flush=True)
        return None
    return module


def _summary_value(summary: Any, *names: str) -> float:
    """The first of ``names`` a desk-suite summary (dict or object) holds, else NaN."""
    for name in names:
        value = summary.get(name) if isinstance(summary, dict) else getattr(summary, name, None)
        if value is not None:
            return float(value)
    return float("nan")


def run_desk(module: Any) -> dict[str, float]:
    """The desk suite on a workspace this library version builds in a temporary folder:
    accuracy, macro-F1 (as ``full``) and floor violations."""
    claims = module.load_claims()
    with tempfile.TemporaryDirectory(prefix="verify-desk-") as tmp:
        t0 = time.perf_counter()
        ws = module.build_workspace(Path(tmp) / "desk")
        built = time.perf_counter() - t0
        try:
            rows = module.run(ws, claims)
        finally:
            close = getattr(ws, "close", None)
            if callable(close):
                close()
    summary = module.summarise(rows)
    return {"full": _summary_value(summary, "macro_f1", "macro-F1", "f1"),
            "acc:full": _summary_value(summary, "accuracy", "acc"),
            "floor:full": _summary_value(summary, "floor_violations", "floor"),
            "n": _summary_value(summary, "n", "claims") if _has(summary, "n", "claims")
            else float(len(claims)),
            "build_s": built}


def _has(summary: Any, *names: str) -> bool:
    return any((summary.get(n) if isinstance(summary, dict) else getattr(summary, n, None))
               is not None for n in names)


# ---------------------------------------------------------------- the pinned "before" run
def data_root(explicit: str | None) -> Path | None:
    """The eval data folder: ``--data`` when given (None if it is not a folder), else
    $VERIFY_EVAL_DATA or ../shared/data."""
    from verify.config import eval_data_path

    if explicit:
        return Path(explicit).resolve() if Path(explicit).is_dir() else None
    found = eval_data_path(None)
    return found.resolve() if found is not None else None


def head_label() -> str:
    """This checkout's commit, "+changes" when ``verify/`` differs from it."""
    def git(*cmd: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *cmd], capture_output=True, text=True)
        return done.stdout.strip() if done.returncode == 0 else ""

    sha = git("rev-parse", "--short", "HEAD") or "?"
    return f"HEAD {sha}" + ("+changes" if git("status", "--porcelain", "--", "verify") else "")


def baseline_command(args: Any, sections: Sequence[str], root: Path | None, worktree: Path,
                     out_json: Path) -> list[str]:
    """This script, run for ``sections`` with the same options, emitting JSON."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--no-baseline",
           "--emit-json", str(out_json), "--expect-verify-under", str(worktree),
           "--sections", ",".join(sections), "--data", str(root or "/nonexistent")]
    for flag, value in (("--limit", args.limit), ("--stance-model", args.stance_model),
                        ("--claim-sets", args.claim_sets), ("--limit-docs", args.limit_docs),
                        ("--embedder", args.embedder), ("-k", args.k),
                        ("--quantemp-limit", args.quantemp_limit),
                        ("--averitec-limit", args.averitec_limit),
                        ("--averitec-seed", args.averitec_seed),
                        ("--averitec-passages", args.averitec_passages),
                        ("--stance-scores", args.stance_scores), ("--pairs", args.pairs)):
        if value is not None:
            cmd += [flag, str(Path(value).resolve()) if flag in ("--stance-scores", "--pairs")
                    and ":" not in str(value) else str(value)]
    return cmd


def run_baseline(args: Any, sections: Sequence[str], root: Path | None) -> dict[str, Any]:
    """The sections with the library at ``args.baseline_ref``: a temporary git worktree on
    PYTHONPATH, this script in a subprocess; its JSON (or ``{"error": why}``)."""
    ref = args.baseline_ref
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--verify", "--short",
                           f"{ref}^{{commit}}"], capture_output=True, text=True)
    if done.returncode != 0:
        return {"error": f"{ref} is not a commit here ({done.stderr.strip()})"}
    sha = done.stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="verify-baseline-"))
    worktree = tmp / "tree"
    t0 = time.perf_counter()
    try:
        added = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach",
                                str(worktree), sha], capture_output=True, text=True)
        if added.returncode != 0:
            return {"error": f"git worktree add failed: {added.stderr.strip()}"}
        out_json = tmp / "before.json"
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(worktree), env.get("PYTHONPATH"))
                                            if p)
        cmd = baseline_command(args, sections, root, worktree, out_json)
        print(f"[before] {ref} ({sha}) in {worktree}: {' '.join(cmd[1:])}", flush=True)
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert proc.stdout is not None
        for raw in proc.stdout:
            # a progress bar redraws with \r: only its last state is shown
            line = raw.decode("utf-8", "replace").rstrip("\r\n").rsplit("\r", 1)[-1]
            print(f"  before| {line}", flush=True)
        if proc.wait() != 0:
            return {"error": f"the {ref} run exited with {proc.returncode}"}
        data = json.loads(out_json.read_text(encoding="utf-8"))
        data.update(ref=ref, sha=sha, seconds=time.perf_counter() - t0)
        return data  # type: ignore[no-any-return]
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)],
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True)


def emit_json(path: Path, results: dict[str, dict[str, float]], timings: dict[str, float],
              seconds: float) -> None:
    """The plain-number rows of this run, for the parent of a baseline run."""
    import verify

    rows = {col: {k: float(v) for k, v in vals.items()
                  if not k.startswith("_") and isinstance(v, int | float)}
            for col, vals in results.items() if not col.startswith("_")}
    path.write_text(json.dumps({"verify_file": verify.__file__, "results": rows,
                                "timings": timings, "run_s": seconds}), encoding="utf-8")


def merge_before(results: dict[str, dict[str, float]], before: dict[str, dict[str, float]]
                 ) -> None:
    """Put the baseline's checker rows beside this run's: every ``full`` key of a column
    as ``before`` (``acc:full`` as ``acc:before`` ...), and ``delta`` = full - before."""
    for col, vals in before.items():
        if col.startswith("_"):
            continue
        row = results.setdefault(col, {"n": vals.get("n", float("nan"))})
        for key, value in vals.items():
            if key == "full" or key.endswith(":full"):
                row[key[:-4] + "before"] = value
        if "full" in row and "before" in row:
            row["delta"] = row["full"] - row["before"]


def _cell(value: float | None, spec: str, signed: bool = False) -> str:
    """A table cell: "-" for a missing value, ``spec`` ".3f" or "d", a sign if ``signed``."""
    if value is None or value != value:
        return "-"
    if spec == "d":
        return f"{round(value):+d}" if signed else f"{round(value)}"
    return f"{value:+{spec}}" if signed else f"{value:{spec}}"


def before_after_rows(results: dict[str, dict[str, float]], metrics: Sequence[tuple[str, str]],
                      col: str, before_name: str, after_name: str) -> list[list[str]]:
    """Rows "before", "after" and "after - before" of a column's checker ``metrics`` (key
    prefix, "" for macro-F1, and format ".3f" or "d"); "-" where a side was not run."""
    row = results.get(col, {})

    def get(prefix: str, side: str) -> float | None:
        return row.get(f"{prefix}:{side}" if prefix else side)

    deltas = []
    for prefix, spec in metrics:
        b, a = get(prefix, "before"), get(prefix, "full")
        deltas.append(_cell(None if b is None or a is None else a - b, spec, signed=True))
    return [[before_name, *(_cell(get(p, "before"), f) for p, f in metrics)],
            [after_name, *(_cell(get(p, "full"), f) for p, f in metrics)],
            ["after - before", *deltas]]


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=None, help="eval data folder")
    parser.add_argument("--limit", type=int, default=None, help="at most N items per set")
    parser.add_argument("--sections", default="pairs,claims,quantemp,averitec,desk,speed",
                        help="comma list of pairs, claims, quantemp, averitec, desk, speed")
    parser.add_argument("--stance-model", default="verify-stance")
    parser.add_argument("--claim-sets", default="scifact,fm2",
                        help="claim sets checked with retrieval (comma list)")
    parser.add_argument("--limit-docs", type=int, default=None,
                        help="ingest only the first N corpus documents (smoke runs)")
    parser.add_argument("--embedder", default="minilm")
    parser.add_argument("-k", type=int, default=None, help="passages per claim (default settings)")
    parser.add_argument("--quantemp-limit", type=int, default=None,
                        help="at most N QuanTemp claims (default: --limit; 0: all)")
    parser.add_argument("--fit-calibration", nargs="?", default=None, metavar="OUT.json",
                        const=str(ARTIFACTS / "calibrator.json"),
                        help="fit the confidence calibrator on the fitting parts and write it "
                             "to OUT.json (default benchmarks/artifacts/calibrator.json); the "
                             "package's copy is replaced only by "
                             "'python -m training.ship_calibration OUT.json'")
    parser.add_argument("--dump-pairs", default=None, metavar="FILE.jsonl.gz",
                        help="write every claim/passage pair this run scores (for scoring "
                             "trained variants elsewhere: train.py --score-pairs)")
    parser.add_argument("--stance-scores", default=None, metavar="FILE.npz[:VARIANT]",
                        help="use these precomputed probabilities (rows in --dump-pairs "
                             "order, read from --pairs) instead of running the stance model")
    parser.add_argument("--pairs", default=None, help="the --dump-pairs file of --stance-scores")
    parser.add_argument("--averitec-limit", type=int, default=400,
                        help="AVeriTeC claims, a seeded sample (default 400; 0: all 3,068)")
    parser.add_argument("--averitec-seed", type=int, default=18,
                        help="seed of the AVeriTeC sample (default 18)")
    parser.add_argument("--averitec-passages", default="qa", choices=("qa", "answer"),
                        help="an AVeriTeC evidence item as a passage: qa (default) = "
                             "'Question? Answer.'; answer = the answer alone, with its question "
                             "where it opens with a bare yes/no")
    parser.add_argument("--baseline-ref", default=BASELINE_REF,
                        help=f"commit whose library gives the pinned 'before' row "
                             f"(default {BASELINE_REF}, before issue 18)")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the pinned 'before' run (this checkout only)")
    parser.add_argument("--emit-json", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--expect-verify-under", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TQDM_DISABLE", "1")     # no progress bars between the tables
    logging.basicConfig(level=logging.WARNING)
    log.setLevel(logging.INFO)

    import verify
    from verify.config import Settings

    if args.expect_verify_under:
        where = Path(verify.__file__).resolve()
        print(f"verify imported from {where}", flush=True)
        if Path(args.expect_verify_under).resolve() not in where.parents:
            print(f"verify is not the library under {args.expect_verify_under}; stopping")
            return 3
    t_main = time.perf_counter()
    pinned = args.emit_json is not None     # the baseline run: the checker's rows only
    root = data_root(args.data)
    sections = {s.strip() for s in args.sections.split(",") if s.strip()}
    if root is None:
        skipped = sorted(sections - {"desk"})
        sections &= {"desk"}
        if skipped or not sections:
            print("eval data not found (pass --data or set VERIFY_EVAL_DATA); skipping"
                  + (f" {', '.join(skipped)}" if skipped and sections else ""), flush=True)
        if not sections:
            return 0
    if args.stance_scores and "speed" in sections:
        print("speed section skipped: precomputed stance scores have no speed to measure")
        sections.discard("speed")
    settings = Settings(embedder=args.embedder, stance_model=args.stance_model)
    k = args.k or settings.verdict.evidence_k
    if args.stance_scores and not args.pairs:
        parser.error("--stance-scores needs --pairs (the file --dump-pairs wrote)")
    if args.stance_scores and args.fit_calibration:
        parser.error("--fit-calibration refits the shipped calibrator: not with --stance-scores")
    if pinned and args.fit_calibration:
        parser.error("--fit-calibration is not for a baseline run")
    before: dict[str, Any] = {}
    baseline_sections = [x for x in PINNED_SECTIONS if x in sections]
    if not args.no_baseline and not pinned and baseline_sections:
        # first, so the stance cache it fills is the one this run loads
        before = run_baseline(args, baseline_sections, root)
        if "error" in before:
            print(f"[before] no pinned row: {before['error']}", flush=True)
    try:
        stance = StanceScorer(args.stance_model, PrecomputedStance(Path(args.pairs),
                                                                   args.stance_scores)
                              if args.stance_scores else None)
    except Exception as exc:
        print(f"stance model {args.stance_model!r} unavailable ({exc}); skipping")
        return 0
    vec = Vectors(args.embedder)
    results: dict[str, dict[str, float]] = {}
    calib_rows: list[tuple[str, float, int, bool]] = []
    qt_rows: list[tuple[str, float, int, bool]] = []
    latencies: list[float] = []
    search_lat: list[float] = []
    av_rows: list[tuple[str, float, int, bool]] = []
    head_rows: HeadRows = {}
    timings: dict[str, float] = {}
    t_start = time.perf_counter()

    if "pairs" in sections:
        t0 = time.perf_counter()
        for name, items in pair_sets(root).items():
            items = limited(items, args.limit)
            print(f"[pairs] {name}: {len(items)} pairs", flush=True)
            results[name] = run_pairs(items, stance, vec, settings, extras=not pinned)
        timings["pairs"] = time.perf_counter() - t0

    claim_ws: dict[str, Any] = {}
    t0 = time.perf_counter()
    if "claims" in sections or "speed" in sections:
        for name in [n.strip() for n in args.claim_sets.split(",") if n.strip()]:
            base = root / "claims" / name
            if not (base / "claims.jsonl").is_file():
                continue
            if "claims" not in sections and name != "scifact":
                continue
            claim_ws[name] = build_workspace(name, base / "corpus.jsonl", args.limit_docs,
                                             args.embedder, read_only=pinned)
            ws = claim_ws[name]
            items = [{"id": r["id"], "claim": r["claim"], "label": norm_label(r["label"]),
                      "evidence": r.get("evidence", [])}   # read only by the ceiling row
                     for r in load_jsonl(base / "claims.jsonl")]
            items = limited(items, args.limit)
            if "claims" in sections:
                print(f"[claims] {name}: {len(items)} claims, k={k}", flush=True)
                results[f"{name} (claims)"] = run_claims(
                    items, ws, stance, settings, k, calib_rows,
                    latencies if name == "scifact" else None, head_rows, f"{name} (claims)",
                    extras=not pinned)
    if "claims" in sections:
        timings["claims"] = time.perf_counter() - t0

    if "quantemp" in sections and (root / "numeric/quantemp.jsonl").is_file():
        t0 = time.perf_counter()
        items = [{"id": r["id"], "claim": r["claim"], "label": norm_label(r["label"]),
                  "evidence": r.get("evidence", [])}
                 for r in load_jsonl(root / "numeric/quantemp.jsonl")]
        qt_limit = args.limit if args.quantemp_limit is None else (args.quantemp_limit or None)
        items = limited(items, qt_limit)
        print(f"[quantemp] {len(items)} claims", flush=True)
        results["quantemp (3-class)"] = run_quantemp(items, stance, vec, settings, qt_rows,
                                                     head_rows, "quantemp (3-class)",
                                                     extras=not pinned)
        timings["quantemp"] = time.perf_counter() - t0

    if "averitec" in sections:
        import averitec

        path = root / averitec.REL_PATH
        if path.is_file():
            t0 = time.perf_counter()
            items = averitec.load_averitec(path, args.averitec_limit or None, args.averitec_seed)
            print(f"[averitec] {len(items)} claims (seed {args.averitec_seed}), passages: "
                  f"{args.averitec_passages}", flush=True)
            reliability, rating_ws = averitec.seeded_reliability(settings)
            try:
                results[AVERITEC] = run_averitec(items, stance, vec, settings, reliability,
                                                 args.averitec_passages, av_rows)
            finally:
                rating_ws.close()
            timings["averitec"] = time.perf_counter() - t0
        else:
            print(f"[averitec] skipped: no {path}", flush=True)

    if "desk" in sections and (desk := desk_suite_module()) is not None:
        t0 = time.perf_counter()
        print("[desk] building its workspace and checking its claims", flush=True)
        try:
            results[DESK] = run_desk(desk)
        except Exception as exc:  # one section's failure is reported; the others stand
            log.exception("[desk] failed")
            print(f"[desk] failed: {type(exc).__name__}: {exc}", flush=True)
        timings["desk"] = time.perf_counter() - t0

    if pinned:
        emit_json(Path(args.emit_json), results, timings, time.perf_counter() - t_start)
        return 0

    # one head for every claim set, fitted on the licensed sets' fitting parts together
    licensed = [name for name in head_rows if "claims" in name]
    for name, score in score_pooled_head(head_rows, licensed).items():
        results[name]["head_pooled"] = score

    # ---- calibration (section 4)
    try:
        from verify.checks.calibration import CALIBRATOR_PATH, Calibrator, fit_calibrator
    except ImportError:  # an older verify (agreement.py's before row)
        from verify.calibration import CALIBRATOR_PATH, Calibrator, fit_calibrator

    calib = None
    if calib_rows or qt_rows or av_rows:
        # the shipped calibrator is fitted only on sets whose licence allows a derived
        # artefact (SciFact CC BY, FM2 Apache-2.0); QuanTemp (CC BY-NC) is scored, not fitted
        fit_rows = [r for r in calib_rows if r[3]]
        eval_rows = [r for r in calib_rows + qt_rows if not r[3]]
        if args.fit_calibration and fit_rows:
            calib = fit_calibrator([r[0] for r in fit_rows], [r[1] for r in fit_rows],
                                   [r[2] for r in fit_rows],
                                   version=f"logreg-{time.strftime('%Y%m%d')}-n{len(fit_rows)}",
                                   meta={"fitted_on": "fit parts (md5 split, 30%) of the claim "
                                         "sets run: " + ", ".join(sorted(k_ for k_ in results
                                                                        if "claims" in k_)),
                                         "stance_model": stance.tag})
            # the fitted numbers name it too: two fits on one day stay told apart
            digest = hashlib.sha1(json.dumps([calib.coef, calib.intercept]).encode()).hexdigest()
            calib = dataclasses.replace(calib, version=f"{calib.version}-{digest[:8]}")
            saved = calib.save(Path(args.fit_calibration))
            print(f"saved calibrator {calib.version} to {saved}; ship it with: "
                  f"python -m training.ship_calibration {saved}", flush=True)
        calib = calib or Calibrator.load(CALIBRATOR_PATH)
        groups = {"claim sets with retrieval": [r for r in calib_rows if not r[3]],
                  "QuanTemp (not fitted on)": [r for r in qt_rows if not r[3]],
                  "all": eval_rows,
                  "AVeriTeC (not fitted on; not in all)": [r for r in av_rows if not r[3]]}
        ece_rows: dict[str, dict[str, float]] = {}
        for group, rows in groups.items():
            if rows:
                ece_rows[group] = {
                    "raw": ece([r[1] for r in rows], [r[2] for r in rows]),
                    "calibrated": ece([calib.predict(r[0], r[1]) for r in rows],
                                      [r[2] for r in rows]),
                    "n": float(len(rows))}
        results["_ece"] = ece_rows  # type: ignore[assignment]

    # ---- speed (section 5)
    speed: dict[str, float] = {}
    if "speed" in sections:
        pairs = load_jsonl(root / "pairs/fever-symmetric.jsonl")[:256]
        cl, ev = [p["claim"] for p in pairs], [p["evidence"] for p in pairs]
        stance.model.predict_batch(cl[:8], ev[:8])
        t0 = time.perf_counter()
        for s in range(0, len(cl), 64):
            stance.model.predict_batch(cl[s:s + 64], ev[s:s + 64])
        speed["stance_pairs_s"] = len(cl) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        vec.embedder.embed_many([*cl, *ev], batch_size=64)
        speed["cosine_pairs_s"] = len(cl) / (time.perf_counter() - t0)
        if "scifact" in claim_ws:
            ws = claim_ws["scifact"].with_settings(stance_model=args.stance_model)
            claims = [r["claim"] for r in limited(
                [{"id": r["id"], "claim": r["claim"]} for r in
                 load_jsonl(root / "claims/scifact/claims.jsonl")], 40)]
            ws.check(claims[0], save=False)
            check_lat = []
            for c in claims:
                t0 = time.perf_counter()
                ws.search(c, k=k)
                search_lat.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                ws.check(c, save=False)
                check_lat.append(time.perf_counter() - t0)
            speed["check_p50_ms"] = 1000 * statistics.median(check_lat)
            speed["search_p50_ms"] = 1000 * statistics.median(search_lat)

    if before.get("results"):
        merge_before(results, before["results"])
    print_report(results, speed, args, stance.tag, time.perf_counter() - t_main, calib,
                 before, timings)
    if args.dump_pairs:
        write_pairs(Path(args.dump_pairs), stance.asked.values())
    return 0


def write_pairs(path: Path, pairs: Any) -> None:
    """The scored pairs as a pair file (the format train.py --score-pairs reads)."""
    from training.data import Pair, write_jsonl_gz

    n = write_jsonl_gz(path, (Pair(claim, evidence, 0, "agreement") for claim, evidence in pairs))
    print(f"wrote {n} scored pairs to {path}")


def print_report(results: dict[str, dict[str, float]], speed: dict[str, float], args: Any,
                 tag: str, seconds: float, calib: Any, before: dict[str, Any] | None = None,
                 timings: dict[str, float] | None = None) -> None:
    """The one table, then AVeriTeC's and the desk suite's before/after tables."""
    before = before or {}
    cols = [c for c in results if not c.startswith("_")]
    after_name = f"after ({head_label()})"
    ref = before.get("ref") or getattr(args, "baseline_ref", BASELINE_REF)
    sha = before.get("sha") or ref
    before_name = (f"before ({ref if sha.startswith(ref) else f'{ref} = {sha}'})"
                   if before.get("results") else f"before ({ref}): not run")
    names = {**SYSTEM_NAMES, "before": f"  same, {before_name}"}
    systems = [s for s in SYSTEMS if s not in ("before", "delta")
               or any(s in results[c] for c in cols)]
    width = max([len(names[s]) for s in systems] + [20])
    print()
    print(f"Agreement benchmark — stance model {tag}; macro-F1 on the eval part "
          f"(70%, md5 split); thresholds/mappings fitted on the other 30%")
    print(f"the checker rows: {after_name} = this checkout; {before_name}"
          + (f" = the library of that commit, rerun in this run from a git worktree "
             f"(verify from {before.get('verify_file')})" if before.get("results") else ""))
    header = "system".ljust(width) + "".join(f" | {c[:24]:>24}" for c in cols)
    print(header)
    print("-" * len(header))
    for s in systems:
        row = names[s].ljust(width)
        for c in cols:
            value = results[c].get(s, float("nan"))
            spec = "+24.3f" if s == "delta" else "24.3f"
            row += f" | {'-':>24}" if value != value else f" | {value:{spec}}"
        print(row)
    print("n (eval)".ljust(width) + "".join(
        f" | {_cell(results[c].get('n'), 'd'):>24}" for c in cols))
    if DESK in results:
        print(f"({DESK}: all its claims, nothing fitted; its column is the checker's macro-F1)")
    targets = {"fever-symmetric": 0.75, "quantemp (3-class)": 0.55, "scifact (claims)": 0.60}
    for c, t in targets.items():
        if c in results:
            got = results[c]["full"]
            print(f"target {c}: >= {t:.2f} -> {got:.3f} ({'met' if got >= t else 'NOT met'})")
            head = results[c].get("head", float("nan"))
            if head == head:
                print(f"  with a head learned from the fitting part's reviews (verify learn): "
                      f"{head:.3f} ({'met' if head >= t else 'NOT met'})")
    heads = {c: v for c in cols if (v := results[c].get("head_ece", float("nan"))) == v}
    if heads:
        print("learned head confidence ECE (eval parts): "
              + ", ".join(f"{c} {v:.3f}" for c, v in heads.items()))
    for c in cols:
        curve: Any = results[c].get("_curve")
        if curve:
            print(f"learned head on {c} from only n reviews (5 draws; head / what the desk gets "
                  f"with the switch-on rule / draws switched on): "
                  + ", ".join(f"n={n} {h:.3f} / {g:.3f} / {k}" for n, (h, g, k) in curve.items())
                  + f"; all {int(results[c].get('n_fit', 0))}: {results[c]['head']:.3f}")
    for group, e in results.get("_ece", {}).items():
        print(f"confidence ECE, {group} (eval parts, n={int(e['n'])}): raw {e['raw']:.3f} -> "  # type: ignore[index]
              f"calibrated {e['calibrated']:.3f} ({getattr(calib, 'version', '?')})")  # type: ignore[index]
    if speed:
        if "stance_pairs_s" in speed:
            print(f"stance throughput: {speed['stance_pairs_s']:.1f} pairs/s vs embedding-cosine "
                  f"baseline {speed['cosine_pairs_s']:.1f} pairs/s "
                  f"(ratio {speed['stance_pairs_s'] / speed['cosine_pairs_s']:.2f})")
        if "check_p50_ms" in speed:
            print(f"full check p50 on SciFact corpus: {speed['check_p50_ms']:.0f} ms vs retrieval "
                  f"alone {speed['search_p50_ms']:.0f} ms (ratio "
                  f"{speed['check_p50_ms'] / max(1e-9, speed['search_p50_ms']):.2f}; target <= 300 ms)")
    print_averitec(results, args, before_name, after_name)
    print_desk(results, before_name, after_name)
    if timings:
        print("section times, after: " + ", ".join(f"{k} {v:.0f}s" for k, v in timings.items()))
    if before.get("results"):
        print(f"before run ({before['ref']}): {before['seconds']:.0f}s in all (worktree, "
              f"subprocess, " + ", ".join(f"{k} {v:.0f}s" for k, v in
                                          before.get("timings", {}).items()) + ")")
    print(f"limit={args.limit} k={args.k or 'settings'} total {seconds:.0f}s "
          f"(with the before run); cpu threads={os.cpu_count()}")


def print_averitec(results: dict[str, dict[str, float]], args: Any, before_name: str,
                   after_name: str) -> None:
    """AVeriTeC's own table: 4-label macro-F1, balanced accuracy, accuracy, NEE answers."""
    from _common import print_table

    row = results.get(AVERITEC)
    if not row:
        return
    metrics = (("", ".3f"), ("bal_acc", ".3f"), ("acc", ".3f"), ("nee", "d"))
    rows = [[name, *(_cell(row.get(f"{p}:{system}" if p else system), f) for p, f in metrics)]
            for system, name in (("majority", "majority class (of the fitting part)"),
                                 ("cosine", "embedding cosine (thresholds fit on the fitting part)"),
                                 ("stance", "stance model alone"))]
    rows += before_after_rows(results, metrics, AVERITEC, f"checker {before_name}",
                              f"checker {after_name}")
    passages = getattr(args, "averitec_passages", "qa")
    print_table(
        f"AVeriTeC train (real fact-checked claims; CC BY-NC: scored, never fitted): "
        f"{_cell(row.get('claims'), 'd')} claims sampled (seed {getattr(args, 'averitec_seed', '?')}), "
        f"eval part n={_cell(row.get('n'), 'd')} of which {_cell(row.get('gold_nee'), 'd')} "
        f"NOT ENOUGH EVIDENCE; each claim against its own {_cell(row.get('passages'), 'd')} "
        f"evidence items, passages '{passages}'{' (the default)' if passages == 'qa' else ''}; "
        f"{_cell(row.get('rated_share', float('nan')) * 100, '.0f')}% of items from a source "
        f"the seed ratings rate (after), the rest at the prior; labels Supported/Refuted/"
        f"Not Enough Evidence/Conflicting Evidence-Cherrypicking -> SUPPORTED/REFUTED/"
        f"NOT ENOUGH EVIDENCE/CONFLICTING",
        ["system", "macro-F1 (4 labels)", "balanced accuracy", "accuracy",
         "NOT ENOUGH EVIDENCE answers"], rows)


def print_desk(results: dict[str, dict[str, float]], before_name: str, after_name: str) -> None:
    """The desk suite's table: accuracy, macro-F1 and floor violations, before and after."""
    from _common import print_table

    row = results.get(DESK)
    if not row:
        return
    print_table(f"desk suite (benchmarks/desk, {_cell(row.get('n'), 'd')} claims, each version "
                f"on a workspace it built; floor violation = REFUTED or CONFLICTING where every "
                f"source rated >= 0.7 supports)",
                ["checker", "accuracy", "macro-F1", "floor violations"],
                before_after_rows(results, (("acc", ".3f"), ("", ".3f"), ("floor", "d")), DESK,
                                  before_name, after_name))


if __name__ == "__main__":
    sys.exit(main())
