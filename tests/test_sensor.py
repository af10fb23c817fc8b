"""Tests for the Dyness battery sensors."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.dyness.const import DOMAIN
from custom_components.dyness.sensor import SENSORS
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the sensor platform."""
    return [Platform.SENSOR]


async def _next_cycle(hass: HomeAssistant, frozen: FrozenDateTimeFactory) -> None:
    """Move to the next poll and let it finish."""
    frozen.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every battery gets its 27 sensors with values from the simulator."""
    await _next_cycle(hass, frozen)
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    devices = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    assert len(devices) == len(init_integration.data["batteries"])
    for device in devices:
        own = [entry for entry in entries if entry.device_id == device.id]
        # The 27 sensors plus the Problem sensor of the alarm model.
        assert len(own) == len(SENSORS) + 1 == 28
        assert device.manufacturer == "Dyness"
        assert device.serial_number is not None
        assert device.sw_version
        for entry in own:
            state = hass.states.get(entry.entity_id)
            assert state is not None
            assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN), (
                entry.entity_id
            )


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
        await _next_cycle(hass, frozen)
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
        (DOMAIN, device.serial_number) in device.identifiers for device in devices
    )
