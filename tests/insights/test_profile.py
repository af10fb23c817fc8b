"""Tests of the learned daily power profile and the stored-state helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import json
from zoneinfo import ZoneInfo

import pytest

from custom_components.dyness.insights.profile import ALPHA, DailyProfile
from custom_components.dyness.insights.stored import to_float, to_time

BERLIN = ZoneInfo("Europe/Berlin")


def test_slots_follow_the_local_day() -> None:
    """18:10 UTC is 19:10 in Berlin in winter: slot 38."""
    profile = DailyProfile(BERLIN)
    assert profile.slot(datetime(2026, 1, 5, 18, 10, tzinfo=UTC)) == 38
    assert DailyProfile().slot(datetime(2026, 1, 5, 18, 10, tzinfo=UTC)) == 36


def test_weighted_mean_per_slot() -> None:
    """The first sample sets the slot, later ones move it by ALPHA."""
    profile = DailyProfile()
    at = datetime(2026, 1, 5, 18, 10, tzinfo=UTC)
    assert profile.at(at) is None
    profile.add(at, -1000.0)
    profile.add(at + timedelta(days=1), -2000.0)
    assert profile.at(at) == pytest.approx(-1000.0 - ALPHA * 1000.0)
    assert profile.at(at + timedelta(minutes=30)) is None


def test_round_trip_and_unreadable_state() -> None:
    """The slot means survive a restart; a wrong-sized list is dropped."""
    profile = DailyProfile(BERLIN)
    at = datetime(2026, 1, 5, 18, 10, tzinfo=UTC)
    profile.add(at, -700.0)
    restored = DailyProfile.from_dict(json.loads(json.dumps(profile.as_dict())), BERLIN)
    assert restored.at(at) == -700.0
    assert DailyProfile.from_dict({"slots": [1.0]}).at(at) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-01-05T18:10:00+00:00", datetime(2026, 1, 5, 18, 10, tzinfo=UTC)),
        ("2026-01-05T18:10:00", None),
        ("nonsense", None),
        (5, None),
    ],
)
def test_to_time(value: object, expected: datetime | None) -> None:
    """Only aware ISO times are read back."""
    assert to_time(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1.0),
        (2.5, 2.5),
        (True, None),
        ("3", None),
        (float("nan"), None),
        (float("inf"), None),
    ],
)
def test_to_float(value: object, expected: float | None) -> None:
    """Only finite numbers are read back."""
    assert to_float(value) == expected


def test_typical_falls_back_to_the_nearest_earlier_slot() -> None:
    """A never-learned slot (always at the floor) takes the slot before it."""
    profile = DailyProfile()
    evening = datetime(2026, 1, 5, 21, 10, tzinfo=UTC)
    assert profile.typical(evening) is None
    profile.add(evening, -300.0)
    assert profile.typical(evening + timedelta(hours=5)) == -300.0
    assert profile.typical(evening - timedelta(hours=5)) == -300.0
    assert profile.at(evening + timedelta(hours=5)) is None
