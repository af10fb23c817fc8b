"""Binary sensors of the Dyness battery integration: alarms and BMS flags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarms import (
    AlarmMonitor,
    AlarmRow,
    FlagRow,
    Register,
    alarm_monitor,
    alarm_table,
    listed_rows,
)
from .const import DOMAIN, MANUFACTURER
from .coordinator import BatteryData, DynessConfigEntry, DynessCoordinator, ModuleData
from .entity import (
    DynessBatteryEntity,
    battery_device_info,
    polled_on_request,
    want_module,
)

PARALLEL_UPDATES = 0

ALARM: Final = BinarySensorEntityDescription(
    key="alarm",
    translation_key="alarm",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


@dataclass(frozen=True, kw_only=True)
class DynessConditionDescription(BinarySensorEntityDescription):
    """Describes the binary sensor of one alarm, warning or protection bit."""

    row: AlarmRow
    device_class: BinarySensorDeviceClass | None = BinarySensorDeviceClass.PROBLEM
    entity_category: EntityCategory | None = EntityCategory.DIAGNOSTIC


@dataclass(frozen=True, kw_only=True)
class DynessFlagDescription(BinarySensorEntityDescription):
    """Describes the binary sensor of one BMS status flag."""

    row: FlagRow


def condition_description(row: AlarmRow) -> DynessConditionDescription:
    """Describe the binary sensor of a condition row."""
    return DynessConditionDescription(
        key=row.key,
        translation_key=row.translation_key,
        translation_placeholders=row.translation_placeholders,
        row=row,
    )


def flag_description(row: FlagRow) -> DynessFlagDescription:
    """Describe the binary sensor of a flag row."""
    return DynessFlagDescription(
        key=row.key,
        translation_key=row.translation_key,
        entity_category=row.entity_category,
        row=row,
    )


def _battery_entities(
    coordinator: DynessCoordinator,
    monitor: AlarmMonitor,
    serial: str,
    battery: BatteryData,
) -> Iterable[BinarySensorEntity]:
    """Yield the alarm and flag binary sensors of one battery."""
    table = alarm_table(battery.family.key)
    if table.conditions or table.module_conditions:
        yield DynessAlarmBinarySensor(coordinator, serial, ALARM, monitor)
    for row in listed_rows(table.conditions, battery.realtime):
        yield DynessConditionBinarySensor(
            coordinator, serial, condition_description(row), monitor
        )
    for flag in listed_rows(table.flags, battery.realtime):
        yield DynessFlagBinarySensor(coordinator, serial, flag_description(flag))


def _module_entities(
    coordinator: DynessCoordinator,
    monitor: AlarmMonitor,
    battery: BatteryData,
    module: ModuleData,
) -> Iterable[BinarySensorEntity]:
    """Yield the condition binary sensors of one module."""
    rows = alarm_table(battery.family.key).module_conditions
    for row in listed_rows(rows, module.realtime):
        yield DynessModuleConditionBinarySensor(
            coordinator, battery.serial, condition_description(row), monitor, module
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the alarm binary sensors of every battery and module."""
    coordinator = entry.runtime_data.coordinator
    monitor = alarm_monitor(hass, entry)
    known_batteries: set[str] = set()
    known_modules: set[str] = set()

    @callback
    def _add_new_modules() -> None:
        """Add the alarm sensors of batteries and modules seen for the first time."""
        entities: list[BinarySensorEntity] = []
        for serial, battery in coordinator.data.batteries.items():
            if serial not in known_batteries:
                known_batteries.add(serial)
                entities.extend(
                    _battery_entities(coordinator, monitor, serial, battery)
                )
            for module in battery.modules.values():
                if module.serial in known_modules:
                    continue
                known_modules.add(module.serial)
                entities.extend(_module_entities(coordinator, monitor, battery, module))
        if entities:
            async_add_entities(entities)

    _add_new_modules()
    entry.async_on_unload(coordinator.async_add_listener(_add_new_modules))


class DynessAlarmBinarySensor(DynessBatteryEntity, BinarySensorEntity):
    """On while any condition of the battery or its modules is active."""

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: BinarySensorEntityDescription,
        monitor: AlarmMonitor,
    ) -> None:
        """Initialise the sensor with the entry's alarm monitor."""
        super().__init__(coordinator, serial, description)
        self.monitor = monitor

    @property
    def is_on(self) -> bool:
        """Return whether any debounced condition is active."""
        return bool(self.monitor.battery(self.serial).active)


class DynessConditionBinarySensor(DynessAlarmBinarySensor):
    """One debounced alarm, warning, protection or fault of a battery."""

    entity_description: DynessConditionDescription
    module_serial: str | None = None

    @property
    def is_on(self) -> bool | None:  # type: ignore[override]
        """Return the condition's debounced state."""
        tracker = self.monitor.tracker(self.serial, self.module_serial)
        if tracker is None:
            return None
        return tracker.is_on(self.entity_description.key)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the raw code of a register, or whether a bit means balancing."""
        row = self.entity_description.row
        tracker = self.monitor.tracker(self.serial, self.module_serial)
        if tracker is None:
            return None
        attributes: dict[str, Any] = {}
        if row.top_of_charge:
            attributes["balancing"] = row.key in tracker.balancing
        if isinstance(row.source, Register):
            attributes["code"] = tracker.codes.get(row.key)
        return attributes or None


class DynessModuleConditionBinarySensor(DynessConditionBinarySensor):
    """One debounced alarm or protection code of a module."""

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: DynessConditionDescription,
        monitor: AlarmMonitor,
        module: ModuleData,
    ) -> None:
        """Attach the sensor to the module's own device."""
        super().__init__(coordinator, serial, description, monitor)
        self.module_serial = self.serial_of_module = module.serial
        self._attr_unique_id = f"{module.serial}_{description.key}"
        self._attr_device_info = module_device_info(self.battery, module)
        if polled_on_request(self.battery):
            self._attr_entity_registry_enabled_default = False

    async def async_added_to_hass(self) -> None:
        """Register as a reason to poll the module while the entity exists."""
        await super().async_added_to_hass()
        want_module(self, self.serial_of_module, self.entity_description.key)

    @property
    def available(self) -> bool:
        """Return whether the module delivered live points."""
        if not self.coordinator.last_update_success:
            return False
        battery = self.coordinator.data.batteries.get(self.serial)
        if battery is None:
            return False
        return any(
            module.serial == self.module_serial and module.realtime is not None
            for module in battery.modules.values()
        )


class DynessFlagBinarySensor(DynessBatteryEntity, BinarySensorEntity):
    """A BMS status flag such as charging allowed."""

    entity_description: DynessFlagDescription

    @property
    def is_on(self) -> bool | None:
        """Return the flag as the last sample shows it."""
        return self.entity_description.row.read(self.battery.realtime)


def module_device_info(battery: BatteryData, module: ModuleData) -> DeviceInfo:
    """Return the device registry entry of a battery module."""
    parent = battery_device_info(battery)
    return DeviceInfo(
        identifiers={(DOMAIN, module.serial)},
        manufacturer=MANUFACTURER,
        model=parent.get("model"),
        name=f"{parent.get('name')} module {module.index}",
        serial_number=module.serial,
        via_device=(DOMAIN, battery.serial),
    )
