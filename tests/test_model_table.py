"""Tests for model detection, the layouts and the plausibility guard."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from custom_components.dyness import model_table
from custom_components.dyness.api import RealtimeSnapshot
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.families import (
    CYGNI,
    FAMILY_A,
    FAMILY_A_AH_MODULES,
    HV_MODULE,
    HV_TOWER,
    HV_TOWER_PRO,
    JUNIOR_BOX,
    LV_5DIGIT,
    STACK100,
    FamilyKey,
    Metric,
)
from custom_components.dyness.model_table import (
    MODELS,
    Method,
    ModelRow,
    detect,
    family_from_labels,
    find_model,
)
from custom_components.dyness.plausibility import family_checks, guard, module_checks


def _snapshot(
    points: dict[str, str], labels: dict[str, str] | None = None
) -> RealtimeSnapshot:
    """Build a snapshot from point id → value (and optional labels)."""
    labels = labels or {}
    return RealtimeSnapshot.from_api(
        "R07E0000000000AA-BMS",
        [
            {"pointId": pid, "pointValue": value, "pointNameCn": labels.get(pid, "")}
            for pid, value in points.items()
        ],
    )


# (name, code, expected family key) re-typed from docs/api.md §11.1.
DOC_MODELS = [
    ("Junior Box", "1", FamilyKey.JUNIOR_BOX),
    ("Tower Pro TP7", "7", FamilyKey.HV_TOWER_PRO),
    ("DL5.0C", "15", FamilyKey.LV_BMS),
    ("PowerBox Pro", "16", FamilyKey.LV_BMS),
    ("PowerDepot H5B", "21", FamilyKey.LV_BMS),
    ("Tower T14", "25", FamilyKey.HV_TOWER),
    ("Tower T17", "26", FamilyKey.HV_TOWER),
    ("PowerBox G2", "42", FamilyKey.LV_BMS),
    ("PowerBrick", "43", FamilyKey.LV_BMS),
    ("STACK100-7S", "50", FamilyKey.STACK100),
    ("STACK100-10S", "53", FamilyKey.STACK100),
    ("PowerDepot G2", "144", FamilyKey.LV_BMS),
    ("PowerHaus", "145", FamilyKey.LV_BMS),
    ("Cygni 10.0HS-M8", "192", FamilyKey.CYGNI),
    ("PowerBrick SC", "226", FamilyKey.LV_5DIGIT),
    ("PowerBrick Plus", "328", FamilyKey.LV_5DIGIT),
]


@pytest.mark.parametrize(("name", "code", "key"), DOC_MODELS)
def test_documented_models(name: str, code: str, key: FamilyKey) -> None:
    """Every model of the doc is found by code and by name, with its layout."""
    by_code = find_model(None, code)
    by_name = find_model(name, None)
    assert by_code is not None
    assert by_code is by_name
    assert find_model(name.upper(), None) is by_code
    assert find_model(f"  {name.lower()} ", None) is by_code
    detection = detect(name, code, None)
    assert detection.family.key is key
    assert detection.known_model


@pytest.mark.parametrize("row", MODELS, ids=lambda row: row.name)
def test_every_row_is_reachable(row: ModelRow) -> None:
    """Each table row is the one found for its own name."""
    assert find_model(row.name, None) is row
    for code in row.codes:
        assert find_model(None, code) is row


def test_prefix_names() -> None:
    """A longer or new name with a known first word uses that row (§11.2)."""
    stack = find_model("STACK100-12S", None)
    assert stack is not None
    assert stack.family is STACK100
    cygni = find_model("Cygni 5.0HS", None)
    assert cygni is not None
    assert cygni.family is CYGNI
    tower = find_model("Tower T30", None)
    assert tower is not None
    assert tower.family is HV_TOWER
    assert find_model("Mystery 9000", "999") is None
    assert find_model(None, None) is None


def test_powerbox_pro_modules_have_no_soc() -> None:
    """PowerBox Pro modules report Ah in 14000/14100, so no module SOC/SOH."""
    row = find_model("PowerBox Pro", "16")
    assert row is not None
    assert row.family is FAMILY_A_AH_MODULES
    assert row.family.module is not None
    assert row.family.module.point(Metric.SOC) is None


@pytest.mark.parametrize(
    ("name", "points", "expected"),
    [
        ("PowerBox G2", {"600": "52.1", "800": "40"}, FAMILY_A),
        ("PowerBox G2", {"600": "", "13400": "-3.2"}, LV_5DIGIT),
        ("PowerBrick", {"600": "52.1", "800": "40"}, FAMILY_A),
        ("PowerBrick", {"13400": "1.1", "13500": "53.0"}, LV_5DIGIT),
        ("Tower T14", {"1400": "50", "5001": "0"}, HV_TOWER),
        ("Tower T14", {"1400": "50", "4400": "0"}, HV_TOWER_PRO),
    ],
)
def test_variants_by_points(name: str, points: dict[str, str], expected: Any) -> None:
    """Variant rules pick the layout from the live points."""
    provisional = detect(name, None, None)
    assert not provisional.final
    detection = detect(name, None, _snapshot(points))
    assert detection.family is expected
    assert detection.final
    assert detection.method is Method.POINTS


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ({"1400": "50", "4400": "0", "2400": "3.3"}, HV_TOWER_PRO),
        ({"1400": "50", "2400": "3.3"}, HV_TOWER),
        ({"1400": "50", "2700": "3.3"}, HV_TOWER),
        ({"800": "50", "4600": "30.1"}, JUNIOR_BOX),
        ({"800": "50", "4400": "0", "4600": "30.1"}, JUNIOR_BOX),
        ({"800": "50", "1400": "257", "2400": "1", "2700": ""}, FAMILY_A),
        ({"800": "50"}, FAMILY_A),
        ({"2010": "50", "171": "-4"}, CYGNI),
        ({"13400": "1.0"}, LV_5DIGIT),
        ({"12400": "21.0"}, LV_5DIGIT),
    ],
)
def test_point_fallback(points: dict[str, str], expected: Any) -> None:
    """Without a known model the points choose the layout (§11.2 step 3)."""
    detection = detect("Brand New 1", "999", _snapshot(points))
    assert detection.family is expected
    assert detection.method is Method.POINTS
    assert not detection.known_model


@pytest.mark.parametrize(
    ("name", "code"),
    [("PowerBrick", "43"), ("PowerBox G2", "42"), (None, None), ("Battery X", "999")],
)
@pytest.mark.parametrize("data", [None, []], ids=["null", "empty"])
def test_empty_snapshot_decides_nothing(
    name: str | None, code: str | None, data: list[Any] | None
) -> None:
    """An answer without points leaves detection open for the next sample."""
    empty = RealtimeSnapshot.from_api("R07E0000000000AA-BMS", data)
    assert not detect(name, code, empty).final
    filled = _snapshot({"13400": "-2.5", "13500": "52.1"})
    assert detect(name, code, filled).final


def test_unknown_layout_uses_labels() -> None:
    """Points of an unknown layout become metrics through their Chinese labels."""
    snapshot = _snapshot(
        {"42": "51.5", "43": "-2.0", "44": "77", "45": "3.31", "46": "99"},
        {"42": "总压", "43": "电流", "44": "SOC", "45": "最高单压值", "46": "未知"},
    )
    detection = detect("Brand New 1", None, snapshot)
    assert detection.method is Method.LABELS
    assert detection.family.key is FamilyKey.UNKNOWN
    assert detection.family.point(Metric.PACK_VOLTAGE) == "42"
    assert detection.family.point(Metric.CURRENT) == "43"
    assert detection.family.point(Metric.SOC) == "44"
    assert detection.family.point(Metric.CELL_VOLTAGE_MAX) == "45"
    assert detection.family.has(Metric.POWER)
    assert len(detection.family.points) == 4
    assert family_from_labels(None).points == {}
    assert not detect(None, None, None).final


def test_new_model_is_one_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model with a known layout is supported by adding one table row."""
    assert not detect("PowerCube M7", "999", None).known_model
    row = ModelRow(name="PowerCube M7", codes=("999",), family=FAMILY_A)
    monkeypatch.setattr(model_table, "MODELS", (*MODELS, row))
    detection = detect("PowerCube M7", "999", None)
    assert detection.known_model
    assert detection.row is row
    assert detection.family is FAMILY_A


