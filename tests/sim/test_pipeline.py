"""Auth, rate limits, faults and counters over HTTP."""

from __future__ import annotations

from datetime import timedelta
import json
import time
from typing import Any

import pytest

from dyness_sim import Fault, Simulator
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DL5_MODULE_SNS,
    DL5_SN,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    POWERHAUS_SN,
)
from dyness_sim.faults import KNOWN_500_TEXTS

from .helpers import Api, points

LIST = "/v1/device/storage/list"
REALTIME = "/v1/device/realTime/data"
DENIED = {"code": "401", "info": "ACCESS_DENIED", "data": None}


async def _status_of(
    api: Api, path: str = LIST, body: Any = None, **kwargs: Any
) -> int:
    """Return the HTTP status of one call."""
    return (await api.post(path, body, **kwargs)).status


# --- authentication ---------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "0" * 31},
        {"app_id": "10000000009999"},
        {"headers": {"Authorization": None}},
        {"headers": {"Authorization": "API nocolon"}},
        {"headers": {"Date": "yesterday"}},
        {"headers": {"Date": None}},
        {"headers": {"Content-MD5": "mZFLkyvTelC5g8XnyQrpOw=="}},
    ],
)
async def test_auth_failures(api: Api, sim: Simulator, kwargs: dict[str, Any]) -> None:
    """Bad signatures, keys, dates and MD5s are HTTP 200 + 401 ACCESS_DENIED."""
    reply = await api.post(LIST, {"pageNum": 1}, **kwargs)
    assert reply.status == 200
    assert reply.json == DENIED
    total = sum(
        sim.stats(key).auth_failures for key in ("", DEFAULT_APP_ID, "10000000009999")
    )
    assert total == 1


async def test_date_skew_follows_simulator_clock(api: Api, sim: Simulator) -> None:
    """The Date is checked against the simulator clock, 900 s by default."""
    now = sim.clock.now()
    assert (await api.post(LIST, {}, moment=now - timedelta(seconds=899))).json[
        "code"
    ] == "200"
    assert (await api.post(LIST, {}, moment=now + timedelta(seconds=899))).json[
        "code"
    ] == "200"
    assert (
        await api.post(LIST, {}, moment=now - timedelta(seconds=901))
    ).json == DENIED
    assert (
        await api.post(LIST, {}, moment=now + timedelta(seconds=901))
    ).json == DENIED
    sim.clock.advance(timedelta(hours=2))
    assert (await api.post(LIST, {}, moment=now)).json == DENIED


@pytest.mark.parametrize("sim_options", [{"max_skew": 60}])
async def test_skew_is_configurable(api: Api, sim: Simulator) -> None:
    """A tighter skew refuses what the default would accept."""
    late = sim.clock.now() - timedelta(seconds=61)
    assert (await api.post(LIST, {}, moment=late)).json == DENIED


async def test_missing_content_md5_is_accepted(api: Api) -> None:
    """Without Content-MD5 the server recomputes it (doc §2.2)."""
    reply = await api.post(LIST, {}, headers={"Content-MD5": None})
    assert reply.json["code"] == "200"


async def test_compact_and_spaced_bodies_both_verify(api: Api) -> None:
    """The signature covers the exact bytes sent, whatever their formatting."""
    raw = json.dumps({"deviceSn": DL5_SN}, indent=2).encode()
    reply = await api.post(REALTIME, raw=raw)
    assert reply.json["code"] == "200"


# --- rate limits ---------------------------------------------------------------


@pytest.mark.parametrize("sim_options", [{"per_second": 2}])
async def test_three_requests_in_a_second(api: Api, sim: Simulator) -> None:
    """The third request within one second is HTTP 429 without Retry-After."""
    replies = [await api.post(LIST, {}) for _ in range(3)]
    assert [reply.status for reply in replies] == [200, 200, 429]
    assert "Retry-After" not in replies[2].headers
    assert replies[2].json["status"] == 429
    stats = sim.stats(DEFAULT_APP_ID)
    assert (stats.requests, stats.rejected_429) == (3, 1)
    sim.clock.advance(timedelta(seconds=1))
    assert await _status_of(api) == 200
    # The other key has its own budget.
    assert await _status_of(api, app_id=EMPTY_APP_ID, secret=EMPTY_APP_SECRET) == 200


@pytest.mark.parametrize("sim_options", [{"per_second": 2, "second_retry_after": 1}])
async def test_per_second_retry_after_header(api: Api) -> None:
    """A configured per-second Retry-After is sent."""
    for _ in range(2):
        await api.post(LIST, {})
    reply = await api.post(LIST, {})
    assert (reply.status, reply.headers["Retry-After"]) == (429, "1")


