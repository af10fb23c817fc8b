"""Control entities: opt-in, permissions, v2 answers, validation, cap, read-back, log."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.components.select import ATTR_OPTION, SERVICE_SELECT_OPTION
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    snapshot_platform,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.dyness.api.settings import SettingKind
from custom_components.dyness.const import (
    CONF_ALLOW_CONTROL,
    CONF_CALLS_PER_HOUR,
    DOMAIN,
    EVENT_SETTING_CHANGED,
)
from custom_components.dyness.logbook import async_describe_events
from dyness_sim import Simulator
from tests.common import find_entity, next_cycle

from .helpers import calls, settings_calls, sim_battery

JUNIOR_BOX = "Junior Box"
CYGNI = "Cygni 10.0HS-M8"
CONTROL_PLATFORMS = ("number", "select")


def _controls(hass: HomeAssistant, entry: MockConfigEntry) -> list[str]:
    """Return the entity IDs of the entry's control entities."""
    return sorted(
        item.entity_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if item.domain in CONTROL_PLATFORMS
        or item.unique_id.endswith(("_time_of_use", "_heating_periods"))
    )


def _number(hass: HomeAssistant, simulator: Simulator, model: str, key: str) -> str:
    """Return the entity ID of a battery's number control."""
    serial = sim_battery(simulator, model).device_sn
    return find_entity(hass, "number", f"{serial}_{key}")


async def _set_number(hass: HomeAssistant, entity_id: str, value: float) -> None:
    """Set a number entity through its service."""
    await hass.services.async_call(
        "number",
        SERVICE_SET_VALUE,
        {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: value},
        blocking=True,
    )


