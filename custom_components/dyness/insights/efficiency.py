"""Round-trip efficiency over a rolling window, and the cycles of the day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final, Self

from .stored import items, mapping, to_float, to_text, to_time

WINDOW: Final = timedelta(days=7)
# The start point may be up to this much older than the window.
SLACK: Final = timedelta(days=1)
# The SOC at both ends must agree within this many percentage points.
SOC_TOLERANCE: Final = 3.0
# Less charged energy than this says nothing about losses.
MIN_CHARGED_KWH: Final = 1.0
# Outside this band (%) the counters or the SOC are wrong, not the battery.
PLAUSIBLE: Final = (50.0, 105.0)
KEEP_EVERY: Final = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Mark:
    """Energy totals and SOC at one moment."""

    at: datetime
    charged_kwh: float
    discharged_kwh: float
    soc: float


class RoundTrip:
    """Energy out over energy in between two moments with about the same SOC.

    Keeps one mark an hour. The start is, among the marks between `WINDOW` and
    `WINDOW + SLACK` ago, the one whose SOC is closest to the current SOC; the
    figure is unknown when even that one is off by more than `SOC_TOLERANCE`.
    """

    def __init__(self, window: timedelta = WINDOW) -> None:
        """Start without history."""
        self.window = window
        self._marks: list[Mark] = []

    def add(
        self,
        at: datetime,
        *,
        charged_kwh: float | None,
        discharged_kwh: float | None,
        soc: float | None,
    ) -> None:
        """Take the totals and SOC of a sample; keeps one mark an hour."""
        if charged_kwh is None or discharged_kwh is None or soc is None:
            return
        if self._marks:
            last = self._marks[-1]
            if at - last.at < KEEP_EVERY:
                return
            if charged_kwh < last.charged_kwh or discharged_kwh < last.discharged_kwh:
                # A counter reset: the old marks no longer compare.
                self._marks.clear()
        self._marks.append(Mark(at, charged_kwh, discharged_kwh, soc))
        oldest = at - self.window - SLACK
        self._marks = [m for m in self._marks if m.at >= oldest]

    def efficiency(
        self,
        now: datetime,
        *,
        charged_kwh: float | None,
        discharged_kwh: float | None,
        soc: float | None,
    ) -> float | None:
        """Return the round-trip efficiency (%) up to now, None when not meaningful."""
        if charged_kwh is None or discharged_kwh is None or soc is None:
            return None
        newest = now - self.window
        oldest = newest - SLACK
        starts = [m for m in self._marks if oldest <= m.at <= newest]
        if not starts:
            return None
        # Ties go to the newest mark, the one closest to exactly the window.
        start = min(starts, key=lambda m: (abs(m.soc - soc), now - m.at))
        if abs(start.soc - soc) > SOC_TOLERANCE:
            return None
        charged = charged_kwh - start.charged_kwh
        discharged = discharged_kwh - start.discharged_kwh
        if charged < MIN_CHARGED_KWH or discharged < 0:
            return None
        value = 100 * discharged / charged
        return value if PLAUSIBLE[0] <= value <= PLAUSIBLE[1] else None

    def as_dict(self) -> dict[str, Any]:
        """Return the marks to store across restarts."""
        return {
            "marks": [
                [to_text(m.at), m.charged_kwh, m.discharged_kwh, m.soc]
                for m in self._marks
            ]
        }

    @classmethod
    def from_dict(cls, data: Any, window: timedelta = WINDOW) -> Self:
        """Return a calculator from stored marks (unreadable rows are skipped)."""
        made = cls(window)
        for row in items(mapping(data).get("marks")):
            if not isinstance(row, list) or len(row) != 4:
                continue
            at = to_time(row[0])
            charged, discharged, soc = (to_float(value) for value in row[1:])
            if at is None or (made._marks and at <= made._marks[-1].at):
                continue
            made.add(at, charged_kwh=charged, discharged_kwh=discharged, soc=soc)
        return made


class DailyCycles:
    """Cycles counted since local midnight, from the battery's cycle counter."""

    def __init__(self, day: date | None = None, start: float | None = None) -> None:
        """Start with the counter seen first on `day`, or without."""
        self._day = day
        self._start = start

    def update(self, now_local: datetime, cycles: float | None) -> float | None:
        """Take the counter at a local moment; return today's cycles."""
        if cycles is None or cycles < 0:
            return None
        today = now_local.date()
        if self._day != today or self._start is None or cycles < self._start:
            # A new day, or a counter that stepped back, starts a new count.
            self._day, self._start = today, cycles
        return cycles - self._start

    def as_dict(self) -> dict[str, Any]:
        """Return the state to store across restarts."""
        return {
            "day": None if self._day is None else self._day.isoformat(),
            "start": self._start,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Return a counter from stored state."""
        stored = mapping(data)
        day = stored.get("day")
        try:
            parsed = date.fromisoformat(day) if isinstance(day, str) else None
        except ValueError:
            parsed = None
        return cls(parsed, to_float(stored.get("start")) if parsed else None)
