"""Sensors of the Dyness battery integration: batteries, modules and cells."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from functools import partial
from typing import Any

from homeassistant.components.sensor import (
    SensorEntity,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .alarm_tables import alarm_table
from .battery_sensors import (
    MODULE_SENSORS,
    PROBLEM,
    SCHEDULE_SENSORS,
    SENSORS,
    DynessModuleSensorEntityDescription,
    DynessScheduleSensorEntityDescription,
    DynessSensorEntityDescription,
    cell_voltage,
    module_temperature,
)
from .control_entity import add_setting_entities
from .control_sensors import SETTING_SENSORS, DynessScheduleSettingSensor
from .coordinator import DynessCoordinator
from .data import BatteryData, DynessData, ModuleData
from .energy_sensor import energy_sensors
from .entity import (
    DynessBatteryEntity,
    DynessModuleEntity,
    NewEntity,
    account_device_info,
    entity_platform,
)
from .insight_book import weakest_cell_attributes
from .insight_sensors import insight_sensors
from .modules import SignalWanted
from .runtime import DynessConfigEntry

PARALLEL_UPDATES = 0


def _battery_descriptions(
    battery: BatteryData,
) -> list[DynessSensorEntityDescription]:
    """Return every sensor description a battery warrants."""
    found = [description for description in SENSORS if description.has_fn(battery)]
    found.extend(
        cell_voltage(DynessSensorEntityDescription, number)
        for number in battery.cells()
    )
    return found


def _module_descriptions(
    module: ModuleData,
) -> list[DynessModuleSensorEntityDescription]:
    """Return every sensor description a module warrants."""
    found = [
        description for description in MODULE_SENSORS if description.has_fn(module)
    ]
    found.extend(
        module_temperature(number, point_id)
        for number, point_id in module.temperatures().items()
    )
    found.extend(
        cell_voltage(DynessModuleSensorEntityDescription, number)
        for number in module.cells()
    )
    return found


def _candidates(entry: DynessConfigEntry, data: DynessData) -> Iterator[NewEntity]:
    """Yield every sensor the batteries, modules and points warrant."""
    coordinator = entry.runtime_data.coordinator
    for figure in SCHEDULE_SENSORS:
        yield (
            f"{entry.unique_id}_{figure.key}",
            partial(DynessScheduleSensor, coordinator, figure),
        )
    for serial, battery in data.batteries.items():
        for description in _battery_descriptions(battery):
            yield (
                f"{serial}_{description.key}",
                partial(DynessSensor, coordinator, serial, description),
            )
        if alarm_table(battery.family.key).conditions:
            yield (
                f"{serial}_problem",
                partial(DynessProblemSensor, coordinator, serial, PROBLEM),
            )
        yield from energy_sensors(coordinator, entry.runtime_data.records, battery)
        for module_sn, module in battery.modules.items():
            if module.realtime is None:
                continue
            for module_description in _module_descriptions(module):
                yield (
                    f"{module_sn}_{module_description.key}",
                    partial(
                        DynessModuleSensor,
                        coordinator,
                        serial,
                        module_sn,
                        module_description,
                    ),
                )

    yield from insight_sensors(entry, data)


_async_setup_live = entity_platform(_candidates)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the battery sensors, and the schedule sensors when control is on."""
    await _async_setup_live(hass, entry, async_add_entities)
    add_setting_entities(
        entry, async_add_entities, SETTING_SENSORS, DynessScheduleSettingSensor
    )


class DynessSensor(DynessBatteryEntity, SensorEntity):
    """A sensor of one Dyness battery."""

    entity_description: DynessSensorEntityDescription

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: DynessSensorEntityDescription,
    ) -> None:
        """Initialise the sensor; a signal sensor makes the dongle be read."""
        context = SignalWanted(serial) if description.wants_signal else None
        super().__init__(coordinator, serial, description, context)

    @property
    def available(self) -> bool:
        """Return whether the sensor's source is there."""
        return (
            self.coordinator.last_update_success
            and self.serial in self.coordinator.data.batteries
            and self.entity_description.available_fn(self.battery)
        )

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.battery)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return what the value rests on, and the week's weakest cell (cell spread)."""
        attributes = self.entity_description.attributes_fn(self.battery)
        if not self.entity_description.weakest_cell:
            return attributes
        weakest = weakest_cell_attributes(self.runtime.insights.battery(self.serial))
        return {**(attributes or {}), **weakest}

    async def async_added_to_hass(self) -> None:
        """Read the dongle's signal at once rather than at the next cycle."""
        await super().async_added_to_hass()
        # During setup the fill-in reads it, behind the batteries' own data.
        if self.entity_description.wants_signal and self.coordinator.filled_in:
            self.coordinator.config_entry.async_create_background_task(
                self.hass,
                self.coordinator.async_read_signal(self.serial),
                f"{self.entity_id} first read",
            )


class DynessModuleSensor(DynessModuleEntity, SensorEntity):
    """A sensor of one battery module."""

    entity_description: DynessModuleSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """Return the sensor's value."""
        module = self.module
        return None if module is None else self.entity_description.value_fn(module)


class DynessProblemSensor(DynessBatteryEntity, SensorEntity):
    """The battery's worst debounced condition: ok, balancing, warning, …, fault."""

    @property
    def native_value(self) -> str:
        """Return the most serious active condition's kind."""
        return self.runtime.alarms.battery(self.serial).problem.value

    @property
    def extra_state_attributes(self) -> dict[str, list[str]]:
        """List the active and the balancing conditions in words."""
        alarms = self.runtime.alarms.battery(self.serial)
        return {
            "conditions": [item.words for item in alarms.active],
            "balancing": [item.words for item in alarms.balancing],
        }


class DynessScheduleSensor(CoordinatorEntity[DynessCoordinator], SensorEntity):
    """A figure of the App ID's call budget, on the account device."""

    _attr_has_entity_name = True
    entity_description: DynessScheduleSensorEntityDescription

    def __init__(
        self,
        coordinator: DynessCoordinator,
        description: DynessScheduleSensorEntityDescription,
    ) -> None:
        """Attach the figure to the service device of the API key."""
        super().__init__(coordinator)
        self.entity_description = description
        entry = coordinator.config_entry
        # Unique IDs from when the figures sat on the first battery: kept.
        self._attr_unique_id = f"{entry.unique_id}_{description.key}"
        self._attr_translation_key = description.key
        self._attr_device_info = account_device_info(entry)

    @property
    def available(self) -> bool:
        """Return True: the figures exist even while the cloud fails."""
        return True

    @property
    def native_value(self) -> StateType | datetime:
        """Return the figure."""
        return self.entity_description.value_fn(self.coordinator.data.schedule)
