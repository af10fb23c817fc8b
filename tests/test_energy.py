"""Tests of the energy integrator, the counter guard and the hourly split."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import logging

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.dyness.api import PowerRecord
from custom_components.dyness.backfill import plan_rows
from custom_components.dyness.energy import (
    MAX_GAP,
    CounterGuard,
    Direction,
    Integrator,
    Segment,
    hourly,
)
from dyness_sim import ALL_MODELS, SimClock, Simulator

T0 = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
FIVE = timedelta(minutes=5)


def _record(time: datetime, power: float | None) -> PowerRecord:
    """Return a 5-minute record with only a time and a power."""
    return PowerRecord(
        time=time, current=None, power=power, voltage=None, soc=None, raw={}
    )


def _sim_records(sim: Simulator, serial: str, now: datetime) -> list[PowerRecord]:
    """Return the simulator's records of today as the client parses them."""
    battery = sim.device(serial)
    return sorted(
        (
            record
            for item in battery.power_records(now)
            if (record := PowerRecord.from_api(item)) is not None
        ),
        key=lambda record: record.time,
    )


def test_previous_sample_rule_splits_directions() -> None:
    """Charge and discharge are summed apart; a sign change never nets out."""
    charged, discharged = (
        Integrator(Direction.CHARGED),
        Integrator(Direction.DISCHARGED),
    )
    for integrator in (charged, discharged):
        integrator.add(T0, 1200.0)
        integrator.add(T0 + FIVE, -600.0)
        integrator.add(T0 + 2 * FIVE, 0.0)
    assert charged.total == pytest.approx(0.1)
    assert discharged.total == pytest.approx(0.05)


def test_same_sample_counted_once() -> None:
    """A sample seen again (same T) or an older one adds nothing."""
    integrator = Integrator(Direction.CHARGED)
    integrator.add(T0, 1200.0)
    integrator.add(T0 + FIVE, 1200.0)
    integrator.add(T0 + FIVE, 1200.0)
    integrator.add(T0, 5000.0)
    assert integrator.total == pytest.approx(0.1)
    assert integrator.last_power == 1200.0


def test_gap_counts_nothing_without_records() -> None:
    """Across a gap with no records nothing is guessed."""
    integrator = Integrator(Direction.CHARGED)
    integrator.add(T0, 1200.0)
    assert not integrator.needs_records(T0 + MAX_GAP)
    assert integrator.needs_records(T0 + MAX_GAP + timedelta(seconds=1))
    assert integrator.fill([], T0 + timedelta(hours=3), 1200.0) == []
    assert integrator.total == 0.0
    integrator.add(T0 + timedelta(hours=3, minutes=5), 0.0)
    assert integrator.total == pytest.approx(0.1)


@pytest.mark.parametrize(("before", "counted"), [(10, 0.2), (15, 0.3), (20, 0.0)])
def test_stretch_before_a_list_from_midnight_is_held_when_short(
    before: int, counted: float
) -> None:
    """A list that starts after the last sample (local midnight) misses the stretch.

    A stretched plan reads every second sample, so the last sample of a day
    is up to 10 minutes before midnight: that stretch is held at the last
    power; a longer one (a fault over midnight) is lost, never guessed.
    """
    midnight = T0.replace(hour=22)
    last = midnight - timedelta(minutes=before)
    integrator = Integrator(Direction.CHARGED, last_time=last, last_power=1200.0)
    records = [_record(midnight, 600.0), _record(midnight + FIVE, None)]
    integrator.fill(records, midnight + FIVE, 0.0)
    assert integrator.total == pytest.approx(counted + 0.05)
    # A list reaching back to the last sample holds nothing over its own holes.
    held = Integrator(Direction.CHARGED, last_time=last, last_power=1200.0)
    held.fill([_record(last, 1200.0), *records], midnight + FIVE, 0.0)
    assert held.total == pytest.approx(0.05)


def test_null_record_counts_nothing_from_there() -> None:
    """An empty record (standby, not uploaded) is no data, not a held power."""
    integrator = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    records = [_record(T0 + FIVE, None), _record(T0 + 2 * FIVE, 600.0)]
    segments = integrator.fill(records, T0 + 3 * FIVE, 0.0)
    assert integrator.total == pytest.approx(0.1 + 0.05)
    assert [s.kwh for s in segments] == pytest.approx([0.1, 0.05])


