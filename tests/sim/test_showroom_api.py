"""The showroom over HTTP: signed calls for every model, details and running data."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from dyness_sim import ALL_MODELS, SimClock, Simulator
from dyness_sim.__main__ import banner, build_parser, make_simulator
from dyness_sim.families import RUNNING_DATA_KEYS

from .helpers import Api, points

NOON = datetime(2026, 6, 22, 10, 2, 30, tzinfo=UTC)
REAL_TIME = "/v1/device/realTime/data"


@pytest.fixture
async def api(socket_enabled: None) -> AsyncIterator[Api]:
    """Return a signing client of a started showroom on a fixed clock."""
    sim = Simulator.showroom(clock=SimClock.fixed(NOON), per_second=None, per_hour=None)
    await sim.start(host="127.0.0.1", port=0)
    async with aiohttp.ClientSession() as session:
        yield Api(sim, session)
    await sim.stop()


async def test_every_model_over_signed_http(api: Api) -> None:
    """Each master, module and dongle answers signed calls; bad signatures get 401."""
    listing = await api.data("/v1/device/storage/list", {"pageSize": 50})
    assert listing["total"] == len(ALL_MODELS)
    assert [item["deviceSn"] for item in listing["list"]] == [
        b.device_sn for b in api.sim.batteries
    ]
    for battery in api.sim.batteries:
        master = await api.data(REAL_TIME, {"deviceSn": battery.device_sn})
        assert points(master)["T"]
        for serial in battery.module_sns:
            module = await api.data(REAL_TIME, {"deviceSn": serial})
            assert bool(module) == battery.modules_reachable
        dongle = points(await api.data(REAL_TIME, {"deviceSn": battery.collector_sn}))
        assert set(dongle) == {"T", "800000"}
        reply = await api.post(
            REAL_TIME, {"deviceSn": battery.device_sn}, secret="0" * 31
        )
        assert reply.json["code"] == "401"


async def test_details_per_model(api: Api) -> None:
    """Detail: name, code, rated voltage per topology; PowerBox G2 hides firmware."""
    for battery in api.sim.batteries:
        detail = await api.data(
            "/v1/device/household/storage/detail", {"deviceSn": battery.device_sn}
        )
        assert detail["deviceModelName"] == battery.model_name
        assert detail["deviceModelCode"] == str(battery.model_code)
        assert detail["voltage"] == battery.rated_voltage
        if battery.model_code == 42:
            assert detail["firmwareVersion"] is None
        else:
            assert detail["firmwareVersion"] == battery.firmware
        assert detail["batteryCategory"] == battery.spec.battery_category


async def test_running_data_full_for_cygni_only(api: Api) -> None:
    """Cygni running data is fully filled and balanced; batteries stay all-null."""
    path = "/v1/device/getLastRunningDataBySn"
    for battery in api.sim.batteries:
        data = await api.data(path, {"deviceSn": battery.device_sn})
        assert set(data) == set(RUNNING_DATA_KEYS)
        if battery.spec.family != "CYGNI":
            assert {k for k, v in data.items() if v is not None} == {
                "dateTime",
                "sn",
                "lastUpdateTime",
            }
            continue
        assert all(isinstance(value, str) for value in data.values())
        pv, load = int(data["pvPower"]), int(data["loadPower"])
        charge = -int(data["batteryPower"])
        assert pv > 0
        assert int(data["gridPower"]) == pytest.approx(pv - load - charge, abs=2)
        assert int(data["pv1Power"]) + int(data["pv2Power"]) == pytest.approx(pv, abs=1)
        realtime = points(await api.data(REAL_TIME, {"deviceSn": battery.device_sn}))
        assert data["batteryPower"] == realtime["172"]
        assert data["batterySoc"] == realtime["2010"]
        assert float(data["dayGeneration"]) > 0
        assert data["sn"] == battery.device_sn


async def test_station_info_in_showroom(api: Api) -> None:
    """The expanded Stack100 reports its old capacity; 1700 has the new one."""
    stack = next(b for b in api.sim.batteries if b.model_code == 50)
    info = await api.data("/v1/station/info", {"deviceSn": stack.device_sn})
    assert info["batteryCapacity"] == "35.84"
    master = points(await api.data(REAL_TIME, {"deviceSn": stack.device_sn}))
    assert master["1700"] == "46.08"


def test_command_line_scenarios() -> None:
    """--scenario showroom and --model pick the scenario; the banner lists them."""
    sim = make_simulator(build_parser().parse_args(["--scenario", "showroom"]))
    assert len(sim.batteries) == len(ALL_MODELS)
    text = banner(sim, "http://127.0.0.1:8900")
    assert all(b.device_sn in text for b in sim.batteries)
    one = make_simulator(build_parser().parse_args(["--model", "Tower T14"]))
    assert [b.model_name for b in one.batteries] == ["Tower T14"]
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--model", "PowerWall"])


async def test_stack100_power_per_module_sums_to_master(api: Api) -> None:
    """Stack100 modules answer the power series with their share; others refuse."""
    path = "/v1/device/getLastPowerDataBySn"
    stack = next(b for b in api.sim.batteries if b.model_code == 50)
    master = await api.data(path, {"deviceSn": stack.device_sn})
    shares = [await api.data(path, {"deviceSn": sn}) for sn in stack.module_sns]
    assert any(r["realTimePower"] for r in master)
    for index, record in enumerate(master):
        if record["realTimePower"] is None:
            assert all(s[index]["realTimePower"] is None for s in shares)
            continue
        total = sum(s[index]["realTimePower"] for s in shares)
        assert total == pytest.approx(record["realTimePower"], abs=1e-6)
        assert all(
            s[index]["realTimeCurrent"] == record["realTimeCurrent"] for s in shares
        )
    tower = next(b for b in api.sim.batteries if b.model_code == 25)
    reply = await api.post(path, {"deviceSn": tower.module_sns[0]})
    assert reply.json["code"] == "500"


async def test_household_list_by_category(api: Api) -> None:
    """deviceType 2 lists the Junior Box, 4 the HV clusters."""
    path = "/v1/device/houseHold/list"
    page = await api.data(path, {"deviceType": 2, "pageNum": 1, "pageSize": 50})
    assert [item["deviceModelName"] for item in page["list"]] == ["Junior Box"]
    page = await api.data(path, {"deviceType": 4, "pageNum": 1, "pageSize": 50})
    assert {item["deviceModelCode"] for item in page["list"]} == {"25", "27", "7", "50"}
