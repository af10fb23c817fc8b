"""The slow facts of an entry's batteries: the device list and rated figures."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api import DeviceDetail, DynessClient, StorageDevice
from .api.scheduler import Priority
from .budget import needs_detail
from .const import STATIC_INTERVAL
from .data import BatteryData
from .errors import DynessBaseCoordinator, extra, optional

DETAIL_INTERVAL = timedelta(hours=12)


@dataclass(frozen=True, kw_only=True)
class StaticFacts:
    """Model, firmware, online flag and rated figures, keyed by battery serial."""

    devices: Mapping[str, StorageDevice] = field(default_factory=dict)
    details: Mapping[str, DeviceDetail] = field(default_factory=dict)


class DynessStaticCoordinator(DynessBaseCoordinator[StaticFacts]):
    """The device list every 2 hours and each battery's rated figures twice a day.

    It has no timer of its own: the live cycle refreshes it when it is due, so
    its calls queue in the App ID's scheduler right before a battery's poll
    instead of meeting one at a random moment.
    """

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, client: DynessClient
    ) -> None:
        """Initialise with no facts known yet."""
        super().__init__(
            hass,
            entry,
            client,
            name=" device list",
            update_interval=None,
            always_update=False,
        )
        self._listed_at: datetime | None = None
        self._cycle_at: datetime | None = None
        self._detail_at: dict[str, datetime] = {}

    @property
    def facts(self) -> StaticFacts:
        """Return what is known, empty before the first answer."""
        return self.data if self.data is not None else StaticFacts()

    def seed(self, at: datetime, devices: Iterable[StorageDevice]) -> None:
        """Take a device list read moments ago (by the config flow) as the last one."""
        self._listed_at = at
        self.data = replace(
            self.facts, devices={device.device_sn: device for device in devices}
        )

    async def async_refresh_due(self, now: datetime) -> None:
        """Read the device list when the last one is 2 hours old or missing."""
        if self._listed_at is None or now - self._listed_at >= STATIC_INTERVAL:
            # The 2 hours count from the cycle's start, as the live polls do.
            self._cycle_at = now
            await self.async_refresh()

    async def _async_fetch(self) -> StaticFacts:
        """Read the device list; a failure keeps the last one until the next cycle."""
        devices = await extra(
            self.client.list_storage_devices(priority=Priority.STATIC), "Device list"
        )
        if devices is None:
            return self.facts
        self._listed_at = self._cycle_at or dt_util.utcnow()
        return replace(
            self.facts, devices={device.device_sn: device for device in devices}
        )

    async def async_refresh_details(
        self, batteries: Mapping[str, BatteryData], now: datetime
    ) -> None:
        """Read the rated figures of batteries whose layout needs them, when due."""
        for serial, battery in batteries.items():
            if needs_detail(battery.family):
                await self._refresh_detail(serial, now)

    async def _refresh_detail(self, serial: str, now: datetime) -> None:
        """Read a battery's rated figures, twice a day."""
        last = self._detail_at.get(serial)
        if last is not None and now - last < DETAIL_INTERVAL:
            return
        # The budget's refusal raises here: the figures are tried again next cycle.
        detail = await optional(
            self.client.get_device_detail(serial, priority=Priority.STATIC),
            f"Rated figures of {serial}",
        )
        self._detail_at[serial] = now
        if detail is not None:
            facts = self.facts
            self.data = replace(facts, details={**facts.details, serial: detail})
