"""Data update coordinator for the Dyness batteries of one App ID."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    DynessApiError,
    DynessAuthenticationError,
    DynessClient,
    DynessConnectionError,
    DynessError,
    DynessRateLimitError,
    DynessResponseError,
    RealtimeSnapshot,
    StorageDevice,
)
from .const import (
    CONF_BATTERIES,
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    CONF_MODEL,
    CONF_MODEL_CODE,
    DOMAIN,
    LOGGER,
    SIGNAL_INTERVAL,
    STATIC_INTERVAL,
    UPDATE_INTERVAL,
)
from .families import Family, Metric, detect_family

SIGNAL_POINT = "800000"
STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True, kw_only=True)
class BatteryConfig:
    """A battery the user chose, as stored in the config entry."""

    device_sn: str
    dongle_sn: str | None = None
    model: str | None = None
    model_code: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatteryConfig:
        """Build the battery from its config entry form."""
        return cls(
            device_sn=str(data[CONF_DEVICE_SN]),
            dongle_sn=data.get(CONF_DONGLE_SN) or None,
            model=data.get(CONF_MODEL) or None,
            model_code=data.get(CONF_MODEL_CODE) or None,
        )


@dataclass(frozen=True, kw_only=True)
class ModuleData:
    """The last known live points of one module (sub-device) of a battery."""

    serial: str
    index: int
    realtime: RealtimeSnapshot | None = None


@dataclass(frozen=True, kw_only=True)
class BatteryData:
    """What the coordinator knows about one battery after a cycle."""

    config: BatteryConfig
    family: Family
    realtime: RealtimeSnapshot | None = None
    device: StorageDevice | None = None
    signal_dbm: float | None = None
    modules: Mapping[str, ModuleData] = field(default_factory=dict)

    @property
    def serial(self) -> str:
        """Return the battery's master serial."""
        return self.config.device_sn

    @property
    def model(self) -> str | None:
        """Return the model name, preferring the cloud's current answer."""
        if self.device is not None and self.device.model_name:
            return self.device.model_name
        return self.config.model

    @property
    def model_code(self) -> str | None:
        """Return the model code, preferring the cloud's current answer."""
        if self.device is not None and self.device.model_code:
            return self.device.model_code
        return self.config.model_code

    @property
    def firmware(self) -> str | None:
        """Return the firmware from the live points, else from the device list."""
        live = self.family.text(self.realtime, Metric.FIRMWARE)
        if live:
            return live
        return self.device.firmware_version if self.device is not None else None

    @property
    def dongle_sn(self) -> str | None:
        """Return the collector (dongle) serial."""
        if self.config.dongle_sn:
            return self.config.dongle_sn
        return self.device.collector_sn if self.device is not None else None

    def number(self, metric: Metric) -> float | None:
        """Return a live metric as a number, None when unknown."""
        return self.family.number(self.realtime, metric)

    def text(self, metric: Metric) -> str | None:
        """Return a live metric as text, None when unknown."""
        return self.family.text(self.realtime, metric)


@dataclass(frozen=True, kw_only=True)
class DynessData:
    """Coordinator data: every configured battery keyed by its serial."""

    batteries: Mapping[str, BatteryData] = field(default_factory=dict)


@dataclass(kw_only=True)
class DynessRuntimeData:
    """Objects kept on the config entry while it is loaded."""

    client: DynessClient
    coordinator: DynessCoordinator


type DynessConfigEntry = ConfigEntry[DynessRuntimeData]


