"""Model catalogue (doc §11.1) as data rows: one row per simulated model."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from .families import (
    ENERGY_COUNTER_ROWS,
    JUNIOR_BOX_ROWS,
    MASTER_ALARM,
    STACK100_BOX,
    T14_BOX,
    TOWER_ALARM_BITS,
    TP7_ALARM_ROWS,
    TP7_BOX,
    PointRow,
)
from .settings import SettingsFamily

# station/info.batteryCapacity (doc Q7): the total, one module only, or the
# nominal module count of the model name (stale after an expansion).
type CapacityQuirk = Literal["total", "one_module", "nominal"]
# How the master lists its modules in SUB (doc §5.3, Q10): as a list, as "" with
# no reachable modules (Cygni), or as null (Tower T21 behind a marshalling box).
type SubMode = Literal["list", "empty", "null"]
# Modules in parallel (LV: same voltage, currents add) or in series (HV: same
# current, voltages add).
type Topology = Literal["parallel", "series"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelSpec:
    """What the cloud reports about one model, and its electrical ratings."""

    name: str
    code: int
    family: str
    # Distinguishes layouts sold under one name (PowerBox G2 variant A/B).
    variant: str = ""
    master_suffix: str = "-BMS"
    system_type: int = 20011
    station_type: int = 20001
    battery_category: int = 2
    product_type: int = 1
    cells_per_module: int = 16
    ntc_per_module: int = 2
    topology: Topology = "parallel"
    # Module count of a fresh system of this model (Simulator.single).
    nominal_modules: int = 1
    module_ah: float = 100.0
    module_kwh: float = 5.12
    # None: 3.2 V per cell in series (HV packs grow with their boxes).
    rated_voltage: str | None = "51.2"
    rated_current: str = "50.00"
    # Per-module BMS current limits (A) reported in 3800/3900.
    module_ccl_a: float = 100.0
    module_dcl_a: float = 100.0
    # station/info.batteryCapacity: the total, or one module only (doc Q7).
    station_capacity: CapacityQuirk = "total"
    extra_master_rows: tuple[PointRow, ...] = ()
    # Module table when it differs from the family's (HV sub-boxes).
    module_rows: tuple[PointRow, ...] | None = None
    sub_mode: SubMode = "list"
    # Series modules answer getLastPowerDataBySn with their share (Stack100:
    # power per stack only on the sub-level, doc §8.5).
    module_power_records: bool = False
    # Quantities whose points vanish for single cycles now and then (Q15).
    flaky_keys: tuple[str, ...] = ()
    # Tower insulation points 2200/2300 are empty (PR#11: dead on the T14).
    insulation_dead: bool = False
    # household/storage/detail sends firmwareVersion null (Q23, PowerBox G2).
    detail_firmware_null: bool = False
    # getLastPowerDataBySn is all-null in standby on some models (doc Q4).
    null_power_in_standby: bool = False
    host_name: str = "Battery-L"
    # Which v2 settings the cloud has for the model (None: "not configured").
    v2_settings: SettingsFamily | None = None
    latest_versions: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Return the catalogue key: the name, plus the variant if any."""
        return f"{self.name} variant {self.variant}" if self.variant else self.name


def _versions(dsp: str | None = None, bms: str | None = None) -> dict[str, str | None]:
    """Return a checkVersion answer ("Lasted" is the API's spelling)."""
    return {
        "bmsLastedVersion": bms,
        "dspLastedVersion": dsp,
        "armLastedVersion": None,
        "mpptLastedVersion": None,
    }


# Common ratings of the HV towers; each tower model replaces what differs.
_TOWER = ModelSpec(
    name="",
    code=0,
    family="B",
    master_suffix="-BDU",
    system_type=20017,
    battery_category=3,
    cells_per_module=30,
    topology="series",
    rated_voltage=None,
    rated_current="37.00",
    module_ccl_a=25.0,
    module_dcl_a=25.0,
    host_name="Battery-H",
    latest_versions=_versions(),
)

