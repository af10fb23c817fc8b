"""Modules that stay away from their siblings, and the weakest cell."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import median, pstdev
from typing import Any, Final, Self

from .spread import outlier_limit
from .stored import items, mapping, to_time

DAY: Final = timedelta(days=1)
WEEK: Final = timedelta(days=7)
# Fewer modules cannot say which one is off.
MIN_MODULES: Final = 3
# Share of the day's samples away from the siblings to raise, and to clear.
RAISE_SHARE: Final = 0.8
CLEAR_SHARE: Final = 0.5
# Hours of the day that must have samples before a verdict changes.
MIN_HOURS: Final = 12
# The weakest cell needs this many samples in the week.
MIN_CELL_SAMPLES: Final = 12


class Quantity(StrEnum):
    """What a module is compared with its siblings on."""

    TEMPERATURE = "temperature"
    CELL_VOLTAGE = "cell_voltage"


# Fixed margins a module must exceed, whatever the siblings' spread (°C, V):
# well above sensor tolerance and the SOC imbalance of healthy modules.
MARGINS: Final[Mapping[Quantity, float]] = {
    Quantity.TEMPERATURE: 5.0,
    Quantity.CELL_VOLTAGE: 0.05,
}


@dataclass(frozen=True, slots=True, order=True)
class Outlier:
    """A module and the quantity it is off in."""

    module: str
    quantity: Quantity


@dataclass(frozen=True, slots=True)
class Changes:
    """Outliers raised and cleared by one sample."""

    raised: tuple[Outlier, ...] = ()
    cleared: tuple[Outlier, ...] = ()


def away_from_siblings(values: Mapping[str, float], margin: float) -> dict[str, bool]:
    """Return per module whether it is off the median of the others.

    Off means farther than the margin and than 3 standard deviations of the
    others; empty with fewer than `MIN_MODULES` modules.
    """
    if len(values) < MIN_MODULES:
        return {}
    result: dict[str, bool] = {}
    for module, value in values.items():
        others = [v for m, v in values.items() if m != module]
        limit = outlier_limit(pstdev(others), margin)
        result[module] = abs(value - median(others)) > limit
    return result


def _hour(moment: datetime) -> datetime:
    """Return the start of the hour of a moment."""
    return moment.replace(minute=0, second=0, microsecond=0)


class OutlierMonitor:
    """Raises and clears outlier verdicts from samples of the modules.

    Counts per module and quantity, in hourly buckets over the last day, how
    many samples were away from the siblings. Raises at `RAISE_SHARE` of the
    day's samples and clears below `CLEAR_SHARE` (hysteresis), once at least
    `MIN_HOURS` hours of the day have samples.
    """

    def __init__(self) -> None:
        """Start without samples or verdicts."""
        # (module, quantity) → hour → [samples, away]
        self._hours: dict[Outlier, dict[datetime, list[int]]] = {}
        self._active: set[Outlier] = set()

    @property
    def active(self) -> tuple[Outlier, ...]:
        """Return the outliers in force, sorted."""
        return tuple(sorted(self._active))

    def add(
        self, at: datetime, quantity: Quantity, values: Mapping[str, float | None]
    ) -> Changes:
        """Take one sample of a quantity per module; return what changed."""
        known = {m: v for m, v in values.items() if v is not None}
        hour = _hour(at)
        for module, away in away_from_siblings(known, MARGINS[quantity]).items():
            bucket = self._hours.setdefault(Outlier(module, quantity), {})
            counts = bucket.setdefault(hour, [0, 0])
            counts[0] += 1
            counts[1] += int(away)
        return self._judge(at, quantity)

    def _judge(self, at: datetime, quantity: Quantity) -> Changes:
        """Return the verdicts of a quantity that change with the day up to `at`."""
        oldest = _hour(at) - DAY + timedelta(hours=1)
        raised: list[Outlier] = []
        cleared: list[Outlier] = []
        for key, bucket in self._hours.items():
            if key.quantity is not quantity:
                continue
            for hour in [h for h in bucket if h < oldest]:
                del bucket[hour]
            samples = sum(counts[0] for counts in bucket.values())
            if len(bucket) < MIN_HOURS or not samples:
                continue
            share = sum(counts[1] for counts in bucket.values()) / samples
            if key not in self._active and share >= RAISE_SHARE:
                self._active.add(key)
                raised.append(key)
            elif key in self._active and share < CLEAR_SHARE:
                self._active.discard(key)
                cleared.append(key)
        return Changes(tuple(sorted(raised)), tuple(sorted(cleared)))

    def as_dict(self) -> dict[str, Any]:
        """Return the buckets and verdicts to store across restarts."""
        return {
            "hours": [
                [key.module, key.quantity.value, hour.isoformat(), *counts]
                for key, bucket in self._hours.items()
                for hour, counts in bucket.items()
            ],
            "active": [[key.module, key.quantity.value] for key in self.active],
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Return a monitor from stored state (unreadable rows are skipped)."""
        monitor = cls()
        stored = mapping(data)
        for row in items(stored.get("hours")):
            if not isinstance(row, list) or len(row) != 5:
                continue
            module, quantity, hour, samples, away = row
            key = _outlier(module, quantity)
            at = to_time(hour)
            if key is None or at is None:
                continue
            if isinstance(samples, int) and isinstance(away, int):
                monitor._hours.setdefault(key, {})[at] = [samples, away]
        for row in items(stored.get("active")):
            if isinstance(row, list) and len(row) == 2:
                key = _outlier(*row)
                if key is not None:
                    monitor._active.add(key)
        return monitor


