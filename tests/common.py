"""Helpers shared by the integration tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET

# The 27 sensors of the foundation issue, by key (docs/api.md §10).
FOUNDATION: Final = frozenset(
    {
        "battery_power",
        "battery_current",
        "battery_status",
        "state_of_charge",
        "state_of_health",
        "pack_voltage",
        "cell_voltage_max",
        "cell_voltage_min",
        "cell_voltage_spread",
        "cell_voltage_max_number",
        "cell_voltage_min_number",
        "charge_voltage_upper",
        "charge_voltage_lower",
        "cell_temperature_max",
        "cell_temperature_min",
        "mosfet_temperature",
        "bms_temperature_max",
        "bms_temperature_min",
        "max_charge_current",
        "max_discharge_current",
        "charge_enable",
        "discharge_enable",
        "alarm_status",
        "communication_status",
        "firmware_version",
        "signal_strength",
        "last_data_update",
    }
)


async def run_for(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, minutes: float
) -> None:
    """Let time pass in 5-second steps, firing every timer that falls due."""
    for _ in range(int(minutes * 12)):
        frozen.tick(timedelta(seconds=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


async def next_cycle(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, minutes: float = 5
) -> None:
    """Jump time on by one poll interval and let the poll finish."""
    frozen.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def battery_serial(entry: MockConfigEntry, index: int = 0) -> str:
    """Return the serial of a configured battery."""
    return str(entry.data["batteries"][index]["device_sn"])


def find_entity(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """Return the entity ID of one of our entities by platform and unique ID."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert found is not None, unique_id
    return found


def sensor_id(hass: HomeAssistant, unique_id: str) -> str:
    """Return the entity ID of one of our sensors by unique ID."""
    return find_entity(hass, "sensor", unique_id)


def entry_for(sim: Simulator) -> MockConfigEntry:
    """Return a config entry for every battery of the simulator's default key."""
    return MockConfigEntry(
        domain=DOMAIN,
        unique_id=DEFAULT_APP_ID,
        data={
            "api_id": DEFAULT_APP_ID,
            "api_secret": DEFAULT_APP_SECRET,
            "region": "europe",
            "base_url": sim.base_url,
            "batteries": [
                {
                    "device_sn": battery.device_sn,
                    "dongle_sn": battery.collector_sn,
                    "model": battery.model_name,
                    "model_code": str(battery.model_code),
                }
                for battery in sim.account(DEFAULT_APP_ID).devices
            ],
        },
    )
