"""One call scheduler per App ID: spacing, an hourly budget, priorities, 429 back-off."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import IntEnum
import heapq
import itertools
import math
import random
import time

from .exceptions import DynessBudgetError, DynessRateLimitError
from .headers import RETRY_AFTER_CAP

MIN_INTERVAL = 1.0
MAX_WAIT = 10.0
SAMPLE_PERIOD = 300.0
# After a failure: 30 s, doubling, never longer than the 5-minute cadence (a
# longer Retry-After is honoured up to the cadence, then probed with one call).
BACKOFF_START = 30.0
BACKOFF_MAX = SAMPLE_PERIOD
# Waits are stretched by up to this share so that entries do not retry in step.
JITTER = 0.1
HOUR = 3600.0
DAY = 24 * HOUR
DEFAULT_BUDGET = 60
MIN_BUDGET = 20
BUDGET_STEP_UP = 5
# At most every twelfth sample (one hour) for anything.
MAX_STRETCH = 12
# A tenth of the budget stays free for looks after late samples.
RETRY_SHARE = 0.1


class Priority(IntEnum):
    """What a call is for; lower values go first and may use more of the budget."""

    # A user's settings change: goes before everything and may use the whole budget.
    CONTROL = -1
    BATTERY = 0
    # Power records that fill a gap in an energy total: lost at local midnight.
    RECORDS = 1
    MODULE = 2
    STATIC = 3
    EXTRA = 4


# Share of the hourly budget each priority may fill, so that lower priorities
# always leave room for the batteries' own data.
BUDGET_SHARE: dict[Priority, float] = {
    Priority.CONTROL: 1.0,
    Priority.BATTERY: 1.0,
    Priority.RECORDS: 1.0,
    Priority.MODULE: 0.9,
    Priority.STATIC: 0.85,
    Priority.EXTRA: 0.8,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Demand:
    """What one user of the App ID needs at full cadence."""

    # Calls per new 5-minute sample: each battery's own (with its extras).
    battery_calls: int = 0
    # Calls per new sample for modules whose entities are enabled.
    module_calls: int = 0
    # Calls per read sample once batteries are stretched: a total computed from
    # power fills each skipped sample from the power records (one call).
    gap_calls: int = 0
    # Calls per hour for static facts (device list, details, signal).
    static_per_hour: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Plan:
    """How many samples apart batteries and modules are read to fit the budget."""

    battery_every: int = 1
    module_every: int = 1
    budget: int = DEFAULT_BUDGET

    @property
    def stretched(self) -> bool:
        """Return whether anything is read less often than every sample."""
        return self.battery_every > 1 or self.module_every > 1


def _monotonic() -> float:
    """Return the monotonic clock, looked up per call so patches apply."""
    return time.monotonic()


def backoff_delay(failures: int, jitter: float = 0.0) -> float:
    """Return the wait after `failures` failures in a row, stretched by `jitter` (0-1)."""
    steps = min(max(failures, 1) - 1, 16)
    base = min(BACKOFF_MAX, BACKOFF_START * float(2**steps))
    return base * (1 + JITTER * jitter)


async def _sleep(seconds: float) -> None:
    """Sleep, looked up per call so patches apply."""
    await asyncio.sleep(seconds)


class CallScheduler:
    """Grants calls of one App ID one at a time, by priority, within the budget.

    The documented ceiling is two calls per second per App ID and about 60 per
    hour; calls closer than about one second were seen to trigger HTTP 429.
    """

    def __init__(
        self,
        *,
        min_interval: float = MIN_INTERVAL,
        hourly_budget: int = DEFAULT_BUDGET,
        min_budget: int = MIN_BUDGET,
        max_wait: float = MAX_WAIT,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        rng: random.Random | None = None,
    ) -> None:
        """Initialise an idle scheduler."""
        self.min_interval = min_interval
        self.ceiling = hourly_budget
        self.budget = hourly_budget
        self._min_budget = min_budget
        self.min_budget = min(min_budget, hourly_budget)
        self.max_wait = max_wait
        self._monotonic = monotonic or _monotonic
        self._sleep = sleep or _sleep
        self._queue: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._busy = False
        self._window: deque[float] = deque()
        self._next_allowed = float("-inf")
        self._blocked_until = float("-inf")
        self._random = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self._limited_in_row = 0
        self._last_429 = float("-inf")
        self._last_raise = float("-inf")
        # Calls in the hour when the cloud last said 429: its limit is no higher.
        self._refused_at: int | None = None
        self.demands: dict[str, Demand] = {}
        self.calls = 0
        self.rate_limited = 0
        self.refused = 0

    # --- figures -----------------------------------------------------------

    def used_last_hour(self) -> int:
        """Return how many calls were made in the last hour."""
        self._prune()
        return len(self._window)

    def budget_left(self) -> int:
        """Return how many calls the current hourly budget still allows."""
        return max(0, self.budget - self.used_last_hour())

    def blocked_for(self) -> float:
        """Return how many seconds calls are still held back after a 429."""
        return max(0.0, self._blocked_until - self._monotonic())

    def budget_frees_in(self, priority: Priority = Priority.BATTERY) -> float:
        """Return the seconds until the budget grants a call of `priority` again."""
        self._prune()
        allowed = math.floor(self.budget * BUDGET_SHARE[priority])
        if len(self._window) < allowed:
            return 0.0
        index = min(len(self._window) - allowed, len(self._window) - 1)
        return max(1.0, self._window[index] + HOUR - self._monotonic())

    def _prune(self) -> None:
        """Drop calls older than an hour from the window."""
        horizon = self._monotonic() - HOUR
        while self._window and self._window[0] <= horizon:
            self._window.popleft()

    # --- granting calls ----------------------------------------------------

    async def _acquire(self, priority: Priority) -> None:
        """Wait until no call is in progress and none of higher priority waits."""
        if not self._busy and not self._queue:
            self._busy = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        entry = (int(priority), next(self._order), waiter)
        heapq.heappush(self._queue, entry)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()
            else:
                self._queue.remove(entry)
                heapq.heapify(self._queue)
            raise

    def _release(self) -> None:
        """Hand the scheduler to the most urgent waiter, or free it."""
        while self._queue:
            _, _, waiter = heapq.heappop(self._queue)
            if not waiter.done():
                waiter.set_result(None)
                return
        self._busy = False

    @asynccontextmanager
    async def slot(self, priority: Priority = Priority.BATTERY) -> AsyncIterator[None]:
        """Wait for this App ID's next free slot and hold it for one call."""
        await self._acquire(priority)
        try:
            blocked = self.blocked_for()
            if blocked > self.max_wait:
                raise DynessRateLimitError(
                    "Call held back after a rate limit answer", retry_after=blocked
                )
            self._prune()
            allowed = math.floor(self.budget * BUDGET_SHARE[priority])
            if len(self._window) >= allowed or self._over_reserve(priority):
                self.refused += 1
                raise DynessBudgetError(
                    f"Hourly budget of {self.budget} calls used",
                    retry_after=self.budget_frees_in(priority)
                    or self._reserve_frees_in(),
                )
            wait = max(blocked, self._next_allowed - self._monotonic())
            if wait > 0:
                await self._sleep(wait)
            now = self._monotonic()
            self._next_allowed = now + self.min_interval
            self._window.append(now)
            self.calls += 1
            yield
        finally:
            self._release()

    def _over_reserve(self, priority: Priority) -> bool:
        """Return whether a call now would leave the batteries short this hour.

        Setup reads modules, facts and extras in a burst, and each call counts
        for an hour. Until each call of the window drops out, the calls still
        counted, this one and what the batteries need until then (their
        samples and the tenth kept for late ones) must fit the budget.
        """
        if BUDGET_SHARE[priority] >= 1.0:
            return False
        every = self.plan().battery_every
        per_hour = self._battery_calls_per_hour(every) + self.budget * RETRY_SHARE
        rate = per_hour / HOUR
        now = self._monotonic()
        counted = len(self._window) + 1
        for at in self._window:
            if counted + rate * (at + HOUR - now) > self.budget:
                return True
            counted -= 1
        return counted + per_hour > self.budget

    def _reserve_frees_in(self) -> float:
        """Return the seconds until the oldest call drops out of the window."""
        if not self._window:
            return SAMPLE_PERIOD
        return max(1.0, self._window[0] + HOUR - self._monotonic())

    def _battery_calls_per_hour(self, every: int) -> float:
        """Return the batteries' own calls an hour when read every `every`th sample."""
        # Once stretched, each computed energy total fills the skipped samples
        # from the power records: one more call per read sample.
        per_sample = sum(
            d.battery_calls + (d.gap_calls if every > 1 else 0)
            for d in self.demands.values()
        )
        return per_sample * HOUR / SAMPLE_PERIOD / every

    # --- feedback from answers ---------------------------------------------

    def backoff(self, failures: int) -> float:
        """Return the jittered wait after `failures` failures in a row."""
        return backoff_delay(failures, self._random.random())

    def note_rate_limited(self, retry_after: float | None) -> float:
        """Block calls after a 429 and lower the budget; return the delay applied.

        A Retry-After is honoured up to the 5-minute cadence; without one (or
        with garbage) the wait grows from 30 s like any other failure's.
        """
        self.rate_limited += 1
        self._limited_in_row += 1
        now = self._monotonic()
        if retry_after is not None and retry_after > 0:
            delay = min(retry_after, RETRY_AFTER_CAP, BACKOFF_MAX)
        else:
            delay = self.backoff(self._limited_in_row)
        self._blocked_until = max(self._blocked_until, now + delay)
        lowered = math.floor(self.budget * 0.75)
        used = self.used_last_hour()
        if used > self.min_budget:
            # Refused after `used` calls this hour: the cloud's limit is no higher.
            self._refused_at = used
            lowered = min(lowered, used - 1)
        self.budget = max(self.min_budget, lowered)
        self._last_429 = self._last_raise = now
        return delay

    def note_success(self) -> None:
        """Reset the back-off; raise a lowered budget again after a quiet hour."""
        self._limited_in_row = 0
        now = self._monotonic()
        if self.budget >= self.ceiling or now - self._last_raise < HOUR:
            return
        cap = self.ceiling
        # Below the level the cloud refused, until a whole day passed quietly.
        if self._refused_at is not None and now - self._last_429 < DAY:
            cap = max(self.budget, self._refused_at - 1)
        if self.budget < cap:
            self.budget = min(cap, self.budget + BUDGET_STEP_UP)
            self._last_raise = now

    def set_ceiling(self, ceiling: int) -> None:
        """Follow a new hourly budget set by the user.

        Without a 429 in the last day the new budget holds at once; after one,
        the budget climbs towards it as after any 429, below the refused level.
        """
        self.ceiling = ceiling
        self.min_budget = min(self._min_budget, ceiling)
        if self._monotonic() - self._last_429 >= DAY:
            self._refused_at = None
            self.budget = ceiling
        else:
            self.budget = max(self.min_budget, min(self.budget, ceiling))

    # --- planning ----------------------------------------------------------

    def set_demand(self, user: str, demand: Demand | None) -> None:
        """Record (or with None forget) what one user of the App ID needs."""
        if demand is None:
            self.demands.pop(user, None)
        else:
            self.demands[user] = demand

    def plan(self) -> Plan:
        """Stretch modules first, then batteries, until every user fits the budget."""
        per_hour = HOUR / SAMPLE_PERIOD
        modules = sum(d.module_calls for d in self.demands.values()) * per_hour
        static = sum(d.static_per_hour for d in self.demands.values())
        usable = self.budget * (1 - RETRY_SHARE) - static
        battery_every = 1
        while (
            self._battery_calls_per_hour(battery_every) > usable
            and battery_every < MAX_STRETCH
        ):
            battery_every += 1
        left = min(usable, self.budget * BUDGET_SHARE[Priority.MODULE] - static)
        left -= self._battery_calls_per_hour(battery_every)
        module_every = 1
        if modules:
            module_every = (
                MAX_STRETCH
                if left <= 0
                else min(MAX_STRETCH, max(1, math.ceil(modules / left)))
            )
        return Plan(
            battery_every=battery_every,
            module_every=max(module_every, battery_every),
            budget=self.budget,
        )
