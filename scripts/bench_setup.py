"""Benchmark: how long setup takes, and steady-state calls per battery-hour.

Measured against the local simulator: the config flow and setup in simulated
time (the scheduler's spacing moves a frozen clock, a user answers each form
at once), from the first call and from the last Submit until every battery's
state of charge, power and voltage have values and until every enabled entity
has one, with the calls made up to each point; setup of a configured entry in
real time; the calls of a steady-state day.

Run: .venv/bin/python scripts/bench_setup.py [--hours 24] [--runs 3]
"""

from __future__ import annotations

import bench_harness  # isort: skip  # noqa: F401 (path and clocks first)

import argparse
import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
import sys
import time
from typing import Any
from unittest.mock import patch

from bench_harness import entry_for, frozen_cloud, plain_session
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.config_entries import SOURCE_USER, ConfigEntry
from homeassistant.core import Event, EventStateChangedData, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components import dyness
from custom_components.dyness.const import DOMAIN
from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET

START = datetime(2026, 6, 21, 4, 0, 0, tzinfo=UTC)
# Every battery has these before it counts as shown.
FIRST_VALUES = ("state_of_charge", "battery_power", "pack_voltage")
FLOW_STEP = timedelta(seconds=1)
FLOW_HORIZON = timedelta(minutes=5)
# Scenarios of the simulated flow: name → simulator factory.
FLOW_CASES: dict[str, Callable[[], Simulator]] = {
    "one PowerHaus": lambda: Simulator.single("PowerHaus", clock=SimClock.real()),
    "default account (2 batteries, 4 modules)": lambda: Simulator.default(
        clock=SimClock.real()
    ),
}


class BenchError(Exception):
    """A measurement could not be taken; the message says why."""


def _enabled_entities(hass: HomeAssistant, entry: ConfigEntry) -> list[str]:
    """Return the entry's enabled entities that should have a value."""
    # An event entity's state stays unknown until its first event: that is normal.
    return [
        e.entity_id
        for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
        if not e.disabled_by and e.domain != "event"
    ]


def _states_ready(hass: HomeAssistant, entry: ConfigEntry) -> tuple[int, int]:
    """Return (enabled entities, entities with a known state)."""
    entities = _enabled_entities(hass, entry)
    known = [
        entity_id
        for entity_id in entities
        if (state := hass.states.get(entity_id))
        and state.state not in ("unknown", "unavailable")
    ]
    return len(entities), len(known)


@dataclass(kw_only=True)
class Moment:
    """When something first happened, in simulated time, and the calls up to it."""

    at: datetime | None = None
    calls: int = 0

    def since(self, start: datetime, calls: int) -> str:
        """Return the moment as seconds and calls after a starting point."""
        if self.at is None:
            return "not reached"
        seconds = (self.at - start).total_seconds()
        return f"{seconds:5.1f} s, {self.calls - calls:2d} calls"


@dataclass(kw_only=True)
class FlowTimes:
    """The points of one simulated config flow and setup."""

    first_call: datetime
    submit: datetime
    calls_at_submit: int
    flow_done: Moment = field(default_factory=Moment)
    batteries: Moment = field(default_factory=Moment)
    everything: Moment = field(default_factory=Moment)
    total_entities: int = 0


def _battery_values_known(hass: HomeAssistant, serials: list[str]) -> bool:
    """Return whether every battery's SOC, power and voltage have values."""
    registry = er.async_get(hass)
    for serial in serials:
        for key in FIRST_VALUES:
            entity_id = registry.async_get_entity_id(
                "sensor", DOMAIN, f"{serial}_{key}"
            )
            state = hass.states.get(entity_id) if entity_id else None
            if state is None or state.state in ("unknown", "unavailable"):
                return False
    return True


async def measure_flow(make_sim: Callable[[], Simulator]) -> FlowTimes:
    """Run the config flow and setup on frozen time; return when values appeared."""
    with freeze_time(START) as frozen:
        sim = make_sim()
        await sim.start(host="127.0.0.1", port=0)
        session = plain_session()
        with frozen_cloud(frozen, session):
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                times = await _flow(hass, frozen, sim)
                for entry in hass.config_entries.async_entries(DOMAIN):
                    await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
        await session.close()
        await sim.stop()
    return times


