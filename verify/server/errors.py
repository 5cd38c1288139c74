"""Domain errors as clean HTTP answers: ``{"error": ..., "field": ..., "hint": ...}``."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from verify.errors import (
    AuthenticationError,
    InputError,
    NotFoundError,
    PermissionDeniedError,
    VerifyError,
    WorkspaceLockedError,
    WorkspaceNotFoundError,
)
from verify.server.state import ServerBusyError

log = logging.getLogger(__name__)
FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*): ")


def status_for(exc: VerifyError) -> int:
    """The HTTP status for a domain error."""
    if isinstance(exc, AuthenticationError):
        return 401
    if isinstance(exc, PermissionDeniedError):
        return 403
    if isinstance(exc, NotFoundError | WorkspaceNotFoundError):
        return 404
    if isinstance(exc, ServerBusyError | WorkspaceLockedError):
        return 503
    if isinstance(exc, InputError):
        message = str(exc)
        return 404 if message.startswith("no ") and " with id " in message else 400
    return 400


def error_body(exc: VerifyError) -> dict[str, str | None]:
    """The JSON body: the message, the field it names (``field: message``), the hint."""
    message = str(exc)
    match = FIELD.match(message)
    return {"error": message, "field": match.group(1) if match else None,
            "hint": exc.hint or None}


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(VerifyError)
    async def _verify_error(request: Request, exc: VerifyError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(error_body(exc), status_code=status, headers=headers)
