"""Known Dyness models and how their layout is detected (docs/api.md §11)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from .api import RealtimeSnapshot
from .families import (
    CYGNI,
    FAMILY_A,
    FAMILY_A_AH_MODULES,
    HV_TOWER,
    HV_TOWER_PRO,
    JUNIOR_BOX,
    LV_5DIGIT,
    STACK100,
    Family,
    FamilyKey,
    Metric,
    Source,
    point,
)

# Chinese labels (`pointNameCn`) the API sends, for models not in the table.
LABELS: Final[Mapping[str, Metric]] = MappingProxyType(
    {
        "主机软件版本": Metric.FIRMWARE,
        "APP版本号": Metric.FIRMWARE,
        "平均电压": Metric.PACK_VOLTAGE,
        "总压": Metric.PACK_VOLTAGE,
        "总电流": Metric.CURRENT,
        "电流": Metric.CURRENT,
        "平均SOC": Metric.SOC,
        "SOC": Metric.SOC,
        "最小SOH": Metric.SOH,
        "SOH": Metric.SOH,
        "单芯最高电压": Metric.CELL_VOLTAGE_MAX,
        "最高单压值": Metric.CELL_VOLTAGE_MAX,
        "单芯最低电压": Metric.CELL_VOLTAGE_MIN,
        "最低单压值": Metric.CELL_VOLTAGE_MIN,
        "单芯最高温度": Metric.CELL_TEMPERATURE_MAX,
        "单芯最低温度": Metric.CELL_TEMPERATURE_MIN,
        "MOSFET最高温度": Metric.MOSFET_TEMPERATURE,
        "BMS最高温度": Metric.BMS_TEMPERATURE_MAX,
        "BMS最低温度": Metric.BMS_TEMPERATURE_MIN,
        "充电电压建议上限": Metric.CHARGE_VOLTAGE_UPPER,
        "充电电压建议下限": Metric.CHARGE_VOLTAGE_LOWER,
        "最大充电电流": Metric.MAX_CHARGE_CURRENT,
        "最大放电电流": Metric.MAX_DISCHARGE_CURRENT,
        "建议充电电流": Metric.MAX_CHARGE_CURRENT,
        "建议放电电流": Metric.MAX_DISCHARGE_CURRENT,
        "电池剩余电量": Metric.REMAINING_ENERGY,
        "电池额定电量": Metric.RATED_ENERGY,
        "电池循环次数": Metric.CYCLES,
        "平均循环次数": Metric.CYCLES,
        "总报警状态": Metric.ALARM,
        "累计充电电量": Metric.ENERGY_CHARGED_TOTAL,
    }
)


def family_from_labels(snapshot: RealtimeSnapshot | None) -> Family:
    """Build a family for an unknown model from the labels its points carry."""
    found: dict[Metric, Source] = {}
    if snapshot is not None:
        for point_id, item in snapshot.points.items():
            metric = LABELS.get(item.name_cn or "")
            if metric is not None and metric not in found:
                found[metric] = point(point_id)
    return Family(key=FamilyKey.UNKNOWN, points=MappingProxyType(found))


@dataclass(frozen=True, slots=True, kw_only=True)
class PointRule:
    """A test on the points of a snapshot, used to tell layouts apart."""

    present: tuple[str, ...] = ()
    filled: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    any_present: tuple[str, ...] = ()

    def matches(self, snapshot: RealtimeSnapshot) -> bool:
        """Return whether the snapshot satisfies every condition."""
        return (
            all(snapshot.has(point_id) for point_id in self.present)
            and all(snapshot.text(point_id) is not None for point_id in self.filled)
            and not any(snapshot.text(point_id) for point_id in self.absent)
            and (
                not self.any_present
                or any(snapshot.has(point_id) for point_id in self.any_present)
            )
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Variant:
    """A layout that replaces the row's default when the points match."""

    rule: PointRule
    family: Family


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRow:
    """One known model: API name and codes mapped to its layout."""

    name: str
    codes: tuple[str, ...] = ()
    family: Family
    variants: tuple[Variant, ...] = ()


# PowerBox G2 and PowerBrick come in two layouts under one name (docs/api.md §8.2, §11.2).
_FAMILY_C_VARIANT: Final = (
    Variant(rule=PointRule(absent=("600",), any_present=("13400",)), family=LV_5DIGIT),
)
# A Tower that reports the TP7 alarm registers is a Tower Pro (docs/api.md §11.2).
_TOWER_PRO_VARIANT: Final = (
    Variant(rule=PointRule(present=("4400",)), family=HV_TOWER_PRO),
)

