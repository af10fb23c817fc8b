"""What the benchmark scripts share: import order, session, entry and clock.

Import this module first: it puts the repository on the path, makes Home
Assistant's clocks ones freezegun can move (as the harness's pytest plugin does)
and imports our package before the harness's own `custom_components` can
shadow it.
"""

from __future__ import annotations

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import pytest_homeassistant_custom_component.patch_time  # noqa: F401  # isort: skip
import custom_components.dyness  # noqa: F401  # isort: skip

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun.api import FrozenDateTimeFactory
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.api import CallScheduler
from custom_components.dyness.const import DOMAIN
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET


def plain_session() -> aiohttp.ClientSession:
    """Return a plain session (the bare test instance has no network integration)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))


def entry_for(
    sim: Simulator, title: str = "Dyness bench", calls_per_hour: int | None = None
) -> MockConfigEntry:
    """Return a config entry for every battery of the simulator's default key."""
    return MockConfigEntry(
        domain=DOMAIN,
        unique_id=DEFAULT_APP_ID,
        title=title,
        options={} if calls_per_hour is None else {"calls_per_hour": calls_per_hour},
        data={
            "api_id": DEFAULT_APP_ID,
            "api_secret": DEFAULT_APP_SECRET,
            "region": "europe",
            "base_url": sim.base_url,
            "batteries": [
                {
                    "device_sn": device.device_sn,
                    "dongle_sn": device.collector_sn,
                    "model": device.model_name,
                    "model_code": str(device.model_code),
                }
                for device in sim.account(DEFAULT_APP_ID).devices
            ],
        },
    )


def tick_sleep(frozen: FrozenDateTimeFactory) -> Callable[[float], Awaitable[None]]:
    """Return a sleep that moves frozen time on instead of waiting."""

    async def _sleep(seconds: float) -> None:
        frozen.tick(timedelta(seconds=seconds))
        await asyncio.sleep(0)

    return _sleep


@contextmanager
def frozen_cloud(
    frozen: FrozenDateTimeFactory, session: aiohttp.ClientSession, **scheduler: Any
) -> Iterator[Callable[[float], Awaitable[None]]]:
    """Run the integration's call scheduler on frozen time and its calls on `session`.

    Yields the scheduler's sleep, which moves frozen time on; `scheduler` holds
    further arguments of the call scheduler.
    """
    sleep = tick_sleep(frozen)
    with (
        patch(
            "custom_components.dyness.helpers.CallScheduler",
            partial(
                CallScheduler,
                sleep=sleep,
                monotonic=lambda: frozen().timestamp(),
                **scheduler,
            ),
        ),
        patch(
            "custom_components.dyness.helpers.async_get_clientsession",
            return_value=session,
        ),
    ):
        yield sleep
