"""DuckDB connections for a workspace."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from verify.errors import WorkspaceError, WorkspaceLockedError
from verify.migrations import migrate

DB_FILENAME = "verify.duckdb"


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another process" in text


def connect(path: str | Path, *, read_only: bool = False, wait_s: float = 5.0) -> duckdb.DuckDBPyConnection:
    """Open (and migrate) the workspace database; ``":memory:"`` for tests.

    Retries for ``wait_s`` seconds while another process holds the lock, then
    raises :class:`WorkspaceLockedError`.
    """
    target = str(path)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            con = duckdb.connect(target, read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WorkspaceError(f"cannot open workspace database {target}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WorkspaceLockedError(f"workspace database {target} is locked") from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot open workspace database {target}: {exc}") from exc
    if not read_only:
        migrate(con)
    return con
