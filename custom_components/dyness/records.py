"""The 5-minute power records of each battery, fetched once per gap."""

from __future__ import annotations

import asyncio
from datetime import datetime

from .api import DynessClient, DynessError, PowerRecord
from .api.scheduler import Priority
from .const import LOGGER
from .records_runtime import RecordsClocks


class RecordsCache:
    """One `getLastPowerDataBySn` call per gap, shared by a battery's sensors."""

    def __init__(
        self, client: DynessClient, clocks: RecordsClocks, serial: str
    ) -> None:
        """Remember whose records to fetch and the clock that places them."""
        self._client = client
        self._clocks = clocks
        self._serial = serial
        self._lock = asyncio.Lock()
        self._for: datetime | None = None
        self._records: list[PowerRecord] | None = None
        self.clock = clocks.clock(serial)
        self.calls = 0
        # Whether the last call failed (as opposed to records without a clock).
        self.failed = False

    async def records(self, until: datetime) -> list[PowerRecord] | None:
        """Return a gap's records on UTC slots; None without them or their clock.

        After a failed call (`failed`) the caller asks again at its next
        sample, as the cloud keeps the day's records until local midnight.
        """
        async with self._lock:
            if self._for == until:
                return self._records
            self._for = until
            self.calls += 1
            self._records = None
            try:
                # A gap fill ranks above modules and static facts for the budget.
                fetched = await self._client.get_power_records(
                    self._serial, priority=Priority.RECORDS
                )
            except DynessError as err:
                LOGGER.debug("Power records of %s not read yet: %s", self._serial, err)
                self.failed = True
                return None
            self.failed = False
            # Records clock (issue 17): every list fetched checks the offset.
            self._clocks.observe(self._serial, fetched, until)
            self._records = self.clock.corrected(fetched, until)
            if self._records is None:
                LOGGER.info(
                    "Energy of %s before %s is not filled: the power records' "
                    "clock is not learnt yet",
                    self._serial,
                    until,
                )
            return self._records


class RecordsCaches:
    """The records cache of each battery of one config entry."""

    def __init__(self, client: DynessClient, clocks: RecordsClocks) -> None:
        """Start with no cache."""
        self._client = client
        self._clocks = clocks
        self._caches: dict[str, RecordsCache] = {}

    def __call__(self, serial: str) -> RecordsCache:
        """Return the battery's shared records cache."""
        if serial not in self._caches:
            self._caches[serial] = RecordsCache(self._client, self._clocks, serial)
        return self._caches[serial]
