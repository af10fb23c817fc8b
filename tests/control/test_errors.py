"""Settings errors: translated for the user; a failed read keeps the last value."""

from __future__ import annotations

from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.number import ATTR_VALUE, SERVICE_SET_VALUE
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.api import (
    DynessApiError,
    DynessBudgetError,
    DynessError,
)
from custom_components.dyness.api.exceptions import (
    DynessNotConfiguredError,
    DynessPermissionError,
    DynessValidationError,
)
from custom_components.dyness.api.settings_client import SettingsClient
from custom_components.dyness.control_errors import translated
from dyness_sim import Simulator
from tests.common import find_entity, next_cycle

from .helpers import calls, sim_battery


@pytest.mark.parametrize(
    ("error", "key", "validation"),
    [
        (
            DynessValidationError("control_no_days", {"group": "1"}),
            "control_no_days",
            True,
        ),
        (DynessPermissionError("no"), "control_unavailable", False),
        (DynessNotConfiguredError("no"), "control_unavailable", False),
        (DynessBudgetError(30.0), "control_busy", False),
        (DynessApiError("500", "Invalid Parameter"), "control_failed", False),
    ],
)
def test_translated(error: DynessError, key: str, validation: bool) -> None:
    """Refusals of the request are validation errors; failures of the call are not."""
    err = translated(error)
    assert err.translation_key == key
    assert isinstance(err, ServiceValidationError) is validation


async def test_permission_refused_on_write(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Simulator
) -> None:
    """A key that lost control answers 401 to the write: translated, value kept."""
    box = sim_battery(simulator, "Junior Box")
    box.operation_permission = 0
    entity_id = find_entity(hass, "number", f"{box.device_sn}_power_limit")
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            "number",
            SERVICE_SET_VALUE,
            {ATTR_ENTITY_ID: entity_id, ATTR_VALUE: 400},
            blocking=True,
        )
    assert err.value.translation_key == "control_unavailable"
    assert err.value.translation_placeholders == {"reason": "permission"}
    assert hass.states.get(entity_id).state == "800"


async def test_failed_read_keeps_last_value(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """A glitch in a 30-minute read keeps every entity's last value."""
    box = sim_battery(simulator, "Junior Box")
    entity_id = find_entity(hass, "number", f"{box.device_sn}_power_limit")
    with patch.object(
        SettingsClient, "read", side_effect=DynessApiError("500", "busy")
    ):
        await next_cycle(hass, frozen, 31)
    assert hass.states.get(entity_id).state == "800"
    settings = init_integration.runtime_data.settings
    assert settings is not None
    assert settings.as_diagnostics()["without_control"].keys() == {
        sim_battery(simulator, "DL5.0C").device_sn
    }
    before = calls(simulator, "/v2/GetBaseSetting")
    await next_cycle(hass, frozen, 31)
    assert calls(simulator, "/v2/GetBaseSetting") == before + 1
