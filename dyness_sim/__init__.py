"""Local simulator of the Dyness Open API cloud, for tests and manual runs.

"doc §N" and "doc Qn" in its comments are sections and quirks of docs/api.md.
"""

from __future__ import annotations

from .accounts import Account
from .clock import SimClock
from .devices import Battery
from .faults import Fault
from .records import Labels, RecordsLabelling, Window
from .samples import Truth
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
