"""Background jobs (ingest, audit, rating import) run one at a time, with their progress."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from verify.errors import NotFoundError, VerifyError

log = logging.getLogger(__name__)

Progress = Callable[[float, float | None, str], None]
JOB_STATUSES = ("queued", "running", "done", "failed")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Job:
    """One background job: what it is, who asked, how far it is, and how it ended."""

    job_id: str
    kind: str
    user: str
    status: str = "queued"
    done: float = 0
    total: float | None = None
    message: str = ""
    result: dict[str, Any] | None = None
    error: str | None = None
    created_at: dt.datetime = field(default_factory=_now)
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict."""
        stamp = {k: (v.isoformat() if v else None) for k, v in (
            ("created_at", self.created_at), ("started_at", self.started_at),
            ("finished_at", self.finished_at))}
        fraction = (min(1.0, self.done / self.total) if self.total else
                    (1.0 if self.status == "done" else 0.0))
        return {"job_id": self.job_id, "kind": self.kind, "user": self.user,
                "status": self.status, "done": self.done, "total": self.total,
                "fraction": round(fraction, 4), "message": self.message, "result": self.result,
                "error": self.error, **stamp}


class JobManager:
    """Runs jobs in submission order on one worker thread (the server's write queue)."""

    def __init__(self, max_kept: int = 500) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-job")
        self._max_kept = max_kept

    def submit(self, kind: str, user: str, work: Callable[[Progress], dict[str, Any]]) -> Job:
        """Queue ``work(progress)``; it returns the job's result (a JSON-ready dict)."""
        job = Job(job_id="job_" + uuid.uuid4().hex[:12], kind=kind, user=user)
        with self._lock:
            self._jobs[job.job_id] = job
            self._trim()
        self._pool.submit(self._run, job, work)
        return job

    def _run(self, job: Job, work: Callable[[Progress], dict[str, Any]]) -> None:
        def progress(done: float, total: float | None = None, message: str = "",
                     *_: Any) -> None:
            job.done, job.total, job.message = done, total, str(message or "")

        job.status, job.started_at = "running", _now()
        try:
            job.result = work(progress)
            job.status = "done"
        except VerifyError as exc:
            job.status, job.error = "failed", exc.user_message()
        except Exception as exc:  # a job's failure is reported on the job, not lost
            log.exception("job %s (%s) failed", job.job_id, job.kind)
            job.status, job.error = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            job.finished_at = _now()

    def get(self, job_id: str) -> Job:
        """One job, or NotFoundError."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(f"job_id: no job {job_id!r} (jobs are kept while the server runs)")
        return job

    def list(self, limit: int = 50) -> list[Job]:
        """Recent jobs, newest first."""
        with self._lock:
            jobs = list(self._jobs.values())
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)[:limit]

    def wait(self, job_id: str, timeout_s: float = 60.0) -> Job:
        """Block until a job has ended (tests, scripts) or ``timeout_s`` passed."""
        import time

        deadline = time.monotonic() + timeout_s
        job = self.get(job_id)
        while job.status in ("queued", "running") and time.monotonic() < deadline:
            time.sleep(0.02)
        return job

    def _trim(self) -> None:
        ended = [j for j in self._jobs.values() if j.status in ("done", "failed")]
        for job in sorted(ended, key=lambda j: j.created_at)[:max(0, len(self._jobs) - self._max_kept)]:
            del self._jobs[job.job_id]

    def shutdown(self) -> None:
        """Finish the running job, drop queued ones."""
        self._pool.shutdown(wait=True, cancel_futures=True)
