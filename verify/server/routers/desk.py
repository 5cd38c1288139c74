"""What the desk needs beyond the core API: index state, reliability, suggestions, learned
verdicts, past-verdict imports and the desk login."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, ConfigDict, Field

from verify.errors import AuthenticationError
from verify.server.auth import (
    Checker,
    Editor,
    Reader,
    bearer,
    current_user,
    reader_ws,
    server_state,
)
from verify.server.jobs import Progress
from verify.server.models import JobOut
from verify.server.state import ServerState
from verify.types import to_jsonable
from verify.users import User, UserBook
from verify.workspace import Workspace

router = APIRouter(tags=["desk"])


class LearnRequest(BaseModel):
    min_reviews: int | None = Field(default=None, ge=1)
    activate: bool | None = None


class NoteRequest(BaseModel):
    note: str = ""


class LoginRequest(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class PasswordRequest(BaseModel):
    password: str = Field(min_length=1, max_length=1024)


@router.get("/index", summary="Size, type and sync state of the index")
def index_status(user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.index_status())  # type: ignore[no-any-return]


@router.post("/index/sync", summary="Bring the index in line with the passages (editors)")
def index_sync(user: User = Editor, state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer(new_index=True) as ws:
        status = ws.sync_index()
        ws.users.record(user.name, "index.sync", None, {"vectors": status.vectors})
    return to_jsonable(status)  # type: ignore[no-any-return]


@router.get("/reliability", summary="A source's effective reliability and how it was computed")
def reliability(source: str = Query("", description="a domain, account, host or URL"),
                user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.reliability(source or None))  # type: ignore[no-any-return]


@router.get("/sources-canonical", summary="The key a source is stored under (aliases followed)")
def canonical(source: str, user: User = Reader,
              ws: Workspace = Depends(reader_ws)) -> dict[str, str]:
    return {"domain": ws.sources.canonical(source)}


@router.get("/suggestions", summary="Suggested rating changes (refresh=true recomputes: editors)")
def suggestions(refresh: bool = False, include_decided: bool = False, user: User = Reader,
                state: ServerState = Depends(server_state)) -> list[dict[str, Any]]:
    if refresh:
        UserBook.require(user, "editor", "recompute rating suggestions")
        with state.writer() as ws:
            items = ws.sources.suggestions(refresh=True, include_decided=include_decided)
    else:
        with state.reader() as ws:
            items = ws.sources.suggestions(refresh=False, include_decided=include_decided)
    return [to_jsonable(s) for s in items]


@router.post("/suggestions/{suggestion_id}/accept", status_code=201,
             summary="Accept a suggestion: a rating by you (editors)")
def accept(suggestion_id: int, body: NoteRequest, user: User = Editor,
           state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer() as ws:
        event = ws.sources.accept_suggestion(suggestion_id, user.name, body.note)
        ws.users.record(user.name, "suggestions.accept", event.domain,
                        {"suggestion_id": suggestion_id, "rating_id": event.rating_id})
    return to_jsonable(event)  # type: ignore[no-any-return]


@router.post("/suggestions/{suggestion_id}/dismiss", summary="Dismiss a suggestion (editors)")
def dismiss(suggestion_id: int, body: NoteRequest, user: User = Editor,
            state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer() as ws:
        item = ws.sources.dismiss_suggestion(suggestion_id, user.name, body.note)
        ws.users.record(user.name, "suggestions.dismiss", item.domain,
                        {"suggestion_id": suggestion_id})
    return to_jsonable(item)  # type: ignore[no-any-return]


@router.get("/learned", summary="Learned verdict heads and how many checks are reviewed")
def learned(user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return {"reviewed_checks": ws.reviewed_checks(), "heads": to_jsonable(ws.learned_heads())}


@router.post("/learned", summary="Learn a verdict head from the reviews (editors)")
def learn(body: LearnRequest, user: User = Editor,
          state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer() as ws:
        report = ws.learn_verdicts(min_reviews=body.min_reviews, activate=body.activate)
        ws.users.record(user.name, "learned.learn", str(report.head.head_id),
                        {"activated": report.activated})
    return to_jsonable(report)  # type: ignore[no-any-return]


@router.delete("/learned", summary="Switch learned verdict heads off (editors)")
def forget(user: User = Editor, state: ServerState = Depends(server_state)) -> dict[str, int]:
    with state.writer() as ws:
        n = ws.forget_learned_verdicts()
        ws.users.record(user.name, "learned.off", None, {"switched_off": n})
    return {"switched_off": n}


@router.post("/past-verdicts", response_model=JobOut, status_code=202,
             summary="Check the claims of an archive of past verdicts and record each verdict "
                     "as your review (checkers; a background job)")
def past_verdicts(file: UploadFile = File(...), user: User = Checker,
                  state: ServerState = Depends(server_state)) -> dict[str, Any]:
    data, name = file.file.read(), file.filename or "verdicts.csv"

    def work(progress: Progress) -> dict[str, Any]:
        progress(0, 1, f"importing {name}")
        with state.writer(wait_s=-1) as ws:
            report = ws.import_past_verdicts(text=data, name=name, reviewer=user.name)
            ws.users.record(user.name, "past_verdicts.import", name,
                            {"imported": report.imported})
        progress(1, 1, "imported")
        return to_jsonable(report)  # type: ignore[no-any-return]

    return state.jobs.submit("past_verdicts.import", user.name, work).to_dict()


@router.post("/login", summary="A desk login: your name and password for a session token "
                               "(no token needed; it works as an API token for 12 hours)")
def login(body: LoginRequest, request: Request,
          state: ServerState = Depends(server_state)) -> dict[str, Any]:
    address = request.client.host if request.client else "unknown"
    state.logins.check(body.name, address)   # 429 after too many failures (throttle.py)
    try:
        with state.writer() as ws:
            user, token = ws.users.login(body.name, body.password)
    except AuthenticationError:
        state.logins.failed(body.name, address)
        raise
    state.logins.succeeded(body.name)
    return {**user.to_dict(), "token": token}


@router.post("/logout", status_code=204, summary="End the login of the token sent")
def logout(credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
           user: User = Depends(current_user),
           state: ServerState = Depends(server_state)) -> None:
    if credentials is not None:
        with state.writer() as ws:
            ws.users.logout(credentials.credentials)


@router.post("/users/{name}/password", summary="Set a user's desk password (admins, or the "
                                               "user for themselves)")
def set_password(name: str, body: PasswordRequest, user: User = Depends(current_user),
                 state: ServerState = Depends(server_state)) -> dict[str, Any]:
    if name != user.name:
        UserBook.require(user, "admin", "set another user's password")
    with state.writer() as ws:
        return ws.users.set_password(name, body.password, by=user.name).to_dict()


# ---- desk state: reviews, grouped History, the document browser, unrated sources ------------
@router.get("/reviews", summary="The reviews of each of several checks, newest first")
def reviews(check_id: list[str] = Query(default_factory=list, max_length=500),
            user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.reviews(check_id))  # type: ignore[no-any-return]


@router.get("/history", summary="Past checks grouped by claim, latest first")
def history(query: str | None = None, limit: int = Query(200, ge=1, le=5000),
            user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.check_history(query, limit=limit))  # type: ignore[no-any-return]


@router.get("/documents/search", summary="A page of documents by words, sources and dates, "
                                         "with the total that match")
def list_documents(text: str | None = None, source: list[str] = Query(default_factory=list),
                   date_from: dt.date | None = None, date_to: dt.date | None = None,
                   limit: int = Query(50, ge=1, le=1000), offset: int = Query(0, ge=0),
                   user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    found = ws.list_documents(text, sources=source or None, date_from=date_from,
                              date_to=date_to, limit=limit, offset=offset)
    return to_jsonable(found)  # type: ignore[no-any-return]


@router.get("/documents/{document_id}", summary="One document: its text, passages, origins")
def document(document_id: int, user: User = Reader,
             ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.document(document_id))  # type: ignore[no-any-return]


class DocumentChanges(BaseModel):
    """The fields of a document an edit may change; any other field is refused (422)."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    source: str | None = None
    published_date: dt.date | None = None


@router.patch("/documents/{document_id}", summary="Change a document's URL, source or date "
                                                  "(editors; only the fields sent; dry_run=true "
                                                  "says what would change and saves nothing)")
def edit_document(document_id: int, body: DocumentChanges,
                  dry_run: bool = Query(False, description="preview the edit, write nothing"),
                  user: User = Editor,
                  state: ServerState = Depends(server_state)) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True)
    if dry_run:
        with state.reader() as ws:
            preview = ws.edit_document(document_id, dry_run=True, **changes)
        return to_jsonable(preview)  # type: ignore[no-any-return]
    with state.writer(new_index=True) as ws:
        edit = ws.edit_document(document_id, **changes)
        ws.users.record(user.name, "documents.edit", str(document_id),
                        {k: [str(a), str(b)] for k, (a, b) in edit.changed.items()})
    return to_jsonable(edit)  # type: ignore[no-any-return]


@router.get("/sources-unrated", summary="Corpus sources no rating covers, most passages first")
def unrated(query: str | None = None, user: User = Reader,
            ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return to_jsonable(ws.unrated_sources(query))  # type: ignore[no-any-return]