@pytest.mark.parametrize("phase", [0, 47, 299])
def test_gap_fill_has_no_double_count_at_boundaries(phase: int) -> None:
    """Records strictly after the last sample and up to the new one, each once.

    With phase 0 the gap starts and ends exactly on a record boundary.
    """
    start = T0 + timedelta(seconds=phase)
    powers = [1000.0, 2000.0, -500.0, 3000.0, 1500.0, 800.0]
    records = [_record(T0 + i * FIVE, p) for i, p in enumerate(powers)]
    end = T0 + 5 * FIVE + timedelta(seconds=phase)
    integrator = Integrator(Direction.CHARGED, last_time=start, last_power=1000.0)
    integrator.fill(records, end, 800.0)
    # Exact: each slot's power held for the part of the slot inside the gap.
    seconds = [300 - phase, 300, 300, 300, 300, phase]
    expected = sum(max(0.0, p) * s for p, s in zip(powers, seconds, strict=True))
    assert integrator.total == pytest.approx(expected / 3_600_000)
    # Feeding the same records and sample again changes nothing.
    integrator.fill(records, end, 800.0)
    assert integrator.total == pytest.approx(expected / 3_600_000)


def test_records_counting_the_other_way_are_turned() -> None:
    """Records whose sign disagrees with the samples' (the same slot) are negated."""
    integrator = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    records = [_record(T0, -1200.0), _record(T0 + FIVE, -600.0)]
    integrator.fill(records, T0 + 2 * FIVE, 0.0)
    assert integrator.total == pytest.approx(0.1 + 0.05)
    agreeing = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    agreeing.fill([_record(T0, 1200.0), _record(T0 + FIVE, 600.0)], T0 + 2 * FIVE, 0.0)
    assert agreeing.total == pytest.approx(0.15)
    quiet = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    quiet.fill([_record(T0, 10.0), _record(T0 + FIVE, 600.0)], T0 + 2 * FIVE, 0.0)
    assert quiet.total == pytest.approx(0.15)


def test_ambiguous_slot_never_swaps_a_gap() -> None:
    """A slot record of the other sign but another size is no proof: no flip."""
    integrator = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    records = [_record(T0, -400.0), _record(T0 + FIVE, 600.0)]
    integrator.fill(records, T0 + 2 * FIVE, 0.0)
    # Kept as they are: the slot at the sample's 1200 W, then 600 W charging.
    assert integrator.total == pytest.approx(0.15)
    flipped = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    flipped.fill([_record(T0, -1150.0), records[1]], T0 + 2 * FIVE, 0.0)
    assert flipped.total == pytest.approx(0.1)


def test_learnt_sign_overrides_the_slot_check() -> None:
    """The records clock's sign turns the gap even without a telling slot."""
    integrator = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    records = [_record(T0 + FIVE, -600.0)]
    integrator.fill(records, T0 + 2 * FIVE, 0.0, sign=-1)
    assert integrator.total == pytest.approx(0.1 + 0.05)
    kept = Integrator(Direction.CHARGED, last_time=T0, last_power=1200.0)
    kept.fill([_record(T0, -1200.0), *records], T0 + 2 * FIVE, 0.0, sign=1)
    assert kept.total == pytest.approx(0.1)


def test_restore_round_trip() -> None:
    """The stored form continues the total from the last sample counted."""
    integrator = Integrator(Direction.DISCHARGED)
    integrator.add(T0, -1200.0)
    integrator.add(T0 + FIVE, -1200.0)
    again = Integrator(Direction.DISCHARGED)
    again.restore(integrator.as_dict())
    assert again == integrator
    broken = Integrator(Direction.DISCHARGED)
    broken.restore({"total": "x", "last_time": 5, "last_power": True})
    assert (broken.total, broken.last_time, broken.last_power) == (0.0, None, None)


def test_counter_never_steps_back(caplog: pytest.LogCaptureFixture) -> None:
    """A lower reading is ignored and logged once; empty readings change nothing."""
    caplog.set_level(logging.WARNING)
    guard = CounterGuard("test counter")
    assert guard.update(10.0, T0)
    assert not guard.update(None, T0 + FIVE)
    assert not guard.update(9.5, T0 + FIVE)
    assert not guard.update(9.0, T0 + 2 * FIVE)
    assert guard.update(10.5, T0 + 3 * FIVE)
    assert guard.total == 10.5
    assert caplog.text.count("Ignoring test counter") == 1
    again = CounterGuard("again")
    again.restore(guard.as_dict())
    assert (again.total, again.last_time) == (10.5, T0 + 3 * FIVE)


def test_counter_spike_is_rejected(caplog: pytest.LogCaptureFixture) -> None:
    """A jump beyond what a battery can move in the time elapsed is ignored once."""
    caplog.set_level(logging.WARNING)
    guard = CounterGuard("spiky counter")
    assert guard.update(1000.0, T0)
    # Two readings of a 10-minute spike: neither counts, one line for both.
    assert not guard.update(99_999_999.0, T0 + FIVE)
    assert not guard.update(99_999_999.0, T0 + 2 * FIVE)
    assert guard.update(1000.4, T0 + 3 * FIVE)
    assert guard.total == 1000.4
    assert caplog.text.count("implausibly far above") == 1
    # 5 kW for an hour is plausible; 5 kWh in five minutes is not.
    assert guard.update(1005.4, T0 + 15 * FIVE)
    assert not guard.update(1010.4, T0 + 16 * FIVE)


