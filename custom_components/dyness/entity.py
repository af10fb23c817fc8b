"""Base entities of the Dyness battery integration: battery and module."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import BatteryData, DynessConfigEntry, DynessCoordinator, ModuleData


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


def polled_on_request(battery: BatteryData) -> bool:
    """Return whether module entities start disabled: a lone module repeats its master."""
    return len(battery.modules) < 2


def want_module(
    entity: CoordinatorEntity[DynessCoordinator], module_serial: str, key: str
) -> None:
    """Make the coordinator poll a module while this entity exists."""
    coordinator = entity.coordinator
    coordinator.want_module(module_serial, key, wanted=True)
    entity.async_on_remove(lambda: coordinator.want_module(module_serial, key, False))


def add_entities_as_they_appear(
    entry: DynessConfigEntry,
    add: Callable[[Iterable[Entity]], None],
    build: Callable[[DynessCoordinator, set[str]], list[Entity]],
) -> None:
    """Add entities now and whenever new batteries, modules or points appear."""
    coordinator = entry.runtime_data.coordinator
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        if coordinator.data is not None and (new := build(coordinator, known)):
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
    ) -> None:
        """Initialise the entity for one battery and description."""
        super().__init__(coordinator)
        self.entity_description = description
        self.serial = serial
        self._attr_unique_id = f"{serial}_{description.key}"
        self._attr_device_info = battery_device_info(self.battery)

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


class DynessModuleEntity(CoordinatorEntity[DynessCoordinator]):
    """An entity of one module; enabling it makes the coordinator poll the module."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        module_serial: str,
        description: EntityDescription,
    ) -> None:
        """Initialise the entity for one module and description."""
        super().__init__(coordinator)
        self.entity_description = description
        self.serial = serial
        self.module_serial = module_serial
        self._attr_unique_id = f"{module_serial}_{description.key}"
        battery = coordinator.data.batteries[serial]
        self._attr_device_info = module_device_info(
            battery, battery.modules[module_serial]
        )
        if polled_on_request(battery):
            self._attr_entity_registry_enabled_default = False

    @property
    def module(self) -> ModuleData | None:
        """Return the module's current data."""
        battery = self.coordinator.data.batteries.get(self.serial)
        return None if battery is None else battery.modules.get(self.module_serial)

    @property
    def available(self) -> bool:
        """Return whether the module has delivered live data."""
        module = self.module
        return super().available and module is not None and module.realtime is not None

    async def async_added_to_hass(self) -> None:
        """Register as a reason to poll this module while the entity exists."""
        await super().async_added_to_hass()
        want_module(self, self.module_serial, self.entity_description.key)
