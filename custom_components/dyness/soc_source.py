"""Where a PowerBrick SC/Plus battery's state of charge comes from: v2 or the records.

These masters leave their SOC point empty (docs/api.md §8.6). Where v2
`GetRealTimeDataBySN` answers with `batteryInfo.soc` (EU PowerBrick Plus) it
replaces the power records call of each sample; where it answers code 500
(Asia-Pacific), 404 (a host without v2) or no SOC, the records serve and v2 is
tried again a day later. v2 carries no sample time, so `realTime/data` is still
read for `T`: two calls per sample either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from .api import (
    BatteryInfo,
    DynessApiError,
    DynessAuthenticationError,
    DynessClient,
    DynessError,
    DynessRateLimitError,
    RealtimeSnapshot,
)
from .api.exceptions import DynessEndpointNotFoundError
from .const import LOGGER

# The internal SN v2 knows a family C master by (docs/api.md §7).
INTERNAL_SN_POINT = "10001"
V2_RETRY = timedelta(days=1)


@dataclass(kw_only=True)
class SocChoice:
    """Whether v2 serves a battery's SOC, and when to try it again if not."""

    v2: bool = True
    retry_at: datetime | None = None


class SocSources:
    """The SOC source of each family C battery of one config entry."""

    def __init__(self, client: DynessClient) -> None:
        """Start with v2 to be tried for every battery."""
        self.client = client
        self.choices: dict[str, SocChoice] = {}

    def uses_v2(self, serial: str, now: datetime) -> bool:
        """Return whether v2 is to be asked for this battery's SOC now."""
        choice = self.choices.setdefault(serial, SocChoice())
        return choice.v2 or (choice.retry_at is not None and now >= choice.retry_at)

    async def async_battery_info(
        self, serial: str, snapshot: RealtimeSnapshot, now: datetime
    ) -> BatteryInfo | None:
        """Return v2 battery info with a SOC; None when the records serve this cycle.

        A 429, the local budget and a refused key say nothing about v2: they
        go to the caller, as the records call's would.
        """
        if not self.uses_v2(serial, now):
            return None
        choice = self.choices[serial]
        try:
            info = await self.client.get_battery_info(
                snapshot.text(INTERNAL_SN_POINT) or serial
            )
        except (DynessAuthenticationError, DynessRateLimitError):
            raise
        except (DynessApiError, DynessEndpointNotFoundError) as err:
            self._records(serial, choice, now, str(err))
            return None
        except DynessError as err:
            # The cloud failed this once; v2 stays the source.
            LOGGER.debug("v2 SOC of %s not read: %s", serial, err)
            return None
        if info.soc is None:
            self._records(serial, choice, now, "no SOC in batteryInfo")
            return None
        choice.v2, choice.retry_at = True, None
        return info

    @staticmethod
    def _records(serial: str, choice: SocChoice, now: datetime, why: str) -> None:
        """Use the records for a day before v2 is tried again."""
        if choice.v2:
            LOGGER.debug("SOC of %s from the power records (v2: %s)", serial, why)
        choice.v2, choice.retry_at = False, now + V2_RETRY
