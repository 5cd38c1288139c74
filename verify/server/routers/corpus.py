"""The corpus: stats, documents (list, remove) and ingest (URLs, uploads, server folders)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, File, Query, UploadFile

from verify.server.auth import Admin, Editor, Reader, reader_ws, server_state
from verify.server.jobs import Progress
from verify.server.models import DocumentOut, IngestPathsRequest, IngestUrlsRequest, JobOut, Removed
from verify.server.state import ServerState, safe_name
from verify.types import to_jsonable
from verify.users import User
from verify.workspace import Workspace

router = APIRouter(tags=["corpus"])


@router.get("/stats", summary="Counts of documents, passages and sources, and the date range")
def stats(user: User = Reader, ws: Workspace = Depends(reader_ws)) -> dict[str, Any]:
    return to_jsonable(ws.corpus_stats())  # type: ignore[no-any-return]


@router.get("/documents", response_model=list[DocumentOut],
            summary="Documents, newest first (filter by title, URL, path or source)")
def documents(query: str | None = None, limit: int = Query(50, ge=1, le=1000),
              offset: int = Query(0, ge=0), user: User = Reader,
              ws: Workspace = Depends(reader_ws)) -> list[dict[str, Any]]:
    return ws.documents(query, limit=limit, offset=offset)


@router.delete("/documents/{ref:path}", response_model=Removed,
               summary="Remove documents by id, origin key, path or URL")
def remove(ref: str, user: User = Editor,
           state: ServerState = Depends(server_state)) -> dict[str, Any]:
    with state.writer(new_index=True) as ws:
        target: int | str = int(ref) if ref.isdigit() else ref
        passages = ws.remove(target)
        ws.users.record(user.name, "documents.remove", ref, {"passages_removed": passages})
    return {"ref": ref, "passages_removed": passages}


def _ingest_job(state: ServerState, user: User, kind: str, *, paths: list[Path] | None = None,
                urls: list[str] | None = None, timeout_s: float = 20.0) -> dict[str, Any]:
    """Queue an ingest; the job holds the writer lock while it runs."""

    def work(progress: Progress) -> dict[str, Any]:
        from verify.ingest.fetch import FetchPolicy

        with state.writer(wait_s=-1, new_index=True) as ws:
            report = ws.ingest(paths or [], urls=urls or [], progress=False,
                               progress_callback=progress,
                               fetch_policy=FetchPolicy(timeout_s=timeout_s))
            ws.users.record(user.name, kind, report.run_id,
                            {"added": report.added, "updated": report.updated,
                             "failed": report.failed,
                             "inputs": [str(p) for p in paths or []] + list(urls or [])})
        return to_jsonable(report)  # type: ignore[no-any-return]

    return state.jobs.submit(kind, user.name, work).to_dict()


@router.post("/ingest/urls", response_model=JobOut, status_code=202,
             summary="Fetch web pages politely and ingest them (a background job)")
def ingest_urls(body: IngestUrlsRequest, user: User = Editor,
                state: ServerState = Depends(server_state)) -> dict[str, Any]:
    return _ingest_job(state, user, "ingest.urls", urls=body.urls, timeout_s=body.timeout_s)


@router.post("/ingest/uploads", response_model=JobOut, status_code=202,
             summary="Ingest uploaded files (txt md html pdf json jsonl csv; a background job)")
def ingest_uploads(files: list[UploadFile] = File(...), user: User = Editor,
                   state: ServerState = Depends(server_state)) -> dict[str, Any]:
    folder = state.upload_folder("ingest", uuid.uuid4().hex[:12])
    paths = []
    for upload in files:
        target = folder / safe_name(upload.filename)
        target.write_bytes(upload.file.read())
        paths.append(target)
    return _ingest_job(state, user, "ingest.uploads", paths=paths)


@router.post("/ingest/paths", response_model=JobOut, status_code=202,
             summary="Ingest folders or files on the server (admins; only under the desk roots)")
def ingest_paths(body: IngestPathsRequest, user: User = Admin,
                 state: ServerState = Depends(server_state)) -> dict[str, Any]:
    from verify.ui.paths import resolve_desk_path

    paths = [resolve_desk_path(p, state.desk_roots) for p in body.paths]
    return _ingest_job(state, user, "ingest.paths", paths=paths)
