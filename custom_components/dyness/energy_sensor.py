"""Energy dashboard sensors: lifetime charged/discharged energy and split power."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import UnitOfEnergy, UnitOfPower
from homeassistant.core import callback
from homeassistant.helpers.restore_state import ExtraStoredData, RestoreEntity

from .backfill import async_backfill
from .const import LOGGER
from .coordinator import DynessCoordinator
from .data import BatteryData
from .energy import (
    MAX_GAP,
    MAX_HELD,
    CounterGuard,
    Direction,
    EnergySource,
    Integrator,
    Segment,
)
from .entity import DynessBatteryEntity, NewEntity
from .families import Metric
from .records import RecordsCache, RecordsCaches
from .records_clock import slot_start

COUNTER_METRICS: Final = {
    Direction.CHARGED: Metric.ENERGY_CHARGED_TOTAL,
    Direction.DISCHARGED: Metric.ENERGY_DISCHARGED_TOTAL,
}


def _hour(moment: datetime) -> datetime:
    """Return the start of the clock hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


def energy_source(battery: BatteryData, direction: Direction) -> EnergySource | None:
    """Return where a battery's total comes from: the cloud's counter, or power."""
    if battery.provides(COUNTER_METRICS[direction]):
        return EnergySource.COUNTER
    if battery.provides(Metric.POWER):
        return EnergySource.COMPUTED
    return None


