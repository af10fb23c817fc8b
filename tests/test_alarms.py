"""Tests for the alarm tables, the debounce and the balancing rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from custom_components.dyness.alarm_tables import (
    AlarmKind,
    alarm_table,
    listed_rows,
    register_value,
)
from custom_components.dyness.alarms import (
    AlarmMonitor,
    AlarmTracker,
    BatteryAlarms,
    ProblemState,
    debounce_option,
    worst,
)
from custom_components.dyness.api import RealtimeSnapshot
from custom_components.dyness.data import (
    BatteryConfig,
    BatteryData,
    DynessData,
    ModuleData,
)
from custom_components.dyness.families import Family, FamilyKey
from custom_components.dyness.model_table import Detection, Method, ModelRow

START = datetime(2026, 6, 21, 10, 0, 0, tzinfo=UTC)

# Re-typed from docs/api.md §9 (family A bit table): sub-point, entity key, kind.
FAMILY_A_BITS = [
    ("3201", "cell_voltage_imbalance_warning", "warning"),
    ("3202", "mosfet_high_temperature_warning", "warning"),
    ("3203", "cell_low_temperature_warning", "warning"),
    ("3204", "cell_high_temperature_warning", "warning"),
    ("3205", "cell_low_voltage_warning", "warning"),
    ("3206", "cell_high_voltage_warning", "warning"),
    ("3207", "pack_low_voltage_warning", "warning"),
    ("3208", "pack_high_voltage_warning", "warning"),
    ("3305", "internal_communication_error", "warning"),
    ("3306", "discharge_overcurrent_warning", "warning"),
    ("3307", "charge_overcurrent_warning", "warning"),
    ("3308", "cell_temperature_imbalance_warning", "warning"),
    ("3402", "mosfet_over_temperature_protection", "protection"),
    ("3403", "cell_under_temperature_protection", "protection"),
    ("3404", "cell_over_temperature_protection", "protection"),
    ("3405", "cell_under_voltage_protection", "protection"),
    ("3406", "cell_over_voltage_protection", "protection"),
    ("3407", "pack_under_voltage_protection", "protection"),
    ("3408", "pack_over_voltage_protection", "protection"),
    ("3504", "system_fault_protection", "fault"),
    ("3506", "discharge_overcurrent_protection", "protection"),
    ("3507", "charge_overcurrent_protection", "protection"),
    ("4100", "overall_alarm", "warning"),
]
# §9: the 空 (unused) bits; none of them may create a condition.
FAMILY_A_UNUSED = ["3301", "3302", "3303", "3304", "3401", "3501", "3502", "3503"]
FAMILY_A_UNUSED += ["3505", "3508"]
# §8.3: the Junior Box adds its own overall flag.
JUNIOR_BOX_BITS = [*FAMILY_A_BITS, ("999999", "junior_box_alarm", "warning")]
# §8.4: Tower T14/T17/T21.
HV_TOWER_BITS = [
    ("5001", "voltage_spread_alarm", "warning"),
    ("5002", "temperature_spread_alarm", "warning"),
    ("5003", "low_insulation_alarm", "warning"),
    ("5101", "afe_communication_fault", "fault"),
    ("5102", "bms_communication_fault", "fault"),
    ("5104", "system_fault", "fault"),
    ("9999999", "overall_alarm", "warning"),
]
# §8.4: Tower Pro sub-bits 4402/4403, then each register 4400…4900 on its own.
HV_TOWER_PRO_BITS = [
    ("4402", "cell_voltage_high_level_1", "warning"),
    ("4403", "charge_temperature_high_level_1", "warning"),
    ("4400", "alarm_register_1", "warning"),
    ("4500", "alarm_register_2", "warning"),
    ("4600", "alarm_register_3", "warning"),
    ("4700", "alarm_register_4", "warning"),
    ("4800", "alarm_register_5", "warning"),
    ("4900", "alarm_register_6", "warning"),
]
STACK100_BITS = [("9999999", "overall_alarm", "warning")]
# §8.5: LV module codes (also on the family C master, §8.6).
LV_MODULE_BITS = [
    ("14300", "alarm_code_1", "warning"),
    ("15200", "alarm_code_2", "warning"),
    ("16300", "protection_code", "protection"),
]

MASTER_TABLES = {
    FamilyKey.LV_BMS: FAMILY_A_BITS,
    FamilyKey.JUNIOR_BOX: JUNIOR_BOX_BITS,
    FamilyKey.HV_TOWER: HV_TOWER_BITS,
    FamilyKey.HV_TOWER_PRO: HV_TOWER_PRO_BITS,
    FamilyKey.STACK100: STACK100_BITS,
    FamilyKey.LV_5DIGIT: LV_MODULE_BITS,
    FamilyKey.CYGNI: [],
    FamilyKey.UNKNOWN: [],
}
MODULE_TABLES = {
    FamilyKey.LV_BMS: LV_MODULE_BITS,
    FamilyKey.JUNIOR_BOX: [],
    FamilyKey.HV_TOWER: [],
    FamilyKey.HV_TOWER_PRO: [],
    FamilyKey.STACK100: [],
    FamilyKey.LV_5DIGIT: LV_MODULE_BITS,
    FamilyKey.CYGNI: [],
    FamilyKey.UNKNOWN: [],
}

CASES = [
    (family, point, key, kind)
    for family, rows in MASTER_TABLES.items()
    for point, key, kind in rows
]


def snap(
    points: dict[str, Any], *, at: datetime | None = START, serial: str = "SN-BMS"
) -> RealtimeSnapshot:
    """Build a snapshot from point id → value, stamped `at`."""
    data = [
        {"pointId": point, "pointValue": str(value), "pointNameCn": ""}
        for point, value in points.items()
    ]
    if at is not None:
        data.append({"pointId": "T", "pointValue": at.strftime("%Y-%m-%d %H:%M:%S")})
    return RealtimeSnapshot.from_api(serial, data)


def quiet(rows: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Return every point of a table at 0."""
    return {point: 0 for point, _, _ in rows}


