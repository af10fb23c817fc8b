"""Safety rules of settings writes: validation, merging, rate cap, read-back."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import time
import itertools
import logging
import time as _time
from typing import Any, Final

from .exceptions import (
    DynessError,
    DynessReadBackError,
    DynessValidationError,
    DynessWriteRateLimitError,
)
from .scheduler import Priority
from .settings import (
    CygniBattery,
    HeatingPeriod,
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
from .settings_client import SettingsClient
from .settings_codec import READ_BACK_WAITS

_LOGGER = logging.getLogger(__name__)

MAX_WRITES: Final = 6
WRITE_WINDOW: Final = 600.0
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

    min_groups: int
    max_groups: int
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
        min_groups=4,
        max_groups=4,
        power=Span(0, 800),
        soc_fields=False,
        work_mode=False,
    ),
    # The PDF says 2000 W; Cygni inverters accept up to 10 000 W (AIST).
    SettingsFamily.CYGNI: ScheduleRules(
        min_groups=1,
        max_groups=4,
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


def _fail(key: str, **placeholders: object) -> DynessValidationError:
    """Return a validation error with string placeholders."""
    return DynessValidationError(key, {k: str(v) for k, v in placeholders.items()})


def check_number(name: str, value: object, span: Span) -> int:
    """Return `value` if it is a whole number inside `span` on its step."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail("control_not_a_number", field=name, value=value)
    if not span.low <= value <= span.high:
        raise _fail(
            "control_out_of_range",
            field=name,
            value=value,
            min=span.low,
            max=span.high,
        )
    if (value - span.low) % span.step:
        raise _fail("control_not_on_step", field=name, value=value, step=span.step)
    return value


def _check_days(label: str, days: object) -> frozenset[Weekday]:
    """Return the week days of an enabled group or period; at least one."""
    if not isinstance(days, frozenset) or not all(
        isinstance(day, Weekday) for day in days
    ):
        raise _fail("control_bad_days", group=label)
    if not days:
        raise _fail("control_no_days", group=label)
    return days


def _check_window(label: str, start: object, end: object) -> None:
    """Refuse missing times and a window that starts where it ends."""
    if not isinstance(start, time) or not isinstance(end, time):
        raise _fail("control_bad_time", group=label)
    if (start.hour, start.minute) == (end.hour, end.minute):
        raise _fail("control_empty_window", group=label)


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
            raise _fail("control_field_not_supported", group=label)
        if group.depth_enabled or group.charge_limit_enabled:
            raise _fail("control_field_not_supported", group=label)
        return
    depth = check_number("depth_pct", group.depth_pct, CYGNI_DEPTH)
    limit = check_number("charge_limit_pct", group.charge_limit_pct, CYGNI_CHARGE_LIMIT)
    if group.depth_enabled and group.charge_limit_enabled and limit <= depth:
        raise _fail("control_limit_below_depth", depth=depth, limit=limit)


def validate_schedule(family: SettingsFamily, schedule: TouSchedule) -> None:
    """Check every group of a schedule and that enabled groups do not overlap."""
    rules = SCHEDULE_RULES.get(family)
    if rules is None:
        raise _fail("control_not_supported", family=family)
    count = len(schedule.groups)
    if not rules.min_groups <= count <= rules.max_groups:
        raise _fail(
            "control_group_count",
            count=count,
            min=rules.min_groups,
            max=rules.max_groups,
        )
    if (schedule.work_mode is not None) != rules.work_mode:
        raise _fail("control_field_not_supported", group="work_mode")
    if schedule.work_mode is not None and not isinstance(schedule.work_mode, WorkMode):
        raise _fail("control_bad_choice", field="work_mode")
    covered: list[tuple[int, set[int]]] = []
    for number, group in enumerate(schedule.groups, start=1):
        label = str(number)
        if not isinstance(group.action, TouAction):
            raise _fail("control_bad_choice", field="action")
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
            raise _fail("control_groups_overlap", first=first, second=second)


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
        raise _fail("control_limit_below_depth", depth=on_depth, limit=limit)
    if settings.off_grid_charge_limit_pct is not None:
        off_limit = check_number(
            "off_grid_charge_limit_pct",
            settings.off_grid_charge_limit_pct,
            CYGNI_CHARGE_LIMIT,
        )
        if off_limit <= off_depth:
            raise _fail("control_limit_below_depth", depth=off_depth, limit=off_limit)


