"""Alarm, warning and protection bits per family, and their debounce (doc §8, §9).

Per-model knowledge is data: one `AlarmRow` per documented bit, grouped in an
`AlarmTable` per `FamilyKey`. `AlarmTracker` turns the raw bits of successive
samples into a debounced active set and raise/clear transitions; `AlarmMonitor`
runs one tracker per battery and module of a config entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Final

from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .api import RealtimeSnapshot
from .const import CONF_ALARM_DEBOUNCE, DEFAULT_ALARM_DEBOUNCE, DOMAIN
from .coordinator import DynessConfigEntry, DynessCoordinator, DynessData
from .families import FamilyKey

TOP_OF_CHARGE_SOC: Final = 99.0
REGISTER_BITS: Final = 16


class AlarmKind(StrEnum):
    """How serious a condition is; warnings are debounced, the rest are not."""

    WARNING = "warning"
    PROTECTION = "protection"
    FAULT = "fault"


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


def register_value(
    snapshot: RealtimeSnapshot | None, register: str, *, sub_points: bool = True
) -> int | None:
    """Return a register as an integer, else rebuilt from its sub-points."""
    if snapshot is None:
        return None
    value = snapshot.number(register)
    if value is not None:
        return int(value)
    if not sub_points:
        return None
    base = int(register)
    rebuilt: int | None = None
    for bit in range(REGISTER_BITS):
        sub = snapshot.number(str(base + bit + 1))
        if sub is not None:
            rebuilt = (rebuilt or 0) | (int(bool(sub)) << bit)
    return rebuilt


@dataclass(frozen=True, slots=True)
class Bit:
    """Bit `bit` of `register`, also sent as its own point `register + bit + 1`."""

    register: str
    bit: int

    @property
    def point(self) -> str:
        """Return the sub-point of the bit (3206 is bit 5 of 3200)."""
        return str(int(self.register) + self.bit + 1)

    def read(self, snapshot: RealtimeSnapshot | None) -> bool | None:
        """Read the sub-point, else the bit of the whole register."""
        if snapshot is None:
            return None
        value = snapshot.number(self.point)
        if value is not None:
            return bool(value)
        register = snapshot.number(self.register)
        if register is None:
            return None
        return bool(int(register) >> self.bit & 1)

    def listed(self, snapshot: RealtimeSnapshot) -> bool:
        """Return whether the device sends the bit or its register at all."""
        return snapshot.has(self.point) or snapshot.has(self.register)


@dataclass(frozen=True, slots=True)
class Register:
    """A whole point that means trouble when non-zero, minus bits read elsewhere.

    With `sub_points`, the device also sends bit k as point `point + k + 1`
    (Tower Pro 44xx), which stands in for an empty register.
    """

    point: str
    ignore: tuple[int, ...] = ()
    sub_points: bool = False

    def code(self, snapshot: RealtimeSnapshot | None) -> int | None:
        """Return the register's value without the ignored bits."""
        value = register_value(snapshot, self.point, sub_points=self.sub_points)
        if value is None:
            return None
        for bit in self.ignore:
            value &= ~(1 << bit)
        return value

    def read(self, snapshot: RealtimeSnapshot | None) -> bool | None:
        """Return whether any bit that no other row reads is set."""
        if not self.ignore and snapshot is not None:
            number = snapshot.number(self.point)
            if number is not None:
                return number != 0
        value = self.code(snapshot)
        return None if value is None else value != 0

    def listed(self, snapshot: RealtimeSnapshot) -> bool:
        """Return whether the device sends the register at all."""
        return snapshot.has(self.point) or (
            self.sub_points and snapshot.has(str(int(self.point) + 1))
        )


@dataclass(frozen=True, kw_only=True)
class AlarmRow:
    """One documented alarm, warning, protection or fault condition."""

    key: str
    source: Bit | Register
    kind: AlarmKind
    translation_key: str
    name: str
    translation_placeholders: Mapping[str, str] | None = None
    # A high-voltage warning the BMS raises at the top of charge (doc §9, Q14).
    top_of_charge: bool = False
    # An overall flag: explained away when only top-of-charge warnings are set.
    summary: bool = False

    @property
    def point(self) -> str:
        """Return the point id of the condition."""
        return self.source.point