def _later(samples: int) -> datetime:
    """Return the time of the n-th five-minute sample after START."""
    return START + timedelta(minutes=5 * samples)


def test_every_family_has_a_table() -> None:
    """Each family key resolves; unknown strings give the empty table."""
    for family in FamilyKey:
        assert alarm_table(family) is alarm_table(family.value)
    assert not alarm_table("no_such_family").conditions


@pytest.mark.parametrize("family", list(FamilyKey))
def test_table_holds_exactly_the_documented_bits(family: FamilyKey) -> None:
    """No undocumented or unused bit becomes a condition, none is missing."""
    table = alarm_table(family)
    assert sorted(
        (row.point, row.key, row.kind.value) for row in table.conditions
    ) == sorted(MASTER_TABLES[family])
    assert sorted(
        (row.point, row.key, row.kind.value) for row in table.module_conditions
    ) == sorted(MODULE_TABLES[family])


@pytest.mark.parametrize(("family", "point", "key", "kind"), CASES)
def test_each_bit_raises_its_condition(
    family: FamilyKey, point: str, key: str, kind: str
) -> None:
    """Setting one documented point raises exactly its condition."""
    rows = MASTER_TABLES[family]
    tracker = AlarmTracker(alarm_table(family).conditions, debounce=1)
    assert tracker.update(snap(quiet(rows))) == ()
    changes = tracker.update(snap({**quiet(rows), point: 1}, at=_later(1)))
    assert changes is not None
    assert [(change.key, change.kind.value, change.raised) for change in changes] == [
        (key, kind, True)
    ]
    assert tracker.active == {key}
    assert tracker.is_on(key) is True


