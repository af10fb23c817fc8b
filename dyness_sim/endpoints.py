"""Handlers of the v1 (and optional v2) endpoints: request body in, `data` out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from .accounts import Account
from .devices import Battery
from .families import RUNNING_DATA_KEYS
from .formats import local_text, utc_text
from .values import cygni_running, internal_sn, v2_battery_info

ACCESS_DENIED = "ACCESS_DENIED"
EMPTY_ID = "Device ID Cannot Be Empty"
NOT_NULL = "request parameter is not null"
INVALID = "Invalid Parameter"
# The region of the cloud: which host the client talks to.
type Region = Literal["europe", "asia_pacific"]


class ApiError(Exception):
    """An answer with a non-200 `code` (HTTP 200, `data: null`)."""

    def __init__(self, code: str, info: str) -> None:
        """Keep the envelope code and info text."""
        super().__init__(f"{code} {info}")
        self.code = code
        self.info = info


def denied() -> ApiError:
    """Return the auth refusal (also used for SNs of other accounts, doc §2.2)."""
    return ApiError("401", ACCESS_DENIED)


@dataclass(frozen=True, slots=True)
class Context:
    """The authenticated account, every account (for bindSn), the time, the region."""

    account: Account
    accounts: Mapping[str, Account]
    now: datetime
    region: Region = "europe"


type Handler = Callable[[Context, dict[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class Route:
    """A known path: its handler and whether the real server answers only late."""

    handler: Handler
    slow: bool = False


def _int(value: Any, default: int) -> int:
    """Return a positive int from a JSON value, or the default."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number > 0 else default


def _serial(body: dict[str, Any]) -> str:
    """Return `deviceSn` or raise `Device ID Cannot Be Empty`."""
    serial = body.get("deviceSn")
    if not isinstance(serial, str) or not serial.strip():
        raise ApiError("500", EMPTY_ID)
    return serial.strip()


def _battery(
    ctx: Context, body: dict[str, Any], *, master_only: bool = True
) -> Battery:
    """Return the account's battery named by `deviceSn` (401 when not its own)."""
    serial = _serial(body)
    battery = ctx.account.find(serial)
    if battery is None:
        raise denied()
    if master_only and serial != battery.device_sn:
        raise ApiError("500", INVALID)
    return battery


def _status(battery: Battery, now: datetime) -> tuple[str, int]:
    """Return `deviceCommunicationStatus` and its code."""
    return ("Offline", 2) if battery.is_offline(now) else ("Online", 1)


def _work_status(battery: Battery, now: datetime) -> str:
    """Return the (unreliable, doc Q13) work status: `Fault` while in standby."""
    sample = battery.latest_sample(now)
    if sample is None or sample.power_w == 0:
        return "Fault"
    return "Charging" if sample.power_w > 0 else "RunMode"


def _list_item(battery: Battery, now: datetime) -> dict[str, Any]:
    """Return one `storage/list` entry."""
    status, code = _status(battery, now)
    spec = battery.spec
    station = battery.station
    return {
        "deviceSn": battery.device_sn,
        "collectorSn": battery.collector_sn,
        "deviceName": battery.device_name,
        "deviceCommunicationStatus": status,
        "deviceCommunicationStatusCode": code,
        "deviceModelName": spec.name,
        "deviceModelCode": str(spec.code),
        "parentCode": str(spec.code),
        "parentName": spec.name,
        "factory": "DYNESS",
        "batteryCategory": spec.battery_category,
        "productType": spec.product_type,
        "workStatus": _work_status(battery, now),
        "stationId": station.station_id,
        "stationName": station.name,
        "position": station.position,
        "systemType": spec.system_type,
        "stationType": spec.station_type,
        "firmwareVersion": battery.firmware,
        "operationPermission": battery.operation_permission,
        "createTime": battery.create_time,
        "masterSlaveStatus": 1,
    }


