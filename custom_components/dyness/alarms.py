"""Debounce of the alarm tables' conditions over distinct samples.

`AlarmTracker` turns the raw bits of successive samples into a debounced active
set and raise/clear transitions; `AlarmMonitor` runs one tracker per battery
and module of a config entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator

from .alarm_tables import AlarmKind, AlarmRow, AlarmTable, Register, alarm_table
from .api import RealtimeSnapshot
from .const import ALARM_DEBOUNCE
from .data import DynessData


class ProblemState(StrEnum):
    """State of the Problem sensor, from least to most serious."""

    OK = "ok"
    BALANCING = "balancing"
    WARNING = "warning"
    PROTECTION = "protection"
    FAULT = "fault"


class _Severity(IntEnum):
    """Order of the problem states."""

    OK = 0
    BALANCING = 1
    WARNING = 2
    PROTECTION = 3
    FAULT = 4


PROBLEM_OPTIONS: Final = [state.value for state in ProblemState]
EVENT_RAISED: Final = "alarm_raised"
EVENT_CLEARED: Final = "alarm_cleared"


@dataclass(frozen=True, kw_only=True)
class Transition:
    """A condition turning on or off after debounce."""

    key: str
    kind: AlarmKind
    raised: bool
    module: str | None = None

    @property
    def event_type(self) -> str:
        """Return the event entity's event type."""
        return EVENT_RAISED if self.raised else EVENT_CLEARED


def _sample_key(snapshot: RealtimeSnapshot) -> object:
    """Return what identifies a sample: its time `T`, else its whole content."""
    return snapshot.timestamp if snapshot.timestamp is not None else snapshot


class AlarmTracker:
    """Debounce the conditions of one device over distinct samples.

    Warnings must be set in `debounce` consecutive samples (by time `T`, so a poll
    that returns the same sample again does not count) before they turn on;
    protections and faults turn on at once. Top-of-charge warnings are reported as
    balancing instead. The first sample is the silent baseline: what is set then
    was there before Home Assistant started and raises no transition.
    """

    def __init__(self, rows: Iterable[AlarmRow], debounce: int) -> None:
        """Track the given rows, a warning needing `debounce` samples."""
        self.rows = tuple(rows)
        self.debounce = max(1, debounce)
        self.active: set[str] = set()
        self.balancing: set[str] = set()
        self.known: set[str] = set()
        self.codes: dict[str, int] = {}
        self._streak: dict[str, int] = {}
        self._last: object | None = None
        self._last_time: datetime | None = None

    @property
    def started(self) -> bool:
        """Return whether the baseline sample has been seen."""
        return self._last is not None

    def _is_new(self, snapshot: RealtimeSnapshot) -> bool:
        """Return whether a sample is newer than the last one consumed."""
        key = _sample_key(snapshot)
        if self._last is None:
            return True
        if snapshot.timestamp is not None and self._last_time is not None:
            return snapshot.timestamp > self._last_time
        return key != self._last

    def update(
        self, snapshot: RealtimeSnapshot | None, *, top_of_charge: bool = False
    ) -> tuple[Transition, ...] | None:
        """Consume a sample; return its transitions, None when it is not new."""
        if snapshot is None or not self._is_new(snapshot):
            return None
        baseline = self._last is None
        self._last = _sample_key(snapshot)
        self._last_time = snapshot.timestamp
        values = {row.key: row.source.read(snapshot) for row in self.rows}
        self.known = {key for key, value in values.items() if value is not None}
        self.codes = {
            row.key: code
            for row in self.rows
            if isinstance(row.source, Register)
            and (code := row.source.code(snapshot)) is not None
        }
        balancing = {
            row.key
            for row in self.rows
            if row.top_of_charge and top_of_charge and values[row.key]
        }
        others = {
            row.key
            for row in self.rows
            if values[row.key] and not row.summary and row.key not in balancing
        }
        if balancing and not others:
            # The overall flag only echoes the top-of-charge warnings then.
            balancing |= {
                row.key for row in self.rows if row.summary and values[row.key]
            }
        self.balancing = balancing
        transitions: list[Transition] = []
        for row in self.rows:
            value = values[row.key]
            was = row.key in self.active
            if value and row.key not in balancing:
                streak = self._streak.get(row.key, 0) + 1
                self._streak[row.key] = streak
                needed = self.debounce if row.kind is AlarmKind.WARNING else 1
                now = was or baseline or streak >= needed
            else:
                self._streak[row.key] = 0
                # An empty value is no news: keep what was shown.
                now = was and value is None
            if now and not was:
                self.active.add(row.key)
            elif was and not now:
                self.active.discard(row.key)
            if now != was and not baseline:
                transitions.append(Transition(key=row.key, kind=row.kind, raised=now))
        return tuple(transitions)

    def is_on(self, key: str) -> bool | None:
        """Return a condition's debounced state, None before any value."""
        if key in self.active:
            return True
        return False if key in self.known else None

    def problem(self) -> ProblemState:
        """Return the most serious state among the active conditions."""
        return worst(
            [row.kind for row in self.rows if row.key in self.active],
            balancing=bool(self.balancing),
        )