@pytest.mark.parametrize("point", FAMILY_A_UNUSED)
def test_unused_family_a_bits_raise_nothing(point: str) -> None:
    """The 空 bits of §9 are ignored."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=1)
    tracker.update(snap(quiet(FAMILY_A_BITS)))
    assert tracker.update(snap({point: 1}, at=_later(1))) == ()


@pytest.mark.parametrize(
    ("byte", "bit", "key"),
    [
        ("3200", 5, "cell_high_voltage_warning"),
        ("3300", 7, "cell_temperature_imbalance_warning"),
        ("3400", 1, "mosfet_over_temperature_protection"),
        ("3500", 3, "system_fault_protection"),
    ],
)
def test_family_a_byte_without_sub_points(byte: str, bit: int, key: str) -> None:
    """A device that sends only the status byte still maps bit k-1 to X+k."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=1)
    tracker.update(snap({"3200": 0, "3300": 0, "3400": 0, "3500": 0}))
    changes = tracker.update(snap({byte: 1 << bit}, at=_later(1)))
    assert [change.key for change in changes or ()] == [key]


def test_tower_pro_register_excludes_known_bits() -> None:
    """Register 1 shows only its bits without a name; 4402/4403 stand alone."""
    tracker = AlarmTracker(alarm_table(FamilyKey.HV_TOWER_PRO).conditions, debounce=1)
    tracker.update(snap(quiet(HV_TOWER_PRO_BITS)))
    changes = tracker.update(snap({"4400": 0b110}, at=_later(1)))
    assert {change.key for change in changes or ()} == {
        "cell_voltage_high_level_1",
        "charge_temperature_high_level_1",
    }
    changes = tracker.update(snap({"4400": 0b1000}, at=_later(2)))
    assert {(change.key, change.raised) for change in changes or ()} == {
        ("cell_voltage_high_level_1", False),
        ("charge_temperature_high_level_1", False),
        ("alarm_register_1", True),
    }
    assert tracker.codes["alarm_register_1"] == 0b1000


def test_tower_pro_register_from_sub_points() -> None:
    """An empty register is rebuilt from its 44xx sub-points."""
    snapshot = snap({"4400": "", "4401": 1, "4404": 1})
    assert register_value(snapshot, "4400") == 0b1001
    assert register_value(snapshot, "4400", sub_points=False) is None
    assert register_value(snap({}), "4400") is None
    assert register_value(None, "4400") is None
    tracker = AlarmTracker(alarm_table(FamilyKey.HV_TOWER_PRO).conditions, debounce=1)
    tracker.update(snapshot)
    assert tracker.active == {"alarm_register_1"}


def test_tower_points_are_not_registers() -> None:
    """An empty T14 point does not borrow its neighbour's value."""
    tracker = AlarmTracker(alarm_table(FamilyKey.HV_TOWER).conditions, debounce=1)
    tracker.update(snap({"5001": "", "5002": 1}))
    assert tracker.active == {"temperature_spread_alarm"}
    assert tracker.is_on("voltage_spread_alarm") is None


def test_listed_rows_follow_the_device() -> None:
    """Only points the device sends become entities; all while nothing is known."""
    rows = alarm_table(FamilyKey.HV_TOWER_PRO).conditions
    assert listed_rows(rows, None) == list(rows)
    listed = listed_rows(rows, snap({"4400": 0, "4500": 0}))
    assert [row.key for row in listed] == [
        "cell_voltage_high_level_1",
        "charge_temperature_high_level_1",
        "alarm_register_1",
        "alarm_register_2",
    ]
    assert [row.key for row in listed_rows(rows, snap({"4501": 0}))] == [
        "alarm_register_2"
    ]
    flags = alarm_table(FamilyKey.LV_BMS).flags
    assert [row.key for row in listed_rows(flags, snap({"4008": 1}))] == [
        "charging_allowed"
    ]
    junior = alarm_table(FamilyKey.JUNIOR_BOX).conditions
    assert [row.key for row in listed_rows(junior, snap({"4100": 0}))] == [
        "overall_alarm"
    ]


def test_flags() -> None:
    """Charging/discharging allowed, full charge request and force charge."""
    flags = {row.key: row for row in alarm_table(FamilyKey.LV_BMS).flags}
    sample = snap({"4004": 1, "4005": 0, "4006": 1, "4007": 1, "4008": 0})
    assert flags["charging_allowed"].read(sample) is False
    assert flags["discharging_allowed"].read(sample) is True
    assert flags["full_charge_request"].read(sample) is True
    assert flags["force_charge"].read(sample) is True
    assert flags["force_charge"].read(snap({"4005": 0, "4006": 0})) is False
    assert flags["charging_allowed"].read(snap({"4000": 64})) is False
    assert flags["discharging_allowed"].read(snap({"4000": 64})) is True
    assert flags["charging_allowed"].read(snap({})) is None
    assert flags["charging_allowed"].read(None) is None
    assert not alarm_table(FamilyKey.HV_TOWER).flags


