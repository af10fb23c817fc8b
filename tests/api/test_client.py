"""Tests for the API client against the simulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import AsyncMock, MagicMock, patch

import aiohttp
import pytest

from custom_components.dyness.api import (
    CallScheduler,
    DynessApiError,
    DynessAuthenticationError,
    DynessClient,
    DynessConnectionError,
    DynessError,
    DynessRateLimitError,
    DynessResponseError,
    DynessTimeoutError,
    Region,
)
from custom_components.dyness.api.client import DeviceRead
from custom_components.dyness.api.const import (
    PATH_CHECK_VERSION,
    PATH_POWER_DATA,
    PATH_STORAGE_DETAIL,
)
from custom_components.dyness.api.scheduler import Priority
from dyness_sim import Fault, SimClock, Simulator
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DL5_SN,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    POWERHAUS_SN,
)

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Client tests need no Home Assistant."""


@pytest.fixture
async def sim(socket_enabled: None) -> AsyncIterator[Simulator]:
    """Return a started simulator on a fixed clock with the real rate limits."""
    simulator = Simulator.default(clock=SimClock.fixed(START))
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    """Return an aiohttp session."""
    async with aiohttp.ClientSession() as client_session:
        yield client_session


def _scheduler(sim: Simulator) -> CallScheduler:
    """Return a scheduler whose waiting moves the simulator's clock on."""

    async def _sleep(seconds: float) -> None:
        sim.clock.advance(timedelta(seconds=seconds))

    return CallScheduler(monotonic=lambda: sim.clock.now().timestamp(), sleep=_sleep)


def _client(
    sim: Simulator,
    session: aiohttp.ClientSession,
    app_id: str = DEFAULT_APP_ID,
    secret: str = DEFAULT_APP_SECRET,
    **kwargs: Any,
) -> DynessClient:
    """Return a client of the simulator on the simulator's clock."""
    return DynessClient(
        app_id,
        secret,
        session=session,
        base_url=f"{sim.base_url}/",
        scheduler=_scheduler(sim),
        wall_clock=lambda: sim.clock.now().timestamp(),
        **kwargs,
    )


