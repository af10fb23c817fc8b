"""Tests for module devices, SUB changes, unknown models and the plausibility guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import HomeAssistant
from homeassistant.helpers import (
    device_registry as dr,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)

from custom_components.dyness.api import DynessClient
from custom_components.dyness.api.const import PATH_REALTIME
from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DL5_MODULE_SNS

from .common import next_cycle, sensor_id

type Edit = Callable[[str, list[dict[str, Any]]], None]


@pytest.fixture
def edits(monkeypatch: pytest.MonkeyPatch) -> list[Edit]:
    """Let a test rewrite `realTime/data` point lists after they cross the wire."""
    found: list[Edit] = []
    original = DynessClient.request

    async def _request(
        self: DynessClient,
        path: str,
        payload: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Any:
        data = await original(self, path, payload, **kwargs)
        if path == PATH_REALTIME and isinstance(data, list) and payload:
            for edit in found:
                edit(payload["deviceSn"], data)
        return data

    monkeypatch.setattr(DynessClient, "request", _request)
    return found


def _set_point(serial: str, point_id: str, value: str) -> Edit:
    """Return an edit that sets one point of one device."""

    def _edit(device_sn: str, points: list[dict[str, Any]]) -> None:
        if device_sn == serial:
            for item in points:
                if item["pointId"] == point_id:
                    item["pointValue"] = value

    return _edit


def _dl5(simulator: Simulator) -> str:
    """Return the DL5.0C master serial of the default scenario."""
    return next(
        device.device_sn
        for device in simulator.account(DEFAULT_APP_ID).devices
        if device.model_name == "DL5.0C"
    )


async def test_module_missing_from_sub_keeps_last_values(
    hass: HomeAssistant,
    edits: list[Edit],
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A module missing from SUB for a cycle keeps its device and last values."""
    entity_id = sensor_id(hass, f"{DL5_MODULE_SNS[2]}_state_of_charge")
    before = hass.states.get(entity_id)
    assert before is not None
    assert before.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    master = _dl5(simulator)

    def _drop_third(device_sn: str, points: list[dict[str, Any]]) -> None:
        if device_sn == master:
            for item in points:
                if item["pointId"] == "SUB":
                    item["pointValue"] = ",".join(DL5_MODULE_SNS[:2])

    edits.append(_drop_third)
    await next_cycle(hass, frozen)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)
    edits.clear()
    await next_cycle(hass, frozen)
    assert hass.states.get(entity_id).state != STATE_UNAVAILABLE  # type: ignore[union-attr]


async def test_module_added_later_without_reload(
    hass: HomeAssistant,
    edits: list[Edit],
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A module that appears in SUB later becomes a device at the next poll."""
    master = _dl5(simulator)

    def _hide_third(device_sn: str, points: list[dict[str, Any]]) -> None:
        if device_sn == master:
            for item in points:
                if item["pointId"] == "SUB":
                    item["pointValue"] = ",".join(DL5_MODULE_SNS[:2])

    edits.append(_hide_third)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert device_registry.async_get_device({(DOMAIN, DL5_MODULE_SNS[2])}) is None
    edits.clear()
    await next_cycle(hass, frozen)
    device = device_registry.async_get_device({(DOMAIN, DL5_MODULE_SNS[2])})
    assert device is not None
    assert device.name == "DL5.0C C730 module 3"
    master_device = device_registry.async_get_device({(DOMAIN, master)})
    assert master_device is not None
    assert device.via_device_id == master_device.id
    assert mock_config_entry.state is ConfigEntryState.LOADED
    state = hass.states.get(sensor_id(hass, f"{DL5_MODULE_SNS[2]}_state_of_charge"))
    assert state is not None
    assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


async def test_modules_remembered_across_restarts(
    hass: HomeAssistant,
    edits: list[Edit],
    mock_config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Modules seen before a restart are polled even when SUB is null (Q10)."""
    master = _dl5(simulator)
    hass_storage[f"{DOMAIN}.{mock_config_entry.entry_id}.modules"] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{mock_config_entry.entry_id}.modules",
        "data": {master: list(DL5_MODULE_SNS)},
    }

    def _null_sub(device_sn: str, points: list[dict[str, Any]]) -> None:
        if device_sn == master:
            for item in points:
                if item["pointId"] == "SUB":
                    item["pointValue"] = None

    edits.append(_null_sub)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    for module_sn in DL5_MODULE_SNS:
        assert device_registry.async_get_device({(DOMAIN, module_sn)}) is not None


