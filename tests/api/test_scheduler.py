"""Tests for call spacing and 429 back-off."""

from __future__ import annotations

import asyncio
import itertools
import random

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.dyness.api import (
    CallScheduler,
    DynessBudgetError,
    DynessRateLimitError,
)
from custom_components.dyness.api.scheduler import (
    BACKOFF_MAX,
    BACKOFF_START,
    JITTER,
    MIN_BUDGET,
    Demand,
    Priority,
    backoff_delay,
)


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


async def _calls_a_minute_apart(
    scheduler: CallScheduler, clock: FakeTime, count: int
) -> None:
    """Make `count` calls a minute apart."""
    for _ in range(count):
        async with scheduler.slot():
            pass
        clock.now += 60


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


class NoJitter(random.Random):
    """A random source whose jitter is always zero."""

    def random(self) -> float:
        """Return 0."""
        return 0.0


async def test_exponential_backoff(clock: FakeTime) -> None:
    """Without Retry-After the back-off doubles up to its cap and resets on success."""
    scheduler = CallScheduler(
        monotonic=clock.monotonic, sleep=clock.sleep, rng=NoJitter()
    )
    delays = [scheduler.note_rate_limited(None) for _ in range(7)]
    assert delays[:3] == [BACKOFF_START, BACKOFF_START * 2, BACKOFF_START * 4]
    assert delays[-1] == BACKOFF_MAX
    scheduler.note_success()
    assert scheduler.note_rate_limited(0) == BACKOFF_START
    assert scheduler.blocked_for() == pytest.approx(BACKOFF_MAX)


def test_backoff_is_jittered_up_and_capped() -> None:
    """Jitter only stretches a wait; the 5-minute cadence caps the doubling."""
    assert backoff_delay(1) == BACKOFF_START
    assert backoff_delay(1, 1.0) == pytest.approx(BACKOFF_START * (1 + JITTER))
    assert backoff_delay(50) == BACKOFF_MAX == 300.0
    scheduler = CallScheduler()
    assert all(
        BACKOFF_MAX <= scheduler.backoff(9) <= BACKOFF_MAX * (1 + JITTER)
        for _ in range(50)
    )


