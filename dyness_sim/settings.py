"""v2 settings of a simulated device: wire state, server-side checks, effects.

The simulator keeps settings in wire form (strings, as the cloud sends them) and
reads its own meaning from them, independently of the integration's codec:
flags `"1"` on, `"0"` off (what Cygni inverters do, opposite to their PDF); week
day 0 is Monday; group mode `"0"` charges, `"1"` discharges. Until a setting
group is first written the battery follows its household profile alone.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timedelta
import re
from typing import Any, Literal

type SettingsFamily = Literal["junior_box", "cygni", "lv_heating"]
type Kind = Literal["base", "work", "battery"]

INVALID = "Invalid Parameter"
NOT_NULL = "request parameter is not null"
# The Junior Box applies a write at once but reports it late (doc §7).
JUNIOR_BOX_LAG = timedelta(seconds=15)
_TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
# Heater: warms the cells towards this much above the period's maximum.
HEATER_OVERSHOOT_C = 3.0


class SettingsError(Exception):
    """A `Set…` body the cloud refuses (code 500 with `info`)."""

    def __init__(self, info: str = INVALID) -> None:
        """Keep the info text."""
        super().__init__(info)
        self.info = info


def _number(body: dict[str, Any], key: str, low: int, high: int, step: int = 1) -> str:
    """Return a field as decimal text after checking range and step."""
    value = body.get(key)
    if value is None or value == "":
        raise SettingsError(NOT_NULL)
    try:
        number = int(str(value).strip())
    except ValueError as err:
        raise SettingsError from err
    if not low <= number <= high or (number - low) % step:
        raise SettingsError
    return str(number)


def _choice(body: dict[str, Any], key: str, allowed: tuple[str, ...]) -> str:
    """Return a field that must be one of `allowed`."""
    value = str(body.get(key, "")).strip()
    if value not in allowed:
        raise SettingsError(NOT_NULL if value == "" else INVALID)
    return value


def _clock(body: dict[str, Any], key: str) -> str:
    """Return an `HH:mm` field."""
    value = str(body.get(key, "")).strip()
    if not _TIME_RE.match(value):
        raise SettingsError
    return value


def _week(body: dict[str, Any], key: str) -> str:
    """Return a `"0,1,…"` week field (days 0 to 6, may be empty)."""
    value = str(body.get(key, "")).strip()
    days = [part.strip() for part in value.split(",") if part.strip()]
    if any(day not in "0123456" or len(day) != 1 for day in days):
        raise SettingsError
    return ",".join(sorted(set(days)))


def _list(body: dict[str, Any], key: str, low: int, high: int) -> list[Any]:
    """Return a list field with a length in `low..high`."""
    items = body.get(key)
    if not isinstance(items, list) or not low <= len(items) <= high:
        raise SettingsError(NOT_NULL if items is None else INVALID)
    if not all(isinstance(item, dict) for item in items):
        raise SettingsError
    return items


@dataclass(frozen=True, slots=True)
class FamilyRules:
    """What one family accepts on `SetWorkModeSetting`."""

    groups: tuple[int, int]
    max_power: int
    soc_fields: bool


WORK_RULES: dict[SettingsFamily, FamilyRules] = {
    "junior_box": FamilyRules(groups=(4, 4), max_power=800, soc_fields=False),
    "cygni": FamilyRules(groups=(1, 4), max_power=10000, soc_fields=True),
}


def _group(item: dict[str, Any], rules: FamilyRules) -> dict[str, str]:
    """Check one `workGroups` entry and return it in wire form."""
    group = {
        "batteryWorkGroup": _number(item, "batteryWorkGroup", 1, 4),
        "state": _choice(item, "state", ("0", "1")),
        "mode": _choice(item, "mode", ("0", "1")),
        "startTime": _clock(item, "startTime"),
        "endTime": _clock(item, "endTime"),
        "power": _number(item, "power", 0, rules.max_power),
        "week": _week(item, "week"),
    }
    if rules.soc_fields:
        group.update(
            dodState=_choice(item, "dodState", ("0", "1")),
            dod=_number(item, "dod", 0, 100),
            socMaxChargeState=_choice(item, "socMaxChargeState", ("0", "1")),
            batterySocMaxCharge=_number(item, "batterySocMaxCharge", 0, 100),
        )
    return group


def _heating_period(item: dict[str, Any]) -> dict[str, str]:
    """Check one heating period (max at least 5 °C above min)."""
    period = {
        "status": _choice(item, "status", ("0", "1")),
        "startTime": _clock(item, "startTime"),
        "endTime": _clock(item, "endTime"),
        "tempMin": _number(item, "tempMin", 10, 15),
        "tempMax": _number(item, "tempMax", 15, 20),
        "weekInfo": _week(item, "weekInfo"),
    }
    if int(period["tempMax"]) - int(period["tempMin"]) < 5:
        raise SettingsError
    return period


def _junior_group(
    number: int, on: bool, mode: str, span: tuple[str, str], power: int
) -> dict[str, str]:
    """Return a Junior Box group in wire form (every day when on)."""
    return {
        "batteryWorkGroup": str(number),
        "state": "1" if on else "0",
        "mode": mode,
        "startTime": span[0],
        "endTime": span[1],
        "power": str(power),
        "week": "0,1,2,3,4,5,6" if on else "",
    }


def _defaults(family: SettingsFamily) -> dict[Kind, dict[str, Any]]:
    """Return the factory settings of a family."""
    if family == "junior_box":
        return {
            "base": {"workMode": "0", "powerLimit": "800", "dischargeDepth": "90"},
            "work": {
                "workGroups": [
                    _junior_group(1, True, "0", ("08:00", "17:00"), 800),
                    _junior_group(2, True, "1", ("17:00", "23:00"), 300),
                    _junior_group(3, False, "0", ("00:00", "00:00"), 0),
                    _junior_group(4, False, "0", ("00:00", "00:00"), 0),
                ]
            },
        }
    if family == "cygni":
        off = {
            "state": "0",
            "mode": "0",
            "startTime": "00:00",
            "endTime": "00:00",
            "power": "0",
            "week": "",
            "dodState": "0",
            "dod": "20",
            "socMaxChargeState": "0",
            "batterySocMaxCharge": "100",
        }
        return {
            "battery": {
                "onGridDischargeDod": "20",
                "offGridDischargeDod": "10",
                "batteryChargeLimit": "100",
                "batteryOffGridChargeLimit": "100",
            },
            "work": {
                "workMode": "0",
                "workGroups": [
                    {"batteryWorkGroup": str(n), **off} for n in range(1, 5)
                ],
            },
        }
    return {
        "battery": {
            "heatingPeriodList": [
                {
                    "status": "0",
                    "startTime": "00:00",
                    "endTime": "06:00",
                    "tempMin": "10",
                    "tempMax": "15",
                    "weekInfo": "",
                }
            ]
        }
    }


def _in_window(local: datetime, start: str, end: str, week: str) -> bool:
    """Return whether a local time lies in an `HH:mm` window on a listed day."""
    days = {int(day) for day in week.split(",") if day}
    minute = local.hour * 60 + local.minute
    first = int(start[:2]) * 60 + int(start[3:])
    last = int(end[:2]) * 60 + int(end[3:])
    if first < last:
        return local.weekday() in days and first <= minute < last
    if first == last:
        return False
    # Over midnight: the part after midnight belongs to the previous day's window.
    if minute >= first:
        return local.weekday() in days
    return minute < last and (local.weekday() - 1) % 7 in days


@dataclass(frozen=True, slots=True)
class Shape:
    """How the settings bend one slot's power plan."""

    # Power the battery is asked for (W, + charging); None: the household decides.
    forced_w: float | None = None
    floor_soc: float | None = None
    ceiling_soc: float | None = None
    # Largest discharge power (W).
    max_discharge_w: float | None = None


