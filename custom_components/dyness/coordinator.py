"""Data update coordinator for the Dyness batteries of one App ID."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    DeviceDetail,
    DynessApiError,
    DynessAuthenticationError,
    DynessBudgetError,
    DynessClient,
    DynessConnectionError,
    DynessError,
    DynessRateLimitError,
    DynessResponseError,
    RealtimeSnapshot,
    StorageDevice,
    is_master_sn,
)
from .api.phase import UploadTracker
from .api.scheduler import Demand, Plan, Priority
from .const import (
    CONF_BATTERIES,
    DOMAIN,
    ISSUE_BUDGET,
    ISSUE_UNKNOWN_MODEL,
    LOGGER,
    SIGNAL_INTERVAL,
    STATIC_INTERVAL,
    UPDATE_INTERVAL,
)
from .data import BatteryConfig, BatteryData, DynessData, ModuleData, ScheduleFigures
from .families import SourceKind
from .model_table import Detection, detect
from .plausibility import Check, family_checks, guard, module_checks as checks
from .records_runtime import RecordsClocks

__all__ = [
    "BatteryConfig",
    "BatteryData",
    "DynessConfigEntry",
    "DynessCoordinator",
    "DynessData",
    "DynessRuntimeData",
    "ModuleData",
    "ScheduleFigures",
]

SIGNAL_POINT = "800000"
STALE_AFTER = timedelta(minutes=30)
DETAIL_INTERVAL = timedelta(hours=12)
STORE_VERSION = 1
# A battery is polled when its next sample is due within this tolerance.
POLL_TOLERANCE = timedelta(seconds=1)
MIN_WAKE = 1.0
DETAIL_PER_HOUR = 1 / 12
SIGNAL_PER_HOUR = 2.0
STATIC_PER_HOUR = 3600 / STATIC_INTERVAL.total_seconds()


@dataclass(kw_only=True)
class DynessRuntimeData:
    """Objects kept on the config entry while it is loaded."""

    client: DynessClient
    coordinator: DynessCoordinator


type DynessConfigEntry = ConfigEntry[DynessRuntimeData]


class _RateLimited(Exception):
    """Raised inside a cycle to stop calling after a 429."""


class DynessCoordinator(DataUpdateCoordinator[DynessData]):
    """Poll every battery's live points, then its modules; static facts slowly."""

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
        self.scheduler = client.scheduler
        self.batteries = tuple(
            BatteryConfig.from_dict(item) for item in entry.data[CONF_BATTERIES]
        )
        self.signal_wanted: set[str] = set()
        # (module serial, entity key) of every enabled module entity.
        self.module_entities: set[tuple[str, str]] = set()
        # serial → point id → raw value the plausibility guard last dropped.
        self.rejected: dict[str, dict[str, str]] = {}
        self._rejection_logged: set[tuple[str, str]] = set()
        self._devices: dict[str, StorageDevice] = {}
        self._details: dict[str, DeviceDetail] = {}
        self._detail_at: dict[str, datetime] = {}
        self._detections: dict[str, Detection] = {}
        self._static_at: datetime | None = None
        self._signal: dict[str, float | None] = {}
        self._signal_at: dict[str, datetime] = {}
        self._trackers: dict[str, UploadTracker] = {}
        # battery serial → new samples since its modules were last read.
        self._samples_since_modules: dict[str, int] = {}
        self._tried_modules: set[str] = set()
        self._plan = Plan()
        self._fresh_at: datetime | None = None
        # battery serial → module serials in order of first appearance (Q10).
        self.known_modules: dict[str, list[str]] = {}
        self._store: Store[dict[str, list[str]]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.{entry.entry_id}.modules"
        )
        # Records clock (issue 17): moves to DynessRuntimeData with the core split.
        self.records_clocks = RecordsClocks(hass, entry.entry_id)
        entry.async_on_unload(self.records_clocks.async_save)

    async def _async_setup(self) -> None:
        """Load the modules seen and the records clocks kept before the restart."""
        await self.records_clocks.async_load()
        stored = await self._store.async_load()
        if stored:
            self.known_modules = {
                serial: [str(sn) for sn in modules]
                for serial, modules in stored.items()
                if isinstance(modules, list)
            }

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
        finally:
            self._reschedule()

    def set_batteries(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Follow a new choice of batteries; new ones are read at the next refresh."""
        self.batteries = tuple(BatteryConfig.from_dict(item) for item in items)
        if self.data is not None:
            kept = {config.device_sn for config in self.batteries}
            self.data = replace(
                self.data,
                batteries={s: b for s, b in self.data.batteries.items() if s in kept},
            )

    def tracker(self, serial: str) -> UploadTracker:
        """Return the upload phase tracker of a battery."""
        if serial not in self._trackers:
            self._trackers[serial] = UploadTracker()
        return self._trackers[serial]

    def _due(self, serial: str, old: BatteryData | None, now: datetime) -> bool:
        """Return whether a battery's next sample should be there by now."""
        if old is None or old.realtime is None:
            return True
        return self.tracker(serial).next_poll(now) <= now + POLL_TOLERANCE

    async def _fetch(self) -> DynessData:
        """Poll the batteries whose next sample is due; keep the rest as they are."""
        now = dt_util.utcnow()
        previous = self.data.batteries if self.data is not None else {}
        self._plan = self.scheduler.plan()
        await self._refresh_static(now)
        batteries: dict[str, BatteryData] = {}
        fresh: set[str] = set()
        rate_limited: DynessRateLimitError | None = None
        api_errors: list[DynessApiError] = []
        polled = 0
        # Each battery's own data first; modules and extras only afterwards.
        for config in self.batteries:
            serial = config.device_sn
            old = previous.get(serial)
            tracker = self.tracker(serial)
            tracker.stride = self._plan.battery_every
            if rate_limited is not None or not self._due(serial, old, now):
                batteries[serial] = old or self._empty(config)
                continue
            polled += 1
            try:
                battery = await self._battery(config, old, now)
            except DynessRateLimitError as err:
                rate_limited = err
                batteries[serial] = old or self._empty(config)
                continue
            except DynessApiError as err:
                LOGGER.debug("No live data for %s: %s", serial, err.info)
                api_errors.append(err)
                batteries[serial] = self._empty(config)
                continue
            sample = battery.realtime.timestamp if battery.realtime else None
            if tracker.observe(sample, now):
                fresh.add(serial)
            batteries[serial] = battery
        if rate_limited is None:
            try:
                await self._refresh_modules(batteries, fresh)
                await self._refresh_signal(now, batteries)
            except DynessBudgetError as err:
                # The batteries are read; modules and extras wait for the budget.
                LOGGER.debug("Modules and extras wait: %s", err)
            except DynessRateLimitError as err:
                rate_limited = err
        for serial, battery in batteries.items():
            # A signal read made while this cycle ran is not in `previous`.
            if battery.signal_dbm != self._signal.get(serial):
                batteries[serial] = replace(
                    battery, signal_dbm=self._signal.get(serial)
                )
        self._publish_demand(batteries)
        if rate_limited is not None:
            if not previous or self._is_stale(now):
                raise rate_limited
            LOGGER.debug("Rate limited; keeping the last data of this cycle")
        elif api_errors and len(api_errors) == polled:
            raise api_errors[0]
        else:
            self._fresh_at = now
        return DynessData(batteries=batteries, schedule=self._figures(batteries, now))

    def want_module(self, module_serial: str, key: str, wanted: bool) -> None:
        """Note that a module entity appeared or went; the budget plan follows."""
        if wanted:
            self.module_entities.add((module_serial, key))
        else:
            self.module_entities.discard((module_serial, key))
        # While unloading, entities go one by one: nothing to plan any more.
        if self.data is not None and self.config_entry.state is ConfigEntryState.LOADED:
            self._publish_demand(self.data.batteries)

    def _publish_demand(self, batteries: Mapping[str, BatteryData]) -> None:
        """Tell the App ID's scheduler what this entry needs per sample."""
        wanted = {serial for serial, _ in self.module_entities}
        extras = sum(
            int(b.family.uses_power_records) + int(b.family.uses_running_data)
            for b in batteries.values()
        )
        details = sum(
            any(s.kind is SourceKind.DETAIL for s in b.family.points.values())
            for b in batteries.values()
        )
        self.scheduler.set_demand(
            self.config_entry.entry_id,
            Demand(
                battery_calls=len(batteries) + extras,
                module_calls=len(wanted),
                static_per_hour=STATIC_PER_HOUR
                + details * DETAIL_PER_HOUR
                + len(self.signal_wanted) * SIGNAL_PER_HOUR,
            ),
        )
        self._report_budget()

    def _report_budget(self) -> None:
        """Raise or clear the repair issue that says the budget stretches polls."""
        plan = self.scheduler.plan()
        self._set_issue(
            f"{ISSUE_BUDGET}_{self.config_entry.entry_id}",
            ISSUE_BUDGET,
            None
            if not plan.stretched
            else {
                "budget": str(plan.budget),
                "battery_minutes": str(5 * plan.battery_every),
                "module_minutes": str(5 * plan.module_every),
                "modules": str(len({serial for serial, _ in self.module_entities})),
            },
        )

    def _set_issue(
        self, issue_id: str, key: str, placeholders: dict[str, str] | None
    ) -> None:
        """Raise a warning repair issue with these placeholders, or clear it (None)."""
        if placeholders is None:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
            return
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=key,
            translation_placeholders=placeholders,
        )

    def _figures(
        self, batteries: dict[str, BatteryData], now: datetime
    ) -> ScheduleFigures:
        """Return the budget figures shown by the diagnostic sensors."""
        samples = [
            b.realtime.timestamp
            for b in batteries.values()
            if b.realtime is not None and b.realtime.timestamp is not None
        ]
        return ScheduleFigures(
            calls_last_hour=self.scheduler.used_last_hour(),
            budget=self.scheduler.budget,
            budget_left=self.scheduler.budget_left(),
            newest_sample=max(samples, default=None),
            refreshed_at=now,
            next_refresh=now + self._next_wake(now),
            battery_minutes=5 * self._plan.battery_every,
            module_minutes=5 * self._plan.module_every,
        )

    def _next_wake(self, now: datetime) -> timedelta:
        """Return the wait until the next battery sample is due."""
        wake = min(
            (self.tracker(c.device_sn).next_poll(now) for c in self.batteries),
            default=now + UPDATE_INTERVAL,
        )
        seconds = max((wake - now).total_seconds(), self.scheduler.blocked_for())
        return timedelta(seconds=max(MIN_WAKE, math.ceil(seconds)))

    def _reschedule(self) -> None:
        """Wake up when the next sample of any battery should be there."""
        self.update_interval = self._next_wake(dt_util.utcnow())

    def _empty(self, config: BatteryConfig) -> BatteryData:
        """Return a battery without live data."""
        return BatteryData(
            config=config,
            detection=self._detect(config, None),
            device=self._devices.get(config.device_sn),
            detail=self._details.get(config.device_sn),
        )

    async def _battery(
        self, config: BatteryConfig, old: BatteryData | None, now: datetime
    ) -> BatteryData:
        """Fetch one battery's live points and the extras its family needs."""
        serial = config.device_sn
        snapshot = await self.client.get_realtime_data(serial)
        detection = self._detect(config, snapshot)
        family = detection.family
        snapshot = self._guarded(serial, snapshot, family_checks(family))
        power = old.power if old is not None else None
        running = old.running if old is not None else None
        records = None
        if family.uses_power_records:
            records = await self.client.get_power_records(serial)
        if family.uses_running_data:
            running = await self.client.get_running_data(serial)
        if any(s.kind is SourceKind.DETAIL for s in family.points.values()):
            await self._refresh_detail(serial, now)
        self._remember_modules(serial, snapshot)
        battery = BatteryData(
            config=config,
            detection=detection,
            realtime=snapshot,
            device=self._devices.get(serial),
            detail=self._details.get(serial),
            power=power,
            running=running,
            signal_dbm=self._signal.get(serial),
            modules=old.modules if old is not None else {},
        )
        # Records clock (issue 17): the sample teaches it; records are checked.
        return self.records_clocks.update(battery, records)

    def _detect(
        self, config: BatteryConfig, snapshot: RealtimeSnapshot | None
    ) -> Detection:
        """Return the battery's layout, deciding it once live points are known."""
        serial = config.device_sn
        cached = self._detections.get(serial)
        if cached is not None and cached.final:
            return cached
        device = self._devices.get(serial)
        model = device.model_name if device and device.model_name else config.model
        code = device.model_code if device and device.model_code else config.model_code
        detection = detect(model, code, snapshot)
        self._detections[serial] = detection
        if detection.final:
            self._report_model(config, detection, model, code)
        return detection

    def _report_model(
        self,
        config: BatteryConfig,
        detection: Detection,
        model: str | None,
        code: str | None,
    ) -> None:
        """Raise or clear the repair issue that asks for an unknown model's data."""
        issue_id = (
            f"{ISSUE_UNKNOWN_MODEL}_{self.config_entry.entry_id}_{config.device_sn}"
        )
        if not detection.known_model:
            LOGGER.warning(
                "Model %s (code %s) is not in the model table; read with the %s layout",
                model,
                code,
                detection.family.key,
            )
        self._set_issue(
            issue_id,
            ISSUE_UNKNOWN_MODEL,
            None
            if detection.known_model
            else {
                "model": model or "?",
                "code": code or "?",
                "layout": str(detection.family.key),
            },
        )

    def _guarded(
        self,
        serial: str,
        snapshot: RealtimeSnapshot,
        checks: tuple[Check, ...],
    ) -> RealtimeSnapshot:
        """Drop implausible values from a snapshot; log each point once."""
        cleaned, dropped = guard(snapshot, checks)
        for point_id, raw in dropped.items():
            self.rejected.setdefault(serial, {})[point_id] = raw
            if (serial, point_id) not in self._rejection_logged:
                self._rejection_logged.add((serial, point_id))
                LOGGER.warning(
                    "Ignoring implausible value %r of point %s from %s",
                    raw,
                    point_id,
                    serial,
                )
        return cleaned

    def _remember_modules(self, serial: str, snapshot: RealtimeSnapshot) -> None:
        """Add new `SUB` entries to the battery's module list and store it."""
        known = self.known_modules.setdefault(serial, [])
        dongle = serial.split("-", maxsplit=1)[0]
        added = False
        for module in snapshot.sub_devices or ():
            if module in known or module in (serial, dongle) or is_master_sn(module):
                continue
            known.append(module)
            added = True
        if added:
            self._store.async_delay_save(lambda: self.known_modules, 1)

    async def _refresh_modules(
        self, batteries: dict[str, BatteryData], fresh: set[str]
    ) -> None:
        """Read new modules once, and wanted ones after their battery's new samples."""
        wanted = {serial for serial, _ in self.module_entities}
        for serial, battery in list(batteries.items()):
            layout = battery.family.module
            if layout is None:
                continue
            if serial in fresh:
                self._samples_since_modules[serial] = (
                    self._samples_since_modules.get(serial, 0) + 1
                )
            due = self._samples_since_modules.get(serial, 0) >= self._plan.module_every
            modules = dict(battery.modules)
            polled = False
            for index, module_sn in enumerate(self.known_modules.get(serial, ()), 1):
                module = modules.get(module_sn) or ModuleData(
                    serial=module_sn, index=index, layout=layout
                )
                first = module_sn not in self._tried_modules
                if first or (module_sn in wanted and due):
                    self._tried_modules.add(module_sn)
                    polled = polled or not first
                    try:
                        snapshot = await self.client.get_realtime_data(
                            module_sn, priority=Priority.MODULE
                        )
                    except DynessRateLimitError:
                        batteries[serial] = replace(battery, modules=modules)
                        raise
                    except DynessAuthenticationError:
                        raise
                    except DynessError as err:
                        # Keep the module's last values; it may answer next time.
                        LOGGER.debug("No data for module %s: %s", module_sn, err)
                    else:
                        module = replace(
                            module,
                            realtime=self._guarded(module_sn, snapshot, checks(layout)),
                        )
                modules[module_sn] = module
            if polled:
                self._samples_since_modules[serial] = 0
            batteries[serial] = replace(battery, modules=modules)

    def _is_stale(self, now: datetime) -> bool:
        """Return whether the last fresh data is too old to keep showing."""
        return self._fresh_at is None or now - self._fresh_at > STALE_AFTER

    async def _refresh_static(self, now: datetime) -> None:
        """Refresh model, firmware and communication status at most every 30 min."""
        if self._static_at is not None and now - self._static_at < STATIC_INTERVAL:
            return
        try:
            devices = await self.client.list_storage_devices(priority=Priority.STATIC)
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

    async def _refresh_detail(self, serial: str, now: datetime) -> None:
        """Refresh a battery's rated figures every few hours."""
        last = self._detail_at.get(serial)
        if last is not None and now - last < DETAIL_INTERVAL:
            return
        self._detail_at[serial] = now
        await self._optional(
            serial,
            self.client.get_device_detail(serial, priority=Priority.STATIC),
            lambda detail: self._details.__setitem__(serial, detail),
        )

    async def _optional[T](
        self, serial: str, call: Awaitable[T], keep: Callable[[T], None]
    ) -> None:
        """Make a call whose failure (other than auth or 429) is not fatal."""
        try:
            keep(await call)
        except DynessBudgetError as err:
            LOGGER.debug("Optional data of %s waits for the budget: %s", serial, err)
        except (DynessAuthenticationError, DynessRateLimitError):
            raise
        except DynessError as err:
            LOGGER.debug("Optional data of %s not refreshed: %s", serial, err)

    async def async_read_signal(self, serial: str) -> None:
        """Read one battery's signal strength now, as its entity was just added."""
        if self.data is None or serial not in self.data.batteries:
            return
        batteries = dict(self.data.batteries)
        try:
            await self._refresh_signal(dt_util.utcnow(), batteries, only=serial)
        except DynessError as err:
            LOGGER.debug("Signal strength of %s not read yet: %s", serial, err)
            return
        # Merge into the data as it is now: a poll may have finished meanwhile.
        current = self.data.batteries
        if serial in current:
            battery = replace(current[serial], signal_dbm=self._signal.get(serial))
            self.data = replace(self.data, batteries={**current, serial: battery})
            # Not async_set_updated_data: that would move the phase-aligned poll.
            self.async_update_listeners()

    async def _refresh_signal(
        self,
        now: datetime,
        batteries: dict[str, BatteryData],
        only: str | None = None,
    ) -> None:
        """Read the dongle's signal strength while its entity is enabled."""
        for serial in sorted(self.signal_wanted if only is None else {only}):
            battery = batteries.get(serial)
            if battery is None or battery.dongle_sn is None:
                continue
            last = self._signal_at.get(serial)
            if last is not None and now - last < SIGNAL_INTERVAL:
                continue
            self._signal_at[serial] = now
            try:
                snapshot = await self.client.get_realtime_data(
                    battery.dongle_sn, priority=Priority.EXTRA
                )
            except (DynessAuthenticationError, DynessRateLimitError):
                raise
            except DynessError as err:
                LOGGER.debug("No signal strength for %s: %s", serial, err)
                continue
            self._signal[serial] = snapshot.number(SIGNAL_POINT)
            batteries[serial] = replace(battery, signal_dbm=self._signal[serial])


def _seconds(value: float | None) -> str:
    """Format a delay for a translated message."""
    return "?" if value is None else str(round(value))
