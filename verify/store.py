"""The store: a workspace's DuckDB connection, its folder, and the one owner of transactions.

Subsystems take a ``Store`` (not the whole ``Workspace``) and write inside
``store.transaction()``, which is re-entrant: a nested block joins the open
transaction, and only the outermost block commits or rolls back. So a function
that writes atomically on its own (``save_check``) also composes into a larger
atomic write (an audit's article) without knowing about it.

Example:
    >>> from verify.store import Store
    >>> store = Store.memory()
    >>> with store.transaction():
    ...     _ = store.execute("INSERT INTO sources (domain) VALUES ('example.org')")
    ...     with store.transaction():                  # joins; commits nothing yet
    ...         _ = store.execute("INSERT INTO sources (domain) VALUES ('example.net')")
    >>> store.fetchone("SELECT count(*) FROM sources")
    (2,)
    >>> store.close()
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from verify.errors import ReadOnlyWorkspaceError, WorkspaceError, WorkspaceLockedError

log = logging.getLogger(__name__)

DB_FILENAME = "verify.duckdb"
MEMORY = ":memory:"
WRITER_LOCK = "writer.lock"      # held by ingest / index sync / remove for their whole run
WAITERS_DIR = ".waiters"         # one file per process waiting to open the database
POLL_S = 0.05
REOPEN_WAIT_S = 600.0            # how long a writer waits to take the database back


def _is_lock_error(exc: Exception) -> bool:
    """Whether a DuckDB open error means another process holds the file."""
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another process" in text


def _is_read_only_error(exc: Exception) -> bool:
    """Whether a DuckDB error is a write refused by a read-only database."""
    return "read-only mode" in str(exc).lower()


def _holder(folder: Path | None) -> str:
    """Who holds the workspace's writer lock, in words ('' when nobody says)."""
    if folder is None:
        return ""
    try:
        info = json.loads((folder / WRITER_LOCK).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return ""
    if not info.get("pid") or not _pid_alive(int(info["pid"])):
        return ""
    return f"{info.get('purpose', 'a writer')} (pid {info['pid']}, since {info.get('since', '?')})"


def _pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (on this machine)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True


@contextmanager
def _waiting(folder: Path | None) -> Iterator[None]:
    """Mark this process as waiting for the database, so a writer between commits lets go."""
    marker = None if folder is None else folder / WAITERS_DIR / str(os.getpid())
    try:
        if marker is not None:
            marker.parent.mkdir(exist_ok=True)
            marker.touch()
    except OSError:  # a read-only folder: nobody will yield, we only poll
        marker = None
    try:
        yield
    finally:
        if marker is not None:
            marker.unlink(missing_ok=True)


def waiters(folder: Path | None) -> list[int]:
    """Process ids (other than ours) waiting to open the workspace database."""
    if folder is None:
        return []
    try:
        names = [p.name for p in (folder / WAITERS_DIR).iterdir()]
    except OSError:
        return []
    pids = [int(n) for n in names if n.isdigit() and int(n) != os.getpid()]
    return [pid for pid in pids if _pid_alive(pid)]


def _connect(target: str, *, read_only: bool, wait_s: float,
             folder: Path | None = None) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database, retrying for ``wait_s`` seconds while another process locks it.

    While it waits, the process is listed in ``<workspace>/.waiters/``; a writer working in
    short commits (an ingest) checks that list between commits and lets go of the file.
    """
    deadline = time.monotonic() + wait_s
    waiting = None
    try:
        while True:
            try:
                return duckdb.connect(target, read_only=read_only)
            except duckdb.IOException as exc:
                if not _is_lock_error(exc):
                    raise WorkspaceError(f"cannot open workspace database {target}: {exc}") from exc
                if time.monotonic() >= deadline:
                    holder = _holder(folder)
                    detail = f"; it is held by {holder}" if holder else f" ({exc})"
                    raise WorkspaceLockedError(f"workspace database {target} is locked{detail}") from exc
                if waiting is None:
                    waiting = _waiting(folder)
                    waiting.__enter__()
                time.sleep(POLL_S)
            except duckdb.Error as exc:
                raise WorkspaceError(f"cannot open workspace database {target}: {exc}") from exc
    finally:
        if waiting is not None:
            waiting.__exit__(None, None, None)


class _WriterLock:
    """One thread's hold on a workspace's writer lock (re-entrant within that thread)."""

    def __init__(self, handle: Any, depth: int = 1) -> None:
        self.handle = handle
        self.depth = depth
        self.thread = threading.get_ident()


_HELD: dict[str, _WriterLock] = {}
_HELD_GUARD = threading.Lock()


def _try_flock(handle: Any) -> bool:
    """Take an exclusive ``flock`` without blocking; True when taken (or unsupported)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: DuckDB's own lock still applies
        return True
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextmanager
def writer_lock(folder: Path | None, purpose: str, *, wait_s: float = 5.0) -> Iterator[bool]:
    """Hold the workspace's writer lock (a ``flock`` on ``writer.lock``) for a long write.

    Ingest, index sync and remove take it for their whole run, so two writers never
    interleave even though an ingest lets go of the database between its short commits;
    readers never take it. Re-entrant within a thread (another thread of the process waits
    as another process would); released by the kernel when the
    process dies (``kill -9`` leaves no stale lock). Waits ``wait_s`` seconds for another
    writer, then raises ``WorkspaceLockedError`` naming it. Yields whether this call took
    the lock (False when the process already held it). In memory (``folder=None``): no-op.
    """
    if folder is None:
        yield True
        return
    key = str(Path(folder).resolve())
    deadline = time.monotonic() + wait_s
    while True:
        with _HELD_GUARD:
            held = _HELD.get(key)
            if held is None or held.thread == threading.get_ident():
                if held is not None:
                    held.depth += 1
                break
        # another thread of this process writes (a server's job): wait as for a process
        if time.monotonic() >= deadline:
            raise WorkspaceLockedError(
                f"workspace {folder} is being written by another task of this process; "
                f"{purpose} did not start", hint="wait for it to finish and run this again")
        time.sleep(POLL_S)
    if held is not None:
        try:
            yield False
        finally:
            with _HELD_GUARD:
                held.depth -= 1
        return
    folder.mkdir(parents=True, exist_ok=True)
    handle = open(folder / WRITER_LOCK, "a+", encoding="utf-8")  # noqa: SIM115 - held open
    try:
        deadline = time.monotonic() + wait_s
        while not _try_flock(handle):
            if time.monotonic() >= deadline:
                holder = _holder(folder) or "another process"
                raise WorkspaceLockedError(
                    f"workspace {folder} is being written by {holder}; {purpose} did not start",
                    hint="wait for it to finish (readers such as search, check and stats "
                         "keep working meanwhile) and run this again")
            time.sleep(POLL_S)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid(), "purpose": purpose,
                                 "since": dt.datetime.now().isoformat(timespec="seconds")}))
        handle.flush()
        with _HELD_GUARD:
            _HELD[key] = _WriterLock(handle)
        try:
            yield True
        finally:
            with _HELD_GUARD:
                _HELD.pop(key, None)
            handle.seek(0)
            handle.truncate()
            handle.flush()
    finally:
        handle.close()


