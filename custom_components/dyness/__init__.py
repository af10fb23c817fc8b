"""The Dyness battery integration."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er

from .alarms import AlarmMonitor, debounce_option
from .const import CONF_BATTERIES, DOMAIN
from .coordinator import DynessCoordinator
from .firmware import DynessFirmwareCoordinator
from .helpers import create_client, device_in_use
from .issues import async_remove_issues, async_setup_issues
from .modules import ModuleBook
from .plausibility import Rejections
from .records import RecordsCaches
from .runtime import DynessConfigEntry, DynessRuntimeData
from .static import DynessStaticCoordinator

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.SENSOR,
    Platform.UPDATE,
]


async def async_setup_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> bool:
    """Set up the batteries of one App ID."""
    client = create_client(hass, entry.data)
    modules = ModuleBook(hass, entry.entry_id, client, Rejections())
    await modules.async_load()
    static = DynessStaticCoordinator(hass, entry, client)
    coordinator = DynessCoordinator(hass, entry, client, static, modules)
    # The first refresh doubles as the connection test: auth → reauth, else retry.
    await coordinator.async_config_entry_first_refresh()
    firmware = DynessFirmwareCoordinator(hass, entry, client)
    alarms = AlarmMonitor(coordinator, debounce_option(entry))
    entry.runtime_data = DynessRuntimeData(
        client=client,
        coordinator=coordinator,
        static=static,
        firmware=firmware,
        alarms=alarms,
        records=RecordsCaches(client),
        modules=modules,
    )
    # The App ID's scheduler outlives the entry; forget what this entry needed.
    entry.async_on_unload(lambda: client.scheduler.set_demand(entry.entry_id, None))
    # The first sample is the alarms' baseline.
    alarms.sync()
    entry.async_on_unload(coordinator.async_add_listener(alarms.sync))
    _forget_account_data_age(hass, entry)
    _forget_lone_modules(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    entry.async_on_unload(async_setup_issues(hass, entry))
    data = dict(entry.data)

    async def _async_entry_updated(
        hass: HomeAssistant, entry: DynessConfigEntry
    ) -> None:
        """Follow new options and a new battery choice without a reload.

        Flows that change credentials or the host reload by themselves.
        """
        nonlocal data
        # The running warning streaks count on with the new debounce.
        alarms.set_debounce(debounce_option(entry))
        batteries = entry.data[CONF_BATTERIES]
        if {**data, CONF_BATTERIES: batteries} == dict(entry.data) != data:
            data = dict(entry.data)
            coordinator.set_batteries(batteries)
            await coordinator.async_request_refresh()

    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


def _forget_account_data_age(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
    """Remove the account-wide data age: each battery shows its own now."""
    registry = er.async_get(hass)
    unique_id = f"{entry.unique_id}_data_age"
    if entity_id := registry.async_get_entity_id(Platform.SENSOR, DOMAIN, unique_id):
        registry.async_remove(entity_id)


def _forget_lone_modules(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
    """Remove the devices of single modules: they only repeated their battery."""
    registry = dr.async_get(hass)
    for serial in entry.runtime_data.modules.known:
        module = entry.runtime_data.modules.lone(serial)
        device = registry.async_get_device(identifiers={(DOMAIN, module or "")})
        if device is not None:
            registry.async_update_device(
                device.id, remove_config_entry_id=entry.entry_id
            )


async def async_unload_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
    """Delete the repair issues of a removed entry."""
    async_remove_issues(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: DynessConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a device unless it is a configured battery that still reports."""
    return not device_in_use(entry, device)
