"""SOH trend: percentage points lost per year, from long-term statistics."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from statistics import median
from typing import Final

from .spread import outlier_limit

MIN_SPAN: Final = timedelta(days=30)
MIN_DAYS: Final = 20
DAYS_PER_YEAR: Final = 365.25
# Days farther from the first fit than the outlier rule (robust standard
# deviations, at least MIN_RESIDUAL points) are glitches, not ageing.
MIN_RESIDUAL: Final = 2.0
# Median absolute deviation to standard deviation of a normal distribution.
MAD_SCALE: Final = 1.4826


def daily_medians(
    points: Iterable[tuple[datetime, float | None]],
) -> dict[date, float]:
    """Return the median SOH of each day that has values (a glitch hour is ignored)."""
    days: dict[date, list[float]] = defaultdict(list)
    for moment, value in points:
        if value is not None and 0 < value <= 100:
            days[moment.date()].append(value)
    return {day: median(values) for day, values in days.items()}


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Return the least-squares slope and intercept."""
    count = len(xs)
    mean_x, mean_y = sum(xs) / count, sum(ys) / count
    spread = sum((x - mean_x) ** 2 for x in xs)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    slope /= spread
    return slope, mean_y - slope * mean_x


def soh_loss_per_year(
    points: Iterable[tuple[datetime, float | None]],
) -> float | None:
    """Return the SOH lost per year (pp, positive when ageing), None before 30 days.

    Least squares over daily medians, refitted once without the days whose
    residual is an outlier (a misread SOH must not tilt the line).
    """
    days = daily_medians(points)
    if len(days) < MIN_DAYS:
        return None
    first = min(days)
    if max(days) - first < MIN_SPAN:
        return None
    xs = [float((day - first).days) for day in sorted(days)]
    ys = [days[day] for day in sorted(days)]
    slope, intercept = _fit(xs, ys)
    residuals = [y - (slope * x + intercept) for x, y in zip(xs, ys, strict=True)]
    sigma = MAD_SCALE * median(abs(r) for r in residuals)
    limit = outlier_limit(sigma, MIN_RESIDUAL)
    kept = [
        (x, y) for x, y, r in zip(xs, ys, residuals, strict=True) if abs(r) <= limit
    ]
    # At least half of the days lie within 3 MADs, so the refit has points.
    slope, _ = _fit([x for x, _ in kept], [y for _, y in kept])
    return -slope * DAYS_PER_YEAR + 0.0
