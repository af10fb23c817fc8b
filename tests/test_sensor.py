"""Tests for the Dyness battery sensors."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.logbook.helpers import async_filter_entities
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .common import FOUNDATION, next_cycle


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the sensor platform."""
    return [Platform.SENSOR]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every battery gets the 27 foundation sensors, its modules their own devices.

    Every entity (all enabled here) has a value from the simulator.
    """
    # Let the signal sensors' first reads finish before time jumps.
    await hass.async_block_till_done(wait_background_tasks=True)
    await next_cycle(hass, frozen)
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    devices = {
        device.id: device
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
    }
    serials = {battery["device_sn"] for battery in init_integration.data["batteries"]}
    batteries = [d for d in devices.values() if d.serial_number in serials]
    assert len(batteries) == len(serials)
    modules = [
        d
        for d in devices.values()
        if d.serial_number not in serials and d.entry_type is None
    ]
    assert len(modules) == 3
    for device in batteries:
        own = [entry for entry in entries if entry.device_id == device.id]
        keys = {
            entry.unique_id.removeprefix(f"{device.serial_number}_") for entry in own
        }
        assert keys >= FOUNDATION | {"problem"}
        assert len(FOUNDATION) == 27
        assert device.manufacturer == "Dyness"
        assert device.sw_version
    for device in modules:
        assert devices[device.via_device_id or ""].serial_number in serials
        own = [entry for entry in entries if entry.device_id == device.id]
        assert {"cell_1_voltage", "state_of_charge", "cell_voltage_spread"} <= {
            entry.unique_id.removeprefix(f"{device.serial_number}_") for entry in own
        }
    for entry in entries:
        state = hass.states.get(entry.entity_id)
        assert state is not None
        assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN), entry.entity_id


async def test_signal_strength_only_when_enabled(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    entity_registry: er.EntityRegistry,
) -> None:
    """The dongle is never polled while the signal entity is disabled."""
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    signal = [
        entry for entry in entries if entry.unique_id.endswith("_signal_strength")
    ]
    assert signal
    assert all(
        entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION for entry in signal
    )
    dongles = {
        device.collector_sn for device in simulator.account(DEFAULT_APP_ID).devices
    }
    for _ in range(3):
        await next_cycle(hass, frozen)
    assert not dongles & simulator.requested_serials(DEFAULT_APP_ID)


async def test_device_info(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Each battery is a device with model, serial and firmware."""
    devices = sorted(
        dr.async_entries_for_config_entry(device_registry, init_integration.entry_id),
        key=lambda device: device.serial_number or "",
    )
    assert [
        {
            "identifiers": device.identifiers,
            "manufacturer": device.manufacturer,
            "model": device.model,
            "model_id": device.model_id,
            "name": device.name,
            "serial_number": device.serial_number,
            "sw_version": device.sw_version,
        }
        for device in devices
    ] == snapshot
    assert all(
        (DOMAIN, device.serial_number) in device.identifiers
        for device in devices
        if device.entry_type is None
    )


COUNT_KEYS = (
    "cycles",
    "module_count",
    "cell_voltage_max_number",
    "cell_voltage_min_number",
    "cell_voltage_max_module",
    "cell_voltage_min_module",
)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_counts_are_integers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Cycles, module counts and cell numbers show as whole numbers ("197")."""
    counts = [
        entry
        for entry in er.async_entries_for_config_entry(
            entity_registry, init_integration.entry_id
        )
        if entry.unique_id.endswith(COUNT_KEYS)
    ]
    assert len(counts) >= 6
    for entry in counts:
        state = hass.states.get(entry.entity_id)
        assert state is not None
        assert state.state.isdigit(), (entry.entity_id, state.state)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_polled_numbers_stay_out_of_the_logbook(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """Every numeric sensor is continuous, so polls write no logbook lines."""
    numeric = [
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            entity_registry, init_integration.entry_id
        )
        if entry.domain == "sensor"
        and (state := hass.states.get(entry.entity_id)) is not None
        and state.state.lstrip("-").replace(".", "", 1).isdigit()
    ]
    assert len(numeric) > 20
    assert async_filter_entities(hass, numeric) == []


async def test_enabled_sensors_that_change_every_poll_stay_out_of_the_logbook(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """No enabled sensor writes a logbook line at every poll (timestamps start disabled)."""
    before = {
        state.entity_id: state.state
        for state in hass.states.async_all("sensor")
        if state.entity_id.startswith("sensor.")
    }
    await next_cycle(hass, frozen)
    changed = [
        entity_id
        for entity_id, old in before.items()
        if (state := hass.states.get(entity_id)) is not None and state.state != old
    ]
    assert changed
    assert async_filter_entities(hass, changed) == []