async def test_long_retry_after_is_probed_at_the_cadence(clock: FakeTime) -> None:
    """A Retry-After beyond five minutes blocks five minutes, then one call probes."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep)
    assert scheduler.note_rate_limited(3600) == BACKOFF_MAX
    assert scheduler.blocked_for() == pytest.approx(BACKOFF_MAX)


async def test_budget_refuses_and_frees(clock: FakeTime) -> None:
    """Past the hourly budget calls are refused, until the oldest leaves the window."""
    scheduler = CallScheduler(
        monotonic=clock.monotonic, sleep=clock.sleep, hourly_budget=20
    )
    for _ in range(20):
        async with scheduler.slot():
            pass
    assert scheduler.budget_left() == 0
    with pytest.raises(DynessBudgetError) as err:
        async with scheduler.slot():
            pytest.fail("must not run")
    assert err.value.retry_after == pytest.approx(3600 - 19)
    assert scheduler.refused == 1
    clock.now = 3600.5
    async with scheduler.slot():
        pass
    assert scheduler.used_last_hour() == 20


async def test_lower_priorities_leave_room(clock: FakeTime) -> None:
    """Modules may fill 90 % of the budget, extras 80 %; batteries all of it."""
    scheduler = CallScheduler(
        monotonic=clock.monotonic, sleep=clock.sleep, hourly_budget=20
    )
    for _ in range(16):
        async with scheduler.slot(Priority.EXTRA):
            pass
    with pytest.raises(DynessBudgetError):
        async with scheduler.slot(Priority.EXTRA):
            pass
    for _ in range(2):
        async with scheduler.slot(Priority.MODULE):
            pass
    with pytest.raises(DynessBudgetError):
        async with scheduler.slot(Priority.MODULE):
            pass
    for _ in range(2):
        async with scheduler.slot(Priority.BATTERY):
            pass
    assert scheduler.used_last_hour() == 20


async def test_extras_leave_the_batteries_their_hour(clock: FakeTime) -> None:
    """A burst of module reads never takes what the batteries need within the hour.

    Two batteries poll every 5 minutes (24 calls an hour) with a few late
    looks, at 30 calls an hour; modules ask every 5 seconds.
    """
    scheduler = CallScheduler(
        monotonic=clock.monotonic, sleep=clock.sleep, hourly_budget=30
    )
    scheduler.set_demand("entry", Demand(battery_calls=2))
    late_looks = {1000, 2000, 3000, 5000, 6000}
    extras: list[float] = []
    for step in range(0, 3 * 3600, 5):
        clock.now = float(step)
        # The second battery's read at setup, then each every 5 minutes.
        if step % 150 == 0 or step == 5 or step in late_looks:
            async with scheduler.slot(Priority.BATTERY):
                pass
        try:
            async with scheduler.slot(Priority.MODULE):
                extras.append(clock.now)
        except DynessBudgetError:
            continue
    # A battery's refusal would have ended the test; modules had what was left.
    assert scheduler.refused > 0
    hours = [sum(h * 3600 <= t < (h + 1) * 3600 for t in extras) for h in range(3)]
    assert hours == [2, 2, 3]


async def test_waiters_go_by_priority() -> None:
    """Calls waiting at the same time are granted battery first, extras last."""
    scheduler = CallScheduler(min_interval=0.001)
    order: list[Priority] = []

    async def _call(priority: Priority) -> None:
        async with scheduler.slot(priority):
            order.append(priority)
            await asyncio.sleep(0)

    async with scheduler.slot(Priority.EXTRA):
        tasks = [
            asyncio.create_task(_call(priority))
            for priority in (Priority.EXTRA, Priority.STATIC, Priority.MODULE)
        ]
        await asyncio.sleep(0)
        tasks.append(asyncio.create_task(_call(Priority.BATTERY)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == [Priority.BATTERY, Priority.MODULE, Priority.STATIC, Priority.EXTRA]


async def test_cancelled_waiter_leaves_the_queue() -> None:
    """A waiter cancelled before its turn does not block the others."""
    scheduler = CallScheduler(min_interval=0.001)
    async with scheduler.slot():
        waiting = asyncio.create_task(_enter(scheduler))
        await asyncio.sleep(0)
        waiting.cancel()
        await asyncio.sleep(0)
    async with scheduler.slot():
        pass
    assert scheduler.calls == 2


async def _enter(scheduler: CallScheduler) -> None:
    """Take one slot."""
    async with scheduler.slot():
        pass


async def test_budget_lowered_by_429_and_raised_after_quiet_hour(
    clock: FakeTime,
) -> None:
    """A 429 cuts the budget by a quarter; each quiet hour gives back five calls."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep)
    scheduler.note_rate_limited(10)
    assert scheduler.budget == 45
    scheduler.note_rate_limited(10)
    assert scheduler.budget == 33
    clock.now += 1800
    scheduler.note_success()
    assert scheduler.budget == 33
    clock.now += 1800
    scheduler.note_success()
    assert scheduler.budget == 38
    scheduler.note_success()
    assert scheduler.budget == 38
    for _ in range(10):
        clock.now += 3600
        scheduler.note_success()
    assert scheduler.budget == 60
    for _ in range(10):
        scheduler.note_rate_limited(1)
    assert scheduler.budget == MIN_BUDGET


