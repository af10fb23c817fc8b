"""Fixtures for the Dyness integration tests."""

from __future__ import annotations

# Imported first: otherwise the harness's own custom_components package shadows ours.
import custom_components.dyness  # isort: skip

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any
from unittest.mock import PropertyMock, patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.dyness.api import CallScheduler
from custom_components.dyness.const import (
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BASE_URL,
    CONF_BATTERIES,
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    CONF_MODEL,
    CONF_MODEL_CODE,
    CONF_REGION,
    DOMAIN,
)
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load the integration from custom_components."""


@pytest.fixture
def entity_registry_enabled_by_default() -> Iterator[None]:
    """Create every entity enabled, including those disabled by default."""
    with patch(
        "homeassistant.helpers.entity.Entity.entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Return snapshots with Home Assistant's serializer.

    `object_id_base` and `suggested_object_id` exist only in newer registries;
    leaving them out keeps one set of snapshots valid on every Home Assistant
    release CI runs.
    """
    return snapshot.use_extension(HomeAssistantSnapshotExtension).with_defaults(
        exclude=props("object_id_base", "suggested_object_id")
    )


@pytest.fixture
def frozen(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Freeze time at a fixed instant; simulator and client both follow it."""
    freezer.move_to(START)
    return freezer


type SleepFn = Callable[[float], Coroutine[Any, Any, None]]


@pytest.fixture
def tick_sleep(frozen: FrozenDateTimeFactory) -> SleepFn:
    """Return a sleep that moves frozen time on instead of waiting."""

    async def _sleep(seconds: float) -> None:
        frozen.tick(seconds)
        await asyncio.sleep(0)

    return _sleep


@pytest.fixture(autouse=True)
def scheduler_follows_frozen_time(
    request: pytest.FixtureRequest,
) -> Iterator[None]:
    """Run the integration's scheduler on frozen time in tests that freeze it.

    Spacing then advances frozen time, and the hourly window counts frozen
    seconds, so results do not depend on how fast the machine runs the test.
    """
    if "frozen" not in request.fixturenames:
        yield
        return
    sleep: SleepFn = request.getfixturevalue("tick_sleep")
    frozen: FrozenDateTimeFactory = request.getfixturevalue("frozen")
    with patch(
        "custom_components.dyness.helpers.CallScheduler",
        partial(CallScheduler, sleep=sleep, monotonic=lambda: frozen().timestamp()),
    ):
        yield


@pytest.fixture(autouse=True)
async def fresh_connections(
    request: pytest.FixtureRequest,
) -> AsyncIterator[None]:
    """Use a session without pooled connections where time is frozen.

    Jumping frozen time fires the simulator's keep-alive timers, so a pooled
    connection could be closed under a request; production keeps HA's session.
    """
    if "frozen" not in request.fixturenames:
        yield
        return
    session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))
    with patch(
        "custom_components.dyness.helpers.async_get_clientsession", return_value=session
    ):
        yield
    await session.close()


@pytest.fixture
async def simulator(
    frozen: FrozenDateTimeFactory, socket_enabled: None
) -> AsyncIterator[Simulator]:
    """Run the Dyness cloud simulator on loopback, on the frozen clock."""
    sim = Simulator.default()
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


@pytest.fixture
async def single(
    request: pytest.FixtureRequest,
    frozen: FrozenDateTimeFactory,
    socket_enabled: None,
) -> AsyncIterator[Simulator]:
    """Run a simulator that holds one battery of the requested model."""
    sim = Simulator.single(request.param)
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


@pytest.fixture
def batteries(simulator: Simulator) -> list[dict[str, Any]]:
    """Return the stored form of the simulator's default batteries."""
    return [
        {
            CONF_DEVICE_SN: device.device_sn,
            CONF_DONGLE_SN: device.collector_sn,
            CONF_MODEL: device.model_name,
            CONF_MODEL_CODE: str(device.model_code),
        }
        for device in simulator.account(DEFAULT_APP_ID).devices
    ]


@pytest.fixture
def mock_config_entry(
    simulator: Simulator, batteries: list[dict[str, Any]]
) -> MockConfigEntry:
    """Return a config entry pointing at the simulator."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Dyness {DEFAULT_APP_ID[-4:]}",
        unique_id=DEFAULT_APP_ID,
        data={
            CONF_API_ID: DEFAULT_APP_ID,
            CONF_API_SECRET: DEFAULT_APP_SECRET,
            CONF_REGION: "europe",
            CONF_BASE_URL: simulator.base_url,
            CONF_BATTERIES: batteries,
        },
    )


@pytest.fixture
def platforms() -> list[Platform] | None:
    """Return the platforms to set up; None for all (override per test module)."""
    return None


@pytest.fixture
async def init_integration(
    hass: HomeAssistant,
    mock_config_entry: MockConfigEntry,
    platforms: list[Platform] | None,
) -> MockConfigEntry:
    """Set up the integration against the simulator."""
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.dyness.PLATFORMS",
        platforms if platforms is not None else custom_components.dyness.PLATFORMS,
    ):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    return mock_config_entry
