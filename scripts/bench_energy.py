"""Benchmark: charged/discharged energy over a simulated week against the truth.

Drives the integration's own energy code (counter guard, integrator, gap fill
from the 5-minute records) with the simulator's answers parsed by the client's
models and read through the family layouts, exactly as the sensors do, but
without HTTP and Home Assistant so a week takes seconds. Polls every 5
minutes; with `outage`, no poll for 3 hours a day (10:00-13:00 local, the
sunniest hours), after which one records call fills the gap.

Then, for each labelling of the records' `createTime` (UTC, local time, the
July-2026 3-hour shift, a half-hour zone behind UTC, a rolling local list), one
evening with a 3-hour outage (20:00-23:00 local): the per-hour error of the
filled hours against the simulator's truth, once with the learnt records clock
and once reading the labels as UTC (the old rule).

Run: .venv/bin/python scripts/bench_energy.py [--days 7] [--all] [--labellings]
"""

from __future__ import annotations

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Our package first, or the harness's own custom_components package shadows it.
import custom_components.dyness  # noqa: F401  # isort: skip

import argparse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import time

from custom_components.dyness.api import PowerRecord, RealtimeSnapshot
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.energy import (
    MAX_GAP,
    CounterGuard,
    Direction,
    Integrator,
    Segment,
    hourly,
)
from custom_components.dyness.energy_sensor import COUNTER_METRICS
from custom_components.dyness.families import Metric
from custom_components.dyness.model_table import detect
from custom_components.dyness.records_clock import RecordsClock, slot_start
from custom_components.dyness.records_runtime import live_sample
from dyness_sim import (
    ALL_MODELS,
    Battery,
    Labels,
    RecordsLabelling,
    SimClock,
    Simulator,
    Window,
)

START = datetime(2026, 6, 21, 0, 1, 30, tzinfo=UTC)
POLL = timedelta(minutes=5)


@dataclass
class Side:
    """One direction of one battery: counter or computed, and its first reading."""

    direction: Direction
    counter: CounterGuard | None
    integrator: Integrator | None
    first_time: datetime | None = None
    first_total: float | None = None
    # The trapezoid rule on the same live samples, for comparison.
    trapezoid: float = 0.0


@dataclass
class Run:
    """Figures of one battery in one scenario."""

    model: str
    outage: bool
    sides: dict[Direction, Side] = field(default_factory=dict)
    records_calls: int = 0
    polls: int = 0
    prev: tuple[datetime, float | None] | None = None
    battery: Battery | None = None


def _battery_data(battery: Battery, now: datetime) -> BatteryData | None:
    """Return what the coordinator would hold after a poll at `now`."""
    snapshot = RealtimeSnapshot.from_api(
        battery.device_sn, battery.points(battery.device_sn, now)
    )
    if snapshot.timestamp is None:
        return None
    detection = detect(battery.model_name, str(battery.model_code), snapshot)
    return BatteryData(
        config=BatteryConfig(device_sn=battery.device_sn),
        detection=detection,
        realtime=snapshot,
    )


def _records(battery: Battery, now: datetime) -> list[PowerRecord]:
    """Return today's records as the client parses them."""
    found = [PowerRecord.from_api(item) for item in battery.power_records(now)]
    return sorted((r for r in found if r is not None), key=lambda r: r.time)


def _trapezoid(sign: int, p0: float, p1: float, seconds: float) -> float:
    """Return kWh of the positive part of a linear power ramp (sign-split)."""
    a, b = sign * p0, sign * p1
    if a >= 0 and b >= 0:
        return (a + b) / 2 * seconds / 3_600_000
    if a <= 0 and b <= 0:
        return 0.0
    high = max(a, b)
    # The share of the interval where the ramp is above zero.
    share = high / (abs(a) + abs(b))
    return high / 2 * seconds * share / 3_600_000


def run(model: str, *, days: int, outage: bool) -> Run:
    """Simulate `days` of polling one battery; return its figures."""
    clock = SimClock.fixed(START)
    sim = Simulator.single(model, clock=clock)
    battery = sim.batteries[0]
    result = Run(model=model, outage=outage, battery=battery)
    now = START
    end = START + timedelta(days=days)
    while now < end:
        local = now.astimezone(battery.station.timezone)
        if not (outage and 10 <= local.hour < 13):
            clock.set(now)
            _poll(result, battery, now)
        now += POLL
    return result


