"""Tests for the diagnostics download."""

from __future__ import annotations

import json

from freezegun.api import FrozenDateTimeFactory

# Imported before time is frozen: the diagnostics download imports it for the
# system info, and its models cannot be built under freezegun's datetime.
import homeassistant.components.hassio  # noqa: F401
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
)
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.dyness.api import RealtimeSnapshot
from custom_components.dyness.diagnostics import TO_REDACT, _Scrubber, _serials
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET

from .common import next_cycle

pytestmark = pytest.mark.usefixtures("frozen")


async def test_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    snapshot: SnapshotAssertion,
) -> None:
    """The download matches the snapshot and leaks no secret, serial or place."""
    await next_cycle(hass, frozen)
    coordinator = init_integration.runtime_data.coordinator
    first = init_integration.data["batteries"][0]["device_sn"]
    coordinator.rejections.rejected[first] = {"800": "250"}
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics == snapshot(exclude=props("base_url"))

    batteries = diagnostics["batteries"]
    assert isinstance(batteries, list)
    assert [battery["family"] for battery in batteries] == ["lv_bms", "lv_bms"]
    assert batteries[0]["serial"] == "**REDACTED_1**"
    assert batteries[0]["rejected"] == {"800": "250"}
    assert batteries[0]["model_row"]["family"] == "lv_bms"
    labels = {point["label"] for point in batteries[0]["points"]}
    assert "主机软件版本" in labels
    realtime = diagnostics["last_responses"]["/v1/device/realTime/data"]
    assert any(point.get("pointNameCn") for point in realtime)
    assert diagnostics["scheduler"]["calls"] > 0

    client = await hass_client()
    response = await client.get(
        f"/api/diagnostics/config_entry/{init_integration.entry_id}"
    )
    text = await response.text()
    assert json.loads(text)["data"] == diagnostics
    forbidden = [DEFAULT_APP_ID, DEFAULT_APP_SECRET]
    for battery in simulator.account(DEFAULT_APP_ID).devices:
        forbidden += [battery.device_sn, battery.collector_sn, *battery.module_sns]
        station = battery.station
        forbidden += [station.name, station.position, station.station_id]
    for secret in forbidden:
        assert secret not in text, secret
        assert secret.lower() not in text.lower(), secret


async def test_serials_from_points_and_lists() -> None:
    """Serials in point values and unconfigured list entries are replaced too."""
    scrub = _Scrubber(
        _serials(
            [],
            [
                {"list": [{"deviceSn": "R07E0000000000AA-BMS", "pageNum": 1}]},
                [{"pointId": "SUB", "pointValue": "0106000000000001,1"}],
            ],
        ),
        ["secret"],
    )
    assert scrub({"R07E0000000000AA-BMS": ["0106000000000001,1", "secret", 5]}) == {
        "**REDACTED_1**": ["**REDACTED_2**,1", "**REDACTED**", 5]
    }
    assert "stationName" in TO_REDACT


async def test_diagnostics_without_data_or_device(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    """A battery without live data or device list entry still has its section."""
    coordinator = init_integration.runtime_data.coordinator
    serial = next(iter(coordinator.data.batteries))
    battery = coordinator.data.batteries[serial]
    empty = RealtimeSnapshot.from_api(serial, [])
    coordinator.data.batteries[serial] = type(battery)(  # type: ignore[index]
        config=battery.config, detection=battery.detection, realtime=None, device=None
    )
    assert empty.timestamp is None
    assert await async_setup_component(hass, "diagnostics", {})
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    section = diagnostics["batteries"][0]
    assert section["points"] == []
    assert section["online"] is None
    assert section["sample_time"] is None
    assert section["device_list_entry"] == {}
