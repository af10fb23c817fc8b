"""Per-entry insights: the calculators of each battery and of the home battery.

Fed once per new sample from the coordinator's data (no extra cloud calls),
kept over restarts in one store per entry (docs/insights.md has the rules).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, tzinfo
from statistics import fmean
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .data import BatteryData, DynessData, ModuleData
from .energy import Direction
from .families import Metric
from .insights.efficiency import DailyCycles, RoundTrip
from .insights.home import BatteryFigures, HomeBattery, HomeFigures
from .insights.outliers import OutlierMonitor, Quantity, WeakestCell
from .insights.stored import mapping, to_float
from .insights.time_to_go import (
    FloorLearner,
    Level,
    TimeToGo,
    floor_from_depth,
    home_minutes,
)
from .outage import STALE_AFTER

STORE_VERSION: Final = 1
SAVE_DELAY: Final = 60
# Module samples this close to the newest one are compared with each other.
MODULE_SAMPLE_SPREAD: Final = timedelta(minutes=10)


def is_fresh(battery: BatteryData, now: datetime) -> bool:
    """Return whether a battery's sample is recent enough to count (coordinator rule)."""
    sample = battery.sample_time
    return sample is not None and now - sample <= STALE_AFTER


def capacity_kwh(battery: BatteryData) -> float | None:
    """Return the battery's rated energy, from its points or the device detail."""
    rated = battery.number(Metric.RATED_ENERGY)
    if rated is None and battery.detail is not None:
        rated = battery.detail.rated_energy
    return rated if rated is not None and rated > 0 else None


def cell_label(module: int, cell: int) -> str:
    """Return the label of a cell: module number (0 = the master) and cell number."""
    return f"{module}:{cell}"


def weakest_cell_attributes(insights: BatteryInsights) -> dict[str, Any]:
    """Return the weakest cell (module 0 = the master's own cells) and its share (%)."""
    weakest = insights.weakest.weakest()
    if weakest is None:
        return {"weakest_cell_module": None, "weakest_cell": None}
    module, _, cell = weakest.cell.partition(":")
    return {
        "weakest_cell_module": int(module),
        "weakest_cell": int(cell),
        "weakest_cell_share": round(100 * weakest.share, 1),
    }


def _mean(values: list[float | None]) -> float | None:
    """Return the mean of the known values."""
    known = [value for value in values if value is not None]
    return fmean(known) if known else None


def module_temperature(module: ModuleData) -> float | None:
    """Return a module's mean temperature over its sensors."""
    if module.realtime is None:
        return None
    return _mean([module.realtime.number(p) for p in module.temperatures().values()])


def module_cell_voltage(module: ModuleData) -> float | None:
    """Return a module's mean cell voltage."""
    return _mean(list(module.cells().values()))


@dataclass
class BatteryInsights:
    """One battery's calculators and what they said at its last sample."""

    time_to_go: TimeToGo
    floor: FloorLearner = field(default_factory=FloorLearner)
    round_trip: RoundTrip = field(default_factory=RoundTrip)
    cycles: DailyCycles = field(default_factory=DailyCycles)
    outliers: OutlierMonitor = field(default_factory=OutlierMonitor)
    weakest: WeakestCell = field(default_factory=WeakestCell)
    soh_loss: float | None = None
    last_sample: datetime | None = None
    module_samples: dict[str, datetime] = field(default_factory=dict)
    level: Level | None = None
    efficiency: float | None = None
    cycles_today: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return what a restart keeps."""
        return {
            "time_to_go": self.time_to_go.as_dict(),
            "floor": self.floor.as_dict(),
            "round_trip": self.round_trip.as_dict(),
            "cycles": self.cycles.as_dict(),
            "outliers": self.outliers.as_dict(),
            "weakest": self.weakest.as_dict(),
            "soh_loss": self.soh_loss,
        }

    @classmethod
    def from_dict(cls, data: Any, zone: tzinfo) -> BatteryInsights:
        """Return a battery's calculators from stored state (fresh when unreadable)."""
        stored = mapping(data)
        return cls(
            time_to_go=TimeToGo.from_dict(stored.get("time_to_go"), zone=zone),
            floor=FloorLearner.from_dict(stored.get("floor")),
            round_trip=RoundTrip.from_dict(stored.get("round_trip")),
            cycles=DailyCycles.from_dict(stored.get("cycles")),
            outliers=OutlierMonitor.from_dict(stored.get("outliers")),
            weakest=WeakestCell.from_dict(stored.get("weakest")),
            soh_loss=to_float(stored.get("soh_loss")),
        )

    def minutes(self, now: datetime, sign: int) -> float | None:
        """Return minutes to full (+1) or empty (-1) as of `now`."""
        if self.level is None:
            return None
        return home_minutes(now, sign, [(self.time_to_go, self.level)])


