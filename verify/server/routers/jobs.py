"""Background jobs: their progress and results."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from verify.server.auth import Reader, server_state
from verify.server.models import JobOut
from verify.server.state import ServerState
from verify.users import User

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=list[JobOut], summary="Recent jobs, newest first")
def list_jobs(limit: int = Query(50, ge=1, le=500), user: User = Reader,
              state: ServerState = Depends(server_state)) -> list[dict[str, Any]]:
    return [j.to_dict() for j in state.jobs.list(limit)]


@router.get("/{job_id}", response_model=JobOut, summary="A job's status, progress and result")
def get_job(job_id: str, user: User = Reader,
            state: ServerState = Depends(server_state)) -> dict[str, Any]:
    return state.jobs.get(job_id).to_dict()
