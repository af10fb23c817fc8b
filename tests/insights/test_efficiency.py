"""Tests of the round-trip efficiency and the cycles of the day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.dyness.insights.efficiency import DailyCycles, RoundTrip

START = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _week(soc_at_end: float = 50.0, *, days: int = 7) -> tuple[RoundTrip, datetime]:
    """Return a calculator fed hourly from a day before START: 10 kWh in, 9 out a day.

    The SOC is 50 % from midnight to noon, 80 % from noon to midnight.
    """
    calculator = RoundTrip()
    hours = days * 24
    for hour in range(-24, hours + 1):
        soc = soc_at_end if hour == hours else 50.0 + 30.0 * ((hour % 24) >= 12)
        calculator.add(
            START + HOUR * hour,
            charged_kwh=100.0 + 10.0 * hour / 24,
            discharged_kwh=200.0 + 9.0 * hour / 24,
            soc=soc,
        )
    return calculator, START + HOUR * hours


def _efficiency(calculator: RoundTrip, now: datetime, soc: float) -> float | None:
    """Return the efficiency with the totals the feed has at `now`."""
    hours = (now - START) / HOUR
    return calculator.efficiency(
        now,
        charged_kwh=100.0 + 10.0 * hours / 24,
        discharged_kwh=200.0 + 9.0 * hours / 24,
        soc=soc,
    )


def test_efficiency_over_a_week_with_the_same_soc() -> None:
    """Out over in across a week whose ends have the same SOC: 90 %."""
    calculator, now = _week()
    assert _efficiency(calculator, now, 50.0) == pytest.approx(90.0)


def test_unknown_when_the_soc_differs_at_the_ends() -> None:
    """No mark of the week's start is near the current SOC: unknown."""
    calculator, now = _week()
    assert _efficiency(calculator, now, 65.0) is None


def test_closest_soc_mark_within_the_slack_is_used() -> None:
    """A start mark a few hours before the week with the same SOC counts."""
    calculator, now = _week()
    # 80 % was the SOC in the first half of each day.
    assert _efficiency(calculator, now, 80.0) is not None


def test_unknown_before_a_week() -> None:
    """Less history than the window gives nothing."""
    calculator, now = _week(days=5)
    assert _efficiency(calculator, now, 50.0) is None


def test_unknown_without_inputs_or_with_too_little_charge() -> None:
    """Missing totals or a window with almost no charging give nothing."""
    calculator, now = _week()
    assert (
        calculator.efficiency(now, charged_kwh=None, discharged_kwh=1.0, soc=50.0)
        is None
    )
    assert (
        calculator.efficiency(now, charged_kwh=100.5, discharged_kwh=200.4, soc=50.0)
        is None
    )


def test_implausible_figures_are_unknown() -> None:
    """More out than in (wrong counters) is not shown as an efficiency."""
    calculator, now = _week()
    assert (
        calculator.efficiency(now, charged_kwh=170.0, discharged_kwh=300.0, soc=50.0)
        is None
    )


def test_counter_reset_forgets_the_old_marks() -> None:
    """After a counter steps back the old marks no longer compare."""
    calculator, now = _week()
    calculator.add(now + HOUR, charged_kwh=1.0, discharged_kwh=1.0, soc=50.0)
    assert (
        calculator.efficiency(now + HOUR, charged_kwh=1.0, discharged_kwh=1.0, soc=50.0)
        is None
    )


def test_one_mark_an_hour() -> None:
    """Samples within the hour of the last mark are not kept; missing ones neither."""
    calculator = RoundTrip()
    calculator.add(START, charged_kwh=1.0, discharged_kwh=1.0, soc=50.0)
    calculator.add(
        START + timedelta(minutes=5), charged_kwh=2.0, discharged_kwh=1.0, soc=50.0
    )
    calculator.add(START + HOUR, charged_kwh=None, discharged_kwh=1.0, soc=50.0)
    assert len(calculator.as_dict()["marks"]) == 1


def test_state_round_trip() -> None:
    """A restart with the stored marks gives the same efficiency."""
    calculator, now = _week()
    restored = RoundTrip.from_dict(json.loads(json.dumps(calculator.as_dict())))
    assert _efficiency(restored, now, 50.0) == _efficiency(calculator, now, 50.0)


@pytest.mark.parametrize(
    "stored",
    [None, {"marks": "x"}, {"marks": [[1, 2], ["no time", 1.0, 1.0, 50.0], "x"]}],
)
def test_unreadable_state_starts_fresh(stored: object) -> None:
    """Stored state that cannot be read gives an empty calculator."""
    assert RoundTrip.from_dict(stored).as_dict() == {"marks": []}


def test_out_of_order_stored_marks_are_skipped() -> None:
    """A stored mark not after the previous one is dropped."""
    text = START.isoformat()
    stored = {"marks": [[text, 1.0, 1.0, 50.0], [text, 2.0, 2.0, 50.0]]}
    assert len(RoundTrip.from_dict(stored).as_dict()["marks"]) == 1


BERLIN = ZoneInfo("Europe/Berlin")


def test_daily_cycles_count_from_local_midnight() -> None:
    """Cycles of the day restart at local midnight."""
    cycles = DailyCycles()
    assert cycles.update(datetime(2026, 3, 2, 8, tzinfo=BERLIN), 120.0) == 0.0
    assert cycles.update(datetime(2026, 3, 2, 23, tzinfo=BERLIN), 121.0) == 1.0
    assert cycles.update(datetime(2026, 3, 3, 0, 5, tzinfo=BERLIN), 121.0) == 0.0
    assert cycles.update(datetime(2026, 3, 3, 9, tzinfo=BERLIN), None) is None
    assert cycles.update(datetime(2026, 3, 3, 9, tzinfo=BERLIN), -1.0) is None


def test_daily_cycles_counter_stepping_back_restarts() -> None:
    """A counter that steps back (replaced module) starts a new count."""
    cycles = DailyCycles()
    cycles.update(datetime(2026, 3, 2, 8, tzinfo=BERLIN), 120.0)
    assert cycles.update(datetime(2026, 3, 2, 9, tzinfo=BERLIN), 3.0) == 0.0
    assert cycles.update(datetime(2026, 3, 2, 10, tzinfo=BERLIN), 4.0) == 1.0


def test_daily_cycles_round_trip() -> None:
    """A restart keeps the day's starting counter."""
    cycles = DailyCycles()
    cycles.update(datetime(2026, 3, 2, 8, tzinfo=BERLIN), 120.0)
    restored = DailyCycles.from_dict(json.loads(json.dumps(cycles.as_dict())))
    assert restored.update(datetime(2026, 3, 2, 20, tzinfo=BERLIN), 121.0) == 1.0


@pytest.mark.parametrize("stored", [None, {"day": "nonsense", "start": 3}, {"day": 5}])
def test_daily_cycles_unreadable_state(stored: object) -> None:
    """Unreadable state starts counting anew."""
    cycles = DailyCycles.from_dict(stored)
    assert cycles.update(datetime(2026, 3, 2, 8, tzinfo=BERLIN), 120.0) == 0.0
