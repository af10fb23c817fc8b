"""Tests for parsing the API's answers into typed models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
import math
from typing import Any

import pytest

from custom_components.dyness.api import (
    BatteryInfo,
    DeviceDetail,
    DynessResponseError,
    FirmwareVersions,
    PowerRecord,
    RealtimeSnapshot,
    RunningData,
    StationInfo,
    StorageDevice,
    is_master_sn,
)
from custom_components.dyness.api.models import (
    StorageDevicePage,
    parse_local_with_offset,
    parse_number,
    parse_utc,
)

from .fuzzing import nested


def _point(point_id: str, value: Any, label: str = "") -> dict[str, Any]:
    """Return one point as the API sends it."""
    return {
        "flag": False,
        "pointId": point_id,
        "pointValue": value,
        "pointNameCn": label,
    }


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("53.2", 53.2),
        ("-1.4", -1.4),
        ("100", 100),
        ("0.0", 0.0),
        (12, 12),
        (3.5, 3.5),
        ("", None),
        ("  ", None),
        (None, None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        (True, None),
    ],
)
def test_parse_number(raw: Any, expected: float | None) -> None:
    """Numeric strings become numbers; empty, null and junk become None."""
    assert parse_number(raw) == expected


def test_parse_times() -> None:
    """`T` is naive UTC; `dataUpdateTime` carries its own offset."""
    assert parse_utc("2026-03-23 21:57:27") == datetime(
        2026, 3, 23, 21, 57, 27, tzinfo=UTC
    )
    assert parse_utc("23.03.2026") is None
    assert parse_utc("") is None
    local = parse_local_with_offset("2026-03-23 22:57:27 UTC+01:00")
    assert local == datetime(
        2026, 3, 23, 22, 57, 27, tzinfo=timezone(timedelta(hours=1))
    )
    assert local is not None
    assert local.astimezone(UTC) == datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC)
    west = parse_local_with_offset("2026-03-23 18:57:27 UTC-03:00")
    assert west is not None
    assert west.utcoffset() == timedelta(hours=-3)
    assert parse_local_with_offset("2026-03-23 21:57:27") == parse_utc(
        "2026-03-23 21:57:27"
    )
    assert parse_local_with_offset("2026-13-40 22:57:27 UTC+01:00") is None
    assert parse_local_with_offset(None) is None


@pytest.mark.parametrize(
    "raw",
    [
        "2026-03-23 22:57:27 UTC+24:00",
        "2026-03-23 22:57:27 UTC-99:59",
        "2026-03-23 22:57:27 UTC+18:01",
        "2026-03-23 22:57:27 UTC+01:60",
        "2026-03-23 21:57:27 UTC+\u0660\u0661:00",
        "\u0662\u0660\u0662\u0666-03-23 21:57:27",
        "9999-12-31 23:59:59 UTC-05:00",
        "1970-01-01 00:00:00",
    ],
)
def test_impossible_times_are_none(raw: str) -> None:
    """Offsets past 18 hours, non-ASCII digits and other centuries are garbage."""
    assert parse_local_with_offset(raw) is None
    assert parse_utc(raw) is None


def test_parsers_clean_what_they_keep() -> None:
    """Texts lose controls and lone surrogates, bad numbers are dropped, raw too."""
    detail = DeviceDetail.from_api(
        {
            "deviceSn": "R07E\x00-BMS\ud800",
            "energy": "1e999",
            "deviceModelName": "Tower\nT10",
            "extra": [10**400, math.nan, "\x1b[2J"],
        }
    )
    assert detail.device_sn == "R07E-BMS"
    assert detail.model_name == "Tower T10"
    assert detail.rated_energy is None
    assert detail.raw["extra"] == [None, None, "[2J"]
    page = StorageDevicePage.from_api({"list": [], "total": math.nan, "pageNum": -3})
    assert (page.total, page.page_num) == (0, 1)
    snapshot = RealtimeSnapshot.from_api(
        "R07E-BMS", [{"pointId": "7100", "pointValue": "9" * 400}]
    )
    assert snapshot.number("7100") is None
    with pytest.raises(DynessResponseError):
        RunningData.from_api({"deep": nested(40)})


def test_realtime_snapshot() -> None:
    """Points keep raw text, parsed value and label; meta points are decoded."""
    snapshot = RealtimeSnapshot.from_api(
        "R07E00000000AAAA-BMS",
        [
            _point("T", "2026-03-23 21:57:27", "数据采集时间"),
            _point("SUB", "0106032412230990, 0106032412230991,", "子设备列表"),
            _point("TIME", "2026-03-23 21:57:20", "子设备最后一包时间"),
            _point("300", "2.50-62.0.11", "主机软件版本"),
            _point("600", "53.2", "平均电压"),
            _point("900", "", "平均循环次数"),
            _point("1100", None, "平均SOH"),
            _point("99999", "7", "未知点"),
            {"pointValue": "no id"},
        ],
    )
    assert snapshot.timestamp == datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC)
    assert snapshot.sub_timestamp == datetime(2026, 3, 23, 21, 57, 20, tzinfo=UTC)
    assert snapshot.sub_devices == ("0106032412230990", "0106032412230991")
    assert snapshot.number("600") == 53.2
    assert snapshot.number("900") is None
    assert snapshot.number("1100") is None
    assert snapshot.number("300") is None
    assert snapshot.text("300") == "2.50-62.0.11"
    assert snapshot.number("4242") is None
    assert snapshot.has("900")
    assert not snapshot.has("4242")
    unknown = snapshot.points["99999"]
    assert (unknown.value, unknown.name_cn, unknown.raw) == (7, "未知点", "7")


def test_realtime_snapshot_without_sub() -> None:
    """A null SUB and a null data list are valid."""
    snapshot = RealtimeSnapshot.from_api("X-BDU", [_point("SUB", None)])
    assert snapshot.sub_devices is None
    assert snapshot.timestamp is None
    assert RealtimeSnapshot.from_api("X-BDU", None).points == {}


@pytest.mark.parametrize("data", [{"a": 1}, "text", [1, 2]])
def test_realtime_snapshot_wrong_shape(data: Any) -> None:
    """A point list of the wrong shape is an invalid response."""
    with pytest.raises(DynessResponseError):
        RealtimeSnapshot.from_api("X-BMS", data)


def test_storage_page() -> None:
    """The device list page is parsed and masters are recognised."""
    page = StorageDevicePage.from_api(
        {
            "list": [
                {
                    "deviceSn": "R07E00000000AAAA-BMS",
                    "collectorSn": "R07E00000000AAAA",
                    "deviceModelName": "PowerHaus",
                    "deviceModelCode": 145,
                    "deviceCommunicationStatus": "Online",
                    "firmwareVersion": "",
                },
                {
                    "deviceSn": "R07E00000000BBBB",
                    "deviceCommunicationStatus": "Breakdown",
                },
            ],
            "pageNum": "1",
            "pageSize": 10,
            "total": 2,
        }
    )
    first, second = page.devices
    assert (page.page_num, page.page_size, page.total) == (1, 10, 2)
    assert first.is_master
    assert first.online is True
    assert first.model_code == "145"
    assert first.firmware_version is None
    assert not second.is_master
    assert second.online is False
    assert StorageDevice.from_api({"deviceSn": "A-BDU"}).online is None
    assert StorageDevicePage.from_api({"list": None}).total == 0


@pytest.mark.parametrize(
    "data", [None, [], {"list": "x"}, {"list": [{"deviceSn": ""}]}, {"list": [3]}]
)
def test_storage_page_wrong_shape(data: Any) -> None:
    """Malformed device lists are invalid responses, not KeyErrors."""
    with pytest.raises(DynessResponseError):
        StorageDevicePage.from_api(data)


def test_detail_station_versions() -> None:
    """Detail, station info and firmware versions are parsed."""
    detail = DeviceDetail.from_api(
        {
            "deviceSn": "R07E00000000AAAA-BMS",
            "deviceModelName": "PowerHaus",
            "deviceModelCode": "145",
            "firmwareVersion": None,
            "deviceCommunicationStatus": "Offline",
            "dataUpdateTime": "2026-03-23 22:57:27 UTC+01:00",
            "energy": "5.12",
        }
    )
    assert detail.online is False
    assert detail.rated_energy == 5.12
    assert detail.data_update_time == datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC)
    station = StationInfo.from_api(
        {"installedPower": "1.0", "batteryCapacity": "5.12", "inverterTotalPower": None}
    )
    assert (station.installed_power, station.battery_capacity) == (1.0, 5.12)
    assert station.inverter_total_power is None
    versions = FirmwareVersions.from_api({"dspLastedVersion": "311"})
    assert (versions.dsp, versions.bms) == ("311", None)
    assert FirmwareVersions.from_api(None).dsp is None
    assert FirmwareVersions.from_api(None).raw == {}
    assert station.raw["batteryCapacity"] == "5.12"
    with pytest.raises(DynessResponseError):
        StationInfo.from_api([1])
    # Only the versions read a null answer as "nothing".
    with pytest.raises(DynessResponseError, match="station/info: expected an object"):
        StationInfo.from_api(None)
    with pytest.raises(DynessResponseError, match="household/storage/detail"):
        DeviceDetail.from_api(None)


def test_power_record() -> None:
    """Records parse numbers and string SOC; a record without time is dropped."""
    record = PowerRecord.from_api(
        {
            "realTimeCurrent": -10,
            "realTimePower": -526.4,
            "realTimeVoltage": 52.6,
            "soc": "48",
            "createTime": "2026-03-23 10:05:00",
        }
    )
    assert record is not None
    assert (record.current, record.power, record.soc) == (-10.0, -526.4, 48.0)
    assert not record.is_empty
    empty = PowerRecord.from_api({"createTime": "2026-03-23 10:10:00", "soc": None})
    assert empty is not None
    assert empty.is_empty
    assert PowerRecord.from_api({"realTimePower": 5}) is None


def test_master_serials() -> None:
    """Masters end in -BMS or -BDU; modules and dongles do not."""
    assert is_master_sn("R07E00000000AAAA-BMS")
    assert is_master_sn("r07e00000000aaaa-bdu")
    assert not is_master_sn("R07E00000000AAAA-BDU-01")
    assert not is_master_sn("0106032412230990")


def test_battery_info() -> None:
    """v2 `batteryInfo`: numbers or strings, cell lists, HV energy; None without it."""
    info = BatteryInfo.from_api(
        {
            "batteryInfo": {
                "soc": 64,
                "soh": "98",
                "batteryVoltage": "53.21",
                "batteryCurrent": -12.5,
                "batteryStatus": 2,
                "maxChargeCurrent": 140.0,
                "cycleCount": "87",
                "cellMaxVoltage": 3.331,
                "cellVoltageList": [3.325, "3.331", "", None],
                "cellTempList": "not a list",
                "batteryRemainingEnergy": 9200,
            }
        }
    )
    assert (info.soc, info.soh, info.voltage, info.current) == (64, 98, 53.21, -12.5)
    assert (info.status, info.cycle_count, info.cell_max_voltage) == (2, 87, 3.331)
    assert info.cell_voltages == (3.325, 3.331)
    assert info.cell_temperatures == ()
    assert info.remaining_energy == 9200
    assert info.max_discharge_current is None
    empty = BatteryInfo.from_api({"batteryInfo": None})
    assert empty.soc is None
    assert empty.cell_voltages == ()


@pytest.mark.parametrize("data", [None, [], {"batteryInfo": [1]}])
def test_battery_info_wrong_shape(data: Any) -> None:
    """An answer that is not an object with an object `batteryInfo` is an error."""
    with pytest.raises(DynessResponseError):
        BatteryInfo.from_api(data)
