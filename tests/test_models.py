"""One test per simulated model: detection, devices and every entity's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from dyness_sim import ALL_MODELS, Simulator

from .common import FOUNDATION

# Simulated model → the layout it must be detected as (docs/api.md §8, §11).
EXPECTED_LAYOUT = {
    "PowerHaus": "lv_bms",
    "DL5.0C": "lv_bms",
    "PowerBox Pro": "lv_bms",
    "PowerDepot G2": "lv_bms",
    "Junior Box": "junior_box",
    "PowerBox G2 variant A": "lv_bms",
    "PowerBox G2 variant B": "lv_5digit",
    "PowerBrick variant A": "lv_bms",
    "PowerBrick variant B": "lv_5digit",
    "PowerBrick SC": "lv_5digit",
    "PowerBrick Plus": "lv_5digit",
    "Tower T14": "hv_tower",
    "Tower T21": "hv_tower",
    "Tower Pro TP7": "hv_tower_pro",
    "STACK100-7S": "stack100",
    "Cygni 10.0HS-M8": "cygni",
}

# Per layout: foundation sensors that must exist, and those that must not.
FOUNDATION_A = FOUNDATION

_ALWAYS = {
    "battery_power",
    "battery_current",
    "battery_status",
    "state_of_charge",
    "state_of_health",
    "pack_voltage",
    "max_charge_current",
    "max_discharge_current",
    "communication_status",
    "firmware_version",
    "signal_strength",
    "last_data_update",
}
FOUNDATION = {
    "lv_bms": FOUNDATION_A,
    "junior_box": FOUNDATION_A,
    "hv_tower": _ALWAYS
    | {
        "cell_voltage_max",
        "cell_voltage_min",
        "cell_voltage_spread",
        "cell_temperature_max",
        "cell_temperature_min",
        "alarm_status",
    },
    "lv_5digit": (_ALWAYS - {"state_of_health"})
    | {
        "cell_voltage_max",
        "cell_voltage_min",
        "cell_voltage_spread",
        "charge_voltage_upper",
        "charge_voltage_lower",
        "cell_temperature_max",
        "cell_temperature_min",
        "mosfet_temperature",
        "bms_temperature_max",
        "bms_temperature_min",
    },
    "cygni": _ALWAYS,
}
FOUNDATION["stack100"] = FOUNDATION["hv_tower"]
# The Tower Pro has no overall alarm point, only its alarm registers (§8.4).
FOUNDATION["hv_tower_pro"] = FOUNDATION["hv_tower"] - {"alarm_status"}
EXTRAS = {
    # Family A masters list their cycle count (900) but leave it empty in every
    # capture (docs/api.md §8.2): no entity; the modules carry cycles.
    "lv_bms": {"rated_energy", "remaining_energy", "module_count"},
    "junior_box": {"pv_voltage", "pv_current", "pv_power", "output_power"},
    "hv_tower": {"cycles", "rated_energy", "remaining_energy", "module_count"},
    "lv_5digit": {"cycles", "rated_energy", "remaining_energy"},
    "cygni": {"pv_power", "grid_power", "load_power", "battery_temperature"},
}
EXTRAS["hv_tower_pro"] = EXTRAS["stack100"] = EXTRAS["hv_tower"]


@pytest.fixture
async def simulator(
    request: pytest.FixtureRequest,
    frozen: FrozenDateTimeFactory,
    socket_enabled: None,
) -> AsyncIterator[Simulator]:
    """Run a simulator that holds one battery of the requested model."""
    sim = Simulator.single(request.param)
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


def _state(hass: HomeAssistant, entry: er.RegistryEntry) -> dict[str, Any]:
    """Return the parts of an entity that a user sees."""
    state = hass.states.get(entry.entity_id)
    if state is None:
        return {"disabled": True, "category": entry.entity_category}
    return {
        "state": state.state,
        "unit": state.attributes.get("unit_of_measurement"),
        "device_class": state.attributes.get("device_class"),
        "state_class": state.attributes.get("state_class"),
        "category": entry.entity_category,
    }


@pytest.mark.parametrize("simulator", ALL_MODELS, indirect=True)
async def test_model(
    hass: HomeAssistant,
    simulator: Simulator,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
    request: pytest.FixtureRequest,
) -> None:
    """Each model is detected right and gets complete, plausible entities."""
    model = simulator.batteries[0].model_name
    frozen.tick(timedelta(minutes=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    coordinator = init_integration.runtime_data.coordinator
    (battery,) = coordinator.data.batteries.values()
    layout = str(battery.family.key)
    assert layout == EXPECTED_LAYOUT[request.node.callspec.params["simulator"]]
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    own = {
        entry.unique_id.removeprefix(f"{battery.serial}_")
        for entry in entries
        if entry.unique_id.startswith(f"{battery.serial}_")
    }
    missing = (FOUNDATION[layout] | EXTRAS[layout]) - own
    assert not missing, f"{model}: {sorted(missing)}"
    assert not (FOUNDATION_A - FOUNDATION[layout]) & own
    modules = [
        device
        for device in dr.async_entries_for_config_entry(
            device_registry, init_integration.entry_id
        )
        if device.via_device_id is not None
    ]
    assert len(modules) == len(battery.modules)
    for entry in entries:
        if entry.disabled_by is None:
            state = hass.states.get(entry.entity_id)
            assert state is not None
            assert state.state != STATE_UNAVAILABLE, entry.entity_id
    assert {
        entry.unique_id.replace(battery.serial, "<battery>"): _state(hass, entry)
        for entry in sorted(entries, key=lambda entry: entry.unique_id)
    } == snapshot