async def test_new_modules_are_stored(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    hass_storage: dict[str, Any],
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """The union of every SUB seen is written to storage."""
    await next_cycle(hass, frozen)
    stored = hass_storage[f"{DOMAIN}.{init_integration.entry_id}.modules"]["data"]
    assert stored[_dl5(simulator)] == list(DL5_MODULE_SNS)


async def _set_up_unknown_model(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Make the first battery a model the table does not know, and set up."""
    battery = simulator.account(DEFAULT_APP_ID).devices[0]
    battery.spec = replace(battery.spec, name="Helios 5", code=999)
    batteries = [
        {**item, "model": "Helios 5", "model_code": "999"}
        if item["device_sn"] == battery.device_sn
        else item
        for item in mock_config_entry.data["batteries"]
    ]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data={**mock_config_entry.data, "batteries": batteries},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()


async def test_empty_first_answer_leaves_detection_open(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    edits: list[Edit],
) -> None:
    """A `200` without points decides no layout; the next sample gets the sensors."""
    battery = simulator.account(DEFAULT_APP_ID).devices[0]
    emptied: set[str] = set()

    def _empty_once(device_sn: str, points: list[dict[str, Any]]) -> None:
        if device_sn == battery.device_sn and device_sn not in emptied:
            emptied.add(device_sn)
            points.clear()

    edits.append(_empty_once)
    await _set_up_unknown_model(hass, mock_config_entry, simulator)
    assert emptied
    await next_cycle(hass, frozen)
    state = hass.states.get(sensor_id(hass, f"{battery.device_sn}_state_of_charge"))
    assert state is not None
    assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


async def test_unknown_model_raises_one_repair(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    issue_registry: ir.IssueRegistry,
) -> None:
    """An unknown model still gets sensors, and exactly one repair issue."""
    battery = simulator.account(DEFAULT_APP_ID).devices[0]
    await _set_up_unknown_model(hass, mock_config_entry, simulator)
    for _ in range(3):
        await next_cycle(hass, frozen)
    issues = [
        i
        for i in issue_registry.issues.values()
        if i.domain == DOMAIN and i.translation_key == "unknown_model"
    ]
    assert len(issues) == 1
    assert issues[0].translation_key == "unknown_model"
    assert issues[0].translation_placeholders == {
        "model": "Helios 5",
        "code": "999",
        "layout": "lv_bms",
    }
    state = hass.states.get(sensor_id(hass, f"{battery.device_sn}_state_of_charge"))
    assert state is not None
    assert state.state not in (STATE_UNAVAILABLE, STATE_UNKNOWN)


async def test_implausible_value_is_dropped_and_logged_once(
    hass: HomeAssistant,
    edits: list[Edit],
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A SOC of 146 % becomes unknown, is logged once and kept for diagnostics."""
    master = _dl5(simulator)
    entity_id = sensor_id(hass, f"{master}_state_of_charge")
    edits.append(_set_point(master, "800", "146"))
    for _ in range(3):
        await next_cycle(hass, frozen)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN  # type: ignore[union-attr]
    assert caplog.text.count("Ignoring implausible value '146' of point 800") == 1
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.rejections.rejected[master] == {"800": "146"}
    edits.clear()
    await next_cycle(hass, frozen)
    assert hass.states.get(entity_id).state != STATE_UNKNOWN  # type: ignore[union-attr]
