"""Fixtures for the simulator tests: a started simulator on a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest

from dyness_sim import SimClock, Simulator

from .helpers import Api

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Override the integration fixture: simulator tests need no Home Assistant."""


@pytest.fixture
def sim_options() -> dict[str, Any]:
    """Return extra Simulator options; rate limits are off unless a test sets them."""
    return {}


@pytest.fixture
async def sim(
    sim_options: dict[str, Any], socket_enabled: None
) -> AsyncIterator[Simulator]:
    """Return a started default-scenario simulator on a fixed clock.

    The Home Assistant test plugin blocks sockets; `socket_enabled` lifts that
    while its allow-list still limits connections to 127.0.0.1.
    """
    options: dict[str, Any] = {"per_second": None, "per_hour": None, **sim_options}
    simulator = Simulator(clock=SimClock.fixed(START), **options)
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def api(sim: Simulator) -> AsyncIterator[Api]:
    """Return a signing client of the simulator."""
    async with aiohttp.ClientSession() as session:
        yield Api(sim, session)
