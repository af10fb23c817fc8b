"""Model catalogue (doc §11.1) as data rows: one row per simulated model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .families import ENERGY_COUNTER_ROWS, PointRow

type CapacityQuirk = Literal["total", "one_module"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """What the cloud reports about one model, and its electrical ratings."""

    name: str
    code: int
    family: str
    master_suffix: str = "-BMS"
    system_type: int = 20011
    station_type: int = 20001
    battery_category: int = 2
    product_type: int = 1
    cells_per_module: int = 16
    module_ah: float = 100.0
    module_kwh: float = 5.12
    rated_voltage: str = "51.2"
    rated_current: str = "50.00"
    # Per-module BMS current limits (A) reported in 3800/3900.
    module_ccl_a: float = 100.0
    module_dcl_a: float = 100.0
    # station/info.batteryCapacity: the total, or one module only (doc Q7).
    station_capacity: CapacityQuirk = "total"
    extra_master_rows: tuple[PointRow, ...] = ()
    # getLastPowerDataBySn is all-null in standby on some models (doc Q4).
    null_power_in_standby: bool = False
    host_name: str = "Battery-L"
    latest_versions: Mapping[str, str | None] = field(default_factory=dict)


def _versions(dsp: str | None = None, bms: str | None = None) -> dict[str, str | None]:
    """Return a checkVersion answer ("Lasted" is the API's spelling)."""
    return {
        "bmsLastedVersion": bms,
        "dspLastedVersion": dsp,
        "armLastedVersion": None,
        "mpptLastedVersion": None,
    }


MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            name="PowerHaus",
            code=145,
            family="A",
            null_power_in_standby=True,
            latest_versions=_versions(dsp="311"),
        ),
        ModelSpec(
            name="DL5.0C",
            code=15,
            family="A",
            station_capacity="one_module",
            extra_master_rows=ENERGY_COUNTER_ROWS,
            latest_versions=_versions(),
        ),
        ModelSpec(
            name="PowerBox Pro", code=16, family="A", latest_versions=_versions()
        ),
        ModelSpec(
            name="PowerDepot G2",
            code=144,
            family="A",
            station_capacity="one_module",
            latest_versions=_versions(),
        ),
    )
}