def test_warning_needs_debounce_distinct_samples() -> None:
    """A warning turns on at the N-th distinct sample, not the N-th poll."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=3)
    tracker.update(snap(quiet(FAMILY_A_BITS)))
    on = {**quiet(FAMILY_A_BITS), "3204": 1}
    assert tracker.update(snap(on, at=_later(1))) == ()
    # The same sample polled again (same T) is not a new sample.
    assert tracker.update(snap(on, at=_later(1))) is None
    assert tracker.update(snap(on, at=_later(1))) is None
    assert tracker.is_on("cell_high_temperature_warning") is False
    assert tracker.update(snap(on, at=_later(2))) == ()
    changes = tracker.update(snap(on, at=_later(3)))
    assert [(c.key, c.raised) for c in changes or ()] == [
        ("cell_high_temperature_warning", True)
    ]
    assert tracker.problem() is ProblemState.WARNING
    changes = tracker.update(snap(quiet(FAMILY_A_BITS), at=_later(4)))
    assert [(c.key, c.raised) for c in changes or ()] == [
        ("cell_high_temperature_warning", False)
    ]
    assert tracker.problem() is ProblemState.OK


def test_older_sample_is_ignored() -> None:
    """A sample older than the last one consumed counts for nothing."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=2)
    tracker.update(snap(quiet(FAMILY_A_BITS), at=_later(2)))
    on = {**quiet(FAMILY_A_BITS), "3204": 1}
    assert tracker.update(snap(on, at=_later(3))) == ()
    assert tracker.update(snap(on, at=_later(1))) is None
    assert tracker.update(None) is None
    assert tracker.is_on("cell_high_temperature_warning") is False


def test_sample_without_time_is_identified_by_content() -> None:
    """Without `T`, only a changed point list counts as a new sample."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=2)
    tracker.update(snap({**quiet(FAMILY_A_BITS), "600": 52.0}, at=None))
    on = {**quiet(FAMILY_A_BITS), "3204": 1, "600": 52.1}
    assert tracker.update(snap(on, at=None)) == ()
    assert tracker.update(snap(on, at=None)) is None
    changes = tracker.update(snap({**on, "600": 52.2}, at=None))
    assert [c.key for c in changes or ()] == ["cell_high_temperature_warning"]


def test_protection_and_fault_are_immediate() -> None:
    """Protections and faults ignore the debounce."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=5)
    tracker.update(snap(quiet(FAMILY_A_BITS)))
    changes = tracker.update(
        snap({**quiet(FAMILY_A_BITS), "3405": 1, "3504": 1}, at=_later(1))
    )
    assert {(c.key, c.kind) for c in changes or ()} == {
        ("cell_under_voltage_protection", AlarmKind.PROTECTION),
        ("system_fault_protection", AlarmKind.FAULT),
    }
    assert tracker.problem() is ProblemState.FAULT


def test_flicker_within_the_window_raises_nothing() -> None:
    """A warning that comes and goes faster than the debounce stays off."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=2)
    tracker.update(snap(quiet(FAMILY_A_BITS)))
    for sample in range(1, 9):
        value = sample % 2
        changes = tracker.update(
            snap({**quiet(FAMILY_A_BITS), "3201": value}, at=_later(sample))
        )
        assert changes == ()
        assert tracker.is_on("cell_voltage_imbalance_warning") is False


def test_debounce_of_one_is_immediate() -> None:
    """With a debounce of 1 (or less) a warning turns on with its first sample."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=0)
    assert tracker.debounce == 1
    tracker.update(snap(quiet(FAMILY_A_BITS)))
    changes = tracker.update(snap({"3201": 1}, at=_later(1)))
    assert [c.key for c in changes or ()] == ["cell_voltage_imbalance_warning"]


