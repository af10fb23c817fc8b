"""Local simulator of the Dyness Open API cloud, for tests and manual runs."""

from __future__ import annotations

from .accounts import Account
from .clock import SimClock
from .devices import Battery, Truth
from .faults import Fault
from .records import Labels, RecordsLabelling, Window
from .scenarios import ALL_MODELS
from .simulator import Simulator
from .stats import Stats

__all__ = [
    "ALL_MODELS",
    "Account",
    "Battery",
    "Fault",
    "Labels",
    "RecordsLabelling",
    "SimClock",
    "Simulator",
    "Stats",
    "Truth",
    "Window",
]
