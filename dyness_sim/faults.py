"""Faults injected on demand into the next N matching requests."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
import itertools
from typing import Any, Literal, get_args

type FaultKind = Literal[
    "timeout", "code500", "html", "truncated", "empty", "http429", "auth", "offline"
]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind.__value__)

# Texts the real API sends with code 500 (doc §3.2); other texts are accepted too.
KNOWN_500_TEXTS = (
    "The device is bound by someone else",
    "request parameter is not null",
    "Device ID Cannot Be Empty",
    "Network Anomaly",
    "NETWORK_ERROR",
    "Device connection timed out",
    "Device is not configured",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    """What to break, for how many matching requests, and which requests match.

    `timeout` waits `seconds` and then answers normally; `offline` marks the
    matching devices (or all of the App ID's / all devices when `sn` is None) as
    offline from the moment it is added. Any fault ends when `count` matching
    requests have been seen, `duration` simulated seconds have passed (if set)
    or it is cleared.
    """

    kind: FaultKind
    count: int = 1
    info: str = "Network Anomaly"
    seconds: float = 20.0
    # An int is seconds; a text is sent as it is (garbage, `inf`, a date).
    retry_after: int | str | None = None
    app_id: str | None = None
    path: str | None = None
    sn: str | None = None
    duration: float | None = None

    def __post_init__(self) -> None:
        """Reject unknown kinds and non-positive counts."""
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}")
        if self.count < 1:
            raise ValueError("count must be at least 1")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Fault:
        """Build a fault from a control-API JSON object."""
        allowed = set(cls.__dataclass_fields__)
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault fields: {sorted(unknown)}")
        return cls(**dict(data))

    def matches(self, app_id: str | None, path: str, serials: Iterable[str]) -> bool:
        """Return whether a request (App ID, signed path, body SNs) is affected."""
        if self.app_id is not None and self.app_id != app_id:
            return False
        if self.path is not None and not path.endswith(self.path):
            return False
        return self.sn is None or self.sn in serials


@dataclass(slots=True)
class OfflinePeriod:
    """A span of simulated time in which a device uploads nothing (end None = open)."""

    start: datetime
    end: datetime | None = None

    def covers(self, moment: datetime) -> bool:
        """Return whether `moment` lies in the period."""
        return self.start <= moment and (self.end is None or moment < self.end)


type OfflineResolver = Callable[[Fault], list[list[OfflinePeriod]]]


@dataclass(slots=True)
class ActiveFault:
    """A fault in force, with its remaining count and any offline periods it opened."""

    id: int
    fault: Fault
    remaining: int
    added: datetime
    periods: list[OfflinePeriod] = field(default_factory=list)

    def describe(self) -> dict[str, Any]:
        """Return the fault for the control API."""
        return {
            "id": self.id,
            "remaining": self.remaining,
            "added": self.added.isoformat(),
            **asdict(self.fault),
        }


class FaultBook:
    """The active faults, in the order they were added."""

    def __init__(self, resolve_offline: OfflineResolver) -> None:
        """Create an empty book; `resolve_offline` gives the period lists to extend."""
        self._resolve_offline = resolve_offline
        self._active: list[ActiveFault] = []
        self._ids = itertools.count(1)

    @property
    def active(self) -> list[ActiveFault]:
        """Return the faults still in force."""
        return list(self._active)

    def add(self, fault: Fault, now: datetime) -> ActiveFault:
        """Put a fault in force from `now` on."""
        entry = ActiveFault(next(self._ids), fault, fault.count, now)
        if fault.kind == "offline":
            end = now + timedelta(seconds=fault.duration) if fault.duration else None
            for periods in self._resolve_offline(fault):
                period = OfflinePeriod(now, end)
                periods.append(period)
                entry.periods.append(period)
        self._active.append(entry)
        return entry

    def clear(self, now: datetime, fault_id: int | None = None) -> int:
        """End all faults (or the one with `fault_id`); return how many ended."""
        ending = [f for f in self._active if fault_id is None or f.id == fault_id]
        for entry in ending:
            self._end(entry, now)
        return len(ending)

    def take(
        self, app_id: str | None, path: str, serials: Iterable[str], now: datetime
    ) -> Fault | None:
        """Consume the faults one request matches; return the response fault, if any."""
        serial_set = set(serials)
        self.expire(now)
        chosen: Fault | None = None
        for entry in list(self._active):
            if not entry.fault.matches(app_id, path, serial_set):
                continue
            if entry.fault.kind != "offline":
                if chosen is not None:
                    continue
                chosen = entry.fault
            entry.remaining -= 1
            if entry.remaining <= 0:
                self._end(entry, now)
        return chosen

    def expire(self, now: datetime) -> None:
        """Drop offline faults whose duration has run out."""
        for entry in list(self._active):
            duration = entry.fault.duration
            if duration is not None and now >= entry.added + timedelta(
                seconds=duration
            ):
                self._active.remove(entry)

    def _end(self, entry: ActiveFault, now: datetime) -> None:
        """Remove a fault and close the offline periods it opened."""
        for period in entry.periods:
            if period.end is None or period.end > now:
                period.end = max(now, period.start)
        if entry in self._active:
            self._active.remove(entry)
