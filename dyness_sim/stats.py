"""Request counters per App ID, for tests and the control API."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Stats:
    """What one App ID sent and how much of it was refused.

    `requests` counts every request that named the App ID in its Authorization
    header (valid signature or not, faulted, rate limited or answered).
    `rejected_429` counts HTTP 429 answers, from the limiter and from faults.
    """

    requests: int = 0
    rejected_429: int = 0
    auth_failures: int = 0
    by_path: dict[str, int] = field(default_factory=dict)
    serials: set[str] = field(default_factory=set)
    by_serial: dict[str, int] = field(default_factory=dict)
    # (path, serial) → requests: which endpoint was asked about which device.
    by_call: dict[tuple[str, str], int] = field(default_factory=dict)

    def copy(self) -> Stats:
        """Return an independent snapshot."""
        return Stats(
            self.requests,
            self.rejected_429,
            self.auth_failures,
            dict(self.by_path),
            set(self.serials),
            dict(self.by_serial),
            dict(self.by_call),
        )

    def describe(self) -> dict[str, Any]:
        """Return the counters as JSON-ready data."""
        return {
            "requests": self.requests,
            "rejected_429": self.rejected_429,
            "auth_failures": self.auth_failures,
            "by_path": dict(sorted(self.by_path.items())),
            "serials": sorted(self.serials),
            "by_serial": dict(sorted(self.by_serial.items())),
        }
