"""Heating periods of a low-voltage battery, on a winter night."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator

from .helpers import sim_battery

WINTER = datetime(2026, 12, 15, 0, 0, tzinfo=UTC)
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


@pytest.fixture
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Freeze time on a cold December night."""
    freezer.move_to(WINTER)
    return freezer


@pytest.mark.usefixtures("init_integration")
async def test_heating_periods_written_and_followed(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Heating periods are written whole; the heater keeps the cells warm."""
    battery = sim_battery(simulator, "PowerBrick Plus")
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, battery.device_sn)}
    )
    assert device is not None
    now = simulator.clock.now()
    assert not any(
        battery.heater_on(now + timedelta(minutes=5 * step)) for step in range(24)
    )
    warm = {
        "enabled": True,
        "start": "00:00",
        "end": "23:59",
        "min_temperature": 15,
        "max_temperature": 20,
        "days": EVERY_DAY,
    }
    await hass.services.async_call(
        DOMAIN,
        "set_heating_periods",
        {"device_id": device.id, "periods": [warm]},
        blocking=True,
    )
    response = await hass.services.async_call(
        DOMAIN,
        "get_heating_periods",
        {"device_id": device.id},
        blocking=True,
        return_response=True,
    )
    assert response == {"periods": [warm]}
    states = [
        battery.heater_on(now + timedelta(minutes=5 * step)) for step in range(24)
    ]
    # Switched on below the minimum, off again at the maximum.
    assert True in states
    assert False in states[states.index(True) :]
    state = hass.states.get("sensor.powerbrick_plus_08d0_heating_periods")
    assert state is not None
    assert state.state == "1"
    assert state.attributes["periods"] == [warm]
