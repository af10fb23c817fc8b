"""The 5-minute power records of each battery, fetched once per gap."""

from __future__ import annotations

import asyncio
from datetime import datetime

from .api import DynessClient, DynessError, PowerRecord
from .api.scheduler import Priority
from .const import LOGGER


class RecordsCache:
    """One `getLastPowerDataBySn` call per gap, shared by a battery's sensors."""

    def __init__(self, client: DynessClient, serial: str) -> None:
        """Remember whose records to fetch."""
        self._client = client
        self._serial = serial
        self._lock = asyncio.Lock()
        self._for: datetime | None = None
        self._records: list[PowerRecord] | None = None
        self.calls = 0

    async def records(self, until: datetime) -> list[PowerRecord] | None:
        """Return the records for a gap that ends at the sample `until`.

        None when they could not be read: the caller asks again at its next
        sample, as the cloud keeps the day's records until local midnight.
        """
        async with self._lock:
            if self._for == until:
                return self._records
            self._for = until
            self.calls += 1
            try:
                # A gap fill ranks above modules and static facts for the budget.
                self._records = await self._client.get_power_records(
                    self._serial, priority=Priority.RECORDS
                )
            except DynessError as err:
                LOGGER.debug("Power records of %s not read yet: %s", self._serial, err)
                self._records = None
            return self._records


class RecordsCaches:
    """The records cache of each battery of one config entry."""

    def __init__(self, client: DynessClient) -> None:
        """Start with no cache."""
        self._client = client
        self._caches: dict[str, RecordsCache] = {}

    def __call__(self, serial: str) -> RecordsCache:
        """Return the battery's shared records cache."""
        if serial not in self._caches:
            self._caches[serial] = RecordsCache(self._client, serial)
        return self._caches[serial]
