"""Energy sensors in Home Assistant's statistics: dashboard validation, backfill."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
import itertools
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.energy import data as energy_data, validate
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.models import StatisticData
from homeassistant.components.recorder.statistics import (
    async_import_statistics,
    get_metadata,
    statistics_during_period,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.recorder import get_instance
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
    do_adhoc_statistics,
)

from custom_components.dyness.backfill import async_backfill
from custom_components.dyness.energy import Segment
from dyness_sim import ALL_MODELS, Fault, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .common import entry_for
from .conftest import START
from .test_energy_sensor import POWER_PATH, _entity, _poll_at, _value


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant loads the integration."""


async def battery_problems(
    hass: HomeAssistant, charged: str, discharged: str
) -> list[Any]:
    """Return what the Energy validation says of a battery made of these totals."""
    await async_wait_recording_done(hass)
    do_adhoc_statistics(hass, start=START.replace(minute=5, second=0))
    await async_wait_recording_done(hass)
    manager = await energy_data.async_get_manager(hass)
    await manager.async_update(
        {
            "energy_sources": [
                {
                    "type": "battery",
                    "stat_energy_from": discharged,
                    "stat_energy_to": charged,
                }
            ]
        }
    )
    result = await validate.async_validate(hass)
    problems: list[Any] = result.as_dict()["energy_sources"]
    return problems


@pytest.mark.parametrize("single", ALL_MODELS, indirect=True)
async def test_energy_dashboard_accepts_sensors(
    hass: HomeAssistant,
    single: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's own Energy validation finds nothing to complain about."""
    battery = single.batteries[0]
    entry = entry_for(single)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _poll_at(hass, frozen, START + timedelta(minutes=5))
    serial = battery.device_sn
    charged = _entity(hass, serial, "energy_charged")
    discharged = _entity(hass, serial, "energy_discharged")
    for key in ("charge_power", "discharge_power"):
        assert _value(hass, _entity(hass, serial, key)) >= 0
    # Let the recorder compile the statistics the dashboard reads.
    await _poll_at(hass, frozen, START + timedelta(minutes=10))
    assert await battery_problems(hass, charged, discharged) == [[]], battery.model_name
    state = hass.states.get(charged)
    assert state is not None
    assert state.attributes["source"] in ("counter", "computed")


async def _hourly(hass: HomeAssistant, entity_id: str) -> dict[datetime, float]:
    """Return the hourly statistics sums of an entity by hour start."""
    rows = await get_instance(hass).async_add_executor_job(
        statistics_during_period,
        hass,
        START - timedelta(hours=1),
        None,
        {entity_id},
        "hour",
        None,
        {"sum"},
    )
    return {
        dt_util.utc_from_timestamp(row["start"]): row["sum"]
        for row in rows.get(entity_id, [])
        if row.get("sum") is not None
    }


@pytest.mark.parametrize("single", ["PowerHaus", "DL5.0C"], indirect=True)
async def test_backfill_after_three_hour_outage(
    hass: HomeAssistant,
    single: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """After 3 h without the cloud, every hour holds its own energy: no hole, no lump."""
    # Evening: the battery discharges through the outage (it is full at noon)
    # and already before it, so the gap's records learn their clock.
    begin = START + timedelta(hours=6, minutes=45)
    frozen.move_to(begin)
    entry = entry_for(single)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    (battery,) = single.account(DEFAULT_APP_ID).devices
    entities = {
        key: _entity(hass, battery.device_sn, key)
        for key in ("energy_charged", "energy_discharged")
    }
    start = begin.replace(minute=0, second=0)
    calls = 0
    # Poll every 5 minutes from 16:52 to 22:07; the cloud is down 18:07-21:07.
    for step in range(63):
        if step == 15:
            # Steady state costs no records call at all.
            assert single.stats(DEFAULT_APP_ID).by_path.get(POWER_PATH, 0) == 0
            single.add_fault(Fault(kind="code500", count=100000))
        if step == 51:
            single.clear_faults()
            calls = single.stats(DEFAULT_APP_ID).by_path.get(POWER_PATH, 0)
        if step == 53:
            # One records call for the gap, shared by both sensors (the first
            # poll after the fault may wait for the jittered back-off, 330 s).
            after = single.stats(DEFAULT_APP_ID).by_path.get(POWER_PATH, 0)
            assert after - calls == 1
        frozen.tick(timedelta(minutes=5))
        await _poll_at(hass, frozen, dt_util.utcnow())
        await async_wait_recording_done(hass)
        now = dt_util.utcnow()
        period = now.replace(minute=now.minute - now.minute % 5, second=0)
        do_adhoc_statistics(hass, start=period - timedelta(minutes=5))
        await async_wait_recording_done(hass)
    energy_inside = 0.0
    for key, entity_id in entities.items():
        direction = "charged_kwh" if key == "energy_charged" else "discharged_kwh"
        sums = await _hourly(hass, entity_id)
        hours = sorted(sums)
        assert hours[0] == start
        assert len(hours) >= 5
        inside_hours = 0
        for previous, hour in itertools.pairwise(hours):
            seen = sums[hour] - sums[previous]
            truth = getattr(battery.truth_at(hour + timedelta(hours=1)), direction)
            truth -= getattr(battery.truth_at(hour), direction)
            # Hours wholly inside the outage come from the records alone.
            inside = start + timedelta(hours=2) <= hour < start + timedelta(hours=4)
            inside_hours += inside
            energy_inside += truth if inside else 0.0
            tolerance = 0.012 if inside else 0.2
            assert seen == pytest.approx(truth, abs=tolerance), (entity_id, hour)
        assert inside_hours == 2

    # The outage hours did move energy, so a hole would have shown.
    assert energy_inside > 1.0


async def test_backfill_needs_a_row_to_continue(
    hass: HomeAssistant,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Without a recorded row before the gap, or with one ahead of it, nothing is written."""
    entry = entry_for(simulator)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    haus = simulator.account(DEFAULT_APP_ID).devices[0]
    entity_id = _entity(hass, haus.device_sn, "energy_charged")
    await _poll_at(hass, frozen, START + timedelta(minutes=5, seconds=10))
    await async_wait_recording_done(hass)
    do_adhoc_statistics(hass, start=START.replace(minute=0, second=0))
    await async_wait_recording_done(hass)
    hour = START.replace(minute=0, second=0)
    segment = Segment(hour + timedelta(minutes=10), hour + timedelta(minutes=70), 1.0)
    until = hour + timedelta(minutes=75)
    assert await async_backfill(hass, "sensor.unknown", [segment], 0.0, until) == 0
    assert await async_backfill(hass, entity_id, [segment], 0.0, until) == 0
    metadata = await get_instance(hass).async_add_executor_job(
        partial(get_metadata, hass, statistic_ids={entity_id})
    )
    async_import_statistics(
        hass,
        metadata[entity_id][1],
        [StatisticData(start=hour - timedelta(hours=1), sum=5.0, state=1e6)],
    )
    await async_wait_recording_done(hass)
    assert await async_backfill(hass, entity_id, [segment], 0.0, until) == 0
    assert await async_backfill(hass, entity_id, [segment], 2e6, until) == 1
