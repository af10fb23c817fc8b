"""Validation of battery settings against the documented ranges and rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
import itertools
from typing import Final

from .exceptions import DynessValidationError
from .settings import (
    SETTING_TYPES,
    CygniBattery,
    HeatingSchedule,
    JuniorBoxBase,
    Setting,
    SettingKind,
    SettingsFamily,
    TouAction,
    TouGroup,
    TouSchedule,
    Weekday,
    WorkMode,
)

MINUTES_PER_DAY: Final = 24 * 60
# operationPermission 0 means "view only" (doc §6.1); 1 to 4 may control.
VIEW_ONLY: Final = "0"


@dataclass(frozen=True, slots=True)
class Span:
    """An allowed integer range with its step."""

    low: int
    high: int
    step: int = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ScheduleRules:
    """What a family accepts in a time-of-use schedule."""

    groups: Span
    power: Span
    # Cygni groups carry a depth and a charge limit; the Junior Box's do not.
    soc_fields: bool
    work_mode: bool


JUNIOR_BOX_POWER_LIMIT: Final = Span(152, 800, 8)
JUNIOR_BOX_DEPTH: Final = Span(20, 100)
# Cygni limits are not in any document we have: a floor of 10 % keeps a reserve.
CYGNI_DEPTH: Final = Span(10, 95)
CYGNI_CHARGE_LIMIT: Final = Span(10, 100)
HEATING_MIN_TEMP: Final = Span(10, 15)
HEATING_MAX_TEMP: Final = Span(15, 20)
HEATING_MIN_GAP: Final = 5
MAX_HEATING_PERIODS: Final = 4

SCHEDULE_RULES: Final[dict[SettingsFamily, ScheduleRules]] = {
    # The Junior Box takes its four groups only together.
    SettingsFamily.JUNIOR_BOX: ScheduleRules(
        groups=Span(4, 4),
        power=Span(0, 800),
        soc_fields=False,
        work_mode=False,
    ),
    # The PDF says 2000 W; Cygni inverters accept up to 10 000 W (AIST).
    SettingsFamily.CYGNI: ScheduleRules(
        groups=Span(1, 4),
        power=Span(0, 10000),
        soc_fields=True,
        work_mode=True,
    ),
}


# Translation keys of DynessValidationError, for the texts of the entities' errors.
VALIDATION_KEYS: Final = frozenset(
    {
        "control_bad_choice",
        "control_bad_days",
        "control_bad_time",
        "control_empty_window",
        "control_field_not_supported",
        "control_group_count",
        "control_groups_overlap",
        "control_limit_below_depth",
        "control_no_days",
        "control_no_such_group",
        "control_not_a_number",
        "control_not_on_step",
        "control_not_supported",
        "control_out_of_range",
        "control_temperature_gap",
        "control_unknown_field",
    }
)


def can_control(operation_permission: object) -> bool:
    """Return whether a `storage/list` permission allows control (unknown: try)."""
    if operation_permission is None or operation_permission == "":
        return True
    return str(operation_permission).strip() != VIEW_ONLY


def redact_serial(serial: str) -> str:
    """Return a serial with all but its last four characters hidden."""
    return f"***{serial[-4:]}"


# --- validation -------------------------------------------------------------


def invalid(key: str, **placeholders: object) -> DynessValidationError:
    """Return a validation error with string placeholders."""
    return DynessValidationError(key, {k: str(v) for k, v in placeholders.items()})


def check_number(name: str, value: object, span: Span) -> int:
    """Return `value` if it is a whole number inside `span` on its step."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid("control_not_a_number", field=name, value=value)
    if not span.low <= value <= span.high:
        raise invalid(
            "control_out_of_range",
            field=name,
            value=value,
            min=span.low,
            max=span.high,
        )
    if (value - span.low) % span.step:
        raise invalid("control_not_on_step", field=name, value=value, step=span.step)
    return value


def _check_days(label: str, days: object) -> frozenset[Weekday]:
    """Return the week days of an enabled group or period; at least one."""
    if not isinstance(days, frozenset) or not all(
        isinstance(day, Weekday) for day in days
    ):
        raise invalid("control_bad_days", group=label)
    if not days:
        raise invalid("control_no_days", group=label)
    return days


def _check_window(label: str, start: object, end: object) -> None:
    """Refuse missing times and a window that starts where it ends."""
    if not isinstance(start, time) or not isinstance(end, time):
        raise invalid("control_bad_time", group=label)
    if (start.hour, start.minute) == (end.hour, end.minute):
        raise invalid("control_empty_window", group=label)


def _minutes(moment: time) -> int:
    """Return minutes since midnight."""
    return moment.hour * 60 + moment.minute


def week_minutes(start: time, end: time, days: frozenset[Weekday]) -> set[int]:
    """Return the minutes of the week a window covers (over midnight if end < start)."""
    first, last = _minutes(start), _minutes(end)
    length = (last - first) % MINUTES_PER_DAY
    week = 7 * MINUTES_PER_DAY
    return {
        (int(day) * MINUTES_PER_DAY + first + offset) % week
        for day in days
        for offset in range(length)
    }


