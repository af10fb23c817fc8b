"""Benchmark the call budget: calls, 429s, data age and CPU per poll cycle.

A simulated day per case on a compressed clock, against the local simulator,
for this integration (phase-aligned polls through the App ID's scheduler) and
for a plain fixed 5-minute poll of every battery and module, the way other
Dyness integrations poll. Data age is measured when a new sample reaches the
entities (now - the sample's `T`). The integration's first hour after setup
(learning the phases and the visibility delay) is shown on a line of its own;
cases with a phase jump also say how late the first sample after the jump was
read and how many calls the search cost.

Run: .venv/bin/python scripts/bench_budget.py [--hours 24] [--case TEXT]
"""

from __future__ import annotations

import bench_harness  # isort: skip  # noqa: F401 (path and clocks first)

import argparse
import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import logging
import math
import statistics
import sys
import time
from typing import Any
from unittest.mock import patch

from bench_harness import entry_for, frozen_cloud, plain_session, tick_sleep
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import (
    CALLBACK_TYPE,
    HomeAssistant,
)
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.dyness.api import CallScheduler, DynessClient, DynessError
from custom_components.dyness.coordinator import DynessCoordinator
from dyness_sim import Account, SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from dyness_sim.devices import Battery, slot_of
from dyness_sim.endpoints import Region
from dyness_sim.scenarios import model_battery
from dyness_sim.values import internal_sn

START = datetime(2026, 6, 21, 0, 0, 0, tzinfo=UTC)
STEP = timedelta(seconds=5)
# The first hour learns phases and fills the module list; it is counted apart.
WARM_UP = timedelta(hours=1)
# A phase jump of the first battery happens this long after setup.
JUMP_AFTER = timedelta(minutes=20)
PERIOD = 300.0
REALTIME = "/v1/device/realTime/data"
# A battery's own data for a sample (its family's extras included).
LIVE_PATHS = (
    REALTIME,
    "/v1/device/getLastPowerDataBySn",
    "/v1/device/getLastRunningDataBySn",
    "/v2/GetRealTimeDataBySN",
)


@dataclass(frozen=True, kw_only=True)
class Case:
    """One scenario: batteries (model, modules) and the simulator's hourly limit.

    `visibility` is the range of seconds samples need to show up in the cloud;
    `jump` delays the first battery's uploads by that many seconds from
    `JUMP_AFTER` after setup on (a dongle that reconnected).
    """

    name: str
    batteries: tuple[tuple[str, int], ...]
    per_hour: int = 60
    # The "API calls per hour" option; None leaves the default of 60.
    option: int | None = None
    # The cloud's region and whether it serves v2 (family C SOC, docs §7).
    region: Region = "europe"
    v2: bool = False
    visibility: tuple[float, float] = (5.0, 15.0)
    jump: float | None = None

    def simulator(self) -> Simulator:
        """Return a simulator holding this case's batteries on the default key."""
        devices = [
            model_battery(key, modules=n, visibility=self.visibility)
            for key, n in self.batteries
        ]
        return Simulator(
            [Account(DEFAULT_APP_ID, DEFAULT_APP_SECRET, devices)],
            clock=SimClock.real(),
            per_hour=self.per_hour,
            v2_enabled=self.v2,
            region=self.region,
        )