async def _flow(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, sim: Simulator
) -> FlowTimes:
    """Answer every form at once; watch states until every entity has a value."""
    serials = [device.device_sn for device in sim.account(DEFAULT_APP_ID).devices]

    def _calls() -> int:
        return sim.stats(DEFAULT_APP_ID).requests

    flow = hass.config_entries.flow
    result = await flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": True}
    )
    first_call = dt_util.utcnow()
    result = await flow.async_configure(
        result["flow_id"],
        {
            "api_id": DEFAULT_APP_ID,
            "api_secret": DEFAULT_APP_SECRET,
            "region": "europe",
            "base_url": sim.base_url,
        },
    )
    if result.get("step_id") != "batteries":
        raise BenchError(f"flow stopped at {result.get('step_id') or result['type']}")
    times = FlowTimes(
        first_call=first_call, submit=dt_util.utcnow(), calls_at_submit=_calls()
    )
    # The first moment each entity had a value.
    known: dict[str, Moment] = {}

    def _changed(event: Event[EventStateChangedData]) -> None:
        new = event.data["new_state"]
        if new is None or new.state in ("unknown", "unavailable"):
            return
        now = Moment(at=dt_util.utcnow(), calls=_calls())
        known.setdefault(event.data["entity_id"], now)
        if times.batteries.at is None and _battery_values_known(hass, serials):
            times.batteries = now

    unlisten = hass.bus.async_listen("state_changed", _changed)
    setup = dyness.async_setup_entry

    async def _setup(hass: HomeAssistant, entry: ConfigEntry) -> bool:
        # The flow shows success when setup returns; background reads that
        # start before the flow's own return would move the frozen clock on.
        try:
            return await setup(hass, entry)
        finally:
            times.flow_done = Moment(at=dt_util.utcnow(), calls=_calls())

    with patch.object(dyness, "async_setup_entry", _setup):
        result = await flow.async_configure(result["flow_id"], {"batteries": serials})
    if result["type"] is not FlowResultType.CREATE_ENTRY:
        raise BenchError(f"flow ended with {result['type']}")
    # Entities created late count too: watch a while, then take the final set.
    end = dt_util.utcnow() + FLOW_HORIZON
    while dt_util.utcnow() < end:
        await hass.async_block_till_done(wait_background_tasks=True)
        frozen.tick(FLOW_STEP)
        async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    entities = _enabled_entities(hass, result["result"])
    times.total_entities = len(entities)
    if all(entity_id in known for entity_id in entities):
        times.everything = max(
            (known[entity_id] for entity_id in entities),
            key=lambda moment: (moment.at, moment.calls),
        )
    unlisten()
    return times


def print_flow(name: str, times: FlowTimes) -> None:
    """Print the points of one simulated flow."""
    first, submit = times.first_call, times.submit
    print(f"{name}:")
    for label, moment in (
        ("flow shows success", times.flow_done),
        ("batteries' SOC, power, voltage", times.batteries),
        (f"all {times.total_entities} enabled entities", times.everything),
    ):
        print(
            f"  {label:<34} from last Submit {moment.since(submit, times.calls_at_submit)}"
            f"   from first call {moment.since(first, 0)}"
        )


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
        with frozen_cloud(frozen, session):
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
    parser.add_argument(
        "--runs", type=int, default=3, help="real-time setups (0: flow figures only)"
    )
    parser.add_argument(
        "--timeout", type=float, default=120, help="per setup run, in seconds"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    print("config flow and setup, simulated time, forms answered at once:")
    for name, make_sim in FLOW_CASES.items():
        try:
            print_flow(name, await measure_flow(make_sim))
        except BenchError as err:
            print(f"error: {name}: {err}", file=sys.stderr)
            return 1
    if not args.runs:
        return 0
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
