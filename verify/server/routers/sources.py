"""Source reliability: list, show, history, rate, import, export."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile
from fastapi.responses import Response

from verify.errors import InputError
from verify.server.auth import Editor, Reader, reader_ws, server_state
from verify.server.jobs import Progress
from verify.server.models import JobOut, RatingRequest
from verify.server.state import ServerState, safe_name
from verify.types import to_jsonable
from verify.users import User
from verify.workspace import Workspace

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", summary="Rated sources with their effective reliability")
def list_sources(query: str | None = None, sort: str = "domain",
                 limit: int = Query(50, ge=1, le=5000), user: User = Reader,
                 ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return [s.to_dict() for s in ws.sources.list_sources(query, sort=sort, limit=limit)]


@router.get("/export", summary="Every rating with its history (csv or json)")
def export(format: str = Query("csv", pattern="^(csv|json)$"), user: User = Reader,
           ws: Workspace = Depends(reader_ws)) -> Response:
    with tempfile.TemporaryDirectory(prefix="verify-export-") as tmp:
        path = Path(tmp) / f"ratings.{format}"
        ws.sources.export(path, format)
        body = path.read_bytes()
    media = "text/csv" if format == "csv" else "application/json"
    return Response(body, media_type=f"{media}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="ratings.{format}"'})


@router.post("/import", response_model=JobOut, status_code=202,
             summary="Import a rating file as a rating set (a background job)")
def import_ratings(file: UploadFile = File(...), format: str = Form(...),
                   name: str | None = Form(None), version: str | None = Form(None),
                   licence: str | None = Form(None), user: User = Editor,
                   state: ServerState = Depends(server_state)) -> dict[str, Any]:
    folder = state.upload_folder("ratings")
    target = folder / safe_name(file.filename, "ratings.csv")
    target.write_bytes(file.file.read())

    def work(progress: Progress) -> dict[str, Any]:
        progress(0, 1, f"importing {target.name}")
        with state.writer(wait_s=-1) as ws:
            report = ws.sources.import_file(target, format, name=name, version=version,
                                            licence=licence, by=user.name)
            ws.users.record(user.name, "sources.import", target.name,
                            {"format": format, "name": name})
        progress(1, 1, "imported")
        return to_jsonable(report.to_dict())  # type: ignore[no-any-return]

    return state.jobs.submit("sources.import", user.name, work).to_dict()


@router.get("/{domain:path}/history", summary="Every rating of a source, oldest first")
def history(domain: str, user: User = Reader,
            ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return [e.to_dict() for e in ws.sources.history(domain)]


@router.post("/{domain:path}/ratings", status_code=201,
             summary="Rate a source (a new rating; earlier ones are kept; stamped with your name)")
def rate(domain: str, body: RatingRequest, user: User = Editor,
         state: ServerState = Depends(server_state)) -> dict[str, Any]:
    if not domain.strip():
        raise InputError("domain: name the source to rate")
    with state.writer() as ws:
        event = ws.sources.rate(domain, body.value, rationale=body.rationale, by=user.name,
                                scale=body.scale, label=body.label)
        ws.users.record(user.name, "sources.rate", event.domain,
                        {"rating_id": event.rating_id, "value": str(body.value),
                         "scale": body.scale})
    return event.to_dict()


@router.get("/{domain:path}", summary="Everything about one source")
def show(domain: str, user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.sources.show(domain))  # type: ignore[no-any-return]
