"""Point layouts per Dyness family: where each value lives (data, not code)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Final, NamedTuple

from .api import RealtimeSnapshot
from .api.settings import SettingsFamily


class FamilyKey(StrEnum):
    """The point layouts Dyness devices use (docs/api.md §8, §11)."""

    LV_BMS = "lv_bms"
    JUNIOR_BOX = "junior_box"
    HV_TOWER = "hv_tower"
    HV_TOWER_PRO = "hv_tower_pro"
    STACK100 = "stack100"
    LV_5DIGIT = "lv_5digit"
    CYGNI = "cygni"
    UNKNOWN = "unknown"


class Metric(StrEnum):
    """A quantity the integration reads, independent of the family's point ids."""

    CURRENT = "current"
    PACK_VOLTAGE = "pack_voltage"
    POWER = "power"
    SOC = "soc"
    SOH = "soh"
    CELL_VOLTAGE_MAX = "cell_voltage_max"
    CELL_VOLTAGE_MIN = "cell_voltage_min"
    CELL_VOLTAGE_MAX_NUMBER = "cell_voltage_max_number"
    CELL_VOLTAGE_MIN_NUMBER = "cell_voltage_min_number"
    CELL_VOLTAGE_MAX_MODULE = "cell_voltage_max_module"
    CELL_VOLTAGE_MIN_MODULE = "cell_voltage_min_module"
    CHARGE_VOLTAGE_UPPER = "charge_voltage_upper"
    CHARGE_VOLTAGE_LOWER = "charge_voltage_lower"
    CELL_TEMPERATURE_MAX = "cell_temperature_max"
    CELL_TEMPERATURE_MIN = "cell_temperature_min"
    MOSFET_TEMPERATURE = "mosfet_temperature"
    BMS_TEMPERATURE_MAX = "bms_temperature_max"
    BMS_TEMPERATURE_MIN = "bms_temperature_min"
    BATTERY_TEMPERATURE = "battery_temperature"
    INVERTER_TEMPERATURE = "inverter_temperature"
    HEATSINK_TEMPERATURE = "heatsink_temperature"
    MAX_CHARGE_CURRENT = "max_charge_current"
    MAX_DISCHARGE_CURRENT = "max_discharge_current"
    CHARGE_ENABLE = "charge_enable"
    DISCHARGE_ENABLE = "discharge_enable"
    ALARM = "alarm"
    FIRMWARE = "firmware"
    MODULE_COUNT = "module_count"
    CYCLES = "cycles"
    REMAINING_ENERGY = "remaining_energy"
    RATED_ENERGY = "rated_energy"
    PV_VOLTAGE = "pv_voltage"
    PV_CURRENT = "pv_current"
    PV_POWER = "pv_power"
    OUTPUT_POWER = "output_power"
    DISCHARGE_DEPTH = "discharge_depth"
    POWER_LIMIT = "power_limit"
    GRID_POWER = "grid_power"
    LOAD_POWER = "load_power"
    MODULE_NUMBER = "module_number"
    # Lifetime energy counters (kWh) where the cloud keeps them (docs/api.md §8.2-8.4).
    ENERGY_CHARGED_TOTAL = "energy_charged_total"
    ENERGY_DISCHARGED_TOTAL = "energy_discharged_total"


class SourceKind(StrEnum):
    """Which answer a value is read from."""

    POINT = "point"
    POWER_RECORD = "power_record"
    RUNNING = "running"
    DETAIL = "detail"


class Source(NamedTuple):
    """Where one metric is read: a point id, or a field of another endpoint."""

    kind: SourceKind
    key: str
    # -1 where the source counts the other way than we show it.
    sign: int = 1


def point(point_id: str) -> Source:
    """Return a `realTime/data` point source."""
    return Source(kind=SourceKind.POINT, key=point_id)


def power_record(field_name: str) -> Source:
    """Return a field of the newest filled `getLastPowerDataBySn` record."""
    return Source(kind=SourceKind.POWER_RECORD, key=field_name)


def running(key: str, sign: int = 1) -> Source:
    """Return a key of `getLastRunningDataBySn` (hybrid inverters only)."""
    return Source(kind=SourceKind.RUNNING, key=key, sign=sign)


def detail(key: str) -> Source:
    """Return a field of `household/storage/detail`."""
    return Source(kind=SourceKind.DETAIL, key=key)


