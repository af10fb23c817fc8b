"""Soak: simulated days in Home Assistant against the simulator, with random faults.

    .venv/bin/python scripts/soak.py              # 30 days
    .venv/bin/python scripts/soak.py --days 2 --seed 7
    .venv/bin/python scripts/soak.py --days 2 --check   # CI: exit 1 on a miss

Every few hours (seeded) a random fault starts and lasts 5 to 60 minutes:
each `code 500` text, an HTML 502, truncated or empty JSON, a 429 with or
without Retry-After, or answers slower than the client waits. Time jumps from
one due timer to the next. Prints calls and WARNING+ lines per day, the 429s
beyond those injected, the error of every energy total against the simulator's
truth, and the integration's memory (tracemalloc) after setup and at the end.
With `--check` it exits 1 when a target of issue 13 is missed.
"""

from __future__ import annotations

import bench_harness  # isort: skip  # noqa: F401 (path and clocks first)

import argparse
import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
from pathlib import Path
import random
import sys
import tracemalloc
from typing import Any

from bench_harness import entry_for, frozen_cloud, plain_session
from freezegun import freeze_time
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from dyness_sim import Fault, SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID
from dyness_sim.faults import KNOWN_500_TEXTS

START = datetime(2026, 6, 21, 0, 1, 30, tzinfo=UTC)
MAX_STEP = 300.0
MIN_STEP = 1.0
FAULT_EVERY_HOURS = 4.0
FAULT_MINUTES = (5, 60)
PACKAGE = str(Path(__file__).resolve().parent.parent / "custom_components" / "dyness")
# Targets of issue 13.
COMPUTED_ERROR = 1.0
COUNTER_ERROR = 0.3
MEMORY_GROWTH = 1_000_000
WARNINGS_PER_FAULT = 4

FAULTS: list[dict[str, Any]] = [
    *({"kind": "code500", "info": text} for text in KNOWN_500_TEXTS),
    {"kind": "html"},
    {"kind": "truncated"},
    {"kind": "empty"},
    {"kind": "http429"},
    {"kind": "http429", "retry_after": 120},
    {"kind": "http429", "retry_after": "inf"},
    {"kind": "timeout"},
]


class WarningCount(logging.Handler):
    """Count WARNING+ lines per simulated day (asyncio's slow-callback notes aside)."""

    def __init__(self) -> None:
        """Start with no lines."""
        super().__init__(logging.WARNING)
        self.per_day: Counter[int] = Counter()
        self.texts: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        """Count one line on the day it was logged."""
        if record.name == "asyncio":
            return
        self.per_day[(dt_util.utcnow() - START).days] += 1
        self.texts[record.getMessage()[:90]] += 1


@dataclass
class Soak:
    """The run's state and figures."""

    hass: HomeAssistant
    entry: MockConfigEntry
    sim: Simulator
    frozen: Any
    rng: random.Random
    injected_429: int = 0
    faults: int = 0
    requests: int = 0
    calls_per_day: Counter[int] = field(default_factory=Counter)
    fault_kinds: Counter[str] = field(default_factory=Counter)

    async def step_to(self, moment: datetime) -> None:
        """Let time run to `moment`, jumping from one due timer to the next."""
        loop: Any = asyncio.get_running_loop()
        while (left := (moment - dt_util.utcnow()).total_seconds()) > 0:
            due = [
                h.when() - loop.time()
                for h in loop._scheduled  # noqa: SLF001 - the next timer's time
                if not h.cancelled()
            ]
            wait = min([MAX_STEP, *(d for d in due if d > 0)])
            self.frozen.tick(timedelta(seconds=min(left, max(MIN_STEP, wait))))
            async_fire_time_changed(self.hass)
            await self.hass.async_block_till_done(wait_background_tasks=True)
            # The calls of this step were made on the (simulated) day it ended on.
            total = self.sim.stats_entry(DEFAULT_APP_ID).requests
            self.calls_per_day[(dt_util.utcnow() - START).days] += total - self.requests
            self.requests = total

    async def fault(self, until: datetime) -> None:
        """Run one random fault from now until `until`."""
        spec = dict(self.rng.choice(FAULTS))
        self.faults += 1
        self.fault_kinds[
            f"{spec['kind']} {spec.get('info', spec.get('retry_after', ''))}".strip()
        ] += 1
        client = self.entry.runtime_data.client
        timeout = client.request_timeout
        if spec["kind"] == "timeout":
            # Frozen time: a zero timeout expires at once, as a held answer would.
            spec["seconds"] = 60
            client.request_timeout = 0.0
        fault_id = self.sim.add_fault(Fault(count=1_000_000, **spec))
        await self.step_to(until)
        for active in self.sim.faults.active:
            if active.id == fault_id and spec["kind"] == "http429":
                self.injected_429 += active.fault.count - active.remaining
        self.sim.clear_faults()
        client.request_timeout = timeout


