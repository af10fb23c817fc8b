"""Tests for polling, failures and recovery of the coordinator."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness.const import DOMAIN
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .common import next_cycle, run_for


def _soc_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the entity ID of the first battery's state of charge."""
    registry = er.async_get(hass)
    serial = entry.data["batteries"][0]["device_sn"]
    entity_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{serial}_state_of_charge"
    )
    assert entity_id is not None
    return entity_id


def _last_update_entity(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Return the entity ID of the first battery's last data update."""
    registry = er.async_get(hass)
    serial = entry.data["batteries"][0]["device_sn"]
    entity_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{serial}_last_data_update"
    )
    assert entity_id is not None
    return entity_id


async def test_values_follow_new_samples(
    hass: HomeAssistant,
    entity_registry_enabled_by_default: None,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Each 5-minute poll shows the simulator's newest sample."""
    entity_id = _last_update_entity(hass, init_integration)
    seen = {hass.states.get(entity_id).state}  # type: ignore[union-attr]
    for _ in range(3):
        await next_cycle(hass, frozen)
        seen.add(hass.states.get(entity_id).state)  # type: ignore[union-attr]
    assert len(seen) == 4


async def test_rate_limit_keeps_last_data_without_burst(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A 429 keeps the last values, makes no retry burst, honours Retry-After ≤ 5 min."""
    entity_id = _soc_entity(hass, init_integration)
    before = hass.states.get(entity_id).state  # type: ignore[union-attr]
    requests = simulator.stats(DEFAULT_APP_ID).requests
    simulator.add_fault(Fault(kind="http429", retry_after=420, count=1))
    await next_cycle(hass, frozen)
    assert hass.states.get(entity_id).state == before  # type: ignore[union-attr]
    # One call was answered 429; nothing else was sent in that cycle.
    assert simulator.stats(DEFAULT_APP_ID).requests == requests + 1
    await run_for(hass, frozen, 4.5)
    # The wait (capped at the 5-minute cadence) still runs: nothing is sent.
    assert simulator.stats(DEFAULT_APP_ID).requests == requests + 1
    assert hass.states.get(entity_id).state == before  # type: ignore[union-attr]
    await run_for(hass, frozen, 1)
    assert simulator.stats(DEFAULT_APP_ID).requests > requests + 1
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE  # type: ignore[union-attr]


async def test_lasting_rate_limit_becomes_unavailable(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Data is kept through a short 429 spell, not for ever."""
    entity_id = _soc_entity(hass, init_integration)
    simulator.add_fault(Fault(kind="http429", count=1000))
    await next_cycle(hass, frozen)
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE  # type: ignore[union-attr]
    for _ in range(8):
        await next_cycle(hass, frozen)
    assert hass.states.get(entity_id).state == STATE_UNAVAILABLE  # type: ignore[union-attr]


async def test_auth_failure_starts_reauth(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A refused key during polling starts exactly one reauth flow."""
    simulator.add_fault(Fault(kind="auth", count=1000))
    await next_cycle(hass, frozen)
    await next_cycle(hass, frozen)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert len(flows) == 1
    assert flows[0]["context"]["source"] == SOURCE_REAUTH
    assert flows[0]["context"]["entry_id"] == init_integration.entry_id


async def test_calls_per_hour(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """An hour costs about one call per battery per new sample, plus modules.

    The DL5.0C's three modules fit the budget at every second sample; the
    PowerHaus's single module repeats its master and is not polled. The first
    hour, which learns the visibility delay, may cost a look or two more.
    """
    await run_for(hass, frozen, 70)
    start = simulator.stats(DEFAULT_APP_ID).copy()
    await run_for(hass, frozen, 60)
    stats = simulator.stats(DEFAULT_APP_ID)
    by_path = {
        path: count - start.by_path.get(path, 0)
        for path, count in stats.by_path.items()
    }
    realtime = by_path["/v1/device/realTime/data"]
    masters = sum(
        stats.by_serial.get(sn, 0) - start.by_serial.get(sn, 0)
        for sn in (b["device_sn"] for b in init_integration.data["batteries"])
    )
    modules = realtime - masters
    assert 24 <= masters <= 24 * 1.1
    # Every second sample of the hour (6, or 7 where the hour's edges fall).
    assert 3 * 6 <= modules <= 3 * 7
    # The device list is read every 2 hours.
    assert by_path.get("/v1/device/storage/list", 0) <= 1
    assert stats.rejected_429 == 0
    plan = init_integration.runtime_data.coordinator.scheduler.plan()
    assert (plan.battery_every, plan.module_every) == (1, 2)


async def test_debug_log_has_no_secret(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Even at DEBUG level no log line carries the App Secret or a signature."""
    caplog.set_level("DEBUG")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await next_cycle(hass, frozen)
    assert "custom_components.dyness" in caplog.text
    secret = mock_config_entry.data["api_secret"]
    assert secret not in caplog.text
    assert "Authorization" not in caplog.text
    assert "API " + mock_config_entry.data["api_id"] not in caplog.text


async def test_signal_strength_polled_while_enabled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Enabling the signal sensor reads the dongle at once, then every 30 minutes."""
    # Room in the budget: in the first hour setup calls, modules and learning
    # looks can fill the share that extras may use.
    simulator.set_rate_limit(per_hour=120)
    scheduler = init_integration.runtime_data.client.scheduler
    scheduler.ceiling = scheduler.budget = 120
    registry = er.async_get(hass)
    first = init_integration.data["batteries"][0]
    entity_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{first['device_sn']}_signal_strength"
    )
    assert entity_id is not None
    registry.async_update_entity(entity_id, disabled_by=None)
    # Home Assistant reloads the entry by itself shortly after the change.
    frozen.tick(timedelta(seconds=31))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get(entity_id)
    assert state is not None
    assert -120 < float(state.state) < 0
    dongle = first["dongle_sn"]
    polls = simulator.stats(DEFAULT_APP_ID).by_serial[dongle]
    simulator.add_fault(Fault(kind="code500", sn=dongle, info="Network Anomaly"))
    await run_for(hass, frozen, 25)
    assert simulator.stats(DEFAULT_APP_ID).by_serial[dongle] == polls
    await run_for(hass, frozen, 10)
    assert simulator.stats(DEFAULT_APP_ID).by_serial[dongle] == polls + 1
    # A failed read keeps the last value.
    assert hass.states.get(entity_id).state == state.state  # type: ignore[union-attr]


async def test_signal_read_for_a_new_entity(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An entity added after setup reads its dongle at once; a 429 leaves it for later."""
    coordinator = init_integration.runtime_data.coordinator
    first = init_integration.data["batteries"][0]
    serial, dongle = first["device_sn"], first["dongle_sn"]

    def polls() -> int:
        return simulator.stats(DEFAULT_APP_ID).by_serial.get(dongle, 0)

    assert coordinator.data.batteries[serial].signal_dbm is None
    updates: list[None] = []
    coordinator.async_add_listener(lambda: updates.append(None))

    # A serial the entry does not hold is not asked for.
    calls = coordinator.client.scheduler.calls
    await coordinator.async_read_signal("NOT-ON-THIS-ENTRY-BMS")
    assert coordinator.client.scheduler.calls == calls
    assert updates == []

    caplog.set_level("DEBUG")
    simulator.add_fault(Fault(kind="http429", sn=dongle, retry_after=60))
    before = polls()
    await coordinator.async_read_signal(serial)
    assert polls() == before + 1
    assert coordinator.data.batteries[serial].signal_dbm is None
    assert updates == []
    assert f"Signal strength of {serial} not read yet" in caplog.text

    # Once the 429's wait is over (and the budget it lowered is back).
    scheduler = coordinator.client.scheduler
    frozen.tick(timedelta(seconds=61))
    assert scheduler.blocked_for() == 0
    scheduler.budget = scheduler.ceiling
    await coordinator.async_read_signal(serial)
    assert polls() == before + 2
    dbm = coordinator.data.batteries[serial].signal_dbm
    assert dbm is not None
    assert -120 < dbm < 0
    assert updates == [None]


async def test_device_list_failure_is_not_fatal(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A failing device list keeps the last one; live data still flows."""
    entity_id = _soc_entity(hass, init_integration)
    registry = er.async_get(hass)
    serial = init_integration.data["batteries"][0]["device_sn"]
    status_id = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{serial}_communication_status"
    )
    assert status_id is not None
    simulator.add_fault(
        Fault(kind="code500", path="/v1/device/storage/list", count=100)
    )
    await next_cycle(hass, frozen, minutes=30)
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE  # type: ignore[union-attr]
    assert hass.states.get(status_id).state == "online"  # type: ignore[union-attr]
