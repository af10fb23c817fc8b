"""Tests for model detection and the family point maps."""

from __future__ import annotations

import pytest

from custom_components.dyness.api import RealtimeSnapshot
from custom_components.dyness.families import (
    FAMILY_A,
    MODELS,
    Metric,
    detect_family,
    find_model,
)


@pytest.mark.parametrize("row", MODELS, ids=lambda row: row.name)
def test_every_row_by_code_and_name(row: object) -> None:
    """Each table row is found by its code, its exact name and its spelling variants."""
    assert row in MODELS
    name = row.name  # type: ignore[attr-defined]
    for code in row.codes:  # type: ignore[attr-defined]
        assert find_model(None, code) is row
    assert find_model(name, None) is row
    assert find_model(name.upper(), None) is row
    assert find_model(f"  {name.lower()} ", None) is row


def test_prefix_and_unknown() -> None:
    """A longer name with a known first word matches; nothing matches nothing."""
    row = find_model("PowerHaus 15", None)
    assert row is not None
    assert row.name == "PowerHaus"
    assert find_model("Mystery 9000", "999") is None
    assert find_model(None, None) is None
    assert detect_family("Mystery 9000", "999") is FAMILY_A
    assert detect_family("PowerHaus", None) is FAMILY_A


def test_family_reads_points() -> None:
    """A family reads numbers and text by metric, None where absent or empty."""
    snapshot = RealtimeSnapshot.from_api(
        "X-BMS",
        [
            {"pointId": "800", "pointValue": "57"},
            {"pointId": "300", "pointValue": "2.50-62.0.11"},
            {"pointId": "1200", "pointValue": ""},
        ],
    )
    assert FAMILY_A.number(snapshot, Metric.SOC) == 57
    assert FAMILY_A.text(snapshot, Metric.FIRMWARE) == "2.50-62.0.11"
    assert FAMILY_A.number(snapshot, Metric.SOH) is None
    assert FAMILY_A.number(None, Metric.SOC) is None
    assert FAMILY_A.text(None, Metric.FIRMWARE) is None
    assert FAMILY_A.point(Metric.SOC) == "800"
    assert FAMILY_A.has(Metric.ALARM)