@pytest.mark.parametrize("level", [3.0, 5000.0])
def test_counter_settled_elsewhere_rebaselines(level: float) -> None:
    """A counter reset or a replaced battery: the total continues, never back."""
    guard = CounterGuard("replaced battery")
    assert guard.update(1000.0, T0)
    totals = []
    for step in range(1, 12):
        guard.update(level + 0.1 * step, T0 + step * FIVE)
        totals.append(guard.total)
    assert totals == sorted(totals)
    # Re-based after 30 minutes; every later kWh of the counter counts again.
    assert guard.total == pytest.approx(1000.0 + 0.1 * (11 - 1))
    again = CounterGuard("again")
    again.restore(guard.as_dict())
    assert again.update(level + 2.0, T0 + 12 * FIVE)
    assert again.total == pytest.approx(1000.0 + 2.0 - 0.1)


def test_segments_split_into_hours() -> None:
    """A segment across an hour is shared by time; rows continue the baseline."""
    segment = Segment(T0 - timedelta(minutes=10), T0 + timedelta(minutes=20), 3.0)
    assert hourly([segment]) == {
        T0 - timedelta(hours=1): pytest.approx(1.0),
        T0: pytest.approx(2.0),
    }
    assert list(Segment(T0, T0, 1.0).split_hours()) == []
    rows = plan_rows(
        [segment], 5.0, (100.0, 4.0), T0 + timedelta(hours=1, minutes=3), T0
    )
    assert [(r["start"], r["sum"], r["state"]) for r in rows] == [
        (T0, pytest.approx(103.0), pytest.approx(7.0)),
    ]


@settings(max_examples=60, deadline=None)
@given(
    powers=st.lists(
        st.one_of(st.none(), st.floats(-5000, 5000, allow_nan=False)),
        min_size=2,
        max_size=300,
    ),
    steps=st.lists(st.integers(1, 40), min_size=2, max_size=300),
    repeats=st.lists(st.booleans(), min_size=2, max_size=300),
)
def test_totals_never_decrease(
    powers: list[float | None], steps: list[int], repeats: list[bool]
) -> None:
    """Whatever the samples (gaps, repeats, nulls), totals only grow."""
    charged, discharged = (
        Integrator(Direction.CHARGED),
        Integrator(Direction.DISCHARGED),
    )
    time = T0
    last = (0.0, 0.0)
    for power, step, repeat in zip(powers, steps, repeats, strict=False):
        time += timedelta(minutes=step) if not repeat else timedelta(0)
        for integrator in (charged, discharged):
            integrator.add(time, power)
        now = (charged.total, discharged.total)
        assert now[0] >= last[0]
        assert now[1] >= last[1]
        last = now


@pytest.mark.parametrize("model", ["PowerHaus", "Tower T14", "PowerBrick Plus"])
def test_week_of_records_matches_truth(model: str) -> None:
    """Records integrated over a week (one fill per day) equal the truth.

    The records are the cloud's own 5-minute powers, so the only loss is what
    precedes the first record of a day when the gap began the day before.
    """
    clock = SimClock.fixed(T0)
    sim = Simulator.single(model, clock=clock)
    battery = sim.batteries[0]
    serial = battery.device_sn
    charged, discharged = (
        Integrator(Direction.CHARGED),
        Integrator(Direction.DISCHARGED),
    )
    local_day_end = T0.replace(hour=21, minute=59)  # 23:59 in Berlin (summer)
    start = None
    for day in range(7):
        now = local_day_end + timedelta(days=day, seconds=55)
        clock.set(now)
        sample = battery.latest_sample(now)
        assert sample is not None
        records = _sim_records(sim, serial, now)
        for integrator in (charged, discharged):
            if integrator.last_time is None:
                # Start at the day's first record.
                integrator.add(records[0].time, records[0].power)
                start = records[0].time
            integrator.fill(records, sample.at, sample.power_w)
    assert start is not None
    end = battery.truth_at(charged.last_time)  # type: ignore[arg-type]
    first = battery.truth_at(start)
    truth_charged = end.charged_kwh - first.charged_kwh
    truth_discharged = end.discharged_kwh - first.discharged_kwh
    assert charged.total == pytest.approx(truth_charged, rel=1e-6)
    assert discharged.total == pytest.approx(truth_discharged, rel=1e-6)
    assert model in ALL_MODELS
