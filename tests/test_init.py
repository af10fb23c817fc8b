"""Tests for setting up and unloading the integration."""

from __future__ import annotations

from dataclasses import replace

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness import async_remove_config_entry_device
from custom_components.dyness.const import (
    CALLS_PER_HOUR,
    CONF_ALARM_DEBOUNCE,
    CONF_ALLOW_CONTROL,
    CONF_CALLS_PER_HOUR,
    DOMAIN,
)
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import DL5_SN, POWERHAUS_MODULE_SNS, POWERHAUS_SN


@pytest.mark.usefixtures("frozen")
async def test_load_unload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The entry loads and unloads cleanly."""
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.coordinator.data.batteries
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


@pytest.mark.parametrize(
    "fault",
    [
        Fault(kind="html", count=100),
        Fault(kind="http429", count=100),
        Fault(kind="truncated", count=100),
        Fault(kind="code500", info="Device connection timed out", count=100),
    ],
)
async def test_setup_retry(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    fault: Fault,
) -> None:
    """A failing first refresh means: retry later."""
    simulator.add_fault(fault)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_auth_failed(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A refused key at start-up asks the user to re-authenticate."""
    simulator.add_fault(Fault(kind="auth", count=100))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_unreachable_cloud(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    unused_tcp_port_factory: object,
) -> None:
    """A closed port is a connection error: retry later."""
    port = unused_tcp_port_factory()  # type: ignore[operator]
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=mock_config_entry.unique_id,
        data={**mock_config_entry.data, "base_url": f"http://127.0.0.1:{port}"},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.usefixtures("frozen")
async def test_options_change_applies_without_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Neither new options nor other entry updates reload the entry."""
    coordinator = init_integration.runtime_data.coordinator
    hass.config_entries.async_update_entry(init_integration, title="Renamed")
    await hass.async_block_till_done()
    assert init_integration.runtime_data.coordinator is coordinator
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ALARM_DEBOUNCE: 4}
    )
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.options == {
        CONF_ALARM_DEBOUNCE: 4,
        CONF_ALLOW_CONTROL: False,
        CONF_CALLS_PER_HOUR: CALLS_PER_HOUR.default,
    }
    assert init_integration.runtime_data.coordinator is coordinator
    assert init_integration.runtime_data.alarms.debounce == 4


def _device(hass: HomeAssistant, entry: MockConfigEntry, serial: str) -> dr.DeviceEntry:
    """Return (creating if needed) the device of a serial in the entry."""
    return dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, serial)}
    )


@pytest.mark.usefixtures("frozen")
async def test_remove_devices(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Only devices that no configured, reporting battery stands for can go."""
    coordinator = init_integration.runtime_data.coordinator
    reporting = _device(hass, init_integration, POWERHAUS_SN)
    module = _device(hass, init_integration, POWERHAUS_MODULE_SNS[0])
    gone = _device(hass, init_integration, "R07E0000DEADBEEF-BMS")
    assert not await async_remove_config_entry_device(hass, init_integration, reporting)
    assert not await async_remove_config_entry_device(hass, init_integration, module)
    assert await async_remove_config_entry_device(hass, init_integration, gone)
    battery = coordinator.data.batteries[DL5_SN]
    listed = replace(battery, realtime=None)
    coordinator.data.batteries[DL5_SN] = listed  # type: ignore[index]
    assert not await async_remove_config_entry_device(
        hass, init_integration, _device(hass, init_integration, DL5_SN)
    )
    silent = replace(battery, realtime=None, device=None)
    coordinator.data.batteries[DL5_SN] = silent  # type: ignore[index]
    assert await async_remove_config_entry_device(
        hass, init_integration, _device(hass, init_integration, DL5_SN)
    )


async def test_remove_devices_while_not_loaded(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Without polling, configured batteries stay and everything else may go."""
    mock_config_entry.add_to_hass(hass)
    configured = _device(hass, mock_config_entry, POWERHAUS_SN)
    other = _device(hass, mock_config_entry, "R07E0000DEADBEEF-BMS")
    assert not await async_remove_config_entry_device(
        hass, mock_config_entry, configured
    )
    assert await async_remove_config_entry_device(hass, mock_config_entry, other)