def _integration_memory(snapshot: tracemalloc.Snapshot) -> int:
    """Return the bytes allocated by the integration's own code."""
    filtered = snapshot.filter_traces([tracemalloc.Filter(True, f"{PACKAGE}/*")])
    return sum(stat.size for stat in filtered.statistics("filename"))


def _energy(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Return each battery's energy totals' states and attributes."""
    serials = {battery["device_sn"] for battery in entry.data["batteries"]}
    found = {}
    for e in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        serial, _, direction = e.unique_id.partition("_energy_")
        # The home battery's totals (insights) are sums of these.
        if serial in serials and direction in ("charged", "discharged"):
            state = hass.states.get(e.entity_id)
            if state is not None and state.state not in ("unknown", "unavailable"):
                found[e.unique_id] = (float(state.state), dict(state.attributes))
    return found


def _errors(
    sim: Simulator, first: dict[str, Any], last: dict[str, Any]
) -> list[tuple[str, str, float, float, float]]:
    """Return (total, source, counted kWh, true kWh, error %) of every total."""
    rows = []
    for unique_id, (value, attributes) in sorted(last.items()):
        serial, _, direction = unique_id.partition("_energy_")
        battery = sim.device(serial)
        start_value, start_attributes = first[unique_id]
        source = attributes["source"]
        key = f"{direction}_kwh"
        if source == "computed":
            end = datetime.fromisoformat(attributes["counted_until"])
            begin = datetime.fromisoformat(start_attributes["counted_until"])
        else:
            end = datetime.fromisoformat(attributes["last_sample"])
            begin = datetime.fromisoformat(start_attributes["last_sample"])
        truth = getattr(battery.truth_at(end), key) - getattr(
            battery.truth_at(begin), key
        )
        counted = value - start_value
        error = 100 * abs(counted - truth) / truth if truth else 0.0
        rows.append((unique_id, source, counted, truth, error))
    return rows


async def soak(days: int, seed: int) -> int:
    """Run the soak and print its figures; return the exit code."""
    warnings = WarningCount()
    logging.getLogger().addHandler(warnings)
    logging.getLogger().setLevel(logging.WARNING)
    tracemalloc.start()
    with freeze_time(START) as frozen:
        sim = Simulator.default(clock=SimClock.real(), seed=seed)
        await sim.start(host="127.0.0.1", port=0)
        session = plain_session()
        with frozen_cloud(
            frozen,
            session,
            rng=random.Random(seed),  # noqa: S311 - jitter
        ):
            async with async_test_home_assistant() as hass:
                await hass.config.async_set_time_zone("Europe/Berlin")
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                entry = entry_for(sim)
                entry.add_to_hass(hass)
                if not await hass.config_entries.async_setup(entry.entry_id):
                    print(f"error: setup failed ({entry.state})", file=sys.stderr)
                    return 1
                run = Soak(hass, entry, sim, frozen, random.Random(seed))  # noqa: S311
                await run.step_to(START + timedelta(minutes=30))
                first = _energy(hass, entry)
                memory_start = _integration_memory(tracemalloc.take_snapshot())
                end = START + timedelta(days=days)
                while dt_util.utcnow() < end:
                    hours = run.rng.expovariate(1 / FAULT_EVERY_HOURS)
                    begin = min(end, dt_util.utcnow() + timedelta(hours=hours))
                    await run.step_to(begin)
                    if begin < end:
                        minutes = run.rng.uniform(*FAULT_MINUTES)
                        await run.fault(min(end, begin + timedelta(minutes=minutes)))
                # Let the last fault's gap be filled before the totals are read.
                await run.step_to(end + timedelta(minutes=15))
                last = _energy(hass, entry)
                memory_end = _integration_memory(tracemalloc.take_snapshot())
                stats = sim.stats(DEFAULT_APP_ID)
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
        await session.close()
        await sim.stop()
    tracemalloc.stop()
    return _report(run, stats, first, last, warnings, memory_start, memory_end, days)


def _report(  # noqa: PLR0917 - the figures of one run
    run: Soak,
    stats: Any,
    first: dict[str, Any],
    last: dict[str, Any],
    warnings: WarningCount,
    memory_start: int,
    memory_end: int,
    days: int,
) -> int:
    """Print the figures; return 1 when a target is missed."""
    missed: list[str] = []
    print(f"{days} simulated days, {run.faults} faults: {dict(run.fault_kinds)}")
    print("calls per day:", [run.calls_per_day[d] for d in range(days)])
    print("calls by endpoint:", dict(sorted(stats.by_path.items())))
    print("WARNING+ lines per day:", [warnings.per_day[d] for d in range(days + 1)])
    for text, count in warnings.texts.most_common(8):
        print(f"  {count:4d} x {text}")
    beyond = stats.rejected_429 - run.injected_429
    print(
        f"429 answers: {stats.rejected_429} ({run.injected_429} injected, {beyond} beyond)"
    )
    if beyond > 0:
        missed.append("429s beyond those injected")
    lines = sum(warnings.per_day.values())
    print(
        f"WARNING+ lines: {lines}, {lines / max(1, run.faults):.1f} per fault"
        f" (target <= {WARNINGS_PER_FAULT})"
    )
    if lines > WARNINGS_PER_FAULT * max(1, run.faults):
        missed.append("too many WARNING+ lines")
    print("energy totals against the simulator's truth:")
    if not last or set(first) != set(last):
        missed.append(f"energy totals not all known ({sorted(first)}, {sorted(last)})")
    for unique_id, source, counted, truth, error in _errors(run.sim, first, last):
        limit = COMPUTED_ERROR if source == "computed" else COUNTER_ERROR
        print(
            f"  {unique_id} ({source}): {counted:.3f} kWh counted,"
            f" {truth:.3f} kWh true, error {error:.3f} % (target < {limit} %)"
        )
        if error >= limit:
            missed.append(f"energy error of {unique_id}")
    growth = memory_end - memory_start
    print(
        f"integration memory: {memory_start / 1024:.0f} KiB after setup,"
        f" {memory_end / 1024:.0f} KiB at the end ({growth / 1024:+.0f} KiB)"
    )
    if growth >= MEMORY_GROWTH:
        missed.append("memory growth")
    if missed:
        print("missed:", ", ".join(missed))
        return 1
    print("all targets met")
    return 0


def main() -> int:
    """Parse the arguments and run the soak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--kind", help="inject only faults of this kind")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when a target is missed"
    )
    args = parser.parse_args()
    if args.kind:
        FAULTS[:] = [spec for spec in FAULTS if spec["kind"] == args.kind]
    code = asyncio.run(soak(args.days, args.seed))
    return code if args.check else 0


if __name__ == "__main__":
    sys.exit(main())
