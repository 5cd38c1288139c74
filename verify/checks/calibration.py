"""Confidence calibration: map a verdict's raw score to P(verdict is right).

A small logistic regression on ``[raw, raw^2, one-hot verdict]``, fitted on held-out
development claims (see ``benchmarks/agreement.py --fit-calibration``) and shipped
as JSON coefficients in ``verify/models/calibration/calibrator.json``. Without that
file the raw score is used as is.

Example:
    >>> cal = Calibrator.identity()
    >>> cal.predict("SUPPORTED", 0.8)
    0.8
    >>> round(expected_calibration_error([0.9, 0.1], [1, 0]), 3)
    0.1
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from verify.types import VERDICTS

log = logging.getLogger(__name__)

CALIBRATOR_PATH = Path(__file__).resolve().parent.parent / "models" / "calibration" / "calibrator.json"


def _features(verdict: str, raw: float) -> list[float]:
    """Feature row for one verdict."""
    r = min(1.0, max(0.0, float(raw)))
    return [r, r * r] + [1.0 if verdict == v else 0.0 for v in VERDICTS]


@dataclass(frozen=True)
class Calibrator:
    """Logistic map from (verdict, raw score) to a probability."""

    coef: tuple[float, ...] = ()
    intercept: float = 0.0
    version: str = "identity"
    meta: dict[str, object] = field(default_factory=dict)

    @classmethod
    def identity(cls) -> Calibrator:
        """Use the raw score unchanged."""
        return cls()

    def predict(self, verdict: str, raw: float) -> float:
        """Calibrated probability that ``verdict`` is right."""
        if not self.coef:
            return float(min(1.0, max(0.0, raw)))
        z = self.intercept + sum(c * x for c, x in zip(self.coef, _features(verdict, raw), strict=True))
        return float(1.0 / (1.0 + math.exp(-z)))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {"coef": list(self.coef), "intercept": self.intercept, "version": self.version,
                "features": ["raw", "raw^2", *[f"is_{v}" for v in VERDICTS]], "meta": self.meta}

    def save(self, path: str | Path = CALIBRATOR_PATH) -> Path:
        """Write the coefficients as JSON."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path = CALIBRATOR_PATH) -> Calibrator:
        """Read a saved calibrator; the identity when the file is absent or unreadable."""
        target = Path(path)
        if not target.is_file():
            return cls.identity()
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
            return cls(tuple(float(c) for c in data["coef"]), float(data["intercept"]),
                       str(data.get("version", "unknown")), dict(data.get("meta", {})))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("cannot read calibrator %s (%s); using raw scores", target, exc)
            return cls.identity()


@lru_cache(maxsize=1)
def shipped_calibrator() -> Calibrator:
    """The calibrator shipped with the package (loaded once)."""
    return Calibrator.load(CALIBRATOR_PATH)


def fit_calibrator(verdicts: Sequence[str], raw_scores: Sequence[float],
                   correct: Sequence[int | bool], *, version: str = "",
                   meta: dict[str, object] | None = None) -> Calibrator:
    """Fit the logistic calibrator on (verdict, raw score, was it right) triples.

    Example:
        >>> cal = fit_calibrator(["SUPPORTED"] * 4, [0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0])
        >>> cal.predict("SUPPORTED", 0.9) > cal.predict("SUPPORTED", 0.1)
        True
    """
    from sklearn.linear_model import LogisticRegression

    y = [int(bool(c)) for c in correct]
    if len(set(y)) < 2:
        rate = sum(y) / max(1, len(y))
        logit = math.log(max(1e-3, rate) / max(1e-3, 1 - rate))
        return Calibrator((0.0,) * (2 + len(VERDICTS)), logit, version or "constant", meta or {})
    x = [_features(v, r) for v, r in zip(verdicts, raw_scores, strict=True)]
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(x, y)
    return Calibrator(tuple(float(c) for c in model.coef_[0]), float(model.intercept_[0]),
                      version or f"logreg-n{len(y)}", meta or {})


def expected_calibration_error(confidences: Sequence[float], correct: Sequence[int | bool],
                               bins: int = 10) -> float:
    """ECE: mean |accuracy - confidence| over equal-width bins, weighted by bin size."""
    n = len(confidences)
    if n == 0:
        return 0.0
    total = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [i for i, c in enumerate(confidences) if (lo <= c < hi) or (b == bins - 1 and c == 1.0)]
        if not idx:
            continue
        acc = sum(int(bool(correct[i])) for i in idx) / len(idx)
        conf = sum(confidences[i] for i in idx) / len(idx)
        total += len(idx) / n * abs(acc - conf)
    return float(total)
