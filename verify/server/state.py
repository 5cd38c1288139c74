"""The server's hold on its workspace: concurrent readers, one writer at a time."""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from verify.errors import VerifyError
from verify.server.jobs import JobManager
from verify.server.throttle import LoginThrottle
from verify.workspace import Workspace

log = logging.getLogger(__name__)

DEFAULT_WRITE_WAIT_S = 120.0


class ServerBusyError(VerifyError):
    """The writer lock was not free in time (HTTP 503)."""

    hint = "a long write (an ingest, an audit) is running; retry, or watch it at /jobs"


def safe_name(name: str | None, default: str = "upload.txt") -> str:
    """A plain file name for an upload (no folders, no odd characters)."""
    base = Path(str(name or "")).name
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or default


class ServerState:
    """One workspace, served: reader views, the writer lock, the job queue, upload folders.

    ``desk_roots``: folders an admin may ingest from (default: ``$VERIFY_DESK_ROOTS``).
    """

    def __init__(self, workspace: Workspace, *, desk_roots: tuple[Path, ...] | None = None,
                 write_wait_s: float = DEFAULT_WRITE_WAIT_S,
                 upload_dir: Path | None = None) -> None:
        self.workspace = workspace
        self.desk_roots = desk_roots
        self.write_wait_s = write_wait_s
        self.jobs = JobManager()
        self.logins = LoginThrottle()
        self._write_lock = threading.Lock()
        self._own_upload_dir = upload_dir is None and workspace.path is None
        self.upload_dir = upload_dir or (workspace.path / "uploads" if workspace.path is not None
                                         else Path(tempfile.mkdtemp(prefix="verify-uploads-")))

    def warm(self) -> None:
        """Load the index once, so reader views share it."""
        _ = self.workspace.index

    @contextmanager
    def reader(self) -> Iterator[Workspace]:
        """A view of the workspace on a cursor of its own (one per request)."""
        cursor = self.workspace.store.cursor()
        try:
            yield self.workspace.view(store=cursor)
        finally:
            cursor.close()

    @contextmanager
    def writer(self, *, wait_s: float | None = None, new_index: bool = False) -> Iterator[Workspace]:
        """The workspace for one write, holding the writer lock (waits ``wait_s`` seconds,
        then ServerBusyError; ``None``: the server's default; jobs wait as long as needed).

        ``new_index``: the write changes the corpus (ingest, remove); it works on an index
        of its own, loaded from disk, and the server swaps it in afterwards, so readers
        never search an index while it changes.
        """
        timeout = self.write_wait_s if wait_s is None else wait_s
        if not self._write_lock.acquire(timeout=timeout if timeout >= 0 else -1):
            raise ServerBusyError(f"the workspace is busy writing; waited {timeout:.0f} s")
        cursor = self.workspace.store.cursor()
        try:
            view = (Workspace(cursor, self.workspace.settings) if new_index
                    else self.workspace.view(store=cursor))
            yield view
            if new_index and view.loaded_index is not None:
                self.workspace.use_index(view.loaded_index.view(self.workspace.store))
        finally:
            cursor.close()
            self._write_lock.release()

    def upload_folder(self, *parts: str) -> Path:
        """A fresh folder for uploaded files (inside the workspace, so re-ingest finds them)."""
        folder = self.upload_dir.joinpath(*parts)
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def close(self) -> None:
        """Let the running job finish; remove a throwaway upload folder."""
        self.jobs.shutdown()
        if self._own_upload_dir:
            shutil.rmtree(self.upload_dir, ignore_errors=True)
