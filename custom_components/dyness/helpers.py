"""Helpers shared by setup, config flows and device removal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.device_registry import DeviceEntry
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .api import CallScheduler, DynessClient, Region, StorageDevice
from .const import (
    CALLS_PER_HOUR,
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BASE_URL,
    CONF_BATTERIES,
    CONF_REGION,
    DOMAIN,
    REQUEST_TIMEOUT,
)
from .data import BatteryConfig
from .runtime import DynessConfigEntry

SCHEDULERS: HassKey[dict[str, CallScheduler]] = HassKey(f"{DOMAIN}_throttles")
# A flow's device list serves the setup that follows it while this young.
LISTING_REUSE = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Listing:
    """An App ID's device list and when it was read."""

    at: datetime
    devices: tuple[StorageDevice, ...]


LISTINGS: HassKey[dict[str, Listing]] = HassKey(f"{DOMAIN}_listings")


def get_scheduler(hass: HomeAssistant, app_id: str) -> CallScheduler:
    """Return the one scheduler that every user of this App ID shares."""
    schedulers = hass.data.setdefault(SCHEDULERS, {})
    if app_id not in schedulers:
        schedulers[app_id] = CallScheduler()
    return schedulers[app_id]


def budget_option(entry: ConfigEntry) -> int:
    """Return the configured API calls per hour, within the allowed range."""
    return CALLS_PER_HOUR.read(entry.options)


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> DynessClient:
    """Build a client from config entry or flow data, on Home Assistant's session."""
    app_id = str(data[CONF_API_ID])
    return DynessClient(
        app_id,
        str(data[CONF_API_SECRET]),
        session=async_get_clientsession(hass),
        region=Region(data.get(CONF_REGION, Region.EUROPE)),
        base_url=data.get(CONF_BASE_URL) or None,
        request_timeout=REQUEST_TIMEOUT,
        scheduler=get_scheduler(hass, app_id),
    )


async def async_list_devices(
    hass: HomeAssistant, client: DynessClient
) -> list[StorageDevice]:
    """Read the device list and keep it for the setup that may follow."""
    devices = await client.list_storage_devices()
    listing = Listing(at=dt_util.utcnow(), devices=tuple(devices))
    hass.data.setdefault(LISTINGS, {})[client.app_id] = listing
    return devices


def take_listing(hass: HomeAssistant, app_id: str) -> Listing | None:
    """Return (once) a device list a flow read moments ago, else None."""
    listing = hass.data.get(LISTINGS, {}).pop(app_id, None)
    if listing is None or dt_util.utcnow() - listing.at > LISTING_REUSE:
        return None
    return listing


def device_in_use(entry: DynessConfigEntry, device: DeviceEntry) -> bool:
    """Return whether a device is a configured battery, or its module, still reporting.

    Such a device would come back at the next reload; to drop a battery for good,
    reconfigure the entry.
    """
    serials = {key for domain, key in device.identifiers if domain == DOMAIN}
    if entry.state is not ConfigEntryState.LOADED:
        # Nothing is polled: keep what the entry lists, let the rest go.
        configured = {
            BatteryConfig.from_dict(item).device_sn
            for item in entry.data[CONF_BATTERIES]
        }
        return bool(serials & configured)
    data = entry.runtime_data.coordinator.data
    if f"{entry.unique_id}_home" in serials:
        # The home battery stands for two or more batteries.
        return len(data.batteries) > 1
    for battery in data.batteries.values():
        if battery.realtime is None and battery.device is None:
            continue
        reported = {battery.serial, *battery.modules}
        if battery.realtime is not None:
            reported.update(battery.realtime.sub_devices or ())
        if serials & reported:
            return True
    return False
