"""The SOH trend: once a day from the recorder's long-term statistics of SOH."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Final

from homeassistant.components.recorder.statistics import statistics_during_period
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .insights.soh_trend import soh_loss_per_year
from .runtime import DynessConfigEntry

CHECK_EVERY: Final = timedelta(days=1)
# The trend looks this far back.
HISTORY: Final = timedelta(days=365)


async def async_soh_means(
    hass: HomeAssistant, entity_id: str, now: datetime
) -> list[tuple[datetime, float | None]]:
    """Return the daily SOH means the recorder holds for an entity."""
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        now - HISTORY,
        None,
        {entity_id},
        "day",
        None,
        {"mean"},
    )
    return [
        (dt_util.utc_from_timestamp(row["start"]), row.get("mean"))
        for row in rows.get(entity_id, [])
    ]


async def async_update_soh(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
    """Recompute every battery's SOH trend from the statistics."""
    registry = er.async_get(hass)
    book = entry.runtime_data.insights
    now = dt_util.utcnow()
    for serial in entry.runtime_data.coordinator.data.batteries:
        entity_id = registry.async_get_entity_id(
            "sensor", DOMAIN, f"{serial}_state_of_health"
        )
        if entity_id is None:
            continue
        means = await async_soh_means(hass, entity_id, now)
        book.set_soh_loss(serial, soh_loss_per_year(means))
        LOGGER.debug("SOH trend of %s from %d days", serial, len(means))


@callback
def async_track_soh(hass: HomeAssistant, entry: DynessConfigEntry) -> CALLBACK_TYPE:
    """Compute the SOH trends now and once a day; without a recorder, never."""
    if "recorder" not in hass.config.components:
        return lambda: None

    @callback
    def _run(_: datetime | None = None) -> None:
        entry.async_create_background_task(
            hass, async_update_soh(hass, entry), f"{DOMAIN} SOH trend"
        )

    _run()
    return async_track_time_interval(hass, _run, CHECK_EVERY)