@dataclass(frozen=True, kw_only=True)
class FlagRow:
    """A BMS status flag shown as a plain binary sensor (not an alarm)."""

    key: str
    sources: tuple[Bit, ...]
    translation_key: str
    entity_category: EntityCategory | None = None

    def read(self, snapshot: RealtimeSnapshot | None) -> bool | None:
        """Return on when any source bit is set, None when none is known."""
        values = [source.read(snapshot) for source in self.sources]
        known = [value for value in values if value is not None]
        return any(known) if known else None


@dataclass(frozen=True, kw_only=True)
class TopOfCharge:
    """Where a family shows that it is full: SOC and the charge permission."""

    soc: str
    charge_allowed: Bit | Register

    def reached(self, snapshot: RealtimeSnapshot | None) -> bool:
        """Return whether SOC ≥ 99 % and the BMS has disabled charging."""
        if snapshot is None:
            return False
        soc = snapshot.number(self.soc)
        allowed = self.charge_allowed.read(snapshot)
        return soc is not None and soc >= TOP_OF_CHARGE_SOC and allowed is False


@dataclass(frozen=True, kw_only=True)
class AlarmTable:
    """Every condition and flag a family reports, on the master and per module."""

    conditions: tuple[AlarmRow, ...] = ()
    module_conditions: tuple[AlarmRow, ...] = ()
    flags: tuple[FlagRow, ...] = ()
    top_of_charge: TopOfCharge | None = None

    def at_top_of_charge(self, snapshot: RealtimeSnapshot | None) -> bool:
        """Return whether high-voltage warnings count as balancing now."""
        return self.top_of_charge is not None and self.top_of_charge.reached(snapshot)


def _row(
    key: str,
    source: Bit | Register,
    kind: AlarmKind,
    name: str,
    *,
    top_of_charge: bool = False,
    summary: bool = False,
) -> AlarmRow:
    """Describe a condition whose translation key is its key."""
    return AlarmRow(
        key=key,
        source=source,
        kind=kind,
        translation_key=key,
        name=name,
        top_of_charge=top_of_charge,
        summary=summary,
    )


_W = AlarmKind.WARNING
_P = AlarmKind.PROTECTION
_F = AlarmKind.FAULT

# Family A, doc §9: sub-point X+k is bit k-1 of byte X; unused (空) bits are left out.
FAMILY_A_CONDITIONS: Final = (
    _row("cell_voltage_imbalance_warning", Bit("3200", 0), _W, "Cell voltage imbalance warning"),
    _row("mosfet_high_temperature_warning", Bit("3200", 1), _W, "MOSFET high temperature warning"),
    _row("cell_low_temperature_warning", Bit("3200", 2), _W, "Cell low temperature warning"),
    _row("cell_high_temperature_warning", Bit("3200", 3), _W, "Cell high temperature warning"),
    _row("cell_low_voltage_warning", Bit("3200", 4), _W, "Cell low voltage warning"),
    _row("cell_high_voltage_warning", Bit("3200", 5), _W, "Cell high voltage warning", top_of_charge=True),
    _row("pack_low_voltage_warning", Bit("3200", 6), _W, "Pack low voltage warning"),
    _row("pack_high_voltage_warning", Bit("3200", 7), _W, "Pack high voltage warning", top_of_charge=True),
    _row("internal_communication_error", Bit("3300", 4), _W, "Internal communication error"),
    _row("discharge_overcurrent_warning", Bit("3300", 5), _W, "Discharge overcurrent warning"),
    _row("charge_overcurrent_warning", Bit("3300", 6), _W, "Charge overcurrent warning"),
    _row("cell_temperature_imbalance_warning", Bit("3300", 7), _W, "Cell temperature imbalance warning"),
    _row("mosfet_over_temperature_protection", Bit("3400", 1), _P, "MOSFET over-temperature protection"),
    _row("cell_under_temperature_protection", Bit("3400", 2), _P, "Cell under-temperature protection"),
    _row("cell_over_temperature_protection", Bit("3400", 3), _P, "Cell over-temperature protection"),
    _row("cell_under_voltage_protection", Bit("3400", 4), _P, "Cell under-voltage protection"),
    _row("cell_over_voltage_protection", Bit("3400", 5), _P, "Cell over-voltage protection"),
    _row("pack_under_voltage_protection", Bit("3400", 6), _P, "Pack under-voltage protection"),
    _row("pack_over_voltage_protection", Bit("3400", 7), _P, "Pack over-voltage protection"),
    _row("system_fault_protection", Bit("3500", 3), _F, "System fault protection"),
    _row("discharge_overcurrent_protection", Bit("3500", 5), _P, "Discharge overcurrent protection"),
    _row("charge_overcurrent_protection", Bit("3500", 6), _P, "Charge overcurrent protection"),
    _row("overall_alarm", Register("4100"), _W, "Overall alarm flag", summary=True),
)  # fmt: skip

