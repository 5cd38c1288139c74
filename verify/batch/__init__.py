"""Batch work spread over a Ray cluster (optional: ``pip install 'verify-claims[ray]'``).

:class:`verify.batch.raywork.RayEmbedder` embeds an index sync's passages as Ray tasks; the
vectors come back to the one process that owns the workspace, which writes them (the
index's own resumable sync path). :class:`verify.batch.rayaudit.RayAudit` runs an audit's
claim extraction and verification as Ray tasks, the owner writing every article
(``ws.audit(paths, ray=...)``, ``verify audit --ray``). See ``docs/deploy.md``.
"""

from __future__ import annotations

__all__ = ["RayAudit", "RayEmbedder"]


def __getattr__(name: str) -> object:
    if name == "RayEmbedder":
        from verify.batch.raywork import RayEmbedder

        return RayEmbedder
    if name == "RayAudit":
        from verify.batch.rayaudit import RayAudit

        return RayAudit
    raise AttributeError(name)