MODELS: Final[tuple[ModelRow, ...]] = (
    ModelRow(name="Junior Box", codes=("1",), family=JUNIOR_BOX),
    ModelRow(name="DL5.0C", codes=("15",), family=FAMILY_A),
    ModelRow(name="PowerBox Pro", codes=("16",), family=FAMILY_A_AH_MODULES),
    ModelRow(name="PowerDepot H5B", codes=("21",), family=FAMILY_A),
    ModelRow(
        name="Tower T14", codes=("25",), family=HV_TOWER, variants=_TOWER_PRO_VARIANT
    ),
    ModelRow(
        name="Tower T17", codes=("26",), family=HV_TOWER, variants=_TOWER_PRO_VARIANT
    ),
    ModelRow(name="Tower T21", family=HV_TOWER, variants=_TOWER_PRO_VARIANT),
    ModelRow(name="Tower Pro TP7", codes=("7",), family=HV_TOWER_PRO),
    ModelRow(name="Tower Pro TP11", family=HV_TOWER_PRO),
    ModelRow(name="Tower Pro TP15", family=HV_TOWER_PRO),
    ModelRow(
        name="PowerBox G2", codes=("42",), family=FAMILY_A, variants=_FAMILY_C_VARIANT
    ),
    ModelRow(
        name="PowerBrick", codes=("43",), family=FAMILY_A, variants=_FAMILY_C_VARIANT
    ),
    ModelRow(name="STACK100-7S", codes=("50",), family=STACK100),
    ModelRow(name="STACK100-10S", codes=("53",), family=STACK100),
    ModelRow(name="PowerDepot G2", codes=("144",), family=FAMILY_A),
    ModelRow(name="PowerHaus", codes=("145",), family=FAMILY_A),
    ModelRow(name="Cygni 10.0HS-M8", codes=("192",), family=CYGNI),
    ModelRow(name="PowerBrick SC", codes=("226",), family=LV_5DIGIT),
    ModelRow(name="PowerBrick Plus", codes=("328",), family=LV_5DIGIT),
)

# Point-based fallback when the name is missing or unknown (docs/api.md §11.2).
FALLBACKS: Final[tuple[Variant, ...]] = (
    # Family A also lists 1400/2400/2700 (with other meanings), so SOC 800 first.
    Variant(rule=PointRule(present=("800", "4600")), family=JUNIOR_BOX),
    Variant(rule=PointRule(present=("800",)), family=FAMILY_A),
    Variant(rule=PointRule(present=("1400", "4400")), family=HV_TOWER_PRO),
    Variant(
        rule=PointRule(present=("1400",), any_present=("2400", "2700")),
        family=HV_TOWER,
    ),
    Variant(rule=PointRule(present=("2010", "171")), family=CYGNI),
    Variant(rule=PointRule(any_present=("13400", "12400")), family=LV_5DIGIT),
)


class Method(StrEnum):
    """How a device's layout was found."""

    MODEL = "model"
    POINTS = "points"
    LABELS = "labels"


def _normalise(name: str) -> str:
    """Return a model name in the table's comparison form (`TOWER-PRO-TP7`)."""
    return "-".join(name.upper().split())


@dataclass(frozen=True, slots=True, kw_only=True)
class Detection:
    """The layout chosen for a device and how it was chosen."""

    family: Family
    row: ModelRow | None
    method: Method
    # False while the choice may still change once live points arrive.
    final: bool

    @property
    def known_model(self) -> bool:
        """Return whether the model is in the table."""
        return self.row is not None


def find_model(model_name: str | None, model_code: str | None) -> ModelRow | None:
    """Find a model row by exact code, then by exact or prefix name."""
    if model_code:
        for row in MODELS:
            if model_code in row.codes:
                return row
    if model_name:
        wanted = _normalise(model_name)
        for row in MODELS:
            if _normalise(row.name) == wanted:
                return row
        prefix = wanted.split("-")[0]
        for row in MODELS:
            if _normalise(row.name).split("-")[0] == prefix:
                return row
    return None


def detect(
    model_name: str | None,
    model_code: str | None,
    snapshot: RealtimeSnapshot | None,
) -> Detection:
    """Choose the layout of a device from its model, else its points or labels."""
    if snapshot is not None and not snapshot.points:
        # A `200` with `data: null` or `[]` says nothing: decide with the next one.
        snapshot = None
    row = find_model(model_name, model_code)
    if row is not None:
        if not row.variants:
            return Detection(
                family=row.family, row=row, method=Method.MODEL, final=True
            )
        if snapshot is None:
            return Detection(
                family=row.family, row=row, method=Method.MODEL, final=False
            )
        family = next(
            (v.family for v in row.variants if v.rule.matches(snapshot)), row.family
        )
        return Detection(family=family, row=row, method=Method.POINTS, final=True)
    if snapshot is None:
        return Detection(
            family=family_from_labels(None), row=None, method=Method.LABELS, final=False
        )
    for fallback in FALLBACKS:
        if fallback.rule.matches(snapshot):
            return Detection(
                family=fallback.family, row=None, method=Method.POINTS, final=True
            )
    return Detection(
        family=family_from_labels(snapshot), row=None, method=Method.LABELS, final=True
    )
