"""Simulated wall clock shared by sample generation, rate limiting and Date checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

type ClockMode = Literal["real", "fixed"]


def _aware(moment: datetime) -> datetime:
    """Return the moment as an aware UTC datetime (naive input is taken as UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class SimClock:
    """A clock that follows real time plus an offset, or stands still until moved."""

    def __init__(
        self, *, offset: timedelta = timedelta(0), fixed_at: datetime | None = None
    ) -> None:
        """Create a clock; prefer the `real` and `fixed` constructors."""
        self._offset = offset
        # None means real mode; a datetime means the clock stands at it.
        self._fixed = _aware(fixed_at) if fixed_at is not None else None

    @classmethod
    def real(cls, offset: timedelta = timedelta(0)) -> SimClock:
        """Return a clock that follows the system clock (and freezegun) plus offset."""
        return cls(offset=offset)

    @classmethod
    def fixed(cls, at: datetime) -> SimClock:
        """Return a clock that stays at `at` until set or advanced."""
        return cls(fixed_at=at)

    @property
    def mode(self) -> ClockMode:
        """Return `real` or `fixed`."""
        return "real" if self._fixed is None else "fixed"

    @property
    def offset(self) -> timedelta:
        """Return the offset added to real time in real mode."""
        return self._offset

    def now(self) -> datetime:
        """Return the current simulated time as an aware UTC datetime."""
        if self._fixed is not None:
            return self._fixed
        # datetime.now is looked up at call time so freezegun-frozen tests drive it.
        return datetime.now(UTC) + self._offset

    def set(self, at: datetime) -> None:
        """Stop the clock at `at` (switches to fixed mode)."""
        self._fixed = _aware(at)

    def advance(self, delta: timedelta | float) -> None:
        """Move the clock forward (fixed mode) or add to the offset (real mode)."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if self._fixed is not None:
            self._fixed += step
        else:
            self._offset += step

    def use_real_time(self, offset: timedelta = timedelta(0)) -> None:
        """Switch to real time plus offset."""
        self._offset = offset
        self._fixed = None

    def describe(self) -> dict[str, str | float]:
        """Return the clock state for the control API."""
        return {
            "now": self.now().isoformat(),
            "mode": self.mode,
            "offset_seconds": self._offset.total_seconds(),
        }