@pytest.mark.parametrize("sim_options", [{"per_hour": 3}])
async def test_hourly_limit_with_retry_after(api: Api, sim: Simulator) -> None:
    """The hourly limit answers 429 with the seconds until a slot frees."""
    for _ in range(3):
        assert await _status_of(api) == 200
        sim.clock.advance(timedelta(minutes=10))
    reply = await api.post(LIST, {})
    assert reply.status == 429
    assert reply.headers["Retry-After"] == str(3600 - 30 * 60)
    sim.clock.advance(timedelta(seconds=int(reply.headers["Retry-After"]) - 1))
    assert await _status_of(api) == 429
    sim.clock.advance(timedelta(seconds=1))
    assert await _status_of(api) == 200
    assert sim.stats(DEFAULT_APP_ID).rejected_429 == 2


@pytest.mark.parametrize("sim_options", [{"per_second": 2}])
async def test_bad_signatures_use_budget(api: Api) -> None:
    """Rate limiting comes before the signature check."""
    for _ in range(2):
        assert (await api.post(LIST, {}, secret="0" * 31)).json == DENIED
    assert await _status_of(api) == 429


async def test_set_rate_limit_at_runtime(api: Api, sim: Simulator) -> None:
    """set_rate_limit switches limits on."""
    sim.set_rate_limit(per_second=1, per_hour=None)
    assert [await _status_of(api) for _ in range(2)] == [200, 429]
    sim.set_rate_limit(per_second=None, per_hour=None)
    assert await _status_of(api) == 200


# --- faults -----------------------------------------------------------------------


@pytest.mark.parametrize("info", KNOWN_500_TEXTS)
async def test_code500_fault(api: Api, sim: Simulator, info: str) -> None:
    """A code500 fault answers the text once, then data flows again."""
    sim.add_fault(Fault(kind="code500", info=info, count=1))
    reply = await api.post(LIST, {})
    assert (reply.status, reply.json) == (
        200,
        {"code": "500", "info": info, "data": None},
    )
    assert (await api.post(LIST, {})).json["code"] == "200"


async def test_html_fault(api: Api, sim: Simulator) -> None:
    """An html fault is a 502 page from the proxy."""
    sim.add_fault(Fault(kind="html"))
    reply = await api.post(LIST, {})
    assert reply.status == 502
    assert reply.headers["Content-Type"].startswith("text/html")
    assert b"502 Bad Gateway" in reply.body


async def test_truncated_and_empty_faults(api: Api, sim: Simulator) -> None:
    """Truncated JSON and empty bodies come with HTTP 200."""
    sim.add_fault(Fault(kind="truncated"))
    reply = await api.post(REALTIME, {"deviceSn": DL5_SN})
    assert reply.status == 200
    assert reply.body.startswith(b'{"code":"200"')
    with pytest.raises(ValueError):  # noqa: PT011
        json.loads(reply.body)
    sim.add_fault(Fault(kind="empty"))
    reply = await api.post(REALTIME, {"deviceSn": DL5_SN})
    assert (reply.status, reply.body) == (200, b"")


async def test_http429_fault(api: Api, sim: Simulator) -> None:
    """A 429 fault carries Retry-After only when given, and is counted."""
    sim.add_fault(Fault(kind="http429", retry_after=420))
    sim.add_fault(Fault(kind="http429"))
    first, second = await api.post(LIST, {}), await api.post(LIST, {})
    assert (first.status, first.headers["Retry-After"]) == (429, "420")
    assert second.status == 429
    assert "Retry-After" not in second.headers
    assert sim.stats(DEFAULT_APP_ID).rejected_429 == 2
    assert await _status_of(api) == 200


async def test_auth_fault(api: Api, sim: Simulator) -> None:
    """An auth fault refuses a correctly signed request."""
    sim.add_fault(Fault(kind="auth", count=2))
    assert (await api.post(LIST, {})).json == DENIED
    assert (await api.post(LIST, {})).json == DENIED
    assert (await api.post(LIST, {})).json["code"] == "200"


async def test_timeout_fault(api: Api, sim: Simulator) -> None:
    """A timeout fault holds the answer back; a short client timeout gives up."""
    sim.add_fault(Fault(kind="timeout", seconds=0.3))
    started = time.monotonic()
    reply = await api.post(LIST, {})
    assert time.monotonic() - started >= 0.3
    assert reply.json["code"] == "200"
    sim.add_fault(Fault(kind="timeout", seconds=30))
    with pytest.raises(TimeoutError):
        await api.post(LIST, {}, client_timeout=0.1)
    # The abandoned handler is cancelled: stopping does not wait for the hold.
    started = time.monotonic()
    await sim.stop()
    assert time.monotonic() - started < 2


