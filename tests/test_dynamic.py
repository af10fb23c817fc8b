"""Tests for batteries chosen or dropped while the entry runs (no reload)."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness import async_remove_config_entry_device
from custom_components.dyness.const import (
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BATTERIES,
    CONF_REGION,
    DOMAIN,
)
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET, DL5_SN, POWERHAUS_SN


async def _choose(
    hass: HomeAssistant, entry: MockConfigEntry, batteries: list[str]
) -> None:
    """Run a reconfigure flow that keeps the key and picks these batteries."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_ID: DEFAULT_APP_ID,
            CONF_API_SECRET: DEFAULT_APP_SECRET,
            CONF_REGION: "europe",
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: batteries}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)


def _platforms_of(hass: HomeAssistant, entry: MockConfigEntry, serial: str) -> set[str]:
    """Return the platforms that have entities of a battery."""
    return {
        item.domain
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if item.unique_id.startswith(serial)
    }


async def test_battery_added_and_dropped_without_reload(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A newly chosen battery gets its device and entities on every platform."""
    powerhaus = next(
        item
        for item in mock_config_entry.data[CONF_BATTERIES]
        if item["device_sn"] == POWERHAUS_SN
    )
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_BATTERIES: [powerhaus]}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    coordinator = mock_config_entry.runtime_data.coordinator
    assert device_registry.async_get_device({(DOMAIN, DL5_SN)}) is None

    await _choose(hass, mock_config_entry, [POWERHAUS_SN, DL5_SN])
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert mock_config_entry.runtime_data.coordinator is coordinator
    device = device_registry.async_get_device({(DOMAIN, DL5_SN)})
    assert device is not None
    assert _platforms_of(hass, mock_config_entry, DL5_SN) == {
        "sensor",
        "binary_sensor",
        "event",
        "update",
    }
    soc = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{DL5_SN}_state_of_charge"
    )
    assert soc is not None
    assert hass.states.get(soc).state != STATE_UNAVAILABLE  # type: ignore[union-attr]

    await _choose(hass, mock_config_entry, [POWERHAUS_SN])
    # At once, not only when the next poll brings something new.
    assert hass.states.get(soc).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    frozen.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert mock_config_entry.runtime_data.coordinator is coordinator
    assert hass.states.get(soc).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    assert await async_remove_config_entry_device(hass, mock_config_entry, device)
    requests = simulator.stats(DEFAULT_APP_ID).by_serial.get(DL5_SN, 0)
    frozen.tick(timedelta(minutes=10))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert simulator.stats(DEFAULT_APP_ID).by_serial.get(DL5_SN, 0) == requests


async def test_battery_dropped_and_chosen_again_is_read_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A battery chosen again right after it was dropped shows values at once."""
    soc = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{DL5_SN}_state_of_charge"
    )
    assert soc is not None
    frozen.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    await _choose(hass, init_integration, [POWERHAUS_SN])
    assert hass.states.get(soc).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    await _choose(hass, init_integration, [POWERHAUS_SN, DL5_SN])
    # The refresh requested right after the first one runs after its cooldown.
    frozen.tick(timedelta(seconds=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get(soc).state != STATE_UNAVAILABLE  # type: ignore[union-attr]
