"""Tests for setup: the batteries' values first, everything else behind them."""

from __future__ import annotations

from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness import _async_fill_in
from custom_components.dyness.const import DOMAIN
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DL5_MODULE_SNS,
    DL5_SN,
    POWERHAUS_MODULE_SNS,
    POWERHAUS_SN,
)

from .common import run_for, sensor_id

pytestmark = pytest.mark.usefixtures("frozen")

REALTIME = "/v1/device/realTime/data"
LIST = "/v1/device/storage/list"


async def test_setup_reads_only_the_batteries(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Setup ends after one live read per battery; the fill-in reads the rest."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.dyness._async_fill_in", AsyncMock()):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.LOADED
    stats = simulator.stats(DEFAULT_APP_ID)
    assert stats.by_call == {(REALTIME, POWERHAUS_SN): 1, (REALTIME, DL5_SN): 1}
    soc = hass.states.get(sensor_id(hass, f"{POWERHAUS_SN}_state_of_charge"))
    assert soc is not None
    assert float(soc.state) > 0

    await _async_fill_in(mock_config_entry)
    await hass.async_block_till_done()
    stats = simulator.stats(DEFAULT_APP_ID)
    assert stats.by_path[LIST] == 1
    for module in DL5_MODULE_SNS:
        assert stats.by_call[(REALTIME, module)] == 1
    # A lone module only repeats its battery.
    assert (REALTIME, POWERHAUS_MODULE_SNS[0]) not in stats.by_call
    assert stats.by_path["/v1/device/checkVersion"] == 2
    # The masters were not read again.
    assert stats.by_call[(REALTIME, POWERHAUS_SN)] == 1
    status = hass.states.get(sensor_id(hass, f"{POWERHAUS_SN}_communication_status"))
    assert status is not None
    assert status.state == "online"


async def test_flow_device_list_is_reused(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The device list the flow just read serves setup: one list call in all."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": True}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "api_id": DEFAULT_APP_ID,
            "api_secret": DEFAULT_APP_SECRET,
            "region": "europe",
            "base_url": simulator.base_url,
        },
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"batteries": [POWERHAUS_SN, DL5_SN]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert simulator.stats(DEFAULT_APP_ID).by_path[LIST] == 1
    status = hass.states.get(sensor_id(hass, f"{DL5_SN}_communication_status"))
    assert status is not None
    assert status.state == "online"


async def test_fill_in_during_an_outage_waits_for_the_batteries(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """While every battery's poll fails, modules wait; the first answer brings them."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.dyness._async_fill_in", AsyncMock()):
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    coordinator = mock_config_entry.runtime_data.coordinator
    simulator.add_fault(Fault(kind="code500", count=100_000))
    await run_for(hass, frozen, 6)
    assert coordinator.outage
    await coordinator.async_fill_in()
    await run_for(hass, frozen, 10)
    modules = [(REALTIME, module) for module in DL5_MODULE_SNS]
    stats = simulator.stats(DEFAULT_APP_ID)
    assert not any(call in stats.by_call for call in modules)
    soc = hass.states.get(sensor_id(hass, f"{DL5_SN}_state_of_charge"))
    assert soc is not None
    assert soc.state != STATE_UNAVAILABLE

    simulator.clear_faults()
    for _ in range(6 * 12):
        await run_for(hass, frozen, 5 / 60)
        if not coordinator.outage:
            break
    assert not coordinator.outage
    stats = simulator.stats(DEFAULT_APP_ID)
    assert [stats.by_call.get(call) for call in modules] == [1] * len(modules)
