"""Failed desk sign-ins are counted: too many for a name or from an address get HTTP 429."""

from __future__ import annotations

import pytest

from verify.server.throttle import LoginThrottle, TooManySignInsError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_name_is_locked_out_after_its_limit_until_the_window_passes() -> None:
    clock = Clock()
    throttle = LoginThrottle(name_limit=3, address_limit=100, window_s=60, clock=clock)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):   # from anywhere
        throttle.check("Ana", address)
        throttle.failed("Ana", address)
    with pytest.raises(TooManySignInsError, match="too many failed sign-ins for 'ana'"):
        throttle.check("  ana ", "10.0.0.9")     # the name as typed, any case and spacing
    throttle.check("bo", "10.0.0.9")              # another name is not affected
    clock.now += 30
    assert throttle.retry_after("Ana", "10.0.0.9") == pytest.approx(30)
    clock.now += 30
    throttle.check("Ana", "10.0.0.9")             # the oldest failure left the window


def test_an_address_is_locked_out_for_every_name() -> None:
    throttle = LoginThrottle(name_limit=100, address_limit=3, window_s=60, clock=Clock())
    for name in ("a", "b", "c"):
        throttle.failed(name, "10.0.0.7")
    with pytest.raises(TooManySignInsError) as caught:
        throttle.check("d", "10.0.0.7")
    assert caught.value.retry_after_s == pytest.approx(60)
    throttle.check("d", "10.0.0.8")


def test_a_right_password_clears_the_names_failures() -> None:
    throttle = LoginThrottle(name_limit=2, address_limit=100, window_s=60, clock=Clock())
    throttle.failed("ana", "x")
    throttle.succeeded("ana")
    throttle.failed("ana", "x")
    throttle.check("ana", "x")    # one failure since the success: still allowed
