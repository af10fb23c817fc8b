"""Tests for the alarm and flag binary sensors and the Problem sensor."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from types import MappingProxyType
from typing import Any
from unittest.mock import AsyncMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.dyness.api import DynessClient, RealtimeSnapshot
from custom_components.dyness.const import CONF_ALARM_DEBOUNCE, DOMAIN
from custom_components.dyness.data import ModuleData
from custom_components.dyness.families import Family, FamilyKey
from custom_components.dyness.model_table import Detection, Method, ModelRow
from dyness_sim import Simulator

from .common import battery_serial, find_entity, next_cycle

# Family A: 22 documented bits + the 4100 flag, the overall Alarm, 4 BMS flags.
FAMILY_A_ENTITIES = 23 + 1 + 4


def _state(hass: HomeAssistant, platform: str, unique_id: str) -> Any:
    """Return the state object of a unique ID."""
    state = hass.states.get(find_entity(hass, platform, unique_id))
    assert state is not None
    return state


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("platforms", [[Platform.BINARY_SENSOR]], ids=["platform"])
async def test_binary_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    device_registry: dr.DeviceRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Every family A battery gets its alarm bits, the Alarm and the flags."""
    await next_cycle(hass, frozen)
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    all_devices = dr.async_entries_for_config_entry(
        device_registry, init_integration.entry_id
    )
    devices = [device for device in all_devices if device.via_device_id is None]
    modules = [device for device in all_devices if device.via_device_id is not None]
    assert len(devices) == len(init_integration.data["batteries"])
    # LV modules carry alarm code 1, alarm code 2 and the protection code.
    assert len(modules) == 3
    for device in modules:
        own = [entry for entry in entries if entry.device_id == device.id]
        assert len(own) == 3
    for device in devices:
        own = [entry for entry in entries if entry.device_id == device.id]
        assert len(own) == FAMILY_A_ENTITIES
        problems = [entry for entry in own if entry.original_device_class == "problem"]
        assert len(problems) == 24
        assert all(
            entry.entity_category == "diagnostic"
            for entry in problems
            if not entry.unique_id.endswith("_alarm")
        )
    assert len(entries) == FAMILY_A_ENTITIES * len(devices) + 3 * len(modules)


