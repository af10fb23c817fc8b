"""Spacing and back-off for the calls made with one App ID."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
import time

from .exceptions import DynessRateLimitError

MIN_INTERVAL = 1.0
MAX_WAIT = 10.0
BACKOFF_START = 30.0
BACKOFF_MAX = 900.0


def _monotonic() -> float:
    """Return the monotonic clock, looked up per call so patches apply."""
    return time.monotonic()


async def _sleep(seconds: float) -> None:
    """Sleep, looked up per call so patches apply."""
    await asyncio.sleep(seconds)


class CallThrottle:
    """Serialises calls on one App ID, spaces them and honours 429 back-off.

    The documented ceiling is two calls per second per App ID; bursts closer than
    about one second were seen to trigger HTTP 429, hence the one second spacing.
    """

    def __init__(
        self,
        *,
        min_interval: float = MIN_INTERVAL,
        max_wait: float = MAX_WAIT,
        monotonic: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        """Initialise an idle throttle."""
        self.min_interval = min_interval
        self.max_wait = max_wait
        # Looked up per call, so a patched clock (tests, benchmarks) is honoured.
        self._monotonic = monotonic or _monotonic
        self._sleep = sleep or _sleep
        self._lock = asyncio.Lock()
        self._next_allowed = float("-inf")
        self._blocked_until = float("-inf")
        self._backoff = 0.0
        self.calls = 0
        self.rate_limited = 0

    def blocked_for(self) -> float:
        """Return how many seconds calls are still held back after a 429."""
        return max(0.0, self._blocked_until - self._monotonic())

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Wait for this App ID's next free slot and hold it for one call."""
        async with self._lock:
            blocked = self.blocked_for()
            if blocked > self.max_wait:
                raise DynessRateLimitError(
                    "Call held back after a rate limit answer", retry_after=blocked
                )
            wait = max(blocked, self._next_allowed - self._monotonic())
            if wait > 0:
                await self._sleep(wait)
            self._next_allowed = self._monotonic() + self.min_interval
            self.calls += 1
            yield

    def note_rate_limited(self, retry_after: float | None) -> float:
        """Block calls after a 429; return the delay applied."""
        self.rate_limited += 1
        if retry_after is not None and retry_after > 0:
            delay = retry_after
        else:
            self._backoff = min(
                BACKOFF_MAX, self._backoff * 2 if self._backoff else BACKOFF_START
            )
            delay = self._backoff
        self._blocked_until = max(self._blocked_until, self._monotonic() + delay)
        return delay

    def note_success(self) -> None:
        """Reset the exponential back-off after a successful call."""
        self._backoff = 0.0