CASES = (
    Case(name="one battery", batteries=(("PowerHaus", 1),)),
    Case(name="two batteries", batteries=(("PowerHaus", 1), ("DL5.0C", 1))),
    Case(
        name="two batteries, 5 modules each",
        batteries=(("DL5.0C", 5), ("PowerDepot G2", 5)),
    ),
    Case(
        name="two batteries, 5 modules each, limit 30/h",
        batteries=(("DL5.0C", 5), ("PowerDepot G2", 5)),
        per_hour=30,
    ),
    Case(
        name="two batteries, 5 modules each, limit 30/h, option 30/h",
        batteries=(("DL5.0C", 5), ("PowerDepot G2", 5)),
        per_hour=30,
        option=30,
    ),
    Case(
        name="default account (2 batteries, 4 modules), limit and option 30/h",
        batteries=(("PowerHaus", 1), ("DL5.0C", 3)),
        per_hour=30,
        option=30,
    ),
    Case(
        name="default account (2 batteries, 4 modules)",
        batteries=(("PowerHaus", 1), ("DL5.0C", 3)),
    ),
    Case(
        name="two batteries, 5 modules each, limit and option 180/h",
        batteries=(("DL5.0C", 5), ("PowerDepot G2", 5)),
        per_hour=180,
        option=180,
    ),
    Case(
        name="one PowerBrick Plus, v2 (Europe)",
        batteries=(("PowerBrick Plus", 1),),
        v2=True,
    ),
    Case(
        name="one PowerBrick Plus, v2 (Europe), phase jump of 100 s",
        batteries=(("PowerBrick Plus", 1),),
        v2=True,
        jump=100,
    ),
    Case(
        name="one PowerBrick Plus, v2 (Europe), phase jump of 250 s",
        batteries=(("PowerBrick Plus", 1),),
        v2=True,
        jump=250,
    ),
    Case(
        name="one PowerBrick Plus, no v2 SOC (Asia-Pacific)",
        batteries=(("PowerBrick Plus", 1),),
        v2=True,
        region="asia_pacific",
    ),
    Case(
        name="one battery, cloud shows samples 2 s after T",
        batteries=(("PowerHaus", 1),),
        visibility=(2.0, 2.0),
    ),
    Case(
        name="one battery, phase jump of 100 s", batteries=(("PowerHaus", 1),), jump=100
    ),
    Case(
        name="one battery, phase jump of 250 s", batteries=(("PowerHaus", 1),), jump=250
    ),
)


@dataclass(kw_only=True)
class Result:
    """What one run measured after the warm-up."""

    calls: int = 0
    calls_429: int = 0
    battery_calls: int = 0
    live_calls: int = 0
    module_calls: int = 0
    samples: int = 0
    ages: list[float] = field(default_factory=list)
    cycles: int = 0
    cpu_seconds: float = 0.0
    # The first battery's new samples: (written at, `T`).
    reads: list[tuple[datetime, datetime]] = field(default_factory=list)
    # The first battery's calls so far, after every step of the clock.
    calls_at: list[tuple[datetime, int]] = field(default_factory=list)

    def line(self, hours: float, batteries: int) -> str:
        """Return the figures as one printable line."""
        ages = sorted(self.ages) or [float("nan")]
        p95 = ages[min(len(ages) - 1, int(len(ages) * 0.95))]
        per_sample = self.battery_calls / self.samples if self.samples else float("nan")
        live = self.live_calls / self.samples if self.samples else float("nan")
        cpu = 1000 * self.cpu_seconds / self.cycles if self.cycles else float("nan")
        return (
            f"{self.calls * 24 / hours:7.0f} calls/day  {self.calls_429:4d} x 429  "
            f"age mean {statistics.fmean(ages):6.1f} s  p95 {p95:6.1f} s  "
            f"max {ages[-1]:6.1f} s  "
            f"{per_sample:5.2f} battery calls/sample ({live:4.2f} live)  "
            f"{self.module_calls * 24 / hours:6.0f} module calls/day  "
            f"CPU {cpu:5.1f} ms/cycle"
        )


@contextmanager
def _cpu_per_refresh(results: list[Result]) -> Iterator[None]:
    """Count refreshes and the CPU time spent in them into the last result."""
    original = DynessCoordinator._async_update_data  # noqa: SLF001

    async def _timed(self: DynessCoordinator) -> Any:
        began = time.process_time()
        try:
            return await original(self)
        finally:
            results[-1].cycles += 1
            results[-1].cpu_seconds += time.process_time() - began

    with patch.object(DynessCoordinator, "_async_update_data", _timed):
        yield


def _count(sim: Simulator, result: Result, masters: set[str]) -> None:
    """Add the simulator's counters since its last reset to the result."""
    stats = sim.stats(DEFAULT_APP_ID)
    # v2 knows a family C master by its internal SN (point 10001).
    masters = masters | {
        internal_sn(b)
        for b in sim.batteries
        if b.device_sn in masters and b.spec.family == "C"
    }
    result.calls = stats.requests
    result.calls_429 = stats.rejected_429
    result.battery_calls = sum(stats.by_serial.get(sn, 0) for sn in masters)
    result.live_calls = sum(
        stats.by_call.get((path, sn), 0) for path in LIVE_PATHS for sn in masters
    )
    modules = {sn for battery in sim.batteries for sn in battery.module_sns} & set(
        stats.by_serial
    )
    result.module_calls = sum(stats.by_serial[sn] for sn in modules)


