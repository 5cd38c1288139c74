"""Domain errors as clean HTTP answers: ``{"error": ..., "field": ..., "hint": ...}``."""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
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
from verify.server.throttle import TooManySignInsError

log = logging.getLogger(__name__)
FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]*): ")


def status_for(exc: VerifyError) -> int:
    """The HTTP status for a domain error."""
    if isinstance(exc, TooManySignInsError):
        return 429
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


def _field(loc: Any) -> str:
    """A validation error's field: its location without the part (body, query...)."""
    parts = [str(p) for p in (loc or ())]
    if parts and parts[0] in ("body", "query", "path", "header", "cookie", "form"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def validation_body(errors: Any) -> dict[str, Any]:
    """A 422's JSON: ``error`` names each bad field (an unknown one as such), ``field`` the
    first, ``detail`` keeps pydantic's list.

    >>> validation_body([{"type": "extra_forbidden", "loc": ("body", "title"),
    ...                   "msg": "Extra inputs are not permitted"}])["error"]
    'title: not a field this request accepts'
    """
    items = list(errors or ())
    lines = []
    for item in items:
        field = _field(item.get("loc"))
        why = ("not a field this request accepts" if item.get("type") == "extra_forbidden"
               else str(item.get("msg") or "invalid"))
        lines.append(f"{field}: {why}")
    first = _field(items[0].get("loc")) if items else None
    return {"error": "; ".join(lines) or "the request is not valid", "field": first,
            "hint": "see the request's fields at /docs", "detail": jsonable(items)}


def jsonable(errors: list[Any]) -> list[Any]:
    """Pydantic's error list in plain JSON (its ``ctx`` may hold exceptions)."""
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={Exception: str})  # type: ignore[no-any-return]


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(VerifyError)
    async def _verify_error(request: Request, exc: VerifyError) -> JSONResponse:
        status = status_for(exc)
        if status >= 500:
            log.warning("%s %s: %s", request.method, request.url.path, exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        if isinstance(exc, TooManySignInsError):
            headers = {"Retry-After": str(int(exc.retry_after_s) + 1)}
        return JSONResponse(error_body(exc), status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(validation_body(exc.errors()), status_code=422)
