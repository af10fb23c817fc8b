"""Typed models of the Dyness Open API answers and their parsers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta, timezone
import re
from typing import TYPE_CHECKING, Any, ClassVar, Final, Self, dataclass_transform

from . import values
from .exceptions import DynessResponseError
from .values import YEARS, clean_json, text_value as _text

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

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
# Reads one value of an answer: the answer and the key.
type _Reader = Callable[[Mapping[str, Any], str], object]
# The metadata key under which a model field names its source in the answer.
_SOURCE: Final = "api"


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


def _number_at[N: (int, float)](
    data: Mapping[str, Any], key: str, kind: type[N]
) -> N | None:
    """Return a value of an answer as an int or float, None when absent."""
    number = parse_number(data.get(key))
    return kind(number) if number is not None else None


def _float_at(data: Mapping[str, Any], key: str) -> float | None:
    """Return a value of an answer as a float, None when absent or not numeric."""
    return _number_at(data, key, float)


def _int_at(data: Mapping[str, Any], key: str) -> int | None:
    """Return a value of an answer as an int, None when absent or not numeric."""
    return _number_at(data, key, int)


def _text_at(data: Mapping[str, Any], key: str) -> str | None:
    """Return a value of an answer as text, None when absent or empty."""
    return _text(data.get(key))


def _floats_at(data: Mapping[str, Any], key: str) -> tuple[float, ...]:
    """Return the numbers of a JSON list (skipping empty entries), else ()."""
    values = data.get(key)
    if not isinstance(values, list):
        return ()
    return tuple(float(n) for v in values if (n := parse_number(v)) is not None)


def _local_time_at(data: Mapping[str, Any], key: str) -> datetime | None:
    """Return a local time with its UTC offset as an aware datetime."""
    return parse_local_with_offset(data.get(key))


def api_field(key: str, read: _Reader = _text_at) -> Any:
    """Declare a model field that `read` takes from `key` of the answer."""
    return field(metadata={_SOURCE: (key, read)})


@dataclass_transform(
    frozen_default=True, kw_only_default=True, field_specifiers=(field, api_field)
)
def api_model[T](cls: type[T]) -> type[T]:
    """Make a frozen, slotted, keyword-only dataclass whose api_fields are required."""
    return dataclass(frozen=True, slots=True, kw_only=True)(cls)


def _build[M: DataclassInstance](
    cls: type[M], data: Mapping[str, Any], **given: object
) -> M:
    """Build a model from its declared fields of an answer, the answer as `raw`."""
    read: dict[str, object] = {
        spec.name: reader(data, key)
        for spec in fields(cls)
        if _SOURCE in spec.metadata
        for key, reader in (spec.metadata[_SOURCE],)
    }
    read["raw"] = dict(data)
    return cls(**read, **given)


@api_model
class _Model:
    """A model of an answer, which keeps the answer as sent."""

    raw: Mapping[str, Any] = field(repr=False, compare=False)


class _Answer(_Model):
    """A model built from one answer object by its declared fields."""

    __slots__ = ()
    # The answer's name in error messages.
    answer_name: ClassVar[str]
    # Whether a null answer means "nothing", read as an empty object.
    null_is_empty: ClassVar[bool] = False

    @classmethod
    def from_api(cls, data: Any) -> Self:
        """Build the model from the `data` object."""
        data = clean_json(data)
        if data is None and cls.null_is_empty:
            data = {}
        return _build(cls, _require_mapping(data, cls.answer_name))


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


@api_model
class StorageDevice(_Reported, _Model):
    """One entry of `device/storage/list`."""

    device_sn: str
    collector_sn: str | None = api_field("collectorSn")
    device_name: str | None = api_field("deviceName")
    model_name: str | None = api_field("deviceModelName")
    model_code: str | None = api_field("deviceModelCode")
    communication_status: str | None = api_field("deviceCommunicationStatus")
    firmware_version: str | None = api_field("firmwareVersion")
    work_status: str | None = api_field("workStatus")
    battery_category: str | None = api_field("batteryCategory")

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
        return _build(cls, data, device_sn=serial)


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


@api_model
class DeviceDetail(_Reported, _Answer):
    """The answer of `device/household/storage/detail`."""

    answer_name = "household/storage/detail"

    device_sn: str | None = api_field("deviceSn")
    model_name: str | None = api_field("deviceModelName")
    model_code: str | None = api_field("deviceModelCode")
    firmware_version: str | None = api_field("firmwareVersion")
    communication_status: str | None = api_field("deviceCommunicationStatus")
    data_update_time: datetime | None = api_field("dataUpdateTime", _local_time_at)
    rated_energy: float | None = api_field("energy", _float_at)


@api_model
class StationInfo(_Answer):
    """The answer of `station/info` (kWh figures; semantics differ per model)."""

    answer_name = "station/info"

    installed_power: float | None = api_field("installedPower", _float_at)
    battery_capacity: float | None = api_field("batteryCapacity", _float_at)
    inverter_total_power: float | None = api_field("inverterTotalPower", _float_at)


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


@api_model
class PowerRecord(_Model):
    """One 5-minute record of `device/getLastPowerDataBySn` (positive = charging)."""

    time: datetime
    current: float | None = api_field("realTimeCurrent", _float_at)
    power: float | None = api_field("realTimePower", _float_at)
    voltage: float | None = api_field("realTimeVoltage", _float_at)
    soc: float | None = api_field("soc", _float_at)

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
        return _build(cls, entry, time=time)

    @classmethod
    def list_from_api(cls, data: Any) -> list[PowerRecord]:
        """Build the records of a day that have a time stamp, oldest first."""
        if data is None:
            return []
        if not isinstance(data, list):
            raise DynessResponseError("getLastPowerDataBySn: data is not an array")
        records = [record for item in data if (record := cls.from_api(item))]
        return sorted(records, key=lambda record: record.time)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunningData(_Model):
    """The answer of `device/getLastRunningDataBySn` (filled for hybrids only)."""

    time: datetime | None
    values: Mapping[str, PointValue]

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


@api_model
class FirmwareVersions(_Answer):
    """The answer of `device/checkVersion` (the API spells its keys "Lasted")."""

    answer_name = "checkVersion"
    null_is_empty = True

    bms: str | None = api_field("bmsLastedVersion")
    dsp: str | None = api_field("dspLastedVersion")
    arm: str | None = api_field("armLastedVersion")
    mppt: str | None = api_field("mpptLastedVersion")


@api_model
class BatteryInfo(_Model):
    """`batteryInfo` of v2 `GetRealTimeDataBySN`; all None without one.

    Family C masters (PowerBrick SC/Plus) leave their SOC point empty; where
    v2 answers (EU PowerBrick Plus) its `soc` is the state of charge.
    """

    soc: float | None = api_field("soc", _float_at)
    soh: float | None = api_field("soh", _float_at)
    voltage: float | None = api_field("batteryVoltage", _float_at)
    current: float | None = api_field("batteryCurrent", _float_at)
    status: int | None = api_field("batteryStatus", _int_at)
    max_charge_current: float | None = api_field("maxChargeCurrent", _float_at)
    max_discharge_current: float | None = api_field("maxDischargeCurrent", _float_at)
    cycle_count: int | None = api_field("cycleCount", _int_at)
    # Each cell quantity: its extremes, then every cell.
    cell_max_voltage: float | None = api_field("cellMaxVoltage", _float_at)
    cell_min_voltage: float | None = api_field("cellMinVoltage", _float_at)
    cell_voltages: tuple[float, ...] = api_field("cellVoltageList", _floats_at)
    cell_max_temperature: float | None = api_field("cellMaxTemperature", _float_at)
    cell_min_temperature: float | None = api_field("cellMinTemperature", _float_at)
    cell_temperatures: tuple[float, ...] = api_field("cellTempList", _floats_at)
    # High-voltage systems only: W and Wh.
    power: float | None = api_field("batteryPower", _float_at)
    remaining_energy: float | None = api_field("batteryRemainingEnergy", _float_at)
    rated_energy: float | None = api_field("batteryRatedEnergy", _float_at)

    @classmethod
    def from_api(cls, data: Any) -> BatteryInfo:
        """Build the model from the `data` object."""
        answer = _require_mapping(data, "GetRealTimeDataBySN")
        info = answer.get("batteryInfo") or {}
        info = _require_mapping(info, "GetRealTimeDataBySN batteryInfo")
        return _build(cls, info)
