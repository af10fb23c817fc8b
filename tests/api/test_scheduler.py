"""Tests for call spacing and 429 back-off."""

from __future__ import annotations

import pytest

from custom_components.dyness.api import CallScheduler, DynessRateLimitError
from custom_components.dyness.api.scheduler import BACKOFF_MAX, BACKOFF_START


class FakeTime:
    """A monotonic clock that sleeping advances."""

    def __init__(self) -> None:
        """Start at zero."""
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        """Return the current time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance the clock instead of waiting."""
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeTime:
    """Return a fake clock."""
    return FakeTime()


async def test_calls_are_spaced(clock: FakeTime) -> None:
    """Back-to-back calls wait for the minimum interval; later ones do not."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep)
    starts = []
    for _ in range(3):
        async with scheduler.slot():
            starts.append(clock.now)
    assert starts == [0.0, 1.0, 2.0]
    clock.now += 5
    async with scheduler.slot():
        pass
    assert clock.sleeps == [1.0, 1.0]
    assert scheduler.calls == 4


async def test_retry_after_is_honoured(clock: FakeTime) -> None:
    """A short Retry-After delays the next call; a long one refuses it."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep, max_wait=10)
    assert scheduler.note_rate_limited(5) == 5
    async with scheduler.slot():
        assert clock.now == 5
    scheduler.note_rate_limited(120)
    with pytest.raises(DynessRateLimitError) as err:
        async with scheduler.slot():
            pytest.fail("must not run")
    assert err.value.retry_after == pytest.approx(120)
    assert scheduler.calls == 1
    assert scheduler.rate_limited == 2
    clock.now += 121
    async with scheduler.slot():
        pass
    assert scheduler.calls == 2


async def test_exponential_backoff(clock: FakeTime) -> None:
    """Without Retry-After the back-off doubles up to its cap and resets on success."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep)
    delays = [scheduler.note_rate_limited(None) for _ in range(7)]
    assert delays[:3] == [BACKOFF_START, BACKOFF_START * 2, BACKOFF_START * 4]
    assert delays[-1] == BACKOFF_MAX
    scheduler.note_success()
    assert scheduler.note_rate_limited(0) == BACKOFF_START
    assert scheduler.blocked_for() == pytest.approx(BACKOFF_MAX)
