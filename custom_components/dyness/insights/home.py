"""The home battery: several batteries of one entry seen as one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Self

from .stored import mapping, to_float

# Below this net power (W) the home battery is in standby.
STANDBY_POWER_W: Final = 50.0
# The aggregate is unavailable when the missing batteries hold more than this
# share of the capacity ("most of it").
MISSING_SHARE_LIMIT: Final = 0.5


class BatteryStatus(StrEnum):
    """What a battery, or the home battery as a whole, is doing."""

    CHARGING = "charging"
    DISCHARGING = "discharging"
    STANDBY = "standby"

    @classmethod
    def from_flow(cls, flow: float | None, standby: float) -> BatteryStatus | None:
        """Return the status of a signed flow (+ charging) with a standby band."""
        if flow is None:
            return None
        if flow > standby:
            return cls.CHARGING
        if flow < -standby:
            return cls.DISCHARGING
        return cls.STANDBY


@dataclass(frozen=True, slots=True, kw_only=True)
class BatteryFigures:
    """What one battery contributes; `fresh` is False when its data is stale."""

    serial: str
    fresh: bool
    soc: float | None = None
    usable_kwh: float | None = None
    rated_kwh: float | None = None
    remaining_kwh: float | None = None
    power_w: float | None = None
    charged_kwh: float | None = None
    discharged_kwh: float | None = None

    @property
    def capacity_kwh(self) -> float | None:
        """Return the energy the battery can hold: usable, else rated."""
        value = self.usable_kwh if self.usable_kwh is not None else self.rated_kwh
        return value if value is not None and value > 0 else None


@dataclass(frozen=True, slots=True, kw_only=True)
class HomeFigures:
    """The aggregate of all batteries of an entry."""

    available: bool
    missing: tuple[str, ...]
    soc: float | None
    rated_kwh: float | None
    remaining_kwh: float | None
    power_w: float | None
    charge_power_w: float | None
    discharge_power_w: float | None
    charged_kwh: float | None
    discharged_kwh: float | None
    status: BatteryStatus | None


def _sum(values: Sequence[float | None]) -> float | None:
    """Return the sum of the known values, None when none is known."""
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def _weights(batteries: Sequence[BatteryFigures]) -> dict[str, float]:
    """Return each battery's weight: its capacity, or 1 each when any is unknown."""
    capacities = {b.serial: b.capacity_kwh for b in batteries}
    if any(value is None for value in capacities.values()):
        return dict.fromkeys(capacities, 1.0)
    return {serial: float(value or 0.0) for serial, value in capacities.items()}


def weighted_soc(batteries: Sequence[BatteryFigures]) -> float | None:
    """Return the SOC weighted by usable energy over the batteries with an SOC."""
    weights = _weights(batteries)
    known = [(b.soc, weights[b.serial]) for b in batteries if b.soc is not None]
    total = sum(weight for _, weight in known)
    if not known or total <= 0:
        return None
    return sum(soc * weight for soc, weight in known) / total


def missing_share(batteries: Sequence[BatteryFigures]) -> float:
    """Return the share of the capacity held by batteries without fresh data."""
    weights = _weights(batteries)
    total = sum(weights.values())
    if total <= 0:
        return 0.0
    return sum(weights[b.serial] for b in batteries if not b.fresh) / total


@dataclass(slots=True)
class _Total:
    """One direction's aggregate: its value and each battery's last total."""

    value: float | None = None
    last: dict[str, float] = field(default_factory=dict)

    def update(self, totals: Mapping[str, float | None]) -> float | None:
        """Add each battery's increase since its last total; return the sum."""
        known = {s: t for s, t in totals.items() if t is not None and t >= 0}
        if self.value is None:
            if not known:
                return None
            self.value = sum(known.values())
            self.last = dict(known)
            return self.value
        for serial, total in known.items():
            previous = self.last.get(serial)
            # A battery seen for the first time or whose counter stepped back
            # (replaced, reset) starts a new baseline instead of adding a jump.
            if previous is not None and total > previous:
                self.value += total - previous
            self.last[serial] = total
        return self.value


class HomeBattery:
    """Aggregates the batteries of an entry; keeps the energy totals monotonic.

    The energy totals add each battery's increase since its last known total.
    A missing battery adds nothing until it is back, then its whole increase at
    once; a new or reset battery starts a baseline. So the totals never step
    back and never jump by a battery's lifetime figure.
    """

    def __init__(self) -> None:
        """Start without history."""
        self._charged = _Total()
        self._discharged = _Total()

    def update(self, batteries: Sequence[BatteryFigures]) -> HomeFigures:
        """Return the aggregate of the latest figures of every battery."""
        fresh = [b for b in batteries if b.fresh]
        missing = tuple(b.serial for b in batteries if not b.fresh)
        powers = [b.power_w for b in fresh]
        power = _sum(powers)
        charged = self._charged.update({b.serial: b.charged_kwh for b in fresh})
        discharged = self._discharged.update(
            {b.serial: b.discharged_kwh for b in fresh}
        )
        return HomeFigures(
            available=bool(fresh) and missing_share(batteries) <= MISSING_SHARE_LIMIT,
            missing=missing,
            soc=weighted_soc(fresh),
            rated_kwh=_sum([b.capacity_kwh for b in batteries]),
            remaining_kwh=_sum([b.remaining_kwh for b in fresh]),
            power_w=power,
            charge_power_w=_sum([None if p is None else max(0.0, p) for p in powers]),
            discharge_power_w=_sum(
                [None if p is None else max(0.0, -p) for p in powers]
            ),
            charged_kwh=charged,
            discharged_kwh=discharged,
            status=BatteryStatus.from_flow(power, STANDBY_POWER_W),
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the state to store across restarts."""
        return {
            "charged": {"value": self._charged.value, "last": self._charged.last},
            "discharged": {
                "value": self._discharged.value,
                "last": self._discharged.last,
            },
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Return an aggregator from stored state (a fresh one when unreadable)."""
        home = cls()
        for key, total in (
            ("charged", home._charged),
            ("discharged", home._discharged),
        ):
            stored = mapping(mapping(data).get(key))
            total.value = to_float(stored.get("value"))
            last = {
                str(serial): number
                for serial, value in mapping(stored.get("last")).items()
                if (number := to_float(value)) is not None
            }
            total.last = last if total.value is not None else {}
        return home
