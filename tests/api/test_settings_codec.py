"""Tests for the v2 settings wire codec and its quirks."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest

from custom_components.dyness.api.exceptions import DynessResponseError
from custom_components.dyness.api.settings import (
    EVERY_DAY,
    CygniBattery,
    HeatingPeriod,
    HeatingSchedule,
    JuniorBoxBase,
    SettingsFamily,
    TouAction,
    TouGroup,
    TouSchedule,
    Weekday,
    WorkMode,
)
from custom_components.dyness.api.settings_codec import (
    decode_cygni_battery,
    decode_heating,
    decode_junior_box_base,
    decode_schedule,
    encode_cygni_battery,
    encode_heating,
    encode_junior_box_base,
    encode_schedule,
    is_not_configured,
)

WEEKDAYS = frozenset(
    {
        Weekday.MONDAY,
        Weekday.TUESDAY,
        Weekday.WEDNESDAY,
        Weekday.THURSDAY,
        Weekday.FRIDAY,
    }
)


def _junior_group(**changes: Any) -> TouGroup:
    """Return an enabled Junior Box charge group."""
    values: dict[str, Any] = {
        "enabled": True,
        "action": TouAction.CHARGE,
        "start": time(8),
        "end": time(18),
        "power_w": 320,
        "days": WEEKDAYS,
    }
    values.update(changes)
    return TouGroup(**values)


def test_junior_box_base_round_trip_sends_work_mode() -> None:
    """workMode is always sent (required) and the read value is echoed."""
    base = decode_junior_box_base(
        {"workMode": 3, "powerLimit": "600", "dischargeDepth": 30}
    )
    assert base == JuniorBoxBase(power_limit_w=600, discharge_depth_pct=30)
    assert base.work_mode is WorkMode.ECONOMIC
    assert encode_junior_box_base(base) == {
        "workMode": "3",
        "powerLimit": "600",
        "dischargeDepth": "30",
    }


def test_junior_box_unknown_work_mode_is_not_an_error() -> None:
    """The box ignores workMode, so an unknown code falls back to self-use."""
    base = decode_junior_box_base(
        {"workMode": "16", "powerLimit": 800, "dischargeDepth": 20}
    )
    assert base.work_mode is WorkMode.SELF_USE
    # Compared without the echoed work mode.
    assert base == JuniorBoxBase(
        power_limit_w=800, discharge_depth_pct=20, work_mode=WorkMode.OFF_GRID
    )


def test_junior_box_schedule_wire_form() -> None:
    """Groups are numbered 1-4, flags 1 = on, day 0 = Monday, mode 0 = charge."""
    groups = (
        _junior_group(),
        _junior_group(
            action=TouAction.DISCHARGE,
            start=time(22, 30),
            end=time(6),
            days=frozenset({Weekday.SUNDAY}),
        ),
        _junior_group(enabled=False, days=frozenset()),
        _junior_group(enabled=False, power_w=0, days=EVERY_DAY),
    )
    body = encode_schedule(SettingsFamily.JUNIOR_BOX, TouSchedule(groups=groups))
    assert body["workMode"] == "0"
    first, second, third, fourth = body["workGroups"]
    assert first == {
        "batteryWorkGroup": 1,
        "state": "1",
        "mode": "0",
        "startTime": "08:00",
        "endTime": "18:00",
        "power": "320",
        "week": "0,1,2,3,4",
    }
    assert (second["mode"], second["startTime"], second["week"]) == ("1", "22:30", "6")
    assert (third["state"], third["week"]) == ("0", "")
    assert fourth["week"] == "0,1,2,3,4,5,6"
    assert "dod" not in first
    assert decode_schedule(SettingsFamily.JUNIOR_BOX, body).groups == groups


def test_cygni_schedule_round_trip() -> None:
    """Cygni groups carry depth and charge limit flags; workMode is decoded."""
    group = _junior_group(
        power_w=5000,
        depth_enabled=True,
        depth_pct=30,
        charge_limit_enabled=False,
        charge_limit_pct=90,
    )
    schedule = TouSchedule(groups=(group,), work_mode=WorkMode.ECONOMIC)
    body = encode_schedule(SettingsFamily.CYGNI, schedule)
    assert body["workMode"] == "3"
    assert (
        body["workGroups"][0]
        | {
            "dodState": "1",
            "dod": "30",
            "socMaxChargeState": "0",
            "batterySocMaxCharge": "90",
        }
        == body["workGroups"][0]
    )
    assert decode_schedule(SettingsFamily.CYGNI, body) == schedule


def test_schedule_groups_sorted_and_lenient_types() -> None:
    """Groups come back in group order; numbers and lists of days are accepted."""
    data = {
        "workGroups": [
            {
                "batteryWorkGroup": "2",
                "state": 0,
                "mode": 1,
                "startTime": "10:00:00",
                "endTime": "11:00",
                "power": 0,
                "week": [5, 6],
            },
            {
                "batteryWorkGroup": 1,
                "state": "1",
                "mode": "0",
                "startTime": "01:00",
                "endTime": "02:00",
                "power": "8",
                "week": None,
            },
        ]
    }
    groups = decode_schedule(SettingsFamily.JUNIOR_BOX, data).groups
    assert [group.start for group in groups] == [time(1), time(10)]
    assert groups[0].days == frozenset()
    assert groups[1].days == frozenset({Weekday.SATURDAY, Weekday.SUNDAY})
    assert not groups[1].enabled


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("state", "2"),
        ("mode", "16"),
        ("startTime", "8 o'clock"),
        ("power", "lots"),
        ("power", "8.5"),
        ("week", "7"),
        ("week", "mon"),
        ("batteryWorkGroup", True),
    ],
)
def test_bad_group_fields_raise(field: str, value: Any) -> None:
    """A group the codec cannot read is a response error, never a guess."""
    item = {
        "batteryWorkGroup": 1,
        "state": "1",
        "mode": "0",
        "startTime": "01:00",
        "endTime": "02:00",
        "power": "8",
        "week": "0",
        field: value,
    }
    with pytest.raises(DynessResponseError):
        decode_schedule(SettingsFamily.JUNIOR_BOX, {"workGroups": [item]})


@pytest.mark.parametrize("data", [None, [], {"workGroups": "x"}, {"workGroups": [1]}])
def test_bad_schedule_shapes_raise(data: Any) -> None:
    """Non-objects and non-lists are response errors."""
    with pytest.raises(DynessResponseError):
        decode_schedule(SettingsFamily.JUNIOR_BOX, data)


def test_cygni_unknown_work_mode_raises() -> None:
    """On a Cygni the work mode matters: an unknown code is an error."""
    with pytest.raises(DynessResponseError):
        decode_schedule(SettingsFamily.CYGNI, {"workMode": "9", "workGroups": []})


def test_cygni_battery_round_trip() -> None:
    """Cygni depths and limits; the off-grid charge limit is optional."""
    wire = {
        "onGridDischargeDod": "20",
        "offGridDischargeDod": 15,
        "batteryChargeLimit": "90",
        "batteryOffGridChargeLimit": "",
    }
    settings = decode_cygni_battery(wire)
    assert settings == CygniBattery(
        on_grid_depth_pct=20, off_grid_depth_pct=15, charge_limit_pct=90
    )
    assert encode_cygni_battery(settings) == {
        "onGridDischargeDod": "20",
        "offGridDischargeDod": "15",
        "batteryChargeLimit": "90",
    }
    full = CygniBattery(
        on_grid_depth_pct=20,
        off_grid_depth_pct=15,
        charge_limit_pct=90,
        off_grid_charge_limit_pct=80,
    )
    assert decode_cygni_battery(encode_cygni_battery(full)) == full


def test_heating_round_trip() -> None:
    """Heating periods: status, times, temperatures and weekInfo."""
    schedule = HeatingSchedule(
        periods=(
            HeatingPeriod(
                enabled=True,
                start=time(22),
                end=time(6),
                min_temp_c=12,
                max_temp_c=18,
                days=frozenset({Weekday.MONDAY, Weekday.SUNDAY}),
            ),
        )
    )
    body = encode_heating(schedule)
    assert body == {
        "heatingPeriodList": [
            {
                "status": "1",
                "startTime": "22:00",
                "endTime": "06:00",
                "tempMin": "12",
                "tempMax": "18",
                "weekInfo": "0,6",
            }
        ]
    }
    assert decode_heating(body) == schedule
    assert decode_heating({"heatingPeriodList": None}).periods == ()
    with pytest.raises(DynessResponseError):
        decode_heating({"heatingPeriodList": {"a": 1}})


def test_not_configured_text() -> None:
    """The v2 'not configured' answer is recognised case-insensitively."""
    assert is_not_configured("Device is not configured")
    assert is_not_configured("DEVICE IS NOT CONFIGURED ")
    assert not is_not_configured("Invalid Parameter")
