"""`verify serve`: an HTTP JSON API over one workspace, for a desk, a CMS or a bot.

The server is the one process that writes its workspace: reads run concurrently, each on a
cursor of its own; writes (saving a check, a review, a rating, an ingest, an audit, an
import, user changes) go one at a time through a single writer lock, the long ones as
background jobs whose progress is at ``/jobs/{id}``. Every request carries an API token
(``Authorization: Bearer vfy_...``); the user's role decides what they may do and every
write is stamped with their name. See docs/server.md.

Example:
    from verify.server import create_app
    app = create_app(Workspace.open("demo"))
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(workspace: Any, **options: Any) -> FastAPI:
    """The FastAPI application over ``workspace`` (see :func:`verify.server.app.create_app`)."""
    from verify.server.app import create_app as _create

    return _create(workspace, **options)


__all__ = ["create_app"]