MODELS: dict[str, ModelSpec] = {
    spec.key: spec
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
            nominal_modules=3,
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
            nominal_modules=3,
            flaky_keys=("ccl", "dcl"),
        ),
        ModelSpec(
            name="Junior Box",
            code=1,
            family="A",
            battery_category=1,
            nominal_modules=2,
            extra_master_rows=JUNIOR_BOX_ROWS,
            latest_versions=_versions(),
            v2_settings="junior_box",
        ),
        ModelSpec(
            name="PowerBox G2",
            code=42,
            family="A",
            variant="A",
            detail_firmware_null=True,
            nominal_modules=2,
            latest_versions=_versions(),
        ),
        ModelSpec(
            name="PowerBox G2",
            code=42,
            family="C",
            variant="B",
            detail_firmware_null=True,
            nominal_modules=2,
            latest_versions=_versions(),
        ),
        ModelSpec(
            name="PowerBrick",
            code=43,
            family="A",
            variant="A",
            nominal_modules=2,
            latest_versions=_versions(),
        ),
        ModelSpec(
            name="PowerBrick",
            code=43,
            family="C",
            variant="B",
            nominal_modules=2,
            latest_versions=_versions(),
        ),
        ModelSpec(
            name="PowerBrick SC",
            code=226,
            family="C",
            module_kwh=10.24,
            module_ah=200.0,
            module_ccl_a=100.0,
            module_dcl_a=150.0,
            latest_versions=_versions(),
        ),
        ModelSpec(
            name="PowerBrick Plus",
            code=328,
            family="C",
            module_kwh=14.34,
            module_ah=280.0,
            module_ccl_a=140.0,
            module_dcl_a=160.0,
            latest_versions=_versions(),
            v2_settings="lv_heating",
        ),
        # Towers: 30-cell boxes in series. The T14 box count 2 follows the
        # project brief; 74 Ah boxes keep the name's 14.2 kWh.
        replace(
            _TOWER,
            name="Tower T14",
            code=25,
            nominal_modules=2,
            module_ah=74.0,
            module_kwh=7.1,
            extra_master_rows=(*TOWER_ALARM_BITS, *MASTER_ALARM),
            module_rows=T14_BOX,
            insulation_dead=True,
        ),
        # The doc has no model code for the T21 (§11.1 "?"): 27 is invented.
        replace(
            _TOWER,
            name="Tower T21",
            code=27,
            nominal_modules=3,
            module_ah=74.0,
            module_kwh=7.1,
            extra_master_rows=(*TOWER_ALARM_BITS, *MASTER_ALARM),
            module_rows=T14_BOX,
            insulation_dead=True,
            sub_mode="null",
        ),
        replace(
            _TOWER,
            name="Tower Pro TP7",
            code=7,
            nominal_modules=2,
            module_ah=37.0,
            module_kwh=3.55,
            ntc_per_module=8,
            extra_master_rows=TP7_ALARM_ROWS,
            module_rows=TP7_BOX,
        ),
        # Stack100: 16-cell 100 Ah modules in series; the master suffix is not
        # documented (§14), -BDU is assumed.
        replace(
            _TOWER,
            name="STACK100-7S",
            code=50,
            nominal_modules=7,
            module_ah=100.0,
            module_kwh=5.12,
            station_capacity="nominal",
            module_power_records=True,
            extra_master_rows=MASTER_ALARM,
            module_rows=STACK100_BOX,
            ntc_per_module=4,
            cells_per_module=16,
            rated_current="100.00",
            module_ccl_a=50.0,
            module_dcl_a=50.0,
        ),
        # Cygni hybrid inverter with its internal LV battery; SUB is empty. The
        # master suffix is not documented (§11.1 "?"): -INV is invented.
        ModelSpec(
            name="Cygni 10.0HS-M8",
            code=192,
            family="CYGNI",
            master_suffix="-INV",
            product_type=2,
            nominal_modules=2,
            sub_mode="empty",
            host_name="Cygni",
            latest_versions=_versions(dsp="1.12", bms=None),
            v2_settings="cygni",
        ),
    )
}
