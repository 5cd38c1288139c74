"""Build a stance model from a registry name or a model folder (the stance factory).

- a name registered in :data:`verify.stance.base.STANCE_MODELS` (``verify-stance``, the
  shipped model, or a plug-in's) builds that model;
- otherwise a folder holding a trained model (``config.json``, ``tokenizer.json``,
  ``version.json`` and the weights, as ``training.ship --out DIR`` writes it) runs with the
  transformer backend, :class:`verify.stance.model.TransformerStanceModel`;
- anything else is :class:`~verify.errors.UnknownBackendError`, naming the known models.

Registered names win over folders. :func:`get_stance_model` shares one instance per name
(what the checker uses: ``Settings.stance_model``); :func:`create_stance_model` builds a
new one and takes the backend's options.

Example:
    from verify.stance import create_stance_model
    model = create_stance_model("/tmp/stance-v1k-out/candidate", precision="fp32")
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from verify.stance.base import STANCE_MODELS, StanceModel


def create_stance_model(name: str = "verify-stance", **options: Any) -> StanceModel:
    """A new stance model: a registered name, else a model folder (see the module doc)."""
    if name in STANCE_MODELS or not (Path(name) / "config.json").is_file():
        return STANCE_MODELS.create(name, **options)
    from verify.stance.model import TransformerStanceModel

    return TransformerStanceModel(name, **options)


@lru_cache(maxsize=4)
def get_stance_model(name: str = "verify-stance") -> StanceModel:
    """A shared, lazily-loaded stance model by registry name (or model folder)."""
    return create_stance_model(name)


__all__ = ["create_stance_model", "get_stance_model"]
