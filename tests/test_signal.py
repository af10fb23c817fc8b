"""Tests for the dongle signal reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any, cast

import pytest

from custom_components.dyness.api import (
    DynessApiError,
    DynessBudgetError,
    DynessClient,
    RealtimeSnapshot,
)
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.families import Family, FamilyKey
from custom_components.dyness.model_table import Detection, Method, ModelRow
from custom_components.dyness.signal import SIGNAL_POINT, DongleSignal

NOW = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
SERIAL = "R07E3A7C1F20B415-BMS"
DONGLE = "R07E3A7C1F20B415"


class _Client:
    """Answers the dongle's points, or raises the errors queued first."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def get_realtime_data(self, serial: str, **_: Any) -> RealtimeSnapshot:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        points = [{"pointId": SIGNAL_POINT, "pointValue": "-67"}]
        return RealtimeSnapshot.from_api(serial, points)


def _batteries() -> dict[str, BatteryData]:
    """Return one battery with a known dongle."""
    family = Family(key=FamilyKey.LV_BMS, points=MappingProxyType({}))
    detection = Detection(
        family=family,
        row=ModelRow(name="Test model", family=family),
        method=Method.MODEL,
        final=True,
    )
    config = BatteryConfig(device_sn=SERIAL, dongle_sn=DONGLE)
    return {SERIAL: BatteryData(config=config, detection=detection)}


async def test_budget_refusal_is_retried_next_cycle() -> None:
    """A read the budget refused is tried again 5 minutes later, not after 30."""
    client = _Client(DynessBudgetError("Hourly budget used", retry_after=60))
    signal = DongleSignal(cast("DynessClient", client))
    with pytest.raises(DynessBudgetError):
        await signal.async_read(_batteries(), {SERIAL}, NOW)
    await signal.async_read(_batteries(), {SERIAL}, NOW + timedelta(minutes=5))
    assert client.calls == 2
    assert signal.dbm[SERIAL] == -67
    # Read: the next one waits 30 minutes.
    await signal.async_read(_batteries(), {SERIAL}, NOW + timedelta(minutes=10))
    assert client.calls == 2


async def test_failed_answer_waits_its_turn() -> None:
    """A dongle the cloud answers with an error is not asked again every cycle."""
    client = _Client(DynessApiError("500", "Network Anomaly"))
    signal = DongleSignal(cast("DynessClient", client))
    await signal.async_read(_batteries(), {SERIAL}, NOW)
    await signal.async_read(_batteries(), {SERIAL}, NOW + timedelta(minutes=5))
    assert client.calls == 1
    assert SERIAL not in signal.dbm
