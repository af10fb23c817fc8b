"""Diagnostics download of the Dyness battery integration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict
from typing import Any, Final

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api import RealtimeSnapshot
from .const import CONF_API_ID, CONF_API_SECRET
from .data import BatteryData
from .runtime import DynessConfigEntry

REDACTED: Final = "**REDACTED**"
TO_REDACT: Final = {
    CONF_API_ID,
    CONF_API_SECRET,
    "stationId",
    "stationName",
    "position",
    "meterSn",
    "title",
    "unique_id",
}
# Points whose value is a serial number (master, module or internal SN).
SERIAL_POINTS: Final = {"SUB", "500", "10", "20", "10000", "10001", "10010", "10150"}
SERIAL_KEYS: Final = {"deviceSn", "collectorSn", "sn", "meterSn", "parallelPackSn"}
MIN_SERIAL_LENGTH: Final = 6


def _split(value: str | None) -> list[str]:
    """Return the serials in a point value (SUB lists several)."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _response_serials(data: Any) -> list[str]:
    """Return the serials named in raw answers (device lists, point lists)."""
    if isinstance(data, list | tuple):
        return [serial for item in data for serial in _response_serials(item)]
    if not isinstance(data, Mapping):
        return []
    if str(data.get("pointId")) in SERIAL_POINTS:
        return _split(str(data.get("pointValue") or ""))
    found: list[str] = []
    for key, value in data.items():
        if key in SERIAL_KEYS and isinstance(value, str):
            found.append(value)
        else:
            found.extend(_response_serials(value))
    return found


def _serials(batteries: Iterable[BatteryData], responses: Any) -> list[str]:
    """Return every serial the batteries' data can contain, in a stable order."""
    found: list[str] = []
    for battery in batteries:
        snapshots: list[RealtimeSnapshot | None] = [battery.realtime]
        snapshots.extend(module.realtime for module in battery.modules.values())
        candidates = [
            battery.serial,
            battery.dongle_sn,
            battery.device.collector_sn if battery.device is not None else None,
            *battery.modules,
        ]
        for snapshot in snapshots:
            if snapshot is None:
                continue
            candidates.extend(snapshot.sub_devices or ())
            for point_id in SERIAL_POINTS:
                candidates.extend(_split(snapshot.text(point_id)))
        found.extend(serial for serial in candidates if serial and serial not in found)
    found.extend(
        serial for serial in _response_serials(responses) if serial not in found
    )
    # Short values (a module index, "0") are no serials and would match anywhere.
    return [serial for serial in found if len(serial) >= MIN_SERIAL_LENGTH]


class _Scrubber:
    """Replace serials by numbered placeholders and secrets by a plain one."""

    def __init__(self, serials: list[str], secrets: list[str]) -> None:
        """Give each serial a placeholder; replace longer ones first (master, dongle)."""
        self.names = {
            serial: f"**REDACTED_{index}**"
            for index, serial in enumerate(serials, start=1)
        }
        replacements = {**self.names, **dict.fromkeys(secrets, REDACTED)}
        self._order = sorted(replacements.items(), key=lambda item: -len(item[0]))

    def text(self, value: str) -> str:
        """Scrub one string."""
        for secret, placeholder in self._order:
            value = value.replace(secret, placeholder)
        return value

    def __call__(self, data: Any) -> Any:
        """Scrub every string, key and value, of a JSON-like structure."""
        if isinstance(data, str):
            return self.text(data)
        if isinstance(data, Mapping):
            return {self(key): self(value) for key, value in data.items()}
        if isinstance(data, list | tuple):
            return [self(item) for item in data]
        return data


def _points(snapshot: RealtimeSnapshot | None) -> list[dict[str, Any]]:
    """Return a point list with its Chinese labels and raw values."""
    if snapshot is None:
        return []
    return [
        {"id": point.point_id, "label": point.name_cn, "value": point.raw}
        for point in snapshot.points.values()
    ]


