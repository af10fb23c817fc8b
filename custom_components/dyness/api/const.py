"""Constants of the Dyness Open API: hosts, paths and codes."""

from __future__ import annotations

from enum import StrEnum
from typing import Final

API_PREFIX: Final = "/openapi/ems-device"


class Region(StrEnum):
    """Regions with their own Open API host."""

    EUROPE = "europe"
    ASIA_PACIFIC = "asia_pacific"


REGION_HOSTS: Final[dict[Region, str]] = {
    Region.EUROPE: "https://open-api.dyness.com",
    Region.ASIA_PACIFIC: "https://apacopen-api.dyness.com",
}

PATH_STORAGE_LIST: Final = "/v1/device/storage/list"
PATH_STORAGE_DETAIL: Final = "/v1/device/household/storage/detail"
PATH_STATION_INFO: Final = "/v1/station/info"
PATH_REALTIME: Final = "/v1/device/realTime/data"
PATH_POWER_DATA: Final = "/v1/device/getLastPowerDataBySn"
PATH_RUNNING_DATA: Final = "/v1/device/getLastRunningDataBySn"
PATH_BIND: Final = "/v1/device/bindSn"
PATH_CHECK_VERSION: Final = "/v1/device/checkVersion"
# v2 works on the v1 hosts too (same signing and envelope).
PATH_V2_REALTIME: Final = "/v2/GetRealTimeDataBySN"

SUCCESS_CODES: Final = frozenset({"200", "0"})
AUTH_CODES: Final = frozenset({"401", "403"})
ALREADY_BOUND_INFO: Final = "bound by someone else"
PAGE_SIZE: Final = 50
MAX_PAGES: Final = 20
