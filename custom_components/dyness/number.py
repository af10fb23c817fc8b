"""Number controls: power limit, discharge depths and charge limit."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import PERCENTAGE, UnitOfPower

from .api.controls import (
    apply_changes,
)
from .api.settings import (
    CygniBattery,
    JuniorBoxBase,
    Setting,
    SettingKind,
    SettingsFamily,
)
from .api.validation import (
    CYGNI_CHARGE_LIMIT,
    CYGNI_DEPTH,
    JUNIOR_BOX_DEPTH,
    JUNIOR_BOX_POWER_LIMIT,
    Span,
)
from .control_entity import (
    DynessSettingEntity,
    DynessSettingEntityDescription,
    setting_platform,
)

PARALLEL_UPDATES = 1

_JUNIOR_BOX = frozenset({SettingsFamily.JUNIOR_BOX})
_CYGNI = frozenset({SettingsFamily.CYGNI})


@dataclass(frozen=True, kw_only=True)
class DynessNumberEntityDescription(
    DynessSettingEntityDescription, NumberEntityDescription
):
    """A number that is one field of a setting group."""

    field: str
    span: Span


def _number(
    key: str,
    families: frozenset[SettingsFamily],
    kind: SettingKind,
    field: str,
    span: Span,
    *,
    unit: str = PERCENTAGE,
    device_class: NumberDeviceClass | None = None,
    mode: NumberMode = NumberMode.BOX,
) -> DynessNumberEntityDescription:
    """Return the description of one field of a setting group (a percentage)."""
    return DynessNumberEntityDescription(
        key=key,
        families=families,
        kind=kind,
        field=field,
        span=span,
        native_min_value=span.low,
        native_max_value=span.high,
        native_step=span.step,
        native_unit_of_measurement=unit,
        device_class=device_class,
        mode=mode,
    )


NUMBERS: tuple[DynessNumberEntityDescription, ...] = (
    _number(
        "power_limit",
        _JUNIOR_BOX,
        SettingKind.JUNIOR_BOX_BASE,
        "power_limit_w",
        JUNIOR_BOX_POWER_LIMIT,
        unit=UnitOfPower.WATT,
        device_class=NumberDeviceClass.POWER,
        mode=NumberMode.SLIDER,
    ),
    _number(
        "discharge_depth",
        _JUNIOR_BOX,
        SettingKind.JUNIOR_BOX_BASE,
        "discharge_depth_pct",
        JUNIOR_BOX_DEPTH,
    ),
    _number(
        "on_grid_discharge_depth",
        _CYGNI,
        SettingKind.CYGNI_BATTERY,
        "on_grid_depth_pct",
        CYGNI_DEPTH,
    ),
    _number(
        "off_grid_discharge_depth",
        _CYGNI,
        SettingKind.CYGNI_BATTERY,
        "off_grid_depth_pct",
        CYGNI_DEPTH,
    ),
    _number(
        "charge_limit",
        _CYGNI,
        SettingKind.CYGNI_BATTERY,
        "charge_limit_pct",
        CYGNI_CHARGE_LIMIT,
    ),
)


def _whole(value: float) -> int | float:
    """Return a whole number as int; anything else as given, for the validation."""
    return int(value) if float(value).is_integer() else value


class DynessSettingNumber(DynessSettingEntity, NumberEntity):
    """One number of a setting group, as the device reports it."""

    entity_description: DynessNumberEntityDescription

    @property
    def native_value(self) -> float | None:
        """Return the value the device reports."""
        setting = self.setting
        if setting is None:
            return None
        value: int = getattr(setting, self.entity_description.field)
        return value

    async def async_set_native_value(self, value: float) -> None:
        """Change only this field; the rest of the group is sent as read."""
        changes = {self.entity_description.field: _whole(value)}

        def _build(current: Setting) -> Setting:
            if isinstance(current, JuniorBoxBase):
                return apply_changes(current, changes)
            if isinstance(current, CygniBattery):
                return apply_changes(current, changes)
            raise TypeError(current)

        await self._async_change(_build)


async_setup_entry = setting_platform(NUMBERS, DynessSettingNumber)