def _battery(
    battery: BatteryData, rejected: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """Return what support needs to know about one battery."""
    row = battery.detection.row
    realtime = battery.realtime
    return {
        "serial": battery.serial,
        "dongle_sn": battery.dongle_sn,
        "model": battery.model,
        "model_code": battery.model_code,
        "model_row": None
        if row is None
        else {
            "name": row.name,
            "codes": list(row.codes),
            "family": row.family.key,
            "variants": [variant.family.key for variant in row.variants],
        },
        "family": battery.family.key,
        "detected_by": battery.detection.method,
        "layout_points": {
            metric: f"{source.kind}:{source.key}"
            for metric, source in battery.family.points.items()
        },
        "firmware": battery.firmware,
        "online": battery.device.online if battery.device is not None else None,
        "sample_time": realtime.timestamp if realtime is not None else None,
        "signal_dbm": battery.signal_dbm,
        "device_list_entry": async_redact_data(
            dict(battery.device.raw) if battery.device is not None else {},
            TO_REDACT,
        ),
        "points": _points(realtime),
        "modules": [
            {
                "serial": module.serial,
                "index": module.index,
                "sample_time": module.realtime.timestamp
                if module.realtime is not None
                else None,
                "points": _points(module.realtime),
            }
            for module in battery.modules.values()
        ],
        "rejected": dict(rejected.get(battery.serial, {})),
    }


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: DynessConfigEntry
) -> dict[str, Any]:
    """Return diagnostics for a config entry."""
    coordinator = entry.runtime_data.coordinator
    client = entry.runtime_data.client
    scheduler = client.scheduler
    batteries = list(coordinator.data.batteries.values())
    scrub = _Scrubber(
        _serials(batteries, client.last_responses),
        [str(entry.data[CONF_API_ID]), str(entry.data[CONF_API_SECRET])],
    )
    checks = entry.runtime_data.firmware.checks
    settings = entry.runtime_data.settings
    diagnostics: dict[str, Any] = scrub(
        {
            # Chosen fields rather than as_dict(), whose keys vary between releases.
            "entry": async_redact_data(
                {
                    "title": entry.title,
                    "unique_id": entry.unique_id,
                    "version": entry.version,
                    "minor_version": entry.minor_version,
                    "data": dict(entry.data),
                    "options": dict(entry.options),
                },
                TO_REDACT,
            ),
            "batteries": [
                _battery(battery, coordinator.rejections.rejected)
                for battery in batteries
            ],
            "last_responses": async_redact_data(client.last_responses, TO_REDACT),
            "scheduler": {
                "calls": scheduler.calls,
                "calls_last_hour": scheduler.used_last_hour(),
                "budget": scheduler.budget,
                "budget_ceiling": scheduler.ceiling,
                "refused_by_budget": scheduler.refused,
                "rate_limited": scheduler.rate_limited,
                "blocked_for": round(scheduler.blocked_for(), 1),
                "plan": asdict(scheduler.plan()),
                "next_refresh": coordinator.data.schedule.next_refresh,
                "upload_phases": {
                    serial: {
                        "last_sample": tracker.last_sample,
                        "expected": tracker.expected,
                        "delay_s": round(tracker.delay, 1),
                        "phase_known": tracker.phase_known,
                        "retries": tracker.retries,
                        "missed_uploads": tracker.misses,
                        "phase_jumps": tracker.phase_jumps,
                    }
                    for serial in coordinator.data.batteries
                    if (tracker := coordinator.tracker(serial)) is not None
                },
            },
            # Records clock (issue 17): learnt label offsets and their evidence.
            "records_clocks": entry.runtime_data.clocks.diagnostics(dt_util.utcnow()),
            "firmware_checks": {
                serial: {
                    "attempted_at": check.attempted_at,
                    "checked_at": check.checked_at,
                    "offered": dict(check.versions.raw)
                    if check.versions is not None
                    else None,
                }
                for serial in coordinator.data.batteries
                if (check := checks.get(serial)) is not None
            },
            "control": {"allowed": False}
            if settings is None
            else {"allowed": True, **settings.as_diagnostics()},
            "last_update_success": coordinator.last_update_success,
        }
    )
    return diagnostics