def _poll(result: Run, battery: Battery, now: datetime) -> None:
    """Take one poll into every direction of the battery, as the sensors do."""
    data = _battery_data(battery, now)
    if data is None or data.realtime is None or data.realtime.timestamp is None:
        return
    result.polls += 1
    sample_time = slot_start(data.realtime.timestamp)
    power = data.number(Metric.POWER)
    if not result.sides:
        for direction in Direction:
            counter = data.provides(COUNTER_METRICS[direction])
            result.sides[direction] = Side(
                direction=direction,
                counter=CounterGuard(str(direction)) if counter else None,
                integrator=None if counter else Integrator(direction),
            )
    records: list[PowerRecord] | None = None
    for side in result.sides.values():
        if side.counter is not None:
            last = side.counter.last_time
            if (
                records is None
                and last is not None
                and sample_time - last > MAX_GAP
                and sample_time.hour != last.hour
            ):
                # The sensor spends the call on the statistics of the gap's hours.
                records = _records(battery, now)
                result.records_calls += 1
            side.counter.update(
                data.number(COUNTER_METRICS[side.direction]), sample_time
            )
            if side.first_total is None and side.counter.total is not None:
                side.first_time, side.first_total = sample_time, side.counter.total
            continue
        integrator = side.integrator
        if integrator is None:
            continue
        if integrator.needs_records(sample_time):
            if records is None:
                records = _records(battery, now)
                result.records_calls += 1
            integrator.fill(records, sample_time, power)
        else:
            integrator.add(sample_time, power)
        if side.first_time is None:
            side.first_time, side.first_total = sample_time, integrator.total
    prev = result.prev
    if prev is not None and sample_time > prev[0]:
        seconds = (sample_time - prev[0]).total_seconds()
        if prev[1] is not None and power is not None and seconds <= MAX_GAP.seconds:
            for side in result.sides.values():
                side.trapezoid += _trapezoid(
                    side.direction.sign, prev[1], power, seconds
                )
    if prev is None or sample_time > prev[0]:
        result.prev = (sample_time, power)


def report(result: Run, battery: Battery) -> list[str]:
    """Return the printed lines of one run."""
    lines = []
    for side in result.sides.values():
        attr = (
            "charged_kwh" if side.direction is Direction.CHARGED else "discharged_kwh"
        )
        if side.counter is not None:
            last = side.counter.last_time
            reported = (side.counter.total or 0.0) - (side.first_total or 0.0)
            source = "counter"
        elif side.integrator is not None:
            last = side.integrator.last_time
            reported = side.integrator.total - (side.first_total or 0.0)
            source = "computed"
        if last is None or side.first_time is None:
            continue
        truth = getattr(battery.truth_at(last), attr) - getattr(
            battery.truth_at(side.first_time), attr
        )
        error = 100 * (reported - truth) / truth if truth else 0.0
        trapezoid = ""
        if source == "computed" and not result.outage:
            trap = 100 * (side.trapezoid - truth) / truth if truth else 0.0
            trapezoid = f"   trapezoid (live only) {trap:+.3f} %"
        lines.append(
            f"{result.model:24s} {'3 h/day outage' if result.outage else 'no outage':15s}"
            f" {side.direction:10s} {source:8s} truth {truth:8.3f} kWh"
            f"  reported {reported:8.3f} kWh  error {error:+.3f} %{trapezoid}"
        )
    return lines


LABELLINGS = {
    "UTC": RecordsLabelling(),
    "local time": RecordsLabelling(labels=Labels.LOCAL),
    "July 2026 (+3 h)": RecordsLabelling(labels=Labels.OFFSET, offset_minutes=180),
    "-5:30 h": RecordsLabelling(labels=Labels.OFFSET, offset_minutes=-330),
    "local, rolling day": RecordsLabelling(labels=Labels.LOCAL, window=Window.ROLLING),
}
EVENING = datetime(2026, 6, 21, 14, 1, 30, tzinfo=UTC)


