"""Energy dashboard sensors against the simulator: validation, a week, restore."""

from __future__ import annotations

from datetime import datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    mock_restore_cache_with_extra_data,
)

from custom_components.dyness.backfill import async_backfill
from custom_components.dyness.const import DOMAIN
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.energy import Direction, Segment
from custom_components.dyness.energy_sensor import energy_source
from custom_components.dyness.model_table import detect
from custom_components.dyness.records_clock import slot_start
from dyness_sim import Battery, Fault, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .conftest import START
from .test_records_clock import stored_history

ENERGY_KEYS = ("energy_charged", "energy_discharged")
POWER_PATH = "/v1/device/getLastPowerDataBySn"


def _entity(hass: HomeAssistant, serial: str, key: str) -> str:
    """Return the entity ID of a battery sensor."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{serial}_{key}"
    )
    assert entity_id is not None, key
    return entity_id


def _value(hass: HomeAssistant, entity_id: str) -> float:
    """Return a sensor's numeric state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


def _keep_samples(
    storage: dict[str, Any], entry: MockConfigEntry, battery: Battery, until: datetime
) -> None:
    """Store the records clock as if the battery was polled until `until`."""
    key = f"{DOMAIN}.{entry.entry_id}.records_clock"
    storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {battery.device_sn: stored_history(battery, until)},
    }


