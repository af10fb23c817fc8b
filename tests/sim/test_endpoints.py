"""Every endpoint over HTTP: envelope, shapes and documented errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
import re
from typing import Any

import pytest

from dyness_sim import Simulator
from dyness_sim.accounts import (
    DL5_DONGLE_SN,
    DL5_MODULE_SNS,
    DL5_SN,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    POWERHAUS_DONGLE_SN,
    POWERHAUS_MODULE_SNS,
    POWERHAUS_SN,
)
from dyness_sim.endpoints import INVALID
from dyness_sim.families import RUNNING_DATA_KEYS
from dyness_sim.physics import displayed_soc
from dyness_sim.scenarios import single_accounts

from .helpers import Api, points

LIST_FIELDS = {
    "deviceSn",
    "collectorSn",
    "deviceName",
    "deviceCommunicationStatus",
    "deviceCommunicationStatusCode",
    "deviceModelName",
    "deviceModelCode",
    "parentCode",
    "batteryCategory",
    "productType",
    "workStatus",
    "stationId",
    "stationName",
    "position",
    "systemType",
    "stationType",
    "firmwareVersion",
    "operationPermission",
    "createTime",
    "masterSlaveStatus",
}
UTC_RE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


async def _error(
    api: Api, path: str, body: Any = None, **kwargs: Any
) -> tuple[str, str]:
    """Return code and info of an error envelope (HTTP 200, data null)."""
    reply = await api.post(path, body, **kwargs)
    assert reply.status == 200
    envelope = reply.json
    assert set(envelope) == {"code", "info", "data"}
    assert envelope["data"] is None
    assert isinstance(envelope["code"], str)
    return envelope["code"], envelope["info"]


async def test_storage_list(api: Api) -> None:
    """Both masters are listed with the §6.1 fields; modules are not."""
    reply = await api.post("/v1/device/storage/list", {})
    assert reply.headers["Content-Type"].startswith("application/json")
    envelope = reply.json
    assert envelope["code"] == "200"
    data = envelope["data"]
    assert (data["pageNum"], data["pageSize"], data["total"]) == (1, 10, 2)
    serials = [item["deviceSn"] for item in data["list"]]
    assert serials == [POWERHAUS_SN, DL5_SN]
    for item in data["list"]:
        assert set(item) >= LIST_FIELDS
        assert item["deviceSn"].endswith("-BMS")
        assert item["deviceSn"] == f"{item['collectorSn']}-BMS"
        assert len(item["collectorSn"]) == 16
        assert item["collectorSn"].startswith("R07E")
        assert item["deviceCommunicationStatus"] == "Online"
        assert item["deviceCommunicationStatusCode"] == 1
    models = {item["deviceModelName"]: item["deviceModelCode"] for item in data["list"]}
    assert models == {"PowerHaus": "145", "DL5.0C": "15"}
    assert data["list"][0]["parentCode"] == "145"
    assert not set(POWERHAUS_MODULE_SNS + DL5_MODULE_SNS) & set(serials)


async def test_storage_list_paging(api: Api) -> None:
    """pageNum/pageSize page through the list; filters are ignored."""
    page = await api.data(
        "/v1/device/storage/list",
        {"pageNum": 2, "pageSize": 1, "deviceSn": POWERHAUS_SN},
    )
    assert [item["deviceSn"] for item in page["list"]] == [DL5_SN]
    assert (page["pageNum"], page["pageSize"], page["total"]) == (2, 1, 2)
    page = await api.data("/v1/device/storage/list", {"pageNum": "3", "pageSize": "1"})
    assert page["list"] == []
    assert page["total"] == 2
    page = await api.data("/v1/device/storage/list", {"pageNum": 0, "pageSize": "x"})
    assert (page["pageNum"], page["pageSize"]) == (1, 10)


async def test_storage_list_of_empty_account(api: Api) -> None:
    """A key without devices gets an empty page."""
    page = await api.data(
        "/v1/device/storage/list", {}, app_id=EMPTY_APP_ID, secret=EMPTY_APP_SECRET
    )
    assert page == {"list": [], "pageNum": 1, "pageSize": 10, "total": 0}


async def test_work_status_is_fault_in_standby(api: Api, sim: Simulator) -> None:
    """workStatus says Fault while the battery idles (Q13)."""
    battery = sim.device(POWERHAUS_SN)
    battery.set_soc(100, sim.clock.now())
    sim.clock.advance(timedelta(minutes=10))
    page = await api.data("/v1/device/storage/list", {})
    assert page["list"][0]["workStatus"] == "Fault"


async def test_detail(api: Api, sim: Simulator) -> None:
    """The detail DTO: null collectorSn, local dataUpdateTime with offset."""
    detail = await api.data(
        "/v1/device/household/storage/detail", {"deviceSn": POWERHAUS_SN}
    )
    assert detail["collectorSn"] is None
    assert detail["deviceSn"] == POWERHAUS_SN
    assert detail["deviceModelName"] == "PowerHaus"
    assert detail["deviceType"] == "Energy Storage"
    assert detail["deviceTypeCode"] == "4"
    assert detail["voltage"] == "51.2"
    assert detail["energy"] == "5.12"
    assert detail["firmwareVersion"]
    assert detail["deviceCommunicationStatus"] == "Online"
    stamp = points(
        await api.data("/v1/device/realTime/data", {"deviceSn": POWERHAUS_SN})
    )["T"]
    utc = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
    local = (utc + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M:%S")
    assert detail["dataUpdateTime"] == f"{local} UTC+02:00"
    sim.clock.set(datetime(2026, 3, 23, 21, 57, 40, tzinfo=UTC))
    detail = await api.data("/v1/device/household/storage/detail", {"deviceSn": DL5_SN})
    assert detail["dataUpdateTime"].endswith(" UTC+01:00")
    assert detail["energy"] == "15.36"


async def test_station_info_capacity_quirk(api: Api) -> None:
    """PowerHaus reports the total, DL5.0C one module (Q7); all strings."""
    info = await api.data("/v1/station/info", {"deviceSn": POWERHAUS_SN})
    assert info == {
        "installedPower": "1.0",
        "batteryCapacity": "5.12",
        "inverterTotalPower": "0.000",
    }
    info = await api.data("/v1/station/info", {"deviceSn": DL5_SN})
    assert info["batteryCapacity"] == "5.12"
    assert all(isinstance(value, str) for value in info.values())


async def test_real_time_master(api: Api) -> None:
    """The master list: flat string points with labels, SUB and T."""
    data = await api.data("/v1/device/realTime/data", {"deviceSn": POWERHAUS_SN})
    assert len(data) == 92
    for item in data:
        assert set(item) == {"flag", "pointId", "pointValue", "pointNameCn"}
        assert item["flag"] is False
        assert isinstance(item["pointId"], str)
        assert isinstance(item["pointValue"], str)
    values = points(data)
    assert values["SUB"] == POWERHAUS_MODULE_SNS[0]
    assert UTC_RE.match(values["T"])
    assert values["TIME"] == values["T"]
    assert values["500"] == ""
    assert values["400"] == "1"
    dl5 = points(await api.data("/v1/device/realTime/data", {"deviceSn": DL5_SN}))
    assert len(dl5) == 96
    assert dl5["SUB"].split(",") == list(DL5_MODULE_SNS)


async def test_real_time_module_and_dongle(api: Api) -> None:
    """Modules from SUB and the dongle answer their own point lists."""
    master = points(await api.data("/v1/device/realTime/data", {"deviceSn": DL5_SN}))
    for serial in master["SUB"].split(","):
        module = points(
            await api.data("/v1/device/realTime/data", {"deviceSn": serial})
        )
        assert module["10000"] == serial
        assert module["T"] == master["T"]
        assert [module[str(10300 + 100 * n)] for n in range(16)]
    dongle = await api.data(
        "/v1/device/realTime/data", {"deviceSn": POWERHAUS_DONGLE_SN}
    )
    assert {item["pointId"]: item["pointNameCn"] for item in dongle} == {
        "T": "数据采集时间",
        "800000": "信号强度",
    }


async def test_last_power_data(api: Api, sim: Simulator) -> None:
    """The local day in 5-minute records, oldest first, current slot null."""
    records = await api.data(
        "/v1/device/getLastPowerDataBySn",
        {"deviceSn": DL5_SN, "pageNo": 1, "pageSize": 1},
    )
    assert records[0]["createTime"] == "2026-06-20 22:00:00"
    assert records[-1]["createTime"] == "2026-06-21 10:00:00"
    assert len(records) == 12 * 12 + 1
    stamps = [datetime.strptime(r["createTime"], "%Y-%m-%d %H:%M:%S") for r in records]
    assert all(b - a == timedelta(minutes=5) for a, b in itertools.pairwise(stamps))
    assert set(records[0]) == {
        "realTimeCurrent",
        "realTimePower",
        "realTimeCurrent2",
        "realTimePower2",
        "realTimeVoltage",
        "inverterTotalPower",
        "soc",
        "createTime",
        "inverterOutputRPhaPower",
        "backupPower",
    }
    assert all(
        value is None for key, value in records[-1].items() if key != "createTime"
    )
    filled = [r for r in records if r["realTimeVoltage"] is not None]
    assert len(filled) == len(records) - 1
    for record in filled:
        assert isinstance(record["soc"], str)
        assert isinstance(record["realTimePower"], int | float)
        assert isinstance(record["realTimeCurrent"], int | float)
    sim.clock.set(datetime(2026, 3, 23, 21, 57, 40, tzinfo=UTC))
    records = await api.data(
        "/v1/device/getLastPowerDataBySn", {"deviceSn": POWERHAUS_SN}
    )
    assert records[0]["createTime"] == "2026-03-22 23:00:00"


async def test_last_running_data_is_null_for_batteries(api: Api) -> None:
    """Only dateTime, sn and lastUpdateTime are filled (Q6)."""
    data = await api.data(
        "/v1/device/getLastRunningDataBySn", {"deviceSn": POWERHAUS_SN}
    )
    assert set(data) == set(RUNNING_DATA_KEYS)
    assert data["sn"] == POWERHAUS_SN
    assert UTC_RE.match(data["dateTime"])
    assert data["lastUpdateTime"] == data["dateTime"]
    assert {k for k, v in data.items() if v is not None} == {
        "dateTime",
        "sn",
        "lastUpdateTime",
    }


async def test_check_version(api: Api) -> None:
    """checkVersion answers the "Lasted" versions; PowerHaus only DSP 311."""
    data = await api.data("/v1/device/checkVersion", {"deviceSn": POWERHAUS_SN})
    assert data == {
        "bmsLastedVersion": None,
        "dspLastedVersion": "311",
        "armLastedVersion": None,
        "mpptLastedVersion": None,
    }


async def test_bind_sn(api: Api) -> None:
    """Own devices are 'bound by someone else' (Q1); unknown SNs fail otherwise."""
    for serial in (POWERHAUS_SN, DL5_MODULE_SNS[0]):
        assert await _error(api, "/v1/device/bindSn", {"deviceSn": serial}) == (
            "500",
            "The device is bound by someone else",
        )
    code, info = await _error(
        api, "/v1/device/bindSn", {"deviceSn": "R07E0000DEADBEEF-BMS"}
    )
    assert code == "500"
    assert info != "The device is bound by someone else"
    assert await _error(api, "/v1/device/bindSn", {}) == (
        "500",
        "Device ID Cannot Be Empty",
    )


async def test_alarm_query(api: Api) -> None:
    """alarm/query needs deviceSnList; then answers an alarm page."""
    assert await _error(api, "/v1/alarm/query", {"deviceSn": POWERHAUS_SN}) == (
        "500",
        "Device ID Cannot Be Empty",
    )
    data = await api.data(
        "/v1/alarm/query",
        {"deviceSnList": [POWERHAUS_SN], "pageNum": 1, "pageSize": 10},
    )
    assert data["allCount"] == 0
    assert data["pageDate"] == {"list": [], "pageNum": 1, "pageSize": 10, "total": 0}
    assert await _error(
        api, "/v1/alarm/query", {"deviceSnList": [POWERHAUS_SN, "R07E0000DEADBEEF-BMS"]}
    ) == ("401", "ACCESS_DENIED")


@pytest.mark.parametrize(
    ("path", "info"),
    [
        ("/v1/peakControl/setting/detail", "Network Anomaly"),
        ("/v1/loadControl/setting/detail", "Network Anomaly"),
        ("/v1/base/read", "Network Anomaly"),
        ("/v1/systemTime/setting/detail", "Network Anomaly"),
        ("/v1/faultWarn/setting/detail", "Network Anomaly"),
        ("/v1/detection/setting/single/detail", "Network Anomaly"),
        ("/v1/device/history/export/task", "Network Anomaly"),
        ("/v1/device/read", "NETWORK_ERROR"),
        ("/v1/inverter/setting/detail", "NETWORK_ERROR"),
        ("/v1/inverter/setting/single/detail", "NETWORK_ERROR"),
        ("/v1/device/singleGetChargeDischargeConfig", "Device connection timed out"),
        ("/v1/device/singleGetDischargeConfig", "Device connection timed out"),
        ("/v1/device/unBindSn", "Invalid Parameter"),
        ("/v1/control/maxFeedinSet", "Invalid Parameter"),
    ],
)
async def test_igen_and_unmodelled_endpoints(api: Api, path: str, info: str) -> None:
    """IGEN settings reads answer their documented 500 texts (Q21)."""
    assert await _error(api, path, {"deviceSn": POWERHAUS_SN}) == ("500", info)


@pytest.mark.parametrize("sim_options", [{"slow_seconds": 0.05}])
async def test_slow_igen_reads(api: Api) -> None:
    """battery/setting/detail answers only after a delay."""
    assert await _error(
        api, "/v1/battery/setting/detail", {"deviceSn": POWERHAUS_SN}
    ) == (
        "500",
        "Device connection timed out",
    )


async def test_household_list_energy_and_inverter(api: Api) -> None:
    """houseHold/list, getEnergyDataBySn and inverter/load/detail need their fields."""
    assert await _error(api, "/v1/device/houseHold/list", {}) == (
        "500",
        "request parameter is not null",
    )
    page = await api.data(
        "/v1/device/houseHold/list", {"deviceType": 3, "pageNum": 1, "pageSize": 10}
    )
    assert page["total"] == 2
    page = await api.data(
        "/v1/device/houseHold/list", {"deviceType": 4, "pageNum": 1, "pageSize": 10}
    )
    assert page["total"] == 0
    body = {"deviceSn": POWERHAUS_SN, "date": "2026-06-21"}
    assert await _error(api, "/v1/device/getEnergyDataBySn", body) == (
        "500",
        "request parameter is not null",
    )
    energy = await api.data(
        "/v1/device/getEnergyDataBySn",
        {"deviceSn": POWERHAUS_SN, "dateTime": "2026-06-21"},
    )
    assert set(energy.values()) == {None}
    assert await _error(
        api, "/v1/device/inverter/load/detail", {"deviceSn": DL5_SN}
    ) == (
        "500",
        "Device ID Cannot Be Empty",
    )
    assert await _error(
        api, "/v1/device/inverter/load/detail", {"inverterSn": "X"}
    ) == (
        "500",
        "NETWORK_ERROR",
    )
    assert await api.data("/v1/device/inverter/list", {}) == []
    assert await api.data("/v1/group/getGroupList", {}) == []
    assert await api.data("/v1/group/getSystemList", {}) == []
    grid_codes = await api.data("/v1/group/getSafelyList", {})
    assert grid_codes[0] == {"code": "0", "value": "50Hz Grid Default"}


@pytest.mark.parametrize(
    "path",
    [
        "/v1/device/realTime/data",
        "/v1/device/household/storage/detail",
        "/v1/station/info",
        "/v1/device/getLastPowerDataBySn",
        "/v1/device/getLastRunningDataBySn",
        "/v1/device/checkVersion",
    ],
)
async def test_serial_checks(api: Api, path: str) -> None:
    """No SN: 500; a foreign or unknown SN: 401 ACCESS_DENIED."""
    assert await _error(api, path, {}) == ("500", "Device ID Cannot Be Empty")
    assert await _error(api, path, {"deviceSn": ""}) == (
        "500",
        "Device ID Cannot Be Empty",
    )
    assert await _error(
        api,
        path,
        {"deviceSn": POWERHAUS_SN},
        app_id=EMPTY_APP_ID,
        secret=EMPTY_APP_SECRET,
    ) == ("401", "ACCESS_DENIED")
    assert await _error(api, path, {"deviceSn": "R07E0000DEADBEEF-BMS"}) == (
        "401",
        "ACCESS_DENIED",
    )


async def test_master_only_endpoints_refuse_modules(api: Api) -> None:
    """Detail-type endpoints want the master SN, not a module or dongle."""
    for serial in (DL5_MODULE_SNS[0], DL5_DONGLE_SN):
        assert await _error(
            api, "/v1/device/household/storage/detail", {"deviceSn": serial}
        ) == ("500", "Invalid Parameter")


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1,2]", b'"x"'])
async def test_body_must_be_json_object(api: Api, raw: bytes) -> None:
    """A signed body that is not a JSON object is a parameter error."""
    assert await _error(api, "/v1/device/storage/list", raw=raw) == (
        "500",
        "request parameter is not null",
    )


async def test_unknown_paths_are_spring_404(api: Api) -> None:
    """Unknown v1 and (by default) all v2 paths give Spring's 404 JSON."""
    for path in ("/v1/device/nothing", "/v2/GetRealTimeDataBySN", "/v2/GetDeviceList"):
        reply = await api.post(path, {"deviceSn": POWERHAUS_SN})
        assert reply.status == 404
        body = reply.json
        assert set(body) == {"timestamp", "status", "error", "path"}
        assert body["status"] == 404
        assert body["error"] == "Not Found"
        assert body["path"] == f"/openapi/ems-device{path}"
    async with api.session.get(f"{api.sim.base_url}/elsewhere") as response:
        assert response.status == 404
        assert (await response.json())["path"] == "/elsewhere"


