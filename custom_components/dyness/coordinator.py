"""The live cycle: each battery's points when its next sample is due, then modules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
import math
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .api import (
    BatteryInfo,
    DynessBudgetError,
    DynessError,
    DynessRateLimitError,
    RealtimeSnapshot,
)
from .api.scheduler import Plan
from .budget import schedule_figures
from .const import CONF_BATTERIES, LOGGER, UPDATE_INTERVAL
from .data import BatteryConfig, BatteryData, DynessData
from .errors import extra
from .model_table import Detection, detect
from .modules import ModuleBook, ModuleWanted, SignalWanted
from .outage import DynessOutageCoordinator
from .plausibility import family_checks
from .records_runtime import RecordsClocks
from .signal import DongleSignal
from .soc_source import SocSources
from .static import DynessStaticCoordinator

# A battery is polled when its next sample is due within this tolerance.
POLL_TOLERANCE = timedelta(seconds=1)
MIN_WAKE = 1.0


class DynessCoordinator(DynessOutageCoordinator):
    """Poll every battery's live points when due, then the modules that are due."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        static: DynessStaticCoordinator,
        modules: ModuleBook,
        clocks: RecordsClocks,
    ) -> None:
        """Initialise the live cycle of one config entry (the static facts' client)."""
        client = static.client
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
        self.soc_sources = SocSources(client)
        self._detections: dict[str, Detection] = {}
        self._plan = Plan()
        self._start_following()
        # The first refresh reads only the batteries' own data (issue 12 §1);
        # its new samples count for the modules at the next refresh.
        self._live_only = True
        self._unseen_samples: set[str] = set()

    @property
    def filled_in(self) -> bool:
        """Return whether setup's background reads have started."""
        return not self._live_only

    async def async_fill_in(self) -> None:
        """Read what the first refresh left out: device list, details, modules."""
        self._live_only = False
        await self.async_refresh()

    async def _async_fetch(self) -> DynessData:
        """Fetch one cycle; wake up again when the next sample is due."""
        try:
            return await self._fetch()
        finally:
            self.update_interval = self._next_wake(dt_util.utcnow())

    def set_batteries(self, items: Iterable[Mapping[str, Any]]) -> None:
        """Follow a new choice of batteries; new ones are read at the next refresh."""
        chosen = {config.device_sn for config in self.batteries}
        self.batteries = tuple(BatteryConfig.from_dict(item) for item in items)
        for config in self.batteries:
            if config.device_sn not in chosen:
                # Chosen again: its old phase would wait for its next sample.
                self._trackers.pop(config.device_sn, None)
        if self.data is not None:
            kept = {config.device_sn for config in self.batteries}
            self.data = replace(
                self.data,
                batteries={s: b for s, b in self.data.batteries.items() if s in kept},
            )
            # A dropped battery's entities go unavailable now, not at the next
            # poll that brings something new.
            self.async_update_listeners()

    def _due(self, serial: str, now: datetime) -> bool:
        """Return whether a battery's next sample should be there by now."""
        return self.tracker(serial).next_poll(now) <= now + POLL_TOLERANCE

    async def _fetch(self) -> DynessData:
        """Poll the batteries whose next sample is due; keep the rest as they are."""
        now = dt_util.utcnow()
        previous = self.data.batteries if self.data is not None else {}
        self._plan = self.scheduler.plan()
        if not self._live_only:
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
                if await self._failed(serial, err, now):
                    batteries[serial] = self._empty(config)
                continue
            answered += 1
            self._answered(serial, now)
            sample = battery.realtime.timestamp if battery.realtime else None
            if tracker.observe(sample, now, timed=self.soc_sources.timed(serial)):
                fresh.add(serial)
            batteries[serial] = battery
        if self._live_only:
            self._unseen_samples |= fresh
        elif answered or not (failed or held or self.outage):
            # Not while the cloud fails: extras wait for the batteries' next answer.
            fresh |= self._unseen_samples
            self._unseen_samples.clear()
            await self._read_extras(batteries, fresh, now)
        self._merge_reads(batteries)
        if not previous and not answered and (failed or held):
            # Nothing to show yet: the first refresh fails (setup retries).
            raise (failed or held)[-1]
        for config in self.batteries:
            if self._stale(config.device_sn, now):
                batteries[config.device_sn] = self._empty(config)
        showing = any(b.realtime is not None for b in batteries.values())
        self._follow_outage(failed, answered, showing)
        self._publish_demand(batteries)
        if not answered and previous and batteries == previous:
            # Nothing new and nothing lost: no write, no new figures.
            return self.data
        figures = schedule_figures(
            self.scheduler, self._plan, now + self._next_wake(now)
        )
        return DynessData(batteries=batteries, schedule=figures)

    async def _read_extras(
        self, batteries: dict[str, BatteryData], fresh: set[str], now: datetime
    ) -> None:
        """Read modules, rated figures and signal strength; a failure leaves them."""
        try:
            await self._refresh_modules(batteries, fresh)
            await self.static.async_refresh_details(batteries, now)
            await self.signal.async_read(batteries, self.wanted(SignalWanted), now)
        except DynessError as err:
            # The batteries are read; modules and extras wait for the next cycle.
            LOGGER.debug("Modules and extras wait: %s", err)

    def _merge_reads(self, batteries: dict[str, BatteryData]) -> None:
        """Take reads made while this cycle ran, also of batteries not polled in it."""
        facts = self.static.facts
        for serial, battery in batteries.items():
            batteries[serial] = replace(
                battery,
                device=facts.devices.get(serial, battery.device),
                detail=facts.details.get(serial, battery.detail),
                signal_dbm=self.signal.dbm.get(serial),
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
        info: BatteryInfo | None = None
        # Where v2 serves, it alone brings most samples (soc_source.py).
        v2 = await self.soc_sources.async_sample(old, self.tracker(serial), now)
        if v2 is None:
            snapshot = await self.client.get_realtime_data(serial)
        else:
            snapshot, info = v2
        detection = self._detect(config, snapshot)
        family = detection.family
        snapshot = self.rejections.clean(serial, snapshot, family_checks(family))
        power = old.power if old is not None else None
        running = old.running if old is not None else None
        records = None
        if family.uses_power_records and v2 is None:
            # Power and running data are extras of the sample: a failure keeps it.
            info = await extra(
                self.soc_sources.async_battery_info(serial, snapshot, now),
                f"v2 SOC of {serial}",
            )
        if family.uses_power_records and info is None:
            records = await extra(
                self.client.get_power_records(serial), f"Power of {serial}"
            )
        if family.uses_running_data:
            running = (
                await extra(
                    self.client.get_running_data(serial), f"Running data of {serial}"
                )
                or running
            )
        self.modules.remember(serial, snapshot)
        facts = self.static.facts
        battery = BatteryData(
            config=config,
            detection=detection,
            realtime=snapshot,
            device=facts.devices.get(serial),
            detail=facts.details.get(serial),
            power=power,
            battery_info=info,
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
        model, code = config.model_of(self.static.facts.devices.get(serial))
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
