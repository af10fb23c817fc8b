"""Plausibility guard: drop physically impossible values before entities see them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from .api import Point, RealtimeSnapshot
from .const import LOGGER
from .families import (
    CELL_TEMPERATURE_RANGE,
    CELL_VOLTAGE_RANGE,
    RANGES,
    CellLayout,
    Family,
    ModuleLayout,
    Range,
)

type Check = tuple[str, Range]


def _cell_checks(cells: CellLayout | None) -> Iterator[Check]:
    """Yield the voltage check of every cell slot of a layout."""
    if cells is not None:
        for number in range(1, cells.max_cells + 1):
            yield cells.point_id(number), CELL_VOLTAGE_RANGE


def family_checks(family: Family) -> tuple[Check, ...]:
    """Return the checks of a master's points."""
    checks = [
        (point_id, RANGES[metric])
        for metric in RANGES
        if (point_id := family.point(metric)) is not None
    ]
    checks.extend(_cell_checks(family.cells))
    return tuple(checks)


def module_checks(layout: ModuleLayout) -> tuple[Check, ...]:
    """Return the checks of a module's points."""
    checks = [
        (point_id, RANGES[metric])
        for metric, point_id in layout.points.items()
        if metric in RANGES
    ]
    checks.extend(
        (point_id, CELL_TEMPERATURE_RANGE) for point_id in layout.temperatures
    )
    checks.extend(_cell_checks(layout.cells))
    return tuple(checks)


def guard(
    snapshot: RealtimeSnapshot, checks: tuple[Check, ...]
) -> tuple[RealtimeSnapshot, dict[str, str]]:
    """Return the snapshot without implausible values, and what was dropped."""
    dropped: dict[str, str] = {}
    points = dict(snapshot.points)
    for point_id, bounds in checks:
        item = points.get(point_id)
        if item is None or item.value is None:
            continue
        if bounds is CELL_VOLTAGE_RANGE and item.value == 0:
            # "0.0" marks a cell slot the module does not have (docs/api.md Q11), not a fault.
            points[point_id] = replace(item, value=None)
            continue
        if item.value not in bounds:
            dropped[point_id] = item.raw or ""
            points[point_id] = Point(
                point_id=point_id, raw=None, value=None, name_cn=item.name_cn
            )
    if not dropped and points == snapshot.points:
        return snapshot, dropped
    return replace(snapshot, points=points), dropped


class Rejections:
    """What the guard dropped per device; each point is logged once."""

    def __init__(self) -> None:
        """Start with nothing dropped."""
        # serial → point id → raw value the guard last dropped.
        self.rejected: dict[str, dict[str, str]] = {}
        self._logged: set[tuple[str, str]] = set()

    def clean(
        self, serial: str, snapshot: RealtimeSnapshot, checks: tuple[Check, ...]
    ) -> RealtimeSnapshot:
        """Drop implausible values from a device's snapshot."""
        cleaned, dropped = guard(snapshot, checks)
        for point_id, raw in dropped.items():
            self.rejected.setdefault(serial, {})[point_id] = raw
            if (serial, point_id) not in self._logged:
                self._logged.add((serial, point_id))
                LOGGER.warning(
                    "Ignoring implausible value %r of point %s from %s",
                    raw,
                    point_id,
                    serial,
                )
        return cleaned
