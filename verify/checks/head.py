"""A verdict head a desk learns from its own reviewed checks.

The rule in ``verify.checks.aggregate`` turns evidence masses into a verdict with thresholds that
hold for every corpus. A desk that reviews its checks (``Workspace.review``) builds a
labelled history of what the right verdict was for its claims and its corpus. From that
history this module fits a small logistic regression over numbers every check already
records: the two evidence masses, the passages' stance probabilities, relevance and
weight, and the figure alignments (``HEAD_FEATURES``).

- **Decision.** The label with the largest posterior divided by its share of the reviews
  (every verdict counts alike, as in macro-F1), among the labels the evidence allows:
  SUPPORTED only if some passage supports, REFUTED only if some passage refutes,
  CONFLICTING only if both; NOT ENOUGH EVIDENCE always. So the deciding passages the
  explanation names still exist.
- **Confidence.** The head's posterior of that label (a plain, unweighted fit, so it is a
  probability on the desk's own mix of verdicts).
- **Honesty.** ``fit_verdict_head`` scores the head and the rule by k-fold
  cross-validation on the same reviews; the head is activated only when it beats the
  rule there. A head belongs to one stance model, embedder and verdict-settings hash; a
  check run under others ignores it and says so.

Example:
    head = fit_verdict_head(results, reviewed_labels)
    head.cv_head_f1 > head.cv_rule_f1
    # -> True
    apply_head(result, head).verdict
    # -> 'NOT ENOUGH EVIDENCE'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from verify.checks.aggregate import decisive_passages, side_masses
from verify.errors import InputError
from verify.types import VERDICTS, CheckResult

HEAD_FEATURES = (
    "support_score", "refute_score",
    "max_p_supports", "max_p_refutes", "max_p_unrelated",
    "mean_p_supports", "mean_p_refutes", "mean_p_unrelated",
    "max_weighted_supports", "max_weighted_refutes",
    "max_relevance", "mean_relevance", "max_weight",
    "passages_supporting", "passages_refuting",
    "figures_matching", "figures_mismatching", "figures_other_time", "claim_figures",
)
MIN_REVIEWS = 60   # fewer gave SciFact heads worse than the rule (benchmarks/agreement.py)
MIN_PER_LABEL = 5
SETTINGS_KEYS = ("stance_version", "embedder_id")


def head_features(result: CheckResult) -> list[float]:
    """The numbers of one check a head reads, in ``HEAD_FEATURES`` order."""
    ev = result.evidence
    if ev:
        p = np.asarray([[e.p_supports, e.p_refutes, e.p_unrelated] for e in ev], dtype=np.float64)
        rel = np.asarray([e.relevance for e in ev], dtype=np.float64)
        w = np.asarray([e.weight for e in ev], dtype=np.float64)
    else:
        p, rel, w = np.zeros((1, 3)), np.zeros(1), np.zeros(1)
    weighted = (w[:, None] * p).max(0)
    stances = Counter(e.stance for e in ev)
    statuses = Counter(a.status for e in ev for a in e.alignments)
    return [result.support_score, result.refute_score, *p.max(0), *p.mean(0),
            float(weighted[0]), float(weighted[1]), float(rel.max()), float(rel.mean()),
            float(w.max()), float(stances["supports"]), float(stances["refutes"]),
            float(statuses["match"]), float(statuses["mismatch"]),
            float(statuses["different_scope"]), float(len(result.claim_quantities))]


def allowed_verdicts(result: CheckResult) -> tuple[str, ...]:
    """The verdicts the evidence of ``result`` can back (see the module docstring)."""
    sides = {e.stance for e in result.evidence if e.weight > 0}
    out = ["NOT ENOUGH EVIDENCE"]
    if "supports" in sides:
        out.append("SUPPORTED")
    if "refutes" in sides:
        out.append("REFUTED")
    if {"supports", "refutes"} <= sides:
        out.append("CONFLICTING")
    return tuple(v for v in VERDICTS if v in out)


@dataclass(frozen=True)
class VerdictHead:
    """A fitted head: standardisation, multinomial logistic coefficients and provenance."""

    head_id: str
    labels: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[tuple[float, ...], ...]    # one row per label
    intercept: tuple[float, ...]
    prior: tuple[float, ...]               # each label's share of the reviews
    versions: dict[str, str]               # stance_version, embedder_id, verdict_settings
    n_reviews: int
    label_counts: dict[str, int]
    cv_head_f1: float                      # k-fold macro-F1 on the reviews
    cv_rule_f1: float                      # the rule's macro-F1 on the same reviews
    created_at: str

    def posteriors(self, features: Sequence[float]) -> dict[str, float]:
        """P(label | features) for each label the head knows."""
        x = (np.asarray(features, dtype=np.float64) - np.asarray(self.mean)) / np.asarray(self.scale)
        z = np.asarray(self.coef) @ x + np.asarray(self.intercept)
        if len(self.labels) == 2:   # binary fit: one row of coefficients for labels[1]
            p1 = 1.0 / (1.0 + math.exp(-float(z[0])))
            return {self.labels[0]: 1.0 - p1, self.labels[1]: p1}
        e = np.exp(z - z.max())
        return {lab: float(v) for lab, v in zip(self.labels, e / e.sum(), strict=True)}

    def decide(self, result: CheckResult) -> tuple[str, float] | None:
        """The head's verdict for ``result`` and its posterior; None when the head knows
        none of the verdicts the evidence allows (a desk that never reviewed one)."""
        post = self.posteriors(head_features(result))
        prior = dict(zip(self.labels, self.prior, strict=True))
        allowed = [v for v in allowed_verdicts(result) if v in post]
        if not allowed:
            return None
        best = max(allowed, key=lambda v: post[v] / max(prior[v], 1e-9))
        return best, float(post[best])

    def fits(self, versions: dict[str, str]) -> str | None:
        """None when the head was fitted under ``versions``, else what differs."""
        for key, value in self.versions.items():
            if versions.get(key) != value:
                return f"{key} is {versions.get(key)!r}, the head was fitted under {value!r}"
        return None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictHead:
        """Inverse of ``to_dict``."""
        return cls(head_id=str(data["head_id"]), labels=tuple(data["labels"]),
                   mean=tuple(data["mean"]), scale=tuple(data["scale"]),
                   coef=tuple(tuple(r) for r in data["coef"]), intercept=tuple(data["intercept"]),
                   prior=tuple(data["prior"]), versions=dict(data["versions"]),
                   n_reviews=int(data["n_reviews"]), label_counts=dict(data["label_counts"]),
                   cv_head_f1=float(data["cv_head_f1"]), cv_rule_f1=float(data["cv_rule_f1"]),
                   created_at=str(data["created_at"]))


def settings_hash(verdict_settings: dict[str, Any]) -> str:
    """A short hash of the verdict settings a head's features depend on (as stored with
    each check; ``learned_head`` itself is left out)."""
    plain = {k: v for k, v in json.loads(json.dumps(verdict_settings)).items() if k != "learned_head"}
    return hashlib.sha1(json.dumps(plain, sort_keys=True).encode()).hexdigest()[:12]


def head_versions(model_versions: dict[str, str], verdict_settings: dict[str, Any]) -> dict[str, str]:
    """What a head fitted on (or applied to) a check is tied to."""
    out = {k: str(model_versions.get(k, "")) for k in SETTINGS_KEYS}
    out["verdict_settings"] = settings_hash(verdict_settings)
    return out


def _train(x: np.ndarray, y: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray]:
    """Standardise and fit a multinomial logistic regression (sklearn)."""
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=0.5, max_iter=2000).fit((x - mean) / scale, y)
    return model, mean, scale


def _head(model: Any, mean: np.ndarray, scale: np.ndarray, y: np.ndarray,
          **meta: Any) -> VerdictHead:
    """Wrap a fitted sklearn model as a ``VerdictHead``."""
    labels = tuple(str(c) for c in model.classes_)
    counts = Counter(str(v) for v in y)
    return VerdictHead(labels=labels, mean=tuple(map(float, mean)), scale=tuple(map(float, scale)),
                       coef=tuple(tuple(map(float, r)) for r in model.coef_),
                       intercept=tuple(map(float, model.intercept_)),
                       prior=tuple(counts[lab] / len(y) for lab in labels),
                       label_counts={lab: counts[lab] for lab in labels}, **meta)


def macro_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """Macro-F1 over the labels present in ``gold``."""
    from sklearn.metrics import f1_score

    return float(f1_score(list(gold), list(pred), labels=sorted(set(gold)), average="macro"))


def fit_verdict_head(results: Sequence[CheckResult], labels: Sequence[str], *,
                     versions: dict[str, str], min_reviews: int = MIN_REVIEWS,
                     folds: int = 5, seed: int = 13) -> VerdictHead:
    """Fit a head on checks and the verdicts people gave them; scored by k-fold CV.

    ``versions`` (``head_versions``) is what every one of the checks was run under.
    Raises ``InputError`` with what is missing when there are too few reviews.
    """
    from sklearn.model_selection import StratifiedKFold

    if len(results) != len(labels):
        raise InputError("each reviewed check needs exactly one verdict")
    counts = Counter(labels)
    usable = [lab for lab, n in counts.items() if n >= MIN_PER_LABEL]
    if len(results) < min_reviews or len(usable) < 2:
        raise InputError(
            f"a verdict head needs at least {min_reviews} reviewed checks with {MIN_PER_LABEL}+ "
            f"reviews of at least two verdicts; this workspace has {len(results)} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(counts.items())) or 'none'}); "
            "review more checks, or import the desk's past verdicts (verify import-verdicts)")
    keep = [i for i, lab in enumerate(labels) if lab in usable]
    x = np.asarray([head_features(results[i]) for i in keep], dtype=np.float64)
    y = np.asarray([labels[i] for i in keep])
    k = max(2, min(folds, min(Counter(y.tolist()).values())))
    cv_pred = np.empty(len(y), dtype=object)
    for train, test in StratifiedKFold(k, shuffle=True, random_state=seed).split(x, y):
        model, mean, scale = _train(x[train], y[train])
        fold = _head(model, mean, scale, y[train], head_id="cv", versions={}, n_reviews=0,
                     cv_head_f1=0.0, cv_rule_f1=0.0, created_at="")
        for j in test:
            cv_pred[j] = head_verdict(fold, results[keep[j]])[0]
    rule = [results[i].rule_verdict or results[i].verdict for i in keep]
    model, mean, scale = _train(x, y)
    created = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0).isoformat()
    head_id = "head-" + hashlib.sha1(json.dumps([created, x.tolist(), y.tolist()]).encode()).hexdigest()[:12]
    return _head(model, mean, scale, y, head_id=head_id,
                 versions=dict(versions), n_reviews=len(keep),
                 cv_head_f1=round(macro_f1(y.tolist(), cv_pred.tolist()), 4),
                 cv_rule_f1=round(macro_f1(y.tolist(), rule), 4), created_at=created)


def head_verdict(head: VerdictHead, result: CheckResult) -> tuple[str, float]:
    """The head's verdict and posterior, or the rule's verdict and confidence where the
    head has no verdict to give."""
    return head.decide(result) or (result.rule_verdict or result.verdict, result.confidence)


def apply_head(result: CheckResult, head: VerdictHead) -> CheckResult:
    """``result`` with the head's verdict and confidence; the rule's verdict stays in
    ``rule_verdict`` and the reason says which decided."""
    decided = head.decide(result)
    if decided is None:
        return dataclasses.replace(result, reason=(
            f"{result.reason}; the desk's learned head {head.head_id} has no verdict this "
            "evidence backs, so the rule decided"))
    verdict, posterior = decided
    rule = result.rule_verdict or result.verdict
    note = (f"verdict from this desk's learned head {head.head_id} (fitted on "
            f"{head.n_reviews} reviewed checks, P = {posterior:.2f}); the rule said {rule}")
    versions = {**result.model_versions, "verdict_head": head.head_id}
    if verdict == rule:
        decisive = result.decisive_passage_ids
    else:
        _, _, sup, ref = side_masses(result.evidence)
        decisive = tuple(e.passage.passage_id for e in decisive_passages(verdict, sup, ref))
    return dataclasses.replace(result, verdict=verdict, confidence=round(posterior, 4),  # type: ignore[arg-type]
                               reason=f"{note}: {result.reason}", rule_verdict=rule,
                               decisive_passage_ids=decisive, model_versions=versions)
