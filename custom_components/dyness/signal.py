"""The dongles' signal strength, read every 30 minutes while an entity shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from .api import DynessClient
from .api.scheduler import Priority
from .const import SIGNAL_INTERVAL
from .data import BatteryData
from .errors import optional

# The dongle's own point list carries its RSSI here (docs/api.md §5.1).
SIGNAL_POINT = "800000"


class DongleSignal:
    """Last known signal strength (dBm) of each battery's dongle."""

    def __init__(self, client: DynessClient) -> None:
        """Initialise with nothing read yet."""
        self.client = client
        self.dbm: dict[str, float | None] = {}
        self._read_at: dict[str, datetime] = {}

    async def async_read(
        self,
        batteries: Mapping[str, BatteryData],
        serials: Iterable[str],
        now: datetime,
    ) -> None:
        """Read the dongles of these batteries that were not read for 30 minutes."""
        for serial in sorted(serials):
            battery = batteries.get(serial)
            if battery is None or battery.dongle_sn is None:
                continue
            last = self._read_at.get(serial)
            if last is not None and now - last < SIGNAL_INTERVAL:
                continue
            # A read refused by the budget or a 429 raises: it is tried again
            # at the next cycle, not after 30 minutes.
            snapshot = await optional(
                self.client.get_realtime_data(
                    battery.dongle_sn, priority=Priority.EXTRA
                ),
                f"Signal strength of {serial}",
            )
            self._read_at[serial] = now
            if snapshot is not None:
                self.dbm[serial] = snapshot.number(SIGNAL_POINT)
