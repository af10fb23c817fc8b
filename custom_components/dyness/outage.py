"""The live cycle's faults: per-battery back-off, stale data, outages, refused serials."""

from __future__ import annotations

from datetime import datetime, timedelta

from .api import CallScheduler, DynessAuthenticationError, DynessError
from .api.phase import UploadTracker
from .api.scheduler import Plan, Priority
from .const import LOGGER, UPDATE_INTERVAL
from .data import BatteryConfig
from .demand import DynessDemandCoordinator
from .errors import clear_clock_issue, refused_for_clock

STALE_AFTER = timedelta(minutes=30)


class DynessOutageCoordinator(DynessDemandCoordinator):
    """A coordinator that backs failing batteries off and follows the cloud's outages."""

    scheduler: CallScheduler
    batteries: tuple[BatteryConfig, ...]
    _plan: Plan
    _trackers: dict[str, UploadTracker]
    # When each battery last answered, and whether the cloud answers at all.
    _good_at: dict[str, datetime]
    outage: bool
    _last_error: DynessError | None
    # Serials the cloud refuses while the key itself is accepted.
    foreign: set[str]

    def _start_following(self) -> None:
        """Start with no tracker, no answer and no outage."""
        self._trackers = {}
        self._good_at = {}
        self.outage = False
        self._last_error = None
        self.foreign = set()

    def tracker(self, serial: str) -> UploadTracker:
        """Return the upload phase tracker of a battery."""
        if serial not in self._trackers:
            self._trackers[serial] = UploadTracker()
        return self._trackers[serial]

    def _answered(self, serial: str, now: datetime) -> None:
        """Take a battery's answer: it is on the account and its data is new."""
        self._good_at[serial] = now
        self.foreign.discard(serial)

    async def _failed(self, serial: str, err: DynessError, now: datetime) -> bool:
        """Back off a battery whose poll failed; return whether its data goes."""
        tracker = self.tracker(serial)
        wait = max(
            self.scheduler.blocked_for(), self.scheduler.backoff(tracker.failures + 1)
        )
        tracker.failed(now, wait)
        LOGGER.debug("No live data for %s (next try in %.0f s): %s", serial, wait, err)
        return isinstance(
            err, DynessAuthenticationError
        ) and await self._not_on_account(serial, err)

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

    def _stale(self, serial: str, now: datetime) -> bool:
        """Return whether a battery in a fault has data too old to show."""
        if self.tracker(serial).failures == 0:
            return False
        good_at = self._good_at.get(serial)
        # Stretched polls read less often: keep the data for two of their periods.
        keep = max(STALE_AFTER, 2 * self._plan.battery_every * UPDATE_INTERVAL)
        return good_at is None or now - good_at > keep

    def _follow_outage(
        self, failed: list[DynessError], answered: int, showing: bool
    ) -> None:
        """Log once when the cloud goes and once when it comes back.

        Raises the last error when nothing is left to show (`showing`), so
        that Home Assistant marks the entities unavailable (and logs that once).
        """
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
        if self._last_error is not None and not showing:
            # Also when this cycle only waited: no return to the old values.
            raise self._last_error