async def run_integration(case: Case, hours: float) -> tuple[Result, Result, str]:
    """Run Home Assistant with this integration for the case.

    Return the figures after the first hour, those of the first hour after
    setup and, for a phase jump, how it was followed.
    """
    result = Result()
    first = Result()
    # Refreshes count into the first hour's figures, then into the result's.
    measured = [first]
    jump = ""
    with freeze_time(START) as frozen:
        sim = case.simulator()
        await sim.start(host="127.0.0.1", port=0)
        session = plain_session()
        with (
            frozen_cloud(frozen, session),
            _cpu_per_refresh(measured),
        ):
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                entry = entry_for(sim, calls_per_hour=case.option)
                entry.add_to_hass(hass)
                if not await hass.config_entries.async_setup(entry.entry_id):
                    raise SystemExit(f"{case.name}: setup failed ({entry.state})")
                sim.reset_stats()
                first.cycles, first.cpu_seconds = 0, 0.0
                battery = sim.batteries[0]
                began = dt_util.utcnow()
                if case.jump is not None:
                    battery.shift_phase(began + JUMP_AFTER, case.jump)
                unwatch = _watch_ages(hass, entry, first)

                def _note_calls() -> None:
                    calls = sim.stats(DEFAULT_APP_ID).by_call
                    count = calls.get((REALTIME, battery.device_sn), 0)
                    first.calls_at.append((dt_util.utcnow(), count))

                await _advance(hass, frozen, WARM_UP, _note_calls)
                unwatch()
                _count(sim, first, {b.device_sn for b in sim.batteries})
                if case.jump is not None:
                    jump = _jump_line(battery, began + JUMP_AFTER, case.jump, first)
                sim.reset_stats()
                measured.append(result)
                _watch_ages(hass, entry, result)
                await _advance(hass, frozen, timedelta(hours=hours))
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
        await session.close()
        masters = {battery.device_sn for battery in sim.batteries}
        _count(sim, result, masters)
        await sim.stop()
    return result, first, jump


def _jump_line(battery: Battery, start: datetime, size: float, first: Result) -> str:
    """Say how late the first sample after the jump was read, and at what cost.

    Late counts from the moment the first sample after the jump showed up in
    the cloud; the calls are the battery's live reads between the last sample
    before the jump and the first after it, beyond one per period since the
    last `T`.
    """
    slot = slot_of(start) - 1
    while battery.collected_at(slot) < start:
        slot += 1
    shown = battery.visible_at(slot)
    read = next(at for at, sample in first.reads if sample >= start)
    last_read, last_sample = [r for r in first.reads if r[1] < start][-1]

    def _calls(moment: datetime) -> int:
        return next(count for at, count in first.calls_at if at >= moment)

    periods = math.floor((read - last_sample).total_seconds() / PERIOD)
    extra = _calls(read) - _calls(last_read) - periods
    late = (read - shown).total_seconds()
    return (
        f"  jump of {size:g} s: first new sample read {late:.0f} s after it "
        f"showed up; {extra} calls beyond one per period"
    )


async def _advance(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    span: timedelta,
    after_step: Callable[[], None] | None = None,
) -> None:
    """Move time on in small steps, firing every timer that falls due."""
    end = dt_util.utcnow() + span
    while dt_util.utcnow() < end:
        frozen.tick(STEP)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)
        if after_step is not None:
            after_step()


def _watch_ages(
    hass: HomeAssistant, entry: MockConfigEntry, result: Result
) -> CALLBACK_TYPE:
    """Record now - `T` whenever a battery's new sample reaches Home Assistant."""
    coordinator = entry.runtime_data.coordinator
    serials = [battery["device_sn"] for battery in entry.data["batteries"]]
    seen: dict[str, datetime | None] = {}

    def _updated() -> None:
        for serial in serials:
            battery = coordinator.data.batteries.get(serial)
            sample = None if battery is None else battery.sample_time
            if sample is None or seen.get(serial) == sample:
                continue
            seen[serial] = sample
            now = dt_util.utcnow()
            result.samples += 1
            result.ages.append((now - sample).total_seconds())
            if serial == serials[0]:
                result.reads.append((now, sample))

    if coordinator.data is not None:
        for serial in serials:
            battery = coordinator.data.batteries.get(serial)
            seen[serial] = None if battery is None else battery.sample_time
    return coordinator.async_add_listener(_updated)