def level_of(battery: BatteryData, floor: FloorLearner) -> Level:
    """Return where a battery stands and the SOC limits it moves between."""
    depth_floor = floor_from_depth(battery.number(Metric.DISCHARGE_DEPTH))
    return Level(
        soc=battery.number(Metric.SOC),
        capacity_kwh=capacity_kwh(battery),
        # No live point carries the charge limit yet: 100 % is the ceiling.
        ceiling_soc=None,
        floor_soc=depth_floor if depth_floor is not None else floor.floor_soc,
    )


class InsightBook:
    """The insights of one config entry, fed by its coordinator and stored."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Initialise empty; `async_load` restores the stored state."""
        self.zone = dt_util.get_default_time_zone()
        self.batteries: dict[str, BatteryInsights] = {}
        self.home = HomeBattery()
        self.home_figures: HomeFigures | None = None
        self.home_parts: list[tuple[TimeToGo, Level]] = []
        self.home_efficiency: float | None = None
        self._home_round_trip = RoundTrip()
        self._home_last: datetime | None = None
        # serial → direction → the battery energy sensor's current total.
        self.totals: dict[str, dict[Direction, float]] = {}
        self._listeners: list[CALLBACK_TYPE] = []
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.{entry_id}.insights"
        )

    async def async_load(self) -> None:
        """Restore the calculators kept before the last restart."""
        stored = mapping(await self._store.async_load())
        for serial, data in mapping(stored.get("batteries")).items():
            self.batteries[str(serial)] = BatteryInsights.from_dict(data, self.zone)
        self.home = HomeBattery.from_dict(stored.get("home"))
        self._home_round_trip = RoundTrip.from_dict(stored.get("home_round_trip"))

    def _data(self) -> dict[str, Any]:
        """Return the state to store."""
        return {
            "batteries": {s: b.as_dict() for s, b in self.batteries.items()},
            "home": self.home.as_dict(),
            "home_round_trip": self._home_round_trip.as_dict(),
        }

    async def async_save(self) -> None:
        """Store the state now (on unload)."""
        await self._store.async_save(self._data())

    def battery(self, serial: str) -> BatteryInsights:
        """Return a battery's insights, created on first use."""
        if serial not in self.batteries:
            self.batteries[serial] = BatteryInsights(
                time_to_go=TimeToGo.from_dict(None, zone=self.zone)
            )
        return self.batteries[serial]

    @callback
    def set_soh_loss(self, serial: str, loss: float | None) -> None:
        """Take a battery's SOH trend (pp per year) from the daily check."""
        insights = self.battery(serial)
        if insights.soh_loss != loss:
            insights.soh_loss = loss
            self._changed()

    @callback
    def async_add_listener(self, listener: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `listener` whenever the insights change; return the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _changed(self) -> None:
        """Tell the listeners and schedule a save."""
        self._store.async_delay_save(self._data, SAVE_DELAY)
        for listener in list(self._listeners):
            listener()

    @callback
    def async_update(self, data: DynessData | None) -> None:
        """Take the coordinator's new data: feed each battery's new samples."""
        if data is None:
            return
        for serial, battery in data.batteries.items():
            self._feed(self.battery(serial), battery)
        self._update_home(data)
        self._changed()

    @callback
    def report_total(
        self,
        serial: str,
        direction: Direction,
        total: float | None,
        data: DynessData | None,
    ) -> None:
        """Take a battery energy sensor's total, computed after each sample."""
        if total is None or self.total(serial, direction) == total:
            return
        self.totals.setdefault(serial, {})[direction] = total
        if data is not None and len(data.batteries) > 1:
            self._update_home(data)
            for listener in list(self._listeners):
                listener()

    def total(self, serial: str, direction: Direction) -> float | None:
        """Return a battery's last reported energy total."""
        return self.totals.get(serial, {}).get(direction)

    def _feed(self, insights: BatteryInsights, battery: BatteryData) -> None:
        """Feed a battery's sample to its calculators once."""
        self._feed_modules(insights, battery)
        sample = battery.sample_time
        if sample is None or (
            insights.last_sample is not None and sample <= insights.last_sample
        ):
            return
        insights.last_sample = sample
        soc = battery.number(Metric.SOC)
        limit = battery.number(Metric.MAX_DISCHARGE_CURRENT)
        insights.floor.update(soc, None if limit is None else limit > 0)
        insights.level = level_of(battery, insights.floor)
        insights.time_to_go.add(sample, battery.number(Metric.POWER), insights.level)
        totals = {
            "charged_kwh": self.total(battery.serial, Direction.CHARGED),
            "discharged_kwh": self.total(battery.serial, Direction.DISCHARGED),
            "soc": soc,
        }
        insights.round_trip.add(sample, **totals)
        insights.efficiency = insights.round_trip.efficiency(sample, **totals)
        if battery.provides(Metric.CYCLES):
            insights.cycles_today = insights.cycles.update(
                dt_util.as_local(sample), battery.number(Metric.CYCLES)
            )
        master_cells = battery.cells()
        if master_cells:
            insights.weakest.add(
                sample, {cell_label(0, n): v for n, v in master_cells.items()}
            )

    def _feed_modules(self, insights: BatteryInsights, battery: BatteryData) -> None:
        """Feed new module samples to the outlier monitor and the weakest cell."""
        times = {
            serial: module.realtime.timestamp
            for serial, module in battery.modules.items()
            if module.realtime is not None and module.realtime.timestamp is not None
        }
        new = {s: t for s, t in times.items() if insights.module_samples.get(s) != t}
        if not new:
            return
        insights.module_samples.update(new)
        at = max(new.values())
        current = [
            module
            for serial, module in battery.modules.items()
            if serial in times and at - times[serial] <= MODULE_SAMPLE_SPREAD
        ]
        for quantity, read in (
            (Quantity.TEMPERATURE, module_temperature),
            (Quantity.CELL_VOLTAGE, module_cell_voltage),
        ):
            insights.outliers.add(at, quantity, {m.serial: read(m) for m in current})
        cells = {
            cell_label(module.index, number): voltage
            for module in current
            for number, voltage in module.cells().items()
        }
        insights.weakest.add(at, cells)

    def _update_home(self, data: DynessData) -> None:
        """Recompute the home battery from every battery (two or more)."""
        if len(data.batteries) < 2:
            self.home_figures = None
            return
        now = dt_util.utcnow()
        figures = [
            self._figures(battery, is_fresh(battery, now))
            for battery in data.batteries.values()
        ]
        started = self.home_figures is not None and (
            self.home_figures.charged_kwh is not None
        )
        # Start the totals only once every fresh battery has one, so the
        # first value is the whole sum and not a part of it.
        if not started and any(f.fresh and f.charged_kwh is None for f in figures):
            figures = [
                replace(f, charged_kwh=None, discharged_kwh=None) for f in figures
            ]
        self.home_figures = self.home.update(figures)
        self.home_parts = [
            (self.battery(f.serial).time_to_go, level)
            for f in figures
            if f.fresh and (level := self.battery(f.serial).level) is not None
        ]
        home = self.home_figures
        newest = max(
            (b.sample_time for b in data.batteries.values() if b.sample_time),
            default=None,
        )
        if newest is None or (
            self._home_last is not None and newest <= self._home_last
        ):
            return
        self._home_last = newest
        totals = {
            "charged_kwh": home.charged_kwh,
            "discharged_kwh": home.discharged_kwh,
            "soc": home.soc,
        }
        if home.missing:
            self.home_efficiency = None
            return
        self._home_round_trip.add(newest, **totals)
        self.home_efficiency = self._home_round_trip.efficiency(newest, **totals)

    def _figures(self, battery: BatteryData, fresh: bool) -> BatteryFigures:
        """Return what a battery contributes to the home battery."""
        return BatteryFigures(
            serial=battery.serial,
            fresh=fresh,
            soc=battery.number(Metric.SOC),
            rated_kwh=capacity_kwh(battery),
            remaining_kwh=battery.number(Metric.REMAINING_ENERGY),
            power_w=battery.number(Metric.POWER),
            charged_kwh=self.total(battery.serial, Direction.CHARGED),
            discharged_kwh=self.total(battery.serial, Direction.DISCHARGED),
        )

    def home_minutes(self, now: datetime, sign: int) -> float | None:
        """Return the home battery's minutes to full (+1) or empty (-1)."""
        if self.home_figures is None or not self.home_figures.available:
            return None
        return home_minutes(now, sign, self.home_parts)
