"""Per-App-ID sliding-window rate limits on the simulated clock (doc §4)."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from itertools import takewhile
import math

SECOND = 1.0
HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether a request may pass; when not, which limit refused it and Retry-After."""

    allowed: bool
    limit: str = ""
    retry_after: int | None = None


class RateLimiter:
    """Sliding-window limiter: at most `per_second` per 1 s and `per_hour` per hour.

    Only admitted requests enter the windows; requests answered 429 do not count
    against either limit. A client that keeps retrying therefore gets through as
    soon as the window allows, and the hourly Retry-After is exact: after waiting
    it, one slot is free (if nothing else was admitted meanwhile).
    """

    def __init__(
        self,
        *,
        per_second: int | None = 2,
        per_hour: int | None = 60,
        second_retry_after: int | None = None,
    ) -> None:
        """Set the limits; None switches a limit off."""
        self.per_second = per_second
        self.per_hour = per_hour
        self.second_retry_after = second_retry_after
        self._admitted: dict[str, deque[float]] = {}

    def configure(
        self,
        *,
        per_second: int | None,
        per_hour: int | None,
        second_retry_after: int | None,
    ) -> None:
        """Replace the limits; the admitted history is kept."""
        self.per_second = per_second
        self.per_hour = per_hour
        self.second_retry_after = second_retry_after

    def reset(self) -> None:
        """Forget every admitted request."""
        self._admitted.clear()

    def check(self, app_id: str, now: datetime) -> RateDecision:
        """Admit (and record) or refuse one request of `app_id` at `now`."""
        stamp = now.timestamp()
        history = self._admitted.setdefault(app_id, deque())
        # A clock set backwards must not leave "future" requests in the window.
        while history and history[-1] > stamp:
            history.pop()
        while history and history[0] <= stamp - HOUR:
            history.popleft()
        if self.per_second is not None:
            recent = sum(
                1 for _ in takewhile(lambda t: t > stamp - SECOND, reversed(history))
            )
            if recent >= self.per_second:
                return RateDecision(False, "per_second", self.second_retry_after)
        if self.per_hour is not None and len(history) >= self.per_hour:
            index = len(history) - self.per_hour
            frees_at = history[index] + HOUR
            return RateDecision(False, "per_hour", max(1, math.ceil(frees_at - stamp)))
        history.append(stamp)
        return RateDecision(True)

    def describe(self) -> dict[str, int | None]:
        """Return the configured limits."""
        return {
            "per_second": self.per_second,
            "per_hour": self.per_hour,
            "second_retry_after": self.second_retry_after,
        }
