"""Schedule actions: time-of-use groups and heating periods, read and written."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.api.controls import VALIDATION_KEYS
from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .helpers import calls, sim_battery

JUNIOR_BOX = "Junior Box"
CYGNI = "Cygni 10.0HS-M8"
HEATING = "PowerBrick Plus"
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
OFF = {"enabled": False, "action": "charge", "start": "00:00", "end": "00:00"}
JUNIOR_BOX_GROUPS = [
    {
        "enabled": True,
        "action": "charge",
        "start": "08:00",
        "end": "17:00",
        "power": 800,
        "days": EVERY_DAY,
    },
    {
        "enabled": True,
        "action": "discharge",
        "start": "17:00",
        "end": "23:00",
        "power": 300,
        "days": EVERY_DAY,
    },
    {**OFF, "power": 0, "days": []},
    {**OFF, "power": 0, "days": []},
]


def _device(hass: HomeAssistant, simulator: Simulator, model: str) -> str:
    """Return the device registry ID of a simulated battery."""
    serial = sim_battery(simulator, model).device_sn
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, serial)})
    assert device is not None
    return device.id


async def _call(
    hass: HomeAssistant, service: str, data: dict[str, Any]
) -> dict[str, Any] | None:
    """Call one of the integration's actions."""
    response = await hass.services.async_call(
        DOMAIN,
        service,
        data,
        blocking=True,
        return_response=service.startswith("get_"),
    )
    return dict(response) if response is not None else None


@pytest.mark.usefixtures("init_integration")
async def test_get_time_of_use(hass: HomeAssistant, simulator: Simulator) -> None:
    """The Junior Box's four groups come back as response data."""
    response = await _call(
        hass,
        "get_time_of_use",
        {"device_id": _device(hass, simulator, JUNIOR_BOX)},
    )
    assert response == {"groups": JUNIOR_BOX_GROUPS}


