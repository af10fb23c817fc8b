"""The unsigned `/_sim/` control API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from unittest.mock import MagicMock

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
import pytest

from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DL5_SN, EMPTY_APP_ID, POWERHAUS_SN
from dyness_sim.control import loopback_only

from .conftest import START
from .helpers import Api, points

LIST = "/v1/device/storage/list"


async def test_state(api: Api) -> None:
    """State lists clock, limits, faults, devices and counters."""
    await api.post(LIST, {})
    reply = await api.control("GET", "/_sim/state")
    assert reply.status == 200
    state = reply.json
    assert state["clock"]["now"] == START.isoformat()
    assert state["clock"]["mode"] == "fixed"
    assert state["rate_limit"] == {
        "per_second": None,
        "per_hour": None,
        "second_retry_after": None,
    }
    accounts = {a["app_id"]: a for a in state["accounts"]}
    assert [d["device_sn"] for d in accounts[DEFAULT_APP_ID]["devices"]] == [
        POWERHAUS_SN,
        DL5_SN,
    ]
    assert accounts[EMPTY_APP_ID]["devices"] == []
    device = accounts[DEFAULT_APP_ID]["devices"][1]
    assert device["model_code"] == 15
    assert len(device["module_sns"]) == 3
    assert device["online"] is True
    assert state["stats"][DEFAULT_APP_ID]["requests"] == 1
    assert state["stats"][DEFAULT_APP_ID]["rejected_429"] == 0


async def test_clock_control(api: Api, sim: Simulator) -> None:
    """The clock can be set, advanced and released to real time."""
    reply = await api.control(
        "POST", "/_sim/clock", {"set": "2026-07-01T12:00:00+00:00"}
    )
    assert reply.json["now"] == "2026-07-01T12:00:00+00:00"
    reply = await api.control("POST", "/_sim/clock", {"advance": 300})
    assert sim.clock.now() == datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    reply = await api.control("POST", "/_sim/clock", {"mode": "real", "offset": -60})
    assert reply.json["mode"] == "real"
    assert sim.clock.offset == timedelta(seconds=-60)
    for body in ({}, {"set": "not a date"}, {"advance": "soon"}, [1]):
        assert (await api.control("POST", "/_sim/clock", body)).status == 400
    async with api.session.post(f"{sim.base_url}/_sim/clock", data=b"{") as response:
        assert response.status == 400


async def test_fault_control(api: Api, sim: Simulator) -> None:
    """Faults can be added and cleared over HTTP."""
    reply = await api.control(
        "POST", "/_sim/fault", {"kind": "code500", "info": "NETWORK_ERROR", "count": 1}
    )
    assert reply.status == 200
    fault_id = reply.json["id"]
    assert (await api.control("GET", "/_sim/state")).json["faults"][0]["id"] == fault_id
    assert (await api.post(LIST, {})).json["info"] == "NETWORK_ERROR"
    await api.control("POST", "/_sim/fault", {"kind": "html", "count": 5})
    second = (
        await api.control("POST", "/_sim/fault", {"kind": "empty", "count": 5})
    ).json["id"]
    reply = await api.control("DELETE", f"/_sim/fault?id={second}")
    assert reply.json == {"cleared": 1}
    assert (await api.control("DELETE", "/_sim/fault")).json == {"cleared": 1}
    assert (await api.post(LIST, {})).json["code"] == "200"
    assert (await api.control("POST", "/_sim/fault", {"kind": "boom"})).status == 400
    assert (await api.control("DELETE", "/_sim/fault?id=x")).status == 400


async def test_rate_limit_control(api: Api, sim: Simulator) -> None:
    """Limits are set over HTTP; null switches one off."""
    reply = await api.control(
        "POST", "/_sim/ratelimit", {"per_second": 1, "per_hour": None}
    )
    assert reply.json == {"per_second": 1, "per_hour": None, "second_retry_after": None}
    assert [(await api.post(LIST, {})).status for _ in range(2)] == [200, 429]
    reply = await api.control("POST", "/_sim/ratelimit", {})
    assert reply.json == {"per_second": 2, "per_hour": 60, "second_retry_after": None}
    assert (
        await api.control("POST", "/_sim/ratelimit", {"per_hour": "many"})
    ).status == 400
    assert (
        await api.control("POST", "/_sim/ratelimit", {"per_hour": True})
    ).status == 400
    await api.control("POST", "/_sim/ratelimit", {"per_second": 2.0, "per_hour": 10})
    assert sim.limiter.per_second == 2


async def test_truth_and_device_control(api: Api, sim: Simulator) -> None:
    """Truth is reported per SN; the SOC can be set over HTTP."""
    sim.clock.advance(timedelta(hours=6))
    reply = await api.control("GET", f"/_sim/truth/{DL5_SN}")
    truth = reply.json
    assert truth["sn"] == DL5_SN
    assert truth["charged_kwh"] == pytest.approx(sim.device(DL5_SN).truth.charged_kwh)
    assert truth["lifetime_charged_kwh"] > truth["charged_kwh"]
    assert (await api.control("GET", "/_sim/truth/NOPE")).status == 404
    reply = await api.control("POST", f"/_sim/device/{POWERHAUS_SN}", {"soc": 100})
    assert reply.status == 200
    sim.clock.advance(timedelta(minutes=5))
    values = points(
        await api.data("/v1/device/realTime/data", {"deviceSn": POWERHAUS_SN})
    )
    assert values["800"] == "100"
    assert (await api.control("POST", "/_sim/device/NOPE", {"soc": 1})).status == 404
    bad = await api.control("POST", f"/_sim/device/{POWERHAUS_SN}", {"soc": "full"})
    assert bad.status == 400


async def test_reset_stats(api: Api, sim: Simulator) -> None:
    """DELETE /_sim/stats forgets the counters."""
    await api.post(LIST, {})
    assert (await api.control("DELETE", "/_sim/stats")).json == {"ok": True}
    assert sim.stats(DEFAULT_APP_ID).requests == 0


async def test_control_is_loopback_only() -> None:
    """A control request from another host is refused; the API is not affected."""

    async def handler(request: web.Request) -> web.StreamResponse:
        """Answer ok."""
        return web.Response(text="ok")

    def request_from(path: str, host: str) -> web.Request:
        """Return a request that arrived from `host`."""
        transport = MagicMock()
        transport.get_extra_info.return_value = (host, 40000)
        return make_mocked_request("GET", path, transport=transport)

    refused = await loopback_only(request_from("/_sim/state", "192.0.2.7"), handler)
    assert refused.status == 403
    allowed = await loopback_only(request_from("/_sim/state", "127.0.0.1"), handler)
    assert allowed.status == 200
    api = await loopback_only(
        request_from("/openapi/ems-device/v1/x", "192.0.2.7"), handler
    )
    assert api.status == 200
