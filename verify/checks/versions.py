"""The identities a check records of the models and index it ran under (embedder, stance
model and its version, index status); a learned verdict head is tied to them."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from verify.types import to_jsonable

if TYPE_CHECKING:
    from verify.checks.context import CheckContext
    from verify.stance.base import StanceModel


def model_versions(ws: CheckContext, stance_model: StanceModel) -> dict[str, str]:
    """Embedder, stance model and index identities for the saved record."""
    versions = {
        "embedder": ws.settings.embedder,
        "stance_model": getattr(stance_model, "model_id", "") or ws.settings.stance_model,
        "stance_version": str(getattr(stance_model, "version", "")),
        "stance_precision": str(getattr(stance_model, "precision", "")),
    }
    try:
        versions["embedder_id"] = ws.embedder.model_id
    except Exception as exc:  # the embedder may fail to load; the record says so
        versions["embedder_id"] = f"unavailable: {exc}"
    index = getattr(ws, "loaded_index", None)
    if index is not None:
        meta = getattr(index, "meta", None) or getattr(index, "status", None)
        try:
            value = meta() if callable(meta) else meta
            versions["index"] = json.dumps(to_jsonable(value), default=str)[:500]
        except Exception as exc:  # index status is informative only
            versions["index"] = f"unavailable: {exc}"
    return versions
