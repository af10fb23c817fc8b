"""Benchmark: time to empty and time to full against when the battery got there.

Drives the simulator in-process on its fixed clock with a varied household
(activities differ in size and timing, appliances switch on, clouds pass) and reads
every 5-minute sample as the integration does (client models, family layouts).
Each sample feeds the time-to-go calculator; each prediction made at least
1 h before the battery actually reached its floor (or got full) in the same
discharge (charge) run is compared with the truth from the simulator's state.

Run: .venv/bin/python scripts/bench_insights.py [--days 14] [--window 30] [--blend 30]
(`--window` and `--blend` in minutes try other settings of the forecast.)
"""

from __future__ import annotations

from pathlib import Path
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Our package first, or the harness's own custom_components package shadows it.
import custom_components.dyness  # noqa: F401  # isort: skip

from bench_sim import battery_data  # isort: skip

import argparse
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from statistics import median
import time

from custom_components.dyness.families import Metric
from custom_components.dyness.insights.profile import DailyProfile
from custom_components.dyness.insights.time_to_go import (
    TUNING,
    FloorLearner,
    Level,
    TimeToGo,
    Tuning,
)
from dyness_sim import Battery, SimClock, Simulator
from dyness_sim.devices import slot_of, slot_start

POLL = timedelta(minutes=5)
MIN_LEAD = timedelta(hours=1)
# Predictions of the first days are left out: the integration learns its
# daily profile once and keeps it across restarts.
WARM_UP = timedelta(days=3)
# A run ends when the battery moves the other way for this many slots running.
TURN_SLOTS = 3


@dataclass(frozen=True)
class Scenario:
    """A battery, its household and the simulated period."""

    name: str
    model: str
    start: datetime
    options: dict[str, object] = field(default_factory=dict)


SCENARIOS = (
    Scenario(
        "DL5.0C spring",
        "DL5.0C",
        datetime(2026, 3, 2, 0, 1, 30, tzinfo=UTC),
        {"household": "varied", "load_scale": 2.0, "pv_kwp": 6.0},
    ),
    Scenario(
        "DL5.0C autumn",
        "DL5.0C",
        datetime(2026, 10, 5, 0, 1, 30, tzinfo=UTC),
        {"household": "varied", "load_scale": 2.0, "pv_kwp": 8.0},
    ),
    Scenario(
        "PowerHaus summer",
        "PowerHaus",
        datetime(2026, 6, 8, 0, 1, 30, tzinfo=UTC),
        {"household": "varied", "load_scale": 1.2, "pv_kwp": 4.0},
    ),
    Scenario(
        "PowerBox Pro winter",
        "PowerBox Pro",
        datetime(2026, 1, 12, 0, 1, 30, tzinfo=UTC),
        {"household": "varied", "load_scale": 2.5, "pv_kwp": 12.0},
    ),
)


@dataclass
class Prediction:
    """A prediction: when it was made and when it says the battery gets there."""

    made: datetime
    minutes: float


@dataclass
class Figures:
    """Relative errors and counts of one direction."""

    errors: list[float] = field(default_factory=list)
    # Samples within an evaluable run (at least 1 h before the event).
    due: int = 0
    # Predictions in runs that ended without reaching the target.
    unresolved: int = 0


def _run_end(battery: Battery, moment: datetime, sign: int) -> tuple[datetime, bool]:
    """Return when the run at `moment` ends and whether it reached its target."""
    slot = slot_of(moment) + 1
    turned = 0
    while True:
        state = battery.state(slot)
        if (state.empty if sign < 0 else state.full) and not turned:
            return slot_start(slot), True
        turned = turned + 1 if sign * state.power_w <= 0 else 0
        if turned >= TURN_SLOTS:
            return slot_start(slot - turned + 1), False
        slot += 1