async def test_discovery_and_reads(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """A signed client lists devices and reads every endpoint it offers."""
    client = _client(sim, session)
    devices = await client.list_storage_devices()
    assert {device.device_sn for device in devices} == {POWERHAUS_SN, DL5_SN}
    assert all(device.is_master and device.collector_sn for device in devices)
    detail = await client.get_device_detail(POWERHAUS_SN)
    assert detail.model_name == "PowerHaus"
    assert detail.data_update_time is not None
    assert detail.data_update_time.utcoffset() is not None
    station = await client.get_station_info(POWERHAUS_SN)
    assert station.battery_capacity is not None
    snapshot = await client.get_realtime_data(POWERHAUS_SN)
    assert snapshot.timestamp is not None
    assert snapshot.timestamp <= sim.clock.now()
    assert snapshot.number("800") is not None
    assert snapshot.points["800"].name_cn == "平均SOC"
    assert snapshot.sub_devices
    records = await client.get_power_records(DL5_SN)
    assert records == sorted(records, key=lambda record: record.time)
    assert any(record.power is not None for record in records)
    assert await client.bind_device(POWERHAUS_SN, POWERHAUS_SN.removesuffix("-BMS"))
    versions = await client.check_version(POWERHAUS_SN)
    assert versions.raw is not None
    assert client.last_responses[PATH_CHECK_VERSION] is not None
    assert sim.stats(DEFAULT_APP_ID).rejected_429 == 0
    assert "secret" not in repr(client).lower()
    assert DEFAULT_APP_SECRET not in repr(client)


async def test_paging(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """Discovery follows pages until `total` is reached."""
    client = _client(sim, session)
    with patch("custom_components.dyness.api.client.PAGE_SIZE", 1):
        devices = await client.list_storage_devices()
    assert len(devices) == 2
    assert sim.stats(DEFAULT_APP_ID).by_path["/v1/device/storage/list"] == 2


async def test_empty_account(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """An account without devices lists nothing."""
    client = _client(sim, session, EMPTY_APP_ID, EMPTY_APP_SECRET)
    assert await client.list_storage_devices() == []


@pytest.mark.parametrize(
    ("app_id", "secret"),
    [(DEFAULT_APP_ID, "0" * 31), ("10000000009999", DEFAULT_APP_SECRET)],
)
async def test_wrong_credentials(
    sim: Simulator, session: aiohttp.ClientSession, app_id: str, secret: str
) -> None:
    """A wrong secret or unknown App ID is an authentication error."""
    with pytest.raises(DynessAuthenticationError):
        await _client(sim, session, app_id, secret).list_storage_devices()


async def test_skewed_clock(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """A Date header far from the server's clock is refused like a bad signature."""
    client = DynessClient(
        DEFAULT_APP_ID,
        DEFAULT_APP_SECRET,
        session=session,
        base_url=sim.base_url,
        scheduler=_scheduler(sim),
        wall_clock=lambda: (sim.clock.now() - timedelta(hours=2)).timestamp(),  # noqa: PLW0108
    )
    with pytest.raises(DynessAuthenticationError):
        await client.list_storage_devices()


async def test_foreign_serial(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """A serial that is not on the key is refused; binding an unknown one fails."""
    client = _client(sim, session)
    with pytest.raises(DynessAuthenticationError):
        await client.get_realtime_data("R07E0000DEADBEEF-BMS")
    with pytest.raises(DynessApiError):
        await client.bind_device("R07E0000DEADBEEF-BMS")


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(kind="auth"), DynessAuthenticationError),
        (Fault(kind="html"), DynessConnectionError),
        (Fault(kind="truncated"), DynessResponseError),
        (Fault(kind="empty"), DynessResponseError),
        (Fault(kind="code500", info="Network Anomaly"), DynessApiError),
        (Fault(kind="code500", info="NETWORK_ERROR"), DynessApiError),
        (Fault(kind="code500", info="Device connection timed out"), DynessApiError),
        (Fault(kind="code500", info="Device is not configured"), DynessApiError),
        (Fault(kind="http429"), DynessRateLimitError),
    ],
)
async def test_faults(
    sim: Simulator,
    session: aiohttp.ClientSession,
    fault: Fault,
    error: type[DynessError],
) -> None:
    """Every fault surfaces as exactly one of the client's exceptions."""
    sim.add_fault(fault)
    client = _client(sim, session)
    with pytest.raises(error) as raised:
        await client.get_realtime_data(POWERHAUS_SN)
    if isinstance(raised.value, DynessApiError):
        assert raised.value.code == "500"
        assert raised.value.info == fault.info
    sim.clear_faults()
    sim.clock.advance(timedelta(minutes=15))
    assert (await client.get_realtime_data(POWERHAUS_SN)).points


async def test_retry_after(sim: Simulator, session: aiohttp.ClientSession) -> None:
    """A 429 with Retry-After carries it and holds the next call back; no burst."""
    sim.add_fault(Fault(kind="http429", retry_after=120))
    client = _client(sim, session)
    with pytest.raises(DynessRateLimitError) as raised:
        await client.get_realtime_data(POWERHAUS_SN)
    assert raised.value.retry_after == 120
    requests = sim.stats(DEFAULT_APP_ID).requests
    with pytest.raises(DynessRateLimitError):
        await client.get_realtime_data(POWERHAUS_SN)
    assert sim.stats(DEFAULT_APP_ID).requests == requests
    sim.clock.advance(timedelta(seconds=121))
    assert (await client.get_realtime_data(POWERHAUS_SN)).points


async def test_spacing_keeps_under_the_limit(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """Ten back-to-back calls stay within 2 per second: no 429."""
    client = _client(sim, session)
    for _ in range(10):
        await client.get_realtime_data(DL5_SN)
    assert sim.stats(DEFAULT_APP_ID).rejected_429 == 0


async def test_without_spacing_the_simulator_says_429(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """The guard is needed: unspaced calls at one instant hit the limit."""
    client = _client(sim, session)
    client.scheduler.min_interval = 0
    await client.get_realtime_data(DL5_SN)
    await client.get_realtime_data(DL5_SN)
    with pytest.raises(DynessRateLimitError):
        await client.get_realtime_data(DL5_SN)


async def test_timeout(session: aiohttp.ClientSession) -> None:
    """A server that does not answer in time is a timeout."""
    sim = Simulator.default()
    await sim.start(host="127.0.0.1", port=0)
    try:
        sim.add_fault(Fault(kind="timeout", seconds=2.0))
        client = DynessClient(
            DEFAULT_APP_ID,
            DEFAULT_APP_SECRET,
            session=session,
            base_url=sim.base_url,
            request_timeout=0.2,
        )
        with pytest.raises(DynessTimeoutError):
            await client.get_realtime_data(POWERHAUS_SN)
    finally:
        await sim.stop()


async def test_connection_refused(
    session: aiohttp.ClientSession, unused_tcp_port: int
) -> None:
    """A closed port is a connection error."""
    client = DynessClient(
        DEFAULT_APP_ID,
        DEFAULT_APP_SECRET,
        session=session,
        base_url=f"http://127.0.0.1:{unused_tcp_port}",
    )
    with pytest.raises(DynessConnectionError):
        await client.list_storage_devices()


def test_region_hosts() -> None:
    """The region picks the host; an explicit base URL wins."""
    session: Any = object()
    assert (
        DynessClient("1", "s", session=session).base_url
        == "https://open-api.dyness.com"
    )
    assert (
        DynessClient("1", "s", session=session, region=Region.ASIA_PACIFIC).base_url
        == "https://apacopen-api.dyness.com"
    )
    assert (
        DynessClient(
            "1", "s", session=session, region="asia_pacific", base_url="http://x:1/"
        ).base_url
        == "http://x:1"
    )


@pytest.mark.parametrize(
    ("region", "model", "soc"),
    [("europe", "PowerBrick Plus", True), ("asia_pacific", "PowerBrick SC", False)],
)
async def test_v2_battery_info_per_region(
    session: aiohttp.ClientSession, region: str, model: str, soc: bool
) -> None:
    """v2 `GetRealTimeDataBySN` gives family C SOC in Europe; APAC says code 500."""
    sim = Simulator.single(
        model, clock=SimClock.fixed(START), v2_enabled=True, region=region
    )
    await sim.start(host="127.0.0.1", port=0)
    try:
        client = _client(sim, session)
        serial = sim.batteries[0].device_sn
        if soc:
            info = await client.get_battery_info(serial)
            records = await client.get_power_records(serial)
            filled = [record for record in records if record.soc is not None]
            assert info.soc is not None
            assert info.soc == pytest.approx(filled[-1].soc, abs=1)
            assert len(info.cell_voltages) == 16
        else:
            with pytest.raises(DynessApiError) as err:
                await client.get_battery_info(serial)
            assert err.value.code == "500"
    finally:
        await sim.stop()


async def test_v2_battery_info_unavailable(
    sim: Simulator, session: aiohttp.ClientSession
) -> None:
    """Without v2 the path is a 404; a model without v2 is 'not configured'."""
    client = _client(sim, session)
    with pytest.raises(DynessResponseError, match="404"):
        await client.get_battery_info(DL5_SN)
    sim.v2_enabled = True
    with pytest.raises(DynessApiError, match="not configured"):
        await client.get_battery_info(DL5_SN)


async def test_device_reads_ask_at_their_usual_priority_unless_told() -> None:
    """A per-device read sends the serial at its own priority; the caller's wins."""
    client = DynessClient("app", "secret", session=MagicMock())
    assert isinstance(DynessClient.get_device_detail, DeviceRead)
    with patch.object(client, "request", AsyncMock(return_value=None)) as request:
        assert (await client.check_version("SN-1")).bms is None
        assert await client.get_power_records("SN-2") == []
        assert await client.get_power_records("SN-2", priority=Priority.RECORDS) == []
        request.return_value = {"deviceModelName": "DL5.0C"}
        detail = await client.get_device_detail("SN-3")
    assert detail.model_name == "DL5.0C"
    assert [(c.args, c.kwargs["priority"]) for c in request.call_args_list] == [
        ((PATH_CHECK_VERSION, {"deviceSn": "SN-1"}), Priority.EXTRA),
        ((PATH_POWER_DATA, {"deviceSn": "SN-2"}), Priority.BATTERY),
        ((PATH_POWER_DATA, {"deviceSn": "SN-2"}), Priority.RECORDS),
        ((PATH_STORAGE_DETAIL, {"deviceSn": "SN-3"}), Priority.STATIC),
    ]
