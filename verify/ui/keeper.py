"""Keep a workspace open between the short runs of a long-lived process (the desk).

The desk runs its script once per click. Opening the workspace for each run and closing it
after costs time on every submit (opening the database, then a cold workspace: its index
and ratings loaded again by the first check), and closing checkpoints the database. A
:class:`WorkspaceKeeper` keeps the last run's workspace open, idle, for the next run, and
lets go of it (closes it) as soon as

- another process waits to open the database (it lists itself in ``.waiters/``, see
  :func:`verify.store.waiters`): a CLI ingest beside the desk gets in within ``poll_s``;
- it has been idle for ``idle_s`` seconds;
- two runs overlapped in this process: each then had its own handle, and a write through one
  would leave the other's caches stale, so neither is kept.

Example:
    >>> from verify import Workspace
    >>> keeper = WorkspaceKeeper(idle_s=60)
    >>> with keeper.run("mem", lambda: Workspace.in_memory()) as ws:
    ...     first = ws
    >>> with keeper.run("mem", lambda: Workspace.in_memory()) as ws:
    ...     ws is first
    True
    >>> keeper.close()
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from verify.store import waiters

if TYPE_CHECKING:
    from verify.workspace import Workspace

log = logging.getLogger(__name__)


class WorkspaceKeeper:
    """Holds at most one idle workspace between runs (see the module docstring)."""

    def __init__(self, idle_s: float = 300.0, poll_s: float = 0.1) -> None:
        self.idle_s = idle_s
        self.poll_s = poll_s
        self._lock = threading.Lock()
        self._idle: tuple[str, Workspace] | None = None
        self._idle_since = 0.0
        self._active = 0
        self._overlapped = False
        self._watcher: threading.Thread | None = None
        self._exit_hook = False

    @contextlib.contextmanager
    def run(self, key: str, opener: Callable[[], Workspace | None]) -> Iterator[Workspace | None]:
        """The workspace for one run: the kept one when it is for ``key`` and nobody waits
        for it, else a fresh one from ``opener`` (which may return None on failure)."""
        ws = self._take(key)
        if ws is None:
            ws = opener()
        try:
            yield ws
        finally:
            self._give_back(key, ws)

    @property
    def holding(self) -> bool:
        """Whether a workspace is kept open, idle, right now."""
        with self._lock:
            return self._idle is not None

    def close(self) -> None:
        """Close the kept workspace, if any."""
        with self._lock:
            idle, self._idle = self._idle, None
        if idle is not None:
            _close(idle[1])

    # ---- internals --------------------------------------------------------------------------
    def _take(self, key: str) -> Workspace | None:
        """The kept workspace for ``key`` (None: open a fresh one); marks a run as active."""
        stale = None
        with self._lock:
            self._active += 1
            if self._active > 1:
                self._overlapped = True
            if self._idle is not None:
                idle_key, ws = self._idle
                self._idle = None
                if idle_key == key and not _waited_for(ws):
                    return ws
                stale = ws
        if stale is not None:
            _close(stale)
        return None

    def _give_back(self, key: str, ws: Workspace | None) -> None:
        """End of a run: keep ``ws`` for the next one, or close it."""
        close_now: list[Workspace] = []
        with self._lock:
            self._active -= 1
            overlapped = self._overlapped
            if self._active == 0:
                self._overlapped = False
            keep = (ws is not None and self.idle_s > 0 and not overlapped
                    and self._active == 0 and not _waited_for(ws))
            if ws is not None and not keep:
                close_now.append(ws)
            if overlapped and self._idle is not None:
                close_now.append(self._idle[1])
                self._idle = None
            if keep and ws is not None:
                if self._idle is not None:
                    close_now.append(self._idle[1])
                self._idle = (key, ws)
                self._idle_since = time.monotonic()
                self._start_watcher()
        for other in close_now:
            _close(other)

    def _start_watcher(self) -> None:
        """Start the thread that lets go of the idle workspace (called under the lock)."""
        if not self._exit_hook:
            atexit.register(self.close)
            self._exit_hook = True
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._watcher = threading.Thread(target=self._watch, name="verify-workspace-keeper",
                                         daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        """While a workspace is kept: close it when someone waits for it or it idled long."""
        while True:
            time.sleep(self.poll_s)
            with self._lock:
                if self._idle is None:
                    self._watcher = None
                    return
                ws = self._idle[1]
                idle_for = time.monotonic() - self._idle_since
                if idle_for < self.idle_s and not _waited_for(ws):
                    continue
                self._idle = None
            log.info("letting go of workspace %s (%s)", ws.path,
                     "idle" if idle_for >= self.idle_s else "another process waits for it")
            _close(ws)


def _waited_for(ws: Workspace) -> bool:
    """Whether another process waits to open this workspace's database."""
    return bool(waiters(ws.path))


def _close(ws: Workspace) -> None:
    """Close a workspace; a failure is logged, not raised (nothing may be left half-open)."""
    try:
        ws.close()
    except Exception as exc:  # noqa: BLE001
        log.warning("closing workspace %s failed: %s", ws.path, exc)
