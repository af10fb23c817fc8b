"""Write the energy of a filled gap into the long-term (hourly) statistics.

When Home Assistant was stopped, the cloud was unreachable or a poll was
skipped, the sensor's total jumps by the gap's energy at once. The hourly
statistics would then show a hole and a lump. After the gap was filled from
the 5-minute records, the hours it covers are rewritten here with the energy
each hour really saw. Sums continue from the last row recorded before the gap,
so nothing already recorded is counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from homeassistant.components.recorder.models import StatisticData
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance

from .const import LOGGER
from .energy import Segment, hourly

# How far back the last row before a gap is looked for.
_LOOKBACK = timedelta(days=2)


def _hour(moment: datetime) -> datetime:
    """Return the start of the clock hour containing `moment`."""
    return moment.replace(minute=0, second=0, microsecond=0)


def plan_rows(
    segments: Iterable[Segment],
    total_before: float,
    baseline: tuple[float, float],
    until: datetime,
    first_hour: datetime,
) -> list[StatisticData]:
    """Return hourly rows for the hours from `first_hour` up to before `until`.

    `total_before` is the sensor's total when the gap began, `baseline` the
    (sum, state) of the last row recorded before `first_hour`.
    """
    base_sum, base_state = baseline
    per_hour = hourly(segments)
    total = total_before
    rows: list[StatisticData] = []
    hour = first_hour
    stop = _hour(until)
    while hour < stop:
        total += per_hour.get(hour, 0.0)
        rows.append(
            StatisticData(start=hour, state=total, sum=base_sum + (total - base_state))
        )
        hour += timedelta(hours=1)
    return rows


def _baseline(
    hass: HomeAssistant, statistic_id: str, first_hour: datetime
) -> tuple[tuple[float, float] | None, Any]:
    """Return (sum, state) of the last row before `first_hour`, and the metadata."""
    metadata = get_metadata(hass, statistic_ids={statistic_id})
    if statistic_id not in metadata:
        return None, None
    rows = statistics_during_period(
        hass,
        first_hour - _LOOKBACK,
        first_hour,
        {statistic_id},
        "hour",
        None,
        {"sum", "state"},
    ).get(statistic_id, [])
    if not rows:
        return None, metadata[statistic_id][1]
    last = rows[-1]
    total, state = last.get("sum"), last.get("state")
    if total is None or state is None:
        return None, metadata[statistic_id][1]
    return (float(total), float(state)), metadata[statistic_id][1]


async def async_backfill(
    hass: HomeAssistant,
    statistic_id: str,
    segments: list[Segment],
    total_before: float,
    until: datetime,
) -> int:
    """Rewrite the hourly statistics a filled gap covers; return the rows written."""
    if not segments or "recorder" not in hass.config.components:
        return 0
    first_hour = _hour(segments[0].start)
    if first_hour >= _hour(until):
        # The gap lies within the current hour, which the recorder compiles itself.
        return 0
    recorder = get_instance(hass)
    baseline, metadata = await recorder.async_add_executor_job(
        _baseline, hass, statistic_id, first_hour
    )
    if baseline is None or metadata is None:
        LOGGER.debug(
            "No statistics of %s before %s to continue", statistic_id, first_hour
        )
        return 0
    if total_before < baseline[1]:
        LOGGER.debug("Statistics of %s are ahead of the gap; left alone", statistic_id)
        return 0
    rows = plan_rows(segments, total_before, baseline, until, first_hour)
    async_import_statistics(hass, metadata, rows)
    LOGGER.debug("Backfilled %d hours of %s", len(rows), statistic_id)
    return len(rows)
