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

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from verify.errors import ReadOnlyWorkspaceError, WorkspaceError, WorkspaceLockedError

log = logging.getLogger(__name__)

DB_FILENAME = "verify.duckdb"
MEMORY = ":memory:"


def _is_lock_error(exc: Exception) -> bool:
    """Whether a DuckDB open error means another process holds the file."""
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text or "being used by another process" in text


def _is_read_only_error(exc: Exception) -> bool:
    """Whether a DuckDB error is a write refused by a read-only database."""
    return "read-only mode" in str(exc).lower()


def _connect(target: str, *, read_only: bool, wait_s: float) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database, retrying for ``wait_s`` seconds while another process locks it."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return duckdb.connect(target, read_only=read_only)
        except duckdb.IOException as exc:
            if not _is_lock_error(exc):
                raise WorkspaceError(f"cannot open workspace database {target}: {exc}") from exc
            if time.monotonic() >= deadline:
                raise WorkspaceLockedError(f"workspace database {target} is locked") from exc
            time.sleep(0.2)
        except duckdb.Error as exc:
            raise WorkspaceError(f"cannot open workspace database {target}: {exc}") from exc


class Store:
    """A DuckDB connection with the workspace folder it belongs to (``None`` in memory).

    One ``Store`` is used by one thread at a time; a worker thread takes ``store.cursor()``,
    a handle of its own with its own transactions.

    Example:
        >>> store = Store.open("indexes/demo")                   # doctest: +SKIP
        >>> with store.transaction():                           # doctest: +SKIP
        ...     store.execute("DELETE FROM verdicts WHERE reviewer = ?", ["test"])
        >>> store.fetchall("SELECT domain FROM sources LIMIT 2")  # doctest: +SKIP
        [('apnews.com',), ('bbc.co.uk',)]
    """

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path | None = None, *,
                 read_only: bool = False) -> None:
        self._con = connection
        self.path = path
        self.read_only = read_only
        self._depth = 0
        self._failed = False

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
        store = cls(_connect(target, read_only=read_only, wait_s=wait_s), path,
                    read_only=read_only)
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


__all__ = ["DB_FILENAME", "Store"]
