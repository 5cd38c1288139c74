"""The ``StanceModel`` seam: one abstract batch method, conveniences in the base, and the
registry of model names (:data:`STANCE_MODELS`). Building a model from a name or a folder
is :mod:`verify.stance.factory`; the shipped backend is :mod:`verify.stance.model`.

Example:
    from verify.stance import get_stance_model
    model = get_stance_model()
    model.predict("338 civilians were killed", "IS-K killed 338 civilians").label
    # -> 'supports'
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from verify.registry import Registry
from verify.types import STANCES, Stance


@dataclass(frozen=True)
class StanceScores:
    """Probabilities for supports / refutes / unrelated."""

    supports: float
    refutes: float
    unrelated: float

    @property
    def label(self) -> Stance:
        """The most probable stance."""
        values = (self.supports, self.refutes, self.unrelated)
        return STANCES[int(np.argmax(values))]

    @classmethod
    def from_row(cls, row: Sequence[float]) -> StanceScores:
        """Build from a probability row in ``STANCES`` order."""
        return cls(float(row[0]), float(row[1]), float(row[2]))


class StanceModel(ABC):
    """Scores (claim, evidence) pairs. Columns are in ``verify.types.STANCES`` order."""

    model_id: str = ""
    version: str = ""

    @abstractmethod
    def predict_batch(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        """Return an (n, 3) float array of probabilities: supports, refutes, unrelated."""

    def predict(self, claim: str, evidence: str) -> StanceScores:
        """Score one pair."""
        return StanceScores.from_row(self.predict_batch([claim], [evidence])[0])

    def predict_many(self, claim: str, evidence: Sequence[str]) -> list[StanceScores]:
        """Score one claim against many passages."""
        if not evidence:
            return []
        probs = self.predict_batch([claim] * len(evidence), list(evidence))
        return [StanceScores.from_row(row) for row in probs]

    def predict_distinct(self, claims: Sequence[str], evidence: Sequence[str]) -> np.ndarray:
        """``predict_batch``, with each distinct (claim, evidence) pair scored once: the
        windows of one document overlap, so their focus sentences often repeat.

        Example:
            model.predict_distinct(["a", "a"], ["same sentence", "same sentence"]).shape
            # -> (2, 3)
        """
        if len(claims) != len(evidence):
            raise ValueError(f"{len(claims)} claims but {len(evidence)} evidence passages")
        first: dict[tuple[str, str], int] = {}
        where = [first.setdefault((c, e), len(first)) for c, e in zip(claims, evidence, strict=True)]
        if len(first) == len(where):
            return self.predict_batch(claims, evidence)
        probs = self.predict_batch([c for c, _ in first], [e for _, e in first])
        return np.asarray(probs)[where]


# name -> factory of a stance model; plug-ins register here (docs/extending.md)
STANCE_MODELS: Registry[StanceModel] = Registry(
    "stance model", {"verify-stance": "verify.stance.model:load_shipped_model"}
)
