"""Tests for the firmware update entities."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness.api import FirmwareVersions
from custom_components.dyness.const import DOMAIN
from custom_components.dyness.update import latest_offered
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DL5_SN, POWERHAUS_SN

CHECK_PATH = "/v1/device/checkVersion"


def _entity_id(hass: HomeAssistant, serial: str) -> str:
    """Return the firmware entity of a battery."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "update", DOMAIN, f"{serial}_firmware"
    )
    assert entity_id is not None
    return entity_id


def _checks(simulator: Simulator) -> int:
    """Return how many checkVersion calls the simulator saw."""
    return simulator.stats(DEFAULT_APP_ID).by_path.get(CHECK_PATH, 0)


async def _hours(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, hours: int
) -> None:
    """Move time on hour by hour, letting every timer run."""
    for _ in range(hours):
        frozen.tick(timedelta(hours=1))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


@pytest.mark.usefixtures("frozen")
async def test_firmware_without_newer_offer(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A DSP-only offer (PowerHaus) or none (DL5.0C) means: up to date."""
    assert _checks(simulator) == 2
    registry = er.async_get(hass)
    for serial in (POWERHAUS_SN, DL5_SN):
        entity_id = _entity_id(hass, serial)
        state = hass.states.get(entity_id)
        assert state is not None
        assert state.state == STATE_OFF
        installed = simulator.device(serial).firmware
        assert state.attributes["installed_version"] == installed
        assert state.attributes["latest_version"] == installed
        entry = registry.async_get(entity_id)
        assert entry is not None
        assert entry.entity_category is EntityCategory.DIAGNOSTIC
        assert entry.translation_key == "firmware"
    assert (
        hass.states.get(_entity_id(hass, POWERHAUS_SN)).attributes[  # type: ignore[union-attr]
            "supported_features"
        ]
        == 0
    )


@pytest.mark.usefixtures("frozen")
async def test_newer_bms_firmware(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A newer BMS version makes the entity show an update."""
    battery = simulator.device(POWERHAUS_SN)
    battery.spec = replace(
        battery.spec,
        latest_versions={"bmsLastedVersion": "2.50-62.0.20", "dspLastedVersion": "311"},
    )
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(_entity_id(hass, POWERHAUS_SN))
    assert state is not None
    assert state.state == STATE_ON
    assert state.attributes["latest_version"] == "2.50-62.0.20"


async def test_checked_once_a_day(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """One call per battery per day, and none for a reload."""
    assert _checks(simulator) == 2
    await _hours(hass, frozen, 23)
    assert _checks(simulator) == 2
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert _checks(simulator) == 2
    await _hours(hass, frozen, 2)
    assert _checks(simulator) == 4


async def test_failed_check_is_retried_hourly(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Without an answer the latest version is unknown until a retry succeeds."""
    simulator.add_fault(Fault(kind="code500", path="checkVersion", count=2))
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, POWERHAUS_SN)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN  # type: ignore[union-attr]
    await _hours(hass, frozen, 1)
    assert _checks(simulator) == 4
    assert hass.states.get(entity_id).state == STATE_OFF  # type: ignore[union-attr]


def test_latest_offered_is_the_bms_version() -> None:
    """Only the BMS version compares with the installed BMS firmware."""
    versions = FirmwareVersions.from_api(
        {"dspLastedVersion": "311", "armLastedVersion": "5", "mpptLastedVersion": "7"}
    )
    assert latest_offered(versions) is None
    assert latest_offered(FirmwareVersions.from_api({"bmsLastedVersion": "2"})) == "2"


@pytest.mark.usefixtures("frozen")
async def test_firmware_text_kept_as_sent(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A firmware such as "2.10" is not read as the number 2.1 (no false update)."""
    battery = simulator.device(POWERHAUS_SN)
    battery.spec = replace(battery.spec, latest_versions={"bmsLastedVersion": "2.10"})
    simulator.set_point(POWERHAUS_SN, "300", "2.10")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    state = hass.states.get(_entity_id(hass, POWERHAUS_SN))
    assert state is not None
    assert state.attributes["installed_version"] == "2.10"
    assert state.state == STATE_OFF
