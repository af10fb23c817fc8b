"""Typed v2 device settings in the integration's own vocabulary (no wire formats)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from enum import IntEnum, StrEnum


class Weekday(IntEnum):
    """A day of the week, Monday first (as `datetime.weekday()`)."""

    MONDAY = 0
    TUESDAY = 1
    WEDNESDAY = 2
    THURSDAY = 3
    FRIDAY = 4
    SATURDAY = 5
    SUNDAY = 6


EVERY_DAY: frozenset[Weekday] = frozenset(Weekday)


class SettingsFamily(StrEnum):
    """Which set of v2 settings a device offers."""

    JUNIOR_BOX = "junior_box"
    CYGNI = "cygni"
    LV_HEATING = "lv_heating"


class TouAction(StrEnum):
    """What a time-of-use group does in its window."""

    CHARGE = "charge"
    DISCHARGE = "discharge"


class WorkMode(StrEnum):
    """Operating mode of a hybrid (and, ignored, of the Junior Box)."""

    SELF_USE = "self_use"
    OFF_GRID = "off_grid"
    ECONOMIC = "economic"
    BATTERY_PRIORITY = "battery_priority"


@dataclass(frozen=True, slots=True, kw_only=True)
class JuniorBoxBase:
    """Junior Box base settings: output power limit and discharge depth."""

    power_limit_w: int
    # SOC (%) at which the box stops discharging.
    discharge_depth_pct: int
    # Echoed on every write: the box requires the field but ignores it.
    work_mode: WorkMode = field(default=WorkMode.SELF_USE, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class TouGroup:
    """One time-of-use group; an end before the start runs over midnight."""

    enabled: bool
    action: TouAction
    start: time
    end: time
    power_w: int
    days: frozenset[Weekday]
    # Cygni only: SOC floor and charge ceiling in force during the window.
    depth_enabled: bool = False
    depth_pct: int | None = None
    charge_limit_enabled: bool = False
    charge_limit_pct: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TouSchedule:
    """The time-of-use groups of a device (Cygni adds its work mode)."""

    groups: tuple[TouGroup, ...]
    work_mode: WorkMode | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CygniBattery:
    """Cygni battery settings: SOC floors on and off grid, charge ceilings."""

    on_grid_depth_pct: int
    off_grid_depth_pct: int
    charge_limit_pct: int
    off_grid_charge_limit_pct: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HeatingPeriod:
    """One heating period of a low-voltage battery."""

    enabled: bool
    start: time
    end: time
    min_temp_c: int
    max_temp_c: int
    days: frozenset[Weekday]


@dataclass(frozen=True, slots=True, kw_only=True)
class HeatingSchedule:
    """The heating periods of a low-voltage battery (up to four)."""

    periods: tuple[HeatingPeriod, ...]


type Setting = JuniorBoxBase | TouSchedule | CygniBattery | HeatingSchedule


class SettingKind(StrEnum):
    """One readable and writable group of settings (one Get…/Set… pair)."""

    JUNIOR_BOX_BASE = "junior_box_base"
    TOU_SCHEDULE = "tou_schedule"
    CYGNI_BATTERY = "cygni_battery"
    HEATING = "heating"


# The value type of each setting kind.
SETTING_TYPES: dict[SettingKind, type[Setting]] = {
    SettingKind.JUNIOR_BOX_BASE: JuniorBoxBase,
    SettingKind.TOU_SCHEDULE: TouSchedule,
    SettingKind.CYGNI_BATTERY: CygniBattery,
    SettingKind.HEATING: HeatingSchedule,
}

# Which setting kinds each family offers.
FAMILY_KINDS: dict[SettingsFamily, tuple[SettingKind, ...]] = {
    SettingsFamily.JUNIOR_BOX: (SettingKind.JUNIOR_BOX_BASE, SettingKind.TOU_SCHEDULE),
    SettingsFamily.CYGNI: (SettingKind.CYGNI_BATTERY, SettingKind.TOU_SCHEDULE),
    SettingsFamily.LV_HEATING: (SettingKind.HEATING,),
}