@dataclass(frozen=True, slots=True)
class Range:
    """Physically plausible bounds of a value; outside it is dropped."""

    low: float
    high: float

    def __contains__(self, value: object) -> bool:
        """Return whether a number lies within the bounds."""
        return isinstance(value, int | float) and self.low <= value <= self.high


CELL_VOLTAGE_RANGE: Final = Range(1.5, 5.0)
CELL_TEMPERATURE_RANGE: Final = Range(-40.0, 100.0)

RANGES: Final[Mapping[Metric, Range]] = MappingProxyType(
    {
        Metric.SOC: Range(0, 100),
        Metric.SOH: Range(0, 100),
        Metric.CELL_VOLTAGE_MAX: CELL_VOLTAGE_RANGE,
        Metric.CELL_VOLTAGE_MIN: CELL_VOLTAGE_RANGE,
        Metric.CELL_TEMPERATURE_MAX: CELL_TEMPERATURE_RANGE,
        Metric.CELL_TEMPERATURE_MIN: CELL_TEMPERATURE_RANGE,
        Metric.MOSFET_TEMPERATURE: Range(-40, 125),
        Metric.BMS_TEMPERATURE_MAX: Range(-40, 125),
        Metric.BMS_TEMPERATURE_MIN: Range(-40, 125),
        Metric.BATTERY_TEMPERATURE: CELL_TEMPERATURE_RANGE,
        Metric.CYCLES: Range(0, 100_000),
        Metric.PACK_VOLTAGE: Range(0, 1000),
        Metric.CURRENT: Range(-1000, 1000),
        Metric.REMAINING_ENERGY: Range(0, 2000),
        Metric.RATED_ENERGY: Range(0, 2000),
        Metric.MAX_CHARGE_CURRENT: Range(0, 1000),
        Metric.MAX_DISCHARGE_CURRENT: Range(0, 1000),
    }
)


@dataclass(frozen=True, kw_only=True)
class CellLayout:
    """Where the per-cell voltages of a device live."""

    first: int
    max_cells: int
    step: int = 100
    count_point: str | None = None

    def voltages(self, snapshot: RealtimeSnapshot | None) -> dict[int, float | None]:
        """Return cell number → voltage for every cell the device has."""
        if snapshot is None:
            return {}
        count = snapshot.number(self.count_point) if self.count_point else None
        cells = self.max_cells
        if count is not None and 0 < count <= self.max_cells:
            cells = int(count)
        found: dict[int, float | None] = {}
        for number in range(1, cells + 1):
            item = snapshot.points.get(self.point_id(number))
            if item is None or (item.value is None and item.raw is not None):
                # Not there, or a "0.0" placeholder of a missing cell (docs/api.md Q11).
                continue
            found[number] = snapshot.number(item.point_id)
        return found

    def point_id(self, number: int) -> str:
        """Return the point id of cell `number` (1-based)."""
        return str(self.first + self.step * (number - 1))


@dataclass(frozen=True, kw_only=True)
class ModuleLayout:
    """How the modules (sub-devices from `SUB`) of a family number their points."""

    points: Mapping[Metric, str]
    cells: CellLayout
    temperatures: tuple[str, ...] = ()

    def point(self, metric: Metric) -> str | None:
        """Return the point id of a module metric."""
        return self.points.get(metric)


