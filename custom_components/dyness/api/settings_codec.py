"""Wire format of the v2 settings endpoints, with every known quirk in one place.

Nothing outside this module knows field names, flag polarities, day numbers or
mode codes of `Get…Setting` / `Set…Setting` (docs/controls.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import time
from typing import Any, Final

from .exceptions import DynessResponseError
from .settings import (
    CygniBattery,
    HeatingPeriod,
    HeatingSchedule,
    JuniorBoxBase,
    SettingKind,
    SettingsFamily,
    TouAction,
    TouGroup,
    TouSchedule,
    Weekday,
    WorkMode,
)

# Get and Set path of each setting kind (docs/controls.md).
PATHS: Final[dict[SettingKind, tuple[str, str]]] = {
    SettingKind.JUNIOR_BOX_BASE: ("/v2/GetBaseSetting", "/v2/SetBaseSetting"),
    SettingKind.TOU_SCHEDULE: ("/v2/GetWorkModeSetting", "/v2/SetWorkModeSetting"),
    SettingKind.CYGNI_BATTERY: ("/v2/GetBatterySetting", "/v2/SetBatterySetting"),
    SettingKind.HEATING: ("/v2/GetBatterySetting", "/v2/SetBatterySetting"),
}

# The cloud's answer when v2 knows a serial but has no settings for it (#47).
NOT_CONFIGURED_INFO: Final = "device is not configured"

WORK_MODE_CODES: Final[dict[WorkMode, str]] = {
    WorkMode.SELF_USE: "0",
    WorkMode.OFF_GRID: "1",
    WorkMode.ECONOMIC: "3",
    WorkMode.BATTERY_PRIORITY: "6",
}
_WORK_MODES = {code: mode for mode, code in WORK_MODE_CODES.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class WireQuirks:
    """How one family encodes flags, week days and group modes."""

    # The flag values that mean "on" and "off" (state, dodState, status, …).
    on: str
    off: str
    # The day the wire's day number 0 stands for.
    day_zero: Weekday
    charge_mode: str
    discharge_mode: str


# The Cygni PDF says 0 = on, the inverter treats 0 as off (AIST): we send what
# the devices do. Cygni day 0 is Monday (AIST); the Junior Box and the heating
# periods are assumed to count the same way.
QUIRKS: Final[dict[SettingsFamily, WireQuirks]] = {
    SettingsFamily.JUNIOR_BOX: WireQuirks(
        on="1", off="0", day_zero=Weekday.MONDAY, charge_mode="0", discharge_mode="1"
    ),
    SettingsFamily.CYGNI: WireQuirks(
        on="1", off="0", day_zero=Weekday.MONDAY, charge_mode="0", discharge_mode="1"
    ),
    SettingsFamily.LV_HEATING: WireQuirks(
        on="1", off="0", day_zero=Weekday.MONDAY, charge_mode="0", discharge_mode="1"
    ),
}

# Seconds to wait before each read-back after a write. The Junior Box applies a
# write almost at once but reports it late and flickering, so it waits longer.
READ_BACK_WAITS: Final[dict[SettingsFamily, tuple[float, ...]]] = {
    SettingsFamily.JUNIOR_BOX: (10.0, 20.0, 30.0),
    SettingsFamily.CYGNI: (5.0, 15.0),
    SettingsFamily.LV_HEATING: (5.0, 15.0),
}


# --- scalar helpers --------------------------------------------------------


def _mapping(data: Any, what: str) -> Mapping[str, Any]:
    """Return data as a mapping or raise a response error."""
    if not isinstance(data, Mapping):
        raise DynessResponseError(f"{what}: expected an object")
    return data


def _int(data: Mapping[str, Any], key: str, what: str) -> int:
    """Return an integer field sent as number or decimal string."""
    value = data.get(key)
    if isinstance(value, bool):
        raise DynessResponseError(f"{what}: {key} is not a number")
    try:
        number = float(str(value).strip())
    except ValueError as err:
        raise DynessResponseError(f"{what}: {key} is not a number") from err
    if number != int(number):
        raise DynessResponseError(f"{what}: {key} is not a whole number")
    return int(number)


def _optional_int(data: Mapping[str, Any], key: str, what: str) -> int | None:
    """Return an integer field, None when absent or empty."""
    if data.get(key) in (None, ""):
        return None
    return _int(data, key, what)


def _time(data: Mapping[str, Any], key: str, what: str) -> time:
    """Parse `HH:mm` (seconds tolerated)."""
    text = str(data.get(key) or "").strip()
    try:
        parts = [int(part) for part in text.split(":")]
        return time(parts[0], parts[1])
    except (ValueError, IndexError) as err:
        raise DynessResponseError(f"{what}: {key} is not a time") from err


def _hhmm(moment: time) -> str:
    """Format a time as the wire's `HH:mm`."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def _flag(quirks: WireQuirks, data: Mapping[str, Any], key: str, what: str) -> bool:
    """Decode an on/off flag with the family's polarity."""
    value = str(data.get(key, "")).strip()
    if value == quirks.on:
        return True
    if value == quirks.off:
        return False
    raise DynessResponseError(f"{what}: {key} is neither on nor off")