@dataclass
class EnergyStoredData(ExtraStoredData):
    """What an energy sensor keeps over a restart."""

    source: str
    state: Mapping[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """Return the data in a JSON-ready form."""
        return {"source": self.source, **self.state}


ENERGY_DESCRIPTIONS: Final = {
    direction: SensorEntityDescription(
        key=f"energy_{direction}",
        translation_key=f"energy_{direction}",
        device_class=SensorDeviceClass.ENERGY,
        state_class=SensorStateClass.TOTAL_INCREASING,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
    )
    for direction in Direction
}
POWER_DESCRIPTIONS: Final = {
    direction: SensorEntityDescription(
        key=f"{'charge' if direction is Direction.CHARGED else 'discharge'}_power",
        translation_key=(
            f"{'charge' if direction is Direction.CHARGED else 'discharge'}_power"
        ),
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
    )
    for direction in Direction
}


def energy_sensors(
    coordinator: DynessCoordinator, caches: RecordsCaches, battery: BatteryData
) -> Iterator[NewEntity]:
    """Yield the energy and split power sensors a battery warrants."""
    serial = battery.serial
    for direction in Direction:
        source = energy_source(battery, direction)
        if source is not None:
            yield (
                f"{serial}_{ENERGY_DESCRIPTIONS[direction].key}",
                partial(
                    DynessEnergySensor,
                    coordinator,
                    serial,
                    direction,
                    source,
                    caches(serial),
                ),
            )
        if battery.provides(Metric.POWER):
            yield (
                f"{serial}_{POWER_DESCRIPTIONS[direction].key}",
                partial(DynessPowerSplitSensor, coordinator, serial, direction),
            )


class DynessPowerSplitSensor(DynessBatteryEntity, SensorEntity):
    """Charge or discharge power (both ≥ 0) beside the signed battery power."""

    def __init__(
        self, coordinator: DynessCoordinator, serial: str, direction: Direction
    ) -> None:
        """Initialise the sensor for one battery and direction."""
        super().__init__(coordinator, serial, POWER_DESCRIPTIONS[direction])
        self.direction = direction

    @property
    def native_value(self) -> float | None:
        """Return the power flowing in this direction, 0 when it flows the other way."""
        power = self.battery.number(Metric.POWER)
        if power is None:
            return None
        return max(0.0, self.direction.sign * power) + 0.0


class DynessEnergySensor(DynessBatteryEntity, RestoreEntity, SensorEntity):
    """Lifetime charged or discharged energy: guarded counter or computed."""

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        direction: Direction,
        source: EnergySource,
        cache: RecordsCache,
    ) -> None:
        """Initialise the sensor for one battery and direction."""
        super().__init__(coordinator, serial, ENERGY_DESCRIPTIONS[direction])
        self.direction = direction
        self.source = source
        self.integrator = Integrator(direction)
        self.counter = CounterGuard(f"{serial} energy {direction}")
        self._cache = cache
        self._last_sample: datetime | None = None
        self._lock = asyncio.Lock()

    @property
    def _last_time(self) -> datetime | None:
        """Return the moment up to which the total counts energy."""
        if self.source is EnergySource.COUNTER:
            return self.counter.last_time
        return self.integrator.last_time

    @property
    def native_value(self) -> float | None:
        """Return the lifetime total; unknown until a first sample or restore."""
        if self.source is EnergySource.COUNTER:
            return self.counter.total
        if self.integrator.last_time is None:
            return None
        return round(self.integrator.total, 4)

    @property
    def available(self) -> bool:
        """Keep the last total through outages; never fall back to 0."""
        return self.native_value is not None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Say whether the total is the cloud's counter or computed, and how far."""
        last = self._last_time
        sample = last if self.source is EnergySource.COUNTER else self._last_sample
        return {
            "source": str(self.source),
            "last_sample": None if sample is None else sample.isoformat(),
            "counted_until": None if last is None else last.isoformat(),
        }

    @property
    def extra_restore_state_data(self) -> EnergyStoredData:
        """Return the total and the last sample counted, for the restart."""
        state = (
            self.counter.as_dict()
            if self.source is EnergySource.COUNTER
            else self.integrator.as_dict()
        )
        return EnergyStoredData(str(self.source), state)

    async def async_added_to_hass(self) -> None:
        """Continue from the stored total, then count the current sample."""
        await super().async_added_to_hass()
        stored = await self.async_get_last_extra_data()
        if stored is not None:
            data = stored.as_dict()
            if self.source is EnergySource.COUNTER:
                self.counter.restore(data)
            elif data.get("source") == EnergySource.COMPUTED:
                self.integrator.restore(data)
            else:
                # The total was the cloud's counter: continue from it.
                self.integrator.total = float(data.get("total") or 0.0)
        # A gap since the stop needs a records call: do not hold up the setup.
        self._handle_coordinator_update()

    @callback
    def _handle_coordinator_update(self) -> None:
        """Count the new sample (a gap needs one records call first)."""
        self.coordinator.config_entry.async_create_task(
            self.hass, self._async_process(), f"dyness energy {self.entity_id}"
        )

    async def _async_process(self) -> None:
        """Take the battery's current sample into the total."""
        async with self._lock:
            battery = self.coordinator.data.batteries.get(self.serial)
            realtime = None if battery is None else battery.realtime
            if battery is None or realtime is None or realtime.timestamp is None:
                self.async_write_ha_state()
                return
            time = realtime.timestamp
            if self.source is EnergySource.COUNTER:
                await self._async_counter(battery, time)
            else:
                await self._async_computed(battery, time)
            self.async_write_ha_state()
            # The home battery and the efficiency sum the batteries' totals.
            self.runtime.insights.report_total(
                self.serial, self.direction, self.native_value, self.coordinator.data
            )

    async def _async_computed(self, battery: BatteryData, time: datetime) -> None:
        """Integrate the sample's slot; fill a gap from the 5-minute records."""
        power = battery.number(Metric.POWER)
        slot = slot_start(time)
        self._last_sample = time
        if not self.integrator.needs_records(slot):
            self.integrator.add(slot, power)
            return
        before = self.integrator.total
        records = await self._cache.records(time)
        if records is None and self._cache.failed:
            # The cloud keeps the day's records until local midnight: ask again
            # at the next sample instead of skipping the gap.
            return
        last = self.integrator.last_time
        covered = min((r.time for r in records or ()), default=slot)
        if records is not None and last is not None and covered > last + MAX_HELD:
            LOGGER.warning(
                "Energy of %s from %s to %s is lost: the cloud keeps records"
                " only since local midnight",
                self.entity_id,
                last,
                covered,
            )
        segments = self.integrator.fill(
            records or (), slot, power, self._cache.clock.sign
        )
        if records:
            await self._async_backfill(segments, before, slot)

    async def _async_counter(self, battery: BatteryData, time: datetime) -> None:
        """Guard the counter; spread a jump after a gap over the gap's records."""
        reading = battery.number(COUNTER_METRICS[self.direction])
        last, before = self.counter.last_time, self.counter.total
        # The counter's jump is right by itself; records are only worth a call
        # when the gap crosses an hour, so the statistics hours need them.
        changed = self.counter.update(reading, time)
        if not changed or last is None or before is None:
            return
        if time - last <= MAX_GAP or _hour(time) == _hour(last):
            return
        records = await self._cache.records(time)
        if not records:
            return
        # The records' shape from the last reading on, its slot included.
        held = next((r.power for r in records if r.time == slot_start(last)), None)
        shape = Integrator(self.direction, last_time=last, last_power=held)
        segments = shape.fill(
            records, time, battery.number(Metric.POWER), self._cache.clock.sign
        )
        counted = sum(segment.kwh for segment in segments)
        jump = (self.counter.total or before) - before
        if counted <= 0 or jump <= 0:
            return
        scaled = [
            Segment(segment.start, segment.end, segment.kwh * jump / counted)
            for segment in segments
        ]
        await self._async_backfill(scaled, before, time)

    async def _async_backfill(
        self, segments: list[Segment], before: float, until: datetime
    ) -> None:
        """Rewrite the hours of a filled gap in the long-term statistics."""
        if self.entity_id is None or not segments:
            return
        try:
            await async_backfill(self.hass, self.entity_id, segments, before, until)
        except Exception:  # noqa: BLE001 - statistics are a bonus; keep counting
            LOGGER.exception("Backfill of %s failed", self.entity_id)
