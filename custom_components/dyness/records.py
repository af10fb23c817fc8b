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

    async def records(self, until: datetime) -> list[PowerRecord] | None:
        """Return a gap's records on UTC slots; None without them or their clock."""
        async with self._lock:
            if self._for == until:
                return self._records
            self._for = until
            self.calls += 1
            self._records = None
            try:
                # One call per gap; it ranks with the static facts for the budget.
                fetched = await self._client.get_power_records(
                    self._serial, priority=Priority.STATIC
                )
            except DynessError as err:
                LOGGER.warning(
                    "Energy of %s before %s is lost: no power records (%s)",
                    self._serial,
                    until,
                    err,
                )
                return None
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
