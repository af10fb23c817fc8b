"""Client for the Dyness Open API (no Home Assistant dependencies)."""

from __future__ import annotations

from .client import DynessClient
from .const import REGION_HOSTS, Region
from .exceptions import (
    DynessApiError,
    DynessAuthenticationError,
    DynessBudgetError,
    DynessConnectionError,
    DynessError,
    DynessRateLimitError,
    DynessResponseError,
    DynessTimeoutError,
)
from .models import (
    BatteryInfo,
    DeviceDetail,
    FirmwareVersions,
    Point,
    PowerRecord,
    RealtimeSnapshot,
    RunningData,
    StationInfo,
    StorageDevice,
    is_master_sn,
)
from .scheduler import CallScheduler
from .signing import content_md5, sign, signed_headers

__all__ = [
    "REGION_HOSTS",
    "BatteryInfo",
    "CallScheduler",
    "DeviceDetail",
    "DynessApiError",
    "DynessAuthenticationError",
    "DynessBudgetError",
    "DynessClient",
    "DynessConnectionError",
    "DynessError",
    "DynessRateLimitError",
    "DynessResponseError",
    "DynessTimeoutError",
    "FirmwareVersions",
    "Point",
    "PowerRecord",
    "RealtimeSnapshot",
    "Region",
    "RunningData",
    "StationInfo",
    "StorageDevice",
    "content_md5",
    "is_master_sn",
    "sign",
    "signed_headers",
]