async def test_fault_filters(api: Api, sim: Simulator) -> None:
    """Faults hit only requests matching App ID, path suffix and SN."""
    sim.add_fault(Fault(kind="code500", path="realTime/data", sn=DL5_MODULE_SNS[1]))
    sim.add_fault(Fault(kind="html", app_id=EMPTY_APP_ID))
    assert (await api.post(LIST, {})).json["code"] == "200"
    reply = await api.post(REALTIME, {"deviceSn": DL5_MODULE_SNS[0]})
    assert reply.json["code"] == "200"
    reply = await api.post(REALTIME, {"deviceSn": DL5_MODULE_SNS[1]})
    assert reply.json["code"] == "500"
    assert (
        await api.post(LIST, {}, app_id=EMPTY_APP_ID, secret=EMPTY_APP_SECRET)
    ).status == 502
    assert sim.faults.active == []


async def test_offline_fault(api: Api, sim: Simulator) -> None:
    """An offline device shows Offline, keeps its last sample and leaves a gap."""
    before = points(await api.data(REALTIME, {"deviceSn": POWERHAUS_SN}))["T"]
    fault_id = sim.add_fault(Fault(kind="offline", sn=POWERHAUS_SN, count=1000))
    page = await api.data(LIST, {})
    status = {i["deviceSn"]: i["deviceCommunicationStatus"] for i in page["list"]}
    assert status == {POWERHAUS_SN: "Offline", DL5_SN: "Online"}
    assert page["list"][0]["deviceCommunicationStatusCode"] == 2
    sim.clock.advance(timedelta(minutes=30))
    assert points(await api.data(REALTIME, {"deviceSn": POWERHAUS_SN}))["T"] == before
    detail = await api.data(
        "/v1/device/household/storage/detail", {"deviceSn": POWERHAUS_SN}
    )
    assert detail["deviceCommunicationStatus"] == "Offline"
    assert sim.clear_faults(fault_id) == 1
    sim.clock.advance(timedelta(minutes=6))
    assert points(await api.data(REALTIME, {"deviceSn": POWERHAUS_SN}))["T"] > before
    records = await api.data("/v1/device/getLastPowerDataBySn", {"deviceSn": DL5_SN})
    assert all(r["realTimeVoltage"] is not None for r in records[:-1])
    records = await api.data(
        "/v1/device/getLastPowerDataBySn", {"deviceSn": POWERHAUS_SN}
    )
    assert any(r["realTimeVoltage"] is None for r in records[-8:-2])


async def test_offline_fault_with_duration(api: Api, sim: Simulator) -> None:
    """An offline fault with a duration ends by itself."""
    sim.add_fault(
        Fault(kind="offline", app_id=DEFAULT_APP_ID, count=1000, duration=600)
    )
    assert {
        i["deviceCommunicationStatus"] for i in (await api.data(LIST, {}))["list"]
    } == {"Offline"}
    sim.clock.advance(timedelta(minutes=10))
    assert {
        i["deviceCommunicationStatus"] for i in (await api.data(LIST, {}))["list"]
    } == {"Online"}
    assert sim.faults.active == []


# --- counters ---------------------------------------------------------------------


async def test_stats_and_requested_serials(api: Api, sim: Simulator) -> None:
    """Counters cover every request; SNs named in bodies are remembered."""
    await api.post(LIST, {})
    await api.post(REALTIME, {"deviceSn": DL5_SN})
    await api.post("/v1/alarm/query", {"deviceSnList": [POWERHAUS_SN]})
    await api.post(LIST, {}, secret="0" * 31)
    stats = sim.stats(DEFAULT_APP_ID)
    assert stats.requests == 4
    assert stats.auth_failures == 1
    assert stats.by_path == {LIST: 2, REALTIME: 1, "/v1/alarm/query": 1}
    assert stats.by_call == {
        (REALTIME, DL5_SN): 1,
        ("/v1/alarm/query", POWERHAUS_SN): 1,
    }
    assert stats.copy().by_call == stats.by_call
    assert sim.requested_serials(DEFAULT_APP_ID) == {DL5_SN, POWERHAUS_SN}
    assert sim.stats(EMPTY_APP_ID).requests == 0
    sim.reset_stats()
    assert sim.stats(DEFAULT_APP_ID).requests == 0
