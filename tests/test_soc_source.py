"""Tests for the SOC source of PowerBrick SC/Plus batteries: v2 or the records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from custom_components.dyness.api import (
    BatteryInfo,
    DynessApiError,
    DynessAuthenticationError,
    DynessBudgetError,
    DynessClient,
    DynessConnectionError,
    RealtimeSnapshot,
)
from custom_components.dyness.api.exceptions import DynessEndpointNotFoundError
from custom_components.dyness.soc_source import INTERNAL_SN_POINT, SocSources
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .common import entry_for, next_cycle, sensor_id

NOW = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
SERIAL = "R07E3A7C1F20B415-BMS"
INTERNAL = "PBP1234567890"
V2 = "/v2/GetRealTimeDataBySN"
RECORDS = "/v1/device/getLastPowerDataBySn"


class _Client:
    """Answers v2 with the queued outcomes, then with a SOC of 55."""

    def __init__(self, *outcomes: Exception | float | None) -> None:
        self.outcomes = list(outcomes)
        self.asked: list[str] = []

    async def get_battery_info(self, serial: str, **_: Any) -> BatteryInfo:
        self.asked.append(serial)
        outcome = self.outcomes.pop(0) if self.outcomes else 55.0
        if isinstance(outcome, Exception):
            raise outcome
        return BatteryInfo.from_api({"batteryInfo": {"soc": outcome}})


def _snapshot(internal: str | None = INTERNAL) -> RealtimeSnapshot:
    """Return a master snapshot carrying (or not) its internal SN."""
    points = (
        []
        if internal is None
        else [{"pointId": INTERNAL_SN_POINT, "pointValue": internal}]
    )
    return RealtimeSnapshot.from_api(SERIAL, points)


def _sources(client: _Client) -> SocSources:
    return SocSources(cast("DynessClient", client))


async def test_v2_serves_by_internal_sn() -> None:
    """A SOC from v2 confirms it; the internal SN of point 10001 is asked."""
    client = _Client()
    sources = _sources(client)
    info = await sources.async_battery_info(SERIAL, _snapshot(), NOW)
    assert info is not None
    assert info.soc == 55.0
    assert client.asked == [INTERNAL]
    await sources.async_battery_info(SERIAL, _snapshot(None), NOW)
    assert client.asked == [INTERNAL, SERIAL]


@pytest.mark.parametrize(
    "failure",
    [
        DynessApiError("500", "Invalid parameter"),
        DynessEndpointNotFoundError("unknown path (HTTP 404)"),
        None,
    ],
)
async def test_failure_means_records_for_a_day(failure: Exception | None) -> None:
    """Code 500, 404 or no SOC: records this cycle, v2 again after 24 hours."""
    client = _Client(failure)
    sources = _sources(client)
    assert await sources.async_battery_info(SERIAL, _snapshot(), NOW) is None
    later = NOW + timedelta(hours=23, minutes=55)
    assert await sources.async_battery_info(SERIAL, _snapshot(), later) is None
    assert len(client.asked) == 1
    day = NOW + timedelta(days=1)
    info = await sources.async_battery_info(SERIAL, _snapshot(), day)
    assert info is not None
    assert len(client.asked) == 2
    assert sources.uses_v2(SERIAL, day + timedelta(minutes=5))


@pytest.mark.parametrize(
    "failure",
    [
        DynessBudgetError("Hourly budget used", retry_after=60),
        DynessAuthenticationError("bad key"),
    ],
)
async def test_limits_say_nothing_about_v2(failure: Exception) -> None:
    """A refusal by the budget, a 429 or the key stops the cycle; v2 stays."""
    client = _Client(failure)
    sources = _sources(client)
    with pytest.raises(type(failure)):
        await sources.async_battery_info(SERIAL, _snapshot(), NOW)
    assert sources.uses_v2(SERIAL, NOW)


async def test_connection_failure_keeps_v2() -> None:
    """A failed connection uses the records once; v2 is asked at the next cycle."""
    client = _Client(DynessConnectionError("reset"))
    sources = _sources(client)
    assert await sources.async_battery_info(SERIAL, _snapshot(), NOW) is None
    assert sources.uses_v2(SERIAL, NOW + timedelta(minutes=5))


@pytest.mark.parametrize(("region", "v2_calls"), [("europe", 3), ("asia_pacific", 1)])
async def test_powerbrick_plus_soc_source(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    socket_enabled: None,
    region: str,
    v2_calls: int,
) -> None:
    """In Europe v2 replaces the records call; in Asia-Pacific records serve."""
    simulator = Simulator.single("PowerBrick Plus", v2_enabled=True, region=region)
    await simulator.start(host="127.0.0.1", port=0)
    try:
        entry = entry_for(simulator)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        for _ in range(2):
            await next_cycle(hass, frozen)
        serial = entry.data["batteries"][0]["device_sn"]
        soc = hass.states.get(sensor_id(hass, f"{serial}_state_of_charge"))
        assert soc is not None
        if region == "europe":
            # The records' SOC waits for their clock (issue 17); v2's is current.
            assert 0 < float(soc.state) <= 100
        stats = simulator.stats(DEFAULT_APP_ID)
        live = stats.by_call[("/v1/device/realTime/data", serial)]
        assert stats.by_path.get(V2, 0) == v2_calls
        records = stats.by_path.get(RECORDS, 0)
        # One SOC call per sample either way; the energy sensors may add records.
        if region == "europe":
            assert stats.by_path[V2] == live
        else:
            assert records >= live
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await simulator.stop()