def test_baseline_is_silent() -> None:
    """What the first sample shows is taken as it is, with no transition."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=2)
    assert not tracker.started
    assert tracker.is_on("cell_high_temperature_warning") is None
    changes = tracker.update(snap({**quiet(FAMILY_A_BITS), "3204": 1, "3405": 1}))
    assert changes == ()
    assert tracker.started
    assert tracker.active == {
        "cell_high_temperature_warning",
        "cell_under_voltage_protection",
    }
    changes = tracker.update(snap(quiet(FAMILY_A_BITS), at=_later(1)))
    assert {(c.key, c.raised) for c in changes or ()} == {
        ("cell_high_temperature_warning", False),
        ("cell_under_voltage_protection", False),
    }


def test_empty_value_keeps_the_state() -> None:
    """A point sent empty neither raises nor clears."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=1)
    tracker.update(snap(quiet(FAMILY_A_BITS)))
    tracker.update(snap({**quiet(FAMILY_A_BITS), "3405": 1}, at=_later(1)))
    changes = tracker.update(
        snap({**quiet(FAMILY_A_BITS), "3405": "", "3400": ""}, at=_later(2))
    )
    assert changes == ()
    assert tracker.is_on("cell_under_voltage_protection") is True


def _top(soc: float, charge: int, **bits: int) -> dict[str, Any]:
    """Return a family A sample at a SOC and charge permission."""
    points = {**quiet(FAMILY_A_BITS), "800": soc, "4008": charge}
    points.update({point.removeprefix("p"): value for point, value in bits.items()})
    return points


@pytest.mark.parametrize("debounce", [1, 2, 3])
def test_top_of_charge_high_voltage_is_balancing(debounce: int) -> None:
    """At ≥ 99 % with charging disabled, 3206/3208 (and 4100) mean balancing."""
    table = alarm_table(FamilyKey.LV_BMS)
    tracker = AlarmTracker(table.conditions, debounce=debounce)
    tracker.update(snap(_top(97, 1)))
    for sample in range(1, 6):
        points = _top(100, 0, p3206=1, p3208=1, p4100=1)
        changes = tracker.update(
            snap(points, at=_later(sample)),
            top_of_charge=table.at_top_of_charge(snap(points)),
        )
        assert changes == ()
    assert tracker.active == set()
    assert tracker.balancing == {
        "cell_high_voltage_warning",
        "pack_high_voltage_warning",
        "overall_alarm",
    }
    assert tracker.problem() is ProblemState.BALANCING


@pytest.mark.parametrize(
    ("soc", "charge", "top"),
    [(99, 0, True), (100, 0, True), (98.9, 0, False), (100, 1, False)],
)
def test_top_of_charge_needs_full_and_charge_disabled(
    soc: float, charge: int, top: bool
) -> None:
    """The balancing rule needs SOC ≥ 99 % and 4008 = 0."""
    table = alarm_table(FamilyKey.LV_BMS)
    assert table.at_top_of_charge(snap(_top(soc, charge))) is top
    assert table.at_top_of_charge(snap({"800": 100})) is False
    assert table.at_top_of_charge(None) is False
    assert alarm_table(FamilyKey.STACK100).at_top_of_charge(snap(_top(100, 0))) is False


def test_high_voltage_while_charging_allowed_is_a_warning() -> None:
    """Below the top of charge the same bits are ordinary debounced warnings."""
    table = alarm_table(FamilyKey.LV_BMS)
    tracker = AlarmTracker(table.conditions, debounce=2)
    tracker.update(snap(_top(97, 1)))
    for sample in (1, 2):
        points = _top(100, 1, p3206=1)
        changes = tracker.update(
            snap(points, at=_later(sample)),
            top_of_charge=table.at_top_of_charge(snap(points)),
        )
    assert [c.key for c in changes or ()] == ["cell_high_voltage_warning"]


