"""Time to full and time to empty: energy still to go over the expected power."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
import math
from statistics import median
from typing import Any, Final, Self

from .profile import DailyProfile
from .stored import items, mapping, to_float, to_text, to_time

FULL_SOC: Final = 100.0
EMPTY_SOC: Final = 0.0
# Below this SOC a BMS that stops the discharge shows where its floor is.
FLOOR_SEARCH_SOC: Final = 40.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Tuning:
    """The settings of the forecast, which tests and scripts/bench_insights.py vary."""

    # The smoothed power is the trimmed mean of the samples in this window.
    window: timedelta = timedelta(minutes=30)
    # With fewer samples in the window there is no trend to speak of.
    min_samples: int = 3
    # The newest sample must be this recent, or the battery's state is unknown.
    max_age: timedelta = timedelta(minutes=20)
    # How many of the newest samples must agree on the direction (by their median).
    recent: int = 3
    # Below this power (W) the battery counts as idle.
    idle_power_w: float = 30.0
    horizon: timedelta = timedelta(hours=48)
    # How fast the expected power turns from the smoothed into the typical one.
    blend: timedelta = timedelta(minutes=30)
    step: timedelta = timedelta(minutes=5)
    # Near the floor or the top the BMS holds the power back (taper, cut-off).
    floor_margin: float = 1.0
    ceiling_margin: float = 5.0


TUNING: Final = Tuning()


@dataclass(frozen=True, slots=True)
class PowerSample:
    """Battery power (W, + charging) at the time the sample was taken."""

    at: datetime
    power_w: float


def trimmed_mean(values: list[float]) -> float:
    """Return the mean without the highest and lowest value (from 4 values on)."""
    if len(values) >= 4:
        values = sorted(values)[1:-1]
    return sum(values) / len(values)


class PowerTrend:
    """Smoothed battery power over the last samples, by sample time.

    The mean drops the highest and the lowest sample of the window, so one
    cloud or kettle spike does not swing it.
    """

    def __init__(self, tuning: Tuning = TUNING) -> None:
        """Start without samples."""
        self.tuning = tuning
        self._samples: list[PowerSample] = []

    @property
    def samples(self) -> tuple[PowerSample, ...]:
        """Return the samples in the window, oldest first."""
        return tuple(self._samples)

    def add(self, at: datetime, power_w: float | None) -> None:
        """Take a sample; repeats and samples older than the newest are ignored."""
        if power_w is None or (self._samples and at <= self._samples[-1].at):
            return
        self._samples.append(PowerSample(at, power_w))
        start = at - self.tuning.window
        self._samples = [s for s in self._samples if s.at >= start]

    def power(self, now: datetime) -> float | None:
        """Return the smoothed power, None when too few or too old samples."""
        tuning = self.tuning
        if (
            len(self._samples) < tuning.min_samples
            or now - self._samples[-1].at > tuning.max_age
        ):
            return None
        return trimmed_mean([s.power_w for s in self._samples])

    def recent(self) -> float:
        """Return the median of the newest samples (0 without samples)."""
        if not self._samples:
            return 0.0
        return median(s.power_w for s in self._samples[-self.tuning.recent :])

    def as_dict(self) -> dict[str, Any]:
        """Return the samples to store across restarts."""
        return {"samples": [[to_text(s.at), s.power_w] for s in self._samples]}

    @classmethod
    def from_dict(cls, data: Any, tuning: Tuning = TUNING) -> Self:
        """Return a trend from stored samples (unreadable rows are skipped)."""
        trend = cls(tuning)
        for row in items(mapping(data).get("samples")):
            if isinstance(row, list) and len(row) == 2:
                at, power = to_time(row[0]), to_float(row[1])
                if at is not None:
                    trend.add(at, power)
        return trend


@dataclass(frozen=True, slots=True, kw_only=True)
class Level:
    """Where a battery stands: SOC, capacity and the SOC limits it moves between."""

    soc: float | None
    capacity_kwh: float | None
    ceiling_soc: float | None = None
    floor_soc: float | None = None

    @property
    def ceiling(self) -> float:
        """Return the SOC charging stops at."""
        return FULL_SOC if self.ceiling_soc is None else self.ceiling_soc

    @property
    def floor(self) -> float:
        """Return the SOC discharging stops at."""
        return EMPTY_SOC if self.floor_soc is None else self.floor_soc

    def energy_to(self, sign: int) -> float | None:
        """Return kWh still to go up to the ceiling (+1) or down to the floor (-1)."""
        if self.soc is None or self.capacity_kwh is None or self.capacity_kwh <= 0:
            return None
        target = self.ceiling if sign > 0 else self.floor
        return max(0.0, sign * (target - self.soc) / 100 * self.capacity_kwh)

    def unconstrained(self, tuning: Tuning = TUNING) -> bool:
        """Return whether the BMS lets the battery follow the household freely."""
        return (
            self.soc is not None
            and self.floor + tuning.floor_margin
            < self.soc
            < self.ceiling - tuning.ceiling_margin
        )


class TimeToGo:
    """Time to full and time to empty of one battery.

    The expected power starts at the smoothed power and, with the time ahead,
    blends into the typical power of that time of day (`DailyProfile`), so an
    evening peak or the night's base load is expected when it usually comes.
    """

    def __init__(
        self, tuning: Tuning = TUNING, profile: DailyProfile | None = None
    ) -> None:
        """Start without samples; without a profile the smoothed power is held."""
        self.tuning = tuning
        self.trend = PowerTrend(tuning)
        self.profile = profile

    def add(self, at: datetime, power_w: float | None, level: Level) -> None:
        """Take the power of a sample (at its sample time) and where it stood."""
        self.trend.add(at, power_w)
        if (
            self.profile is not None
            and power_w is not None
            and level.unconstrained(self.tuning)
        ):
            self.profile.add(at, power_w)

    def to_full(self, now: datetime, level: Level) -> float | None:
        """Return minutes until the charge limit (or 100 %), None unless charging."""
        return home_minutes(now, 1, [(self, level)], self.tuning)

    def to_empty(self, now: datetime, level: Level) -> float | None:
        """Return minutes until the discharge floor (or 0 %), None unless discharging."""
        return home_minutes(now, -1, [(self, level)], self.tuning)

    def expected(self, now: datetime, ahead: timedelta) -> float | None:
        """Return the power (W) expected `ahead` of now, None without samples."""
        current = self.trend.power(now)
        if current is None:
            return None
        typical = None if self.profile is None else self.profile.typical(now + ahead)
        if typical is None:
            return current
        weight = math.exp(-ahead / self.tuning.blend)
        return weight * current + (1 - weight) * typical

    def as_dict(self) -> dict[str, Any]:
        """Return the state to store across restarts."""
        return {
            **self.trend.as_dict(),
            "profile": None if self.profile is None else self.profile.as_dict(),
        }

    @classmethod
    def from_dict(
        cls, data: Any, tuning: Tuning = TUNING, zone: tzinfo | None = None
    ) -> Self:
        """Return a calculator from stored state (with a profile when `zone` is given)."""
        stored = mapping(data)
        profile = (
            None
            if zone is None
            else DailyProfile.from_dict(stored.get("profile"), zone)
        )
        made = cls(tuning, profile)
        made.trend = PowerTrend.from_dict(stored, tuning)
        return made


def home_minutes(
    now: datetime,
    sign: int,
    parts: Sequence[tuple[TimeToGo, Level]],
    tuning: Tuning = TUNING,
) -> float | None:
    """Return minutes until the batteries together reach full (+1) or empty (-1).

    Walks ahead in 5-minute steps with the expected power of every battery
    until the energy still to go is used up. None unless every battery is
    known and both the smoothed and the recent power move that way, or when
    the expected power turns before the target (it will not get there in this
    run); capped at the horizon.
    """
    if not parts:
        return None
    energy = 0.0
    smoothed = 0.0
    recent = 0.0
    for calculator, level in parts:
        part_energy = level.energy_to(sign)
        power = calculator.trend.power(now)
        if part_energy is None or power is None:
            return None
        energy += part_energy
        smoothed += power
        recent += calculator.trend.recent()
    idle = tuning.idle_power_w
    if sign * smoothed <= idle or sign * recent <= idle:
        return None
    step = tuning.step
    ahead = timedelta(0)
    while ahead < tuning.horizon:
        power = sign * sum(
            calculator.expected(now, ahead) or 0.0 for calculator, _ in parts
        )
        if power <= idle:
            return None
        step_kwh = power * step.total_seconds() / 3_600_000
        if step_kwh >= energy:
            return (ahead + step * (energy / step_kwh)).total_seconds() / 60
        energy -= step_kwh
        ahead += step
    return tuning.horizon.total_seconds() / 60


def floor_from_depth(depth_percent: float | None) -> float | None:
    """Return the lowest SOC a discharge depth (DOD, %) allows."""
    if depth_percent is None or not 0 < depth_percent <= 100:
        return None
    return 100.0 - depth_percent


class FloorLearner:
    """The lowest SOC the BMS allows, learned from when it stops the discharge.

    A BMS that reaches its floor sets the discharge current limit to 0 A (or
    disables discharging); the SOC when that starts is its floor (the latest
    one wins, so a changed setting is followed). Above `FLOOR_SEARCH_SOC` a
    zero limit is a standby quirk (Q15), not a floor.
    """

    def __init__(
        self, floor_soc: float | None = None, *, blocked: bool = False
    ) -> None:
        """Start with a known floor, or none."""
        self.floor_soc = floor_soc
        self._blocked = blocked

    def update(self, soc: float | None, discharge_allowed: bool | None) -> None:
        """Take one sample's SOC and whether the BMS allows discharging."""
        if soc is None or discharge_allowed is None:
            return
        blocked = not discharge_allowed and soc <= FLOOR_SEARCH_SOC
        if blocked and not self._blocked:
            self.floor_soc = soc
        self._blocked = blocked

    def as_dict(self) -> dict[str, Any]:
        """Return the state to store across restarts."""
        return {"floor_soc": self.floor_soc, "blocked": self._blocked}

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Return a learner from stored state."""
        stored = mapping(data)
        floor = to_float(stored.get("floor_soc"))
        return cls(
            floor if floor is not None and 0 <= floor <= 100 else None,
            blocked=stored.get("blocked") is True,
        )
