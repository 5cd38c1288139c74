"""Failed desk sign-ins, counted, so a password cannot be guessed at the server's speed.

After ``name_limit`` failed sign-ins within ``window_s`` seconds for one user name, or
``address_limit`` from one client address (higher: a newsroom's proxy may send everyone's),
further sign-ins for that name (or from that address) are refused with HTTP 429 until the
oldest failure leaves the window, even with the right password. A successful sign-in
clears the name's failures. Counts live in the server process (a restart forgets them);
each attempt also costs an scrypt hash.

Example:
    >>> throttle = LoginThrottle(name_limit=2, window_s=60, clock=lambda: 0.0)
    >>> throttle.failed("ana", "10.0.0.1"); throttle.failed("ana", "10.0.0.2")
    >>> throttle.retry_after("ana", "10.0.0.3")
    60.0
    >>> throttle.retry_after("bo", "10.0.0.3")
    0.0
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from verify.errors import VerifyError

NAME_LIMIT = 10
ADDRESS_LIMIT = 50
WINDOW_S = 900.0


class TooManySignInsError(VerifyError):
    """Too many failed sign-ins for a name or from an address (HTTP 429)."""

    hint = "wait, then sign in again; an admin can set a new password with `verify users password NAME`"

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class LoginThrottle:
    """Failures per user name and per client address in a sliding window."""

    def __init__(self, name_limit: int = NAME_LIMIT, address_limit: int = ADDRESS_LIMIT,
                 window_s: float = WINDOW_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.name_limit = name_limit
        self.address_limit = address_limit
        self.window_s = window_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        """The failures of ``key`` still in the window (older ones dropped)."""
        times = self._failures.get(key, deque())
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if not times:
            self._failures.pop(key, None)
        return times

    def retry_after(self, name: str, address: str) -> float:
        """Seconds until a sign-in for ``name`` from ``address`` is taken again (0: now)."""
        now = self._clock()
        with self._lock:
            wait = 0.0
            for key, limit in ((_name_key(name), self.name_limit),
                               (_address_key(address), self.address_limit)):
                times = self._recent(key, now)
                if len(times) >= limit:
                    wait = max(wait, self.window_s - (now - times[0]))
            return wait

    def check(self, name: str, address: str) -> None:
        """Raise :class:`TooManySignInsError` when the name or address is locked out."""
        wait = self.retry_after(name, address)
        if wait > 0:
            raise TooManySignInsError(
                f"too many failed sign-ins for {name.strip()!r} or from this address; try "
                f"again in {int(wait) + 1} s", wait)

    def failed(self, name: str, address: str) -> None:
        """Count a failed sign-in."""
        now = self._clock()
        with self._lock:
            for key in (_name_key(name), _address_key(address)):
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, name: str) -> None:
        """A right password: the name's failures are forgotten (the address's stay)."""
        with self._lock:
            self._failures.pop(_name_key(name), None)


def _name_key(name: str) -> str:
    return "name:" + (name or "").strip().casefold()


def _address_key(address: str) -> str:
    return "address:" + (address or "unknown")
