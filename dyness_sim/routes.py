"""Path table: which signed path (`/v1/...`, `/v2/...`) is answered by what."""

from __future__ import annotations

from . import endpoints as ep
from .endpoints import Route
from .v2_settings import SETTINGS_ROUTES

_NETWORK_ANOMALY = ep.fixed_error("Network Anomaly")
_NETWORK_ERROR = ep.fixed_error("NETWORK_ERROR")
_TIMED_OUT = ep.fixed_error("Device connection timed out")

# Every POST operation of the official Swagger (doc §6.2) that the simulator does
# not model answers code 500 "Invalid Parameter" instead of 404: the path exists.
_UNMODELLED = (
    "/v1/device/unBindSn",
    "/v1/device/batchBindSn",
    "/v1/device/batchUnBindSn",
    "/v1/device/control/toggle",
    "/v1/device/write",
    "/v1/device/writeBatch",
    "/v1/control/singleSetChargeConfig",
    "/v1/control/singleSetChargeDischargeConfig",
    "/v1/control/batchSetChargeConfig",
    "/v1/control/batchSetChargeDischargeConfig",
    "/v1/control/batteryCapacitySetting",
    "/v1/control/maxFeedinSet",
    "/v1/control/setGirdConnectedPowerLimit",
    "/v1/base/set",
    "/v1/battery/setting/set",
    "/v1/advanced/setting/single/set",
    "/v1/peakControl/setting/single/set",
    "/v1/loadControl/setting/single/set",
    "/v1/safety/setting/single/set",
    "/v1/systemTime/setting/single/set",
    "/v1/detection/setting/single/set",
    "/v1/inverter/setting/single/set",
    "/v1/group/addGroup",
    "/v1/group/removeGroup",
    "/v1/group/addSnByGroup",
    "/v1/group/removeSnByGroup",
    "/v1/group/getGroupSnList",
    "/v1/equipment/search",
    "/v1/equipment/group/delete",
    "/v1/group/getLastPowerDataByGroup",
    "/v1/group/getLastRunningDataByGroup",
    "/v1/group/getEnergyDataByGroup",
    "/v1/group/batchSetChargeConfig",
    "/v1/group/batchSetChargeDischargeConfig",
    "/v1/group/batchMaxFeedInSet",
    "/v1/group/control/toggle",
    "/v1/group/multiGetChargeDisChargeByGroup",
    "/v1/group/multiGetChargeDisChargeBySn",
    "/v1/group/multiGetDischargeConfigByGroup",
    "/v1/group/multiGetDischargeConfigBySn",
)

V1_ROUTES: dict[str, Route] = {
    "/v1/device/storage/list": Route(ep.storage_list),
    "/v1/device/houseHold/list": Route(ep.household_list),
    "/v1/device/household/storage/detail": Route(ep.storage_detail),
    "/v1/station/info": Route(ep.station_info),
    "/v1/device/realTime/data": Route(ep.real_time_data),
    "/v1/device/getLastPowerDataBySn": Route(ep.last_power_data),
    "/v1/device/getLastRunningDataBySn": Route(ep.last_running_data),
    "/v1/device/getEnergyDataBySn": Route(ep.energy_data),
    "/v1/device/checkVersion": Route(ep.check_version),
    "/v1/device/bindSn": Route(ep.bind_sn),
    "/v1/alarm/query": Route(ep.alarm_query),
    "/v1/device/inverter/list": Route(ep.fixed_data([])),
    "/v1/device/inverter/load/detail": Route(ep.inverter_detail),
    "/v1/group/getGroupList": Route(ep.fixed_data([])),
    "/v1/group/getSystemList": Route(ep.fixed_data([])),
    "/v1/group/getSafelyList": Route(
        ep.fixed_data(
            [
                {"code": "0", "value": "50Hz Grid Default"},
                {"code": "1", "value": "60Hz Grid Default"},
            ]
        )
    ),
    # IGEN settings reads on a battery (doc §3.2, Q21).
    "/v1/peakControl/setting/detail": Route(_NETWORK_ANOMALY),
    "/v1/loadControl/setting/detail": Route(_NETWORK_ANOMALY),
    "/v1/base/read": Route(_NETWORK_ANOMALY),
    "/v1/systemTime/setting/detail": Route(_NETWORK_ANOMALY),
    "/v1/faultWarn/setting/detail": Route(_NETWORK_ANOMALY),
    "/v1/detection/setting/single/detail": Route(_NETWORK_ANOMALY),
    "/v1/device/history/export/task": Route(_NETWORK_ANOMALY),
    "/v1/device/read": Route(_NETWORK_ERROR),
    "/v1/inverter/setting/detail": Route(_NETWORK_ERROR),
    "/v1/inverter/setting/single/detail": Route(_NETWORK_ERROR),
    "/v1/device/singleGetChargeDischargeConfig": Route(_TIMED_OUT),
    "/v1/device/singleGetDischargeConfig": Route(_TIMED_OUT),
    # These did not answer within 15 s on a PowerHaus (doc §3.3).
    "/v1/battery/setting/detail": Route(_TIMED_OUT, slow=True),
    "/v1/advanced/setting/detail": Route(_TIMED_OUT, slow=True),
    "/v1/safety/setting/detail": Route(_TIMED_OUT, slow=True),
    **{path: Route(ep.fixed_error(ep.INVALID)) for path in _UNMODELLED},
}

_V2_DATA = (
    "GetDeviceInfBySN",
    "GetAlarmInfBySN",
    "GetParallelInfBySN",
    "GetStatusInfBySN",
    "GetTotalEnergyDataBySN",
    "GetBaseSetting",
    "GetWorkModeSetting",
    "GetBatterySetting",
)

# Served only when the simulator enables v2; otherwise every /v2 path is a 404
# (EU accounts in June 2026, doc §7).
V2_ROUTES: dict[str, Route] = {
    "/v2/GetDeviceList": Route(ep.v2_device_list),
    "/v2/GetRealTimeDataBySN": Route(ep.v2_real_time_data),
    **{f"/v2/{name}": Route(ep.v2_not_configured) for name in _V2_DATA},
    # Settings of the families that have them; others stay "not configured".
    **SETTINGS_ROUTES,
}