def _battery(family: Any, points: dict[str, str]) -> BatteryData:
    """Return battery data of a family with the given live points."""
    detection = detect("PowerHaus", None, None)
    return BatteryData(
        config=BatteryConfig(device_sn="R07E0000000000AA-BMS"),
        detection=replace(detection, family=family),
        realtime=_snapshot(points),
    )


def test_cygni_sign_is_inverted() -> None:
    """Cygni reports negative current while charging (Q16); we show positive."""
    battery = _battery(CYGNI, {"170": "52.0", "171": "-10.0", "172": "-520"})
    assert battery.number(Metric.CURRENT) == 10.0
    assert battery.number(Metric.POWER) == 520.0


def test_derived_metrics() -> None:
    """Power, remaining energy and family C cell extremes are computed."""
    battery = _battery(FAMILY_A, {"600": "52.0", "700": "-2.5", "800": "50"})
    assert battery.number(Metric.POWER) == -130.0
    assert battery.provides(Metric.POWER)
    assert not battery.provides(Metric.REMAINING_ENERGY)
    cells = {str(10300 + 100 * n): f"3.{300 + n}" for n in range(16)}
    five = _battery(LV_5DIGIT, cells)
    assert five.number(Metric.CELL_VOLTAGE_MAX) == 3.315
    assert five.number(Metric.CELL_VOLTAGE_MIN) == 3.3
    assert five.provides(Metric.CELL_VOLTAGE_MAX)
    assert len(five.cells()) == 16
    empty = _battery(LV_5DIGIT, {})
    assert empty.number(Metric.CELL_VOLTAGE_MAX) is None
    assert not empty.provides(Metric.CELL_VOLTAGE_MAX)


@pytest.mark.parametrize(
    ("point_id", "value"),
    [
        ("800", "101"),
        ("800", "-1"),
        ("1200", "146"),
        ("1300", "7.1"),
        ("1500", "0.9"),
        ("900", "-3"),
        ("1800", "120"),
        ("2000", "-45"),
    ],
)
def test_guard_drops_implausible(point_id: str, value: str) -> None:
    """Values outside physical ranges become unknown and are reported."""
    snapshot = _snapshot({point_id: value, "600": "52.0"})
    cleaned, dropped = guard(snapshot, family_checks(FAMILY_A))
    assert dropped == {point_id: value}
    assert cleaned.number(point_id) is None
    assert cleaned.has(point_id)
    assert cleaned.number("600") == 52.0


def test_guard_keeps_plausible_and_placeholders() -> None:
    """Plausible values pass; "0.0" placeholder cells vanish without a report."""
    snapshot = _snapshot({"800": "100", "1300": "3.4", "1200": "0"})
    cleaned, dropped = guard(snapshot, family_checks(FAMILY_A))
    assert dropped == {}
    assert cleaned is snapshot
    cells = {"11100": "16", "11200": "3.31", "12800": "0.0", "14300": "150"}
    module, dropped = guard(_snapshot(cells), module_checks(HV_MODULE))
    assert dropped == {"14300": "150"}
    assert module.number("12800") is None
    assert HV_MODULE.cells.voltages(module) == {1: 3.31}
