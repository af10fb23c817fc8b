"""Tests for the SOC source of PowerBrick SC/Plus batteries: v2 or the records."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
import itertools
from typing import Any, cast

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

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
from custom_components.dyness.api.phase import UploadTracker
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.families import LV_5DIGIT, Metric
from custom_components.dyness.model_table import Detection, Method
from custom_components.dyness.soc_source import INTERNAL_SN_POINT, SocSources
from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID

from .common import entry_for, next_cycle, run_for, sensor_id

NOW = datetime(2026, 6, 21, 10, 0, tzinfo=UTC)
SERIAL = "R07E3A7C1F20B415-BMS"
INTERNAL = "PBP1234567890"
V2 = "/v2/GetRealTimeDataBySN"
RECORDS = "/v1/device/getLastPowerDataBySn"
LIVE = "/v1/device/realTime/data"


class _Client:
    """Answers v2 with the queued outcomes, then with a SOC of 55."""

    def __init__(self, *outcomes: Exception | float | dict[str, Any] | None) -> None:
        self.outcomes = list(outcomes)
        self.asked: list[str] = []

    async def get_battery_info(self, serial: str, **_: Any) -> BatteryInfo:
        self.asked.append(serial)
        outcome = self.outcomes.pop(0) if self.outcomes else 55.0
        if isinstance(outcome, Exception):
            raise outcome
        if isinstance(outcome, dict):
            return BatteryInfo.from_api({"batteryInfo": outcome})
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


def _timed_master() -> tuple[RealtimeSnapshot, BatteryData, UploadTracker]:
    """Return a master's timed snapshot, its data and a tracker that saw it."""
    snapshot = RealtimeSnapshot.from_api(
        SERIAL,
        [
            {"pointId": "T", "pointValue": "2026-06-21 09:59:40"},
            {"pointId": INTERNAL_SN_POINT, "pointValue": INTERNAL},
        ],
    )
    old = BatteryData(
        config=BatteryConfig(device_sn=SERIAL),
        detection=Detection(
            family=LV_5DIGIT, row=None, method=Method.MODEL, final=True
        ),
        realtime=snapshot,
    )
    tracker = UploadTracker()
    tracker.observe(snapshot.timestamp, NOW - timedelta(minutes=5))
    return snapshot, old, tracker


async def test_unchanged_v2_values_send_the_poll_to_realtime_data() -> None:
    """v2 alone serves a due sample only when its values changed, and is asked once.

    Unchanged values may be an old sample: `realTime/data` decides, and the v2
    answer of the same cycle serves beside it; a `realTime/data` an hour old is
    read again in any case.
    """
    client = _Client(55.0, 55.0, 56.0)
    sources = _sources(client)
    snapshot, old, tracker = _timed_master()
    assert await sources.async_sample(old, tracker, NOW) is None
    assert client.asked == []
    assert await sources.async_battery_info(SERIAL, snapshot, NOW) is not None
    due = NOW + timedelta(minutes=5)
    assert await sources.async_sample(old, tracker, due) is None
    info = await sources.async_battery_info(SERIAL, snapshot, due)
    assert info is not None
    assert client.asked == [INTERNAL, INTERNAL]
    sampled = await sources.async_sample(old, tracker, due + timedelta(minutes=5))
    assert sampled is not None
    assert sampled[0].timestamp == tracker.expected
    assert sampled[1].soc == 56.0
    assert not sources.timed(SERIAL)
    assert await sources.async_sample(old, tracker, due + timedelta(hours=1)) is None
    assert len(client.asked) == 3


@pytest.mark.parametrize(
    ("limit", "stops"),
    [
        ("maxChargeCurrent", True),
        ("maxDischargeCurrent", True),
        (None, False),
    ],
)
async def test_a_stop_of_charging_or_discharging_reads_realtime_data(
    limit: str | None, stops: bool
) -> None:
    """A current limit turning to zero sends the poll to `realTime/data` at once.

    The alarm and protection points come only from `realTime/data`; v2's answer
    of the same cycle serves beside it, and the stop lasting is no reason again.
    """
    normal = {"soc": 55.0, "maxChargeCurrent": 50.0, "maxDischargeCurrent": 50.0}
    changed = {**normal, "soc": 56.0} | ({limit: 0.0} if limit else {})
    later = {**changed, "soc": 57.0}
    client = _Client(normal, changed, later)
    sources = _sources(client)
    snapshot, old, tracker = _timed_master()
    assert await sources.async_battery_info(SERIAL, snapshot, NOW) is not None
    due = NOW + timedelta(minutes=5)
    sampled = await sources.async_sample(old, tracker, due)
    assert (sampled is None) == stops
    if stops:
        info = await sources.async_battery_info(SERIAL, snapshot, due)
        assert info is not None
        assert info.soc == 56.0
    assert len(client.asked) == 2
    sampled = await sources.async_sample(old, tracker, due + timedelta(minutes=5))
    assert sampled is not None
    assert sampled[1].soc == 57.0
    assert len(client.asked) == 3


