"""Sensors showing a device's schedules: time-of-use groups, heating periods."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import EntityCategory

from .api.settings import SETTING_TYPES, Setting, SettingKind, SettingsFamily
from .api.validation import SCHEDULE_RULES
from .control_entity import DynessSettingEntity, DynessSettingEntityDescription
from .schedule_schema import heating_as_data, schedule_as_data


@dataclass(frozen=True, kw_only=True)
class DynessSettingSensorEntityDescription(
    DynessSettingEntityDescription, SensorEntityDescription
):
    """A schedule: how many of its entries are on, and the whole as attributes."""

    # Called with the setting group of `kind` (SETTING_TYPES) and the device's family.
    value_fn: Callable[[Any], int]
    attributes_fn: Callable[[Any, SettingsFamily], dict[str, Any]]


SETTING_SENSORS: tuple[DynessSettingSensorEntityDescription, ...] = (
    DynessSettingSensorEntityDescription(
        key="time_of_use",
        families=frozenset({SettingsFamily.JUNIOR_BOX, SettingsFamily.CYGNI}),
        kind=SettingKind.TOU_SCHEDULE,
        value_fn=lambda schedule: sum(group.enabled for group in schedule.groups),
        attributes_fn=lambda schedule, family: schedule_as_data(
            schedule, soc_fields=SCHEDULE_RULES[family].soc_fields
        ),
    ),
    DynessSettingSensorEntityDescription(
        key="heating_periods",
        families=frozenset({SettingsFamily.LV_HEATING}),
        kind=SettingKind.HEATING,
        value_fn=lambda heating: sum(period.enabled for period in heating.periods),
        attributes_fn=lambda heating, _family: heating_as_data(heating),
    ),
)


class DynessScheduleSettingSensor(DynessSettingEntity, SensorEntity):
    """How many groups or periods are on; the whole schedule as attributes."""

    entity_description: DynessSettingSensorEntityDescription
    # Sensors may not be configuration entities.
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def _schedule(self) -> Setting | None:
        """Return the reported group when it has the kind's type, else None."""
        setting = self.setting
        kind = self.entity_description.kind
        return setting if isinstance(setting, SETTING_TYPES[kind]) else None

    @property
    def native_value(self) -> int | None:
        """Return the number of enabled groups or periods."""
        schedule = self._schedule
        return None if schedule is None else self.entity_description.value_fn(schedule)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the schedule as the get actions answer it."""
        schedule = self._schedule
        if schedule is None:
            return None
        family = self.coordinator.current.devices[self.serial].family
        return self.entity_description.attributes_fn(schedule, family)
