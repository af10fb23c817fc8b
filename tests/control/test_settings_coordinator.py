"""Settings reads: cadence, priority, and the translations of every control error."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.api import DynessClient
from custom_components.dyness.api.controls import VALIDATION_KEYS
from custom_components.dyness.api.scheduler import Priority
from dyness_sim import Simulator
from tests.common import next_cycle

from .helpers import settings_calls

INTEGRATION = Path(__file__).parents[2] / "custom_components" / "dyness"
RAISED = re.compile(r"\"(control_[a-z_]+)\"")


@pytest.mark.usefixtures("init_integration")
async def test_reads_every_30_minutes_at_low_priority(
    hass: HomeAssistant, simulator: Simulator, frozen: FrozenDateTimeFactory
) -> None:
    """Settings are read after setup and then every 30 minutes, at EXTRA priority."""
    first = settings_calls(simulator)
    priorities: list[Any] = []
    original = DynessClient.request

    async def _spy(self: DynessClient, path: str, *args: Any, **kwargs: Any) -> Any:
        if "Setting" in path:
            priorities.append(kwargs.get("priority"))
        return await original(self, path, *args, **kwargs)

    with patch.object(DynessClient, "request", _spy):
        await next_cycle(hass, frozen, 25)
        assert settings_calls(simulator) == first
        await next_cycle(hass, frozen, 6)
    # The DL5.0C's "not configured" is not asked again within the day.
    assert first == {
        "/v2/GetBaseSetting": 1,
        "/v2/GetWorkModeSetting": 2,
        "/v2/GetBatterySetting": 3,
    }
    assert settings_calls(simulator) == {
        "/v2/GetBaseSetting": 2,
        "/v2/GetWorkModeSetting": 4,
        "/v2/GetBatterySetting": 5,
    }
    assert set(priorities) == {Priority.EXTRA}


async def test_unload_stops_reads(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
) -> None:
    """An unloaded entry reads no settings."""
    await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    before = settings_calls(simulator)
    await next_cycle(hass, frozen, 31)
    assert settings_calls(simulator) == before


def _raised_keys() -> set[str]:
    """Return every control_* key the integration's code can raise."""
    keys = set(VALIDATION_KEYS)
    for source in INTEGRATION.rglob("*.py"):
        keys.update(RAISED.findall(source.read_text()))
    return keys


@pytest.mark.parametrize("language", ["en", "de", "fr"])
def test_every_control_key_translated(language: str) -> None:
    """Every control error has a message in each language."""
    texts = json.loads((INTEGRATION / "translations" / f"{language}.json").read_text())
    keys = _raised_keys()
    assert len(keys) > len(VALIDATION_KEYS)
    missing = {key for key in keys if key not in texts["exceptions"]}
    assert not missing
