"""Sensors showing a device's schedules: time-of-use groups, heating periods."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.sensor import SensorEntity, SensorEntityDescription
from homeassistant.const import EntityCategory

from .api.controls import SCHEDULE_RULES
from .api.settings import (
    HeatingSchedule,
    SettingKind,
    SettingsFamily,
    TouSchedule,
)
from .control_entity import DynessSettingEntity, DynessSettingEntityDescription
from .schedule_schema import heating_as_data, schedule_as_data


@dataclass(frozen=True, kw_only=True)
class DynessSettingSensorEntityDescription(
    DynessSettingEntityDescription, SensorEntityDescription
):
    """A sensor showing a schedule."""


SETTING_SENSORS: tuple[DynessSettingSensorEntityDescription, ...] = (
    DynessSettingSensorEntityDescription(
        key="time_of_use",
        families=frozenset({SettingsFamily.JUNIOR_BOX, SettingsFamily.CYGNI}),
        kind=SettingKind.TOU_SCHEDULE,
    ),
    DynessSettingSensorEntityDescription(
        key="heating_periods",
        families=frozenset({SettingsFamily.LV_HEATING}),
        kind=SettingKind.HEATING,
    ),
)


class DynessScheduleSettingSensor(DynessSettingEntity, SensorEntity):
    """How many groups or periods are on; the whole schedule as attributes."""

    entity_description: DynessSettingSensorEntityDescription
    # Sensors may not be configuration entities.
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    @property
    def native_value(self) -> int | None:
        """Return the number of enabled groups or periods."""
        setting = self.setting
        if isinstance(setting, TouSchedule):
            return sum(group.enabled for group in setting.groups)
        if isinstance(setting, HeatingSchedule):
            return sum(period.enabled for period in setting.periods)
        return None

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return the schedule as the get actions answer it."""
        setting = self.setting
        if isinstance(setting, TouSchedule):
            family = self.coordinator.current.devices[self.serial].family
            return schedule_as_data(
                setting, soc_fields=SCHEDULE_RULES[family].soc_fields
            )
        if isinstance(setting, HeatingSchedule):
            return heating_as_data(setting)
        return None