def _page(items: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
    """Return one page of `items` (pageNum default 1, pageSize default 10)."""
    number = _int(body.get("pageNum"), 1)
    size = _int(body.get("pageSize"), 10)
    start = (number - 1) * size
    return {
        "list": items[start : start + size],
        "pageNum": number,
        "pageSize": size,
        "total": len(items),
    }


def _module_items(battery: Battery, now: datetime) -> list[dict[str, Any]]:
    """Return the module entries some accounts list next to the BMS (doc §5.2)."""
    master = _list_item(battery, now)
    return [
        {
            **master,
            "deviceSn": sn,
            "deviceName": f"{battery.device_name}-{index + 1}",
            "masterSlaveStatus": 2,
        }
        for index, sn in enumerate(battery.module_sns)
    ]


def storage_list(ctx: Context, body: dict[str, Any]) -> Any:
    """List every master of the key; filters are ignored like the real API."""
    items: list[dict[str, Any]] = []
    for battery in ctx.account.devices:
        items.append(_list_item(battery, ctx.now))
        if battery.bms_entry:
            items.extend(_module_items(battery, ctx.now))
    return _page(items, body)


def household_list(ctx: Context, body: dict[str, Any]) -> Any:
    """List household devices; needs deviceType and paging (doc §5.2)."""
    if any(
        body.get(key) in (None, "") for key in ("deviceType", "pageNum", "pageSize")
    ):
        raise ApiError("500", NOT_NULL)
    kind = _int(body.get("deviceType"), 0)
    # deviceType 2 Junior Box, 3 household LV, 4 HV cluster -> batteryCategory.
    category = {2: 1, 3: 2, 4: 3}.get(kind)
    items = [
        _list_item(battery, ctx.now)
        for battery in ctx.account.devices
        if battery.spec.battery_category == category
    ]
    return _page(items, body)


def storage_detail(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the detail DTO; `collectorSn` is null as on the real API (Q23)."""
    battery = _battery(ctx, body)
    spec = battery.spec
    station = battery.station
    status, code = _status(battery, ctx.now)
    sample = battery.latest_sample(ctx.now)
    return {
        "deviceName": battery.device_name,
        "deviceModelName": spec.name,
        "deviceModelCode": str(spec.code),
        "factory": "DYNESS",
        "deviceType": "Energy Storage",
        "deviceTypeCode": "4",
        "deviceSn": battery.device_sn,
        "collectorSn": None,
        "stationId": station.station_id,
        "stationName": station.name,
        "position": station.position,
        "systemType": spec.system_type,
        "stationType": spec.station_type,
        "deviceCommunicationStatus": status,
        "deviceCommunicationStatusCode": code,
        "firmwareVersion": None if spec.detail_firmware_null else battery.firmware,
        "mpptVersion": None,
        "voltage": battery.rated_voltage,
        "voltageUnit": "V",
        "current": spec.rated_current,
        "currentUnit": "A",
        "brand": "DYNESS",
        "otaResult": None,
        "otaMpptResult": None,
        "imgAddress": None,
        "productType": spec.product_type,
        "batteryCategory": spec.battery_category,
        "masterSlaveStatus": 1,
        "createTime": battery.create_time,
        "meterSn": None,
        "energy": f"{battery.limits.capacity_kwh:.2f}",
        "installedPower": station.installed_power,
        "dataUpdateTime": None
        if sample is None
        else local_text(sample.at, station.timezone),
        "communicationProtocolVersion": "1.0",
    }


def station_info(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the station summary with the per-model capacity quirk (Q7)."""
    battery = _battery(ctx, body)
    spec = battery.spec
    if battery.bms_entry:
        # The BMS coordinator counts as one more module (6 DL5.0C -> 7 x 5.12).
        capacity = spec.module_kwh * (len(battery.module_sns) + 1)
    elif spec.station_capacity == "one_module":
        capacity = spec.module_kwh
    elif spec.station_capacity == "nominal":
        capacity = spec.module_kwh * spec.nominal_modules
    else:
        capacity = battery.limits.capacity_kwh
    return {
        "installedPower": battery.station.installed_power,
        "batteryCapacity": f"{capacity:.2f}".rstrip("0").rstrip("."),
        "inverterTotalPower": battery.station.inverter_total_power,
    }


def real_time_data(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the flat point list of a master, module or dongle SN."""
    serial = _serial(body)
    battery = ctx.account.find(serial)
    if battery is None:
        raise denied()
    return battery.points(serial, ctx.now)


def last_power_data(ctx: Context, body: dict[str, Any]) -> Any:
    """Return today's 5-minute records; pageNo/pageSize are ignored (Q3)."""
    battery = _battery(ctx, body, master_only=False)
    serial = _serial(body)
    if serial == battery.device_sn:
        return battery.power_records(ctx.now)
    if battery.spec.module_power_records and serial in battery.module_sns:
        return battery.power_records(ctx.now, 1 / len(battery.module_sns))
    raise ApiError("500", INVALID)


def last_running_data(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the running DTO: all null but time and SN for batteries (Q6), full for Cygni."""
    battery = _battery(ctx, body)
    sample = battery.latest_sample(ctx.now)
    if sample is not None and battery.spec.family == "CYGNI":
        return cygni_running(battery, sample)
    stamp = None if sample is None else utc_text(sample.at)
    data: dict[str, Any] = dict.fromkeys(RUNNING_DATA_KEYS)
    data.update(dateTime=stamp, sn=battery.device_sn, lastUpdateTime=stamp)
    return data


def energy_data(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the all-null day energy of a battery; needs `dateTime`."""
    _battery(ctx, body)
    if not body.get("dateTime"):
        raise ApiError("500", NOT_NULL)
    keys = (
        "buyEnergy",
        "sellEnergy",
        "totalBuyEnergy",
        "totalSellEnergy",
        "dayElectricity",
        "totalElectricity",
        "dayGeneration",
        "totalGeneration",
    )
    return dict.fromkeys(keys)


def check_version(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the latest firmware versions known for the model."""
    return dict(_battery(ctx, body).spec.latest_versions)


def bind_sn(ctx: Context, body: dict[str, Any]) -> Any:
    """Refuse binding: every known SN is bound already (Q1), unknown ones do not exist."""
    serial = _serial(body)
    if any(account.find(serial) for account in ctx.accounts.values()):
        raise ApiError("500", "The device is bound by someone else")
    raise ApiError("500", "The device does not exist")


def alarm_query(ctx: Context, body: dict[str, Any]) -> Any:
    """Return the (empty) alarm page; needs `deviceSnList` (Q22)."""
    serials = body.get("deviceSnList")
    if not isinstance(serials, list) or not serials:
        raise ApiError("500", EMPTY_ID)
    for serial in serials:
        if not isinstance(serial, str) or ctx.account.find(serial) is None:
            raise denied()
    page = _page([], body)
    return {"allCount": 0, "readCount": 0, "unReadCount": 0, "pageDate": page}


def fixed_error(info: str) -> Handler:
    """Return a handler that always answers code 500 with `info`."""

    def handler(ctx: Context, body: dict[str, Any]) -> Any:
        """Answer the fixed error."""
        raise ApiError("500", info)

    return handler


def fixed_data(data: Any) -> Handler:
    """Return a handler that always answers `data`."""

    def handler(ctx: Context, body: dict[str, Any]) -> Any:
        """Answer the fixed data."""
        return data

    return handler


def inverter_detail(ctx: Context, body: dict[str, Any]) -> Any:
    """Answer Solis inverter detail: needs `inverterSn`, batteries have none."""
    if not body.get("inverterSn"):
        raise ApiError("500", EMPTY_ID)
    raise ApiError("500", "NETWORK_ERROR")


def v2_device_list(ctx: Context, body: dict[str, Any]) -> Any:
    """List devices on v2 in both SN spellings (doc §7)."""
    items: list[dict[str, Any]] = []
    for battery in ctx.account.devices:
        status, _ = _status(battery, ctx.now)
        work = _work_status(battery, ctx.now)
        items.extend(
            {
                "deviceSn": serial,
                "deviceModel": battery.model_name,
                "workStatus": work,
                "communicationStatus": status,
            }
            for serial in (battery.device_sn, battery.collector_sn)
        )
    return items


def v2_not_configured(ctx: Context, body: dict[str, Any]) -> Any:
    """Answer a v2 data call for a known SN with `Device is not configured` (#47)."""
    _battery(ctx, body, master_only=False)
    raise ApiError("500", "Device is not configured")


def v2_real_time_data(ctx: Context, body: dict[str, Any]) -> Any:
    """Answer `GetRealTimeDataBySN` (doc §7, Q18/Q19).

    Family C (PowerBrick SC/Plus) answers with `batteryInfo` in Europe, for its
    master SN or the internal SN of point 10001; Asia-Pacific answers code 500.
    Other models have no v2 configuration.
    """
    serial = _serial(body)
    battery = ctx.account.find(serial) or _by_internal_sn(ctx.account, serial)
    if battery is None:
        raise denied()
    if battery.spec.family != "C":
        raise ApiError("500", "Device is not configured")
    if ctx.region != "europe":
        raise ApiError("500", INVALID)
    sample = battery.latest_sample(ctx.now)
    return {"batteryInfo": None if sample is None else v2_battery_info(battery, sample)}


def _by_internal_sn(account: Account, serial: str) -> Battery | None:
    """Return the family C battery whose point 10001 carries `serial`."""
    return next(
        (
            b
            for b in account.devices
            if b.spec.family == "C" and internal_sn(b) == serial
        ),
        None,
    )
