"""Rating scales and how each maps to a reliability in [0, 1].

Numeric scales map linearly: ``0-1`` as is, ``0-100`` divided by 100, ``0-10`` divided
by 10, ``1-5`` (Lasser accuracy) as (v-1)/4, ``1-3`` (Lasser transparency) as (v-1)/2.

Label scales use documented tables:

MBFC factual reporting (``mbfc``)    reliability
-----------------------------------  -----------
very-high                            0.95
high                                 0.80
mostly-factual                       0.65
mixed                                0.45
low                                  0.25
very-low                             0.10

(Ordinal steps, checked against Lin et al. 2023 pc1 medians per label in
``benchmarks/sources.py``: very-high 0.91, high 0.72, mostly-factual 0.71, mixed 0.46,
low 0.24, very-low 0.23.)

MBFC credibility (``mbfc-credibility``, used only when factual reporting is missing):
high-credibility 0.80, medium-credibility 0.50, low-credibility 0.20.

Lasser et al. (``lasser``): 0.75 x (accuracy-1)/4 + 0.25 x (transparency-1)/2, so
accuracy (is it true?) dominates transparency (does it say who writes it?).

Plain labels (``label``): very high 0.95, high 0.85, mostly reliable 0.65, medium 0.6,
mixed 0.45, low 0.2, very low 0.05, reliable 0.8, unreliable 0.2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from verify.errors import InputError

MBFC_REPORTING: dict[str, float] = {
    "very-high": 0.95,
    "high": 0.80,
    "mostly-factual": 0.65,
    "mixed": 0.45,
    "low": 0.25,
    "very-low": 0.10,
}
MBFC_CREDIBILITY: dict[str, float] = {
    "high-credibility": 0.80,
    "medium-credibility": 0.50,
    "low-credibility": 0.20,
}
PLAIN_LABELS: dict[str, float] = {
    "very high": 0.95, "very-high": 0.95,
    "high": 0.85,
    "mostly reliable": 0.65, "mostly-factual": 0.65, "mostly factual": 0.65,
    "medium": 0.6,
    "mixed": 0.45,
    "low": 0.2,
    "very low": 0.05, "very-low": 0.05,
    "reliable": 0.8,
    "unreliable": 0.2,
}
LASSER_ACCURACY_SHARE = 0.75


@dataclass(frozen=True)
class NumericScale:
    """A linear scale from ``low`` to ``high``."""

    low: float
    high: float

    def normalise(self, raw: str | float, field: str) -> float:
        """Map a raw value to [0, 1]; InputError naming ``field`` when out of range."""
        try:
            value = float(raw)
        except (TypeError, ValueError):
            raise InputError(f"{field}: {raw!r} is not a number") from None
        if math.isnan(value) or value < self.low or value > self.high:
            raise InputError(f"{field}: {raw!r} is outside the scale {self.low:g}-{self.high:g}")
        return (value - self.low) / (self.high - self.low)


NUMERIC_SCALES: dict[str, NumericScale] = {
    "0-1": NumericScale(0.0, 1.0),
    "0-10": NumericScale(0.0, 10.0),
    "0-100": NumericScale(0.0, 100.0),
    "1-5": NumericScale(1.0, 5.0),
    "1-3": NumericScale(1.0, 3.0),
}
LABEL_SCALES: dict[str, dict[str, float]] = {
    "mbfc": MBFC_REPORTING,
    "mbfc-credibility": MBFC_CREDIBILITY,
    "label": PLAIN_LABELS,
}
SCALES: tuple[str, ...] = (*NUMERIC_SCALES, *LABEL_SCALES, "lasser")


def normalise(scale: str, raw: str | float, field: str = "rating") -> float:
    """A raw value on ``scale`` as a reliability in [0, 1].

    >>> normalise("0-100", "85")
    0.85
    >>> normalise("mbfc", "mostly-factual")
    0.65
    """
    key = (scale or "0-1").strip().lower()
    if key in NUMERIC_SCALES:
        return NUMERIC_SCALES[key].normalise(raw, field)
    if key in LABEL_SCALES:
        label = str(raw).strip().lower()
        table = LABEL_SCALES[key]
        if label not in table:
            raise InputError(f"{field}: {raw!r} is not a label of scale {key!r} "
                             f"(one of: {', '.join(sorted(table))})")
        return table[label]
    if key == "lasser":
        accuracy, _, transparency = str(raw).partition("/")
        return lasser_value(accuracy, transparency or "1", field)
    raise InputError(f"scale: unknown scale {scale!r} (one of: {', '.join(SCALES)})")


def lasser_value(accuracy: str | float, transparency: str | float, field: str = "rating") -> float:
    """Lasser et al. accuracy (1-5) and transparency (1-3) combined into [0, 1]."""
    acc = NUMERIC_SCALES["1-5"].normalise(accuracy, f"{field} accuracy")
    trans = NUMERIC_SCALES["1-3"].normalise(transparency, f"{field} transparency")
    return LASSER_ACCURACY_SHARE * acc + (1 - LASSER_ACCURACY_SHARE) * trans


def band(value: float) -> str:
    """A word for a reliability value: high, mostly reliable, mixed, low, very low."""
    if value >= 0.8:
        return "high"
    if value >= 0.6:
        return "mostly reliable"
    if value >= 0.4:
        return "mixed"
    if value >= 0.2:
        return "low"
    return "very low"
