"""Tests of the SOH trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from custom_components.dyness.insights.soh_trend import daily_medians, soh_loss_per_year

START = datetime(2026, 1, 1, tzinfo=UTC)


def _series(
    days: int, soh: float = 100.0, per_year: float = 2.0
) -> list[tuple[datetime, float | None]]:
    """Return hourly means of an SOH losing `per_year` points a year."""
    return [
        (START + timedelta(hours=hour), soh - per_year * hour / 24 / 365.25)
        for hour in range(days * 24)
    ]


def test_unknown_before_30_days() -> None:
    """Twenty-nine days of statistics are not enough."""
    assert soh_loss_per_year(_series(29)) is None
    assert soh_loss_per_year([]) is None


def test_unknown_with_too_few_days_in_the_span() -> None:
    """Two readings 60 days apart are not a trend."""
    points = [(START, 100.0), (START + timedelta(days=60), 99.0)]
    assert soh_loss_per_year(points) is None


def test_linear_loss() -> None:
    """A steady decline of 2 points a year is found."""
    assert soh_loss_per_year(_series(60)) == pytest.approx(2.0, rel=1e-3)


def test_no_loss_is_zero() -> None:
    """A flat SOH gives zero, not a negative zero."""
    assert soh_loss_per_year(_series(40, per_year=0.0)) == 0.0


def test_whole_point_steps() -> None:
    """Integer SOH readings stepping 100 → 99 after half a year show the loss."""
    points: list[tuple[datetime, float | None]] = [
        (START + timedelta(days=day), 100.0 if day < 182 else 99.0)
        for day in range(365)
    ]
    assert soh_loss_per_year(points) == pytest.approx(1.5, abs=0.6)


def test_glitch_days_do_not_tilt_the_line() -> None:
    """Days of a misread SOH (a cell voltage read as SOH) are left out of the fit."""
    points = _series(90)
    clean = soh_loss_per_year(points)
    glitched = [
        (moment, 3.3 if moment.day in (20, 21) and moment.month == 3 else value)
        for moment, value in points
    ]
    glitched += [(START + timedelta(days=89, hours=5), 60.0)]
    assert soh_loss_per_year(glitched) == pytest.approx(clean, abs=0.3)


def test_daily_medians_skip_unknown_and_impossible_values() -> None:
    """None, zero and values above 100 are not SOH readings."""
    points = [
        (START, 98.0),
        (START + timedelta(hours=1), 100.0),
        (START + timedelta(hours=2), None),
        (START + timedelta(hours=3), 0.0),
        (START + timedelta(hours=4), 140.0),
    ]
    assert daily_medians(points) == {START.date(): 99.0}