async def _poll_at(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, moment: datetime
) -> None:
    """Move time to `moment` and let the poll and its follow-ups finish."""
    frozen.move_to(moment)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_week_with_restarts_outages_and_a_dip(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A week of big steps: totals never fall, computed ones follow the truth."""
    caplog.set_level(logging.WARNING)
    haus, dl5 = (b.device_sn for b in simulator.account(DEFAULT_APP_ID).devices)
    ids = {
        (serial, key): _entity(hass, serial, key)
        for serial in (haus, dl5)
        for key in ENERGY_KEYS
    }
    # Local midnight (Berlin, summer) is 22:00 UTC: poll across it, so the
    # records of each day join the last sample of the day before.
    midnight = START.replace(hour=22, minute=0, second=30)
    # Half an hour of evening samples: the first gap's records learn their clock.
    for minutes in range(0, 35, 5):
        await _poll_at(hass, frozen, midnight - timedelta(hours=3, minutes=-minutes))
    state = hass.states.get(ids[haus, "energy_charged"])
    assert state is not None
    assert state.attributes["source"] == "computed"
    first = datetime.fromisoformat(state.attributes["counted_until"])
    start_values = {key: _value(hass, entity) for key, entity in ids.items()}
    seen = dict(start_values)
    moments: list[datetime] = []
    for day in range(7):
        base = midnight + timedelta(days=day)
        moments += [base + timedelta(minutes=m) for m in (-10, -5, 0, 5)]
        moments += [base + timedelta(hours=3 * k, minutes=5) for k in range(1, 8)]
    for number, moment in enumerate(moments):
        if number == 20:
            dipped = simulator.device(dl5).truth_at(moment).charged_kwh
            simulator.set_point(dl5, "7100", f"{dipped - 5:.2f}")
        if number == 21:
            # Listed but empty: no data this sample, not 0.
            simulator.set_point(dl5, "7100", "")
        if number == 22:
            simulator.set_point(dl5, "7100", None)
        if number == 30:
            simulator.add_fault(Fault(kind="code500", count=1000))
        if number == 31:
            simulator.clear_faults()
        if number in (15, 45):
            await hass.config_entries.async_reload(init_integration.entry_id)
            await hass.async_block_till_done(wait_background_tasks=True)
        await _poll_at(hass, frozen, moment)
        for key, entity in ids.items():
            value = _value(hass, entity)
            assert value >= seen[key], (key, moment)
            seen[key] = value
    assert caplog.text.count("lower than the last") == 1
    state = hass.states.get(ids[haus, "energy_charged"])
    assert state is not None
    last = datetime.fromisoformat(state.attributes["counted_until"])
    truth = simulator.device(haus)
    charged = truth.truth_at(last).charged_kwh - truth.truth_at(first).charged_kwh
    discharged = (
        truth.truth_at(last).discharged_kwh - truth.truth_at(first).discharged_kwh
    )
    assert charged > 20
    assert seen[haus, "energy_charged"] - start_values[
        haus, "energy_charged"
    ] == pytest.approx(charged, rel=0.01)
    assert seen[haus, "energy_discharged"] - start_values[
        haus, "energy_discharged"
    ] == pytest.approx(discharged, rel=0.01)
    counter = simulator.device(dl5)
    dl5_state = hass.states.get(ids[dl5, "energy_charged"])
    assert dl5_state is not None
    assert dl5_state.attributes["source"] == "counter"
    dl5_last = datetime.fromisoformat(dl5_state.attributes["last_sample"])
    expected = counter.lifetime_charged_kwh + counter.truth_at(dl5_last).charged_kwh
    assert seen[dl5, "energy_charged"] == pytest.approx(expected, abs=0.006)


@pytest.mark.parametrize("kept_samples", [True, False])
async def test_restored_total_continues_over_the_gap(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    kept_samples: bool,
) -> None:
    """After a stop, the total continues from the stored one, gap filled once.

    The gap's records learn their clock from the samples kept before the stop;
    without them the gap is not filled (its energy is lost, never misplaced).
    """
    caplog.set_level(logging.INFO)
    haus = simulator.account(DEFAULT_APP_ID).devices[0]
    stopped = START - timedelta(hours=3)
    sample = haus.latest_sample(stopped)
    assert sample is not None
    if kept_samples:
        _keep_samples(hass_storage, mock_config_entry, haus, stopped)
    registry = er.async_get(hass)
    entity_ids = {}
    for key in ENERGY_KEYS:
        entity_ids[key] = f"sensor.powerhaus_{key}"
        registry.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{haus.device_sn}_{key}",
            suggested_object_id=f"powerhaus_{key}",
        )
    stored = {
        "energy_charged": 100.0,
        "energy_discharged": 50.0,
    }
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State(entity_ids[key], str(total)),
                {
                    "source": "computed",
                    "total": total,
                    "last_time": slot_start(sample.at).isoformat(),
                    "last_power": sample.power_w,
                },
            )
            for key, total in stored.items()
        ],
    )
    before = simulator.stats(DEFAULT_APP_ID).by_path.get(POWER_PATH, 0)
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.dyness.energy_sensor.async_backfill",
        side_effect=RuntimeError("statistics broken"),
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done(wait_background_tasks=True)
    # A broken statistics import does not stop the counting.
    after = simulator.stats(DEFAULT_APP_ID).by_path.get(POWER_PATH, 0)
    assert after - before == 1
    state = hass.states.get(entity_ids["energy_charged"])
    assert state is not None
    if not kept_samples:
        assert "clock is not learnt yet" in caplog.text
        assert float(state.state) == 100.0
        return
    last = datetime.fromisoformat(state.attributes["counted_until"])
    truth_then = haus.truth_at(slot_start(sample.at))
    truth_now = haus.truth_at(last)
    assert float(state.state) - 100.0 == pytest.approx(
        truth_now.charged_kwh - truth_then.charged_kwh, rel=1e-4, abs=1e-4
    )
    state = hass.states.get(entity_ids["energy_discharged"])
    assert state is not None
    assert float(state.state) - 50.0 == pytest.approx(
        truth_now.discharged_kwh - truth_then.discharged_kwh, rel=1e-4, abs=1e-4
    )


async def test_failed_records_call_is_retried(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without records the gap waits for the next sample's call; never guessed or 0."""
    haus = simulator.account(DEFAULT_APP_ID).devices[0]
    sample = haus.latest_sample(START - timedelta(hours=3))
    assert sample is not None
    _keep_samples(hass_storage, mock_config_entry, haus, START - timedelta(hours=3))
    registry = er.async_get(hass)
    for key in ENERGY_KEYS:
        registry.async_get_or_create(
            "sensor",
            DOMAIN,
            f"{haus.device_sn}_{key}",
            suggested_object_id=f"powerhaus_{key}",
        )
    mock_restore_cache_with_extra_data(
        hass,
        [
            (
                State("sensor.powerhaus_energy_charged", "100.0"),
                {
                    "source": "computed",
                    "total": 100.0,
                    "last_time": slot_start(sample.at).isoformat(),
                    "last_power": sample.power_w,
                },
            ),
            (
                # Stored while the total was a counter: continue from it.
                State("sensor.powerhaus_energy_discharged", "50.0"),
                {"source": "counter", "total": 50.0, "last_time": None},
            ),
        ],
    )
    simulator.add_fault(Fault(kind="code500", path="getLastPowerDataBySn", count=1))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert "is lost" not in caplog.text
    assert _value(hass, "sensor.powerhaus_energy_charged") == 100.0
    assert _value(hass, "sensor.powerhaus_energy_discharged") == 50.0
    # The battery's live data fails: the totals stay, they do not turn 0.
    simulator.add_fault(
        Fault(kind="code500", path="realTime/data", sn=haus.device_sn, count=1)
    )
    await _poll_at(hass, frozen, dt_util.utcnow() + timedelta(minutes=5, seconds=5))
    assert _value(hass, "sensor.powerhaus_energy_charged") >= 100.0
    await _poll_at(hass, frozen, dt_util.utcnow() + timedelta(minutes=5, seconds=5))
    assert _value(hass, "sensor.powerhaus_energy_charged") > 100.0
    assert (
        await async_backfill(hass, "sensor.powerhaus_energy_charged", [], 0, START) == 0
    )
    segment = Segment(START - timedelta(hours=2), START, 1.0)
    assert (
        await async_backfill(
            hass, "sensor.powerhaus_energy_charged", [segment], 0, START
        )
        == 0
    )


def test_no_source_without_data() -> None:
    """A battery without live data gets no energy sensor yet."""
    battery = BatteryData(
        config=BatteryConfig(device_sn="X-BMS"),
        detection=detect("PowerHaus", "145", None),
    )
    assert energy_source(battery, Direction.CHARGED) is None


async def test_stored_clock_of_an_unpolled_battery_is_kept(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
) -> None:
    """Saving the records clocks keeps those of batteries not polled since the start."""
    haus = simulator.account(DEFAULT_APP_ID).devices[0]
    _keep_samples(hass_storage, mock_config_entry, haus, START - timedelta(hours=3))
    key = f"{DOMAIN}.{mock_config_entry.entry_id}.records_clock"
    unpolled = dict(hass_storage[key]["data"][haus.device_sn])
    hass_storage[key]["data"]["UNPOLLED-SN"] = unpolled
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await hass.config_entries.async_unload(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    stored = hass_storage[key]["data"]
    assert stored["UNPOLLED-SN"] == unpolled
    # The polled battery's clock was saved from memory: it took the new samples.
    assert len(stored[haus.device_sn]["history"]) > len(unpolled["history"])