def test_other_problem_at_top_of_charge_still_counts() -> None:
    """Balancing hides only the high-voltage bits, not what comes with them."""
    table = alarm_table(FamilyKey.LV_BMS)
    tracker = AlarmTracker(table.conditions, debounce=1)
    tracker.update(snap(_top(97, 1)))
    points = _top(100, 0, p3206=1, p3204=1, p4100=1, p3406=1)
    changes = tracker.update(snap(points, at=_later(1)), top_of_charge=True)
    assert {c.key for c in changes or ()} == {
        "cell_high_temperature_warning",
        "overall_alarm",
        "cell_over_voltage_protection",
    }
    assert tracker.balancing == {"cell_high_voltage_warning"}
    assert tracker.problem() is ProblemState.PROTECTION


def test_active_warning_clears_when_balancing_starts() -> None:
    """A high-voltage warning raised while charging clears once the BMS is full."""
    tracker = AlarmTracker(alarm_table(FamilyKey.LV_BMS).conditions, debounce=1)
    tracker.update(snap(_top(97, 1)))
    tracker.update(snap(_top(98, 1, p3206=1), at=_later(1)))
    assert tracker.active == {"cell_high_voltage_warning"}
    changes = tracker.update(
        snap(_top(100, 0, p3206=1), at=_later(2)), top_of_charge=True
    )
    assert [(c.key, c.raised) for c in changes or ()] == [
        ("cell_high_voltage_warning", False)
    ]
    assert tracker.is_on("cell_high_voltage_warning") is False


def test_tower_pro_balancing() -> None:
    """Tower Pro: SOC 1400 ≥ 99 % and recommended charge current 2000 = 0."""
    table = alarm_table(FamilyKey.HV_TOWER_PRO)
    full = snap({"1400": 100, "2000": 0, "4400": 0b10})
    assert table.at_top_of_charge(full)
    assert not table.at_top_of_charge(snap({"1400": 100, "2000": 12.5}))
    tracker = AlarmTracker(table.conditions, debounce=1)
    tracker.update(snap({"1400": 90, "2000": 30, "4400": 0}))
    assert (
        tracker.update(
            snap({"1400": 100, "2000": 0, "4400": 0b10}, at=_later(1)),
            top_of_charge=True,
        )
        == ()
    )
    assert tracker.balancing == {"cell_voltage_high_level_1"}


def test_worst_orders_the_kinds() -> None:
    """Fault beats protection beats warning beats balancing beats ok."""
    assert worst([], balancing=False) is ProblemState.OK
    assert worst([], balancing=True) is ProblemState.BALANCING
    assert worst([AlarmKind.WARNING], balancing=True) is ProblemState.WARNING
    assert (
        worst([AlarmKind.PROTECTION, AlarmKind.WARNING], balancing=False)
        is ProblemState.PROTECTION
    )
    assert (
        worst(
            [AlarmKind.WARNING, AlarmKind.FAULT, AlarmKind.PROTECTION], balancing=False
        )
        is ProblemState.FAULT
    )