def validate_junior_box_base(base: JuniorBoxBase) -> None:
    """Check the power limit and the discharge depth of a Junior Box."""
    check_number("power_limit_w", base.power_limit_w, JUNIOR_BOX_POWER_LIMIT)
    check_number("discharge_depth_pct", base.discharge_depth_pct, JUNIOR_BOX_DEPTH)


def _check_soc_fields(label: str, group: TouGroup, rules: ScheduleRules) -> None:
    """Check (Cygni) or refuse (Junior Box) a group's depth and charge limit."""
    if not rules.soc_fields:
        if group.depth_pct is not None or group.charge_limit_pct is not None:
            raise invalid("control_field_not_supported", group=label)
        if group.depth_enabled or group.charge_limit_enabled:
            raise invalid("control_field_not_supported", group=label)
        return
    depth = check_number("depth_pct", group.depth_pct, CYGNI_DEPTH)
    limit = check_number("charge_limit_pct", group.charge_limit_pct, CYGNI_CHARGE_LIMIT)
    if group.depth_enabled and group.charge_limit_enabled and limit <= depth:
        raise invalid("control_limit_below_depth", depth=depth, limit=limit)


def validate_schedule(family: SettingsFamily, schedule: TouSchedule) -> None:
    """Check every group of a schedule and that enabled groups do not overlap."""
    rules = SCHEDULE_RULES.get(family)
    if rules is None:
        raise invalid("control_not_supported", family=family)
    count = len(schedule.groups)
    if not rules.groups.low <= count <= rules.groups.high:
        raise invalid(
            "control_group_count",
            count=count,
            min=rules.groups.low,
            max=rules.groups.high,
        )
    if (schedule.work_mode is not None) != rules.work_mode:
        raise invalid("control_field_not_supported", group="work_mode")
    if schedule.work_mode is not None and not isinstance(schedule.work_mode, WorkMode):
        raise invalid("control_bad_choice", field="work_mode")
    covered: list[tuple[int, set[int]]] = []
    for number, group in enumerate(schedule.groups, start=1):
        label = str(number)
        if not isinstance(group.action, TouAction):
            raise invalid("control_bad_choice", field="action")
        # Disabled groups go back as the device reported them (00:00-00:00, …).
        if not group.enabled:
            continue
        check_number("power_w", group.power_w, rules.power)
        _check_window(label, group.start, group.end)
        _check_soc_fields(label, group, rules)
        days = _check_days(label, group.days)
        covered.append((number, week_minutes(group.start, group.end, days)))
    for (first, a), (second, b) in itertools.combinations(covered, 2):
        if a & b:
            raise invalid("control_groups_overlap", first=first, second=second)


def validate_cygni_battery(settings: CygniBattery) -> None:
    """Check the Cygni depths and charge limits, and that each limit tops its depth."""
    on_depth = check_number(
        "on_grid_depth_pct", settings.on_grid_depth_pct, CYGNI_DEPTH
    )
    off_depth = check_number(
        "off_grid_depth_pct", settings.off_grid_depth_pct, CYGNI_DEPTH
    )
    limit = check_number(
        "charge_limit_pct", settings.charge_limit_pct, CYGNI_CHARGE_LIMIT
    )
    if limit <= on_depth:
        raise invalid("control_limit_below_depth", depth=on_depth, limit=limit)
    if settings.off_grid_charge_limit_pct is not None:
        off_limit = check_number(
            "off_grid_charge_limit_pct",
            settings.off_grid_charge_limit_pct,
            CYGNI_CHARGE_LIMIT,
        )
        if off_limit <= off_depth:
            raise invalid("control_limit_below_depth", depth=off_depth, limit=off_limit)


def validate_heating(schedule: HeatingSchedule) -> None:
    """Check up to four heating periods: times, days, temperatures and their gap."""
    if len(schedule.periods) > MAX_HEATING_PERIODS:
        raise invalid(
            "control_group_count",
            count=len(schedule.periods),
            min=0,
            max=MAX_HEATING_PERIODS,
        )
    for number, period in enumerate(schedule.periods, start=1):
        label = str(number)
        if not period.enabled:
            continue
        _check_window(label, period.start, period.end)
        low = check_number("min_temp_c", period.min_temp_c, HEATING_MIN_TEMP)
        high = check_number("max_temp_c", period.max_temp_c, HEATING_MAX_TEMP)
        if high - low < HEATING_MIN_GAP:
            raise invalid("control_temperature_gap", group=label, gap=HEATING_MIN_GAP)
        _check_days(label, period.days)


def validate(family: SettingsFamily, kind: SettingKind, value: Setting) -> None:
    """Check any setting group against the rules of its family."""
    if not isinstance(value, SETTING_TYPES[kind]):
        raise invalid("control_not_supported", family=family)
    if isinstance(value, JuniorBoxBase):
        validate_junior_box_base(value)
    elif isinstance(value, TouSchedule):
        validate_schedule(family, value)
    elif isinstance(value, CygniBattery):
        validate_cygni_battery(value)
    else:
        validate_heating(value)
