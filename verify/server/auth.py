"""Who is asking: the API token in ``Authorization: Bearer``, and what their role allows."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from verify.server.state import ServerState
from verify.users import User, UserBook
from verify.workspace import Workspace

bearer = HTTPBearer(auto_error=False, description="an API token from `verify users add`")


def server_state(request: Request) -> ServerState:
    """The app's :class:`ServerState`."""
    return request.app.state.verify  # type: ignore[no-any-return]


def reader_ws(state: ServerState = Depends(server_state)) -> Iterator[Workspace]:
    """A workspace view on a cursor of its own, for one request."""
    with state.reader() as ws:
        yield ws


def current_user(credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
                 state: ServerState = Depends(server_state)) -> User:
    """The user whose token came with the request (401 without a valid one)."""
    with state.reader() as ws:
        return ws.users.authenticate(credentials.credentials if credentials else None)


def role(needed: str, action: str = "") -> Callable[..., User]:
    """A dependency: the current user, if their role allows ``needed`` (else 403)."""

    def dependency(user: User = Depends(current_user)) -> User:
        UserBook.require(user, needed, action)
        return user

    dependency.__name__ = f"needs_{needed}"
    return dependency


Reader = Depends(role("reader"))
Checker = Depends(role("checker", "check or review claims"))
Editor = Depends(role("editor", "rate sources, ingest or remove documents"))
Admin = Depends(role("admin", "manage users or read folders on the server"))