def _flag_text(quirks: WireQuirks, value: bool) -> str:
    """Encode an on/off flag with the family's polarity."""
    return quirks.on if value else quirks.off


def _days(quirks: WireQuirks, value: Any, what: str) -> frozenset[Weekday]:
    """Decode `"0,1,2"` (or a list) into week days."""
    items: Iterable[Any] = (
        value if isinstance(value, list) else str(value or "").split(",")
    )
    days: set[Weekday] = set()
    for item in items:
        text = str(item).strip()
        if not text:
            continue
        try:
            number = int(text)
        except ValueError as err:
            raise DynessResponseError(f"{what}: bad week day {text!r}") from err
        if not 0 <= number <= 6:
            raise DynessResponseError(f"{what}: bad week day {number}")
        days.add(Weekday((number + quirks.day_zero) % 7))
    return frozenset(days)


def _days_text(quirks: WireQuirks, days: frozenset[Weekday]) -> str:
    """Encode week days as the wire's sorted `"0,1,2"`."""
    numbers = sorted((int(day) - quirks.day_zero) % 7 for day in days)
    return ",".join(str(number) for number in numbers)


def _work_mode(code: Any, what: str) -> WorkMode:
    """Decode a work mode code."""
    mode = _WORK_MODES.get(str(code).strip())
    if mode is None:
        raise DynessResponseError(f"{what}: unknown work mode {code!r}")
    return mode


# --- Junior Box base settings ---------------------------------------------


def decode_junior_box_base(data: Any) -> JuniorBoxBase:
    """Decode `GetBaseSetting` of a Junior Box."""
    what = "GetBaseSetting"
    body = _mapping(data, what)
    # workMode has no effect on the box; an unknown code is not an error.
    mode = _WORK_MODES.get(str(body.get("workMode", "")).strip(), WorkMode.SELF_USE)
    return JuniorBoxBase(
        power_limit_w=_int(body, "powerLimit", what),
        discharge_depth_pct=_int(body, "dischargeDepth", what),
        work_mode=mode,
    )


def encode_junior_box_base(base: JuniorBoxBase) -> dict[str, Any]:
    """Encode `SetBaseSetting` of a Junior Box (workMode is required, ignored)."""
    return {
        "workMode": WORK_MODE_CODES[base.work_mode],
        "powerLimit": str(base.power_limit_w),
        "dischargeDepth": str(base.discharge_depth_pct),
    }


# --- time-of-use schedules ------------------------------------------------


def _decode_group(family: SettingsFamily, item: Any, what: str) -> tuple[int, TouGroup]:
    """Decode one `workGroups` entry into its number and group."""
    quirks = QUIRKS[family]
    data = _mapping(item, what)
    mode = str(data.get("mode", "")).strip()
    if mode == quirks.charge_mode:
        action = TouAction.CHARGE
    elif mode == quirks.discharge_mode:
        action = TouAction.DISCHARGE
    else:
        raise DynessResponseError(f"{what}: unknown group mode {mode!r}")
    group = TouGroup(
        enabled=_flag(quirks, data, "state", what),
        action=action,
        start=_time(data, "startTime", what),
        end=_time(data, "endTime", what),
        power_w=_int(data, "power", what),
        days=_days(quirks, data.get("week"), what),
    )
    if family is SettingsFamily.CYGNI:
        group = replace(
            group,
            depth_enabled=_flag(quirks, data, "dodState", what),
            depth_pct=_optional_int(data, "dod", what),
            charge_limit_enabled=_flag(quirks, data, "socMaxChargeState", what),
            charge_limit_pct=_optional_int(data, "batterySocMaxCharge", what),
        )
    return _int(data, "batteryWorkGroup", what), group


def decode_schedule(family: SettingsFamily, data: Any) -> TouSchedule:
    """Decode `GetWorkModeSetting`: groups in group-number order."""
    what = "GetWorkModeSetting"
    body = _mapping(data, what)
    items = body.get("workGroups") or []
    if not isinstance(items, list):
        raise DynessResponseError(f"{what}: workGroups is not a list")
    numbered = sorted(
        (_decode_group(family, item, what) for item in items), key=lambda g: g[0]
    )
    mode = None
    if family is SettingsFamily.CYGNI and body.get("workMode") not in (None, ""):
        mode = _work_mode(body.get("workMode"), what)
    return TouSchedule(groups=tuple(group for _, group in numbered), work_mode=mode)


