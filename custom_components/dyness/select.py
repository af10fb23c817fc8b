"""Select controls: the work mode of a Cygni hybrid."""

from __future__ import annotations

from dataclasses import dataclass, replace

from homeassistant.components.select import SelectEntity, SelectEntityDescription

from .api.settings import (
    Setting,
    SettingKind,
    SettingsFamily,
    TouSchedule,
    WorkMode,
)
from .control_entity import (
    DynessSettingEntity,
    DynessSettingEntityDescription,
    setting_platform,
)
from .control_errors import control_error

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class DynessSelectEntityDescription(
    DynessSettingEntityDescription, SelectEntityDescription
):
    """A choice within a setting group."""


SELECTS: tuple[DynessSelectEntityDescription, ...] = (
    DynessSelectEntityDescription(
        key="work_mode",
        families=frozenset({SettingsFamily.CYGNI}),
        kind=SettingKind.TOU_SCHEDULE,
        options=[mode.value for mode in WorkMode],
    ),
)


class DynessSettingSelect(DynessSettingEntity, SelectEntity):
    """The work mode, as the device reports it."""

    entity_description: DynessSelectEntityDescription

    @property
    def current_option(self) -> str | None:
        """Return the mode the device reports."""
        setting = self.setting
        if not isinstance(setting, TouSchedule) or setting.work_mode is None:
            return None
        return setting.work_mode.value

    async def async_select_option(self, option: str) -> None:
        """Change the mode; the time-of-use groups are sent back as read."""
        if option not in WorkMode:
            raise control_error("control_bad_choice", field="work_mode")
        mode = WorkMode(option)

        def _build(current: Setting) -> Setting:
            if not isinstance(current, TouSchedule):
                raise TypeError(current)
            return replace(current, work_mode=mode)

        await self._async_change(_build)


async_setup_entry = setting_platform(SELECTS, DynessSettingSelect)
