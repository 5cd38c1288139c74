"""Audits: every check-worthy claim of articles verified (background jobs)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, UploadFile

from verify.errors import InputError
from verify.server.auth import Checker, Reader, reader_ws, server_state
from verify.server.jobs import Progress
from verify.server.models import AuditRequest, JobOut
from verify.server.state import ServerState, safe_name
from verify.types import to_jsonable
from verify.users import User
from verify.workspace import Workspace

router = APIRouter(prefix="/audits", tags=["audits"])


def _audit_job(state: ServerState, user: User, paths: list[Path | str],
               threshold: float | None) -> dict[str, Any]:
    def work(progress: Progress) -> dict[str, Any]:
        with state.writer(wait_s=-1) as ws:
            result = ws.audit(paths, progress=False, progress_callback=progress,
                              threshold=threshold, workers=1)
            ws.users.record(user.name, "audit", result.audit_id,
                            {"articles": len(result.articles), **result.summary})
        return {"audit_id": result.audit_id, "status": result.status,
                "summary": result.summary}

    return state.jobs.submit("audit", user.name, work).to_dict()


@router.post("", response_model=JobOut, status_code=202,
             summary="Audit pasted articles (a background job; its result names the audit)")
def audit_texts(body: AuditRequest, user: User = Checker,
                state: ServerState = Depends(server_state)) -> dict[str, Any]:
    texts = [t for t in body.texts if t.strip()]
    if not texts:
        raise InputError("texts: give at least one article text")
    folder = state.upload_folder("audit", uuid.uuid4().hex[:12])
    paths = []
    for i, text in enumerate(texts, 1):
        target = folder / f"article-{i:03d}.txt"
        target.write_text(text, encoding="utf-8")
        paths.append(target)
    return _audit_job(state, user, list(paths), body.threshold)


@router.post("/uploads", response_model=JobOut, status_code=202,
             summary="Audit uploaded article files (txt md html jsonl csv) and web pages")
def audit_uploads(files: list[UploadFile] | None = File(None),
                  urls: list[str] | None = Form(None, description="http(s) pages to audit too"),
                  threshold: float | None = Form(None, ge=0, le=1), user: User = Checker,
                  state: ServerState = Depends(server_state)) -> dict[str, Any]:
    from verify.audit.inputs import as_url

    pages: list[str] = []
    for url in urls or []:
        page = as_url(url.strip()) if url.strip().lower().startswith(("http://", "https://")) else None
        if page is None:
            raise InputError(f"urls: {url!r} is not an http(s) address")
        pages.append(page)
    if not files and not pages:
        raise InputError("files: give at least one article file or web page")
    folder = state.upload_folder("audit", uuid.uuid4().hex[:12])
    paths: list[Path | str] = []
    for upload in files or []:
        target = folder / safe_name(upload.filename)
        target.write_bytes(upload.file.read())
        paths.append(target)
    return _audit_job(state, user, [*paths, *pages], threshold)


@router.get("", summary="Past audits, newest first")
def list_audits(limit: int = Query(200, ge=1, le=2000), user: User = Reader,
                ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return to_jsonable(ws.list_audits(limit=limit))  # type: ignore[no-any-return]


@router.get("/{audit_id}", summary="One audit: its articles and their claims")
def show_audit(audit_id: str, user: User = Reader,
               ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    result = ws.load_audit(audit_id)
    out: dict[str, Any] = to_jsonable(result)
    out["summary"] = result.summary
    return out
