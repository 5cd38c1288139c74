"""The fact-check archive: its counts, its fact-checks (browse and search) and imports.
Matching a claim is ``POST /match`` (checks.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from verify.server.auth import Reader, reader_ws, role, server_state
from verify.server.jobs import Progress
from verify.server.models import JobOut
from verify.server.state import ServerState
from verify.types import to_jsonable
from verify.users import User
from verify.workspace import Workspace

router = APIRouter(prefix="/archive", tags=["archive"])
Importer = Depends(role("editor", "import fact-checks into the archive"))


@router.get("", summary="The archive's counts: fact-checks, organisations, with a verdict, "
                        "review dates, imports")
def stats(user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.archive_stats())  # type: ignore[no-any-return]


@router.get("/fact-checks", summary="Fact-checks newest first; `query`: every word must appear "
                                    "in the claim, title, rating, organisation or claimant")
def fact_checks(query: str = "", limit: int = Query(200, ge=1, le=5000), user: User = Reader,
                ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return to_jsonable(ws.fact_checks(query, limit=limit))  # type: ignore[no-any-return]


@router.post("/import", response_model=JobOut, status_code=202,
             summary="Import a file of fact-checks (ClaimReview JSON-LD, Fact Check Tools, "
                     "CSV, JSON lines, a saved page) and index them (editors; a background job)")
def import_file(file: UploadFile = File(...), organisation: str = Form(""),
                user: User = Importer,
                state: ServerState = Depends(server_state)) -> dict[str, Any]:
    data, name = file.file.read(), file.filename or "fact-checks.json"

    def work(progress: Progress) -> dict[str, Any]:
        progress(0, 1, f"importing {name}")
        with state.writer(wait_s=-1) as ws:
            report = ws.import_fact_checks(text=data, name=name,
                                           organisation=organisation.strip() or None)
            ws.users.record(user.name, "archive.import", name,
                            {"read": report.read, "added": report.added})
        progress(1, 1, "imported")
        return report.to_dict()

    return state.jobs.submit("archive.import", user.name, work).to_dict()