def _encode_group(
    family: SettingsFamily, number: int, group: TouGroup
) -> dict[str, Any]:
    """Encode one group as a `workGroups` entry."""
    quirks = QUIRKS[family]
    item: dict[str, Any] = {
        "batteryWorkGroup": number,
        "state": _flag_text(quirks, group.enabled),
        "mode": quirks.charge_mode
        if group.action is TouAction.CHARGE
        else quirks.discharge_mode,
        "startTime": _hhmm(group.start),
        "endTime": _hhmm(group.end),
        "power": str(group.power_w),
        "week": _days_text(quirks, group.days),
    }
    if family is SettingsFamily.CYGNI:
        item.update(
            dodState=_flag_text(quirks, group.depth_enabled),
            dod=str(group.depth_pct or 0),
            socMaxChargeState=_flag_text(quirks, group.charge_limit_enabled),
            batterySocMaxCharge=str(group.charge_limit_pct or 100),
        )
    return item


def encode_schedule(family: SettingsFamily, schedule: TouSchedule) -> dict[str, Any]:
    """Encode `SetWorkModeSetting`; groups are numbered 1… in order."""
    body: dict[str, Any] = {
        "workGroups": [
            _encode_group(family, number, group)
            for number, group in enumerate(schedule.groups, start=1)
        ]
    }
    if family is SettingsFamily.JUNIOR_BOX:
        # Required by the Junior Box, which ignores it (SH-idx).
        body["workMode"] = WORK_MODE_CODES[WorkMode.SELF_USE]
    elif schedule.work_mode is not None:
        body["workMode"] = WORK_MODE_CODES[schedule.work_mode]
    return body


# --- Cygni battery settings -----------------------------------------------


def decode_cygni_battery(data: Any) -> CygniBattery:
    """Decode `GetBatterySetting` of a Cygni."""
    what = "GetBatterySetting"
    body = _mapping(data, what)
    return CygniBattery(
        on_grid_depth_pct=_int(body, "onGridDischargeDod", what),
        off_grid_depth_pct=_int(body, "offGridDischargeDod", what),
        charge_limit_pct=_int(body, "batteryChargeLimit", what),
        off_grid_charge_limit_pct=_optional_int(
            body, "batteryOffGridChargeLimit", what
        ),
    )


def encode_cygni_battery(settings: CygniBattery) -> dict[str, Any]:
    """Encode `SetBatterySetting` of a Cygni."""
    body = {
        "onGridDischargeDod": str(settings.on_grid_depth_pct),
        "offGridDischargeDod": str(settings.off_grid_depth_pct),
        "batteryChargeLimit": str(settings.charge_limit_pct),
    }
    if settings.off_grid_charge_limit_pct is not None:
        body["batteryOffGridChargeLimit"] = str(settings.off_grid_charge_limit_pct)
    return body


# --- heating periods ------------------------------------------------------


def decode_heating(data: Any) -> HeatingSchedule:
    """Decode `GetBatterySetting` of a low-voltage battery with heating."""
    what = "GetBatterySetting"
    quirks = QUIRKS[SettingsFamily.LV_HEATING]
    body = _mapping(data, what)
    items = body.get("heatingPeriodList") or []
    if not isinstance(items, list):
        raise DynessResponseError(f"{what}: heatingPeriodList is not a list")
    periods = []
    for item in items:
        period = _mapping(item, what)
        periods.append(
            HeatingPeriod(
                enabled=_flag(quirks, period, "status", what),
                start=_time(period, "startTime", what),
                end=_time(period, "endTime", what),
                min_temp_c=_int(period, "tempMin", what),
                max_temp_c=_int(period, "tempMax", what),
                days=_days(quirks, period.get("weekInfo"), what),
            )
        )
    return HeatingSchedule(periods=tuple(periods))


def encode_heating(schedule: HeatingSchedule) -> dict[str, Any]:
    """Encode `SetBatterySetting` with the heating periods."""
    quirks = QUIRKS[SettingsFamily.LV_HEATING]
    return {
        "heatingPeriodList": [
            {
                "status": _flag_text(quirks, period.enabled),
                "startTime": _hhmm(period.start),
                "endTime": _hhmm(period.end),
                "tempMin": str(period.min_temp_c),
                "tempMax": str(period.max_temp_c),
                "weekInfo": _days_text(quirks, period.days),
            }
            for period in schedule.periods
        ]
    }


def is_not_configured(info: str) -> bool:
    """Return whether an error text is v2's `Device is not configured`."""
    return NOT_CONFIGURED_INFO in info.lower()