def writer_active(folder: Path | None) -> bool:
    """Whether another process, or another thread of this one, holds the workspace's writer
    lock right now."""
    if folder is None:
        return False
    key = str(Path(folder).resolve())
    with _HELD_GUARD:
        if key in _HELD:
            # held in this process: "another" writer unless it is this very thread
            return _HELD[key].thread != threading.get_ident()
    path = Path(folder) / WRITER_LOCK
    if not path.exists():
        return False
    try:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError:
        return False
    try:
        if not _try_flock(handle):
            return True
        return False
    finally:
        handle.close()  # closing drops the probe's flock


def insert_rows(con: Any, insert: str, rows: Sequence[Sequence[object]], *,
                per_statement: int = 200) -> None:
    """``insert`` (``"INSERT INTO t (a, b)"``) for every row through ``con`` (a ``Store`` or a
    DuckDB connection), many rows to a statement: DuckDB runs ``executemany`` a row at a time,
    several times slower for a document's passages or a check's evidence."""
    if not rows:
        return
    width = len(rows[0])
    if any(len(row) != width for row in rows):
        raise ValueError("insert_rows: every row must have the same number of values")
    one = "(" + ", ".join(["?"] * width) + ")"
    for start in range(0, len(rows), per_statement):
        chunk = rows[start:start + per_statement]
        con.execute(f"{insert} VALUES " + ", ".join([one] * len(chunk)),
                    [value for row in chunk for value in row])