def run(
    scenario: Scenario,
    days: int,
    *,
    learn: bool,
    seed: int | None = None,
    tuning: Tuning = TUNING,
) -> dict[int, Figures]:
    """Simulate a scenario; return the figures of time to full (+1) and empty (-1).

    `learn` gives the calculator its daily profile; without, it holds the
    smoothed power.
    """
    clock = SimClock.fixed(scenario.start)
    sim = Simulator.single(scenario.model, clock=clock, seed=seed, **scenario.options)
    battery = sim.batteries[0]
    calculator = TimeToGo(
        tuning, DailyProfile(battery.station.timezone) if learn else None
    )
    floor = FloorLearner()
    predictions: dict[int, list[Prediction]] = {1: [], -1: []}
    now = scenario.start
    end = scenario.start + timedelta(days=days)
    last: datetime | None = None
    while now < end:
        clock.set(now)
        data = battery_data(battery, now)
        now += POLL
        if data is None or data.realtime is None or data.realtime.timestamp is None:
            continue
        at = data.realtime.timestamp
        if at == last:
            continue
        last = at
        soc = data.number(Metric.SOC)
        limit = data.number(Metric.MAX_DISCHARGE_CURRENT)
        floor.update(soc, None if limit is None else limit > 0)
        capacity = data.number(Metric.RATED_ENERGY) or battery.limits.capacity_kwh
        level = Level(soc=soc, capacity_kwh=capacity, floor_soc=floor.floor_soc)
        calculator.add(at, data.number(Metric.POWER), level)
        for sign, minutes in (
            (1, calculator.to_full(at, level)),
            (-1, calculator.to_empty(at, level)),
        ):
            if minutes is not None and at >= scenario.start + WARM_UP:
                predictions[sign].append(Prediction(at, minutes))
    return {sign: _score(battery, made, sign) for sign, made in predictions.items()}


def _score(battery: Battery, predictions: list[Prediction], sign: int) -> Figures:
    """Return the errors of predictions against the simulator's truth."""
    figures = Figures()
    for prediction in predictions:
        ended, reached = _run_end(battery, prediction.made, sign)
        if not reached:
            figures.unresolved += 1
            continue
        actual = (ended - prediction.made).total_seconds() / 60
        if actual < MIN_LEAD.total_seconds() / 60:
            continue
        figures.due += 1
        figures.errors.append(abs(prediction.minutes - actual) / actual)
    return figures


def _percentile(values: list[float], share: float) -> float:
    """Return the value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _print(name: str, sign: int, errors: list[float], turned: int | None) -> None:
    """Print the figures of one direction."""
    label = "time to full " if sign > 0 else "time to empty"
    if not errors:
        print(f"  {name:20s} {label}  no run reached its target")
        return
    extra = "" if turned is None else f"  (predictions in runs that turned: {turned})"
    print(
        f"  {name:20s} {label}  n {len(errors):4d}"
        f"  median {100 * median(errors):5.1f} %"
        f"  p90 {100 * _percentile(errors, 0.9):6.1f} %{extra}"
    )


def main() -> None:
    """Run the scenarios and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument(
        "--seed", type=int, help="another household and weather (default: scenario's)"
    )
    parser.add_argument(
        "--window",
        type=float,
        default=TUNING.window / timedelta(minutes=1),
        help="minutes of samples the smoothed power is taken over",
    )
    parser.add_argument(
        "--blend",
        type=float,
        default=TUNING.blend / timedelta(minutes=1),
        help="minutes in which the expected power turns into the typical one",
    )
    args = parser.parse_args()
    tuning = replace(
        TUNING,
        window=timedelta(minutes=args.window),
        blend=timedelta(minutes=args.blend),
    )
    began = time.perf_counter()
    print(f"{args.days} simulated days per scenario, samples every 5 min")
    print("relative error = |predicted - actual| / actual, predictions >= 1 h ahead")
    print(f"scored after a warm-up of {WARM_UP.days} days")
    for learn in (False, True):
        print(
            "with the learned daily profile"
            if learn
            else "holding the smoothed power (no profile)"
        )
        totals: dict[int, list[float]] = {1: [], -1: []}
        for scenario in SCENARIOS:
            for sign, figures in run(
                scenario, args.days, learn=learn, seed=args.seed, tuning=tuning
            ).items():
                totals[sign].extend(figures.errors)
                _print(scenario.name, sign, figures.errors, figures.unresolved)
        for sign, errors in totals.items():
            _print("all scenarios", sign, errors, None)
    print(f"took {time.perf_counter() - began:.1f} s")


if __name__ == "__main__":
    main()
