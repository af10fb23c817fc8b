"""The Dyness battery integration."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant

from .alarms import async_setup_alarms
from .coordinator import DynessConfigEntry, DynessCoordinator, DynessRuntimeData
from .helpers import create_client

PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.EVENT, Platform.SENSOR]


async def async_setup_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> bool:
    """Set up the batteries of one App ID."""
    client = create_client(hass, entry.data)
    coordinator = DynessCoordinator(hass, entry, client)
    # The first refresh doubles as the connection test: auth → reauth, else retry.
    await coordinator.async_config_entry_first_refresh()
    entry.runtime_data = DynessRuntimeData(client=client, coordinator=coordinator)
    async_setup_alarms(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
