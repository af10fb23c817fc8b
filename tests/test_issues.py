"""Tests for the repair issues: battery offline and cell imbalance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness.api import RealtimeSnapshot
from custom_components.dyness.const import DOMAIN
from custom_components.dyness.data import BatteryData
from custom_components.dyness.families import Metric
from custom_components.dyness.issues import BatteryIssues, issue_id
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import DL5_SN, POWERHAUS_SN

pytestmark = pytest.mark.usefixtures("frozen")


async def _cycles(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, count: int = 1
) -> None:
    """Run `count` five-minute polls."""
    for _ in range(count):
        frozen.tick(timedelta(minutes=5))
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


def _issue(
    hass: HomeAssistant, kind: str, entry: MockConfigEntry, serial: str
) -> ir.IssueEntry | None:
    """Return an issue of a battery, None when not raised."""
    return ir.async_get(hass).async_get_issue(DOMAIN, issue_id(kind, entry, serial))  # type: ignore[arg-type]


async def test_offline_raised_and_cleared(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """An hour without new samples raises battery_offline; new data clears it."""
    simulator.add_fault(Fault(kind="offline", sn=POWERHAUS_SN, count=100_000))
    await _cycles(hass, frozen, 11)
    assert _issue(hass, "battery_offline", init_integration, POWERHAUS_SN) is None
    await _cycles(hass, frozen, 2)
    issue = _issue(hass, "battery_offline", init_integration, POWERHAUS_SN)
    assert issue is not None
    assert issue.translation_key == "battery_offline"
    assert issue.translation_placeholders == {"name": "PowerHaus B415"}
    assert issue.severity is ir.IssueSeverity.WARNING
    assert not issue.is_fixable
    assert _issue(hass, "battery_offline", init_integration, DL5_SN) is None
    simulator.clear_faults()
    await _cycles(hass, frozen, 1)
    assert _issue(hass, "battery_offline", init_integration, POWERHAUS_SN) is None


async def test_offline_when_the_cloud_has_no_data(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A battery the cloud answers with errors for over an hour is offline too."""
    simulator.add_fault(
        Fault(
            kind="code500",
            info="Device connection timed out",
            path="realTime/data",
            sn=POWERHAUS_SN,
            count=100_000,
        )
    )
    await _cycles(hass, frozen, 13)
    assert _issue(hass, "battery_offline", init_integration, POWERHAUS_SN)


async def test_cloud_failure_is_not_a_battery_issue(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """While the cloud itself fails, no battery is declared offline."""
    simulator.add_fault(Fault(kind="html", count=100_000))
    await _cycles(hass, frozen, 14)
    assert _issue(hass, "battery_offline", init_integration, POWERHAUS_SN) is None


async def test_cell_imbalance_raised_and_cleared(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A spread above 20 mV for over an hour below full charge raises the issue."""
    fake: dict[str, float] = {"spread": 0.030, "soc": 50.0}
    original = BatteryData.number

    def number(self: BatteryData, metric: Metric) -> float | None:
        """Return a forced cell spread and SOC."""
        if metric is Metric.CELL_VOLTAGE_MAX:
            return 3.3 + fake["spread"]
        if metric is Metric.CELL_VOLTAGE_MIN:
            return 3.3
        if metric is Metric.SOC:
            return fake["soc"]
        return original(self, metric)

    with patch.object(BatteryData, "number", number):
        await _cycles(hass, frozen, 13)
        assert _issue(hass, "cell_imbalance", init_integration, POWERHAUS_SN) is None
        await _cycles(hass, frozen, 1)
        issue = _issue(hass, "cell_imbalance", init_integration, POWERHAUS_SN)
        assert issue is not None
        assert issue.translation_placeholders == {
            "name": "PowerHaus B415",
            "spread": "30",
            "limit": "20",
        }
        # At the top of charge balancing widens the spread: no verdict either way.
        fake["soc"] = 100.0
        await _cycles(hass, frozen, 1)
        assert _issue(hass, "cell_imbalance", init_integration, POWERHAUS_SN)
        fake.update(soc=60.0, spread=0.010)
        await _cycles(hass, frozen, 1)
        assert _issue(hass, "cell_imbalance", init_integration, POWERHAUS_SN) is None
        assert _issue(hass, "cell_imbalance", init_integration, DL5_SN) is None


async def test_issues_of_removed_batteries_and_entries(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Setup drops issues of batteries no longer configured; removal drops all."""
    mock_config_entry.add_to_hass(hass)
    for serial in ("R07E0000DEADBEEF-BMS", POWERHAUS_SN):
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id("battery_offline", mock_config_entry, serial),  # type: ignore[arg-type]
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="battery_offline",
            translation_placeholders={"name": serial},
        )
    ir.async_create_issue(
        hass,
        "other_domain",
        issue_id("battery_offline", mock_config_entry, POWERHAUS_SN),  # type: ignore[arg-type]
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="battery_offline",
    )
    ir.async_create_issue(
        hass,
        DOMAIN,
        "unrelated",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="battery_offline",
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    issues = {key for (domain, key) in ir.async_get(hass).issues if domain == DOMAIN}
    prefix = f"battery_offline_{mock_config_entry.entry_id}_"
    # The PowerHaus reports again, so its leftover issue is cleared too.
    assert issues == {"unrelated"}
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{prefix}{DL5_SN}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="battery_offline",
    )
    assert await hass.config_entries.async_remove(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    issues = {key for (domain, key) in ir.async_get(hass).issues if domain == DOMAIN}
    assert issues == {"unrelated"}


def _battery(points: dict[str, str], template: BatteryData) -> BatteryData:
    """Return a battery with the given master points."""
    snapshot = RealtimeSnapshot.from_api(
        "X-BMS",
        [{"pointId": key, "pointValue": value} for key, value in points.items()],
    )
    return BatteryData(
        config=template.config, detection=template.detection, realtime=snapshot
    )


async def test_spread_and_name_helpers(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """The spread comes from the family's points; names fall back to the model."""
    template = init_integration.runtime_data.coordinator.data.batteries[POWERHAUS_SN]
    assert _battery({"1300": "3.412", "1500": "3.389"}, template).cell_spread_mv == 23
    assert _battery({"1300": "3.412"}, template).cell_spread_mv is None
    issues = BatteryIssues(hass, init_integration)  # type: ignore[arg-type]
    stranger: Any = BatteryData(
        config=type(template.config)(device_sn="R07E00000000ABCD-BMS", model="DL5.0C"),
        detection=template.detection,
    )
    assert issues._name(stranger) == "DL5.0C ABCD"
    assert issues._name(template) == "PowerHaus B415"
    # A point list without a sample time neither starts nor clears anything.
    issues._check_offline(_battery({"800": "50"}, template), dt_util.utcnow())
    assert _issue(hass, "battery_offline", init_integration, POWERHAUS_SN) is None