class DynessCoordinator(DataUpdateCoordinator[DynessData]):
    """Poll the live points of every battery; refresh static facts slowly."""

    config_entry: DynessConfigEntry

    def __init__(
        self, hass: HomeAssistant, entry: DynessConfigEntry, client: DynessClient
    ) -> None:
        """Initialise the coordinator for one config entry."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}",
            update_interval=UPDATE_INTERVAL,
            always_update=False,
        )
        self.client = client
        self.batteries = tuple(
            BatteryConfig.from_dict(item) for item in entry.data[CONF_BATTERIES]
        )
        self.signal_wanted: set[str] = set()
        # serial → point id → raw value the plausibility guard last dropped.
        self.rejected: dict[str, dict[str, str]] = {}
        self._devices: dict[str, StorageDevice] = {}
        self._static_at: datetime | None = None
        self._signal: dict[str, float | None] = {}
        self._signal_at: dict[str, datetime] = {}
        self._fresh_at: datetime | None = None

    async def _async_update_data(self) -> DynessData:
        """Fetch one cycle, mapping client errors to Home Assistant's."""
        try:
            return await self._fetch()
        except DynessAuthenticationError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except DynessRateLimitError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="rate_limited",
                translation_placeholders={"retry_after": _seconds(err.retry_after)},
            ) from err
        except DynessApiError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="api_error",
                translation_placeholders={"error": err.info or err.code},
            ) from err
        except DynessResponseError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_response",
                translation_placeholders={"error": str(err)},
            ) from err
        except DynessConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="communication_error",
                translation_placeholders={"error": str(err)},
            ) from err

    async def _fetch(self) -> DynessData:
        """Run the calls of one cycle; keep last good data on a rate limit."""
        now = dt_util.utcnow()
        previous = self.data.batteries if self.data is not None else {}
        await self._refresh_static(now)
        batteries: dict[str, BatteryData] = {}
        rate_limited: DynessRateLimitError | None = None
        api_errors: list[DynessApiError] = []
        for config in self.batteries:
            serial = config.device_sn
            old = previous.get(serial)
            realtime = old.realtime if old is not None else None
            if rate_limited is None:
                try:
                    realtime = await self.client.get_realtime_data(serial)
                except DynessRateLimitError as err:
                    # Stop calling for the rest of this cycle: a burst is what 429 punishes.
                    rate_limited = err
                except DynessApiError as err:
                    LOGGER.debug("No live data for %s: %s", serial, err.info)
                    api_errors.append(err)
                    realtime = None
            batteries[serial] = self._battery(config, realtime)
        if rate_limited is not None:
            if not previous or self._is_stale(now):
                raise rate_limited
            LOGGER.debug("Rate limited; keeping the last data of this cycle")
        elif api_errors and len(api_errors) == len(self.batteries):
            raise api_errors[0]
        else:
            self._fresh_at = now
        await self._refresh_signal(now, batteries)
        return DynessData(batteries=batteries)

    def _battery(
        self, config: BatteryConfig, realtime: RealtimeSnapshot | None
    ) -> BatteryData:
        """Combine the stored config, live points and static facts of a battery."""
        device = self._devices.get(config.device_sn)
        model = device.model_name if device and device.model_name else config.model
        code = device.model_code if device and device.model_code else config.model_code
        return BatteryData(
            config=config,
            family=detect_family(model, code, realtime),
            realtime=realtime,
            device=device,
            signal_dbm=self._signal.get(config.device_sn),
        )

    def _is_stale(self, now: datetime) -> bool:
        """Return whether the last fresh data is too old to keep showing."""
        return self._fresh_at is None or now - self._fresh_at > STALE_AFTER

    async def _refresh_static(self, now: datetime) -> None:
        """Refresh model, firmware and communication status at most every 30 min."""
        if self._static_at is not None and now - self._static_at < STATIC_INTERVAL:
            return
        try:
            devices = await self.client.list_storage_devices()
        except DynessAuthenticationError:
            raise
        except DynessError as err:
            LOGGER.debug("Device list not refreshed: %s", err)
            if isinstance(err, DynessRateLimitError) or self._static_at is None:
                # Without a list yet, try again next cycle rather than in 30 min.
                return
            self._static_at = now
            return
        self._devices = {device.device_sn: device for device in devices}
        self._static_at = now

    async def _refresh_signal(
        self, now: datetime, batteries: dict[str, BatteryData]
    ) -> None:
        """Read the dongle's signal strength while its entity is enabled."""
        for serial in sorted(self.signal_wanted):
            battery = batteries.get(serial)
            if battery is None or battery.dongle_sn is None:
                continue
            last = self._signal_at.get(serial)
            if last is not None and now - last < SIGNAL_INTERVAL:
                continue
            self._signal_at[serial] = now
            try:
                snapshot = await self.client.get_realtime_data(battery.dongle_sn)
            except DynessAuthenticationError:
                raise
            except DynessError as err:
                LOGGER.debug("No signal strength for %s: %s", serial, err)
                continue
            self._signal[serial] = snapshot.number(SIGNAL_POINT)
            batteries[serial] = replace(battery, signal_dbm=self._signal[serial])


def _seconds(value: float | None) -> str:
    """Format a delay for a translated message."""
    return "?" if value is None else str(round(value))
