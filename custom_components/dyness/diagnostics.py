"""Diagnostics download of the Dyness battery integration."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_API_ID, CONF_API_SECRET, CONF_DEVICE_SN, CONF_DONGLE_SN
from .coordinator import BatteryData, DynessConfigEntry

TO_REDACT = {
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    "deviceSn",
    "collectorSn",
    "stationId",
    "stationName",
    "position",
    "meterSn",
    "sn",
    "title",
    "unique_id",
}
SERIAL_POINTS = {"SUB", "500", "10", "20", "10000", "10001", "10010", "10150"}


def _points(battery: BatteryData) -> list[dict[str, Any]]:
    """Return the raw point list with labels, serial-bearing points redacted."""
    if battery.realtime is None:
        return []
    return [
        {
            "id": point.point_id,
            "label": point.name_cn,
            "value": "**REDACTED**" if point.point_id in SERIAL_POINTS else point.raw,
        }
        for point in battery.realtime.points.values()
    ]


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DynessConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    coordinator = entry.runtime_data.coordinator
    throttle = entry.runtime_data.client.throttle
    batteries = []
    for index, battery in enumerate(coordinator.data.batteries.values(), start=1):
        batteries.append(
            {
                "battery": index,
                "model": battery.model,
                "model_code": battery.model_code,
                "family": battery.family.key,
                "firmware": battery.firmware,
                "sample_time": battery.realtime.timestamp
                if battery.realtime is not None
                else None,
                "modules": len(battery.realtime.sub_devices or ())
                if battery.realtime is not None
                else None,
                "device_list_entry": async_redact_data(
                    dict(battery.device.raw) if battery.device is not None else {},
                    TO_REDACT,
                ),
                "points": _points(battery),
            }
        )
    return {
        "entry": async_redact_data(entry.as_dict(), TO_REDACT),
        "batteries": batteries,
        "calls": {
            "total": throttle.calls,
            "rate_limited": throttle.rate_limited,
            "blocked_for": round(throttle.blocked_for(), 1),
        },
        "last_update_success": coordinator.last_update_success,
        "signal_wanted": len(coordinator.signal_wanted),
        "config": async_redact_data(asdict(coordinator.batteries[0]), TO_REDACT)
        if coordinator.batteries
        else {},
    }
