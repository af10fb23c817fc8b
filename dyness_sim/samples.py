"""What a battery uploads per slot, and what rendering needs of a battery.

Shared by `devices.py` (which computes samples) and `values.py` (which turns
them into point values) so that neither imports the other's module for types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .catalog import ModelSpec
from .physics import Limits, StepState, displayed_soc
from .settings import DeviceSettings
from .station import Station


@dataclass(frozen=True, slots=True)
class Truth:
    """Exact energy moved since the simulation's anchor, at a moment."""

    at: datetime
    charged_kwh: float
    discharged_kwh: float


@dataclass(frozen=True, slots=True)
class ModuleSample:
    """One module's readings in a sample."""

    sn: str
    current: float
    voltage: float
    soc: float
    soh: int
    cells: tuple[float, ...]
    ntc: tuple[float, ...]
    mos_temp: float
    bms_temp: float
    cycles: int


@dataclass(frozen=True, slots=True)
class Sample:
    """What the battery uploaded for one slot, collected at `at`."""

    slot: int
    at: datetime
    power_w: float
    current: float
    voltage: float
    soc: float
    full: bool
    empty: bool
    modules: tuple[ModuleSample, ...]
    truth: Truth
    signal_dbm: int

    @property
    def soc_display(self) -> int:
        """Return the integer SOC the BMS reports (100 only after full detection)."""
        return displayed_soc(self.soc, self.full)


class SampledBattery(Protocol):
    """The parts of a `devices.Battery` that point values are computed from."""

    spec: ModelSpec
    station: Station
    seed: int
    collector_sn: str
    firmware: str
    module_firmware: str
    forced_bits: dict[str, int]
    lifetime_charged_kwh: float
    lifetime_discharged_kwh: float
    limits: Limits
    settings: DeviceSettings | None

    @property
    def device_sn(self) -> str:
        """Return the BMS master serial."""

    @property
    def series(self) -> bool:
        """Return whether the modules are wired in series."""

    def state(self, slot: int) -> StepState:
        """Return the physics state at the end of a slot."""

    def truth_at(self, moment: datetime) -> Truth:
        """Return the exact energy moved up to a moment."""

    def sub_list(self, slot: int) -> str | None:
        """Return the `SUB` point of a slot."""
