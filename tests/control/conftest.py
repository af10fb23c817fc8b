"""Fixtures of the control tests: a cloud with a Junior Box, a Cygni and heating."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.const import CONF_ALLOW_CONTROL, CONF_CALLS_PER_HOUR
from dyness_sim import Simulator
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    Account,
)
from dyness_sim.scenarios import model_battery
from tests.conftest import SleepFn

CONTROL_MODELS = ("Junior Box", "Cygni 10.0HS-M8", "PowerBrick Plus", "DL5.0C")


@pytest.fixture
async def simulator(
    frozen: FrozenDateTimeFactory, socket_enabled: None
) -> AsyncIterator[Simulator]:
    """Run a cloud with v2 settings for a Junior Box, a Cygni, heating and a DL5.0C."""
    sim = Simulator(
        [
            Account(
                DEFAULT_APP_ID,
                DEFAULT_APP_SECRET,
                [model_battery(key) for key in CONTROL_MODELS],
            ),
            Account(EMPTY_APP_ID, EMPTY_APP_SECRET, []),
        ],
        v2_enabled=True,
        per_hour=None,
        per_second=None,
    )
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


@pytest.fixture
def allow_control() -> bool:
    """Return whether the entry allows control (overridden per test)."""
    return True


@pytest.fixture
def mock_config_entry(
    mock_config_entry: MockConfigEntry, allow_control: bool
) -> MockConfigEntry:
    """Return the simulator's entry with control allowed or not.

    Four batteries, one of them a Cygni, need 60 calls an hour for their own
    data alone: the key's budget is set higher, so setup's reads all fit.
    """
    return MockConfigEntry(
        domain=mock_config_entry.domain,
        title=mock_config_entry.title,
        unique_id=mock_config_entry.unique_id,
        data=dict(mock_config_entry.data),
        options={CONF_ALLOW_CONTROL: allow_control, CONF_CALLS_PER_HOUR: 120},
    )


@pytest.fixture(autouse=True)
def read_back_moves_time(tick_sleep: SleepFn) -> Iterator[None]:
    """Let read-back waits move frozen time instead of waiting."""
    with patch("custom_components.dyness.settings_coordinator.SLEEP", tick_sleep):
        yield
