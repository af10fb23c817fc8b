"""Lifetime charged/discharged energy: counter guard, integrator and restore data.

Nothing here talks to Home Assistant or the cloud, so the benchmark and the
property tests drive exactly the code the sensors run.

Time base: the cloud works in 5-minute slots on the clock (the records of
`getLastPowerDataBySn` start at :00, :05, ...), and a live sample (`T` of
`realTime/data`) carries the power of the slot it falls in. Every sample is
therefore counted at the start of its slot, so live samples and records share
one time base and a gap filled from records joins the live series without a
seam. Integration rule: a slot's power is held until the next counted point
(previous-sample rule, a left Riemann sum), which gives each slot its own
energy exactly once; the total trails the present by one slot. Charge and
discharge are summed separately, so a signed power never nets out.
`scripts/bench_energy.py` measures this rule against the trapezoid rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final, NamedTuple

from homeassistant.util import dt as dt_util

from .api import PowerRecord
from .const import LOGGER
from .insights.stored import to_float

# Consecutive samples further apart than this leave a gap (one sample is ~5 min).
MAX_GAP: Final = timedelta(minutes=7.5)
SLOT: Final = timedelta(minutes=5)
# A records list that starts after the last counted point (at local midnight)
# cannot tell the stretch before it: one this short (a stretched plan reads
# every second or third sample) is held at the last power, a longer one is lost.
MAX_HELD: Final = timedelta(minutes=15)
_KWH_PER_WATT_SECOND: Final = 1 / 3_600_000
# Powers below this are too close to standby to tell a sign from.
_SIGN_CHECK_W: Final = 50.0
# Share by which the slot's record may differ from the sample and still be it.
_SIGN_MATCH: Final = 0.1


class Direction(StrEnum):
    """Which way the energy flows, seen from the battery."""

    CHARGED = "charged"
    DISCHARGED = "discharged"

    @property
    def sign(self) -> int:
        """Return +1 for charging power, -1 for discharging power."""
        return 1 if self is Direction.CHARGED else -1


class EnergySource(StrEnum):
    """Where a lifetime total comes from."""

    COUNTER = "counter"
    COMPUTED = "computed"


class Segment(NamedTuple):
    """Energy (kWh, ≥ 0) counted over one interval between two samples."""

    start: datetime
    end: datetime
    kwh: float

    def split_hours(self) -> Iterable[tuple[datetime, float]]:
        """Yield (hour start, kWh) for each clock hour the interval covers."""
        seconds = (self.end - self.start).total_seconds()
        if seconds <= 0:
            return
        cursor = self.start
        while cursor < self.end:
            hour = cursor.replace(minute=0, second=0, microsecond=0)
            stop = min(self.end, hour + timedelta(hours=1))
            yield hour, self.kwh * (stop - cursor).total_seconds() / seconds
            cursor = stop


@dataclass(slots=True)
class Integrator:
    """Charged or discharged energy summed over timestamped power samples."""

    direction: Direction
    total: float = 0.0
    last_time: datetime | None = None
    # Power (W, + = charging) of the last sample, held until the next one.
    last_power: float | None = None

    def needs_records(self, time: datetime) -> bool:
        """Return whether a sample at `time` leaves a gap the records can fill."""
        return self.last_time is not None and time - self.last_time > MAX_GAP

    def add(
        self, time: datetime, power: float | None, held: timedelta = MAX_GAP
    ) -> Segment | None:
        """Count one sample, the last power held up to `held`; old times are ignored."""
        if self.last_time is not None and time <= self.last_time:
            return None
        segment: Segment | None = None
        if (
            self.last_time is not None
            and self.last_power is not None
            and time - self.last_time <= held
        ):
            watts = max(0.0, self.direction.sign * self.last_power)
            seconds = (time - self.last_time).total_seconds()
            kwh = watts * seconds * _KWH_PER_WATT_SECOND
            self.total += kwh
            segment = Segment(self.last_time, time, kwh)
        self.last_time = time
        self.last_power = power
        return segment

    def fill(
        self,
        records: Iterable[PowerRecord],
        time: datetime,
        power: float | None,
        sign: int | None = None,
    ) -> list[Segment]:
        """Count the records strictly after the last sample and up to `time`, then it.

        The records must be on UTC slots (`RecordsClock.corrected`). A list may
        start late (local midnight) or end early, so a gap is counted only
        where records are, and up to `MAX_HELD` before a list that starts
        late. `sign` is the records' sign learnt against the live samples;
        None checks the gap's first slot.
        """
        start = self.last_time
        ordered = sorted(records, key=lambda r: r.time)
        late = start is not None and (not ordered or ordered[0].time > start)
        if sign is None:
            sign = _records_sign(ordered, start, self.last_power)
        wanted = [
            record
            if sign == 1 or record.power is None
            else replace(record, power=-record.power)
            for record in ordered
            if (start is None or record.time > start) and record.time <= time
        ]
        # The slot of the new sample is still open, so its record is empty
        # (docs/api.md §12); the sample itself tells that slot's power.
        if wanted and wanted[-1].power is None and time - wanted[-1].time < SLOT:
            wanted[-1] = replace(wanted[-1], power=power)
        points = [(record.time, record.power) for record in wanted]
        points.append((time, power))
        segments = []
        for number, (moment, watts) in enumerate(points):
            held = MAX_HELD if late and number == 0 else MAX_GAP
            if (segment := self.add(moment, watts, held)) is not None:
                segments.append(segment)
        return segments

    def as_dict(self) -> dict[str, Any]:
        """Return the state to keep over a restart."""
        return _kept(self.total, self.last_time, last_power=self.last_power)

    def restore(self, data: Mapping[str, Any]) -> None:
        """Continue from a state kept over a restart."""
        total, self.last_time = _restored(data)
        self.total = total or 0.0
        self.last_power = to_float(data.get("last_power"))


# No Dyness home system moves more than this (the largest HV stacks are rated
# near 20 kW): a counter step beyond it in the time elapsed is implausible.
MAX_BATTERY_KW: Final = 30.0
COUNTER_SLACK_KWH: Final = 0.5
# A counter that keeps reading a new level this long, this many samples in a
# row, was reset or belongs to a replaced battery: the total continues from it.
REBASE_AFTER: Final = timedelta(minutes=30)
REBASE_SAMPLES: Final = 4
_ROUNDING: Final = 1e-6


def _plausible_step(since: datetime | None, until: datetime | None) -> float:
    """Return the most kWh a battery can move between two readings."""
    if since is None or until is None or until <= since:
        return COUNTER_SLACK_KWH
    hours = (until - since).total_seconds() / 3600
    return MAX_BATTERY_KW * hours + COUNTER_SLACK_KWH


@dataclass(slots=True)
class _Level:
    """Readings that agree with each other but not with the total."""

    since: datetime | None
    first: float
    last: float
    last_time: datetime | None
    samples: int = 1


@dataclass(slots=True)
class CounterGuard:
    """A cloud lifetime counter that is never allowed to step back.

    A reading below the total, or above what the battery could have moved
    since the last one, is ignored (logged once per episode). Readings that
    settle at such a new level for `REBASE_AFTER` re-baseline the total: it
    continues from there by the counter's movement, never stepping back.
    """

    name: str
    total: float | None = None
    last_time: datetime | None = None
    # Added to the cloud's counter; changes when the counter settles elsewhere.
    offset: float = 0.0
    _level: _Level | None = field(default=None, repr=False)
    _logged: bool = field(default=False, repr=False)

    def update(self, reading: float | None, time: datetime | None) -> bool:
        """Take a reading; return whether the total changed."""
        if reading is None:
            return False
        value = reading + self.offset
        if self.total is not None and self.total - _ROUNDING <= value < self.total:
            # The offset's float sum, not a step back.
            value = self.total
        if self.total is None or (
            self.total <= value <= self.total + _plausible_step(self.last_time, time)
        ):
            changed = value != self.total
            self._accept(value, time)
            return changed
        if self._settled(reading, time):
            return True
        if not self._logged:
            self._logged = True
            LOGGER.warning(
                "Ignoring %s %.3f kWh: %s the last %.3f kWh",
                self.name,
                value,
                "lower than" if value < self.total else "implausibly far above",
                self.total,
            )
        return False

    def _accept(self, value: float, time: datetime | None) -> None:
        """Take a plausible value as the total."""
        self.total = value
        self.last_time = time or self.last_time
        self._level = None
        self._logged = False

    def _settled(self, reading: float, time: datetime | None) -> bool:
        """Follow readings at a new level; re-baseline once they held long enough."""
        level = self._level
        if level is None or not (
            level.last <= reading <= level.last + _plausible_step(level.last_time, time)
        ):
            self._level = _Level(time, reading, reading, time)
            return False
        level.last, level.last_time = reading, time
        level.samples += 1
        lasted = (
            level.since is not None
            and time is not None
            and time - level.since >= REBASE_AFTER
        )
        if level.samples < REBASE_SAMPLES or not lasted or self.total is None:
            return False
        self.offset = self.total - level.first
        LOGGER.warning(
            "%s settled at %.3f kWh (counter reset or battery replaced);"
            " the total continues from %.3f kWh",
            self.name,
            reading,
            self.total,
        )
        self._accept(max(self.total, reading + self.offset), time)
        return True

    def as_dict(self) -> dict[str, Any]:
        """Return the state to keep over a restart."""
        return _kept(self.total, self.last_time, offset=self.offset)

    def restore(self, data: Mapping[str, Any]) -> None:
        """Continue from a state kept over a restart."""
        self.total, self.last_time = _restored(data)
        self.offset = to_float(data.get("offset")) or 0.0


def _records_sign(
    records: list[PowerRecord], start: datetime | None, power: float | None
) -> int:
    """Return -1 when the records count power the other way than the samples.

    docs/api.md (§6.1, Q16) leaves open whether Cygni records share the inverted
    live sign; the record of the last counted slot tells, as it holds the
    same slot's power as the sample. It flips only when that record clearly
    is the sample's (same magnitude): an ambiguous slot never swaps a gap.
    """
    if start is None or power is None or abs(power) < _SIGN_CHECK_W:
        return 1
    same = next((r for r in records if r.time == start), None)
    if same is None or same.power is None or abs(same.power) < _SIGN_CHECK_W:
        return 1
    if abs(abs(same.power) - abs(power)) > _SIGN_MATCH * max(
        abs(same.power), abs(power)
    ):
        return 1
    return -1 if (same.power > 0) != (power > 0) else 1


def hourly(segments: Iterable[Segment]) -> dict[datetime, float]:
    """Return kWh per clock hour (UTC hour start) of a list of segments."""
    hours: dict[datetime, float] = {}
    for segment in segments:
        for hour, kwh in segment.split_hours():
            hours[hour] = hours.get(hour, 0.0) + kwh
    return hours


def _kept(
    total: float | None, last_time: datetime | None, **more: float | None
) -> dict[str, Any]:
    """Return a total and the time it counts to in their stored form, with more."""
    stamp = None if last_time is None else last_time.isoformat()
    return {"total": total, "last_time": stamp, **more}


def _restored(data: Mapping[str, Any]) -> tuple[float | None, datetime | None]:
    """Return a stored total and its time; None for what is missing or malformed."""
    stamp = data.get("last_time")
    time = dt_util.parse_datetime(stamp) if isinstance(stamp, str) else None
    return to_float(data.get("total")), time
