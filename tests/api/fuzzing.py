"""Fuzzing harness shared by the fuzz tests and `scripts/fuzz.py`.

Generates hostile answers for every endpoint (wrong types, missing keys, huge
and non-finite numbers, deep nesting, truncated and non-JSON bodies, any HTTP
status, Retry-After garbage), feeds them to the parsers directly and to the
client through a loopback server, and classifies each outcome.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
import json
import math
from typing import Any
import unicodedata

import aiohttp
from aiohttp import web
from hypothesis import strategies as st

from custom_components.dyness.api import (
    CallScheduler,
    DeviceDetail,
    DynessClient,
    DynessError,
    DynessRateLimitError,
    FirmwareVersions,
    PowerRecord,
    RealtimeSnapshot,
    RunningData,
    StationInfo,
)
from custom_components.dyness.api.const import (
    PATH_BIND,
    PATH_CHECK_VERSION,
    PATH_POWER_DATA,
    PATH_REALTIME,
    PATH_RUNNING_DATA,
    PATH_STATION_INFO,
    PATH_STORAGE_DETAIL,
    PATH_STORAGE_LIST,
)
from custom_components.dyness.api.models import StorageDevicePage

SERIAL = "R07A0000000000-BMS"
# What the integration can use safely: finite, within these bounds, these years.
MAX_ABS = 1e15
YEARS = range(2000, 2100)
MAX_OFFSET = timedelta(hours=18)
MAX_RETRY_AFTER = 3600.0
WALK_DEPTH = 64

# --- values ------------------------------------------------------------------

_hostile_chars = st.characters(categories=["L", "N", "P", "S", "Zs", "Cc", "Cs", "Cf"])
hostile_text = st.text(_hostile_chars, max_size=12)
numeric_text = st.sampled_from(
    [
        "53.2",
        "-1.4",
        "100",
        " 7 ",
        "1e3",
        ".5",
        "1_000",
        "\u0661\u0662\u0663",
        "\uff11\uff12",
        "NaN",
        "nan",
        "Infinity",
        "-inf",
        "1e999",
        "-1e999",
        "1e-999",
        "9" * 400,
        "0x10",
        "1,5",
        "+",
        "1e",
        "\u0663.\u0665",
    ]
)
stamps = st.sampled_from(
    [
        "2026-03-23 21:57:27",
        "2026-03-23 22:57:27 UTC+01:00",
        "2026-03-23 18:57:27 UTC-03:00",
        "2026-03-23 22:57:27 UTC+24:00",
        "2026-03-23 22:57:27 UTC-99:59",
        "2026-03-23 22:57:27 UTC+01:99",
        "\u0662\u0660\u0662\u0666-03-23 21:57:27",
        "2026-03-23 21:57:27 UTC+\u0660\u0661:00",
        "0001-01-01 00:00:00",
        "9999-12-31 23:59:59 UTC-05:00",
        "2026-13-40 22:57:27",
        "23.03.2026",
    ]
)
scalars: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(),
    numeric_text,
    hostile_text,
    stamps,
)


def nested(depth: int) -> Any:
    """Return a list nested `depth` levels deep."""
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


deep = st.integers(min_value=20, max_value=400).map(nested)
json_values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(hostile_text, inner, max_size=4),
    ),
    max_leaves=12,
)
field_values = st.one_of(scalars, scalars, json_values, deep)


def objects(keys: list[str]) -> st.SearchStrategy[Any]:
    """Return objects with some of `keys` holding hostile values (and extras)."""
    shaped = st.fixed_dictionaries({}, optional=dict.fromkeys(keys, field_values))
    return st.one_of(
        shaped,
        shaped,
        shaped,
        st.tuples(shaped, st.dictionaries(hostile_text, field_values, max_size=2)).map(
            lambda pair: {**pair[1], **pair[0]}
        ),
        json_values,
    )


def arrays(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Return arrays of `item`, or something else now and then."""
    return st.one_of(
        st.lists(item, max_size=6), st.lists(item, max_size=6), json_values
    )


