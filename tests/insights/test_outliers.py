"""Tests of module outliers and the weakest cell."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json

import pytest

from custom_components.dyness.insights.outliers import (
    Outlier,
    OutlierMonitor,
    Quantity,
    WeakCell,
    WeakestCell,
    away_from_siblings,
)

START = datetime(2026, 3, 2, 0, 2, 43, tzinfo=UTC)
STEP = timedelta(minutes=5)
HOT = Outlier("m3", Quantity.TEMPERATURE)


def _feed(
    monitor: OutlierMonitor, hours: float, hot: float, start: datetime = START
) -> list[tuple[tuple[Outlier, ...], tuple[Outlier, ...]]]:
    """Feed temperatures every 5 minutes with m3 `hot` degrees above; return changes."""
    changes = []
    for number in range(int(hours * 12)):
        at = start + STEP * number
        values = {"m1": 21.0, "m2": 21.4, "m3": 21.2 + hot, "m4": None}
        found = monitor.add(at, Quantity.TEMPERATURE, values)
        if found.raised or found.cleared:
            changes.append((found.raised, found.cleared))
    return changes


def test_module_off_its_siblings_is_away() -> None:
    """Beyond the margin and 3 sigma of the others is away; within is not."""
    assert away_from_siblings({"a": 20.0, "b": 20.5, "c": 30.0}, 5.0) == {
        "a": False,
        "b": False,
        "c": True,
    }
    assert away_from_siblings({"a": 20.0, "b": 24.0, "c": 28.0}, 5.0) == {
        "a": False,
        "b": False,
        "c": False,
    }


def test_two_modules_cannot_tell() -> None:
    """With two modules there is no majority to compare with."""
    assert away_from_siblings({"a": 20.0, "b": 40.0}, 5.0) == {}
    monitor = OutlierMonitor()
    for number in range(24 * 12):
        monitor.add(START + STEP * number, Quantity.TEMPERATURE, {"a": 20.0, "b": 40.0})
    assert monitor.active == ()


def test_raised_after_a_day_away() -> None:
    """A module 8 °C warmer all day is raised once, after half a day of samples."""
    monitor = OutlierMonitor()
    changes = _feed(monitor, 24, hot=8.0)
    assert changes == [((HOT,), ())]
    assert monitor.active == (HOT,)


def test_not_raised_when_only_sometimes_away() -> None:
    """A module warm for a few hours of the day is not an outlier."""
    monitor = OutlierMonitor()
    _feed(monitor, 18, hot=0.0)
    _feed(monitor, 6, hot=8.0, start=START + timedelta(hours=18))
    assert monitor.active == ()


def test_cleared_with_hysteresis() -> None:
    """Back in line, the verdict stays until under half of the day was away."""
    monitor = OutlierMonitor()
    _feed(monitor, 24, hot=8.0)
    # Six hours in line: 75 % of the day still away, the verdict stays.
    assert _feed(monitor, 6, hot=0.0, start=START + timedelta(hours=24)) == []
    assert monitor.active == (HOT,)
    later = _feed(monitor, 12, hot=0.0, start=START + timedelta(hours=30))
    assert later == [((), (HOT,))]
    assert monitor.active == ()


def test_cell_voltage_outlier_is_its_own_verdict() -> None:
    """A module 80 mV low is a cell-voltage outlier, not a temperature one."""
    monitor = OutlierMonitor()
    for number in range(24 * 12):
        monitor.add(
            START + STEP * number, Quantity.TEMPERATURE, {"m1": 20, "m2": 20, "m4": 21}
        )
        monitor.add(
            START + STEP * number,
            Quantity.CELL_VOLTAGE,
            {"m1": 3.301, "m2": 3.298, "m3": 3.300, "m4": 3.220},
        )
    assert monitor.active == (Outlier("m4", Quantity.CELL_VOLTAGE),)


def test_state_round_trip_keeps_verdicts_and_the_day() -> None:
    """After a restart the verdict stays and clearing needs the same day as before."""
    monitor = OutlierMonitor()
    _feed(monitor, 24, hot=8.0)
    restored = OutlierMonitor.from_dict(json.loads(json.dumps(monitor.as_dict())))
    assert restored.active == (HOT,)
    assert _feed(restored, 6, hot=0.0, start=START + timedelta(hours=24)) == []
    assert _feed(restored, 12, hot=0.0, start=START + timedelta(hours=30)) == [
        ((), (HOT,))
    ]


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {
            "hours": [["m1", "pressure", START.isoformat(), 1, 1]],
            "active": [["m1", "x"]],
        },
        {"hours": [["m1", "temperature", "no time", 1, 1], [1, 2]], "active": ["m1"]},
        {"hours": [["m1", "temperature", START.isoformat(), "1", 1]]},
    ],
)
def test_unreadable_state_starts_fresh(stored: object) -> None:
    """Unreadable rows are skipped."""
    monitor = OutlierMonitor.from_dict(stored)
    assert monitor.active == ()
    assert monitor.as_dict()["hours"] == []


def test_weakest_cell_is_the_most_often_lowest() -> None:
    """The cell lowest in most samples of the week is the weakest."""
    weakest = WeakestCell()
    for number in range(20):
        low = "m2 cell 7" if number % 4 else "m1 cell 3"
        voltages: dict[str, float | None] = {
            "m1 cell 3": 3.300,
            "m2 cell 7": 3.300,
            "m1 cell 1": 3.310,
            "m3 cell 2": None,
        }
        voltages[low] = 3.290
        weakest.add(START + STEP * number, voltages)
    assert weakest.weakest() == WeakCell("m2 cell 7", 0.75)


def test_weakest_cell_needs_samples_and_forgets_old_days() -> None:
    """Too few samples give nothing; samples older than a week drop out."""
    weakest = WeakestCell()
    weakest.add(START, {})
    for number in range(11):
        weakest.add(START + STEP * number, {"a": 3.29, "b": 3.30})
    assert weakest.weakest() is None
    for number in range(12):
        weakest.add(START + timedelta(days=8) + STEP * number, {"a": 3.30, "b": 3.29})
    assert weakest.weakest() == WeakCell("b", 1.0)


def test_weakest_cell_ties_count_for_every_lowest_cell() -> None:
    """Cells tied at the lowest voltage all count; the name breaks the final tie."""
    weakest = WeakestCell()
    for number in range(12):
        weakest.add(START + STEP * number, {"b": 3.29, "a": 3.29, "c": 3.30})
    assert weakest.weakest() == WeakCell("a", 1.0)


def test_weakest_cell_round_trip() -> None:
    """A restart keeps the week's counts."""
    weakest = WeakestCell()
    for number in range(12):
        weakest.add(START + STEP * number, {"a": 3.29, "b": 3.30})
    restored = WeakestCell.from_dict(json.loads(json.dumps(weakest.as_dict())))
    assert restored.weakest() == weakest.weakest()


@pytest.mark.parametrize(
    "stored",
    [
        None,
        {"days": {"2026-03-02": {"a": "x"}}, "samples": {"2026-03-02": 20}},
        {"days": {}, "samples": {"2026-03-02": 20}},
        {"days": {"2026-03-02": {"a": 3}}, "samples": {"2026-03-02": 2.5}},
    ],
)
def test_weakest_cell_unreadable_state(stored: object) -> None:
    """Unreadable counts give no weakest cell."""
    assert WeakestCell.from_dict(stored).weakest() is None
