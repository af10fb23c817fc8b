"""Tests for the settings safety rules: validation, merging, write cap, read-back."""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from pathlib import Path
import re
from typing import Any

import pytest

from custom_components.dyness.api import controls, validation
from custom_components.dyness.api.controls import (
    ReadBackPolicy,
    WriteRateCap,
    apply_changes,
    change_group,
    change_period,
    needs_write,
)
from custom_components.dyness.api.exceptions import (
    DynessConnectionError,
    DynessValidationError,
    DynessWriteRateLimitError,
)
from custom_components.dyness.api.settings import (
    EVERY_DAY,
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
from custom_components.dyness.api.validation import (
    VALIDATION_KEYS,
    can_control,
    redact_serial,
    validate,
    validate_cygni_battery,
    validate_heating,
    validate_junior_box_base,
    validate_schedule,
    week_minutes,
)

# A work mode as plain text, not the enum, as a careless caller might pass it.
_RAW_MODE: Any = "economic"
JB = SettingsFamily.JUNIOR_BOX
CYGNI = SettingsFamily.CYGNI


def _group(**changes: Any) -> TouGroup:
    """Return a valid Junior Box group (08:00-10:00 every day, 400 W charge)."""
    values: dict[str, Any] = {
        "enabled": True,
        "action": TouAction.CHARGE,
        "start": time(8),
        "end": time(10),
        "power_w": 400,
        "days": EVERY_DAY,
    }
    values.update(changes)
    return TouGroup(**values)


def _off(hour: int) -> TouGroup:
    """Return a disabled group at `hour`."""
    return _group(enabled=False, start=time(hour), end=time(hour + 1), power_w=0)


def _junior_schedule(*groups: TouGroup) -> TouSchedule:
    """Return a four-group Junior Box schedule padded with disabled groups."""
    padded = (*groups, *(_off(12 + n) for n in range(4 - len(groups))))
    return TouSchedule(groups=padded)


def _cygni_group(**changes: Any) -> TouGroup:
    """Return a valid Cygni group."""
    values: dict[str, Any] = {
        "depth_enabled": True,
        "depth_pct": 20,
        "charge_limit_enabled": True,
        "charge_limit_pct": 90,
        "power_w": 5000,
    }
    values.update(changes)
    return _group(**values)


def _period(**changes: Any) -> HeatingPeriod:
    """Return a valid heating period."""
    values: dict[str, Any] = {
        "enabled": True,
        "start": time(22),
        "end": time(6),
        "min_temp_c": 10,
        "max_temp_c": 15,
        "days": EVERY_DAY,
    }
    values.update(changes)
    return HeatingPeriod(**values)


def _key(err: pytest.ExceptionInfo[DynessValidationError]) -> str:
    """Return the translation key of a validation error."""
    return err.value.translation_key


# --- Junior Box base ------------------------------------------------------------


@pytest.mark.parametrize(
    ("power", "depth", "key", "placeholders"),
    [
        (151, 50, "control_out_of_range", {"field": "power_limit_w", "min": "152"}),
        (808, 50, "control_out_of_range", {"max": "800", "value": "808"}),
        (155, 50, "control_not_on_step", {"step": "8", "value": "155"}),
        (800, 19, "control_out_of_range", {"field": "discharge_depth_pct"}),
        (800, 101, "control_out_of_range", {"max": "100"}),
        (True, 50, "control_not_a_number", {"field": "power_limit_w"}),
        (800, 50.5, "control_not_a_number", {"value": "50.5"}),
    ],
)
def test_junior_box_base_rules(
    power: Any, depth: Any, key: str, placeholders: dict[str, str]
) -> None:
    """Power limit 152-800 W in steps of 8, discharge depth 20-100 %."""
    with pytest.raises(DynessValidationError) as err:
        validate_junior_box_base(
            JuniorBoxBase(power_limit_w=power, discharge_depth_pct=depth)
        )
    assert _key(err) == key
    assert placeholders.items() <= err.value.placeholders.items()


@pytest.mark.parametrize(("power", "depth"), [(152, 20), (800, 100), (160, 55)])
def test_junior_box_base_edges_pass(power: int, depth: int) -> None:
    """The documented edges are allowed."""
    validate_junior_box_base(
        JuniorBoxBase(power_limit_w=power, discharge_depth_pct=depth)
    )


# --- schedules ----------------------------------------------------------------------


def test_valid_schedules_pass() -> None:
    """Four Junior Box groups; one Cygni group with work mode."""
    validate_schedule(
        JB, _junior_schedule(_group(), _group(start=time(10), end=time(12)))
    )
    validate_schedule(
        CYGNI, TouSchedule(groups=(_cygni_group(),), work_mode=WorkMode.ECONOMIC)
    )


@pytest.mark.parametrize(
    ("family", "schedule", "key"),
    [
        (JB, TouSchedule(groups=(_group(),)), "control_group_count"),
        (JB, TouSchedule(groups=(_off(1),) * 5), "control_group_count"),
        (
            CYGNI,
            TouSchedule(groups=(), work_mode=WorkMode.SELF_USE),
            "control_group_count",
        ),
        (JB, _junior_schedule(_group(power_w=801)), "control_out_of_range"),
        (JB, _junior_schedule(_group(power_w=-1)), "control_out_of_range"),
        (JB, _junior_schedule(_group(end=time(8))), "control_empty_window"),
        (JB, _junior_schedule(_group(start=None)), "control_bad_time"),
        (JB, _junior_schedule(_group(days=frozenset())), "control_no_days"),
        (JB, _junior_schedule(_group(days={Weekday.MONDAY})), "control_bad_days"),
        (JB, _junior_schedule(_group(action="charge")), "control_bad_choice"),
        (JB, _junior_schedule(_group(depth_pct=20)), "control_field_not_supported"),
        (
            JB,
            _junior_schedule(_group(depth_enabled=True)),
            "control_field_not_supported",
        ),
        (
            JB,
            TouSchedule(groups=_junior_schedule().groups, work_mode=WorkMode.ECONOMIC),
            "control_field_not_supported",
        ),
        (CYGNI, TouSchedule(groups=(_cygni_group(),)), "control_field_not_supported"),
        (
            CYGNI,
            TouSchedule(groups=(_cygni_group(),), work_mode=_RAW_MODE),
            "control_bad_choice",
        ),
        (
            CYGNI,
            TouSchedule(
                groups=(_cygni_group(power_w=10001),), work_mode=WorkMode.ECONOMIC
            ),
            "control_out_of_range",
        ),
        (
            CYGNI,
            TouSchedule(
                groups=(_cygni_group(depth_pct=5),), work_mode=WorkMode.ECONOMIC
            ),
            "control_out_of_range",
        ),
        (
            CYGNI,
            TouSchedule(
                groups=(_cygni_group(depth_pct=None),), work_mode=WorkMode.ECONOMIC
            ),
            "control_not_a_number",
        ),
        (
            CYGNI,
            TouSchedule(
                groups=(_cygni_group(depth_pct=60, charge_limit_pct=60),),
                work_mode=WorkMode.ECONOMIC,
            ),
            "control_limit_below_depth",
        ),
        (SettingsFamily.LV_HEATING, TouSchedule(groups=()), "control_not_supported"),
    ],
)
def test_schedule_rules(
    family: SettingsFamily, schedule: TouSchedule, key: str
) -> None:
    """Every broken schedule rule raises its own translation key."""
    with pytest.raises(DynessValidationError) as err:
        validate_schedule(family, schedule)
    assert _key(err) == key


def test_cygni_limit_rule_only_when_both_enabled() -> None:
    """A charge limit at the depth is fine when one of the two is off."""
    group = _cygni_group(depth_pct=60, charge_limit_pct=60, charge_limit_enabled=False)
    validate_schedule(CYGNI, TouSchedule(groups=(group,), work_mode=WorkMode.SELF_USE))


def test_overlap_rules() -> None:
    """Enabled groups may not share a minute; disabled ones and other days may."""
    night = _group(start=time(22), end=time(2), days=frozenset({Weekday.MONDAY}))
    early = _group(start=time(1), end=time(3), days=frozenset({Weekday.TUESDAY}))
    with pytest.raises(DynessValidationError) as err:
        validate_schedule(JB, _junior_schedule(night, early))
    assert _key(err) == "control_groups_overlap"
    assert err.value.placeholders == {"first": "1", "second": "2"}
    # Monday early morning is not Monday night's window.
    validate_schedule(
        JB, _junior_schedule(night, replace(early, days=frozenset({Weekday.MONDAY})))
    )
    validate_schedule(JB, _junior_schedule(night, replace(early, enabled=False)))
    # Back to back is no overlap.
    validate_schedule(
        JB, _junior_schedule(_group(), _group(start=time(10), end=time(11)))
    )


def test_week_minutes_wraps_the_week() -> None:
    """Sunday 23:00-01:00 runs into Monday morning."""
    minutes = week_minutes(time(23), time(1), frozenset({Weekday.SUNDAY}))
    assert len(minutes) == 120
    assert 0 in minutes
    assert 60 not in minutes


# --- Cygni battery ------------------------------------------------------------------


def test_cygni_battery_rules() -> None:
    """Depths 10-95 %, limits 10-100 %, each limit above its depth."""
    good = CygniBattery(
        on_grid_depth_pct=20,
        off_grid_depth_pct=10,
        charge_limit_pct=100,
        off_grid_charge_limit_pct=90,
    )
    validate_cygni_battery(good)
    validate_cygni_battery(replace(good, off_grid_charge_limit_pct=None))
    cases = [
        (replace(good, on_grid_depth_pct=9), "control_out_of_range"),
        (replace(good, off_grid_depth_pct=96), "control_out_of_range"),
        (replace(good, charge_limit_pct=101), "control_out_of_range"),
        (replace(good, charge_limit_pct=20), "control_limit_below_depth"),
        (replace(good, off_grid_charge_limit_pct=10), "control_limit_below_depth"),
        (replace(good, off_grid_charge_limit_pct=5), "control_out_of_range"),
    ]
    for settings, key in cases:
        with pytest.raises(DynessValidationError) as err:
            validate_cygni_battery(settings)
        assert _key(err) == key, settings


# --- heating ------------------------------------------------------------------------


def test_heating_rules() -> None:
    """Up to 4 periods; min 10-15, max 15-20 and 5 above min; days when enabled."""
    validate_heating(HeatingSchedule(periods=(_period(),) * 4))
    validate_heating(HeatingSchedule(periods=()))
    validate_heating(
        HeatingSchedule(periods=(_period(enabled=False, days=frozenset()),))
    )
    cases = [
        (HeatingSchedule(periods=(_period(),) * 5), "control_group_count"),
        (HeatingSchedule(periods=(_period(min_temp_c=9),)), "control_out_of_range"),
        (
            HeatingSchedule(periods=(_period(min_temp_c=16, max_temp_c=20),)),
            "control_out_of_range",
        ),
        (HeatingSchedule(periods=(_period(max_temp_c=21),)), "control_out_of_range"),
        (
            HeatingSchedule(periods=(_period(min_temp_c=12, max_temp_c=16),)),
            "control_temperature_gap",
        ),
        (HeatingSchedule(periods=(_period(end=time(22)),)), "control_empty_window"),
        (HeatingSchedule(periods=(_period(days=frozenset()),)), "control_no_days"),
    ]
    for schedule, key in cases:
        with pytest.raises(DynessValidationError) as err:
            validate_heating(schedule)
        assert _key(err) == key, schedule


def test_validate_dispatches_and_checks_the_kind() -> None:
    """`validate` picks the rules by value and refuses a value of another kind."""
    base = JuniorBoxBase(power_limit_w=800, discharge_depth_pct=20)
    validate(JB, SettingKind.JUNIOR_BOX_BASE, base)
    with pytest.raises(DynessValidationError) as err:
        validate(JB, SettingKind.TOU_SCHEDULE, base)
    assert _key(err) == "control_not_supported"
    with pytest.raises(DynessValidationError):
        validate(
            SettingsFamily.LV_HEATING,
            SettingKind.HEATING,
            HeatingSchedule(periods=(_period(max_temp_c=14),)),
        )


# --- read-modify-write ----------------------------------------------------------------


def test_apply_changes_touches_only_named_fields() -> None:
    """Only the changed field differs; unknown fields are refused."""
    base = JuniorBoxBase(
        power_limit_w=800, discharge_depth_pct=20, work_mode=WorkMode.ECONOMIC
    )
    changed = apply_changes(base, {"discharge_depth_pct": 50})
    assert changed.power_limit_w == 800
    assert changed.discharge_depth_pct == 50
    assert changed.work_mode is WorkMode.ECONOMIC
    with pytest.raises(DynessValidationError) as err:
        apply_changes(base, {"dod": 50})
    assert err.value.placeholders == {"field": "dod"}


def test_change_group_keeps_the_other_three() -> None:
    """Changing group 2 sends all four groups, the others unchanged."""
    schedule = _junior_schedule(_group())
    changed = change_group(
        schedule, 2, {"enabled": True, "power_w": 200, "days": EVERY_DAY}
    )
    assert len(changed.groups) == 4
    assert changed.groups[0] == schedule.groups[0]
    assert changed.groups[2:] == schedule.groups[2:]
    assert changed.groups[1].power_w == 200
    assert changed.groups[1].start == schedule.groups[1].start
    for number in (0, 5):
        with pytest.raises(DynessValidationError) as err:
            change_group(schedule, number, {})
        assert _key(err) == "control_no_such_group"


def test_change_period() -> None:
    """One heating period changes, the rest stays."""
    schedule = HeatingSchedule(
        periods=(_period(), _period(start=time(12), end=time(13)))
    )
    changed = change_period(schedule, 2, {"max_temp_c": 20})
    assert changed.periods[0] == schedule.periods[0]
    assert changed.periods[1].max_temp_c == 20
    with pytest.raises(DynessValidationError):
        change_period(schedule, 3, {})


def test_needs_write() -> None:
    """Equal values need no write; the ignored work mode does not count."""
    base = JuniorBoxBase(power_limit_w=800, discharge_depth_pct=20)
    assert not needs_write(base, replace(base, work_mode=WorkMode.OFF_GRID))
    assert needs_write(base, replace(base, power_limit_w=792))
    assert needs_write(None, base)


def test_permission_and_redaction() -> None:
    """Only view-only (0) keys are refused; serials keep their last four."""
    assert not can_control(0)
    assert not can_control("0")
    assert can_control("2")
    assert can_control(1)
    assert can_control(None)
    assert redact_serial("R07E3A7C1F20B415-BMS") == "***-BMS"
    assert redact_serial("0502252999499501") == "***9501"


# --- write cap ------------------------------------------------------------------------


def test_write_cap_six_per_ten_minutes() -> None:
    """The seventh write within 10 minutes is refused with the wait until the first expires."""
    now = [1000.0]
    cap = WriteRateCap(clock=lambda: now[0])
    for _ in range(6):
        cap.check("A")
        cap.record("A")
        now[0] += 30.0
    assert cap.wait_for("A") == pytest.approx(1000.0 + 600.0 - now[0])
    with pytest.raises(DynessWriteRateLimitError) as err:
        cap.check("A")
    assert err.value.retry_after == pytest.approx(420.0)
    cap.check("B")
    now[0] = 1600.0
    assert cap.wait_for("A") == 0.0
    cap.check("A")


# --- read-back ------------------------------------------------------------------------


async def test_read_back_matches_after_lag() -> None:
    """The policy keeps reading until the device reports the value."""
    answers: list[Any] = [1, DynessConnectionError("x"), 2]
    slept: list[float] = []

    async def _read() -> int:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return int(answer)

    async def _sleep(seconds: float) -> None:
        slept.append(seconds)

    outcome = await ReadBackPolicy((1.0, 2.0, 3.0)).confirm(_read, 2, sleep=_sleep)
    assert (outcome.matched, outcome.reported, outcome.reads) == (True, 2, 3)
    assert slept == [1.0, 2.0, 3.0]


async def test_read_back_gives_up_bounded() -> None:
    """After the last wait the policy reports the device's value."""
    slept: list[float] = []

    async def _read() -> int:
        return 1

    async def _sleep(seconds: float) -> None:
        slept.append(seconds)

    policy = ReadBackPolicy.for_family(JB)
    outcome = await policy.confirm(_read, 2, sleep=_sleep)
    assert (outcome.matched, outcome.reported) == (False, 1)
    assert sum(slept) == policy.longest <= 60.0


def test_disabled_entries_go_back_as_reported() -> None:
    """Disabled groups and periods are not checked: they are sent back unchanged."""
    idle = _group(
        enabled=False, start=time(0), end=time(0), power_w=0, days=frozenset()
    )
    validate_schedule(JB, TouSchedule(groups=(idle,) * 4))
    idle_cygni = replace(idle, depth_pct=None, charge_limit_pct=None)
    validate_schedule(
        CYGNI, TouSchedule(groups=(idle_cygni,), work_mode=WorkMode.SELF_USE)
    )
    cold = _period(
        enabled=False, start=time(0), end=time(0), min_temp_c=0, max_temp_c=0
    )
    validate_heating(HeatingSchedule(periods=(cold,)))


def test_validation_keys_listed() -> None:
    """Every key the module raises is in VALIDATION_KEYS, and nothing else."""
    source = "".join(
        Path(module.__file__).read_text() for module in (controls, validation)
    )
    raised = set(re.findall(r'invalid\(\s*"(control_\w+)"', source))
    assert raised == VALIDATION_KEYS
