"""Per-family point maps and the model table (data, not code branches)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from .api import RealtimeSnapshot


class FamilyKey(StrEnum):
    """The point layouts Dyness devices use (dyness-api.md §8, §11)."""

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
    SOC = "soc"
    SOH = "soh"
    CELL_VOLTAGE_MAX = "cell_voltage_max"
    CELL_VOLTAGE_MIN = "cell_voltage_min"
    CELL_VOLTAGE_MAX_NUMBER = "cell_voltage_max_number"
    CELL_VOLTAGE_MIN_NUMBER = "cell_voltage_min_number"
    CHARGE_VOLTAGE_UPPER = "charge_voltage_upper"
    CHARGE_VOLTAGE_LOWER = "charge_voltage_lower"
    CELL_TEMPERATURE_MAX = "cell_temperature_max"
    CELL_TEMPERATURE_MIN = "cell_temperature_min"
    MOSFET_TEMPERATURE = "mosfet_temperature"
    BMS_TEMPERATURE_MAX = "bms_temperature_max"
    BMS_TEMPERATURE_MIN = "bms_temperature_min"
    MAX_CHARGE_CURRENT = "max_charge_current"
    MAX_DISCHARGE_CURRENT = "max_discharge_current"
    CHARGE_ENABLE = "charge_enable"
    DISCHARGE_ENABLE = "discharge_enable"
    ALARM = "alarm"
    FIRMWARE = "firmware"
    MODULE_COUNT = "module_count"


@dataclass(frozen=True, kw_only=True)
class Family:
    """How one family of Dyness devices numbers its points."""

    key: FamilyKey
    points: Mapping[Metric, str]
    # Sign of the current/power points relative to "positive = charging".
    current_sign: int = 1

    def point(self, metric: Metric) -> str | None:
        """Return the point id of a metric, None when the family lacks it."""
        return self.points.get(metric)

    def has(self, metric: Metric) -> bool:
        """Return whether the family provides a metric."""
        return metric in self.points

    def number(self, snapshot: RealtimeSnapshot | None, metric: Metric) -> float | None:
        """Read a metric as a number from a snapshot; None when empty or absent."""
        point = self.points.get(metric)
        if snapshot is None or point is None:
            return None
        return snapshot.number(point)

    def text(self, snapshot: RealtimeSnapshot | None, metric: Metric) -> str | None:
        """Read a metric as text from a snapshot; None when empty or absent."""
        point = self.points.get(metric)
        if snapshot is None or point is None:
            return None
        return snapshot.text(point)


FAMILY_A: Final = Family(
    key=FamilyKey.LV_BMS,
    points=MappingProxyType(
        {
            Metric.FIRMWARE: "300",
            Metric.MODULE_COUNT: "400",
            Metric.PACK_VOLTAGE: "600",
            Metric.CURRENT: "700",
            Metric.SOC: "800",
            Metric.SOH: "1200",
            Metric.CELL_VOLTAGE_MAX: "1300",
            Metric.CELL_VOLTAGE_MAX_NUMBER: "1402",
            Metric.CELL_VOLTAGE_MIN: "1500",
            Metric.CELL_VOLTAGE_MIN_NUMBER: "1602",
            Metric.CELL_TEMPERATURE_MAX: "1800",
            Metric.CELL_TEMPERATURE_MIN: "2000",
            Metric.MOSFET_TEMPERATURE: "2300",
            Metric.BMS_TEMPERATURE_MAX: "2800",
            Metric.BMS_TEMPERATURE_MIN: "3000",
            Metric.CHARGE_VOLTAGE_UPPER: "3600",
            Metric.CHARGE_VOLTAGE_LOWER: "3700",
            Metric.MAX_CHARGE_CURRENT: "3800",
            Metric.MAX_DISCHARGE_CURRENT: "3900",
            Metric.DISCHARGE_ENABLE: "4007",
            Metric.CHARGE_ENABLE: "4008",
            Metric.ALARM: "4100",
        }
    ),
)

FAMILIES: Final[Mapping[str, Family]] = MappingProxyType({FAMILY_A.key: FAMILY_A})


@dataclass(frozen=True, kw_only=True)
class ModelRow:
    """One known model: API name and code mapped to its family."""

    name: str
    codes: tuple[str, ...] = ()
    family: Family
    aliases: tuple[str, ...] = field(default=())


MODELS: Final[tuple[ModelRow, ...]] = (
    ModelRow(name="Junior Box", codes=("1",), family=FAMILY_A),
    ModelRow(name="DL5.0C", codes=("15",), family=FAMILY_A),
    ModelRow(name="PowerBox Pro", codes=("16",), family=FAMILY_A),
    ModelRow(name="PowerDepot H5B", codes=("21",), family=FAMILY_A),
    ModelRow(name="PowerDepot G2", codes=("144",), family=FAMILY_A),
    ModelRow(name="PowerHaus", codes=("145",), family=FAMILY_A),
)


def _normalise(name: str) -> str:
    """Return a model name in the table's comparison form."""
    return "-".join(name.upper().split())


def find_model(model_name: str | None, model_code: str | None) -> ModelRow | None:
    """Find a model row by exact code, then by exact or prefix name."""
    if model_code:
        for row in MODELS:
            if model_code in row.codes:
                return row
    if model_name:
        wanted = _normalise(model_name)
        for row in MODELS:
            if wanted in {_normalise(name) for name in (row.name, *row.aliases)}:
                return row
        prefix = wanted.split("-")[0]
        for row in MODELS:
            if _normalise(row.name).split("-")[0] == prefix:
                return row
    return None


def detect_family(
    model_name: str | None,
    model_code: str | None,
    snapshot: RealtimeSnapshot | None = None,
) -> Family:
    """Return the family of a device from its model, else from its points."""
    row = find_model(model_name, model_code)
    if row is not None:
        return row.family
    return FAMILY_A
