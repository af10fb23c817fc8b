"""The live cycle: each battery's points when its next sample is due, then modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .api import (
    DynessAuthenticationError,
    DynessBudgetError,
    DynessClient,
    DynessError,
    DynessRateLimitError,
    RealtimeSnapshot,
)
from .api.phase import UploadTracker
from .api.scheduler import Plan, Priority
from .budget import entry_demand, needs_detail, schedule_figures
from .const import CONF_BATTERIES, LOGGER, UPDATE_INTERVAL
from .data import BatteryConfig, BatteryData, DynessData
from .errors import (
    DynessBaseCoordinator,
    clear_clock_issue,
    optional,
    refused_for_clock,
)
from .model_table import Detection, detect
from .modules import ModuleBook, ModuleWanted, SignalWanted
from .plausibility import family_checks
from .records_runtime import RecordsClocks
from .signal import DongleSignal
from .static import DynessStaticCoordinator

STALE_AFTER = timedelta(minutes=30)
# A battery is polled when its next sample is due within this tolerance.
POLL_TOLERANCE = timedelta(seconds=1)
MIN_WAKE = 1.0


class DynessCoordinator(DynessBaseCoordinator[DynessData]):
    """Poll every battery's live points when due, then the modules that are due."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: DynessClient,
        *,
        static: DynessStaticCoordinator,
        modules: ModuleBook,
        clocks: RecordsClocks,
    ) -> None:
        """Initialise the live cycle of one config entry."""
        super().__init__(
            hass,
            entry,
            client,
            name="",
            update_interval=UPDATE_INTERVAL,
            always_update=False,
        )
        self.scheduler = client.scheduler
        self.static = static
        self.modules = modules
        self.clocks = clocks
        self.batteries = tuple(
            BatteryConfig.from_dict(item) for item in entry.data[CONF_BATTERIES]
        )
        # Modules and masters share one record of dropped values.
        self.rejections = modules.rejections
        self.signal = DongleSignal(client)
        self._detections: dict[str, Detection] = {}
        self._trackers: dict[str, UploadTracker] = {}
        self._plan = Plan()
        # When each battery last answered, and whether the cloud answers at all.
        self._good_at: dict[str, datetime] = {}
        self.outage = False
        self._last_error: DynessError | None = None
        # Serials the cloud refuses while the key itself is accepted.
        self.foreign: set[str] = set()

    @callback
    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> Callable[[], None]:
        """Listen; an entity that wants a module or dongle read changes the demand."""
        remove = super().async_add_listener(update_callback, context)
        if not isinstance(context, ModuleWanted | SignalWanted):
            return remove
        self._demand_changed()

        @callback
        def _remove() -> None:
            remove()
            self._demand_changed()

        return _remove

    def wanted(self, kind: type[ModuleWanted | SignalWanted]) -> set[str]:
        """Return the serials that listening entities want read this way."""
        return {
            context.serial
            for context in self.async_contexts()
            if isinstance(context, kind)
        }

    async def _async_fetch(self) -> DynessData:
        """Fetch one cycle; wake up again when the next sample is due."""
        try:
            return await self._fetch()
        finally:
            self.update_interval = self._next_wake(dt_util.utcnow())

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

    def _due(self, serial: str, now: datetime) -> bool:
        """Return whether a battery's next sample should be there by now."""
        return self.tracker(serial).next_poll(now) <= now + POLL_TOLERANCE

    async def _fetch(self) -> DynessData:
        """Poll the batteries whose next sample is due; keep the rest as they are."""
        now = dt_util.utcnow()
        previous = self.data.batteries if self.data is not None else {}
        self._plan = self.scheduler.plan()
        await self.static.async_refresh_due(now)
        batteries = {
            c.device_sn: previous.get(c.device_sn) or self._empty(c)
            for c in self.batteries
        }
        fresh: set[str] = set()
        failed: list[DynessError] = []
        held: list[DynessError] = []
        answered = 0
        # Each battery's own data first; modules and extras only afterwards.
        for config in self.batteries:
            serial = config.device_sn
            tracker = self.tracker(serial)
            tracker.stride = self._plan.battery_every
            if not self._due(serial, now):
                continue
            blocked = self.scheduler.blocked_for()
            if blocked > self.scheduler.max_wait:
                # A 429 holds every call back: wait for it instead of asking.
                tracker.hold(now + timedelta(seconds=blocked))
                held.append(DynessRateLimitError("Held back", retry_after=blocked))
                continue
            try:
                battery = await self._battery(config, previous.get(serial), now)
            except DynessBudgetError as err:
                # Not an error: the data stays and the poll waits for its turn.
                LOGGER.debug("%s waits for the hourly call budget: %s", serial, err)
                tracker.hold(now + timedelta(seconds=err.retry_after or 1.0))
                continue
            except DynessError as err:
                failed.append(err)
                await self._failed(config, err, now, batteries)
                continue
            answered += 1
            self._good_at[serial] = now
            self.foreign.discard(serial)
            sample = battery.realtime.timestamp if battery.realtime else None
            if tracker.observe(sample, now):
                fresh.add(serial)
            batteries[serial] = battery
        if answered:
            await self._read_extras(batteries, fresh, now)
        if not previous and not answered and (failed or held):
            # Nothing to show yet: the first refresh fails (setup retries).
            raise (failed or held)[-1]
        self._follow_outage(failed, answered, batteries, now)
        self._publish_demand(batteries)
        if not answered and previous and batteries == previous:
            # Nothing new and nothing lost: no write, no new figures.
            return self.data
        figures = schedule_figures(
            self.scheduler, self._plan, now + self._next_wake(now)
        )
        return DynessData(batteries=batteries, schedule=figures)

    async def _failed(
        self,
        config: BatteryConfig,
        err: DynessError,
        now: datetime,
        batteries: dict[str, BatteryData],
    ) -> None:
        """Back off a battery whose poll failed; a refused serial loses its data."""
        serial = config.device_sn
        tracker = self.tracker(serial)
        wait = max(
            self.scheduler.blocked_for(), self.scheduler.backoff(tracker.failures + 1)
        )
        tracker.failed(now, wait)
        LOGGER.debug("No live data for %s (next try in %.0f s): %s", serial, wait, err)
        if isinstance(err, DynessAuthenticationError) and await self._not_on_account(
            serial, err
        ):
            batteries[serial] = self._empty(config)

    async def _not_on_account(
        self, serial: str, err: DynessAuthenticationError
    ) -> bool:
        """Return whether a 401 for one serial means it left the account.

        A skewed clock is reported as such; a refused device list means the
        key itself is refused (reauth).
        """
        if refused_for_clock(self.hass, self.config_entry, err):
            return False
        if serial not in self.foreign:
            # The account-level call tells a refused key (it raises) from a
            # foreign serial; any other failure decides nothing yet.
            try:
                await self.client.list_storage_devices(priority=Priority.BATTERY)
            except DynessAuthenticationError:
                raise
            except DynessError:
                return False
            LOGGER.warning(
                "The cloud refuses %s: it is no longer on this account", serial
            )
            self.foreign.add(serial)
        return True

    async def _read_extras(
        self, batteries: dict[str, BatteryData], fresh: set[str], now: datetime
    ) -> None:
        """Read modules and signal strength; a failure leaves them as they were."""
        try:
            await self._refresh_modules(batteries, fresh)
            await self.signal.async_read(batteries, self.wanted(SignalWanted), now)
        except DynessError as err:
            # The batteries are read; modules and extras wait for the next cycle.
            LOGGER.debug("Modules and extras wait: %s", err)
        for serial, battery in batteries.items():
            # A signal read made while this cycle ran is not in `previous`.
            if battery.signal_dbm != self.signal.dbm.get(serial):
                batteries[serial] = replace(
                    battery, signal_dbm=self.signal.dbm.get(serial)
                )

    def _follow_outage(
        self,
        failed: list[DynessError],
        answered: int,
        batteries: dict[str, BatteryData],
        now: datetime,
    ) -> None:
        """Drop data that grew stale in a fault; log once when the cloud goes and comes.

        Raises the last error when nothing is left to show, so that Home
        Assistant marks the entities unavailable (and logs that once).
        """
        for config in self.batteries:
            if self._stale(config.device_sn, now):
                batteries[config.device_sn] = self._empty(config)
        if answered:
            clear_clock_issue(self.hass, self.config_entry)
        watched = [
            c.device_sn for c in self.batteries if c.device_sn not in self.foreign
        ]
        down = bool(watched) and all(self.tracker(s).failures for s in watched)
        if not down:
            self._last_error = None
            if self.outage:
                self.outage = False
                # Home Assistant logs the recovery itself when it saw the failure.
                if self.last_update_success:
                    LOGGER.info("The Dyness cloud answers again")
            return
        if failed and not self.outage:
            self.outage = True
            LOGGER.warning(
                "The Dyness cloud does not answer (%s); the last values stay for"
                " up to %d minutes",
                failed[-1],
                STALE_AFTER.total_seconds() // 60,
            )
        if failed:
            self._last_error = failed[-1]
        if self._last_error is not None and all(
            b.realtime is None for b in batteries.values()
        ):
            # Also when this cycle only waited: no return to the old values.
            raise self._last_error

    def _stale(self, serial: str, now: datetime) -> bool:
        """Return whether a battery in a fault has data too old to show."""
        if self.tracker(serial).failures == 0:
            return False
        good_at = self._good_at.get(serial)
        # Stretched polls read less often: keep the data for two of their periods.
        keep = max(STALE_AFTER, 2 * self._plan.battery_every * UPDATE_INTERVAL)
        return good_at is None or now - good_at > keep

    def _demand_changed(self) -> None:
        """Republish the demand while the entry runs (not while it unloads)."""
        if self.data is not None and self.config_entry.state is ConfigEntryState.LOADED:
            self._publish_demand(self.data.batteries)
            # Listeners such as the budget repair follow the new plan at once.
            self.async_update_listeners()

    def _publish_demand(self, batteries: Mapping[str, BatteryData]) -> None:
        """Tell the App ID's scheduler what this entry needs per sample."""
        self.scheduler.set_demand(
            self.config_entry.entry_id,
            entry_demand(
                batteries,
                modules=len(self.wanted(ModuleWanted)),
                signals=len(self.wanted(SignalWanted)),
            ),
        )

    def _next_wake(self, now: datetime) -> timedelta:
        """Return the wait until the next battery sample is due."""
        wake = min(
            (self.tracker(c.device_sn).next_poll(now) for c in self.batteries),
            default=now + UPDATE_INTERVAL,
        )
        seconds = max((wake - now).total_seconds(), self.scheduler.blocked_for())
        return timedelta(seconds=max(MIN_WAKE, math.ceil(seconds)))

    def _empty(self, config: BatteryConfig) -> BatteryData:
        """Return a battery without live data."""
        facts = self.static.facts
        return BatteryData(
            config=config,
            detection=self._detect(config, None),
            device=facts.devices.get(config.device_sn),
            detail=facts.details.get(config.device_sn),
        )

    async def _battery(
        self, config: BatteryConfig, old: BatteryData | None, now: datetime
    ) -> BatteryData:
        """Fetch one battery's live points and the extras its family needs."""
        serial = config.device_sn
        snapshot = await self.client.get_realtime_data(serial)
        detection = self._detect(config, snapshot)
        family = detection.family
        snapshot = self.rejections.clean(serial, snapshot, family_checks(family))
        power = old.power if old is not None else None
        running = old.running if old is not None else None
        records = None
        if family.uses_power_records:
            records = await optional(
                self.client.get_power_records(serial),
                f"Power of {serial}",
                limit_stops=False,
                budget_stops=False,
            )
        if family.uses_running_data:
            running = (
                await optional(
                    self.client.get_running_data(serial),
                    f"Running data of {serial}",
                    limit_stops=False,
                    budget_stops=False,
                )
                or running
            )
        if needs_detail(family):
            await self.static.async_refresh_detail(serial, now)
        self.modules.remember(serial, snapshot)
        facts = self.static.facts
        battery = BatteryData(
            config=config,
            detection=detection,
            realtime=snapshot,
            device=facts.devices.get(serial),
            detail=facts.details.get(serial),
            power=power,
            running=running,
            signal_dbm=self.signal.dbm.get(serial),
            modules=old.modules if old is not None else {},
            read_at=now,
        )
        # The sample teaches the records clock, which says if the records are current.
        return self.clocks.update(battery, records)

    def _detect(
        self, config: BatteryConfig, snapshot: RealtimeSnapshot | None
    ) -> Detection:
        """Return the battery's layout, deciding it once live points are known."""
        serial = config.device_sn
        cached = self._detections.get(serial)
        if cached is not None and cached.final:
            return cached
        device = self.static.facts.devices.get(serial)
        model = device.model_name if device and device.model_name else config.model
        code = device.model_code if device and device.model_code else config.model_code
        self._detections[serial] = detect(model, code, snapshot)
        return self._detections[serial]

    async def _refresh_modules(
        self, batteries: dict[str, BatteryData], fresh: set[str]
    ) -> None:
        """Read new modules once, and wanted ones after their battery's new samples."""
        wanted = self.wanted(ModuleWanted)
        for serial, battery in list(batteries.items()):
            if battery.family.module is None:
                continue
            modules = dict(battery.modules)
            try:
                await self.modules.async_read(
                    battery, serial in fresh, self._plan.module_every, wanted, modules
                )
            finally:
                # After a 429 the modules read so far are kept.
                batteries[serial] = replace(battery, modules=modules)

    async def async_read_signal(self, serial: str) -> None:
        """Read one battery's signal strength now, as its entity was just added."""
        if self.data is None or serial not in self.data.batteries:
            return
        try:
            await self.signal.async_read(
                self.data.batteries, {serial}, dt_util.utcnow()
            )
        except DynessError as err:
            LOGGER.debug("Signal strength of %s not read yet: %s", serial, err)
            return
        # Merge into the data as it is now: a poll may have finished meanwhile.
        current = self.data.batteries
        if serial in current:
            battery = replace(current[serial], signal_dbm=self.signal.dbm.get(serial))
            self.data = replace(self.data, batteries={**current, serial: battery})
            self.async_update_listeners()
