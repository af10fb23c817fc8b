"""Tests for how the client takes hostile answers from a loopback server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
import json
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

from custom_components.dyness.api import (
    CallScheduler,
    DynessAuthenticationError,
    DynessClient,
    DynessRateLimitError,
    DynessResponseError,
)
from custom_components.dyness.api.client import MAX_BODY
from custom_components.dyness.api.const import PATH_STORAGE_LIST
from custom_components.dyness.api.scheduler import BACKOFF_MAX, BACKOFF_START, JITTER

from .fuzzing import SERIAL, Answer, LoopbackCloud

NOW = datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Client tests need no Home Assistant."""


@pytest.fixture
async def cloud(socket_enabled: None) -> AsyncIterator[LoopbackCloud]:
    """Return a started loopback server."""
    server = LoopbackCloud()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(
    cloud: LoopbackCloud, socket_enabled: None
) -> AsyncIterator[DynessClient]:
    """Return a client of the loopback server whose wall clock says NOW."""
    async with aiohttp.ClientSession() as session:
        yield DynessClient(
            "test-app",
            "test-secret",
            session=session,
            base_url=cloud.base_url,
            scheduler=CallScheduler(min_interval=0.0),
            wall_clock=NOW.timestamp,
        )


def _envelope(data: Any, code: str = "200", info: str = "success") -> bytes:
    """Return a JSON envelope."""
    return json.dumps({"code": code, "info": info, "data": data}).encode()


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_redirect_is_not_followed(
    cloud: LoopbackCloud, client: DynessClient, status: int
) -> None:
    """A redirect is an invalid answer; the signed call never goes elsewhere."""
    elsewhere = LoopbackCloud()
    await elsewhere.start()
    try:
        elsewhere.answer = Answer(200, _envelope({"bmsLastedVersion": "9"}), {})
        cloud.answer = Answer(
            status,
            _envelope({"bmsLastedVersion": "1"}),
            {"Location": elsewhere.base_url},
        )
        with pytest.raises(DynessResponseError, match="redirect"):
            await client.check_version(SERIAL)
        assert elsewhere.requests == 0
    finally:
        await elsewhere.stop()


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, b"<html>401</html>"),
        (200, _envelope(None, code="401", info="ACCESS_DENIED")),
    ],
)
async def test_denial_says_what_it_was_for(
    cloud: LoopbackCloud, client: DynessClient, status: int, body: bytes
) -> None:
    """A 401 names the call, the serial and the server's Date beside our clock."""
    cloud.answer = Answer(status, body, {"Date": "Mon, 23 Mar 2026 22:57:30 GMT"})
    with pytest.raises(DynessAuthenticationError) as raised:
        await client.get_realtime_data(SERIAL)
    err = raised.value
    assert err.device_sn == SERIAL
    assert err.path is not None
    assert err.path.endswith("realTime/data")
    assert err.server_time == datetime(2026, 3, 23, 22, 57, 30, tzinfo=UTC)
    assert err.local_time == NOW
    assert err.clock_offset == 3603.0
    cloud.answer = Answer(status, body, {"Date": "garbage"})
    with pytest.raises(DynessAuthenticationError) as raised:
        await client.list_storage_devices()
    assert raised.value.path == PATH_STORAGE_LIST
    assert raised.value.device_sn is None
    assert raised.value.clock_offset is None


@pytest.mark.parametrize(
    ("header", "delay"),
    [
        ("inf", BACKOFF_START),
        ("nan", BACKOFF_START),
        ("-1", BACKOFF_START),
        ("9" * 5000, BACKOFF_MAX),
        ("86400", BACKOFF_MAX),
        ("Mon, 23 Mar 2026 21:59:27 GMT", 120.0),
    ],
)
async def test_retry_after_is_capped(
    cloud: LoopbackCloud, client: DynessClient, header: str, delay: float
) -> None:
    """Garbage Retry-After falls back to the back-off; any wait is capped."""
    cloud.answer = Answer(429, b"", {"Retry-After": header})
    with pytest.raises(DynessRateLimitError) as raised:
        await client.get_realtime_data(SERIAL)
    # The back-off is stretched by up to JITTER; a Retry-After is kept exactly.
    assert delay <= (raised.value.retry_after or 0) <= delay * (1 + JITTER)
    assert 0 < client.scheduler.blocked_for() <= BACKOFF_MAX * (1 + JITTER)


@pytest.mark.parametrize(
    "body",
    [
        b'{"code":"200","data":{"total":NaN,"list":[]}}',
        b'{"code":"200","data":{"total":-Infinity,"list":[]}}',
        b'{"code":"200","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
        b'{"code":"200","data":' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"code":"200","data":{"total":' + b"9" * 5000 + b"}}",
        b'{"code":"200","data":"\xff\xfe"}',
        b'{"code":"200","data":{"list":[]}',
        b" " * (MAX_BODY + 1),
    ],
    ids=["nan", "infinity", "deep", "nested", "digits", "utf8", "truncated", "big"],
)
async def test_broken_answers_are_response_errors(
    cloud: LoopbackCloud, client: DynessClient, body: bytes
) -> None:
    """Non-JSON constants, deep nesting, huge numbers and huge bodies are refused."""
    cloud.answer = Answer(200, body, {})
    with pytest.raises(DynessResponseError):
        await client.list_storage_devices()


async def test_big_chunked_answer_is_refused(socket_enabled: None) -> None:
    """An answer without a length is read only up to the limit."""

    async def _endless(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        chunk = b" " * 65536
        for _ in range(MAX_BODY // len(chunk) + 2):
            await response.write(chunk)
        await response.write_eof()
        return response

    app = web.Application()
    app.router.add_post("/{tail:.*}", _endless)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            client = DynessClient(
                "test-app",
                "test-secret",
                session=session,
                base_url=str(server.make_url("")),
            )
            with pytest.raises(DynessResponseError, match="larger"):
                await client.list_storage_devices()
    finally:
        await server.close()


async def test_answers_are_cleaned(cloud: LoopbackCloud, client: DynessClient) -> None:
    """What leaves the client has clean texts and only usable numbers."""
    cloud.answer = Answer(
        200,
        _envelope(
            {
                "deviceSn": "R07E\u0000-BMS\ud800",
                "energy": 1e300,
                "deviceModelName": "Tower\u001b[2J",
                "dataUpdateTime": "2026-03-23 22:57:27 UTC+24:00",
            }
        ),
        {},
    )
    detail = await client.get_device_detail(SERIAL)
    assert detail.device_sn == "R07E-BMS"
    assert detail.model_name == "Tower[2J"
    assert detail.rated_energy is None
    assert detail.data_update_time is None
    assert client.last_responses[next(iter(client.last_responses))]["energy"] is None
