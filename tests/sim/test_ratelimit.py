"""Sliding-window rate limits (unit level)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dyness_sim.ratelimit import RateLimiter

T0 = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
APP = "10000000000042"


def _at(seconds: float) -> datetime:
    """Return T0 plus seconds."""
    return T0 + timedelta(seconds=seconds)


def test_two_per_second() -> None:
    """A third request within one second is refused without Retry-After."""
    limiter = RateLimiter(per_second=2, per_hour=None)
    assert limiter.check(APP, _at(0)).allowed
    assert limiter.check(APP, _at(0.4)).allowed
    refused = limiter.check(APP, _at(0.8))
    assert not refused.allowed
    assert refused.limit == "per_second"
    assert refused.retry_after is None
    # Refused requests do not count: at 1.0 s the first one has left the window.
    assert limiter.check(APP, _at(1.0)).allowed
    assert not limiter.check(APP, _at(1.3)).allowed
    assert limiter.check(APP, _at(1.41)).allowed


def test_spacing_of_one_second_is_always_fine() -> None:
    """Calls 1 s apart never hit the per-second limit; 0.5 s apart do."""
    limiter = RateLimiter(per_second=2, per_hour=None)
    assert all(limiter.check(APP, _at(n)).allowed for n in range(20))
    limiter = RateLimiter(per_second=2, per_hour=None)
    results = [limiter.check(APP, _at(100 + 0.4 * n)).allowed for n in range(6)]
    assert results.count(False) >= 1


def test_per_second_retry_after_configurable() -> None:
    """The per-second 429 can carry a configured Retry-After."""
    limiter = RateLimiter(per_second=1, per_hour=None, second_retry_after=2)
    limiter.check(APP, _at(0))
    assert limiter.check(APP, _at(0.1)).retry_after == 2


def test_hourly_limit_with_exact_retry_after() -> None:
    """The hourly limit refuses with the seconds until the oldest call expires."""
    limiter = RateLimiter(per_second=None, per_hour=3)
    for seconds in (0, 600, 1200):
        assert limiter.check(APP, _at(seconds)).allowed
    refused = limiter.check(APP, _at(1800))
    assert not refused.allowed
    assert refused.limit == "per_hour"
    assert refused.retry_after == 1800
    assert not limiter.check(APP, _at(3599)).allowed
    assert limiter.check(APP, _at(3600)).allowed
    assert limiter.check(APP, _at(3601)).retry_after == 599


def test_limits_are_per_app_id_and_can_be_off() -> None:
    """Each App ID has its own budget; None switches limits off."""
    limiter = RateLimiter(per_second=1, per_hour=None)
    assert limiter.check("a", _at(0)).allowed
    assert limiter.check("b", _at(0)).allowed
    assert not limiter.check("a", _at(0)).allowed
    limiter.configure(per_second=None, per_hour=None, second_retry_after=None)
    assert all(limiter.check("a", _at(0)).allowed for _ in range(100))
    assert limiter.describe() == {
        "per_second": None,
        "per_hour": None,
        "second_retry_after": None,
    }


def test_clock_set_backwards_and_reset() -> None:
    """Requests in the 'future' of a clock set back are forgotten; reset clears."""
    limiter = RateLimiter(per_second=1, per_hour=2)
    assert limiter.check(APP, _at(100)).allowed
    assert limiter.check(APP, _at(200)).allowed
    # Back at 50 s only this request is in the windows.
    assert limiter.check(APP, _at(50)).allowed
    assert not limiter.check(APP, _at(50.5)).allowed
    assert limiter.check(APP, _at(60)).allowed
    assert not limiter.check(APP, _at(70)).allowed
    limiter.reset()
    assert limiter.check(APP, _at(70)).allowed
