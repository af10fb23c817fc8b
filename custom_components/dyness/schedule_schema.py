"""Schedules as service data and attributes: time-of-use groups, heating periods."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import time
from typing import Any, Final

from .api.controls import CYGNI_CHARGE_LIMIT, CYGNI_DEPTH
from .api.exceptions import DynessValidationError
from .api.settings import (
    HeatingPeriod,
    HeatingSchedule,
    TouAction,
    TouGroup,
    TouSchedule,
    Weekday,
    WorkMode,
)

DAY_NAMES: Final = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALL_DAYS: Final = list(DAY_NAMES)


def _fail(key: str, **placeholders: object) -> DynessValidationError:
    """Return the validation error of a badly formed field."""
    return DynessValidationError(key, {k: str(v) for k, v in placeholders.items()})


def _time(label: str, value: Any) -> time:
    """Return `HH:MM` (or a time) as a time."""
    if isinstance(value, time):
        return value
    try:
        parts = [int(part) for part in str(value).split(":")]
        return time(parts[0], parts[1])
    except (ValueError, IndexError) as err:
        raise _fail("control_bad_time", group=label) from err


def _days(label: str, value: Any) -> frozenset[Weekday]:
    """Return week day names as week days."""
    names = [value] if isinstance(value, str) else list(value or [])
    if any(str(name).lower() not in DAY_NAMES for name in names):
        raise _fail("control_bad_days", group=label)
    return frozenset(Weekday(DAY_NAMES.index(str(name).lower())) for name in names)


def _number(value: Any) -> Any:
    """Return a whole number as int; anything else as given, for the validation."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def _choice[E: (TouAction, WorkMode)](kind: type[E], name: str, value: Any) -> E:
    """Return an enum member by its value."""
    try:
        return kind(str(value))
    except ValueError as err:
        raise _fail("control_bad_choice", field=name) from err


def group_from_data(number: int, data: Mapping[str, Any]) -> TouGroup:
    """Return one time-of-use group from service data."""
    label = str(number)
    depth = data.get("depth")
    limit = data.get("charge_limit")
    return TouGroup(
        enabled=bool(data.get("enabled", True)),
        action=_choice(TouAction, "action", data.get("action", TouAction.CHARGE)),
        start=_time(label, data.get("start", "00:00")),
        end=_time(label, data.get("end", "00:00")),
        power_w=_number(data.get("power", 0)),
        days=_days(label, data.get("days", ALL_DAYS)),
        depth_enabled=depth is not None,
        depth_pct=None if depth is None else _number(depth),
        charge_limit_enabled=limit is not None,
        charge_limit_pct=None if limit is None else _number(limit),
    )


def keep_soc_fields(group: TouGroup, old: TouGroup | None) -> TouGroup:
    """Return a Cygni group whose depth or limit not given keeps the device's value."""
    depth = group.depth_pct
    if depth is None:
        depth = old.depth_pct if old is not None else None
    limit = group.charge_limit_pct
    if limit is None:
        limit = old.charge_limit_pct if old is not None else None
    return replace(
        group,
        depth_pct=CYGNI_DEPTH.low if depth is None else depth,
        charge_limit_pct=CYGNI_CHARGE_LIMIT.high if limit is None else limit,
    )


def schedule_from_data(data: Mapping[str, Any], *, work_mode: bool) -> TouSchedule:
    """Return a whole time-of-use schedule from service data."""
    mode = data.get("work_mode")
    return TouSchedule(
        groups=tuple(
            group_from_data(number, item)
            for number, item in enumerate(data.get("groups", []), start=1)
        ),
        work_mode=_choice(WorkMode, "work_mode", mode)
        if mode is not None and work_mode
        else None,
    )


def heating_from_data(data: Mapping[str, Any]) -> HeatingSchedule:
    """Return all heating periods from service data."""
    periods = []
    for number, item in enumerate(data.get("periods", []), start=1):
        label = str(number)
        periods.append(
            HeatingPeriod(
                enabled=bool(item.get("enabled", True)),
                start=_time(label, item.get("start", "00:00")),
                end=_time(label, item.get("end", "00:00")),
                min_temp_c=_number(item.get("min_temperature", 10)),
                max_temp_c=_number(item.get("max_temperature", 15)),
                days=_days(label, item.get("days", ALL_DAYS)),
            )
        )
    return HeatingSchedule(periods=tuple(periods))


def _day_names(days: frozenset[Weekday]) -> list[str]:
    """Return week days as names, Monday first."""
    return [DAY_NAMES[int(day)] for day in sorted(days)]


def group_as_data(group: TouGroup, *, soc_fields: bool) -> dict[str, Any]:
    """Return one group as response data and attributes."""
    data: dict[str, Any] = {
        "enabled": group.enabled,
        "action": group.action.value,
        "start": group.start.strftime("%H:%M"),
        "end": group.end.strftime("%H:%M"),
        "power": group.power_w,
        "days": _day_names(group.days),
    }
    if soc_fields:
        data["depth"] = group.depth_pct if group.depth_enabled else None
        data["charge_limit"] = (
            group.charge_limit_pct if group.charge_limit_enabled else None
        )
    return data


def schedule_as_data(schedule: TouSchedule, *, soc_fields: bool) -> dict[str, Any]:
    """Return a schedule as response data and attributes."""
    data: dict[str, Any] = {
        "groups": [
            group_as_data(group, soc_fields=soc_fields) for group in schedule.groups
        ]
    }
    if schedule.work_mode is not None:
        data["work_mode"] = schedule.work_mode.value
    return data


def heating_as_data(schedule: HeatingSchedule) -> dict[str, Any]:
    """Return the heating periods as response data and attributes."""
    return {
        "periods": [
            {
                "enabled": period.enabled,
                "start": period.start.strftime("%H:%M"),
                "end": period.end.strftime("%H:%M"),
                "min_temperature": period.min_temp_c,
                "max_temperature": period.max_temp_c,
                "days": _day_names(period.days),
            }
            for period in schedule.periods
        ]
    }