_points = objects(["pointId", "pointValue", "pointNameCn", "flag"])
_point_ids = st.sampled_from(["T", "TIME", "SUB", "1400", "7100", "2300"])
_realtime_items = st.one_of(
    st.fixed_dictionaries(
        {"pointId": _point_ids, "pointValue": field_values},
        optional={"pointNameCn": field_values},
    ),
    _points,
)
_device = objects(
    [
        "deviceSn",
        "collectorSn",
        "deviceName",
        "deviceModelName",
        "deviceModelCode",
        "deviceCommunicationStatus",
        "firmwareVersion",
        "workStatus",
        "batteryCategory",
    ]
)
_page = st.one_of(
    st.fixed_dictionaries(
        {"list": arrays(_device)},
        optional=dict.fromkeys(["total", "pageNum", "pageSize"], field_values),
    ),
    objects(["list", "total", "pageNum", "pageSize"]),
)
_record = objects(
    ["createTime", "realTimeCurrent", "realTimePower", "realTimeVoltage", "soc"]
)


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One endpoint: how to call it, how to parse its data, what data to send."""

    name: str
    path: str
    call: Callable[[DynessClient], Awaitable[Any]]
    parse: Callable[[Any], Any] | None
    data: st.SearchStrategy[Any]


def _power_records(data: Any) -> list[PowerRecord | None]:
    """Parse a power record list item by item, as the client does."""
    return (
        [PowerRecord.from_api(item) for item in data] if isinstance(data, list) else []
    )


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint(
        "storage/list",
        PATH_STORAGE_LIST,
        lambda client: client.list_storage_devices(),
        StorageDevicePage.from_api,
        _page,
    ),
    Endpoint(
        "storage/detail",
        PATH_STORAGE_DETAIL,
        lambda client: client.get_device_detail(SERIAL),
        DeviceDetail.from_api,
        objects(
            [
                "deviceSn",
                "deviceModelName",
                "firmwareVersion",
                "deviceCommunicationStatus",
                "dataUpdateTime",
                "energy",
            ]
        ),
    ),
    Endpoint(
        "station/info",
        PATH_STATION_INFO,
        lambda client: client.get_station_info(SERIAL),
        StationInfo.from_api,
        objects(["installedPower", "batteryCapacity", "inverterTotalPower"]),
    ),
    Endpoint(
        "realTime/data",
        PATH_REALTIME,
        lambda client: client.get_realtime_data(SERIAL),
        lambda data: RealtimeSnapshot.from_api(SERIAL, data),
        arrays(_realtime_items),
    ),
    Endpoint(
        "getLastPowerDataBySn",
        PATH_POWER_DATA,
        lambda client: client.get_power_records(SERIAL),
        _power_records,
        arrays(_record),
    ),
    Endpoint(
        "getLastRunningDataBySn",
        PATH_RUNNING_DATA,
        lambda client: client.get_running_data(SERIAL),
        RunningData.from_api,
        objects(["dateTime", "sn", "batSoc", "pvPower", "gridPower", "loadPower"]),
    ),
    Endpoint(
        "checkVersion",
        PATH_CHECK_VERSION,
        lambda client: client.check_version(SERIAL),
        FirmwareVersions.from_api,
        objects(["bmsLastedVersion", "dspLastedVersion", "armLastedVersion"]),
    ),
    Endpoint(
        "bindSn",
        PATH_BIND,
        lambda client: client.bind_device(SERIAL),
        None,
        st.one_of(st.booleans(), json_values),
    ),
)

# --- whole answers -----------------------------------------------------------

_codes = st.one_of(
    st.sampled_from(["200", "0", 200, 0, "401", "403", "429", "500", " 200 "]),
    scalars,
)
_info = st.one_of(
    st.sampled_from(["Network Anomaly", "bound by someone else"]), scalars
)
_statuses = st.one_of(
    st.just(200),
    st.just(200),
    st.sampled_from([301, 302, 307, 308, 401, 403, 429, 500, 502, 503]),
    st.integers(min_value=200, max_value=599),
)
_header_text = st.text(
    st.characters(
        min_codepoint=0x20, max_codepoint=0x6FF, categories=["L", "N", "P", "S", "Zs"]
    ),
    max_size=20,
)
retry_after_values = st.one_of(
    st.sampled_from(
        [
            "0",
            "1",
            "30",
            "-5",
            "inf",
            "Infinity",
            "nan",
            "1e999",
            "1.5",
            "9" * 40,
            "9" * 5000,
            "\u0663\u0660",
            " 30 ",
            "Wed, 21 Oct 2015 07:28:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Mon, 23 Mar 2026 21:57:27 GMT",
            "Mon, 99 Foo 2026 99:99:99 GMT",
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    _header_text,
)
date_values = st.one_of(
    st.sampled_from(
        [
            "Mon, 23 Mar 2026 21:57:27 GMT",
            "Tue, 01 Dec 2026 15:00:00 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Mon, 23 Mar 2026 21:57:27 +2400",
        ]
    ),
    _header_text,
)


def _envelope(code: Any, info: Any, data: Any, keep: tuple[bool, bool, bool]) -> bytes:
    """Serialise an envelope (NaN and Infinity as JavaScript writes them)."""
    parts = {"code": code, "info": info, "data": data}
    body = {
        key: value
        for (key, value), kept in zip(parts.items(), keep, strict=True)
        if kept
    }
    return json.dumps(body, allow_nan=True).encode()


def _bodies(endpoint: Endpoint) -> st.SearchStrategy[bytes]:
    """Return answer bodies for an endpoint: envelopes and broken bytes."""
    keep = st.tuples(st.just(True), st.booleans(), st.booleans()).map(
        lambda flags: (flags[0] or flags[1], True, flags[2] or flags[1])
    )
    envelope = st.builds(
        _envelope,
        _codes,
        _info,
        endpoint.data,
        st.tuples(st.booleans(), st.booleans(), st.booleans()),
    )
    good = st.builds(_envelope, st.just("200"), st.just("success"), endpoint.data, keep)
    return st.one_of(
        good,
        good,
        good,
        envelope,
        st.tuples(good, st.floats(0, 1)).map(
            lambda pair: pair[0][: int(len(pair[0]) * pair[1])]
        ),
        st.sampled_from(
            [
                b"",
                b"<html><body>502 Bad Gateway</body></html>",
                b"null",
                b"[]",
                b'"200"',
                b'{"code":"200","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                b'{"code":"200","data":{"energy":' + b"9" * 400 + b"}}",
                b'{"code":"200","data":{"energy":' + b"9" * 5000 + b"}}",
                b'{"code":"200","data":{"energy":1e999,"deviceSn":"\\ud800x"}}',
                b'{"code":"200","data":{"total":NaN,"list":[]}}',
                b'{"code":"200","data":{"total":Infinity,"list":[]}}',
                b'{"code":"200","data":"\xff\xfe\x00"}',
                b'{"code":"200","info":"\xc3\x28","data":null}',
                b'{"code":' + b"1" * 5000 + b"}",
                b'{"code":"200","data":[{"pointId":"T","pointValue":"\\u0000\\u001b"}]}',
            ]
        ),
    )


@dataclass(frozen=True, slots=True)
class Answer:
    """What the loopback cloud sends for one call."""

    status: int
    body: bytes
    headers: Mapping[str, str]


@cache
def answers(endpoint: Endpoint) -> st.SearchStrategy[Answer]:
    """Return whole HTTP answers for an endpoint."""
    headers = st.fixed_dictionaries(
        {},
        optional={
            "Retry-After": retry_after_values,
            "Date": date_values,
            "Location": st.just("http://other-host.invalid/openapi"),
            "Content-Type": st.sampled_from(["application/json", "text/html"]),
        },
    )
    return st.builds(Answer, _statuses, _bodies(endpoint), headers)


# --- outcomes ----------------------------------------------------------------


def _bad_text(text: str) -> bool:
    """Return whether a string carries a control character or a lone surrogate."""
    return any(unicodedata.category(char) in ("Cc", "Cs") for char in text)


def wrong_values(value: Any, depth: int = 0) -> Iterator[str]:
    """Yield what in a result the integration could not use safely."""
    if depth > WALK_DEPTH:
        yield "nested too deep"
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_ABS:
            yield "integer out of range"
    elif isinstance(value, float):
        if not math.isfinite(value) or abs(value) > MAX_ABS:
            yield "number not finite or out of range"
    elif isinstance(value, str):
        if _bad_text(value):
            yield "control character or lone surrogate"
    elif isinstance(value, datetime):
        offset = value.utcoffset()
        if value.year not in YEARS or offset is None or abs(offset) > MAX_OFFSET:
            yield "time out of range"
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from wrong_values(getattr(value, item.name), depth + 1)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from wrong_values(key, depth + 1)
            yield from wrong_values(item, depth + 1)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from wrong_values(item, depth + 1)


def _error_values(err: DynessError) -> Iterator[str]:
    """Yield what in a client error the integration could not use safely."""
    yield from wrong_values(str(err))
    if isinstance(err, DynessRateLimitError):
        delay = err.retry_after
        if delay is not None and not (
            math.isfinite(delay) and 0 <= delay <= MAX_RETRY_AFTER
        ):
            yield "retry_after not finite or above the cap"
    for name in ("code", "info", "device_sn", "path", "server_time"):
        yield from wrong_values(getattr(err, name, None))


@dataclass
class Tally:
    """Outcome counts of one endpoint."""

    answers: int = 0
    clean: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    escapes: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)

    def record(self, outcome: Outcome) -> None:
        """Count one outcome."""
        self.answers += 1
        if outcome.escape is not None:
            self.escapes[outcome.escape] += 1
        elif outcome.wrong:
            self.wrong[outcome.wrong[0]] += 1
        elif outcome.error is not None:
            self.errors[outcome.error] += 1
        else:
            self.clean += 1


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one answer ended: clean, a client error, an escape or silently wrong."""

    error: str | None = None
    escape: str | None = None
    wrong: tuple[str, ...] = ()


