"""Fault specs and the fault book (unit level)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dyness_sim import Fault
from dyness_sim.faults import FAULT_KINDS, FaultBook, OfflinePeriod

T0 = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
PATH = "/v1/device/realTime/data"


def test_kinds() -> None:
    """All documented fault kinds exist."""
    assert set(FAULT_KINDS) == {
        "timeout",
        "code500",
        "html",
        "truncated",
        "empty",
        "http429",
        "auth",
        "offline",
    }


@pytest.mark.parametrize(
    "spec",
    [{"kind": "explode"}, {"kind": "html", "count": 0}, {"kind": "html", "colour": 1}],
)
def test_invalid_specs(spec: dict[str, object]) -> None:
    """Unknown kinds, counts below 1 and unknown fields are rejected."""
    with pytest.raises(ValueError):  # noqa: PT011
        Fault.from_json(spec)


def test_matching() -> None:
    """App ID, path suffix and SN filters all have to match."""
    fault = Fault(kind="html", app_id="1", path="realTime/data", sn="X-BMS")
    assert fault.matches("1", PATH, {"X-BMS"})
    assert not fault.matches("2", PATH, {"X-BMS"})
    assert not fault.matches("1", "/v1/station/info", {"X-BMS"})
    assert not fault.matches("1", PATH, {"Y-BMS"})
    assert Fault(kind="html").matches(None, "/anything", set())


def test_count_and_order() -> None:
    """The first matching fault answers; counts run down; others keep waiting."""
    book = FaultBook(lambda fault: [])
    book.add(Fault(kind="code500", count=2), T0)
    book.add(Fault(kind="html", count=1), T0)
    kinds = [getattr(book.take("1", PATH, set(), T0), "kind", None) for _ in range(4)]
    assert kinds == ["code500", "code500", "html", None]
    assert book.active == []


def test_offline_periods_open_and_close() -> None:
    """An offline fault opens periods that close when its count is used up."""
    periods: list[OfflinePeriod] = []
    book = FaultBook(lambda fault: [periods])
    book.add(Fault(kind="offline", count=2), T0)
    assert periods == [OfflinePeriod(T0, None)]
    assert periods[0].covers(T0 + timedelta(hours=5))
    # Offline faults never replace the answer.
    assert book.take("1", PATH, set(), T0 + timedelta(minutes=1)) is None
    assert book.take("1", PATH, set(), T0 + timedelta(minutes=2)) is None
    assert periods[0].end == T0 + timedelta(minutes=2)
    assert not periods[0].covers(T0 + timedelta(minutes=2))
    assert book.active == []


def test_duration_and_clear() -> None:
    """A duration ends a fault by time; clear ends one or all."""
    periods: list[OfflinePeriod] = []
    book = FaultBook(lambda fault: [periods])
    book.add(Fault(kind="offline", count=100, duration=600), T0)
    assert periods[0].end == T0 + timedelta(minutes=10)
    book.expire(T0 + timedelta(minutes=9))
    assert len(book.active) == 1
    book.expire(T0 + timedelta(minutes=10))
    assert book.active == []
    first = book.add(Fault(kind="html", count=5), T0)
    book.add(Fault(kind="empty", count=5), T0)
    assert book.clear(T0, first.id) == 1
    assert [entry.fault.kind for entry in book.active] == ["empty"]
    assert book.active[0].describe()["kind"] == "empty"
    assert book.clear(T0) == 1
    assert book.active == []


def test_clearing_closes_open_period() -> None:
    """Clearing an offline fault ends its period at the clearing time."""
    periods: list[OfflinePeriod] = []
    book = FaultBook(lambda fault: [periods])
    book.add(Fault(kind="offline", count=100), T0)
    book.clear(T0 + timedelta(minutes=30))
    assert periods[0].end == T0 + timedelta(minutes=30)