# A fixed poll's data age depends on where its timer falls in the devices'
# upload phase; runs at these offsets average that out.
FIXED_POLL_OFFSETS = tuple(range(0, 300, 60))


async def run_fixed_poll(case: Case, hours: float) -> Result:
    """Poll every battery and module every 5 minutes, 1 s apart, no budget."""
    total = Result()
    for offset in FIXED_POLL_OFFSETS:
        result = await _fixed_poll_run(case, hours, timedelta(seconds=offset))
        total.calls += result.calls
        total.calls_429 += result.calls_429
        total.battery_calls += result.battery_calls
        total.live_calls += result.live_calls
        total.module_calls += result.module_calls
        total.samples += result.samples
        total.ages.extend(result.ages)
        total.cycles += result.cycles
        total.cpu_seconds += result.cpu_seconds
    runs = len(FIXED_POLL_OFFSETS)
    total.calls //= runs
    total.calls_429 //= runs
    total.module_calls //= runs
    return total


async def _fixed_poll_run(case: Case, hours: float, offset: timedelta) -> Result:
    """Run the fixed poll once, its timer `offset` after the full hour."""
    result = Result()
    with freeze_time(START + offset) as frozen:
        sim = case.simulator()
        await sim.start(host="127.0.0.1", port=0)
        async with plain_session() as session:
            client = DynessClient(
                DEFAULT_APP_ID,
                DEFAULT_APP_SECRET,
                session=session,
                base_url=sim.base_url,
                scheduler=CallScheduler(
                    hourly_budget=10**6,
                    sleep=tick_sleep(frozen),
                    monotonic=lambda: dt_util.utcnow().timestamp(),
                ),
            )
            last: dict[str, datetime] = {}
            began = dt_util.utcnow()
            cycle = 0
            while dt_util.utcnow() < began + WARM_UP + timedelta(hours=hours):
                if dt_util.utcnow() >= began + cycle * timedelta(minutes=5):
                    if cycle == WARM_UP // timedelta(minutes=5):
                        sim.reset_stats()
                        result.samples, result.ages = 0, []
                    cycle += 1
                    await _poll_once(client, sim, last, result)
                frozen.tick(STEP)
        masters = {battery.device_sn for battery in sim.batteries}
        _count(sim, result, masters)
        await sim.stop()
    return result


async def _poll_once(
    client: DynessClient, sim: Simulator, last: dict[str, datetime], result: Result
) -> None:
    """Read every master and module once, as a fixed-interval integration does."""
    began = time.process_time()
    for battery in sim.batteries:
        for serial in (battery.device_sn, *battery.module_sns):
            try:
                snapshot = await client.get_realtime_data(serial)
            except DynessError:
                continue
            if serial != battery.device_sn or snapshot.timestamp is None:
                continue
            if last.get(serial) != snapshot.timestamp:
                last[serial] = snapshot.timestamp
                result.samples += 1
                result.ages.append(
                    (dt_util.utcnow() - snapshot.timestamp).total_seconds()
                )
    result.cycles += 1
    result.cpu_seconds += time.process_time() - began


async def main() -> int:
    """Run every case both ways and print the figures side by side."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=24.0)
    parser.add_argument("--case", default="", help="only cases whose name has this")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    print(f"simulated {args.hours:g} h per case after a {WARM_UP} first hour\n")
    for case in (case for case in CASES if args.case in case.name):
        wall = time.perf_counter()
        ours, first, jump = await run_integration(case, args.hours)
        took = time.perf_counter() - wall
        fixed = await run_fixed_poll(case, args.hours)
        batteries = len(case.batteries)
        low, high = case.visibility
        option = f", option {case.option}/h" if case.option else ""
        print(
            f"{case.name} (simulator limit {case.per_hour}/h{option}, "
            f"samples visible {low:g}-{high:g} s after T):"
        )
        print(f"  first hour   {first.line(1, batteries)}")
        if jump:
            print(jump)
        print(f"  integration  {ours.line(args.hours, batteries)}")
        print(f"  fixed 5 min  {fixed.line(args.hours, batteries)}")
        ratio = statistics.fmean(fixed.ages) / statistics.fmean(ours.ages)
        print(
            f"  fixed/integration mean data age: {ratio:.1f} times; "
            f"simulated day took {took * 24 / args.hours:.0f} s of wall time\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
