"""Tests of time to full and time to empty."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

import pytest

from custom_components.dyness.insights.profile import DailyProfile
from custom_components.dyness.insights.time_to_go import (
    FloorLearner,
    Level,
    PowerTrend,
    TimeToGo,
    Tuning,
    floor_from_depth,
    home_minutes,
    trimmed_mean,
)

START = datetime(2026, 3, 2, 18, 0, 47, tzinfo=UTC)
STEP = timedelta(minutes=5)
HALF = Level(soc=55.0, capacity_kwh=10.0)


def _fed(*powers: float | None, start: datetime = START) -> TimeToGo:
    """Return a calculator fed one sample every 5 minutes."""
    calculator = TimeToGo()
    for number, power in enumerate(powers):
        calculator.add(start + STEP * number, power, HALF)
    return calculator


def _now(count: int) -> datetime:
    """Return the time of the last of `count` samples."""
    return START + STEP * (count - 1)


def test_minutes_from_kwh_and_watts() -> None:
    """4.5 kWh to the floor at 1 kW discharge take 270 minutes."""
    calculator = _fed(-1000.0, -1000.0, -1000.0)
    level = Level(soc=55.0, capacity_kwh=10.0, floor_soc=10.0)
    assert calculator.to_empty(_now(3), level) == pytest.approx(270.0)
    assert calculator.to_full(_now(3), level) is None


def test_time_to_full_to_the_charge_limit() -> None:
    """The BMS charge limit is the target; without one, 100 %."""
    calculator = _fed(2000.0, 2000.0, 2000.0)
    capped = Level(soc=55.0, capacity_kwh=10.0, ceiling_soc=90.0)
    assert calculator.to_full(_now(3), capped) == pytest.approx(105.0)
    assert calculator.to_full(_now(3), HALF) == pytest.approx(135.0)
    assert calculator.to_empty(_now(3), HALF) is None


def test_at_the_target_is_zero_never_negative() -> None:
    """Above the charge limit while still charging the answer is 0, not negative."""
    calculator = _fed(500.0, 500.0, 500.0)
    above = Level(soc=95.0, capacity_kwh=10.0, ceiling_soc=90.0)
    assert calculator.to_full(_now(3), above) == 0.0


def test_one_spike_does_not_swing_it() -> None:
    """A single 3 kW kettle among 500 W samples leaves the smoothed power alone."""
    calm = _fed(-500.0, -500.0, -500.0, -500.0, -500.0, -500.0)
    spiked = _fed(-500.0, -500.0, -500.0, -3500.0, -500.0, -500.0)
    assert spiked.trend.power(_now(6)) == calm.trend.power(_now(6)) == -500.0
    assert spiked.to_empty(_now(6), HALF) == calm.to_empty(_now(6), HALF)


def test_smoothing_averages_by_sample_time_window() -> None:
    """Samples older than 30 min before the newest sample drop out of the mean."""
    calculator = _fed(*([-3000.0] * 4), *([-600.0] * 7))
    assert calculator.trend.power(_now(11)) == pytest.approx(-600.0)
    assert len(calculator.trend.samples) == 7


def test_trimmed_mean() -> None:
    """Highest and lowest are dropped from four values on."""
    assert trimmed_mean([1.0, 2.0, 9.0]) == 4.0
    assert trimmed_mean([1.0, 2.0, 3.0, 100.0]) == 2.5


def test_idle_is_unknown() -> None:
    """Standby power gives neither time."""
    calculator = _fed(10.0, -20.0, 0.0, 5.0)
    assert calculator.to_full(_now(4), HALF) is None
    assert calculator.to_empty(_now(4), HALF) is None


def test_direction_change_is_unknown() -> None:
    """Once the recent samples turn, the old direction's time is unknown."""
    calculator = _fed(-1500.0, -1500.0, -1500.0, -1500.0, 400.0, 400.0)
    # The smoothed power still discharges, the recent samples charge.
    assert calculator.trend.power(_now(6)) < 0
    assert calculator.to_empty(_now(6), HALF) is None
    assert calculator.to_full(_now(6), HALF) is None


