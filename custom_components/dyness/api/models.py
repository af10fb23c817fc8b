"""Typed models of the Dyness Open API answers and their parsers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
import re
from typing import Any

from . import values
from .exceptions import DynessResponseError
from .values import YEARS, clean_json, text_value as _text

# The integration reads raw fields through this name.
parse_number = values.parse_number

MASTER_SUFFIXES = ("-BMS", "-BDU")
_LOCAL_TIME_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\s*UTC([+-])(\d{1,2}):?(\d{2})$",
    re.ASCII,
)
# Time zones span UTC-12 to UTC+14; ISO 8601 allows offsets up to 18 hours.
_MAX_OFFSET = timedelta(hours=18)

type PointValue = int | float | str | None


def parse_utc(value: Any) -> datetime | None:
    """Parse a naive `YYYY-MM-DD HH:MM:SS` string that the API sends in UTC."""
    text = _text(value)
    if text is None or not text.isascii():
        return None
    try:
        stamp = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
    except ValueError:
        return None
    return stamp if stamp.year in YEARS else None


def parse_local_with_offset(value: Any) -> datetime | None:
    """Parse `2026-03-23 22:57:27 UTC+01:00` into an aware datetime."""
    text = _text(value)
    if text is None:
        return None
    match = _LOCAL_TIME_RE.match(text)
    if match is None:
        return parse_utc(text)
    stamp, sign, hours, minutes = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(minutes))
    if int(minutes) >= 60 or offset > _MAX_OFFSET:
        return None
    tz = timezone(offset if sign == "+" else -offset)
    try:
        local = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S").replace(tzinfo=tz)
    except ValueError:
        return None
    return local if local.year in YEARS else None


def is_master_sn(serial: str) -> bool:
    """Return whether a serial names a BMS/BDU master (not a module or dongle)."""
    return serial.upper().endswith(MASTER_SUFFIXES)


def _require_mapping(data: Any, what: str) -> Mapping[str, Any]:
    """Return data as a mapping or raise a response error."""
    if not isinstance(data, Mapping):
        raise DynessResponseError(
            f"{what}: expected an object, got {type(data).__name__}"
        )
    return data


class _Reported:
    """A model that carries the cloud's communication status."""

    __slots__ = ()
    communication_status: str | None

    @property
    def online(self) -> bool | None:
        """Return the communication status as a bool, None when unknown."""
        status = self.communication_status
        if status is None:
            return None
        # `Online`, `Offline` or `Breakdown`.
        return status.strip().lower() == "online"


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageDevice(_Reported):
    """One entry of `device/storage/list`."""

    device_sn: str
    collector_sn: str | None
    device_name: str | None
    model_name: str | None
    model_code: str | None
    communication_status: str | None
    firmware_version: str | None
    work_status: str | None
    battery_category: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_master(self) -> bool:
        """Return whether this entry is a BMS/BDU master."""
        return is_master_sn(self.device_sn)

    @classmethod
    def from_api(cls, item: Any) -> StorageDevice:
        """Build the model from one list item."""
        data = _require_mapping(clean_json(item), "storage/list item")
        serial = _text(data.get("deviceSn"))
        if serial is None:
            raise DynessResponseError("storage/list item without deviceSn")
        return cls(
            device_sn=serial,
            collector_sn=_text(data.get("collectorSn")),
            device_name=_text(data.get("deviceName")),
            model_name=_text(data.get("deviceModelName")),
            model_code=_text(data.get("deviceModelCode")),
            communication_status=_text(data.get("deviceCommunicationStatus")),
            firmware_version=_text(data.get("firmwareVersion")),
            work_status=_text(data.get("workStatus")),
            battery_category=_text(data.get("batteryCategory")),
            raw=dict(data),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageDevicePage:
    """One page of `device/storage/list`."""

    devices: list[StorageDevice]
    page_num: int
    page_size: int
    total: int

    @classmethod
    def from_api(cls, data: Any) -> StorageDevicePage:
        """Build the page from the `data` object."""
        page = _require_mapping(clean_json(data), "storage/list")
        items = page.get("list") or []
        if not isinstance(items, list):
            raise DynessResponseError("storage/list: list is not an array")
        total = parse_number(page.get("total"))
        page_num = parse_number(page.get("pageNum"))
        page_size = parse_number(page.get("pageSize"))
        return cls(
            devices=[StorageDevice.from_api(item) for item in items],
            page_num=max(1, int(page_num)) if page_num is not None else 1,
            page_size=max(0, int(page_size)) if page_size is not None else len(items),
            total=max(0, int(total)) if total is not None else len(items),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeviceDetail(_Reported):
    """The answer of `device/household/storage/detail`."""

    device_sn: str | None
    model_name: str | None
    model_code: str | None
    firmware_version: str | None
    communication_status: str | None
    data_update_time: datetime | None
    rated_energy: float | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> DeviceDetail:
        """Build the model from the `data` object."""
        detail = _require_mapping(clean_json(data), "household/storage/detail")
        return cls(
            device_sn=_text(detail.get("deviceSn")),
            model_name=_text(detail.get("deviceModelName")),
            model_code=_text(detail.get("deviceModelCode")),
            firmware_version=_text(detail.get("firmwareVersion")),
            communication_status=_text(detail.get("deviceCommunicationStatus")),
            data_update_time=parse_local_with_offset(detail.get("dataUpdateTime")),
            rated_energy=_float(detail, "energy"),
            raw=dict(detail),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class StationInfo:
    """The answer of `station/info` (kWh figures; semantics differ per model)."""

    installed_power: float | None
    battery_capacity: float | None
    inverter_total_power: float | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> StationInfo:
        """Build the model from the `data` object."""
        info = _require_mapping(clean_json(data), "station/info")
        return cls(
            installed_power=_float(info, "installedPower"),
            battery_capacity=_float(info, "batteryCapacity"),
            inverter_total_power=_float(info, "inverterTotalPower"),
            raw=dict(info),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Point:
    """One entry of `realTime/data`: raw text, parsed value and Chinese label."""

    point_id: str
    raw: str | None
    value: PointValue
    name_cn: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class RealtimeSnapshot:
    """The parsed answer of `device/realTime/data` for one serial."""

    device_sn: str
    timestamp: datetime | None
    sub_devices: tuple[str, ...] | None
    sub_timestamp: datetime | None
    points: Mapping[str, Point]

    def number(self, point_id: str) -> float | None:
        """Return a point as a float, None when empty, absent or not numeric."""
        point = self.points.get(point_id)
        if point is None or isinstance(point.value, str) or point.value is None:
            return None
        return float(point.value)

    def text(self, point_id: str) -> str | None:
        """Return a point's raw text, None when empty or absent."""
        point = self.points.get(point_id)
        return None if point is None else point.raw

    def has(self, point_id: str) -> bool:
        """Return whether the device lists this point at all (even empty)."""
        return point_id in self.points

    def overlaid(
        self, values: Mapping[str, str], timestamp: datetime | None
    ) -> RealtimeSnapshot:
        """Return a copy with these points' texts and another sample time."""
        points = dict(self.points)
        if timestamp is not None:
            stamp = timestamp.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
            values = {**values, "T": stamp}
        for point_id, raw in values.items():
            known = points.get(point_id)
            number = parse_number(raw)
            points[point_id] = Point(
                point_id=point_id,
                raw=raw,
                value=raw if number is None else number,
                name_cn=None if known is None else known.name_cn,
            )
        return replace(self, timestamp=timestamp, points=points)

    @classmethod
    def from_api(cls, device_sn: str, data: Any) -> RealtimeSnapshot:
        """Build the snapshot from the point list."""
        data = clean_json(data)
        if data is None:
            data = []
        if not isinstance(data, list):
            raise DynessResponseError("realTime/data: data is not an array")
        points: dict[str, Point] = {}
        for item in data:
            entry = _require_mapping(item, "realTime/data point")
            point_id = _text(entry.get("pointId"))
            if point_id is None:
                continue
            raw = _text(entry.get("pointValue"))
            value: PointValue = parse_number(raw)
            if value is None:
                value = raw
            points[point_id] = Point(
                point_id=point_id,
                raw=raw,
                value=value,
                name_cn=_text(entry.get("pointNameCn")),
            )
        sub = points.get("SUB")
        sub_devices: tuple[str, ...] | None = None
        if sub is not None and sub.raw is not None:
            sub_devices = tuple(
                serial for part in sub.raw.split(",") if (serial := part.strip())
            )
        stamp = points.get("T")
        sub_stamp = points.get("TIME")
        return cls(
            device_sn=device_sn,
            timestamp=parse_utc(stamp.raw) if stamp is not None else None,
            sub_devices=sub_devices,
            sub_timestamp=parse_utc(sub_stamp.raw) if sub_stamp is not None else None,
            points=points,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class PowerRecord:
    """One 5-minute record of `device/getLastPowerDataBySn` (positive = charging)."""

    time: datetime
    current: float | None
    power: float | None
    voltage: float | None
    soc: float | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        """Return whether the record carries no measurement (unfilled slot)."""
        return self.power is None and self.current is None and self.soc is None

    @classmethod
    def from_api(cls, item: Any) -> PowerRecord | None:
        """Build a record; None when it has no usable time stamp."""
        entry = _require_mapping(clean_json(item), "getLastPowerDataBySn record")
        time = parse_utc(entry.get("createTime"))
        if time is None:
            return None
        return cls(
            time=time,
            current=_float(entry, "realTimeCurrent"),
            power=_float(entry, "realTimePower"),
            voltage=_float(entry, "realTimeVoltage"),
            soc=_float(entry, "soc"),
            raw=dict(entry),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class RunningData:
    """The answer of `device/getLastRunningDataBySn` (filled for hybrids only)."""

    time: datetime | None
    values: Mapping[str, PointValue]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_empty(self) -> bool:
        """Return whether every measurement is null (pure batteries, docs/api.md Q6)."""
        ignored = {"dateTime", "sn", "lastUpdateTime"}
        return all(v is None for k, v in self.values.items() if k not in ignored)

    def number(self, key: str) -> float | None:
        """Return a value as a float, None when empty or not numeric."""
        value = self.values.get(key)
        if value is None or isinstance(value, str):
            return None
        return float(value)

    @classmethod
    def from_api(cls, data: Any) -> RunningData:
        """Build the model from the flat `data` object."""
        data = clean_json(data)
        info = _require_mapping(data, "getLastRunningDataBySn") if data else {}
        values: dict[str, PointValue] = {}
        for key, item in info.items():
            number = parse_number(item)
            values[str(key)] = number if number is not None else _text(item)
        return cls(time=parse_utc(info.get("dateTime")), values=values, raw=dict(info))


@dataclass(frozen=True, slots=True, kw_only=True)
class FirmwareVersions:
    """The answer of `device/checkVersion` (latest versions the cloud offers)."""

    bms: str | None
    dsp: str | None
    arm: str | None
    mppt: str | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> FirmwareVersions:
        """Build the model from the `data` object (the API spells it "Lasted")."""
        data = clean_json(data)
        info = _require_mapping(data, "checkVersion") if data is not None else {}
        return cls(
            bms=_text(info.get("bmsLastedVersion")),
            dsp=_text(info.get("dspLastedVersion")),
            arm=_text(info.get("armLastedVersion")),
            mppt=_text(info.get("mpptLastedVersion")),
            raw=dict(info),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class BatteryInfo:
    """`batteryInfo` of v2 `GetRealTimeDataBySN`; all None without one.

    Family C masters (PowerBrick SC/Plus) leave their SOC point empty; where
    v2 answers (EU PowerBrick Plus) its `soc` is the state of charge.
    """

    soc: float | None
    soh: float | None
    voltage: float | None
    current: float | None
    status: int | None
    max_charge_current: float | None
    max_discharge_current: float | None
    cycle_count: int | None
    cell_max_voltage: float | None
    cell_min_voltage: float | None
    cell_max_temperature: float | None
    cell_min_temperature: float | None
    cell_voltages: tuple[float, ...]
    cell_temperatures: tuple[float, ...]
    # High-voltage systems only: W and Wh.
    power: float | None
    remaining_energy: float | None
    rated_energy: float | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_api(cls, data: Any) -> BatteryInfo:
        """Build the model from the `data` object."""
        answer = _require_mapping(data, "GetRealTimeDataBySN")
        info = answer.get("batteryInfo") or {}
        info = _require_mapping(info, "GetRealTimeDataBySN batteryInfo")
        return cls(
            soc=_float(info, "soc"),
            soh=_float(info, "soh"),
            voltage=_float(info, "batteryVoltage"),
            current=_float(info, "batteryCurrent"),
            status=_number_at(info, "batteryStatus", int),
            max_charge_current=_float(info, "maxChargeCurrent"),
            max_discharge_current=_float(info, "maxDischargeCurrent"),
            cycle_count=_number_at(info, "cycleCount", int),
            cell_max_voltage=_float(info, "cellMaxVoltage"),
            cell_min_voltage=_float(info, "cellMinVoltage"),
            cell_max_temperature=_float(info, "cellMaxTemperature"),
            cell_min_temperature=_float(info, "cellMinTemperature"),
            cell_voltages=_numbers(info.get("cellVoltageList")),
            cell_temperatures=_numbers(info.get("cellTempList")),
            power=_float(info, "batteryPower"),
            remaining_energy=_float(info, "batteryRemainingEnergy"),
            rated_energy=_float(info, "batteryRatedEnergy"),
            raw=dict(info),
        )


def _number_at[N: (int, float)](
    data: Mapping[str, Any], key: str, kind: type[N]
) -> N | None:
    """Return a value of an answer as an int or float, None when absent."""
    number = parse_number(data.get(key))
    return kind(number) if number is not None else None


def _float(data: Mapping[str, Any], key: str) -> float | None:
    """Return a value of an answer as a float, None when absent or not numeric."""
    return _number_at(data, key, float)


def _numbers(values: Any) -> tuple[float, ...]:
    """Return the numbers of a JSON list (skipping empty entries), else ()."""
    if not isinstance(values, list):
        return ()
    return tuple(float(n) for v in values if (n := parse_number(v)) is not None)