def _outlier(module: Any, quantity: Any) -> Outlier | None:
    """Return an outlier from stored fields, None when they are not valid."""
    if not isinstance(module, str) or quantity not in set(Quantity):
        return None
    return Outlier(module, Quantity(quantity))


@dataclass(frozen=True, slots=True)
class WeakCell:
    """The cell most often lowest, and the share of samples it was lowest in."""

    cell: str
    share: float


class WeakestCell:
    """Counts per day which cell was lowest; the weakest is the most frequent."""

    def __init__(self) -> None:
        """Start without samples."""
        self._days: dict[str, Counter[str]] = {}
        self._samples: Counter[str] = Counter()

    def add(self, at: datetime, voltages: Mapping[str, float | None]) -> None:
        """Take one sample of cell label → voltage (every lowest cell counts)."""
        known = {cell: round(v, 3) for cell, v in voltages.items() if v is not None}
        if not known:
            return
        day = at.date().isoformat()
        lowest = min(known.values())
        counter = self._days.setdefault(day, Counter())
        counter.update(cell for cell, v in known.items() if v == lowest)
        self._samples[day] += 1
        oldest = (at - WEEK).date().isoformat()
        for old in [d for d in self._days if d <= oldest]:
            del self._days[old]
            self._samples.pop(old, None)

    def weakest(self) -> WeakCell | None:
        """Return the cell most often lowest over the week, None with few samples."""
        samples = sum(self._samples.values())
        if samples < MIN_CELL_SAMPLES:
            return None
        total: Counter[str] = Counter()
        for counter in self._days.values():
            total.update(counter)
        if not total:
            return None
        cell, count = min(total.items(), key=lambda item: (-item[1], item[0]))
        return WeakCell(cell, count / samples)

    def as_dict(self) -> dict[str, Any]:
        """Return the daily counts to store across restarts."""
        return {
            "days": {day: dict(counter) for day, counter in self._days.items()},
            "samples": dict(self._samples),
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Return a counter from stored state (unreadable entries are skipped)."""
        made = cls()
        stored = mapping(data)
        for day, counts in mapping(stored.get("days")).items():
            made._days[str(day)] = Counter(
                {
                    str(cell): count
                    for cell, count in mapping(counts).items()
                    if isinstance(count, int) and count > 0
                }
            )
        for day, count in mapping(stored.get("samples")).items():
            if isinstance(count, int) and count > 0 and str(day) in made._days:
                made._samples[str(day)] = count
        return made