def outage_hours(
    model: str, labelling: RecordsLabelling, *, learnt: bool
) -> tuple[dict[Direction, dict[datetime, tuple[float, float]]], RecordsClock]:
    """Return per direction and hour (kWh counted, kWh true) around one outage.

    Polls every 5 minutes from 16:00 to 00:10 local, none 20:00-23:00. With
    `learnt`, records pass the records clock as in the sensors; otherwise their
    labels are read as UTC.
    """
    clock = SimClock.fixed(EVENING)
    sim = Simulator.single(model, clock=clock, records=labelling)
    battery = sim.batteries[0]
    zone = battery.station.timezone
    records_clock = RecordsClock(zone)
    integrators = {d: Integrator(d) for d in Direction}
    segments: dict[Direction, list[Segment]] = {d: [] for d in Direction}
    now = EVENING
    # Ten minutes past the last hour: the total trails the present by one slot.
    while now < EVENING + timedelta(hours=8, minutes=10):
        if not 20 <= now.astimezone(zone).hour < 23:
            clock.set(now)
            data = _battery_data(battery, now)
            sample = None if data is None else live_sample(data)
            if data is not None and sample is not None:
                records_clock.add_sample(sample)
                slot = slot_start(sample.time)
                power = data.number(Metric.POWER)
                records: list[PowerRecord] | None = None
                for direction, integrator in integrators.items():
                    if not integrator.needs_records(slot):
                        if segment := integrator.add(slot, power):
                            segments[direction].append(segment)
                        continue
                    if records is None:
                        records = _records(battery, now)
                        records_clock.observe(records, sample.time)
                    corrected = (
                        records_clock.corrected(records, sample.time)
                        if learnt
                        else records
                    )
                    segments[direction] += integrator.fill(
                        corrected or (),
                        slot,
                        power,
                        records_clock.sign if learnt else None,
                    )
        now += POLL
    result: dict[Direction, dict[datetime, tuple[float, float]]] = {}
    # 19:00 local (Berlin, summer).
    first = EVENING.replace(minute=0, second=0) + timedelta(hours=3)
    for direction in Direction:
        counted = hourly(segments[direction])
        attr = "charged_kwh" if direction is Direction.CHARGED else "discharged_kwh"
        hours: dict[datetime, tuple[float, float]] = {}
        for hour in (first + timedelta(hours=n) for n in range(5)):
            truth = getattr(battery.truth_at(hour + timedelta(hours=1)), attr)
            truth -= getattr(battery.truth_at(hour), attr)
            hours[hour] = (counted.get(hour, 0.0), truth)
        result[direction] = hours
    return result, records_clock


def labelling_report(model: str) -> list[str]:
    """Return the per-hour errors of the outage hours for every labelling."""
    lines = [
        (
            f"{model}: 3 h outage 20:00-23:00 local; per-hour error "
            "(counted - truth, Wh) of the hours 19:00 ... 23:00 local"
        )
    ]
    for name, labelling in LABELLINGS.items():
        for learnt in (True, False):
            hours, records_clock = outage_hours(model, labelling, learnt=learnt)
            offset = records_clock.offset
            rule = (
                "labels read as UTC"
                if not learnt
                else "offset not learnt"
                if offset is None
                else f"learnt offset {offset / timedelta(hours=1):+.1f} h "
                f"(confidence {records_clock.confidence:.2f})"
            )
            lines.append(f"  {name:20s} {rule}")
            for direction, per_hour in hours.items():
                errors = " ".join(
                    f"{1000 * (got - truth):+7.1f}" for got, truth in per_hour.values()
                )
                worst = max(
                    (abs(got - truth) for got, truth in per_hour.values()), default=0.0
                )
                lines.append(
                    f"    {direction:10s} {errors}   worst {1000 * worst:6.1f} Wh"
                )
    return lines


def main() -> None:
    """Run the scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument(
        "--all", action="store_true", help="every simulated model, not only two"
    )
    parser.add_argument(
        "--labellings", action="store_true", help="only the records labellings"
    )
    args = parser.parse_args()
    if args.labellings:
        for model in ("PowerHaus", "PowerBrick Plus", "Cygni 10.0HS-M8"):
            print("\n".join(labelling_report(model)))
        return
    models = list(ALL_MODELS) if args.all else ["DL5.0C", "PowerHaus"]
    began = time.perf_counter()
    print(f"Simulated {args.days} days from {START:%Y-%m-%d}, polls every 5 min")
    print("error = (reported - truth) / truth over the samples counted")
    for outage in (False, True):
        for model in models:
            result = run(model, days=args.days, outage=outage)
            if result.battery is None:
                continue
            for line in report(result, result.battery):
                print(line)
            print(
                f"{'':24s} {'':15s} polls {result.polls}, records calls "
                f"{result.records_calls} (gaps: missed samples or the outage)"
            )
    for model in ("PowerHaus", "PowerBrick Plus", "Cygni 10.0HS-M8"):
        print("\n".join(labelling_report(model)))
    print(f"took {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