@dataclass(frozen=True, kw_only=True)
class V2Layout:
    """Which v2 `batteryInfo` field stands for which metric of a family.

    Where v2 serves a battery, its answer replaces these metrics' points
    between hourly `realTime/data` reads (docs/api.md §7).
    """

    fields: Mapping[Metric, str]
    # The field listing the cell voltages, in the family's cell order.
    cells: str | None = None
    # Metrics v2 lacks that move with the state of charge: scaled by it
    # between `realTime/data` reads.
    follow_soc: tuple[Metric, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Family:
    """How one family of Dyness devices numbers its points."""

    key: FamilyKey
    points: Mapping[Metric, Source]
    # Sign of the current/power points relative to "positive = charging".
    current_sign: int = 1
    cells: CellLayout | None = None
    module: ModuleLayout | None = None
    # Only hybrid inverters fill getLastRunningDataBySn (docs/api.md Q6).
    uses_running_data: bool = False
    # SOC from the power records when the family has no usable SOC point (docs/api.md Q18).
    uses_power_records: bool = False
    # Where v2 `GetRealTimeDataBySN` serves the family (docs/api.md §7).
    v2: V2Layout | None = None
    # The v2 settings the family offers; None: probe for heating periods.
    settings: SettingsFamily | None = None

    def source(self, metric: Metric) -> Source | None:
        """Return where a metric is read, None when the family lacks it."""
        return self.points.get(metric)

    def point(self, metric: Metric) -> str | None:
        """Return the point id of a metric read from `realTime/data`."""
        source = self.points.get(metric)
        if source is None or source.kind is not SourceKind.POINT:
            return None
        return source.key

    def has(self, metric: Metric) -> bool:
        """Return whether the family provides a metric (read or derived)."""
        if metric in self.points:
            return True
        inputs = DERIVED_FROM.get(metric)
        if inputs is None:
            return False
        if metric in (Metric.CELL_VOLTAGE_MAX, Metric.CELL_VOLTAGE_MIN):
            return self.cells is not None
        return all(self.has(needed) for needed in inputs)


# Metrics computed from others when a family has no point of their own.
DERIVED_FROM: Final[Mapping[Metric, tuple[Metric, ...]]] = MappingProxyType(
    {
        Metric.POWER: (Metric.PACK_VOLTAGE, Metric.CURRENT),
        Metric.REMAINING_ENERGY: (Metric.RATED_ENERGY, Metric.SOC),
        Metric.CELL_VOLTAGE_MAX: (),
        Metric.CELL_VOLTAGE_MIN: (),
    }
)


def _points(**metrics: str) -> dict[Metric, Source]:
    """Return a metric → point source map from keyword pairs."""
    return {Metric(name): point(point_id) for name, point_id in metrics.items()}


def _frozen(points: Mapping[Metric, Source]) -> Mapping[Metric, Source]:
    """Return a read-only copy of a point map."""
    return MappingProxyType(dict(points))


# LV module of DL5.0C, PowerDepot G2, PowerBox G2, PowerBrick (docs/api.md §8.5).
LV_MODULE: Final = ModuleLayout(
    points=MappingProxyType(
        {
            Metric.FIRMWARE: "10100",
            Metric.CURRENT: "13400",
            Metric.PACK_VOLTAGE: "13500",
            Metric.CYCLES: "13900",
            Metric.SOC: "14000",
            Metric.SOH: "14100",
            Metric.BMS_TEMPERATURE_MAX: "12400",
        }
    ),
    cells=CellLayout(first=10300, max_cells=16, count_point="10200"),
    temperatures=("12500", "12600"),
)

# PowerBox Pro modules hold Ah, not %, in 14000/14100 (#16).
LV_MODULE_AH: Final = replace(
    LV_MODULE,
    points=MappingProxyType(
        {
            metric: point_id
            for metric, point_id in LV_MODULE.points.items()
            if metric not in (Metric.SOC, Metric.SOH)
        }
    ),
)

# HV sub-box of Tower T14/T17/T21, Tower Pro and Stack100 (docs/api.md §8.5): cells and
# temperatures only; SOC, SOH, voltage and current exist on the master alone.
HV_MODULE: Final = ModuleLayout(
    points=MappingProxyType({Metric.MODULE_NUMBER: "11000"}),
    cells=CellLayout(first=11200, max_cells=30, count_point="11100"),
    temperatures=tuple(str(14300 + 100 * n) for n in range(8)),
)

_FAMILY_A_POINTS: Final = _points(
    firmware="300",
    module_count="400",
    pack_voltage="600",
    current="700",
    soc="800",
    cycles="900",
    soh="1200",
    cell_voltage_max="1300",
    cell_voltage_max_module="1401",
    cell_voltage_max_number="1402",
    cell_voltage_min="1500",
    cell_voltage_min_module="1601",
    cell_voltage_min_number="1602",
    cell_temperature_max="1800",
    cell_temperature_min="2000",
    mosfet_temperature="2300",
    bms_temperature_max="2800",
    bms_temperature_min="3000",
    charge_voltage_upper="3600",
    charge_voltage_lower="3700",
    max_charge_current="3800",
    max_discharge_current="3900",
    discharge_enable="4007",
    charge_enable="4008",
    alarm="4100",
    # Listed by the DL5.0C and the Junior Box only; others compute them.
    energy_charged_total="7100",
    energy_discharged_total="7300",
)

FAMILY_A: Final = Family(
    key=FamilyKey.LV_BMS,
    points=_frozen({**_FAMILY_A_POINTS, Metric.RATED_ENERGY: detail("energy")}),
    module=LV_MODULE,
)

FAMILY_A_AH_MODULES: Final = replace(FAMILY_A, module=LV_MODULE_AH)

JUNIOR_BOX: Final = Family(
    key=FamilyKey.JUNIOR_BOX,
    points=_frozen(
        {
            **_FAMILY_A_POINTS,
            Metric.RATED_ENERGY: detail("energy"),
            **_points(
                pv_voltage="4600",
                pv_current="4700",
                pv_power="4800",
                output_power="6100",
                power_limit="6500",
                discharge_depth="6600",
            ),
        }
    ),
    module=LV_MODULE,
    settings=SettingsFamily.JUNIOR_BOX,
)

_TOWER_POINTS: Final = _points(
    firmware="50",
    current="1000",
    pack_voltage="1100",
    soc="1400",
    soh="1500",
    remaining_energy="1600",
    rated_energy="1700",
    cycles="1800",
    max_charge_current="2000",
    max_discharge_current="2100",
    cell_voltage_max="2400",
    cell_voltage_max_module="2500",
    cell_voltage_min="2700",
    cell_voltage_min_module="2800",
    cell_temperature_max="3000",
    cell_temperature_min="3300",
    module_count="4300",
    alarm="9999999",
    # Towers count charged energy only; discharged is computed.
    energy_charged_total="1900",
)

HV_TOWER: Final = Family(
    key=FamilyKey.HV_TOWER, points=_frozen(_TOWER_POINTS), module=HV_MODULE
)
HV_TOWER_PRO: Final = replace(HV_TOWER, key=FamilyKey.HV_TOWER_PRO)
STACK100: Final = replace(HV_TOWER, key=FamilyKey.STACK100)

LV_5DIGIT: Final = Family(
    key=FamilyKey.LV_5DIGIT,
    points=_frozen(
        {
            **_points(
                firmware="10100",
                bms_temperature_min="12400",
                cell_temperature_max="12500",
                cell_temperature_min="12600",
                mosfet_temperature="12700",
                bms_temperature_max="12800",
                current="13400",
                pack_voltage="13500",
                remaining_energy="13600",
                rated_energy="13800",
                cycles="13900",
                max_charge_current="18600",
                charge_voltage_upper="18700",
                charge_voltage_lower="18800",
                max_discharge_current="19200",
            ),
            # Point 23800 exists but stays empty on these models (docs/api.md Q18).
            Metric.SOC: power_record("soc"),
        }
    ),
    cells=CellLayout(first=10300, max_cells=16),
    uses_power_records=True,
    v2=V2Layout(
        fields=MappingProxyType(
            {
                Metric.SOC: "soc",
                Metric.CURRENT: "batteryCurrent",
                Metric.PACK_VOLTAGE: "batteryVoltage",
                Metric.CYCLES: "cycleCount",
                Metric.CELL_TEMPERATURE_MAX: "cellMaxTemperature",
                Metric.CELL_TEMPERATURE_MIN: "cellMinTemperature",
                Metric.MAX_CHARGE_CURRENT: "maxChargeCurrent",
                Metric.MAX_DISCHARGE_CURRENT: "maxDischargeCurrent",
            }
        ),
        cells="cellVoltageList",
        follow_soc=(Metric.REMAINING_ENERGY,),
    ),
)

CYGNI: Final = Family(
    key=FamilyKey.CYGNI,
    points=_frozen(
        {
            **_points(
                inverter_temperature="164",
                heatsink_temperature="165",
                pack_voltage="170",
                current="171",
                power="172",
                battery_temperature="2003",
                max_charge_current="2004",
                max_discharge_current="2005",
                soc="2010",
                soh="2011",
            ),
            Metric.PV_POWER: running("pvPower"),
            # The cloud counts export as positive; we show import as positive.
            Metric.GRID_POWER: running("gridPower", sign=-1),
            Metric.LOAD_POWER: running("loadPower"),
        }
    ),
    current_sign=-1,
    uses_running_data=True,
    settings=SettingsFamily.CYGNI,
)

FAMILIES: Final[Mapping[FamilyKey, Family]] = MappingProxyType(
    {
        family.key: family
        for family in (
            FAMILY_A,
            JUNIOR_BOX,
            HV_TOWER,
            HV_TOWER_PRO,
            STACK100,
            LV_5DIGIT,
            CYGNI,
        )
    }
)
