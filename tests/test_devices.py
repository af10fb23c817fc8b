"""Tests for the devices the integration registers: batteries and modules."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DL5_MODULE_SNS,
    DL5_SN,
    POWERHAUS_MODULE_SNS,
)

from .common import next_cycle


def _device(hass: HomeAssistant, serial: str) -> dr.DeviceEntry:
    """Return the device of a battery or module serial."""
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, serial)})
    assert device is not None
    return device


@pytest.mark.parametrize(
    "platforms",
    [[Platform.SENSOR], [Platform.BINARY_SENSOR], None],
    ids=["sensor", "binary_sensor", "all"],
)
async def test_module_device_is_the_same_from_every_platform(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Sensors and binary sensors describe a module device the same way."""
    firmware = simulator.device(DL5_SN).module_firmware
    for serial in DL5_MODULE_SNS:
        device = _device(hass, serial)
        assert device.model == "DL5.0C module"
        assert device.sw_version == firmware
        assert device.via_device_id == _device(hass, DL5_SN).id


async def test_account_device_carries_the_account_figures(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    entity_registry: er.EntityRegistry,
) -> None:
    """API calls, budget left and next refresh sit on a service device of the key.

    Their unique IDs stay; each battery shows its own data age instead of one
    account-wide figure, which is removed.
    """
    mock_config_entry.add_to_hass(hass)
    app_id = mock_config_entry.unique_id
    old = entity_registry.async_get_or_create(
        "sensor", DOMAIN, f"{app_id}_data_age", config_entry=mock_config_entry
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    account = _device(hass, str(app_id))
    assert account.entry_type is dr.DeviceEntryType.SERVICE
    for key in ("api_calls", "api_budget_left", "next_refresh"):
        entity_id = entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{app_id}_{key}"
        )
        assert entity_id is not None
        entry = entity_registry.async_get(entity_id)
        assert entry is not None
        assert entry.device_id == account.id
    assert entity_registry.async_get(old.entity_id) is None
    for battery in mock_config_entry.data["batteries"]:
        serial = battery["device_sn"]
        entity_id = entity_registry.async_get_entity_id(
            "sensor", DOMAIN, f"{serial}_data_age"
        )
        assert entity_id is not None
        state = hass.states.get(entity_id)
        assert state is not None
        # The first read at setup is not aligned to the upload yet.
        assert 0 <= int(state.state) < 300
        entry = entity_registry.async_get(entity_id)
        assert entry is not None
        assert entry.device_id == _device(hass, serial).id


async def test_no_device_for_a_lone_module(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A single module repeats its battery: no device, no call, none left over.

    Every device the entry keeps shows at least one enabled entity.
    """
    mock_config_entry.add_to_hass(hass)
    lone = POWERHAUS_MODULE_SNS[0]
    devices = dr.async_get(hass)
    old = devices.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id, identifiers={(DOMAIN, lone)}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    await next_cycle(hass, frozen)
    assert devices.async_get(old.id) is None
    assert simulator.stats(DEFAULT_APP_ID).by_serial.get(lone, 0) == 0
    entities = er.async_entries_for_config_entry(
        er.async_get(hass), mock_config_entry.entry_id
    )
    for device in dr.async_entries_for_config_entry(
        devices, mock_config_entry.entry_id
    ):
        assert any(
            entry.device_id == device.id and entry.disabled_by is None
            for entry in entities
        ), device.name
