"""Benchmark: setup-to-all-states time and steady-state calls per battery-hour.

Both are measured against the local simulator.

Run: .venv/bin/python scripts/bench_setup.py [--hours 24]
"""

from __future__ import annotations

import bench_harness  # isort: skip  # noqa: F401 (path and clocks first)

import argparse
import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from functools import partial
import logging
import sys
import time
from typing import Any
from unittest.mock import patch

from bench_harness import entry_for, plain_session, tick_sleep
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
from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

START = datetime(2026, 6, 21, 4, 0, 0, tzinfo=UTC)


class BenchError(Exception):
    """A measurement could not be taken; the message says why."""


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


async def measure_setup(runs: int, max_seconds: float) -> list[float]:
    """Set the entry up `runs` times in real time; return seconds to all states."""
    timings = []
    for run in range(1, runs + 1):
        sim = Simulator.default(clock=SimClock.real())
        await sim.start(host="127.0.0.1", port=0)
        session = plain_session()
        try:
            with patch(
                "custom_components.dyness.helpers.async_get_clientsession",
                return_value=session,
            ):
                async with async_test_home_assistant() as hass:
                    hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                    entry = entry_for(sim)
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
        sim = Simulator.default(clock=SimClock.real())
        await sim.start(host="127.0.0.1", port=0)
        session = plain_session()
        with (
            patch(
                "custom_components.dyness.helpers.CallScheduler",
                partial(
                    CallScheduler,
                    sleep=tick_sleep(frozen),
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
                entry = entry_for(sim)
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