def test_one_reversed_sample_keeps_the_direction() -> None:
    """A single cloud sample the other way does not blank the time."""
    calculator = _fed(-800.0, -800.0, -800.0, -800.0, 300.0)
    assert calculator.to_empty(_now(5), HALF) is not None


def test_capped_at_48_hours() -> None:
    """A trickle never gives more than the horizon."""
    calculator = _fed(-40.0, -40.0, -40.0)
    assert calculator.to_empty(_now(3), HALF) == 48 * 60


def test_tuning_is_followed() -> None:
    """A calculator keeps to its tuning: horizon, samples, window, idle, margins."""
    short = TimeToGo(Tuning(horizon=timedelta(hours=6), min_samples=2))
    short.add(START, -40.0, HALF)
    short.add(START + STEP, -40.0, HALF)
    # Two samples suffice, and a trickle is capped at 6 h, not 48 h.
    assert short.to_empty(_now(2), HALF) == 6 * 60
    narrow = TimeToGo(Tuning(window=timedelta(minutes=10), idle_power_w=50.0))
    for number, power in enumerate((-3000.0, -3000.0, -40.0, -40.0, -40.0)):
        narrow.add(START + STEP * number, power, HALF)
    # The 10-minute window keeps only the trickle, which is idle below 50 W.
    assert len(narrow.trend.samples) == 3
    assert narrow.to_empty(_now(5), HALF) is None
    assert HALF.unconstrained()
    assert not HALF.unconstrained(Tuning(ceiling_margin=50.0))


def test_unknown_without_enough_or_fresh_samples() -> None:
    """Fewer than three samples, stale samples or a missing level give nothing."""
    assert _fed(-800.0, -800.0).to_empty(_now(2), HALF) is None
    calculator = _fed(-800.0, -800.0, -800.0)
    assert calculator.to_empty(_now(3) + timedelta(minutes=21), HALF) is None
    assert calculator.to_empty(_now(3), Level(soc=None, capacity_kwh=10.0)) is None
    assert calculator.to_empty(_now(3), Level(soc=50.0, capacity_kwh=0.0)) is None


def test_sample_times_not_arrival_order() -> None:
    """Repeated or older samples (polled again, late) are ignored."""
    trend = PowerTrend()
    trend.add(START, -500.0)
    trend.add(START, -9000.0)
    trend.add(START - STEP, -9000.0)
    trend.add(START + STEP, None)
    assert [s.power_w for s in trend.samples] == [-500.0]
    assert trend.recent() == -500.0
    assert PowerTrend().recent() == 0.0


def test_profile_expects_the_usual_evening() -> None:
    """With a learned profile the walk expects the night's low load, not the peak."""
    profile = DailyProfile()
    day = datetime(2026, 3, 1, 0, 2, tzinfo=UTC)
    for slot in range(24 * 12):
        at = day + STEP * slot
        profile.add(at, -2000.0 if 18 <= at.hour < 20 else -250.0)
    learned = TimeToGo(profile=profile)
    held = TimeToGo()
    for number in range(4):
        at = START + STEP * number
        learned.add(at, -2000.0, HALF)
        held.add(at, -2000.0, HALF)
    now = _now(4)
    level = Level(soc=80.0, capacity_kwh=10.0, floor_soc=5.0)
    # Held: 7.5 kWh at 2 kW. Learned: 1.75 h at 2 kW to 20:00, then 250 W.
    assert held.to_empty(now, level) == pytest.approx(225.0)
    assert learned.to_empty(now, level) == pytest.approx(1065, rel=0.01)
    assert learned.expected(now, timedelta(0)) == pytest.approx(-2000.0)
    assert TimeToGo(profile=profile).expected(now, timedelta(0)) is None


