"""Tests for the devices the integration registers: batteries and modules."""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import DL5_MODULE_SNS, DL5_SN


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
