"""What the HTTP handlers need of the simulator, so they need not import it."""

from __future__ import annotations

from typing import Any, Protocol

from .accounts import Account
from .clock import SimClock
from .devices import Battery
from .endpoints import Region
from .faults import Fault, FaultBook
from .ratelimit import RateLimiter
from .stats import Stats


class SimulatorState(Protocol):
    """The simulator's accounts, clock, faults and counters (see `Simulator`)."""

    accounts: dict[str, Account]
    clock: SimClock
    faults: FaultBook
    limiter: RateLimiter
    max_skew: float
    v2_enabled: bool
    region: Region
    slow_seconds: float

    def device(self, serial: str) -> Battery:
        """Return the battery that owns a master, module or dongle serial."""

    def truth_report(self, battery: Battery) -> dict[str, Any]:
        """Return the exact energy counters of a battery."""

    def set_point(self, serial: str, point_id: str, value: str | None) -> None:
        """Override one point of a device."""

    def clear_points(self, serial: str | None = None) -> None:
        """Drop point overrides."""

    def drop_sub(self, serial: str, module_sn: str | None = None) -> str:
        """Leave a module out of the master's `SUB` list."""

    def add_fault(self, fault: Fault) -> int:
        """Add a fault; return its id."""

    def clear_faults(self, fault_id: int | None = None) -> int:
        """Clear one fault or all; return how many were cleared."""

    def set_rate_limit(
        self,
        *,
        per_second: int | None = 2,
        per_hour: int | None = 60,
        second_retry_after: int | None = None,
    ) -> None:
        """Change the cloud's rate limits."""

    def stats_entry(self, app_id: str) -> Stats:
        """Return the live counters of an App ID."""

    def reset_stats(self) -> None:
        """Forget every counter."""

    def state(self) -> dict[str, Any]:
        """Return the whole simulator state as JSON-ready data."""
