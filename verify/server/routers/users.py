"""Users and their roles (admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from verify.server.auth import Admin, current_user, reader_ws, server_state
from verify.server.models import UserCreate, UserCreated, UserOut
from verify.server.state import ServerState
from verify.users import User
from verify.workspace import Workspace

router = APIRouter(tags=["users"])


@router.get("/me", response_model=UserOut, summary="Who the token belongs to")
def me(user: User = Depends(current_user)) -> dict[str, Any]:
    return user.to_dict()


@router.get("/users", response_model=list[UserOut])
def list_users(user: User = Admin, ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return [u.to_dict() for u in ws.users.list_users()]


@router.post("/users", response_model=UserCreated, status_code=201,
             summary="Add a user; the token is in this answer only")
def add_user(body: UserCreate, user: User = Admin,
             state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer() as ws:
        added, token = ws.users.add(body.name, body.role, by=user.name)
    return {**added.to_dict(), "token": token}


@router.delete("/users/{name}", response_model=UserOut)
def remove_user(name: str, user: User = Admin,
                state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer() as ws:
        return ws.users.remove(name, by=user.name).to_dict()


@router.get("/actions", summary="The log of writes, newest first (admins)")
def actions(user_name: str | None = Query(None, alias="user"), action: str | None = None,
            limit: int = Query(100, ge=1, le=5000), user: User = Admin,
            ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    from verify.types import to_jsonable

    return to_jsonable(ws.users.actions(user=user_name, action=action, limit=limit))  # type: ignore[no-any-return]
