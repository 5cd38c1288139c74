"""Stance models: does a passage support, refute, or not bear on a claim."""

from __future__ import annotations

from verify.stance.base import STANCE_MODELS, StanceModel, StanceScores, get_stance_model

__all__ = ["STANCE_MODELS", "StanceModel", "StanceScores", "get_stance_model"]
