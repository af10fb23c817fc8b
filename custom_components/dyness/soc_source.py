"""Where a PowerBrick SC/Plus battery's values come from: v2, or v1 and the records.

These masters leave their SOC point empty (docs/api.md §8.6). Where v2
`GetRealTimeDataBySN` answers with `batteryInfo.soc` (EU PowerBrick Plus), v2
is the one call per sample: its values stand in for the points its family's
table names (`V2Layout`), and `realTime/data` is read once an hour for the
sample time, the phase and the points v2 lacks. v2 carries no sample time: a
new sample is recognised by v2's values changing at the moment the next sample
is due, and takes that expected `T`; unchanged values send the poll to
`realTime/data`, which decides. When a current limit turns to or from zero
(charging or discharging stopped by the BMS: protection, full, empty),
`realTime/data` is read at once, so the alarm and protection points v2 lacks
are current when they matter. Where v2 answers code 500 (Asia-Pacific), 404
or no SOC, `realTime/data` and the records serve, and v2 is tried again a day
later.
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
from .api.phase import UploadTracker
from .const import LOGGER
from .data import BatteryData
from .families import Family, V2Layout

# The internal SN v2 knows a family C master by (docs/api.md §7).
INTERNAL_SN_POINT = "10001"
V2_RETRY = timedelta(days=1)
# How often `realTime/data` is read while v2 serves: sample time and phase.
V1_EVERY = timedelta(hours=1)


@dataclass(kw_only=True)
class SocChoice:
    """Whether v2 serves a battery, and what its values are laid over."""

    v2: bool = True
    retry_at: datetime | None = None
    # The last v2 answer: a new sample shows as a change of it.
    info: BatteryInfo | None = None
    # The last `realTime/data` read and the SOC v2 gave with it.
    v1: RealtimeSnapshot | None = None
    v1_at: datetime | None = None
    v1_soc: float | None = None


class SocSources:
    """The v2 source of each family C battery of one config entry."""

    def __init__(self, client: DynessClient) -> None:
        """Start with v2 to be tried for every battery."""
        self.client = client
        self.choices: dict[str, SocChoice] = {}
        # serial → (cycle, answer) of v2 asked in this cycle already.
        self._asked: dict[str, tuple[datetime, BatteryInfo | None]] = {}
        # Batteries whose last sample came from v2 alone, at its expected `T`.
        self._untimed: set[str] = set()

    def uses_v2(self, serial: str, now: datetime) -> bool:
        """Return whether v2 is to be asked for this battery now."""
        choice = self.choices.setdefault(serial, SocChoice())
        return choice.v2 or (choice.retry_at is not None and now >= choice.retry_at)

    def timed(self, serial: str) -> bool:
        """Return whether the battery's last sample time was read, not expected."""
        return serial not in self._untimed

    async def async_sample(
        self, old: BatteryData | None, tracker: UploadTracker, now: datetime
    ) -> tuple[RealtimeSnapshot, BatteryInfo] | None:
        """Return the battery's new sample from v2 alone; None to read v1 now.

        Only a poll for the sample the phase expects, within an hour of the
        last `realTime/data`, asks v2 alone.
        """
        if old is None or old.realtime is None or old.family.v2 is None:
            return None
        self._untimed.discard(old.serial)
        choice = self.choices.get(old.serial)
        expected = tracker.expected
        if (
            choice is None
            or not choice.v2
            or choice.info is None
            or choice.v1_at is None
            or now - choice.v1_at >= V1_EVERY
            or expected is None
            or now < expected
            or not tracker.phase_known
            or tracker.searching
        ):
            return None
        info = await self._ask(old.serial, old.realtime, now)
        self._asked[old.serial] = (now, info)
        if info is None or info == choice.info or stops_changed(choice.info, info):
            return None
        choice.info = info
        self._untimed.add(old.serial)
        values = v2_points(old.family, old.family.v2, info, choice)
        return old.realtime.overlaid(values, expected), info

    async def async_battery_info(
        self, serial: str, snapshot: RealtimeSnapshot, now: datetime
    ) -> BatteryInfo | None:
        """Return v2 battery info with a SOC beside a `realTime/data` read.

        None when the records serve this cycle.
        """
        asked = self._asked.pop(serial, None)
        if asked is not None and asked[0] == now:
            info = asked[1]
        elif self.uses_v2(serial, now):
            info = await self._ask(serial, snapshot, now)
        else:
            return None
        if info is not None:
            choice = self.choices[serial]
            choice.info, choice.v1, choice.v1_at, choice.v1_soc = (
                info,
                snapshot,
                now,
                info.soc,
            )
        return info

    async def _ask(
        self, serial: str, snapshot: RealtimeSnapshot, now: datetime
    ) -> BatteryInfo | None:
        """Return v2 battery info with a SOC; None when v2 did not serve.

        A 429, the local budget and a refused key say nothing about v2: they
        go to the caller, as the records call's would.
        """
        choice = self.choices.setdefault(serial, SocChoice())
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
            LOGGER.debug("v2 data of %s not read: %s", serial, err)
            return None
        if info.soc is None:
            self._records(serial, choice, now, "no SOC in batteryInfo")
            return None
        choice.v2, choice.retry_at = True, None
        return info

    @staticmethod
    def _records(serial: str, choice: SocChoice, now: datetime, why: str) -> None:
        """Use `realTime/data` and the records for a day before v2 is tried again."""
        if choice.v2:
            LOGGER.debug("SOC of %s from the power records (v2: %s)", serial, why)
        choice.v2, choice.retry_at, choice.info = False, now + V2_RETRY, None


def stops_changed(before: BatteryInfo, after: BatteryInfo) -> bool:
    """Return whether the BMS started or ended a stop of charging or discharging."""
    return any(
        (old == 0) != (new == 0)
        for old, new in (
            (before.max_charge_current, after.max_charge_current),
            (before.max_discharge_current, after.max_discharge_current),
        )
    )


def v2_points(
    family: Family, layout: V2Layout, info: BatteryInfo, choice: SocChoice
) -> dict[str, str]:
    """Return point id → text of the points a v2 answer stands in for.

    Only points the last `realTime/data` listed: v2 adds no entity v1 lacks.
    """
    listed = choice.v1.points if choice.v1 is not None else {}
    values: dict[str, str] = {}
    for metric, key in layout.fields.items():
        point_id = family.point(metric)
        value = info.raw.get(key)
        if point_id is not None and point_id in listed and value is not None:
            values[point_id] = str(value)
    if layout.cells is not None and family.cells is not None:
        cells = info.raw.get(layout.cells)
        for number, volts in enumerate(cells if isinstance(cells, list) else (), 1):
            point_id = family.cells.point_id(number)
            if point_id in listed and volts is not None:
                values[point_id] = str(volts)
    for metric in layout.follow_soc:
        point_id = family.point(metric)
        if point_id is None or choice.v1 is None:
            continue
        base = choice.v1.number(point_id)
        if base is not None and choice.v1_soc and info.soc is not None:
            values[point_id] = f"{base * info.soc / choice.v1_soc:.2f}"
    return values