class _Entry:
    """A stand-in with only the options of a config entry."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, 2),
        ({"alarm_debounce": 4}, 4),
        ({"alarm_debounce": "3"}, 3),
        ({"alarm_debounce": 0}, 1),
        ({"alarm_debounce": "x"}, 2),
        ({"alarm_debounce": None}, 2),
    ],
)
def test_debounce_option(options: dict[str, Any], expected: int) -> None:
    """The option is read from entry.options with the default of 2."""
    assert debounce_option(_Entry(options)) == expected  # type: ignore[arg-type]


def _detection(family: Family) -> Detection:
    """Return a final detection of a family."""
    row = ModelRow(name="Test model", family=family)
    return Detection(family=family, row=row, method=Method.MODEL, final=True)


def _battery(
    family: FamilyKey,
    realtime: RealtimeSnapshot | None,
    modules: dict[str, ModuleData] | None = None,
) -> BatteryData:
    """Return coordinator data of one battery of a family."""
    return BatteryData(
        config=BatteryConfig(device_sn="SN-BDU"),
        detection=_detection(Family(key=family, points=MappingProxyType({}))),
        realtime=realtime,
        modules=modules or {},
    )


class _Coordinator:
    """A stand-in that only holds coordinator data."""

    def __init__(self) -> None:
        self.data: DynessData | None = None


def test_monitor_runs_battery_and_module_trackers() -> None:
    """The monitor feeds each battery and module once per coordinator cycle."""
    coordinator = _Coordinator()
    monitor = AlarmMonitor(coordinator, debounce=2)  # type: ignore[arg-type]
    monitor.sync()
    assert monitor.generation == 0
    module = ModuleData(serial="M1", index=1, realtime=snap({"16300": 0}))
    coordinator.data = DynessData(
        batteries={
            "SN-BDU": _battery(
                FamilyKey.LV_BMS, snap(quiet(FAMILY_A_BITS)), {"M1": module}
            )
        }
    )
    assert monitor.battery("SN-BDU").problem is ProblemState.OK
    assert monitor.generation == 1
    monitor.sync()
    assert monitor.generation == 1
    assert monitor.transitions("SN-BDU") == (0, ())
    coordinator.data = DynessData(
        batteries={
            "SN-BDU": _battery(
                FamilyKey.LV_BMS,
                snap({**quiet(FAMILY_A_BITS), "3406": 1}, at=_later(1)),
                {"M1": replace(module, realtime=snap({"16300": 4}, at=_later(1)))},
            )
        }
    )
    generation, changes = monitor.transitions("SN-BDU")
    assert generation == 2
    assert {(c.key, c.module, c.event_type) for c in changes} == {
        ("cell_over_voltage_protection", None, "alarm_raised"),
        ("protection_code", "M1", "alarm_raised"),
    }
    alarms = monitor.battery("SN-BDU")
    assert alarms.problem is ProblemState.PROTECTION
    assert [item.words for item in alarms.active] == [
        "Cell over-voltage protection",
        "Protection code (module 1)",
    ]
    assert monitor.battery("unknown") == BatteryAlarms()

    # A family detected late starts a new, silent baseline; HV sub-boxes have no rows.
    coordinator.data = DynessData(
        batteries={
            "SN-BDU": _battery(
                FamilyKey.HV_TOWER,
                snap({"5104": 1}, at=_later(2)),
                {"M1": replace(module, realtime=snap({"16300": 4}, at=_later(2)))},
            )
        }
    )
    assert monitor.transitions("SN-BDU")[0] == 2
    assert monitor.tracker("SN-BDU", "M1") is None
    tracker = monitor.tracker("SN-BDU")
    assert tracker is not None
    assert tracker.active == {"system_fault"}
    assert monitor.battery("SN-BDU").problem is ProblemState.FAULT


def test_top_of_charge_applies_to_module_warnings() -> None:
    """Module warning codes at the battery's top of charge count as balancing."""
    coordinator = _Coordinator()
    monitor = AlarmMonitor(coordinator, debounce=1)  # type: ignore[arg-type]
    module = ModuleData(serial="M1", index=3, realtime=snap({"14300": 0}))
    coordinator.data = DynessData(
        batteries={
            "SN-BDU": _battery(FamilyKey.LV_BMS, snap(_top(97, 1)), {"M1": module})
        }
    )
    monitor.sync()
    coordinator.data = DynessData(
        batteries={
            "SN-BDU": _battery(
                FamilyKey.LV_BMS,
                snap(_top(100, 0), at=_later(1)),
                {"M1": replace(module, realtime=snap({"14300": 16}, at=_later(1)))},
            )
        }
    )
    alarms = monitor.battery("SN-BDU")
    assert alarms.problem is ProblemState.BALANCING
    assert [item.words for item in alarms.balancing] == ["Alarm code 1 (module 3)"]
    assert monitor.transitions("SN-BDU") == (0, ())


def test_words_match_the_translations() -> None:
    """The English words on the Problem sensor are the entities' English names."""
    strings = json.loads(
        (
            Path(__file__).parent.parent
            / "custom_components"
            / "dyness"
            / "strings.json"
        ).read_text()
    )["entity"]["binary_sensor"]
    for family in FamilyKey:
        table = alarm_table(family)
        for row in (*table.conditions, *table.module_conditions):
            name = strings[row.translation_key]["name"]
            assert name.format(**(row.translation_placeholders or {})) == row.name
        for flag in table.flags:
            assert flag.translation_key in strings