class DeviceSettings:
    """The v2 settings of one device and what they do to it."""

    def __init__(self, family: SettingsFamily) -> None:
        """Start from factory settings, none of them in force yet."""
        self.family = family
        self._state = _defaults(family)
        self._shown: dict[Kind, tuple[dict[str, Any], datetime]] = {}
        self.written: set[Kind] = set()
        self.writes = 0
        # How long a written value takes to show in reads.
        self.lag = JUNIOR_BOX_LAG if family == "junior_box" else timedelta(0)

    @property
    def kinds(self) -> tuple[Kind, ...]:
        """Return the setting groups this device has."""
        return tuple(self._state)

    def current(self, kind: Kind) -> dict[str, Any]:
        """Return what the device runs with now (no lag)."""
        return self._state[kind]

    def shown(self, kind: Kind, now: datetime) -> dict[str, Any]:
        """Return what a read reports at `now` (the previous value during the lag)."""
        previous = self._shown.get(kind)
        if previous is not None and now < previous[1] + self.lag:
            return deepcopy(previous[0])
        return deepcopy(self._state[kind])

    def write(self, kind: Kind, body: dict[str, Any], now: datetime) -> None:
        """Check and apply a `Set…` body (SettingsError when refused)."""
        if kind not in self._state:
            raise KeyError(kind)
        fresh = self._checked(kind, body)
        self._shown[kind] = (self.shown(kind, now), now)
        self._state[kind] = fresh
        self.written.add(kind)
        self.writes += 1

    def _checked(self, kind: Kind, body: dict[str, Any]) -> dict[str, Any]:
        """Return the new wire state of `kind` from a request body."""
        if kind == "base":
            return {
                # Required although the Junior Box ignores it (SH-idx).
                "workMode": _choice(body, "workMode", ("0", "1", "3", "6")),
                "powerLimit": _number(body, "powerLimit", 152, 800, 8),
                "dischargeDepth": _number(body, "dischargeDepth", 20, 100),
            }
        if kind == "work":
            rules = WORK_RULES[self.family]
            items = _list(body, "workGroups", *rules.groups)
            groups = [_group(item, rules) for item in items]
            numbers = [group["batteryWorkGroup"] for group in groups]
            if len(set(numbers)) != len(numbers):
                raise SettingsError
            state: dict[str, Any] = {
                "workGroups": sorted(groups, key=lambda g: int(g["batteryWorkGroup"]))
            }
            if self.family == "cygni":
                state["workMode"] = _choice(body, "workMode", ("0", "1", "3", "6"))
            return state
        if self.family == "lv_heating":
            items = _list(body, "heatingPeriodList", 0, 4)
            return {"heatingPeriodList": [_heating_period(item) for item in items]}
        battery = {
            "onGridDischargeDod": _number(body, "onGridDischargeDod", 0, 100),
            "offGridDischargeDod": _number(body, "offGridDischargeDod", 0, 100),
            "batteryChargeLimit": _number(body, "batteryChargeLimit", 0, 100),
        }
        if body.get("batteryOffGridChargeLimit") not in (None, ""):
            battery["batteryOffGridChargeLimit"] = _number(
                body, "batteryOffGridChargeLimit", 0, 100
            )
        else:
            battery["batteryOffGridChargeLimit"] = self._state["battery"][
                "batteryOffGridChargeLimit"
            ]
        return battery

    # --- effects on the battery -------------------------------------------

    def _active_group(self, local: datetime) -> dict[str, str] | None:
        """Return the written, enabled time-of-use group covering `local`."""
        if "work" not in self.written:
            return None
        for group in self._state["work"]["workGroups"]:
            if group["state"] == "1" and _in_window(
                local, group["startTime"], group["endTime"], group["week"]
            ):
                return dict(group)
        return None

    def shape(self, local: datetime, pv_w: float) -> Shape:
        """Return how the settings in force bend the power plan at `local`."""
        floor: float | None = None
        ceiling: float | None = None
        max_discharge: float | None = None
        forced: float | None = None
        if "base" in self.written:
            base = self._state["base"]
            floor = float(base["dischargeDepth"])
            # The power limit caps the box's output: PV plus discharge.
            max_discharge = max(0.0, float(base["powerLimit"]) - pv_w)
        if self.family == "cygni" and "battery" in self.written:
            battery = self._state["battery"]
            floor = float(battery["onGridDischargeDod"])
            ceiling = float(battery["batteryChargeLimit"])
        group = self._active_group(local)
        if group is not None:
            power = float(group["power"])
            forced = power if group["mode"] == "0" else -power
            if group.get("dodState") == "1":
                floor = float(group["dod"])
            if group.get("socMaxChargeState") == "1":
                ceiling = float(group["batterySocMaxCharge"])
        return Shape(
            forced_w=forced,
            floor_soc=floor,
            ceiling_soc=ceiling,
            max_discharge_w=max_discharge,
        )

    def heater_target(
        self, local: datetime, cell_temp: float, heating: bool
    ) -> float | None:
        """Return the temperature the heater drives to, None when it is off.

        On in a written, enabled period below its minimum; stays on until the
        maximum is reached.
        """
        if self.family != "lv_heating" or "battery" not in self.written:
            return None
        for period in self._state["battery"]["heatingPeriodList"]:
            if period["status"] != "1" or not _in_window(
                local, period["startTime"], period["endTime"], period["weekInfo"]
            ):
                continue
            low, high = float(period["tempMin"]), float(period["tempMax"])
            if cell_temp < low or (heating and cell_temp < high):
                return high + HEATER_OVERSHOOT_C
        return None

    def describe(self, now: datetime) -> dict[str, Any]:
        """Return the settings for the control API."""
        return {
            "family": self.family,
            "written": sorted(self.written),
            "writes": self.writes,
            "current": deepcopy(self._state),
            "shown": {kind: self.shown(kind, now) for kind in self._state},
        }
