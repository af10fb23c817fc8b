"""v2 settings of the simulator: endpoints, checks, quirks and the battery's response."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import EMPTY_APP_ID, EMPTY_APP_SECRET
from dyness_sim.devices import Battery
from dyness_sim.settings import DeviceSettings, SettingsError

from .helpers import Api, points, run_samples

# 19:00 in Berlin: evening load, no PV.
EVENING = datetime(2026, 6, 21, 17, 0, tzinfo=UTC)
NOON = datetime(2026, 6, 21, 11, 0, tzinfo=UTC)
NOT_CONFIGURED = ("500", "Device is not configured")
INVALID = ("500", "Invalid Parameter")
NOT_NULL = ("500", "request parameter is not null")


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[Simulator]:
    """Return a started showroom (every model) with v2 on and no rate limits."""
    simulator = Simulator.showroom(
        clock=SimClock.fixed(EVENING), v2_enabled=True, per_second=None, per_hour=None
    )
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


def _battery(sim: Simulator, model: str) -> Battery:
    """Return the showroom battery of a model."""
    return next(b for b in sim.batteries if b.model_name == model)


async def _error(api: Api, path: str, body: Any) -> tuple[str, str]:
    """Return code and info of an error envelope."""
    reply = await api.post(path, body)
    assert reply.status == 200
    envelope = reply.json
    assert envelope["data"] is None
    return envelope["code"], envelope["info"]


def _jb_group(number: int, **changes: str) -> dict[str, Any]:
    """Return a valid Junior Box group body."""
    group: dict[str, Any] = {
        "batteryWorkGroup": number,
        "state": "0",
        "mode": "0",
        "startTime": "00:00",
        "endTime": "00:00",
        "power": "0",
        "week": "",
    }
    group.update(changes)
    return group


def _cygni_group(number: int, **changes: str) -> dict[str, Any]:
    """Return a valid Cygni group body."""
    group = _jb_group(number)
    group.update(
        dodState="0", dod="20", socMaxChargeState="0", batterySocMaxCharge="100"
    )
    group.update(changes)
    return group


# --- endpoints ----------------------------------------------------------------


async def test_junior_box_base_read_write_with_lag(api: Api, sim: Simulator) -> None:
    """Base settings: both SN spellings; a write shows in reads 15 s later."""
    box = _battery(sim, "Junior Box")
    for serial in (box.device_sn, box.collector_sn):
        data = await api.data("/v2/GetBaseSetting", {"deviceSn": serial})
        assert data == {"workMode": "0", "powerLimit": "800", "dischargeDepth": "90"}
    body = {
        "deviceSn": box.device_sn,
        "workMode": "6",
        "powerLimit": 400,
        "dischargeDepth": "30",
    }
    assert await api.data("/v2/SetBaseSetting", body) is True
    shown = await api.data("/v2/GetBaseSetting", {"deviceSn": box.device_sn})
    assert shown["powerLimit"] == "800"
    sim.clock.advance(timedelta(seconds=16))
    shown = await api.data("/v2/GetBaseSetting", {"deviceSn": box.device_sn})
    assert shown == {"workMode": "6", "powerLimit": "400", "dischargeDepth": "30"}


@pytest.mark.parametrize(
    ("changes", "answer"),
    [
        ({"workMode": None}, NOT_NULL),
        ({"workMode": "2"}, INVALID),
        ({"powerLimit": "144"}, INVALID),
        ({"powerLimit": "808"}, INVALID),
        ({"powerLimit": "404"}, INVALID),
        ({"powerLimit": "abc"}, INVALID),
        ({"dischargeDepth": "19"}, INVALID),
        ({"dischargeDepth": "101"}, INVALID),
        ({"dischargeDepth": ""}, NOT_NULL),
    ],
)
async def test_junior_box_base_checks(
    api: Api, sim: Simulator, changes: dict[str, Any], answer: tuple[str, str]
) -> None:
    """The cloud refuses out-of-range values and a missing workMode."""
    box = _battery(sim, "Junior Box")
    body: dict[str, Any] = {
        "deviceSn": box.device_sn,
        "workMode": "0",
        "powerLimit": "400",
        "dischargeDepth": "50",
    }
    body.update(changes)
    body = {key: value for key, value in body.items() if value is not None}
    assert await _error(api, "/v2/SetBaseSetting", body) == answer
    assert box.settings is not None
    assert box.settings.writes == 0


async def test_junior_box_needs_four_groups(api: Api, sim: Simulator) -> None:
    """The four groups go together; numbers must be distinct; time and week checked."""
    box = _battery(sim, "Junior Box")
    path = "/v2/SetWorkModeSetting"
    four = [_jb_group(n) for n in range(1, 5)]
    base = {"deviceSn": box.device_sn, "workMode": "0"}
    assert await _error(api, path, {**base, "workGroups": four[:3]}) == INVALID
    assert await _error(api, path, {**base}) == NOT_NULL
    twice = [*four[:3], _jb_group(1)]
    assert await _error(api, path, {**base, "workGroups": twice}) == INVALID
    for bad in (
        {"startTime": "24:00"},
        {"week": "7"},
        {"power": "801"},
        {"state": "2"},
    ):
        groups = [_jb_group(1, **bad), *four[1:]]
        assert await _error(api, path, {**base, "workGroups": groups}) == INVALID
    shuffled = [
        four[2],
        four[0],
        _jb_group(4, state="1", week="6,5", power="800"),
        four[1],
    ]
    assert await api.data(path, {**base, "workGroups": shuffled}) is True
    sim.clock.advance(timedelta(seconds=20))
    data = await api.data("/v2/GetWorkModeSetting", {"deviceSn": box.device_sn})
    assert [g["batteryWorkGroup"] for g in data["workGroups"]] == ["1", "2", "3", "4"]
    assert data["workGroups"][3]["week"] == "5,6"


async def test_cygni_settings(api: Api, sim: Simulator) -> None:
    """Cygni: TOU up to 10 000 W with depth fields, battery depths; no lag."""
    cygni = _battery(sim, "Cygni 10.0HS-M8")
    serial = {"deviceSn": cygni.device_sn}
    path = "/v2/SetWorkModeSetting"
    body = {**serial, "workMode": "3", "workGroups": [_cygni_group(1, power="10000")]}
    assert await api.data(path, body) is True
    data = await api.data("/v2/GetWorkModeSetting", serial)
    assert data["workMode"] == "3"
    assert data["workGroups"][0]["power"] == "10000"
    too_much = {**body, "workGroups": [_cygni_group(1, power="10001")]}
    assert await _error(api, path, too_much) == INVALID
    no_mode = {**serial, "workGroups": [_cygni_group(1)]}
    assert await _error(api, path, no_mode) == NOT_NULL
    battery = {
        **serial,
        "onGridDischargeDod": "30",
        "offGridDischargeDod": "15",
        "batteryChargeLimit": "90",
    }
    assert await api.data("/v2/SetBatterySetting", battery) is True
    assert await api.data("/v2/GetBatterySetting", serial) == {
        "onGridDischargeDod": "30",
        "offGridDischargeDod": "15",
        "batteryChargeLimit": "90",
        "batteryOffGridChargeLimit": "100",
    }
    assert await _error(api, "/v2/GetBaseSetting", serial) == NOT_CONFIGURED


async def test_heating_checks(api: Api, sim: Simulator) -> None:
    """Heating periods: at most 4, min 10-15, max 15-20, at least 5 apart."""
    brick = _battery(sim, "PowerBrick Plus")
    path = "/v2/SetBatterySetting"
    period = {
        "status": "1",
        "startTime": "22:00",
        "endTime": "06:00",
        "tempMin": "10",
        "tempMax": "15",
        "weekInfo": "0,1,2,3,4,5,6",
    }

    def body(*periods: dict[str, str]) -> dict[str, Any]:
        return {"deviceSn": brick.device_sn, "heatingPeriodList": list(periods)}

    assert await api.data(path, body(period, period, period, period)) is True
    assert await api.data(path, body()) is True
    assert await _error(api, path, body(*(period,) * 5)) == INVALID
    for bad in (
        {"tempMin": "9"},
        {"tempMin": "16", "tempMax": "20"},
        {"tempMax": "21"},
        {"tempMin": "12", "tempMax": "16"},
        {"status": "2"},
    ):
        assert await _error(api, path, body({**period, **bad})) == INVALID
    assert await api.data("/v2/GetBatterySetting", {"deviceSn": brick.device_sn}) == {
        "heatingPeriodList": []
    }


async def test_unavailable_answers(api: Api, sim: Simulator) -> None:
    """No v2 config: 500 not configured; other key: 401; module SN: invalid."""
    dl5 = _battery(sim, "DL5.0C")
    box = _battery(sim, "Junior Box")
    for path in (
        "/v2/GetBaseSetting",
        "/v2/SetWorkModeSetting",
        "/v2/GetBatterySetting",
    ):
        assert await _error(api, path, {"deviceSn": dl5.device_sn}) == NOT_CONFIGURED
    assert await _error(api, "/v2/GetBatterySetting", {"deviceSn": box.device_sn}) == (
        NOT_CONFIGURED
    )
    other = await api.post(
        "/v2/GetBaseSetting",
        {"deviceSn": box.device_sn},
        app_id=EMPTY_APP_ID,
        secret=EMPTY_APP_SECRET,
    )
    assert (other.json["code"], other.json["info"]) == ("401", "ACCESS_DENIED")
    module = {"deviceSn": box.module_sns[0]}
    assert await _error(api, "/v2/GetBaseSetting", module) == INVALID
    assert await _error(api, "/v2/GetBaseSetting", {}) == (
        "500",
        "Device ID Cannot Be Empty",
    )


async def test_view_only_key(api: Api, sim: Simulator) -> None:
    """operationPermission 0: Get answers, Set is refused with 401."""
    box = _battery(sim, "Junior Box")
    box.operation_permission = 0
    serial = {"deviceSn": box.device_sn}
    assert (await api.data("/v2/GetBaseSetting", serial))["powerLimit"] == "800"
    body = {**serial, "workMode": "0", "powerLimit": "400", "dischargeDepth": "50"}
    assert await _error(api, "/v2/SetBaseSetting", body) == ("401", "ACCESS_DENIED")


async def test_realtime_points_follow_with_lag(api: Api, sim: Simulator) -> None:
    """6500/6600 and the TOU points show written settings in later samples."""
    box = _battery(sim, "Junior Box")
    serial = {"deviceSn": box.device_sn}
    values = points(await api.data("/v1/device/realTime/data", serial))
    assert (values["6500"], values["6600"]) == ("800", "90")
    assert (values["8100"], values["8200"], values["8300"]) == ("127", "800", "1700")
    body = {**serial, "workMode": "0", "powerLimit": "400", "dischargeDepth": "50"}
    await api.data("/v2/SetBaseSetting", body)
    groups = [
        _jb_group(
            1,
            state="1",
            startTime="22:30",
            endTime="06:00",
            power="200",
            week="0,6",
            mode="1",
        ),
        *(_jb_group(n) for n in range(2, 5)),
    ]
    await api.data(
        "/v2/SetWorkModeSetting", {**serial, "workMode": "0", "workGroups": groups}
    )
    values = points(await api.data("/v1/device/realTime/data", serial))
    assert values["6500"] == "800"
    sim.clock.advance(timedelta(minutes=6))
    values = points(await api.data("/v1/device/realTime/data", serial))
    assert (values["6500"], values["6600"]) == ("400", "50")
    assert (values["8100"], values["8200"], values["8300"]) == ("65", "2230", "600")
    assert values["8400"] == str(200 * 32 + 16)
    assert values["8500"] == "0"


async def test_truth_reports_settings_and_heater(api: Api, sim: Simulator) -> None:
    """The control API shows the settings and the heater state."""
    brick = _battery(sim, "PowerBrick Plus")
    reply = await api.control("GET", f"/_sim/truth/{brick.device_sn}")
    report = reply.json
    assert report["heater_on"] is False
    assert report["settings"]["family"] == "lv_heating"
    assert report["settings"]["written"] == []
    dl5 = _battery(sim, "DL5.0C")
    assert (await api.control("GET", f"/_sim/truth/{dl5.device_sn}")).json[
        "settings"
    ] is None


# --- the battery's response ----------------------------------------------------


def _single(model: str, at: datetime) -> tuple[Simulator, Battery]:
    """Return an unstarted single-model simulator and its battery."""
    sim = Simulator.single(model, clock=SimClock.fixed(at), v2_enabled=True)
    return sim, sim.batteries[0]


def _write(battery: Battery, sim: Simulator, kind: Any, body: dict[str, Any]) -> None:
    """Write settings the way the endpoint does."""
    assert battery.settings is not None
    battery.settings.write(kind, body, sim.clock.now())
    battery.settings_changed(sim.clock.now())


def test_unwritten_settings_change_nothing() -> None:
    """Until a setting is written the battery follows its household profile."""
    sim, box = _single("Junior Box", EVENING)
    plain, twin = _single("Junior Box", EVENING)
    twin.settings = None
    assert [s.power_w for s in run_samples(box, sim, 12)] == [
        s.power_w for s in run_samples(twin, plain, 12)
    ]


def test_power_limit_caps_output_and_depth_stops_discharge() -> None:
    """Power limit caps the discharge; discharging stops at the depth SOC."""
    sim, box = _single("Junior Box", EVENING)
    box.set_soc(75.0, sim.clock.now())
    assert min(s.power_w for s in run_samples(box, sim, 0.5)) < -400
    _write(
        box, sim, "base", {"workMode": "0", "powerLimit": "400", "dischargeDepth": "65"}
    )
    seen = run_samples(box, sim, 8)
    assert min(s.power_w for s in seen) >= -400
    assert min(s.power_w for s in seen) < -300
    assert min(s.soc for s in seen) >= 64.9
    assert seen[-1].power_w == 0


def test_power_limit_counts_pv() -> None:
    """At noon the limit leaves room for PV: discharge at most limit minus PV."""
    sim, box = _single("Junior Box", NOON)
    box.set_soc(80.0, sim.clock.now())
    _write(
        box, sim, "base", {"workMode": "0", "powerLimit": "152", "dischargeDepth": "20"}
    )
    assert all(s.power_w >= -152 for s in run_samples(box, sim, 6))


def test_charge_group_charges_from_grid_in_its_window() -> None:
    """A Junior Box charge group pulls its power in its window only."""
    sim, box = _single("Junior Box", datetime(2026, 6, 21, 20, 0, tzinfo=UTC))
    box.set_soc(30.0, sim.clock.now())
    groups = [
        _jb_group(
            1,
            state="1",
            startTime="23:00",
            endTime="01:00",
            power="600",
            week="0,1,2,3,4,5,6",
        ),
        *(_jb_group(n) for n in range(2, 5)),
    ]
    _write(box, sim, "work", {"workMode": "0", "workGroups": groups})
    seen = run_samples(box, sim, 8)
    zone = box.station.timezone
    inside = [s for s in seen if s.at.astimezone(zone).hour in (23, 0)]
    outside = [s for s in seen if s.at.astimezone(zone).hour in (2, 3, 4)]
    assert inside
    assert all(s.power_w == pytest.approx(600, abs=1) for s in inside[1:])
    assert all(s.power_w <= 0 for s in outside)


def test_discharge_group_and_cygni_ceiling() -> None:
    """A discharge group forces discharge; the Cygni charge limit stops charging."""
    sim, cygni = _single("Cygni 10.0HS-M8", datetime(2026, 6, 21, 6, 0, tzinfo=UTC))
    cygni.set_soc(60.0, sim.clock.now())
    _write(
        cygni,
        sim,
        "battery",
        {
            "onGridDischargeDod": "20",
            "offGridDischargeDod": "10",
            "batteryChargeLimit": "70",
        },
    )
    day = run_samples(cygni, sim, 8)
    assert max(s.soc for s in day) <= 70.1
    assert max(s.soc for s in day) > 69
    groups = [
        _cygni_group(
            1,
            state="1",
            mode="1",
            startTime="16:00",
            endTime="17:00",
            power="2000",
            week="0,1,2,3,4,5,6",
        )
    ]
    _write(cygni, sim, "work", {"workMode": "3", "workGroups": groups})
    zone = cygni.station.timezone
    later = run_samples(cygni, sim, 4)
    forced = [s for s in later if s.at.astimezone(zone).hour == 16]
    assert forced
    assert all(s.power_w == pytest.approx(-2000, abs=1) for s in forced[1:])


def test_heater_hysteresis_and_windows() -> None:
    """The heater starts below the minimum, runs to the maximum, only in its window."""
    settings = DeviceSettings("lv_heating")
    monday_night = datetime(2026, 12, 14, 23, 30)
    assert settings.heater_target(monday_night, 5.0, False) is None
    period = {
        "status": "1",
        "startTime": "22:00",
        "endTime": "02:00",
        "tempMin": "12",
        "tempMax": "18",
        "weekInfo": "0",
    }
    settings.write("battery", {"heatingPeriodList": [period]}, monday_night)
    assert settings.heater_target(monday_night, 11.0, False) == 21.0
    assert settings.heater_target(monday_night, 15.0, False) is None
    assert settings.heater_target(monday_night, 15.0, True) == 21.0
    assert settings.heater_target(monday_night, 18.0, True) is None
    # Tuesday 01:00 still belongs to Monday's window; Tuesday 23:30 does not.
    assert settings.heater_target(datetime(2026, 12, 15, 1, 0), 11.0, False) == 21.0
    assert settings.heater_target(datetime(2026, 12, 15, 23, 30), 11.0, False) is None
    assert settings.heater_target(datetime(2026, 12, 14, 12, 0), 11.0, False) is None
    settings.write(
        "battery", {"heatingPeriodList": [{**period, "status": "0"}]}, monday_night
    )
    assert settings.heater_target(monday_night, 11.0, False) is None
    with pytest.raises(SettingsError):
        settings.write("battery", {"heatingPeriodList": "no"}, monday_night)
    with pytest.raises(KeyError):
        settings.write("base", {}, monday_night)


def test_heating_warms_the_cells_in_winter() -> None:
    """In December the heater keeps the cells near the period's range."""
    sim, brick = _single("PowerBrick Plus", datetime(2026, 12, 15, 0, 0, tzinfo=UTC))
    cold = run_samples(brick, sim, 2)
    assert max(s.modules[0].ntc[0] for s in cold) < 14
    period = {
        "status": "1",
        "startTime": "00:00",
        "endTime": "23:59",
        "tempMin": "15",
        "tempMax": "20",
        "weekInfo": "0,1,2,3,4,5,6",
    }
    _write(brick, sim, "battery", {"heatingPeriodList": [period]})
    warm = run_samples(brick, sim, 6)[6:]
    temps = [s.modules[0].ntc[0] for s in warm]
    assert min(temps) > 13.5
    assert max(temps) < 23.5