def test_profile_turning_before_the_target_is_unknown() -> None:
    """When the usual day charges again before the floor, it will not empty now."""
    profile = DailyProfile()
    for slot in range(48):
        at = START + timedelta(minutes=30) * slot
        profile.add(at, 1500.0 if at.hour >= 19 else -300.0)
    calculator = TimeToGo(profile=profile)
    for number in range(4):
        calculator.add(START + STEP * number, -300.0, HALF)
    assert calculator.to_empty(_now(4), HALF) is None


def test_profile_learns_only_unconstrained_samples() -> None:
    """Samples at the floor or near full say nothing about the household."""
    profile = DailyProfile()
    calculator = TimeToGo(profile=profile)
    calculator.add(START, 0.0, Level(soc=5.0, capacity_kwh=10.0, floor_soc=5.0))
    calculator.add(START + STEP, 200.0, Level(soc=97.0, capacity_kwh=10.0))
    assert profile.at(START) is None
    calculator.add(START + 2 * STEP, -400.0, HALF)
    assert profile.at(START) == -400.0


def test_home_minutes_adds_energy_and_power() -> None:
    """Two batteries: their energies to go over their summed power."""
    first = _fed(-1000.0, -1000.0, -1000.0)
    second = _fed(-500.0, -500.0, -500.0)
    parts = [
        (first, Level(soc=50.0, capacity_kwh=10.0, floor_soc=10.0)),
        (second, Level(soc=30.0, capacity_kwh=5.0, floor_soc=10.0)),
    ]
    # (4 + 1) kWh at 1.5 kW.
    assert home_minutes(_now(3), -1, parts) == pytest.approx(200.0)
    assert home_minutes(_now(3), -1, []) is None
    assert home_minutes(_now(3), -1, [*parts, (TimeToGo(), HALF)]) is None


def test_state_round_trip_keeps_samples_and_profile() -> None:
    """A restart with the stored state gives the same answers."""
    profile = DailyProfile()
    profile.add(START + timedelta(hours=1), -300.0)
    calculator = TimeToGo(profile=profile)
    for number in range(5):
        calculator.add(START + STEP * number, -900.0 - 10 * number, HALF)
    stored = json.loads(json.dumps(calculator.as_dict()))
    restored = TimeToGo.from_dict(stored, zone=UTC)
    assert restored.to_empty(_now(5), HALF) == calculator.to_empty(_now(5), HALF)
    assert restored.profile is not None
    assert restored.profile.at(START + timedelta(hours=1)) == -300.0
    assert TimeToGo.from_dict(stored).profile is None


@pytest.mark.parametrize(
    "stored",
    [None, [], {"samples": "x"}, {"samples": [["not a time", 1.0], [1, 2, 3], "x"]}],
)
def test_unreadable_state_starts_fresh(stored: object) -> None:
    """Stored state that cannot be read gives an empty calculator."""
    assert TimeToGo.from_dict(stored, zone=UTC).trend.samples == ()


@pytest.mark.parametrize(
    ("depth", "floor"), [(None, None), (0.0, None), (120.0, None), (80.0, 20.0)]
)
def test_floor_from_depth(depth: float | None, floor: float | None) -> None:
    """A discharge depth of 80 % leaves 20 %; nonsense gives nothing."""
    assert floor_from_depth(depth) == floor


def test_floor_learned_when_the_bms_stops_the_discharge() -> None:
    """The SOC at which the discharge limit drops to 0 A is the floor."""
    learner = FloorLearner()
    learner.update(None, False)
    learner.update(60.0, False)
    assert learner.floor_soc is None
    learner.update(30.0, True)
    learner.update(6.0, False)
    learner.update(5.0, False)
    assert learner.floor_soc == 6.0
    learner.update(12.0, True)
    learner.update(11.0, False)
    assert learner.floor_soc == 11.0
    restored = FloorLearner.from_dict(json.loads(json.dumps(learner.as_dict())))
    restored.update(10.0, False)
    assert restored.floor_soc == 11.0
    assert FloorLearner.from_dict({"floor_soc": 140}).floor_soc is None
