"""The Dyness battery integration."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.helpers.typing import ConfigType

from .alarms import AlarmMonitor, debounce_option
from .api import DynessClient
from .const import CONF_BATTERIES, DOMAIN
from .control_log import async_log_change
from .coordinator import DynessCoordinator
from .firmware import DynessFirmwareCoordinator
from .helpers import budget_option, create_client, device_in_use, take_listing
from .insight_book import InsightBook
from .issues import async_remove_issues, async_setup_issues
from .modules import ModuleBook
from .plausibility import Rejections
from .records import RecordsCaches
from .records_runtime import RecordsClocks
from .runtime import DynessConfigEntry, DynessRuntimeData
from .services import async_setup_services
from .settings_coordinator import DynessSettingsCoordinator, control_allowed
from .soh_history import async_track_soh
from .static import DynessStaticCoordinator

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.UPDATE,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the service actions, whether or not an entry is loaded."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> bool:
    """Set up the batteries of one App ID."""
    client = create_client(hass, entry.data)
    client.scheduler.set_ceiling(budget_option(entry))
    modules = ModuleBook(hass, entry.entry_id, client, Rejections())
    await modules.async_load()
    clocks = RecordsClocks(hass, entry.entry_id)
    await clocks.async_load()
    entry.async_on_unload(clocks.async_save)
    static = DynessStaticCoordinator(hass, entry, client)
    if (listing := take_listing(hass, client.app_id)) is not None:
        # The config flow read the list seconds ago: no second call.
        static.seed(listing.at, listing.devices)
    coordinator = DynessCoordinator(
        hass, entry, static=static, modules=modules, clocks=clocks
    )
    # The first refresh doubles as the connection test: auth → reauth, else retry.
    await coordinator.async_config_entry_first_refresh()
    firmware = DynessFirmwareCoordinator(hass, entry, client)
    alarms = AlarmMonitor(coordinator, debounce_option(entry))
    insights = InsightBook(hass, entry.entry_id)
    await insights.async_load()
    entry.runtime_data = DynessRuntimeData(
        client=client,
        coordinator=coordinator,
        static=static,
        firmware=firmware,
        alarms=alarms,
        records=RecordsCaches(client, clocks),
        clocks=clocks,
        modules=modules,
        insights=insights,
        settings=_settings(hass, entry, client, static, coordinator),
    )
    # The App ID's scheduler outlives the entry; forget what this entry needed.
    entry.async_on_unload(lambda: client.scheduler.set_demand(entry.entry_id, None))
    # The first sample is the alarms' baseline.
    alarms.sync()
    entry.async_on_unload(coordinator.async_add_listener(alarms.sync))
    _forget_account_data_age(hass, entry)
    _forget_lone_modules(hass, entry)
    # Before the entities: they read what the book took from the same data.
    insights.async_update(coordinator.data)
    entry.async_on_unload(
        coordinator.async_add_listener(lambda: insights.async_update(coordinator.data))
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    # After the platforms: the SOH sensor's entity ID names its statistics.
    entry.async_on_unload(async_track_soh(hass, entry))
    entry.async_on_unload(async_setup_issues(hass, entry))
    # Setup ends with the batteries' values; the rest follows by priority.
    entry.async_create_task(
        hass, _async_fill_in(entry), f"{DOMAIN} fill in", eager_start=False
    )
    data = dict(entry.data)
    allowed = control_allowed(entry)

    async def _async_entry_updated(
        hass: HomeAssistant, entry: DynessConfigEntry
    ) -> None:
        """Follow new options and a new battery choice without a reload.

        Flows that change credentials or the host reload by themselves.
        """
        nonlocal data
        if control_allowed(entry) != allowed:
            # Control entities and their coordinator come and go with a reload.
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        # The running warning streaks count on with the new debounce.
        alarms.set_debounce(debounce_option(entry))
        budget = budget_option(entry)
        if budget != client.scheduler.ceiling:
            client.scheduler.set_ceiling(budget)
            # Modules go back to their cadence and the budget repair follows now.
            coordinator.follow_budget()
        batteries = entry.data[CONF_BATTERIES]
        if {**data, CONF_BATTERIES: batteries} == dict(entry.data) != data:
            data = dict(entry.data)
            coordinator.set_batteries(batteries)
            await coordinator.async_request_refresh()

    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    return True


def _settings(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    client: DynessClient,
    static: DynessStaticCoordinator,
    coordinator: DynessCoordinator,
) -> DynessSettingsCoordinator | None:
    """Return the settings coordinator when the entry allows control."""
    if not control_allowed(entry):
        return None
    settings = DynessSettingsCoordinator(
        hass, entry, client, static, lambda: coordinator.batteries
    )
    settings.on_change = lambda serial, kind, result: async_log_change(
        hass, serial, kind, result
    )
    # Keeps the 30-minute reads and daily probes going while no entity listens.
    entry.async_on_unload(settings.async_add_listener(lambda: None))
    entry.async_on_unload(
        lambda: client.scheduler.set_demand(settings.demand_key, None)
    )
    return settings


async def _async_fill_in(entry: DynessConfigEntry) -> None:
    """Read the device list, details, modules, signal, then settings and firmware."""
    await entry.runtime_data.coordinator.async_fill_in()
    # After the device list: its operationPermission decides about controls.
    if (settings := entry.runtime_data.settings) is not None:
        await settings.async_refresh()
    await entry.runtime_data.firmware.async_start()


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
    """Unload a config entry; store what the insights learned."""
    await entry.runtime_data.insights.async_save()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
    """Delete the repair issues of a removed entry."""
    async_remove_issues(hass, entry)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: DynessConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Allow deleting a device unless it is a configured battery that still reports."""
    return not device_in_use(entry, device)
