"""Benchmark: setup-to-all-states time and steady-state calls per battery-hour.

Both are measured against the local simulator.

Run: .venv/bin/python scripts/bench_setup.py [--hours 24]
"""

from __future__ import annotations

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# What the harness's pytest plugin does first: make Home Assistant's clocks
# (dt_util.utcnow, the event helpers' clock) ones that freezegun can move, or
# the steady-state run moves the simulator's time but not the integration's.
import pytest_homeassistant_custom_component.patch_time  # noqa: F401  # isort: skip

# Our package next, or the harness's own custom_components package shadows it.
import custom_components.dyness  # noqa: F401  # isort: skip

import argparse
import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
import logging
import time
from typing import Any
from unittest.mock import patch

import aiohttp
from freezegun import freeze_time
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.dyness.api import CallScheduler
from custom_components.dyness.const import DOMAIN
from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET

START = datetime(2026, 6, 21, 4, 0, 0, tzinfo=UTC)


class BenchError(Exception):
    """A measurement could not be taken; the message says why."""


def _entry(sim: Simulator) -> MockConfigEntry:
    """Return a config entry for every battery of the default account."""
    batteries = [
        {
            "device_sn": device.device_sn,
            "dongle_sn": device.collector_sn,
            "model": device.model_name,
            "model_code": str(device.model_code),
        }
        for device in sim.account(DEFAULT_APP_ID).devices
    ]
    return MockConfigEntry(
        domain=DOMAIN,
        unique_id=DEFAULT_APP_ID,
        title="Dyness bench",
        data={
            "api_id": DEFAULT_APP_ID,
            "api_secret": DEFAULT_APP_SECRET,
            "region": "europe",
            "base_url": sim.base_url,
            "batteries": batteries,
        },
    )


def _states_ready(hass: HomeAssistant, entry: MockConfigEntry) -> tuple[int, int]:
    """Return (enabled entities, entities with a known state)."""
    # An event entity's state stays unknown until its first event: that is normal.
    entities = [
        e
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if not e.disabled_by and e.domain != "event"
    ]
    known = [
        e
        for e in entities
        if (state := hass.states.get(e.entity_id))
        and state.state not in ("unknown", "unavailable")
    ]
    return len(entities), len(known)


def _session() -> aiohttp.ClientSession:
    """Return a plain client session for the integration.

    Home Assistant's shared session needs the network and zeroconf integrations
    for its resolver, which the bare test instance does not load.
    """
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True))


async def measure_setup(runs: int, max_seconds: float) -> list[float]:
    """Set the entry up `runs` times in real time; return seconds to all states."""
    timings = []
    for run in range(1, runs + 1):
        sim = Simulator.default(clock=SimClock.real())
        await sim.start(host="127.0.0.1", port=0)
        session = _session()
        try:
            with patch(
                "custom_components.dyness.helpers.async_get_clientsession",
                return_value=session,
            ):
                async with async_test_home_assistant() as hass:
                    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                    entry = _entry(sim)
                    entry.add_to_hass(hass)
                    began = time.perf_counter()
                    if not await hass.config_entries.async_setup(entry.entry_id):
                        raise BenchError(f"run {run}: setup failed ({entry.state})")
                    while True:
                        total, known = _states_ready(hass, entry)
                        if total and total == known:
                            break
                        if time.perf_counter() - began > max_seconds:
                            raise BenchError(
                                f"run {run}: only {known} of {total} entities had a "
                                f"state after {max_seconds:.0f} s"
                            )
                        await asyncio.sleep(0.01)
                    timings.append(time.perf_counter() - began)
                    await hass.config_entries.async_unload(entry.entry_id)
                    await hass.async_stop(force=True)
        finally:
            await session.close()
            await sim.stop()
    return timings


async def measure_steady_state(hours: int) -> dict[str, Any]:
    """Poll for `hours` of frozen, jumped time; return the calls made."""
    with freeze_time(START) as frozen:

        async def _sleep(seconds: float) -> None:
            frozen.tick(timedelta(seconds=seconds))
            await asyncio.sleep(0)

        sim = Simulator.default(clock=SimClock.real())
        await sim.start(host="127.0.0.1", port=0)
        session = _session()
        with (
            patch(
                "custom_components.dyness.helpers.CallScheduler",
                partial(
                    CallScheduler,
                    sleep=_sleep,
                    monotonic=lambda: frozen().timestamp(),
                ),
            ),
            patch(
                "custom_components.dyness.helpers.async_get_clientsession",
                return_value=session,
            ),
        ):
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                entry = _entry(sim)
                entry.add_to_hass(hass)
                if not await hass.config_entries.async_setup(entry.entry_id):
                    raise BenchError(f"steady state: setup failed ({entry.state})")
                await hass.async_block_till_done(wait_background_tasks=True)
                # Let the start-up calls age out of the count: measure steady state.
                frozen.tick(timedelta(minutes=30))
                sim.reset_stats()
                cycles = hours * 12
                cpu_before = time.process_time()
                # Small steps: polls follow each battery's upload, not a timer.
                for _ in range(hours * 720):
                    frozen.tick(timedelta(seconds=5))
                    async_fire_time_changed(hass)
                    await hass.async_block_till_done(wait_background_tasks=True)
                cpu = time.process_time() - cpu_before
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
        await session.close()
        stats = sim.stats(DEFAULT_APP_ID)
        await sim.stop()
    batteries = len(sim.account(DEFAULT_APP_ID).devices)
    return {
        "hours": hours,
        "batteries": batteries,
        "requests": stats.requests,
        "rejected_429": stats.rejected_429,
        "by_path": Counter(stats.by_path),
        "cpu_ms_per_cycle": 1000 * cpu / cycles,
    }


async def main() -> int:
    """Run both measurements and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=int, default=24)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--timeout", type=float, default=120, help="per setup run, in seconds"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    try:
        timings = await measure_setup(args.runs, args.timeout)
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(
        f"setup → all entities have a state: {', '.join(f'{t:.2f} s' for t in timings)}"
    )
    print(
        f"  median {sorted(timings)[len(timings) // 2]:.2f} s over {len(timings)} runs"
    )

    try:
        steady = await measure_steady_state(args.hours)
    except BenchError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if not steady["requests"]:
        print("error: no calls reached the simulator in steady state", file=sys.stderr)
        return 1
    per_battery_hour = steady["requests"] / steady["batteries"] / steady["hours"]
    print(
        f"steady state over {steady['hours']} h, {steady['batteries']} batteries: "
        f"{steady['requests']} calls, {steady['rejected_429']} answered 429"
    )
    for path, count in sorted(steady["by_path"].items()):
        print(f"  {path}: {count} ({count / steady['hours']:.1f}/h)")
    print(f"  calls per battery per hour: {per_battery_hour:.2f}")
    print(
        f"  CPU per 5 minutes (Home Assistant, integration and simulator): "
        f"{steady['cpu_ms_per_cycle']:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