async def test_wrong_method_is_405(api: Api) -> None:
    """A GET on a POST endpoint is refused."""
    reply = await api.post("/v1/device/storage/list", {}, method="GET")
    assert reply.status == 405
    assert reply.json["error"] == "Method Not Allowed"


@pytest.mark.parametrize("sim_options", [{"v2_enabled": True}])
async def test_v2_when_enabled(api: Api) -> None:
    """With v2 on, GetDeviceList lists both spellings; data is 'not configured'."""
    devices = await api.data("/v2/GetDeviceList", {})
    assert {item["deviceSn"] for item in devices} == {
        POWERHAUS_SN,
        POWERHAUS_DONGLE_SN,
        DL5_SN,
        DL5_DONGLE_SN,
    }
    assert await _error(api, "/v2/GetRealTimeDataBySN", {"deviceSn": DL5_SN}) == (
        "500",
        "Device is not configured",
    )
    assert await _error(
        api, "/v2/GetRealTimeDataBySN", {"deviceSn": "R07E0000DEADBEEF"}
    ) == (
        "401",
        "ACCESS_DENIED",
    )
    assert (await api.post("/v2/SetNothing", {})).status == 404


V2_REALTIME = "/v2/GetRealTimeDataBySN"


@pytest.mark.parametrize(
    "sim_options",
    [{"v2_enabled": True, "accounts": single_accounts("PowerBrick Plus")}],
)
async def test_v2_realtime_gives_family_c_soc_in_europe(
    api: Api, sim: Simulator
) -> None:
    """EU PowerBrick Plus: `batteryInfo` with the SOC its point list leaves empty."""
    battery = sim.batteries[0]
    master = points(battery.points(battery.device_sn, sim.clock.now()))
    assert master["23800"] == ""
    data = await api.data(V2_REALTIME, {"deviceSn": battery.device_sn})
    info = data["batteryInfo"]
    sample = battery.latest_sample(sim.clock.now())
    assert sample is not None
    assert info["soc"] == displayed_soc(sample.soc, sample.full)
    assert info["batteryVoltage"] == float(master["13500"])
    assert info["batteryCurrent"] == float(master["13400"])
    assert info["cycleCount"] == int(master["13900"])
    assert len(info["cellVoltageList"]) == 16
    # The internal SN of point 10001 names the same battery (doc §7).
    assert await api.data(V2_REALTIME, {"deviceSn": master["10001"]}) == data
    assert await _error(api, V2_REALTIME, {"deviceSn": "70100000000000000"}) == (
        "401",
        "ACCESS_DENIED",
    )


@pytest.mark.parametrize(
    "sim_options",
    [
        {
            "v2_enabled": True,
            "region": "asia_pacific",
            "accounts": single_accounts("PowerBrick SC"),
        }
    ],
)
async def test_v2_realtime_fails_in_asia_pacific(api: Api, sim: Simulator) -> None:
    """APAC PowerBrick SC: `GetRealTimeDataBySN` answers code 500 (Q18)."""
    serial = sim.batteries[0].device_sn
    assert await _error(api, V2_REALTIME, {"deviceSn": serial}) == ("500", INVALID)