def judge_parser(endpoint: Endpoint, data: Any) -> Outcome:
    """Parse `data` with the endpoint's parser and judge the result."""
    assert endpoint.parse is not None
    try:
        result = endpoint.parse(data)
        wrong = tuple(wrong_values(result))
        if isinstance(result, RealtimeSnapshot):
            wrong += tuple(wrong_values([result.number(key) for key in result.points]))
    except DynessError as err:
        return Outcome(error=type(err).__name__, wrong=tuple(_error_values(err)))
    except Exception as err:  # noqa: BLE001  # an escape is what we count
        return Outcome(escape=type(err).__name__)
    return Outcome(wrong=wrong)


class LoopbackCloud:
    """A server on 127.0.0.1 answering whatever the next `Answer` says."""

    def __init__(self) -> None:
        """Prepare an idle server."""
        self.answer = Answer(200, b"", {})
        self.requests = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    async def _reply(self, request: web.Request) -> web.StreamResponse:
        """Send the prepared answer, whatever the request was."""
        await request.read()
        self.requests += 1
        answer = self.answer
        body = None if answer.status in (204, 304) else answer.body
        return web.Response(
            status=answer.status, body=body, headers=dict(answer.headers)
        )

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._reply)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # the only way to learn the free port
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()


async def judge_client(
    endpoint: Endpoint,
    answer: Answer,
    cloud: LoopbackCloud,
    session: aiohttp.ClientSession,
) -> Outcome:
    """Let a fresh client call the endpoint against `answer` and judge the outcome."""
    cloud.answer = answer
    scheduler = CallScheduler(min_interval=0.0, hourly_budget=1_000_000)
    client = DynessClient(
        "fuzz-app",
        "fuzz-secret",
        session=session,
        base_url=cloud.base_url,
        scheduler=scheduler,
    )
    try:
        result = await endpoint.call(client)
        wrong = tuple(wrong_values(result)) + tuple(wrong_values(client.last_responses))
        if not 200 <= answer.status < 300:
            wrong += (f"HTTP {answer.status // 100}xx taken as success",)
        if isinstance(result, RealtimeSnapshot):
            wrong += tuple(wrong_values([result.number(key) for key in result.points]))
    except DynessError as err:
        wrong = tuple(_error_values(err))
        if (
            not math.isfinite(scheduler.blocked_for())
            or scheduler.blocked_for() > MAX_RETRY_AFTER
        ):
            wrong += ("scheduler blocked beyond the cap",)
        return Outcome(error=type(err).__name__, wrong=wrong)
    except Exception as err:  # noqa: BLE001  # an escape is what we count
        return Outcome(escape=type(err).__name__)
    return Outcome(wrong=wrong)