def validate_heating(schedule: HeatingSchedule) -> None:
    """Check up to four heating periods: times, days, temperatures and their gap."""
    if len(schedule.periods) > MAX_HEATING_PERIODS:
        raise _fail(
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
            raise _fail("control_temperature_gap", group=label, gap=HEATING_MIN_GAP)
        _check_days(label, period.days)


_EXPECTED: Final[dict[SettingKind, type]] = {
    SettingKind.JUNIOR_BOX_BASE: JuniorBoxBase,
    SettingKind.TOU_SCHEDULE: TouSchedule,
    SettingKind.CYGNI_BATTERY: CygniBattery,
    SettingKind.HEATING: HeatingSchedule,
}


def validate(family: SettingsFamily, kind: SettingKind, value: Setting) -> None:
    """Check any setting group against the rules of its family."""
    if not isinstance(value, _EXPECTED[kind]):
        raise _fail("control_not_supported", family=family)
    if isinstance(value, JuniorBoxBase):
        validate_junior_box_base(value)
    elif isinstance(value, TouSchedule):
        validate_schedule(family, value)
    elif isinstance(value, CygniBattery):
        validate_cygni_battery(value)
    else:
        validate_heating(value)


# --- read-modify-write ------------------------------------------------------


def apply_changes[T: (JuniorBoxBase, CygniBattery, TouGroup, HeatingPeriod)](
    current: T, changes: Mapping[str, Any]
) -> T:
    """Return `current` with only the named fields changed."""
    known = {item.name for item in fields(current)}
    for name in changes:
        if name not in known:
            raise _fail("control_unknown_field", field=name)
    return replace(current, **changes)


def _change_item[T: (TouGroup, HeatingPeriod)](
    items: tuple[T, ...], number: int, changes: Mapping[str, Any]
) -> tuple[T, ...]:
    """Return `items` with item `number` (1-based) changed, the others kept."""
    if not 1 <= number <= len(items):
        raise _fail("control_no_such_group", group=number)
    changed = list(items)
    changed[number - 1] = apply_changes(changed[number - 1], changes)
    return tuple(changed)


def change_group(
    schedule: TouSchedule, number: int, changes: Mapping[str, Any]
) -> TouSchedule:
    """Return the whole schedule with group `number` (1-based) changed."""
    return replace(schedule, groups=_change_item(schedule.groups, number, changes))


def change_period(
    schedule: HeatingSchedule, number: int, changes: Mapping[str, Any]
) -> HeatingSchedule:
    """Return all heating periods with period `number` (1-based) changed."""
    return replace(schedule, periods=_change_item(schedule.periods, number, changes))


def needs_write(current: Setting | None, requested: Setting) -> bool:
    """Return whether sending `requested` would change anything."""
    return current != requested


# --- write rate cap -----------------------------------------------------------


class WriteRateCap:
    """At most `max_writes` writes per device within `window` seconds."""

    def __init__(
        self,
        *,
        max_writes: int = MAX_WRITES,
        window: float = WRITE_WINDOW,
        clock: Callable[[], float] | None = None,
    ) -> None:
        """Start with no writes recorded."""
        self.max_writes = max_writes
        self.window = window
        self._clock = clock or _time.monotonic
        self._writes: dict[str, deque[float]] = {}

    def _recent(self, device_sn: str) -> deque[float]:
        """Return the device's writes inside the window."""
        writes = self._writes.setdefault(device_sn, deque())
        horizon = self._clock() - self.window
        while writes and writes[0] <= horizon:
            writes.popleft()
        return writes

    def wait_for(self, device_sn: str) -> float:
        """Return seconds until the device may be written again (0: now)."""
        writes = self._recent(device_sn)
        if len(writes) < self.max_writes:
            return 0.0
        return writes[0] + self.window - self._clock()

    def check(self, device_sn: str) -> None:
        """Raise when the device's writes are used up for now."""
        wait = self.wait_for(device_sn)
        if wait > 0:
            raise DynessWriteRateLimitError(wait)

    def record(self, device_sn: str) -> None:
        """Count one write of the device now."""
        self._recent(device_sn).append(self._clock())


# --- read-back ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadBack[T]:
    """Outcome of the checks after a write."""

    matched: bool
    reported: T | None
    reads: int


@dataclass(frozen=True, slots=True)
class ReadBackPolicy:
    """Reads a setting back after a write, waiting `waits` seconds before each read."""

    waits: tuple[float, ...]

    @classmethod
    def for_family(cls, family: SettingsFamily) -> ReadBackPolicy:
        """Return the waits that suit a family's read-back lag."""
        return cls(READ_BACK_WAITS[family])

    @property
    def longest(self) -> float:
        """Return the longest total wait."""
        return sum(self.waits)

    async def confirm[T](
        self,
        read: Callable[[], Awaitable[T]],
        expected: T,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> ReadBack[T]:
        """Read until the device reports `expected` or the waits are used up."""
        reported: T | None = None
        reads = 0
        for wait in self.waits:
            await sleep(wait)
            try:
                reported = await read()
            except DynessError as err:
                _LOGGER.debug("Read-back failed: %s", err)
                continue
            finally:
                reads += 1
            if reported == expected:
                return ReadBack(True, reported, reads)
        return ReadBack(False, reported, reads)


# --- the whole write -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a write did: old and requested value, whether it was sent, the device's value."""

    old: Setting
    new: Setting
    sent: bool
    reported: Setting


class SettingsWriter:
    """Validates, caps, sends, logs and reads back writes of one App ID."""

    def __init__(
        self,
        settings: SettingsClient,
        cap: WriteRateCap | None = None,
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Write through `settings`, counting writes in `cap`."""
        self.settings = settings
        self.cap = cap or WriteRateCap()
        self._sleep = sleep

    async def read_current(
        self, device_sn: str, family: SettingsFamily, kind: SettingKind
    ) -> Setting:
        """Read a setting group fresh, before a user's change, at control priority."""
        return await self.settings.read(
            device_sn, family, kind, priority=Priority.CONTROL
        )

    async def write(
        self,
        device_sn: str,
        family: SettingsFamily,
        kind: SettingKind,
        current: Setting,
        requested: Setting,
    ) -> WriteResult:
        """Send `requested` unless unchanged; raise if the device disagrees after."""
        validate(family, kind, requested)
        if not needs_write(current, requested):
            return WriteResult(current, requested, sent=False, reported=current)
        self.cap.check(device_sn)
        # Counted before sending: a write that timed out may still have landed.
        self.cap.record(device_sn)
        await self.settings.write(device_sn, family, kind, requested)
        _LOGGER.info(
            "Changed %s of %s from %s to %s",
            kind,
            redact_serial(device_sn),
            current,
            requested,
        )

        async def _read() -> Setting:
            return await self.settings.read(
                device_sn, family, kind, priority=Priority.CONTROL
            )

        expected = self.settings.as_sent(family, kind, requested)
        outcome = await ReadBackPolicy.for_family(family).confirm(
            _read, expected, sleep=self._sleep
        )
        if not outcome.matched:
            raise DynessReadBackError(expected, outcome.reported)
        return WriteResult(current, requested, sent=True, reported=requested)