@asynccontextmanager
async def _powerbrick_plus(
    hass: HomeAssistant, region: str
) -> AsyncIterator[tuple[Simulator, MockConfigEntry]]:
    """Set up one PowerBrick Plus on a cloud with v2 in a region; unload after."""
    simulator = Simulator.single("PowerBrick Plus", v2_enabled=True, region=region)
    await simulator.start(host="127.0.0.1", port=0)
    try:
        entry = entry_for(simulator)
        entry.add_to_hass(hass)
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        yield simulator, entry
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        await simulator.stop()


@pytest.mark.parametrize(("region", "v2_calls"), [("europe", 3), ("asia_pacific", 1)])
async def test_powerbrick_plus_soc_source(
    hass: HomeAssistant,
    frozen: FrozenDateTimeFactory,
    socket_enabled: None,
    region: str,
    v2_calls: int,
) -> None:
    """In Europe v2 is the call per sample; in Asia-Pacific v1 and the records serve."""
    async with _powerbrick_plus(hass, region) as (simulator, entry):
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
        if region == "europe":
            # v2 alone brings the samples after setup's `realTime/data`.
            assert live == 1
        else:
            # One SOC call per sample; the energy sensors may add records.
            assert records >= live


async def test_v2_alone_brings_each_sample(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, socket_enabled: None
) -> None:
    """Where v2 serves, it is the one call per sample, with the values of v1.

    `realTime/data` is read once an hour for the sample time; every sample of
    the second hour is read, at 1.1 calls a sample at most, and a sample from
    v2 alone shows what `realTime/data` of the same sample shows.
    """
    async with _powerbrick_plus(hass, "europe") as (simulator, entry):
        coordinator = entry.runtime_data.coordinator
        serial = entry.data["batteries"][0]["device_sn"]
        await run_for(hass, frozen, 60)
        start = simulator.stats(DEFAULT_APP_ID).copy()
        samples: list[datetime] = []

        def _updated() -> None:
            sample = coordinator.data.batteries[serial].sample_time
            if sample is not None and (not samples or samples[-1] != sample):
                samples.append(sample)

        unsub = coordinator.async_add_listener(_updated)
        await run_for(hass, frozen, 60)
        while coordinator.soc_sources.timed(serial):
            await run_for(hass, frozen, 5)
        unsub()
        stats = simulator.stats(DEFAULT_APP_ID)
        calls = {
            path: stats.by_path.get(path, 0) - start.by_path.get(path, 0)
            for path in (LIVE, V2, RECORDS)
        }
        assert [b - a for a, b in itertools.pairwise(samples)] == [
            timedelta(minutes=5)
        ] * (len(samples) - 1)
        assert len(samples) >= 12
        assert calls[RECORDS] == 0
        assert 1 <= calls[LIVE] <= 2
        assert (calls[LIVE] + calls[V2]) / len(samples) <= 1.1
        battery = coordinator.data.batteries[serial]
        read = await entry.runtime_data.client.get_realtime_data(serial)
        assert read.timestamp == battery.sample_time
        assert battery.realtime is not None
        assert battery.realtime.text("T") == read.text("T")
        v1 = replace(battery, realtime=read)
        layout = battery.family.v2
        assert layout is not None
        carried = [m for m in layout.fields if battery.family.point(m) is not None]
        assert len(carried) == 7
        for metric in (*carried, Metric.SOC, Metric.POWER, Metric.CELL_VOLTAGE_MAX):
            assert battery.number(metric) == v1.number(metric), metric
        # Scaled by the SOC between hourly reads: an estimate.
        assert battery.number(Metric.REMAINING_ENERGY) == pytest.approx(
            v1.number(Metric.REMAINING_ENERGY), abs=0.1
        )
        assert battery.cells() == v1.cells()
