"""Safety rules of settings writes: validation, merging, rate cap, read-back."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, fields, replace
import logging
import time as _time
from typing import Any, Final

from .exceptions import (
    DynessError,
    DynessReadBackError,
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
    TouGroup,
    TouSchedule,
)
from .settings_client import SettingsClient
from .settings_codec import READ_BACK_WAITS
from .validation import invalid, redact_serial, validate

_LOGGER = logging.getLogger(__name__)

MAX_WRITES: Final = 6
WRITE_WINDOW: Final = 600.0
# --- read-modify-write ------------------------------------------------------


def apply_changes[T: (JuniorBoxBase, CygniBattery, TouGroup, HeatingPeriod)](
    current: T, changes: Mapping[str, Any]
) -> T:
    """Return `current` with only the named fields changed."""
    known = {item.name for item in fields(current)}
    for name in changes:
        if name not in known:
            raise invalid("control_unknown_field", field=name)
    return replace(current, **changes)


def _change_item[T: (TouGroup, HeatingPeriod)](
    items: tuple[T, ...], number: int, changes: Mapping[str, Any]
) -> tuple[T, ...]:
    """Return `items` with item `number` (1-based) changed, the others kept."""
    if not 1 <= number <= len(items):
        raise invalid("control_no_such_group", group=number)
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
