"""Tests for the App ID's call budget in Home Assistant: sharing, repairs, freshness."""

from __future__ import annotations

from datetime import datetime, timedelta
import itertools
import statistics
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness.const import DOMAIN
from dyness_sim import Account, Fault, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET, DL5_MODULE_SNS
from dyness_sim.scenarios import model_battery

from .common import entry_for, run_for, sensor_id


async def test_entries_of_one_app_id_share_the_scheduler(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Two entries that use the same App ID draw on one budget and one spacing."""
    first, second = mock_config_entry.data["batteries"]
    entries = [
        MockConfigEntry(
            domain=DOMAIN,
            title=f"Dyness {index}",
            unique_id=f"{DEFAULT_APP_ID}-{index}",
            data={**mock_config_entry.data, "batteries": [battery]},
        )
        for index, battery in enumerate((first, second))
    ]
    for entry in entries:
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    one, two = (entry.runtime_data.coordinator.scheduler for entry in entries)
    assert one is two
    assert set(one.demands) == {entry.entry_id for entry in entries}
    await run_for(hass, frozen, 30)
    assert simulator.stats(DEFAULT_APP_ID).rejected_429 == 0
    assert one.used_last_hour() == simulator.stats(DEFAULT_APP_ID).requests
    await hass.config_entries.async_unload(entries[0].entry_id)
    await hass.async_block_till_done()
    assert set(one.demands) == {entries[1].entry_id}


async def test_no_budget_repair_for_a_normal_account(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Modules read every 10 minutes are within the documented cadence: no repair."""
    await run_for(hass, frozen, 30)
    plan = init_integration.runtime_data.coordinator.scheduler.plan()
    assert (plan.battery_every, plan.module_every) == (1, 2)
    issue_id = f"budget_stretched_{init_integration.entry_id}"
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.parametrize(
    ("budget", "key", "battery_minutes", "cleared"),
    # At 20 calls an hour every third sample: the PowerHaus's computed totals
    # need a records call for each sample read once samples are skipped.
    [(30, "budget_modules", "5", True), (20, "budget_batteries", "15", False)],
)
async def test_budget_repair_says_what_is_slower(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    tick_sleep: Any,
    issue_registry: ir.IssueRegistry,
    budget: int,
    key: str,
    battery_minutes: str,
    cleared: bool,
) -> None:
    """Batteries slower than 5 minutes, or modules past 30, raise their own text."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={"calls_per_hour": budget}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await run_for(hass, frozen, 10)
    issue_id = f"budget_stretched_{mock_config_entry.entry_id}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == key
    placeholders = issue.translation_placeholders or {}
    assert placeholders["battery_minutes"] == battery_minutes
    assert int(placeholders["module_minutes"]) > 30
    assert placeholders["modules"] == "3"
    assert placeholders["lag"] == "30"
    registry = er.async_get(hass)
    for entry in er.async_entries_for_config_entry(
        registry, mock_config_entry.entry_id
    ):
        if entry.unique_id.split("_")[0] in DL5_MODULE_SNS:
            registry.async_update_entity(
                entry.entity_id, disabled_by=er.RegistryEntryDisabler.USER
            )
    await run_for(hass, frozen, 2)
    # Without modules, 30 calls an hour are enough for the batteries; 20 are not.
    assert (issue_registry.async_get_issue(DOMAIN, issue_id) is None) is cleared


async def test_lowered_budget_stretches_modules_not_batteries(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    tick_sleep: Any,
) -> None:
    """At 30 calls an hour the batteries keep their 5 minutes; modules wait."""
    simulator.set_rate_limit(per_hour=30)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={"calls_per_hour": 30}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    scheduler = mock_config_entry.runtime_data.client.scheduler
    await run_for(hass, frozen, 60)
    start = simulator.stats(DEFAULT_APP_ID).copy()
    await run_for(hass, frozen, 60)
    stats = simulator.stats(DEFAULT_APP_ID)
    masters = sum(
        stats.by_serial.get(b["device_sn"], 0) - start.by_serial.get(b["device_sn"], 0)
        for b in mock_config_entry.data["batteries"]
    )
    modules = sum(
        stats.by_serial.get(sn, 0) - start.by_serial.get(sn, 0) for sn in DL5_MODULE_SNS
    )
    # Twelve samples each; the second hour may still hold a look per battery
    # after an overshoot while the visibility delay is learnt.
    assert 24 <= masters <= 28
    assert modules <= 6
    assert stats.rejected_429 == 0
    plan = scheduler.plan()
    assert plan.battery_every == 1
    assert plan.module_every == 12
    # Setup's reads wait behind the batteries' first hour, yet each module has
    # been read within two hours.
    read = {
        serial
        for battery in mock_config_entry.runtime_data.coordinator.data.batteries.values()
        for serial, module in battery.modules.items()
        if module.realtime is not None
    }
    assert read == set(DL5_MODULE_SNS)


@pytest.mark.parametrize("budget", [30, 60])
async def test_setup_reads_leave_the_batteries_their_first_hour(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    tick_sleep: Any,
    budget: int,
) -> None:
    """Setup's background reads never hold a battery's new sample back.

    Details, module discovery, modules, signal and firmware follow setup in a
    burst; at a cloud limit of `budget` calls an hour (and that option) each
    battery still gets every 5-minute sample of the first hour, soon after `T`.
    """
    simulator.set_rate_limit(per_hour=budget)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={"calls_per_hour": budget}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = mock_config_entry.runtime_data.coordinator
    samples: dict[str, list[float]] = {}
    ages: list[float] = []

    def _updated() -> None:
        now = dt_util.utcnow()
        for serial, battery in coordinator.data.batteries.items():
            sample = battery.sample_time
            seen = samples.setdefault(serial, [])
            if sample is None or (seen and seen[-1] == sample.timestamp()):
                continue
            if seen:
                # The sample read at setup is as old as it happens to be.
                ages.append((now - sample).total_seconds())
            seen.append(sample.timestamp())

    unsub = coordinator.async_add_listener(_updated)
    _updated()
    await run_for(hass, frozen, 60)
    unsub()
    assert set(samples) == {b["device_sn"] for b in mock_config_entry.data["batteries"]}
    for serial, times in samples.items():
        gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
        assert len(times) >= 12, serial
        assert gaps == [300.0] * len(gaps), serial
    assert max(ages) < 80
    assert simulator.stats(DEFAULT_APP_ID).rejected_429 == 0


async def test_429_without_retry_after_backs_off(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Without Retry-After the next call waits 30 s; values stay; no burst."""
    serial = init_integration.data["batteries"][0]["device_sn"]
    soc = sensor_id(hass, f"{serial}_state_of_charge")
    await run_for(hass, frozen, 6)
    simulator.add_fault(Fault(kind="http429", count=1))
    requests = simulator.stats(DEFAULT_APP_ID).requests
    times: list[datetime] = []
    scheduler = init_integration.runtime_data.coordinator.scheduler
    for _ in range(12 * 6):
        frozen.tick(timedelta(seconds=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        if simulator.stats(DEFAULT_APP_ID).requests > requests:
            requests = simulator.stats(DEFAULT_APP_ID).requests
            times.append(dt_util.utcnow())
        assert hass.states.get(soc).state != STATE_UNAVAILABLE  # type: ignore[union-attr]
    assert scheduler.rate_limited == 1
    assert scheduler.budget == 45
    assert len(times) >= 2
    assert (times[1] - times[0]).total_seconds() >= 30


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_diagnostic_figures(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Calls in the last hour, budget left, next refresh and data ages are shown."""
    await run_for(hass, frozen, 20)
    app_id = init_integration.unique_id

    def _value(unique_id: str) -> str:
        state = hass.states.get(sensor_id(hass, unique_id))
        assert state is not None
        return state.state

    calls = int(_value(f"{app_id}_api_calls"))
    scheduler = init_integration.runtime_data.coordinator.scheduler
    assert 0 < calls <= scheduler.used_last_hour()
    assert int(_value(f"{app_id}_api_budget_left")) == 60 - calls
    for battery in init_integration.data["batteries"]:
        assert 0 <= int(_value(f"{battery['device_sn']}_data_age")) < 60
    next_refresh = dt_util.parse_datetime(_value(f"{app_id}_next_refresh"))
    assert next_refresh is not None
    assert next_refresh > dt_util.utcnow()


async def test_new_values_are_seconds_old(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Polls follow each battery's upload phase: data is written soon after `T`."""
    ages: list[float] = []
    watched = {
        sensor_id(hass, f"{battery['device_sn']}_last_data_update")
        for battery in init_integration.data["batteries"]
    }

    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] in watched and new is not None:
            sample = dt_util.parse_datetime(new.state)
            if sample is not None:
                ages.append((dt_util.utcnow() - sample).total_seconds())

    unsub = hass.bus.async_listen("state_changed", _changed)
    await run_for(hass, frozen, 120)
    unsub()
    steady: list[Any] = ages[4:]
    assert len(ages) >= 2 * 23
    assert statistics.mean(steady) < 30
    # A sample that shows up later than learnt is read by a look a minute later.
    assert max(steady) < 80


async def test_budget_option_clears_the_stretch(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    socket_enabled: None,
    issue_registry: ir.IssueRegistry,
) -> None:
    """From 30 to 180 calls an hour: ten modules every 5 minutes, without a reload.

    Two batteries and ten modules need 144 calls an hour; modules may fill 90 %
    of the budget, so 120 would still read them every 10 minutes.
    """
    devices = [model_battery(key, modules=5) for key in ("DL5.0C", "PowerDepot G2")]
    simulator = Simulator(
        [Account(DEFAULT_APP_ID, DEFAULT_APP_SECRET, devices)], per_hour=180
    )
    await simulator.start(host="127.0.0.1", port=0)
    entry = entry_for(simulator)
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(entry, options={"calls_per_hour": 30})
    try:
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        await run_for(hass, frozen, 10)
        issue_id = f"budget_stretched_{entry.entry_id}"
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is not None
        coordinator = entry.runtime_data.coordinator
        assert coordinator.data.schedule.module_minutes == 60
        hass.config_entries.async_update_entry(entry, options={"calls_per_hour": 180})
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        assert coordinator.scheduler.ceiling == 180
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        assert coordinator.data.schedule.module_minutes == 5
        await run_for(hass, frozen, 60)
        start = simulator.stats(DEFAULT_APP_ID).copy()
        await run_for(hass, frozen, 60)
        stats = simulator.stats(DEFAULT_APP_ID)
        modules = [sn for device in devices for sn in device.module_sns]
        reads = sum(
            stats.by_serial.get(sn, 0) - start.by_serial.get(sn, 0) for sn in modules
        )
        # Every module after every sample of its battery: twelve an hour each.
        assert reads >= 10 * 11
        assert stats.rejected_429 == 0
        assert issue_registry.async_get_issue(DOMAIN, issue_id) is None
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await simulator.stop()
