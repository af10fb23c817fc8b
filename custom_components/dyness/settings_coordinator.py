"""The battery settings of an entry: read every 30 minutes, written on request."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api import DynessClient, DynessError
from .api.controls import (
    SettingsWriter,
    WriteRateCap,
    WriteResult,
)
from .api.exceptions import DynessControlUnavailableError, DynessReadBackError
from .api.scheduler import Demand, Priority
from .api.settings import (
    FAMILY_KINDS,
    SETTING_TYPES,
    Setting,
    SettingKind,
    SettingsFamily,
)
from .api.settings_client import SettingsClient
from .api.validation import (
    can_control,
    validate,
)
from .const import (
    CONF_ALLOW_CONTROL,
    CONTROL_PROBE_INTERVAL,
    LOGGER,
    SETTINGS_INTERVAL,
)
from .data import BatteryConfig
from .errors import DynessBaseCoordinator
from .model_table import find_model
from .static import DynessStaticCoordinator

# One write an hour fits the plan: a fresh read, the write, up to three read-backs.
WRITE_RESERVE_PER_HOUR = 5
# Why a device has no controls, beside the client errors' own reasons.
VIEW_ONLY_REASON = "view_only"

type Sleep = Callable[[float], Awaitable[None]]
# Read-back waits; tests move frozen time instead.
SLEEP: Sleep = asyncio.sleep


@dataclass(frozen=True, kw_only=True)
class DeviceControl:
    """A device that offers settings: its family and the values it reports."""

    family: SettingsFamily
    values: Mapping[SettingKind, Setting] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class NoControl:
    """Why a device has no controls, and when that was found out."""

    reason: str
    checked_at: datetime


@dataclass(frozen=True, kw_only=True)
class SettingsData:
    """The settings of every controllable device and why the others have none."""

    devices: Mapping[str, DeviceControl] = field(default_factory=dict)
    refused: Mapping[str, NoControl] = field(default_factory=dict)


def control_allowed(entry: ConfigEntry) -> bool:
    """Return whether the entry allows changing battery settings (off by default)."""
    return bool(entry.options.get(CONF_ALLOW_CONTROL, False))


type ChangeListener = Callable[[str, SettingKind, WriteResult], None]


def settings_family(
    config: BatteryConfig, static: DynessStaticCoordinator
) -> SettingsFamily | None:
    """Return the settings family the model table gives a battery (None: probe)."""
    device = static.facts.devices.get(config.device_sn)
    row = find_model(*config.model_of(device))
    return None if row is None else row.family.settings


class DynessSettingsCoordinator(DynessBaseCoordinator[SettingsData]):
    """Reads each device's settings at low priority and writes them safely."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: DynessClient,
        static: DynessStaticCoordinator,
        batteries: Callable[[], tuple[BatteryConfig, ...]],
    ) -> None:
        """Start with nothing read; `batteries` returns the entry's current choice."""
        super().__init__(
            hass,
            entry,
            client,
            name=" settings",
            update_interval=SETTINGS_INTERVAL,
            always_update=False,
        )
        self.static = static
        self._batteries = batteries
        self.settings = SettingsClient(client)
        self.writer = SettingsWriter(
            self.settings,
            WriteRateCap(clock=lambda: dt_util.utcnow().timestamp()),
            sleep=SLEEP,
        )
        self.on_change: ChangeListener | None = None

    @property
    def current(self) -> SettingsData:
        """Return what is known, empty before the first read."""
        return self.data if self.data is not None else SettingsData()

    def value(self, serial: str, kind: SettingKind) -> Setting | None:
        """Return the value a device last reported for a setting group."""
        device = self.current.devices.get(serial)
        return None if device is None else device.values.get(kind)

    async def _async_fetch(self) -> SettingsData:
        """Read every device's settings; ask refused devices again once a day."""
        now = dt_util.utcnow()
        old = self.current
        devices: dict[str, DeviceControl] = {}
        refused: dict[str, NoControl] = {}
        for config in self._batteries():
            serial = config.device_sn
            listed = self.static.facts.devices.get(serial)
            if listed is None:
                # Without the device list, permission is unknown: no controls yet.
                continue
            if not can_control(listed.raw.get("operationPermission")):
                refused[serial] = NoControl(reason=VIEW_ONLY_REASON, checked_at=now)
                continue
            before = old.refused.get(serial)
            if before is not None and now - before.checked_at < CONTROL_PROBE_INTERVAL:
                refused[serial] = before
                continue
            known = old.devices.get(serial)
            try:
                devices[serial] = await self._read_device(config, known)
            except DynessControlUnavailableError as err:
                LOGGER.debug("No controls for %s: %s", serial, err)
                refused[serial] = NoControl(reason=err.reason, checked_at=now)
            except DynessError as err:
                # Budget, rate limit or a glitch decide nothing: ask next time.
                LOGGER.debug("Settings of %s not read: %s", serial, err)
                if known is not None:
                    devices[serial] = known
                elif before is not None:
                    refused[serial] = before
        self._publish_demand(devices)
        return SettingsData(devices=devices, refused=refused)

    def _publish_demand(self, devices: Mapping[str, DeviceControl]) -> None:
        """Tell the App ID's scheduler the reads per hour, plus one write's calls."""
        reads = sum(len(device.values) for device in devices.values())
        per_hour = timedelta(hours=1) / SETTINGS_INTERVAL
        self.client.scheduler.set_demand(
            self.demand_key,
            Demand(static_per_hour=reads * per_hour + WRITE_RESERVE_PER_HOUR),
        )

    @property
    def demand_key(self) -> str:
        """Return the name under which the scheduler knows this coordinator."""
        return f"{self.config_entry.entry_id}_settings"

    async def _read_device(
        self, config: BatteryConfig, known: DeviceControl | None
    ) -> DeviceControl:
        """Read a device's setting groups; the first one tells whether it has any."""
        family = known.family if known is not None else None
        if family is None:
            # Models without a table entry are asked for heating periods.
            family = settings_family(config, self.static) or SettingsFamily.LV_HEATING
        values = dict(known.values) if known is not None else {}
        for index, kind in enumerate(FAMILY_KINDS[family]):
            try:
                values[kind] = await self.settings.read(config.device_sn, family, kind)
            except DynessControlUnavailableError:
                # A later group may be missing (a Cygni without its schedule).
                if index == 0:
                    raise
                values.pop(kind, None)
            except DynessError as err:
                if index == 0 and known is None:
                    raise
                # Budget, rate limit or a glitch: keep the last value.
                LOGGER.debug("Settings of %s not read: %s", config.device_sn, err)
        return DeviceControl(family=family, values=values)

    def as_diagnostics(self) -> dict[str, Any]:
        """Return which devices have controls, and why the others have none."""
        data = self.current
        return {
            "devices": {
                serial: {
                    "family": device.family,
                    "settings": {
                        kind: asdict(value) for kind, value in device.values.items()
                    },
                }
                for serial, device in data.devices.items()
            },
            "without_control": {
                serial: {"reason": refused.reason, "checked_at": refused.checked_at}
                for serial, refused in data.refused.items()
            },
            "write_waits": {
                serial: round(wait)
                for serial in data.devices
                if (wait := self.writer.cap.wait_for(serial)) > 0
            },
        }

    def control(self, serial: str) -> DeviceControl | None:
        """Return a device's settings when it can be controlled."""
        return self.current.devices.get(serial)

    async def async_change(
        self,
        serial: str,
        kind: SettingKind,
        build: Callable[[Setting], Setting],
    ) -> WriteResult:
        """Change a setting group read fresh; keep what the device reports after."""
        device = self.current.devices[serial]
        cached = device.values.get(kind)
        if cached is not None:
            # A broken rule costs no call, not even the fresh read.
            validate(device.family, kind, build(cached))
        try:
            current = await self.writer.read_current(serial, device.family, kind)
            self._store(serial, kind, current)
            result = await self.writer.write(
                serial, device.family, kind, current, build(current)
            )
        except DynessReadBackError as err:
            if isinstance(err.reported, SETTING_TYPES[kind]):
                self._store(serial, kind, err.reported)
            raise
        self._store(serial, kind, result.reported)
        if result.sent and self.on_change is not None:
            self.on_change(serial, kind, result)
        return result

    async def async_read(self, serial: str, kind: SettingKind) -> Setting:
        """Read one setting group now for a user's action, and keep it."""
        device = self.current.devices[serial]
        # The user waits: like a change, it goes first and may use any budget.
        value = await self.settings.read(
            serial, device.family, kind, priority=Priority.CONTROL
        )
        self._store(serial, kind, value)
        return value

    def _store(self, serial: str, kind: SettingKind, value: Setting) -> None:
        """Keep a value the device reported and tell the entities."""
        data = self.current
        device = data.devices.get(serial)
        if device is None or device.values.get(kind) == value:
            return
        device = replace(device, values={**device.values, kind: value})
        self.async_set_updated_data(
            replace(data, devices={**data.devices, serial: device})
        )
