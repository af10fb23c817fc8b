"""What an entry asks of its App ID's call budget, and the figures it shows."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from .api import CallScheduler
from .api.scheduler import Demand, Plan
from .const import STATIC_INTERVAL
from .data import BatteryData, ScheduleFigures
from .families import Family, Metric, SourceKind

# Modules may fall behind their battery's 5 minutes up to this much before the
# budget repair asks the user to act (README, "How data is updated").
MODULE_LAG_MINUTES = 30
DETAIL_PER_HOUR = 1 / 12
SIGNAL_PER_HOUR = 2.0
STATIC_PER_HOUR = 3600 / STATIC_INTERVAL.total_seconds()


def needs_detail(family: Family) -> bool:
    """Return whether a layout reads a figure from the device detail."""
    return any(s.kind is SourceKind.DETAIL for s in family.points.values())


def budget_repair(plan: Plan) -> str | None:
    """Return which budget repair a plan calls for, None when none.

    Batteries slower than their 5 minutes always need the user; modules only
    once they are read less often than every `MODULE_LAG_MINUTES`.
    """
    if plan.battery_every > 1:
        return "budget_batteries"
    if 5 * plan.module_every > MODULE_LAG_MINUTES:
        return "budget_modules"
    return None


def computes_energy(battery: BatteryData) -> bool:
    """Return whether an energy total of a battery is computed from its power."""
    counters = (Metric.ENERGY_CHARGED_TOTAL, Metric.ENERGY_DISCHARGED_TOTAL)
    return battery.provides(Metric.POWER) and not all(
        battery.provides(counter) for counter in counters
    )


def entry_demand(
    batteries: Mapping[str, BatteryData], modules: int, signals: int
) -> Demand:
    """Return the calls this entry needs per sample, and its slow calls per hour."""
    # Where v2 serves a PowerBrick SC/Plus it is its one call a sample; the
    # hourly `realTime/data` fits the tenth kept for late samples.
    extras = sum(
        int(b.family.uses_power_records and b.battery_info is None)
        + int(b.family.uses_running_data)
        for b in batteries.values()
    )
    details = sum(needs_detail(b.family) for b in batteries.values())
    return Demand(
        battery_calls=len(batteries) + extras,
        module_calls=modules,
        gap_calls=sum(computes_energy(b) for b in batteries.values()),
        static_per_hour=STATIC_PER_HOUR
        + details * DETAIL_PER_HOUR
        + signals * SIGNAL_PER_HOUR,
    )


def schedule_figures(
    scheduler: CallScheduler,
    plan: Plan,
    next_refresh: datetime,
) -> ScheduleFigures:
    """Return the budget figures shown by the diagnostic sensors."""
    return ScheduleFigures(
        calls_last_hour=scheduler.used_last_hour(),
        budget=scheduler.budget,
        budget_left=scheduler.budget_left(),
        next_refresh=next_refresh,
        battery_minutes=5 * plan.battery_every,
        module_minutes=5 * plan.module_every,
    )
