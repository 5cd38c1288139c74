"""Check, search and match claims; History (checks) and reviews."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from verify.server.auth import Checker, Reader, reader_ws, server_state
from verify.server.models import (
    CheckRequest,
    CheckRow,
    MatchRequest,
    Reviewed,
    ReviewOut,
    ReviewRequest,
    SearchRequest,
)
from verify.server.state import ServerState
from verify.types import to_jsonable
from verify.users import User
from verify.workspace import Workspace

router = APIRouter(tags=["checks"])


@router.post("/check", summary="Verify one claim (saved to History unless save is false)")
def check(body: CheckRequest, user: User = Checker, ws: Workspace = Depends(reader_ws),
          state: ServerState = Depends(server_state)) -> dict[str, Any]:
    filters = body.filters.to_filters() if body.filters else None
    # The check is computed on a reader view, concurrently; only saving takes the writer lock.
    result = ws.check(body.claim, k=body.k, filters=filters, save=False)
    if body.save:
        with state.writer() as writer:
            writer.save_check(result, filters=filters)
            writer.users.record(user.name, "check", result.check_id, {"verdict": result.verdict})
    out: dict[str, Any] = result.to_dict()
    out["saved"] = body.save
    return out


@router.post("/search", summary="Passages that bear on a claim")
def search(body: SearchRequest, user: User = Reader,
           ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    hits = ws.search(body.claim, k=body.k,
                     filters=body.filters.to_filters() if body.filters else None)
    return [h.to_dict() for h in hits]


@router.post("/match", summary="Earlier fact-checks that may have checked a claim")
def match(body: MatchRequest, user: User = Reader,
          ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return to_jsonable(ws.match(body.claim, body.k, min_score=body.min_score))  # type: ignore[no-any-return]


@router.get("/checks", response_model=list[CheckRow], summary="History: recent checks, newest first")
def list_checks(query: str | None = None, limit: int = Query(50, ge=1, le=1000),
                user: User = Reader, ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return ws.list_checks(query, limit=limit)


@router.get("/checks/{check_id}", summary="A saved check as it was produced, with its reviews")
def show_check(check_id: str, user: User = Reader,
               ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    out: dict[str, Any] = ws.load_check(check_id).to_dict()
    out["reviews"] = to_jsonable(ws.check_reviews(check_id))
    return out


@router.get("/checks/{check_id}/reviews", response_model=list[ReviewOut])
def reviews(check_id: str, user: User = Reader,
            ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return ws.check_reviews(check_id)


@router.post("/checks/{check_id}/reviews", response_model=Reviewed, status_code=201,
             summary="Confirm or override a check's verdict (stamped with your name)")
def review(check_id: str, body: ReviewRequest, user: User = Checker,
           state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer() as ws:
        verdict_id = ws.review(check_id, body.verdict, user.name, body.note)
        ws.users.record(user.name, "review", check_id, {"verdict_id": verdict_id,
                                                         "verdict": body.verdict})
    return {"verdict_id": verdict_id, "check_id": check_id, "reviewer": user.name}