@pytest.mark.parametrize(
    ("demands", "budget", "expected"),
    [
        ([Demand(battery_calls=1, static_per_hour=1)], 60, (1, 1)),
        ([Demand(battery_calls=2, module_calls=2, static_per_hour=2)], 60, (1, 1)),
        ([Demand(battery_calls=2, module_calls=3, static_per_hour=2)], 60, (1, 2)),
        (
            [
                Demand(battery_calls=1, module_calls=5, static_per_hour=1),
                Demand(battery_calls=1, module_calls=5, static_per_hour=1),
            ],
            60,
            (1, 5),
        ),
        ([Demand(battery_calls=2, module_calls=10, static_per_hour=2)], 30, (1, 12)),
        ([Demand(battery_calls=4, static_per_hour=2)], 30, (2, 2)),
        # A stretched computed total needs a records call per sample read.
        ([Demand(battery_calls=2, static_per_hour=1)], 20, (2, 2)),
        ([Demand(battery_calls=2, gap_calls=1, static_per_hour=1)], 20, (3, 3)),
        ([Demand(battery_calls=2, gap_calls=1, static_per_hour=2)], 60, (1, 1)),
        ([], 60, (1, 1)),
    ],
)
def test_plan_stretches_modules_first(
    demands: list[Demand], budget: int, expected: tuple[int, int]
) -> None:
    """Modules are read less often first; batteries only when they alone overflow."""
    scheduler = CallScheduler(hourly_budget=budget)
    for index, demand in enumerate(demands):
        scheduler.set_demand(str(index), demand)
    plan = scheduler.plan()
    assert (plan.battery_every, plan.module_every) == expected
    assert plan.stretched == (expected != (1, 1))
    scheduler.set_demand("0", None)
    assert "0" not in scheduler.demands


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=400, allow_nan=False),
            st.sampled_from(list(Priority)),
            st.booleans(),
        ),
        min_size=1,
        max_size=250,
    ),
    st.integers(min_value=20, max_value=80),
)
async def test_spacing_and_budget_never_exceeded(
    schedule: list[tuple[float, Priority, bool]], budget: int
) -> None:
    """Under any mix of callers, gaps stay ≥ 1 s and no hour holds more than the budget."""
    clock = FakeTime()
    scheduler = CallScheduler(
        monotonic=clock.monotonic, sleep=clock.sleep, hourly_budget=budget
    )
    granted: list[tuple[float, Priority]] = []
    for pause, priority, rate_limited in schedule:
        clock.now += pause
        try:
            async with scheduler.slot(priority):
                granted.append((clock.now, priority))
        except DynessRateLimitError:
            continue
        if rate_limited:
            scheduler.note_rate_limited(None)
        else:
            scheduler.note_success()
    times = [moment for moment, _ in granted]
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(times))
    for index, (start, _) in enumerate(granted):
        in_hour = [p for moment, p in granted[index:] if moment < start + 3600]
        assert len(in_hour) <= budget
        assert sum(p is Priority.EXTRA for p in in_hour) <= budget


async def test_budget_stays_below_the_refused_level_for_a_day(clock: FakeTime) -> None:
    """A 429 after 30 calls caps the budget at 29 until a quiet day has passed."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep)
    await _calls_a_minute_apart(scheduler, clock, 30)
    scheduler.note_rate_limited(None)
    assert scheduler.budget == 29
    for _ in range(23):
        clock.now += 3600
        scheduler.note_success()
    assert scheduler.budget == 29
    clock.now += 3600
    scheduler.note_success()
    assert scheduler.budget == 34


async def test_ceiling_set_by_the_user(clock: FakeTime) -> None:
    """A new ceiling holds at once; after a 429 the budget climbs to it slowly."""
    scheduler = CallScheduler(monotonic=clock.monotonic, sleep=clock.sleep)
    scheduler.set_ceiling(180)
    assert (scheduler.ceiling, scheduler.budget) == (180, 180)
    scheduler.set_demand("entry", Demand(battery_calls=2, module_calls=10))
    assert not scheduler.plan().stretched
    scheduler.set_ceiling(30)
    assert scheduler.budget == 30
    assert scheduler.plan().module_every > 1
    # A 429 after 25 calls: raising the ceiling does not jump over what was refused.
    await _calls_a_minute_apart(scheduler, clock, 25)
    scheduler.note_rate_limited(None)
    assert scheduler.budget == 22
    scheduler.set_ceiling(200)
    assert scheduler.budget == 22
    for _ in range(23):
        clock.now += 3600
        scheduler.note_success()
    assert scheduler.budget == 24
    clock.now += 2 * 3600
    scheduler.note_success()
    assert scheduler.budget == 29
    # A quiet day later a new ceiling holds at once again.
    scheduler.set_ceiling(150)
    assert scheduler.budget == 150
    # Never below the floor of learning, nor above a small ceiling.
    scheduler.set_ceiling(10)
    assert scheduler.budget == scheduler.min_budget == 10
