"""Insights in Home Assistant: the home battery, time to go, efficiency, outliers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, UnitOfTime
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.const import DOMAIN
from custom_components.dyness.insight_book import InsightBook
from custom_components.dyness.insights.outliers import OutlierMonitor
from custom_components.dyness.insights.time_to_go import TUNING, PowerTrend
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import DL5_SN, POWERHAUS_SN

from .common import entry_for, next_cycle, sensor_id

pytestmark = pytest.mark.usefixtures("frozen")


def _book(entry: MockConfigEntry) -> InsightBook:
    """Return the entry's insight book."""
    book: InsightBook = entry.runtime_data.insights
    return book


def _number(hass: HomeAssistant, entity_id: str) -> float:
    """Return a sensor's numeric state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


def _state(hass: HomeAssistant, entity_id: str) -> str:
    """Return a sensor's state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def _home(hass: HomeAssistant, entry: MockConfigEntry, key: str) -> str:
    """Return the entity ID of a home battery sensor."""
    return sensor_id(hass, f"{entry.unique_id}_home_{key}")


async def _cycles(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, count: int
) -> None:
    """Run `count` five-minute polls."""
    for _ in range(count):
        await next_cycle(hass, frozen)


async def test_home_battery_weights_mixed_capacities(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """The home SOC weighs each battery by its energy; energies and powers add up."""
    await next_cycle(hass, frozen)
    socs, rated, remaining, powers, charged = [], [], [], [], []
    for serial in (POWERHAUS_SN, DL5_SN):
        socs.append(_number(hass, sensor_id(hass, f"{serial}_state_of_charge")))
        rated.append(_number(hass, sensor_id(hass, f"{serial}_rated_energy")))
        remaining.append(_number(hass, sensor_id(hass, f"{serial}_remaining_energy")))
        powers.append(_number(hass, sensor_id(hass, f"{serial}_battery_power")))
        charged.append(_number(hass, sensor_id(hass, f"{serial}_energy_charged")))
    assert rated[0] != rated[1]
    weighted = sum(s * r for s, r in zip(socs, rated, strict=True)) / sum(rated)
    entry = init_integration
    assert _number(hass, _home(hass, entry, "home_state_of_charge")) == pytest.approx(
        weighted, abs=0.06
    )
    # Equal weights would be visibly off.
    assert abs(weighted - sum(socs) / 2) > 0.2
    assert _number(hass, _home(hass, entry, "rated_energy")) == pytest.approx(
        sum(rated)
    )
    assert _number(hass, _home(hass, entry, "remaining_energy")) == pytest.approx(
        sum(remaining)
    )
    assert _number(hass, _home(hass, entry, "battery_power")) == pytest.approx(
        sum(powers), abs=0.1
    )
    split = _number(hass, _home(hass, entry, "charge_power")) - _number(
        hass, _home(hass, entry, "discharge_power")
    )
    assert split == pytest.approx(sum(powers), abs=0.2)
    assert _number(hass, _home(hass, entry, "energy_charged")) == pytest.approx(
        sum(charged), abs=0.001
    )
    status = _state(hass, _home(hass, entry, "battery_status"))
    assert status in ("charging", "discharging", "standby")
    soc_state = hass.states.get(_home(hass, entry, "home_state_of_charge"))
    assert soc_state is not None
    assert soc_state.attributes["missing"] == []
    device = dr.async_get(hass).async_get_device(
        identifiers={(DOMAIN, f"{entry.unique_id}_home")}
    )
    assert device is not None
    assert device.name == "Dyness home battery"


@pytest.mark.parametrize(
    ("missing", "available"), [(POWERHAUS_SN, True), (DL5_SN, False)]
)
async def test_missing_battery(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    missing: str,
    available: bool,
) -> None:
    """A stale small battery is named; a stale big one makes the home unavailable."""
    await next_cycle(hass, frozen)
    entry = init_integration
    total = _number(hass, _home(hass, entry, "energy_charged"))
    simulator.add_fault(Fault(kind="offline", sn=missing, count=100_000))
    await _cycles(hass, frozen, 8)
    soc = hass.states.get(_home(hass, entry, "home_state_of_charge"))
    assert soc is not None
    figures = _book(entry).home_figures
    assert figures is not None
    assert figures.missing == (missing,)
    other = DL5_SN if missing == POWERHAUS_SN else POWERHAUS_SN
    if available:
        assert soc.attributes["missing"] == [missing]
        assert float(soc.state) == pytest.approx(
            _number(hass, sensor_id(hass, f"{other}_state_of_charge")), abs=0.06
        )
        assert _number(hass, _home(hass, entry, "rated_energy")) == pytest.approx(20.48)
    else:
        assert soc.state == STATE_UNAVAILABLE
        assert _state(hass, _home(hass, entry, "battery_power")) == STATE_UNAVAILABLE
    # The totals never step back while a battery is missing, nor when it returns.
    during = _number(hass, _home(hass, entry, "energy_charged"))
    assert during >= total
    simulator.clear_faults()
    await _cycles(hass, frozen, 4)
    assert _number(hass, _home(hass, entry, "energy_charged")) >= during
    soc = hass.states.get(_home(hass, entry, "home_state_of_charge"))
    assert soc is not None
    assert soc.attributes.get("missing") == [], _book(entry).home_figures


@pytest.mark.parametrize("single", ["DL5.0C"], indirect=True)
async def test_single_battery_has_no_home_device(
    hass: HomeAssistant, single: Simulator, frozen: FrozenDateTimeFactory
) -> None:
    """One battery is its own home battery: no aggregate device."""
    battery = single.batteries[0]
    entry = entry_for(single)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await next_cycle(hass, frozen)
    assert (
        dr.async_get(hass).async_get_device(
            identifiers={(DOMAIN, f"{entry.unique_id}_home")}
        )
        is None
    )
    assert not [
        state
        for state in hass.states.async_all("sensor")
        if state.entity_id.startswith("sensor.dyness_home_battery")
    ]
    assert sensor_id(hass, f"{battery.device_sn}_time_to_empty")


async def test_time_to_go_follows_the_direction(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Minutes in the direction the battery moves; unknown the other way."""
    await _cycles(hass, frozen, 6)
    for serial in (POWERHAUS_SN, DL5_SN):
        full = hass.states.get(sensor_id(hass, f"{serial}_time_to_full"))
        empty = hass.states.get(sensor_id(hass, f"{serial}_time_to_empty"))
        assert full is not None
        assert empty is not None
        assert full.attributes["unit_of_measurement"] == UnitOfTime.MINUTES
        assert full.attributes["device_class"] == "duration"
        status = _state(hass, sensor_id(hass, f"{serial}_battery_status"))
        if status == "charging" and full.state != STATE_UNKNOWN:
            assert 0 <= float(full.state) <= TUNING.horizon.total_seconds() / 60
            assert empty.state == STATE_UNKNOWN
        if status == "discharging" and empty.state != STATE_UNKNOWN:
            assert 0 <= float(empty.state) <= TUNING.horizon.total_seconds() / 60
            assert full.state == STATE_UNKNOWN
        # Never both: a battery moves one way.
        assert STATE_UNKNOWN in (full.state, empty.state)


def _trend(powers: list[float], end: Any) -> PowerTrend:
    """Return a trend with one sample every 5 minutes up to `end`."""
    trend = PowerTrend()
    for index, power in enumerate(powers):
        trend.add(end - timedelta(minutes=5 * (len(powers) - 1 - index)), power)
    return trend


async def test_time_to_go_smooths_idles_turns_and_caps(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A spike barely moves it; idle and a turn make it unknown; 48 h at most."""
    await next_cycle(hass, frozen)
    book = _book(init_integration)
    insights = book.battery(DL5_SN)
    insights.time_to_go.profile = None
    empty = sensor_id(hass, f"{DL5_SN}_time_to_empty")
    full = sensor_id(hass, f"{DL5_SN}_time_to_full")
    now = dt_util.utcnow()

    async def _with(powers: list[float]) -> None:
        insights.time_to_go.trend = _trend(powers, now)
        book.async_update(init_integration.runtime_data.coordinator.data)
        await hass.async_block_till_done()

    await _with([-1000.0] * 6)
    steady = _number(hass, empty)
    assert _state(hass, full) == STATE_UNKNOWN
    await _with([-1000.0] * 5 + [-4000.0])
    assert _number(hass, empty) == pytest.approx(steady, rel=0.02)
    await _with([0.0] * 6)
    assert _state(hass, empty) == STATE_UNKNOWN
    assert _state(hass, full) == STATE_UNKNOWN
    await _with([-1000.0] * 4 + [800.0, 800.0])
    assert _state(hass, empty) == STATE_UNKNOWN
    await _with([-35.0] * 6)
    assert _number(hass, empty) == TUNING.horizon.total_seconds() / 60


async def test_outlier_repair_raised_and_cleared(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A module off its siblings raises a repair naming it; back in line, gone."""
    battery = init_integration.runtime_data.coordinator.data.batteries[DL5_SN]
    module = next(iter(battery.modules.values()))
    insights = _book(init_integration).battery(DL5_SN)
    insights.outliers = OutlierMonitor.from_dict(
        {"active": [[module.serial, "temperature"]]}
    )
    await next_cycle(hass, frozen)
    registry = ir.async_get(hass)
    found = [
        issue
        for (domain, _), issue in registry.issues.items()
        if domain == DOMAIN and issue.translation_key == "module_temperature_outlier"
    ]
    assert len(found) == 1
    placeholders = found[0].translation_placeholders or {}
    assert placeholders["module"] == f"{battery.name} module {module.index}"
    assert placeholders["margin"] == "5"
    insights.outliers = OutlierMonitor()
    await next_cycle(hass, frozen)
    assert not [
        issue
        for (domain, _), issue in registry.issues.items()
        if domain == DOMAIN and issue.translation_key == "module_temperature_outlier"
    ]


async def test_restart_keeps_efficiency_marks_and_outliers(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """What the calculators learned is stored on unload and used after the restart."""
    entry = init_integration
    await _cycles(hass, frozen, 2)
    charged = _number(hass, sensor_id(hass, f"{DL5_SN}_energy_charged"))
    discharged = _number(hass, sensor_id(hass, f"{DL5_SN}_energy_discharged"))
    modules = entry.runtime_data.coordinator.data.batteries[DL5_SN].modules
    module = next(iter(modules))
    assert await hass.config_entries.async_unload(entry.entry_id)
    key = f"{DOMAIN}.{entry.entry_id}.insights"
    stored = hass_storage[key]["data"]["batteries"][DL5_SN]
    assert stored["time_to_go"]["samples"]
    # A week ago, at every SOC in turn (one mark an hour), 10 kWh had gone in
    # and 9 kWh out since.
    start = dt_util.utcnow() - timedelta(days=7, hours=23, minutes=30)
    before = (charged - 10, discharged - 9)
    stored["round_trip"] = {
        "marks": [
            [(start + timedelta(hours=hour)).isoformat(), *before, 4.2 * hour]
            for hour in range(24)
        ]
    }
    stored["outliers"] = {"active": [[module, "cell_voltage"]]}
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await _cycles(hass, frozen, 2)
    efficiency = _number(hass, sensor_id(hass, f"{DL5_SN}_round_trip_efficiency"))
    assert efficiency == pytest.approx(90, abs=3)
    assert _book(entry).battery(DL5_SN).time_to_go.trend.samples
    # The stored verdict raises its repair again, once.
    assert [
        key
        for (domain, key), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN and issue.translation_key == "module_voltage_outlier"
    ] == [f"module_voltage_outlier_{entry.entry_id}_{DL5_SN}_{module}"]


async def test_weakest_cell_on_the_spread_sensor(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """The cell most often lowest in the week names itself on the spread sensor."""
    insights = _book(init_integration).battery(DL5_SN)
    now = dt_util.utcnow()
    for step in range(12):
        insights.weakest.add(
            now - timedelta(minutes=5 * step),
            {"2:7": 3.28 if step % 4 else 3.31, "2:3": 3.30, "1:1": 3.32},
        )
    await next_cycle(hass, frozen)
    state = hass.states.get(sensor_id(hass, f"{DL5_SN}_cell_voltage_spread"))
    assert state is not None
    assert state.attributes["weakest_cell_module"] == 2
    assert state.attributes["weakest_cell"] == 7
    assert 50 < state.attributes["weakest_cell_share"] <= 75