async def test_protection_is_immediate(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A protection bit turns its sensor, the Alarm and the Problem on at once."""
    serial = battery_serial(init_integration)
    other = battery_serial(init_integration, 1)
    key = f"{serial}_cell_under_voltage_protection"
    assert _state(hass, "binary_sensor", key).state == STATE_OFF
    assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_OFF
    assert _state(hass, "sensor", f"{serial}_problem").state == "ok"
    simulator.device(serial).force_bit("protect1", 4)
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", key).state == STATE_ON
    assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_ON
    problem = _state(hass, "sensor", f"{serial}_problem")
    assert problem.state == "protection"
    assert problem.attributes["conditions"] == ["Cell under-voltage protection"]
    # The BMS's overall flag (4100) follows; as a summary it is debounced.
    await next_cycle(hass, frozen)
    assert _state(hass, "sensor", f"{serial}_problem").attributes["conditions"] == [
        "Cell under-voltage protection",
        "Overall alarm flag",
    ]
    # The other battery is untouched.
    assert _state(hass, "binary_sensor", f"{other}_alarm").state == STATE_OFF
    simulator.device(serial).force_bit("protect1", 4, active=False)
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", key).state == STATE_OFF
    assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_OFF
    assert _state(hass, "sensor", f"{serial}_problem").state == "ok"


async def test_warning_needs_two_distinct_samples(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A warning shows only on its second sample; re-polls do not count."""
    serial = battery_serial(init_integration)
    key = f"{serial}_cell_temperature_imbalance_warning"
    coordinator = init_integration.runtime_data.coordinator
    simulator.device(serial).force_bit("alarm2", 7)
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", key).state == STATE_OFF
    # Polling the same sample again (same T) is not a second sample.
    for _ in range(2):
        frozen.tick(timedelta(seconds=5))
        await coordinator.async_refresh()
        await hass.async_block_till_done()
        assert _state(hass, "binary_sensor", key).state == STATE_OFF
    assert _state(hass, "sensor", f"{serial}_problem").state == "ok"
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", key).state == STATE_ON
    assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_ON
    problem = _state(hass, "sensor", f"{serial}_problem")
    assert problem.state == "warning"
    assert problem.attributes["conditions"] == ["Cell temperature imbalance warning"]


@pytest.mark.parametrize("debounce", [1, 3])
async def test_debounce_option(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    debounce: int,
) -> None:
    """The option sets how many samples a warning must hold."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, options={CONF_ALARM_DEBOUNCE: debounce}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    serial = battery_serial(mock_config_entry)
    key = f"{serial}_charge_overcurrent_warning"
    simulator.device(serial).force_bit("alarm2", 6)
    for _ in range(debounce - 1):
        await next_cycle(hass, frozen)
        assert _state(hass, "binary_sensor", key).state == STATE_OFF
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", key).state == STATE_ON


async def test_flicker_raises_nothing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A warning that is set every other sample never turns on."""
    serial = battery_serial(init_integration)
    key = f"{serial}_mosfet_high_temperature_warning"
    battery = simulator.device(serial)
    for sample in range(6):
        battery.force_bit("alarm1", 1, active=sample % 2 == 0)
        await next_cycle(hass, frozen)
        assert _state(hass, "binary_sensor", key).state == STATE_OFF
        assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_OFF


async def test_top_of_charge_is_balancing(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """High-voltage warnings at 100 % with charging disabled are balancing."""
    serial = battery_serial(init_integration)
    battery = simulator.device(serial)
    battery.set_soc(100, simulator.clock.now())
    battery.force_bit("alarm1", 5)
    battery.force_bit("alarm1", 7)
    for _ in range(3):
        await next_cycle(hass, frozen)
        assert _state(hass, "binary_sensor", f"{serial}_charging_allowed").state == (
            STATE_OFF
        )
        high = _state(hass, "binary_sensor", f"{serial}_cell_high_voltage_warning")
        assert high.state == STATE_OFF
        assert high.attributes["balancing"] is True
        pack = _state(hass, "binary_sensor", f"{serial}_pack_high_voltage_warning")
        assert pack.state == STATE_OFF
        assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_OFF
        problem = _state(hass, "sensor", f"{serial}_problem")
        assert problem.state == "balancing"
        assert problem.attributes["conditions"] == []
        assert problem.attributes["balancing"] == [
            "Cell high voltage warning",
            "Pack high voltage warning",
        ]


async def test_flags_follow_the_status_byte(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """Charging/discharging allowed and force charge show bits 4008/4007/4005-6."""
    serial = battery_serial(init_integration)
    assert _state(hass, "binary_sensor", f"{serial}_charging_allowed").state == STATE_ON
    assert _state(hass, "binary_sensor", f"{serial}_discharging_allowed").state == (
        STATE_ON
    )
    simulator.device(serial).set_soc(5, simulator.clock.now())
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", f"{serial}_discharging_allowed").state == (
        STATE_OFF
    )
    assert _state(hass, "binary_sensor", f"{serial}_force_charge").state == STATE_ON


def _module_snapshot(serial: str, at: str, protection: int) -> RealtimeSnapshot:
    """Return a module sample with its three fault codes."""
    return RealtimeSnapshot.from_api(
        serial,
        [
            {"pointId": "T", "pointValue": at},
            {"pointId": "14300", "pointValue": "0"},
            {"pointId": "15200", "pointValue": "0"},
            {"pointId": "16300", "pointValue": str(protection)},
        ],
    )


async def _set_module(
    hass: HomeAssistant, entry: MockConfigEntry, module: ModuleData | None
) -> None:
    """Give the first battery one module (or none) in the coordinator's data."""
    coordinator = entry.runtime_data.coordinator
    data = coordinator.data
    serial = battery_serial(entry)
    battery = data.batteries[serial]
    modules = {} if module is None else {module.serial: module}
    coordinator.async_set_updated_data(
        replace(
            data,
            batteries={**data.batteries, serial: replace(battery, modules=modules)},
        )
    )
    await hass.async_block_till_done()


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_module_alarms(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    device_registry: dr.DeviceRegistry,
) -> None:
    """Module codes become sensors on the module's device, added when it appears."""
    serial = battery_serial(init_integration)
    module_sn = "0106032412230990"
    assert (
        er.async_get(hass).async_get_entity_id(
            "binary_sensor", DOMAIN, f"{module_sn}_protection_code"
        )
        is None
    )
    module = ModuleData(
        serial=module_sn,
        index=1,
        realtime=_module_snapshot(module_sn, "2026-06-21 10:00:00", 0),
    )
    await _set_module(hass, init_integration, module)
    state = _state(hass, "binary_sensor", f"{module_sn}_protection_code")
    assert state.state == STATE_OFF
    assert state.attributes["code"] == 0
    entry = er.async_get(hass).async_get(state.entity_id)
    assert entry is not None
    device = device_registry.async_get(entry.device_id or "")
    assert device is not None
    assert device.identifiers == {(DOMAIN, module_sn)}
    parent = device_registry.async_get_device(identifiers={(DOMAIN, serial)})
    assert parent is not None
    assert device.via_device_id == parent.id
    assert device.name.endswith("module 1")  # type: ignore[union-attr]
    warning = _state(hass, "binary_sensor", f"{module_sn}_alarm_code_1")
    assert warning.attributes == {
        **warning.attributes,
        "balancing": False,
        "code": 0,
    }

    await _set_module(
        hass,
        init_integration,
        replace(module, realtime=_module_snapshot(module_sn, "2026-06-21 10:05:00", 8)),
    )
    state = _state(hass, "binary_sensor", f"{module_sn}_protection_code")
    assert state.state == STATE_ON
    assert state.attributes["code"] == 8
    assert _state(hass, "binary_sensor", f"{serial}_alarm").state == STATE_ON
    problem = _state(hass, "sensor", f"{serial}_problem")
    assert problem.state == "protection"
    assert problem.attributes["conditions"] == ["Protection code (module 1)"]

    await _set_module(hass, init_integration, replace(module, realtime=None))
    assert (
        _state(hass, "binary_sensor", f"{module_sn}_protection_code").state
        == STATE_UNAVAILABLE
    )
    await _set_module(hass, init_integration, None)
    assert (
        _state(hass, "binary_sensor", f"{module_sn}_protection_code").state
        == STATE_UNAVAILABLE
    )


def _tower_pro_snapshot(serial: str) -> RealtimeSnapshot:
    """Return a full Tower Pro at the top of charge with 4402 and register 3 set."""
    points = {"T": "2026-06-21 10:00:00", "1400": "100", "2000": "0.0"}
    points |= {str(4400 + 100 * n): "0" for n in range(6)}
    points |= {"4400": "2", "4600": "5"}
    return RealtimeSnapshot.from_api(
        serial,
        [{"pointId": key, "pointValue": value} for key, value in points.items()],
    )


def _detection(family: Family) -> Detection:
    """Return a final detection of a family."""
    row = ModelRow(name="Test model", family=family)
    return Detection(family=family, row=row, method=Method.MODEL, final=True)


async def test_tower_pro(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A Tower Pro gets its two known bits and six register sensors, no flags."""
    family = Family(key=FamilyKey.HV_TOWER_PRO, points=MappingProxyType({}))
    mock_config_entry.add_to_hass(hass)
    with (
        patch(
            "custom_components.dyness.coordinator.detect",
            return_value=_detection(family),
        ),
        patch.object(
            DynessClient,
            "get_realtime_data",
            AsyncMock(side_effect=_tower_pro_snapshot),
        ),
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    serial = battery_serial(mock_config_entry)
    registry = er.async_get(hass)
    keys = {
        entry.unique_id.removeprefix(f"{serial}_")
        for entry in er.async_entries_for_config_entry(
            registry, mock_config_entry.entry_id
        )
        if entry.unique_id.startswith(serial) and entry.domain == "binary_sensor"
    }
    assert keys == {
        "alarm",
        "cell_voltage_high_level_1",
        "charge_temperature_high_level_1",
        *(f"alarm_register_{n}" for n in range(1, 7)),
    }
    register = _state(hass, "binary_sensor", f"{serial}_alarm_register_3")
    assert register.name.endswith("Alarm register 3")
    assert register.state == STATE_ON
    assert register.attributes["code"] == 5
    first = _state(hass, "binary_sensor", f"{serial}_alarm_register_1")
    assert first.state == STATE_OFF
    assert first.attributes["code"] == 0
    high = _state(hass, "binary_sensor", f"{serial}_cell_voltage_high_level_1")
    assert high.state == STATE_OFF
    assert high.attributes["balancing"] is True
    problem = _state(hass, "sensor", f"{serial}_problem")
    assert problem.state == "warning"
    assert problem.attributes == {
        **problem.attributes,
        "conditions": ["Alarm register 3"],
        "balancing": ["Cell voltage high (level 1)"],
    }


async def test_no_alarm_entities_without_a_table(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A family without documented alarms (Cygni) gets no alarm entity."""
    family = Family(key=FamilyKey.CYGNI, points=MappingProxyType({}))
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.dyness.coordinator.detect", return_value=_detection(family)
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    entries = er.async_entries_for_config_entry(
        er.async_get(hass), mock_config_entry.entry_id
    )
    assert entries
    assert not [
        entry for entry in entries if entry.domain in ("binary_sensor", "event")
    ]
    assert not [entry for entry in entries if entry.unique_id.endswith("_problem")]


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_module_sensors_after_family_change(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
) -> None:
    """A late family change drops the module's tracker: its sensors go unknown."""
    serial = battery_serial(init_integration)
    module_sn = "0106032412230991"
    module = ModuleData(
        serial=module_sn,
        index=2,
        realtime=_module_snapshot(module_sn, "2026-06-21 10:00:00", 1),
    )
    await _set_module(hass, init_integration, module)
    key = f"{module_sn}_protection_code"
    assert _state(hass, "binary_sensor", key).state == STATE_ON
    coordinator = init_integration.runtime_data.coordinator
    data = coordinator.data
    battery = data.batteries[serial]
    tower = Family(key=FamilyKey.HV_TOWER, points=MappingProxyType({}))
    coordinator.async_set_updated_data(
        replace(
            data,
            batteries={
                **data.batteries,
                serial: replace(battery, detection=_detection(tower)),
            },
        )
    )
    await hass.async_block_till_done()
    state = _state(hass, "binary_sensor", key)
    assert state.state == STATE_UNKNOWN
    assert "code" not in state.attributes
    assert _state(hass, "sensor", f"{serial}_problem").state == "ok"

    coordinator.async_set_updated_data(
        replace(
            data, batteries={k: v for k, v in data.batteries.items() if k != serial}
        )
    )
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor", key).state == STATE_UNAVAILABLE
    coordinator.last_update_success = False
    coordinator.async_update_listeners()
    await hass.async_block_till_done()
    assert _state(hass, "binary_sensor", key).state == STATE_UNAVAILABLE


async def test_debounce_option_change_applies_without_reload(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
) -> None:
    """A new debounce counts from the running streak: no reload, no new baseline.

    A reload would take the warning already set as its silent baseline: it would
    turn on without the alarm_raised event.
    """
    serial = battery_serial(init_integration)
    runtime = init_integration.runtime_data
    protection = f"{serial}_pack_over_voltage_protection"
    simulator.device(serial).force_bit("protect1", 7)
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", protection).state == STATE_ON
    key = f"{serial}_cell_low_voltage_warning"
    simulator.device(serial).force_bit("alarm1", 4)
    await next_cycle(hass, frozen)
    # One sample of the default two: not on yet.
    assert _state(hass, "binary_sensor", key).state == STATE_OFF
    hass.config_entries.async_update_entry(
        init_integration, options={CONF_ALARM_DEBOUNCE: 3}
    )
    await hass.async_block_till_done()
    assert init_integration.runtime_data is runtime
    assert runtime.alarms.debounce == 3
    await next_cycle(hass, frozen)
    # Two samples of now three.
    assert _state(hass, "binary_sensor", key).state == STATE_OFF
    events = _state(hass, "event", f"{serial}_alarm_events")
    await next_cycle(hass, frozen)
    assert _state(hass, "binary_sensor", key).state == STATE_ON
    assert _state(hass, "binary_sensor", protection).state == STATE_ON
    fired = _state(hass, "event", f"{serial}_alarm_events")
    assert fired.state != events.state
    assert fired.attributes["condition"] == "cell_low_voltage_warning"


# Re-typed from docs/api.md §9: simulator byte, bit, pointNameCn, entity key, kind.
FAMILY_A_END_TO_END = [
    ("alarm1", 0, "单芯电压一致性告警", "cell_voltage_imbalance_warning", "warning"),
    ("alarm1", 1, "MOSFET高温", "mosfet_high_temperature_warning", "warning"),
    ("alarm1", 2, "单芯温度低温", "cell_low_temperature_warning", "warning"),
    ("alarm1", 3, "单芯温度高温", "cell_high_temperature_warning", "warning"),
    ("alarm1", 4, "单芯电压低压", "cell_low_voltage_warning", "warning"),
    ("alarm1", 5, "单芯电压高压", "cell_high_voltage_warning", "warning"),
    ("alarm1", 6, "模块总压低压", "pack_low_voltage_warning", "warning"),
    ("alarm1", 7, "模块总压高压", "pack_high_voltage_warning", "warning"),
    ("alarm2", 4, "内部通信错误", "internal_communication_error", "warning"),
    ("alarm2", 5, "放电过流告警", "discharge_overcurrent_warning", "warning"),
    ("alarm2", 6, "充电过流告警", "charge_overcurrent_warning", "warning"),
    (
        "alarm2",
        7,
        "单芯温度一致性告警",
        "cell_temperature_imbalance_warning",
        "warning",
    ),
    ("protect1", 1, "MOSFET过温", "mosfet_over_temperature_protection", "protection"),
    ("protect1", 2, "单芯温度欠温", "cell_under_temperature_protection", "protection"),
    ("protect1", 3, "单芯温度过温", "cell_over_temperature_protection", "protection"),
    ("protect1", 4, "单芯电压欠压", "cell_under_voltage_protection", "protection"),
    ("protect1", 5, "单芯电压过压", "cell_over_voltage_protection", "protection"),
    ("protect1", 6, "模块总压欠压", "pack_under_voltage_protection", "protection"),
    ("protect1", 7, "模块总压过压", "pack_over_voltage_protection", "protection"),
    ("protect2", 3, "系统故障保护", "system_fault_protection", "fault"),
    ("protect2", 5, "放电过流保护", "discharge_overcurrent_protection", "protection"),
    ("protect2", 6, "充电过流保护", "charge_overcurrent_protection", "protection"),
]
BYTE_POINTS = {"alarm1": 3200, "alarm2": 3300, "protect1": 3400, "protect2": 3500}


@pytest.mark.parametrize(
    ("byte", "bit", "label", "key", "kind"),
    FAMILY_A_END_TO_END,
    ids=[row[3] for row in FAMILY_A_END_TO_END],
)
async def test_each_family_a_bit_end_to_end(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    simulator: Simulator,
    byte: str,
    bit: int,
    label: str,
    key: str,
    kind: str,
) -> None:
    """Forcing one bit in the simulator turns on exactly its entity."""
    serial = battery_serial(init_integration)
    coordinator = init_integration.runtime_data.coordinator
    simulator.device(serial).force_bit(byte, bit)
    samples = 2 if kind == "warning" else 1
    for _ in range(samples):
        await next_cycle(hass, frozen)
    snapshot = coordinator.data.batteries[serial].realtime
    point = str(BYTE_POINTS[byte] + bit + 1)
    assert snapshot.points[point].name_cn == label
    on = {
        entry.unique_id.removeprefix(f"{serial}_")
        for entry in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
        if entry.domain == "binary_sensor"
        and entry.unique_id.startswith(serial)
        and hass.states.get(entry.entity_id).state == STATE_ON  # type: ignore[union-attr]
    }
    # The simulator raises the overall flag 4100 with any protection (debounced).
    assert on - {"charging_allowed", "discharging_allowed", "overall_alarm"} == {
        key,
        "alarm",
    }
    assert _state(hass, "sensor", f"{serial}_problem").state == kind
