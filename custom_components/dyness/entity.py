"""Base entity of the Dyness battery integration."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, MANUFACTURER
from .coordinator import BatteryData, DynessCoordinator


def battery_device_info(battery: BatteryData) -> DeviceInfo:
    """Return the device registry entry of a battery."""
    model = battery.model or "Dyness battery"
    return DeviceInfo(
        identifiers={(DOMAIN, battery.serial)},
        manufacturer=MANUFACTURER,
        model=model,
        model_id=battery.model_code,
        name=f"{model} {battery.serial.split('-')[0][-4:]}",
        serial_number=battery.serial,
        sw_version=battery.firmware,
    )


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