@pytest.mark.usefixtures("init_integration")
async def test_same_schedule_sends_nothing(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """The schedule the device already runs is not written again."""
    await _call(
        hass,
        "set_time_of_use",
        {
            "device_id": _device(hass, simulator, JUNIOR_BOX),
            "groups": JUNIOR_BOX_GROUPS,
        },
    )
    assert calls(simulator, "/v2/SetWorkModeSetting") == 0


@pytest.mark.usefixtures("init_integration")
async def test_junior_box_group_written_with_the_others(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A changed third group goes out with all four; the sensor shows the device's."""
    device = _device(hass, simulator, JUNIOR_BOX)
    night = {
        "enabled": True,
        "action": "charge",
        "start": "23:00",
        "end": "05:00",
        "power": 600,
        "days": ["sat", "sun"],
    }
    groups = [*JUNIOR_BOX_GROUPS[:2], night, JUNIOR_BOX_GROUPS[3]]
    await _call(hass, "set_time_of_use", {"device_id": device, "groups": groups})
    assert calls(simulator, "/v2/SetWorkModeSetting") == 1
    assert await _call(hass, "get_time_of_use", {"device_id": device}) == {
        "groups": groups
    }
    box = sim_battery(simulator, JUNIOR_BOX)
    state = hass.states.get(
        f"sensor.junior_box_{box.device_sn[-8:-4].lower()}_time_of_use_groups"
    )
    assert state is not None
    assert state.state == "3"
    assert state.attributes["groups"][2] == night


@pytest.mark.usefixtures("init_integration")
async def test_cygni_charge_window_charges_from_grid(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A Cygni night window charges from the grid at its power, up to its limit."""
    cygni = sim_battery(simulator, CYGNI)
    device = _device(hass, simulator, CYGNI)
    night = {
        "enabled": True,
        "action": "charge",
        "start": "00:00",
        "end": "06:00",
        "power": 3000,
        "days": EVERY_DAY,
        "depth": 20,
        "charge_limit": 80,
    }
    await _call(
        hass,
        "set_time_of_use",
        {"device_id": device, "groups": [night], "work_mode": "economic"},
    )
    response = await _call(hass, "get_time_of_use", {"device_id": device})
    assert response is not None
    assert response["work_mode"] == "economic"
    assert response["groups"][0] == night
    now = simulator.clock.now()
    cygni.set_soc(40.0, now)
    seen = [
        sample
        for step in range(12 * 24)
        if (sample := cygni.latest_sample(now + timedelta(minutes=5 * step)))
        is not None
    ]
    # The evening empties the battery; from midnight it charges to its limit.
    window = [
        s for s in seen if s.at.astimezone(cygni.station.timezone).hour in range(6)
    ]
    assert max(s.power_w for s in window) == pytest.approx(3000, abs=1)
    assert 75 < max(s.soc for s in window) <= 80.1


JB_BAD_GROUP = {**JUNIOR_BOX_GROUPS[0]}


def _jb(group: dict[str, Any], *, count: int = 4) -> dict[str, Any]:
    """Return Junior Box service data with its first group replaced."""
    return {"groups": [group, *JUNIOR_BOX_GROUPS[1:]][:count]}


CYGNI_GROUP = {
    "enabled": True,
    "action": "charge",
    "start": "01:00",
    "end": "03:00",
    "power": 2000,
    "days": EVERY_DAY,
    "depth": 20,
    "charge_limit": 90,
}
WARM = {
    "enabled": True,
    "start": "00:00",
    "end": "06:00",
    "min_temperature": 10,
    "max_temperature": 15,
    "days": EVERY_DAY,
}

# Action, model, data and the translation key of the refusal.
REFUSALS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "action": "x"}),
        "control_bad_choice",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "days": ["funday"]}),
        "control_bad_days",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "start": "8h"}),
        "control_bad_time",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "end": "08:00"}),
        "control_empty_window",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "depth": 20}),
        "control_field_not_supported",
    ),
    ("set_time_of_use", JUNIOR_BOX, _jb(JB_BAD_GROUP, count=2), "control_group_count"),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "end": "18:00"}),
        "control_groups_overlap",
    ),
    (
        "set_time_of_use",
        CYGNI,
        {"groups": [{**CYGNI_GROUP, "charge_limit": 15}]},
        "control_limit_below_depth",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "days": []}),
        "control_no_days",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "power": "lots"}),
        "control_not_a_number",
    ),
    (
        "set_time_of_use",
        JUNIOR_BOX,
        _jb({**JB_BAD_GROUP, "power": 900}),
        "control_out_of_range",
    ),
    (
        "set_time_of_use",
        CYGNI,
        {"groups": [{**CYGNI_GROUP, "depth": 5}]},
        "control_out_of_range",
    ),
    ("set_heating_periods", JUNIOR_BOX, {"periods": [WARM]}, "control_not_supported"),
    (
        "set_heating_periods",
        HEATING,
        {"periods": [{**WARM, "max_temperature": 16, "min_temperature": 12}]},
        "control_temperature_gap",
    ),
    ("set_heating_periods", HEATING, {"periods": [WARM] * 5}, "control_group_count"),
]


@pytest.mark.parametrize(("service", "model", "data", "key"), REFUSALS)
@pytest.mark.usefixtures("init_integration")
async def test_refusals_send_nothing(
    hass: HomeAssistant,
    simulator: Simulator,
    service: str,
    model: str,
    data: dict[str, Any],
    key: str,
) -> None:
    """Each broken rule: a translated refusal, and no call at all."""
    before = simulator.stats(DEFAULT_APP_ID).requests
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass, service, {"device_id": _device(hass, simulator, model), **data}
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert key in VALIDATION_KEYS
    assert simulator.stats(DEFAULT_APP_ID).requests == before


@pytest.mark.usefixtures("init_integration")
async def test_device_without_controls(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, simulator: Simulator
) -> None:
    """A device v2 does not configure, or no Dyness battery: translated refusals."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass, "get_time_of_use", {"device_id": _device(hass, simulator, "DL5.0C")}
        )
    assert err.value.translation_key == "control_no_settings"
    assert err.value.translation_placeholders == {"reason": "not_configured"}
    other = dr.async_get(hass).async_get_or_create(
        config_entry_id=mock_config_entry.entry_id, identifiers={("other", "x")}
    )
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "get_heating_periods", {"device_id": "nope"})
    assert err.value.translation_key == "control_unknown_device"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "get_heating_periods", {"device_id": other.id})
    assert err.value.translation_key == "control_no_settings"
