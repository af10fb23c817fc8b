"""Base entities of the Dyness battery integration, and their devices."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import DynessCoordinator
from .data import BatteryData, DynessData, ModuleData
from .modules import ModuleWanted
from .runtime import DynessConfigEntry, DynessRuntimeData

# A unique ID, and how to build its entity should it be new.
type NewEntity = tuple[str, Callable[[], Entity]]


def battery_device_info(battery: BatteryData) -> DeviceInfo:
    """Return the device registry entry of a battery."""
    return DeviceInfo(
        identifiers={(DOMAIN, battery.serial)},
        manufacturer=MANUFACTURER,
        model=battery.model or "Dyness battery",
        model_id=battery.model_code,
        name=battery.name,
        serial_number=battery.serial,
        sw_version=battery.firmware,
    )


def module_device_info(battery: BatteryData, module: ModuleData) -> DeviceInfo:
    """Return the device registry entry of a module, linked to its battery."""
    return DeviceInfo(
        identifiers={(DOMAIN, module.serial)},
        manufacturer=MANUFACTURER,
        model=f"{battery.model or 'Dyness battery'} module",
        name=f"{battery.name} module {module.index}",
        serial_number=module.serial,
        sw_version=module.firmware,
        via_device=(DOMAIN, battery.serial),
    )


def account_device_info(entry: DynessConfigEntry) -> DeviceInfo:
    """Return the service device of the entry's API key."""
    return DeviceInfo(
        identifiers={(DOMAIN, str(entry.unique_id))},
        entry_type=DeviceEntryType.SERVICE,
        manufacturer=MANUFACTURER,
        model="Open API",
        name=f"{entry.title} API key",
    )


type Candidates = Callable[[DynessConfigEntry, DynessData], Iterable[NewEntity]]


def entity_platform(
    candidates: Candidates,
) -> Callable[
    [HomeAssistant, DynessConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """Return a platform's setup that adds its entities as they appear."""

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: DynessConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Set up the platform's entities now and for what appears later."""
        add_entities_as_they_appear(entry, async_add_entities, candidates)

    return async_setup_entry


def add_entities_as_they_appear(
    entry: DynessConfigEntry,
    add: Callable[[Iterable[Entity]], None],
    candidates: Candidates,
) -> None:
    """Add entities now and whenever new batteries, modules or points appear."""
    coordinator = entry.runtime_data.coordinator
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        new: list[Entity] = []
        for unique_id, create in candidates(entry, coordinator.data):
            if unique_id not in known:
                known.add(unique_id)
                new.append(create())
        if new:
            add(new)

    _add_new()
    entry.async_on_unload(coordinator.async_add_listener(_add_new))


class DynessBatteryEntity(CoordinatorEntity[DynessCoordinator]):
    """An entity that belongs to one battery of the coordinator."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: EntityDescription,
        context: Any = None,
    ) -> None:
        """Initialise the entity for one battery and description."""
        super().__init__(coordinator, context)
        self.entity_description = description
        if description.translation_key is None:
            # A sensor's key is its translation key.
            self._attr_translation_key = description.key
        self.serial = serial
        self._attr_unique_id = f"{serial}_{description.key}"
        self._attr_device_info = battery_device_info(self.battery)

    @property
    def runtime(self) -> DynessRuntimeData:
        """Return the objects of the entity's config entry."""
        runtime: DynessRuntimeData = self.coordinator.config_entry.runtime_data
        return runtime

    @property
    def battery(self) -> BatteryData:
        """Return the battery's current data."""
        return self.coordinator.data.batteries[self.serial]

    @property
    def available(self) -> bool:
        """Return whether the battery has live data."""
        return (
            super().available
            and self.serial in self.coordinator.data.batteries
            and self.battery.realtime is not None
        )


class DynessModuleEntity(DynessBatteryEntity):
    """An entity of one module; while it listens, the coordinator polls the module."""

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        module_serial: str,
        description: EntityDescription,
    ) -> None:
        """Initialise the entity for one module and description."""
        super().__init__(coordinator, serial, description, ModuleWanted(module_serial))
        self.module_serial = module_serial
        self._attr_unique_id = f"{module_serial}_{description.key}"
        battery = self.battery
        self._attr_device_info = module_device_info(
            battery, battery.modules[module_serial]
        )

    @property
    def module(self) -> ModuleData | None:
        """Return the module's current data."""
        battery = self.coordinator.data.batteries.get(self.serial)
        return None if battery is None else battery.modules.get(self.module_serial)

    @property
    def available(self) -> bool:
        """Return whether the module has delivered live data."""
        module = self.module
        return (
            self.coordinator.last_update_success
            and module is not None
            and module.realtime is not None
        )
