"""Binary sensors of the Dyness battery integration: alarms and BMS flags."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Final

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.const import EntityCategory

from .alarm_tables import AlarmRow, FlagRow, Register, alarm_table, listed_rows
from .coordinator import DynessCoordinator
from .data import BatteryData, DynessData, ModuleData
from .entity import (
    DynessBatteryEntity,
    DynessModuleEntity,
    NewEntity,
    entity_platform,
)
from .runtime import DynessConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class DynessConditionDescription(BinarySensorEntityDescription):
    """Describes the binary sensor of one alarm, warning or protection bit."""

    row: AlarmRow
    device_class: BinarySensorDeviceClass | None = BinarySensorDeviceClass.PROBLEM
    entity_category: EntityCategory | None = EntityCategory.DIAGNOSTIC


ALARM: Final = BinarySensorEntityDescription(
    key="alarm",
    translation_key="alarm",
    device_class=BinarySensorDeviceClass.PROBLEM,
)


def condition_description(row: AlarmRow) -> DynessConditionDescription:
    """Describe the binary sensor of a condition row."""
    return DynessConditionDescription(
        key=row.key,
        translation_key=row.translation_key,
        translation_placeholders=row.translation_placeholders,
        row=row,
    )


def _conditions(
    coordinator: DynessCoordinator,
    battery: BatteryData,
    module: ModuleData | None,
    rows: tuple[AlarmRow, ...],
) -> Iterator[NewEntity]:
    """Yield the condition sensors of a battery, or of one of its modules."""
    snapshot = battery.realtime if module is None else module.realtime
    for row in listed_rows(rows, snapshot):
        description = condition_description(row)
        if module is None:
            entity = partial(
                DynessConditionBinarySensor, coordinator, battery.serial, description
            )
            yield f"{battery.serial}_{row.key}", entity
        else:
            yield (
                f"{module.serial}_{row.key}",
                partial(
                    DynessModuleConditionBinarySensor,
                    coordinator,
                    battery.serial,
                    module,
                    description,
                ),
            )


def _candidates(entry: DynessConfigEntry, data: DynessData) -> Iterator[NewEntity]:
    """Yield the alarm and flag sensors of every battery and module."""
    coordinator = entry.runtime_data.coordinator
    for serial, battery in data.batteries.items():
        table = alarm_table(battery.family.key)
        if table.conditions or table.module_conditions:
            yield (
                f"{serial}_{ALARM.key}",
                partial(DynessAlarmBinarySensor, coordinator, serial, ALARM),
            )
        yield from _conditions(coordinator, battery, None, table.conditions)
        for flag in listed_rows(table.flags, battery.realtime):
            yield (
                f"{serial}_{flag.key}",
                partial(DynessFlagBinarySensor, coordinator, serial, flag),
            )
        for module in battery.modules.values():
            yield from _conditions(
                coordinator, battery, module, table.module_conditions
            )


async_setup_entry = entity_platform(_candidates)


class DynessAlarmBinarySensor(DynessBatteryEntity, BinarySensorEntity):
    """On while any condition of the battery or its modules is active."""

    @property
    def is_on(self) -> bool:
        """Return whether any debounced condition is active."""
        return bool(self.runtime.alarms.battery(self.serial).active)


class DynessConditionBinarySensor(DynessBatteryEntity, BinarySensorEntity):
    """One debounced alarm, warning, protection or fault of a battery."""

    entity_description: DynessConditionDescription
    module_serial: str | None = None

    @property
    def is_on(self) -> bool | None:
        """Return the condition's debounced state."""
        tracker = self.runtime.alarms.tracker(self.serial, self.module_serial)
        if tracker is None:
            return None
        return tracker.is_on(self.entity_description.key)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the raw code of a register, or whether a bit means balancing."""
        row = self.entity_description.row
        tracker = self.runtime.alarms.tracker(self.serial, self.module_serial)
        if tracker is None:
            return None
        attributes: dict[str, Any] = {}
        if row.top_of_charge:
            attributes["balancing"] = row.key in tracker.balancing
        if isinstance(row.source, Register):
            attributes["code"] = tracker.codes.get(row.key)
        return attributes or None


class DynessModuleConditionBinarySensor(
    DynessModuleEntity, DynessConditionBinarySensor
):
    """One debounced alarm or protection code of a module."""

    module_serial: str

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        module: ModuleData,
        description: DynessConditionDescription,
    ) -> None:
        """Attach the sensor to the module's own device."""
        super().__init__(coordinator, serial, module.serial, description)


class DynessFlagBinarySensor(DynessBatteryEntity, BinarySensorEntity):
    """A BMS status flag such as charging allowed."""

    entity_description: FlagRow

    @property
    def is_on(self) -> bool | None:
        """Return the flag as the last sample shows it."""
        return self.entity_description.read(self.battery.realtime)
