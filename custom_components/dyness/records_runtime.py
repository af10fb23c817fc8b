"""The records clocks of one config entry: fed by the polls, kept over restarts.

Each battery's `RecordsClock` takes every live sample the coordinator reads
and every records list anyone fetches. The clocks and their recent samples
are stored, so a gap left by a restart is matched against the samples taken
before the stop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import PowerRecord
from .const import DOMAIN, LOGGER
from .data import BatteryData
from .families import Metric, SourceKind
from .records_clock import (
    LiveSample,
    RecordsClock,
    RecordsNote,
    RecordsView,
    newest_filled,
)

STORE_VERSION: Final = 1
_SAVE_DELAY: Final = 60


def live_sample(battery: BatteryData) -> LiveSample | None:
    """Return a battery's live sample; SOC only from a live point, never a record."""
    realtime = battery.realtime
    if realtime is None or realtime.timestamp is None:
        return None
    source = battery.family.source(Metric.SOC)
    live_soc = source is not None and source.kind is SourceKind.POINT
    return LiveSample(
        time=realtime.timestamp,
        current=battery.number(Metric.CURRENT),
        power=battery.number(Metric.POWER),
        soc=battery.number(Metric.SOC) if live_soc else None,
    )


def records_attributes(
    metric: Metric,
) -> Callable[[BatteryData], dict[str, Any] | None]:
    """Return a reader of when a metric's record is from, or why it is unknown."""

    def _read(battery: BatteryData) -> dict[str, Any] | None:
        source = battery.family.source(metric)
        if source is None or source.kind is not SourceKind.POWER_RECORD:
            return None
        view = battery.records or RecordsView(RecordsNote.NO_RECORD)
        return {
            "record_time": None if view.time is None else view.time.isoformat(),
            "unknown_reason": None if view.note is None else str(view.note),
        }

    return _read


class RecordsClocks:
    """Every battery's records clock of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        """Prepare the store; `async_load` reads it."""
        self._store: Store[dict[str, Any]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.{entry_id}.records_clock"
        )
        self._stored: dict[str, Any] = {}
        self._clocks: dict[str, RecordsClock] = {}

    async def async_load(self) -> None:
        """Read the clocks kept before the last restart."""
        stored = await self._store.async_load()
        self._stored = stored if isinstance(stored, dict) else {}

    def clock(self, serial: str) -> RecordsClock:
        """Return a battery's clock, continued from the stored one."""
        clock = self._clocks.get(serial)
        if clock is None:
            clock = RecordsClock(dt_util.get_default_time_zone())
            stored = self._stored.get(serial)
            if isinstance(stored, dict):
                clock.restore(stored)
            self._clocks[serial] = clock
        return clock

    def update(
        self, battery: BatteryData, records: list[PowerRecord] | None
    ) -> BatteryData:
        """Take a polled battery's sample (and records); return it with them checked."""
        clock = self.clock(battery.serial)
        sample = live_sample(battery)
        if sample is not None and clock.add_sample(sample):
            self._save()
        if records is None:
            return battery
        if sample is None:
            return replace(battery, records=RecordsView(RecordsNote.NO_RECORD))
        self.observe(battery.serial, records, sample.time)
        record = newest_filled(records) or battery.power
        return replace(battery, power=record, records=clock.view(record, sample.time))

    def observe(
        self, serial: str, records: Iterable[PowerRecord], now: datetime
    ) -> None:
        """Learn from a records list fetched for the sample at `now`."""
        clock = self.clock(serial)
        before = clock.offset
        clock.observe(records, now)
        if clock.offset != before:
            LOGGER.info(
                "Power records of %s: label offset %s (was %s), confidence %.2f",
                serial,
                clock.offset,
                before,
                clock.confidence,
            )
        self._save()

    def diagnostics(self, now: datetime) -> dict[str, Any]:
        """Return each battery's learnt offset and its evidence."""
        return {
            serial: clock.diagnostics(now) for serial, clock in self._clocks.items()
        }

    async def async_save(self) -> None:
        """Store the clocks now (the entry unloads)."""
        await self._store.async_save(self._data())

    def _save(self) -> None:
        """Store the clocks soon (and at shutdown)."""
        self._store.async_delay_save(self._data, _SAVE_DELAY)

    def _data(self) -> dict[str, Any]:
        """Return what the store keeps; a battery not polled yet keeps its old clock."""
        return {
            **self._stored,
            **{serial: clock.as_dict() for serial, clock in self._clocks.items()},
        }