def worst(kinds: Iterable[AlarmKind], *, balancing: bool) -> ProblemState:
    """Return the problem state of a set of active kinds."""
    severity = max(
        (_Severity[kind.name] for kind in kinds),
        default=_Severity.BALANCING if balancing else _Severity.OK,
    )
    return ProblemState(severity.name.lower())


@dataclass(frozen=True, kw_only=True)
class ActiveCondition:
    """A condition shown on a battery's Problem sensor."""

    row: AlarmRow
    module: str | None = None
    module_index: int | None = None

    @property
    def words(self) -> str:
        """Return the condition's English name, with its module."""
        if self.module_index is None:
            return self.row.name
        return f"{self.row.name} (module {self.module_index})"


@dataclass(frozen=True, kw_only=True)
class BatteryAlarms:
    """The debounced alarm picture of one battery and its modules."""

    problem: ProblemState = ProblemState.OK
    active: tuple[ActiveCondition, ...] = ()
    balancing: tuple[ActiveCondition, ...] = ()


class AlarmMonitor:
    """Run the trackers of every battery and module of one config entry."""

    def __init__(
        self, coordinator: DataUpdateCoordinator[DynessData], debounce: int
    ) -> None:
        """Start with no sample consumed."""
        self.coordinator = coordinator
        self.debounce = debounce
        self.generation = 0
        self._trackers: dict[tuple[str, str | None], AlarmTracker] = {}
        self._tables: dict[str, AlarmTable] = {}
        self._processed: DynessData | None = None
        self._transitions: dict[str, tuple[int, tuple[Transition, ...]]] = {}

    def set_debounce(self, debounce: int) -> None:
        """Apply a new debounce to every tracker from the next sample on."""
        self.debounce = max(1, debounce)
        for tracker in self._trackers.values():
            tracker.debounce = self.debounce

    def tracker(self, serial: str, module: str | None = None) -> AlarmTracker | None:
        """Return the tracker of a battery or one of its modules."""
        self.sync()
        return self._trackers.get((serial, module))

    @callback
    def sync(self) -> None:
        """Consume the coordinator's data once, whoever asks first."""
        data = self.coordinator.data
        if data is None or data is self._processed:
            return
        self._processed = data
        self.generation += 1
        for serial, battery in data.batteries.items():
            table = alarm_table(battery.family.key)
            if self._tables.get(serial) is not table:
                # A new family (detected late) starts a new baseline.
                self._tables[serial] = table
                for key in [key for key in self._trackers if key[0] == serial]:
                    del self._trackers[key]
            top = table.at_top_of_charge(battery.realtime)
            found: list[Transition] = []
            devices: list[
                tuple[str | None, tuple[AlarmRow, ...], RealtimeSnapshot | None]
            ]
            devices = [(None, table.conditions, battery.realtime)]
            devices.extend(
                (module.serial, table.module_conditions, module.realtime)
                for module in battery.modules.values()
            )
            for module_serial, rows, snapshot in devices:
                if not rows:
                    continue
                tracker = self._trackers.get((serial, module_serial))
                if tracker is None:
                    tracker = AlarmTracker(rows, self.debounce)
                    self._trackers[(serial, module_serial)] = tracker
                changes = tracker.update(snapshot, top_of_charge=top)
                found.extend(
                    Transition(
                        key=change.key,
                        kind=change.kind,
                        raised=change.raised,
                        module=module_serial,
                    )
                    for change in changes or ()
                )
            if found:
                self._transitions[serial] = (self.generation, tuple(found))

    def transitions(self, serial: str) -> tuple[int, tuple[Transition, ...]]:
        """Return the last transitions of a battery and the cycle they came in."""
        self.sync()
        return self._transitions.get(serial, (0, ()))

    def battery(self, serial: str) -> BatteryAlarms:
        """Return the debounced picture of a battery and its modules."""
        self.sync()
        battery = self.coordinator.data.batteries.get(serial)
        if battery is None:
            return BatteryAlarms()
        active: list[ActiveCondition] = []
        balancing: list[ActiveCondition] = []
        modules: dict[str | None, int | None] = {None: None}
        modules.update(
            (module.serial, module.index) for module in battery.modules.values()
        )
        for module_serial, index in modules.items():
            tracker = self._trackers.get((serial, module_serial))
            if tracker is None:
                continue
            for row in tracker.rows:
                condition = ActiveCondition(
                    row=row, module=module_serial, module_index=index
                )
                if row.key in tracker.active:
                    active.append(condition)
                elif row.key in tracker.balancing:
                    balancing.append(condition)
        return BatteryAlarms(
            problem=worst(
                [item.row.kind for item in active], balancing=bool(balancing)
            ),
            active=tuple(active),
            balancing=tuple(balancing),
        )


def debounce_option(entry: ConfigEntry) -> int:
    """Return the configured number of samples a warning must hold."""
    return ALARM_DEBOUNCE.read(entry.options)