@pytest.mark.usefixtures("init_integration")
async def test_controls_of_each_family(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Junior Box, Cygni and heating battery get their controls; DL5.0C none."""
    controls = _controls(hass, mock_config_entry)
    assert len(controls) == 9
    assert not [item for item in controls if "dl5" in item]
    diagnostics = mock_config_entry.runtime_data.settings
    assert diagnostics is not None
    dl5 = sim_battery(simulator, "DL5.0C").device_sn
    assert diagnostics.as_diagnostics()["without_control"][dl5]["reason"] == (
        "not_configured"
    )
    # One read per setting group after setup, nothing written.
    assert settings_calls(simulator) == {
        "/v2/GetBaseSetting": 1,
        "/v2/GetWorkModeSetting": 2,
        "/v2/GetBatterySetting": 3,
    }


@pytest.mark.parametrize("allow_control", [False])
@pytest.mark.usefixtures("init_integration")
async def test_opt_in_off_no_entities_no_calls(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """Without the option: no control entities, no settings call, actions refuse."""
    assert _controls(hass, mock_config_entry) == []
    assert settings_calls(simulator) == {}
    device = _device_id(hass, simulator, JUNIOR_BOX)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_time_of_use",
            {"device_id": device},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "control_disabled"


@pytest.mark.parametrize("allow_control", [False])
@pytest.mark.usefixtures("init_integration")
async def test_opt_in_by_options_reloads(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """Turning the option on (and off again) reloads the entry with(out) controls."""
    for allowed, count in ((True, 9), (False, 0)):
        result = await hass.config_entries.options.async_init(
            mock_config_entry.entry_id
        )
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                "alarm_debounce": 2,
                CONF_ALLOW_CONTROL: allowed,
                CONF_CALLS_PER_HOUR: 120,
            },
        )
        await hass.async_block_till_done()
        assert mock_config_entry.state is ConfigEntryState.LOADED
        assert mock_config_entry.options[CONF_ALLOW_CONTROL] is allowed
        states = [
            entity_id
            for entity_id in _controls(hass, mock_config_entry)
            if (state := hass.states.get(entity_id)) is not None
            and state.state != STATE_UNAVAILABLE
        ]
        assert len(states) == count


async def test_view_only_key_gets_no_controls(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """operationPermission 0 in the device list: no controls and no settings call."""
    box = sim_battery(simulator, JUNIOR_BOX)
    box.operation_permission = 0
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert not [item for item in _controls(hass, mock_config_entry) if "junior" in item]
    assert calls(simulator, "/v2/GetBaseSetting") == 0
    settings = mock_config_entry.runtime_data.settings
    assert settings is not None
    refused = settings.as_diagnostics()["without_control"]
    assert refused[box.device_sn]["reason"] == "view_only"


async def test_v2_unavailable_probed_once_a_day(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A host without v2 (404): no controls; asked again only after a day."""
    simulator.v2_enabled = False
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert _controls(hass, mock_config_entry) == []
    settings = mock_config_entry.runtime_data.settings
    assert settings is not None
    reasons = {
        item["reason"] for item in settings.as_diagnostics()["without_control"].values()
    }
    assert reasons == {"v2_unavailable"}
    # One probe per device: 404 answers are not counted by path, the refusals are.
    probes = len(settings.current.refused)
    assert probes == 4
    checked = {s: r.checked_at for s, r in settings.current.refused.items()}
    for _ in range(6):
        await next_cycle(hass, frozen, 30)
    assert {s: r.checked_at for s, r in settings.current.refused.items()} == checked
    simulator.v2_enabled = True
    frozen.tick(timedelta(days=1))
    await next_cycle(hass, frozen, 30)
    assert len(_controls(hass, mock_config_entry)) == 9


async def test_validation_through_the_entity_sends_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A value off the 8 W step, or a charge limit under the depth: refused."""
    before = calls(simulator, "/v2/GetBaseSetting")
    with pytest.raises(ServiceValidationError) as err:
        await _set_number(
            hass, _number(hass, simulator, JUNIOR_BOX, "power_limit"), 156
        )
    assert err.value.translation_key == "control_not_on_step"
    assert err.value.translation_placeholders["step"] == "8"
    with pytest.raises(ServiceValidationError) as err:
        await _set_number(hass, _number(hass, simulator, CYGNI, "charge_limit"), 15)
    assert err.value.translation_key == "control_limit_below_depth"
    assert calls(simulator, "/v2/GetBaseSetting") == before
    assert not [path for path in settings_calls(simulator) if "/Set" in path]


async def test_unchanged_value_sends_nothing(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Setting the value the device reports costs one fresh read and no write."""
    await _set_number(hass, _number(hass, simulator, JUNIOR_BOX, "power_limit"), 800)
    assert calls(simulator, "/v2/SetBaseSetting") == 0


async def test_power_limit_end_to_end(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Set, read back through the lag, logged, in the logbook; the battery obeys."""
    box = sim_battery(simulator, JUNIOR_BOX)
    entity_id = _number(hass, simulator, JUNIOR_BOX, "power_limit")
    changed = async_capture_events(hass, EVENT_SETTING_CHANGED)
    caplog.set_level(logging.INFO, logger="custom_components.dyness")
    await _set_number(hass, entity_id, 400)
    assert hass.states.get(entity_id).state == "400"
    assert calls(simulator, "/v2/SetBaseSetting") == 1
    # Fresh read, then read-backs until the lagging box shows the new value.
    assert calls(simulator, "/v2/GetBaseSetting") == 4
    logged = [r.getMessage() for r in caplog.records if "Changed" in r.getMessage()]
    assert len(logged) == 1
    assert f"***{box.device_sn[-4:]}" in logged[0]
    assert box.device_sn not in caplog.text
    assert "power_limit_w=800" in logged[0]
    assert "power_limit_w=400" in logged[0]
    assert len(changed) == 1
    assert changed[0].data["old"] == "power_limit_w 800"
    assert changed[0].data["new"] == "power_limit_w 400"
    assert changed[0].data["setting"] == SettingKind.JUNIOR_BOX_BASE
    described = _describe(hass, changed[0])
    assert described["message"] == (
        "changed junior_box_base from power_limit_w 800 to power_limit_w 400"
    )
    assert described["name"] == hass.states.get(entity_id).name.removesuffix(
        " Power limit"
    )
    now = simulator.clock.now()
    box.set_soc(70.0, now)
    # From noon through the evening, when the household draws more than 400 W.
    seen = [box.latest_sample(now + timedelta(minutes=5 * step)) for step in range(144)]
    assert all(sample is not None and sample.power_w >= -400 for sample in seen)
    assert min(sample.power_w for sample in seen if sample is not None) < -300


def _describe(hass: HomeAssistant, event: Any) -> dict[str, str]:
    """Return the logbook entry of a settings change event."""
    described: dict[str, Any] = {}

    def _register(domain: str, event_type: str, describe: Any) -> None:
        assert (domain, event_type) == (DOMAIN, EVENT_SETTING_CHANGED)
        described["fn"] = describe

    async_describe_events(hass, _register)
    result: dict[str, str] = described["fn"](event)
    return result


async def test_discharge_depth_stops_discharging(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """The Junior Box stops discharging at the depth set."""
    box = sim_battery(simulator, JUNIOR_BOX)
    entity_id = _number(hass, simulator, JUNIOR_BOX, "discharge_depth")
    await _set_number(hass, entity_id, 60)
    assert hass.states.get(entity_id).state == "60"
    now = simulator.clock.now()
    box.set_soc(70.0, now)
    seen = [box.latest_sample(now + timedelta(minutes=5 * step)) for step in range(144)]
    assert min(sample.soc for sample in seen if sample is not None) >= 59.9


async def test_cygni_depth_and_work_mode(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Cygni numbers and select write their group; the device reports them."""
    cygni = sim_battery(simulator, CYGNI)
    depth = _number(hass, simulator, CYGNI, "on_grid_discharge_depth")
    await _set_number(hass, depth, 50)
    assert hass.states.get(depth).state == "50"
    stored = cygni.settings.current("battery") if cygni.settings else {}
    assert stored["onGridDischargeDod"] == "50"
    mode = find_entity(hass, "select", f"{cygni.device_sn}_work_mode")
    assert hass.states.get(mode).state == "self_use"
    await hass.services.async_call(
        "select",
        SERVICE_SELECT_OPTION,
        {ATTR_ENTITY_ID: mode, ATTR_OPTION: "economic"},
        blocking=True,
    )
    assert hass.states.get(mode).state == "economic"
    assert calls(simulator, "/v2/SetWorkModeSetting") == 1


async def test_rate_cap_says_when(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """Six writes in ten minutes pass; the seventh says when the next may go."""
    entity_id = _number(hass, simulator, JUNIOR_BOX, "power_limit")
    for step in range(6):
        await _set_number(hass, entity_id, 400 + 8 * step)
    with pytest.raises(ServiceValidationError) as err:
        await _set_number(hass, entity_id, 152)
    assert err.value.translation_key == "control_rate_capped"
    assert 0 < int(err.value.translation_placeholders["seconds"]) <= 600
    assert err.value.translation_placeholders["time"].count(":") == 2
    assert calls(simulator, "/v2/SetBaseSetting") == 6
    assert hass.states.get(entity_id).state == "440"


async def test_read_back_mismatch_shows_device_value(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A device that keeps reporting the old value: translated error, old value shown."""
    box = sim_battery(simulator, JUNIOR_BOX)
    assert box.settings is not None
    box.settings.lag = timedelta(minutes=5)
    entity_id = _number(hass, simulator, JUNIOR_BOX, "power_limit")
    with pytest.raises(HomeAssistantError) as err:
        await _set_number(hass, entity_id, 480)
    assert err.value.translation_key == "control_read_back"
    assert "800" in err.value.translation_placeholders["reported"]
    assert hass.states.get(entity_id).state == "800"


@pytest.mark.parametrize("platforms", [[Platform.NUMBER], [Platform.SELECT]])
async def test_snapshot_controls(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
) -> None:
    """Number and select entities of the Junior Box and the Cygni."""
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_snapshot_schedule_sensors(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    snapshot: SnapshotAssertion,
) -> None:
    """The time-of-use and heating sensors, with the schedules as attributes."""
    entity_ids = [
        item for item in _controls(hass, init_integration) if item.startswith("sensor.")
    ]
    assert len(entity_ids) == 3
    assert [hass.states.get(item) for item in entity_ids] == snapshot


def _device_id(hass: HomeAssistant, simulator: Simulator, model: str) -> str:
    """Return the device registry ID of a simulated battery."""
    serial = sim_battery(simulator, model).device_sn
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, serial)})
    assert device is not None
    return device.id