class Store:
    """A DuckDB connection with the workspace folder it belongs to (``None`` in memory).

    One ``Store`` is used by one thread at a time; a worker thread takes ``store.cursor()``,
    a handle of its own with its own transactions.

    Example:
        store = Store.open("indexes/demo")
        with store.transaction():
            store.execute("DELETE FROM verdicts WHERE reviewer = ?", ["test"])
        store.fetchall("SELECT domain FROM sources LIMIT 2")
        # -> [('apnews.com',), ('bbc.co.uk',)]
    """

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None = None, *,
                 read_only: bool = False) -> None:
        self._con = connection
        self.path = path
        self.read_only = read_only
        self._depth = 0
        self._failed = False
        self._owns_file = False  # only a Store.open handle may let go of the file

    # ---- lifecycle ------------------------------------------------------------------------
    @classmethod
    def open(cls, folder: str | Path | None, *, read_only: bool = False,
             wait_s: float = 5.0) -> Store:
        """Open (creating and migrating unless ``read_only``) ``folder/verify.duckdb``.

        ``folder=None`` is a throwaway in-memory database. While another process holds the
        file's lock, retries for ``wait_s`` seconds, then raises ``WorkspaceLockedError``.

        Example:
            >>> Store.open(None).fetchone("SELECT count(*) FROM checks")
            (0,)
        """
        path = None if folder is None else Path(folder)
        if path is not None and not read_only:
            path.mkdir(parents=True, exist_ok=True)
        target = MEMORY if path is None else str(path / DB_FILENAME)
        store = cls(_connect(target, read_only=read_only, wait_s=wait_s, folder=path), path,
                    read_only=read_only)
        store._owns_file = path is not None
        if not read_only:
            from verify.migrations import migrate  # migrations write through a Store

            try:
                migrate(store)
            except BaseException:
                store.close()
                raise
        return store

    @classmethod
    def memory(cls) -> Store:
        """A throwaway, migrated in-memory store (tests, scratch work)."""
        return cls.open(None)

    def cursor(self) -> Store:
        """Another handle on the same database, with transactions of its own.

        For a worker thread, or a write that must commit whatever the caller's open
        transaction does. Close it when done (or use it as a context manager).
        """
        return Store(self._con.cursor(), self.path, read_only=self.read_only)

    @contextmanager
    def released(self, *, wait_s: float = REOPEN_WAIT_S) -> Iterator[Store]:
        """Let go of the database file for the block (long work that needs no database:
        embedding, parsing), then open it again, waiting up to ``wait_s`` seconds for
        whoever took it meanwhile. Other processes can open the workspace in between.

        In memory, inside a transaction, or on a ``cursor()`` handle (whose parent
        connection keeps the file), nothing is released.
        """
        if self.path is None or self._depth or not self._owns_file:
            yield self
            return
        self._con.close()
        try:
            yield self
        finally:
            self._con = _connect(str(self.path / DB_FILENAME), read_only=self.read_only,
                                 wait_s=wait_s, folder=self.path)

    def yield_to_waiters(self, *, grace_s: float = 2.0) -> bool:
        """Between commits: when other processes wait to open this database, close it, let
        them in (up to ``grace_s`` seconds for them to connect) and take it back after them.

        Returns whether it let go. A long write calls this every so often, so readers
        answer during it instead of timing out on the lock.
        """
        if self.path is None or self._depth or not self._owns_file or not waiters(self.path):
            return False
        with self.released():
            deadline = time.monotonic() + grace_s
            while waiters(self.path) and time.monotonic() < deadline:
                time.sleep(POLL_S)
        return True

    def close(self) -> None:
        """Close the connection (closing twice is fine)."""
        try:
            self._con.close()
        except Exception:  # pragma: no cover - already closed
            pass

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        """The DuckDB connection itself (for what the passthroughs do not cover)."""
        return self._con

    @property
    def in_transaction(self) -> bool:
        """Whether a ``transaction()`` block is open on this handle."""
        return self._depth > 0

    # ---- transactions ---------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """Run the block atomically; re-entrant: a nested block joins the open transaction.

        Only the outermost block commits (on a clean exit) or rolls back (on any exception).
        An exception that leaves a nested block marks the whole transaction failed: if the
        caller catches it and goes on, the outermost block still rolls back, and raises
        ``WorkspaceError`` rather than committing half a write.

        Example:
            >>> store = Store.memory()
            >>> try:
            ...     with store.transaction():
            ...         _ = store.execute("INSERT INTO sources (domain) VALUES ('a.org')")
            ...         with store.transaction():
            ...             raise ValueError("boom")
            ... except ValueError:
            ...     pass
            >>> store.fetchone("SELECT count(*) FROM sources")
            (0,)
        """
        if self._depth:
            yield from self._join()
            return
        if self.read_only:
            raise ReadOnlyWorkspaceError(f"{self._name()} is open read-only; nothing was written")
        self._con.execute("BEGIN TRANSACTION")
        self._depth, self._failed = 1, False
        try:
            yield self
        except BaseException:
            self._rollback()
            raise
        finally:
            self._depth = 0
        if self._failed:
            self._failed = False
            self._rollback()
            raise WorkspaceError("a write inside this transaction failed and its error was "
                                 "caught; the whole transaction was rolled back")
        try:
            self._con.execute("COMMIT")
        except BaseException:
            self._rollback()
            raise

    def _join(self) -> Iterator[Store]:
        """The nested part of ``transaction()``: no BEGIN, no COMMIT; a failure dooms the outer."""
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._failed = True
            raise
        finally:
            self._depth -= 1

    def _rollback(self) -> None:
        """Roll back, never masking the error that caused it."""
        try:
            self._con.execute("ROLLBACK")
        except duckdb.Error as exc:  # e.g. a failed COMMIT already ended the transaction
            log.debug("rollback on %s: %s", self._name(), exc)

    # ---- statements -----------------------------------------------------------------------
    def execute(self, sql: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run one statement; returns the connection to fetch from (as DuckDB's does).

        A write on a read-only store raises ``ReadOnlyWorkspaceError``.
        """
        with self._refused_writes():
            return self._con.execute(sql, parameters)

    def executemany(self, sql: str, parameters: object = None) -> duckdb.DuckDBPyConnection:
        """Run one statement for each parameter row."""
        with self._refused_writes():
            return self._con.executemany(sql, parameters)

    def insert_rows(self, insert: str, rows: Sequence[Sequence[object]], *,
                    per_statement: int = 200) -> None:
        """``insert`` (``"INSERT INTO t (a, b)"``) for every row, many rows to a statement
        (:func:`insert_rows`).

        Example:
            >>> store = Store.memory()
            >>> store.insert_rows("INSERT INTO sources (source_id, domain)", [[901, "a.example"], [902, "b.example"]])
            >>> store.fetchone("SELECT count(*) FROM sources WHERE source_id > 900")
            (2,)
        """
        insert_rows(self, insert, rows, per_statement=per_statement)

    def fetchone(self, sql: str, parameters: object = None) -> tuple[Any, ...] | None:
        """The first row of a query, or ``None``."""
        return self.execute(sql, parameters).fetchone()

    def fetchall(self, sql: str, parameters: object = None) -> list[tuple[Any, ...]]:
        """Every row of a query."""
        return self.execute(sql, parameters).fetchall()

    @contextmanager
    def _refused_writes(self) -> Iterator[None]:
        """DuckDB's refusal of a write on a read-only database as ``ReadOnlyWorkspaceError``."""
        try:
            yield
        except duckdb.InvalidInputException as exc:
            if self.read_only and _is_read_only_error(exc):
                raise ReadOnlyWorkspaceError(
                    f"{self._name()} is open read-only; nothing was written") from exc
            raise

    def _name(self) -> str:
        """How errors name this database."""
        return "the in-memory workspace" if self.path is None else f"workspace {self.path}"


__all__ = ["DB_FILENAME", "Store", "waiters", "writer_active", "writer_lock"]