FAMILY_A_FLAGS: Final = (
    FlagRow(key="charging_allowed", sources=(Bit("4000", 7),), translation_key="charging_allowed"),
    FlagRow(key="discharging_allowed", sources=(Bit("4000", 6),), translation_key="discharging_allowed"),
    FlagRow(
        key="full_charge_request",
        sources=(Bit("4000", 3),),
        translation_key="full_charge_request",
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
    FlagRow(
        key="force_charge",
        sources=(Bit("4000", 4), Bit("4000", 5)),
        translation_key="force_charge",
        entity_category=EntityCategory.DIAGNOSTIC,
    ),
)  # fmt: skip

FAMILY_A_TOP_OF_CHARGE: Final = TopOfCharge(soc="800", charge_allowed=Bit("4000", 7))

# LV module fault codes (doc §8.5, PR#4): bit meanings unknown, so one row per code.
# The warnings count as top-of-charge: a full module reports its high cell voltage here.
LV_MODULE_CONDITIONS: Final = (
    _row("alarm_code_1", Register("14300"), _W, "Alarm code 1", top_of_charge=True),
    _row("alarm_code_2", Register("15200"), _W, "Alarm code 2", top_of_charge=True),
    _row("protection_code", Register("16300"), _P, "Protection code"),
)

# Tower T14/T17/T21 (doc §8.4, PR#11): 0/1 points, 9999999 the master alarm.
HV_TOWER_CONDITIONS: Final = (
    _row("voltage_spread_alarm", Register("5001"), _W, "Voltage spread alarm"),
    _row("temperature_spread_alarm", Register("5002"), _W, "Temperature spread alarm"),
    _row("low_insulation_alarm", Register("5003"), _W, "Low insulation alarm"),
    _row("afe_communication_fault", Register("5101"), _F, "AFE communication fault"),
    _row("bms_communication_fault", Register("5102"), _F, "BMS communication fault"),
    _row("system_fault", Register("5104"), _F, "System fault"),
    _row("overall_alarm", Register("9999999"), _W, "Overall alarm flag", summary=True),
)


def _register(number: int, ignore: tuple[int, ...] = ()) -> AlarmRow:
    """Describe Tower Pro alarm register `number` (4400 + 100·(number-1))."""
    return AlarmRow(
        key=f"alarm_register_{number}",
        source=Register(str(4300 + 100 * number), ignore, sub_points=True),
        kind=AlarmKind.WARNING,
        translation_key="alarm_register",
        translation_placeholders=MappingProxyType({"number": str(number)}),
        name=f"Alarm register {number}",
    )


# Tower Pro TP7/TP11/TP15 (doc §8.4, SH@5e06c5e): six flag registers. Only two
# sub-bits are known; every other bit of a register shows as "alarm register N".
HV_TOWER_PRO_CONDITIONS: Final = (
    _row(
        "cell_voltage_high_level_1",
        Bit("4400", 1),
        _W,
        "Cell voltage high (level 1)",
        top_of_charge=True,
    ),
    _row(
        "charge_temperature_high_level_1",
        Bit("4400", 2),
        _W,
        "Charge temperature high (level 1)",
    ),
    _register(1, ignore=(1, 2)),
    *(_register(number) for number in range(2, 7)),
)

# Family B has no charge-enable bit: a recommended charge current of 0 A stands in.
HV_TOWER_PRO_TOP_OF_CHARGE: Final = TopOfCharge(
    soc="1400", charge_allowed=Register("2000")
)

FAMILY_A_TABLE: Final = AlarmTable(
    conditions=FAMILY_A_CONDITIONS,
    module_conditions=LV_MODULE_CONDITIONS,
    flags=FAMILY_A_FLAGS,
    top_of_charge=FAMILY_A_TOP_OF_CHARGE,
)
EMPTY_TABLE: Final = AlarmTable()

ALARM_TABLES: Final[Mapping[FamilyKey, AlarmTable]] = MappingProxyType(
    {
        FamilyKey.LV_BMS: FAMILY_A_TABLE,
        # Junior Box sub-modules use their own points (doc §8.3, #42): no module rows.
        FamilyKey.JUNIOR_BOX: AlarmTable(
            conditions=(
                *FAMILY_A_CONDITIONS,
                _row(
                    "junior_box_alarm",
                    Register("999999"),
                    _W,
                    "Junior Box alarm flag",
                    summary=True,
                ),
            ),
            flags=FAMILY_A_FLAGS,
            top_of_charge=FAMILY_A_TOP_OF_CHARGE,
        ),
        # On HV sub-boxes 14300… are temperatures, not codes: no module rows.
        FamilyKey.HV_TOWER: AlarmTable(conditions=HV_TOWER_CONDITIONS),
        FamilyKey.HV_TOWER_PRO: AlarmTable(
            conditions=HV_TOWER_PRO_CONDITIONS,
            top_of_charge=HV_TOWER_PRO_TOP_OF_CHARGE,
        ),
        FamilyKey.STACK100: AlarmTable(
            conditions=(
                _row(
                    "overall_alarm",
                    Register("9999999"),
                    _W,
                    "Overall alarm flag",
                    summary=True,
                ),
            )
        ),
        # Family C masters carry module-style points, codes included (doc §8.6).
        FamilyKey.LV_5DIGIT: AlarmTable(
            conditions=LV_MODULE_CONDITIONS, module_conditions=LV_MODULE_CONDITIONS
        ),
    }
)


def alarm_table(family_key: FamilyKey | str) -> AlarmTable:
    """Return the alarm table of a family; empty when it has none."""
    try:
        return ALARM_TABLES[FamilyKey(family_key)]
    except (KeyError, ValueError):
        return EMPTY_TABLE


def listed_rows[RowT: (AlarmRow, FlagRow)](
    rows: Iterable[RowT], snapshot: RealtimeSnapshot | None
) -> list[RowT]:
    """Return the rows the device sends; all of them while no sample is known."""
    if snapshot is None:
        return list(rows)
    result: list[RowT] = []
    for row in rows:
        sources = row.sources if isinstance(row, FlagRow) else (row.source,)
        if any(source.listed(snapshot) for source in sources):
            result.append(row)
    return result


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


ALARM_MONITORS: HassKey[dict[str, AlarmMonitor]] = HassKey(f"{DOMAIN}_alarms")


class AlarmMonitor:
    """Run the trackers of every battery and module of one config entry."""

    def __init__(self, coordinator: DynessCoordinator, debounce: int) -> None:
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


def debounce_option(entry: DynessConfigEntry) -> int:
    """Return the configured number of samples a warning must hold."""
    try:
        value = int(entry.options.get(CONF_ALARM_DEBOUNCE, DEFAULT_ALARM_DEBOUNCE))
    except (TypeError, ValueError):
        value = DEFAULT_ALARM_DEBOUNCE
    return max(1, value)


@callback
def async_setup_alarms(hass: HomeAssistant, entry: DynessConfigEntry) -> AlarmMonitor:
    """Create the entry's alarm monitor and take the first sample as baseline."""
    coordinator = entry.runtime_data.coordinator
    monitor = AlarmMonitor(coordinator, debounce_option(entry))
    monitors = hass.data.setdefault(ALARM_MONITORS, {})
    monitors[entry.entry_id] = monitor
    monitor.sync()
    remove: CALLBACK_TYPE = coordinator.async_add_listener(monitor.sync)
    entry.async_on_unload(remove)

    async def _options_updated(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
        """Take a changed debounce option without reloading (no new baseline)."""
        monitor.set_debounce(debounce_option(entry))

    entry.async_on_unload(entry.add_update_listener(_options_updated))

    @callback
    def _forget() -> None:
        """Drop the monitor when the entry unloads."""
        monitors.pop(entry.entry_id, None)

    entry.async_on_unload(_forget)
    return monitor


def alarm_monitor(hass: HomeAssistant, entry: DynessConfigEntry) -> AlarmMonitor:
    """Return the alarm monitor of a loaded entry."""
    return hass.data[ALARM_MONITORS][entry.entry_id]
