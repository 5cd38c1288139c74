"""The FastAPI application: ``create_app(workspace)``."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from verify.workspace import Workspace

log = logging.getLogger(__name__)


def create_app(workspace: Workspace, *, desk_roots: Sequence[str | Path] | None = None,
               write_wait_s: float | None = None, warm: bool = True,
               close_workspace: bool = False) -> FastAPI:
    """An API over ``workspace`` (which this process alone should write from now on).

    ``desk_roots``: the folders admins may ingest from (default ``$VERIFY_DESK_ROOTS``;
    none: reading server folders is off). ``write_wait_s``: how long a write waits for the
    writer lock before answering 503. ``warm``: load the index (and so the embedder) at
    startup rather than on the first request. ``close_workspace``: close it at shutdown.
    """
    from verify import __version__
    from verify.server import errors
    from verify.server.routers import (
        archive,
        audits,
        checks,
        corpus,
        desk,
        jobs,
        sources,
        users,
    )
    from verify.server.state import DEFAULT_WRITE_WAIT_S, ServerState

    state = ServerState(workspace,
                        desk_roots=tuple(Path(r) for r in desk_roots) if desk_roots is not None
                        else None,
                        write_wait_s=DEFAULT_WRITE_WAIT_S if write_wait_s is None else write_wait_s)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm:
            state.warm()
        log.info("serving workspace %s", workspace.path or "(in memory)")
        yield
        state.close()
        if close_workspace:
            workspace.close()

    app = FastAPI(title="verify", version=__version__, lifespan=lifespan,
                  description="Check claims against a corpus of sources, weighted by source "
                              "reliability. Send `Authorization: Bearer TOKEN` (a token from "
                              "`verify users add`). Roles: reader < checker < editor < admin.")
    app.state.verify = state
    errors.install(app)

    @app.get("/health", tags=["server"], summary="Liveness (no token needed)")
    def health() -> dict[str, Any]:
        return {"ok": True, "workspace": str(workspace.path) if workspace.path else None}

    for module in (checks, archive, desk, sources, corpus, audits, jobs, users):
        app.include_router(module.router)
    return app
