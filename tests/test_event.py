"""Tests for the alarm event entity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    EVENT_STATE_CHANGED,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from dyness_sim import Simulator

from .common import battery_serial, find_entity, next_cycle


def _recorder(
    hass: HomeAssistant, entity_id: str
) -> tuple[list[dict[str, Any]], Callable[[], None]]:
    """Collect the events an automation on the event entity would see."""
    fired: list[dict[str, Any]] = []

    @callback
    def _listen(event: Event[Any]) -> None:
        if event.data["entity_id"] != entity_id:
            return
        old, new = event.data["old_state"], event.data["new_state"]
        # Start-up, unload and restore transitions are not events (HA's own rule).
        if old is None or new is None:
            return
        if STATE_UNAVAILABLE in (old.state, new.state) or new.state == STATE_UNKNOWN:
            return
        fired.append(dict(new.attributes))

    return fired, hass.bus.async_listen(EVENT_STATE_CHANGED, _listen)


@pytest.mark.parametrize("platforms", [[Platform.EVENT]], ids=["platform"])
async def test_event_entities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each battery has one alarm event entity."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    assert len(entries) == len(init_integration.data["batteries"])


async def test_one_event_per_change(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A protection raises once, stays quiet while set, and clears once."""
    serial = battery_serial(init_integration)
    entity_id = find_entity(hass, "event", f"{serial}_alarm_events")
    other_id = find_entity(
        hass, "event", f"{battery_serial(init_integration, 1)}_alarm_events"
    )
    fired, _ = _recorder(hass, entity_id)
    other, _ = _recorder(hass, other_id)
    await next_cycle(hass, frozen)
    assert fired == []
    simulator.device(serial).force_bit("protect2", 5)
    await next_cycle(hass, frozen)
    assert [
        (item["event_type"], item["condition"], item["kind"]) for item in fired
    ] == [("alarm_raised", "discharge_overcurrent_protection", "protection")]
    # The summary flag 4100 follows one sample later (it is debounced).
    await next_cycle(hass, frozen)
    assert [(item["event_type"], item["condition"]) for item in fired[1:]] == [
        ("alarm_raised", "overall_alarm")
    ]
    for _ in range(3):
        await next_cycle(hass, frozen)
    assert len(fired) == 2
    simulator.device(serial).force_bit("protect2", 5, active=False)
    await next_cycle(hass, frozen)
    assert sorted((item["event_type"], item["condition"]) for item in fired[2:]) == [
        ("alarm_cleared", "discharge_overcurrent_protection"),
        ("alarm_cleared", "overall_alarm"),
    ]
    assert "module" not in fired[0]
    assert other == []


async def test_warning_event_waits_for_debounce(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A warning raises its event with the sample that confirms it; a flicker none."""
    serial = battery_serial(init_integration)
    entity_id = find_entity(hass, "event", f"{serial}_alarm_events")
    fired, _ = _recorder(hass, entity_id)
    battery = simulator.device(serial)
    for sample in range(4):
        battery.force_bit("alarm1", 3, active=sample % 2 == 0)
        await next_cycle(hass, frozen)
    assert fired == []
    battery.force_bit("alarm1", 3)
    await next_cycle(hass, frozen)
    assert fired == []
    await next_cycle(hass, frozen)
    assert [
        (item["event_type"], item["condition"], item["kind"]) for item in fired
    ] == [("alarm_raised", "cell_high_temperature_warning", "warning")]


async def test_no_events_on_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Reloading takes the active conditions as the baseline, silently."""
    serial = battery_serial(init_integration)
    entity_id = find_entity(hass, "event", f"{serial}_alarm_events")
    protection = find_entity(
        hass, "binary_sensor", f"{serial}_charge_overcurrent_protection"
    )
    simulator.device(serial).force_bit("protect2", 6)
    await next_cycle(hass, frozen)
    await next_cycle(hass, frozen)
    fired, _ = _recorder(hass, entity_id)
    before = hass.states.get(entity_id)
    assert before is not None
    assert before.attributes["event_type"] == "alarm_raised"

    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    # The restored event entity keeps its last event; nothing new fired.
    after = hass.states.get(entity_id)
    assert after is not None
    assert after.state == before.state
    assert hass.states.get(protection).state == STATE_ON  # type: ignore[union-attr]
    await next_cycle(hass, frozen)
    await next_cycle(hass, frozen)
    assert fired == []

    simulator.device(serial).force_bit("protect2", 6, active=False)
    await next_cycle(hass, frozen)
    assert sorted((item["event_type"], item["condition"]) for item in fired) == [
        ("alarm_cleared", "charge_overcurrent_protection"),
        ("alarm_cleared", "overall_alarm"),
    ]


async def test_no_events_on_restart(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Conditions already active when Home Assistant starts fire nothing."""
    serial = battery_serial(mock_config_entry)
    simulator.device(serial).force_bit("protect1", 3)
    simulator.device(serial).force_bit("alarm1", 0)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    entity_id = find_entity(hass, "event", f"{serial}_alarm_events")
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == STATE_UNKNOWN
    fired, _ = _recorder(hass, entity_id)
    for _ in range(3):
        await next_cycle(hass, frozen)
    assert fired == []
    for key in ("cell_over_temperature_protection", "cell_voltage_imbalance_warning"):
        sensor = hass.states.get(find_entity(hass, "binary_sensor", f"{serial}_{key}"))
        assert sensor is not None
        assert sensor.state == STATE_ON
