"""Stance models: does a passage support, refute, or not bear on a claim.

- :mod:`verify.stance.base`: the interface (:class:`StanceModel`, :class:`StanceScores`) and
  the registry of model names (:data:`STANCE_MODELS`);
- :mod:`verify.stance.factory`: a model from a name or a folder
  (:func:`create_stance_model`, shared: :func:`get_stance_model`);
- :mod:`verify.stance.model`: the shipped backend, a transformer cross-encoder.
"""

from __future__ import annotations

from verify.stance.base import STANCE_MODELS, StanceModel, StanceScores
from verify.stance.factory import create_stance_model, get_stance_model

__all__ = ["STANCE_MODELS", "StanceModel", "StanceScores", "create_stance_model",
           "get_stance_model"]
