"""Asynchronous client of the Dyness Open API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
import json
import logging
import time
from typing import Any, Final, Protocol, Self, overload

import aiohttp

from .const import (
    ALREADY_BOUND_INFO,
    API_PREFIX,
    AUTH_CODES,
    MAX_PAGES,
    PAGE_SIZE,
    PATH_BIND,
    PATH_CHECK_VERSION,
    PATH_POWER_DATA,
    PATH_REALTIME,
    PATH_RUNNING_DATA,
    PATH_STATION_INFO,
    PATH_STORAGE_DETAIL,
    PATH_STORAGE_LIST,
    PATH_V2_REALTIME,
    REGION_HOSTS,
    SUCCESS_CODES,
    Region,
)
from .exceptions import (
    DynessApiError,
    DynessAuthenticationError,
    DynessConnectionError,
    DynessEndpointNotFoundError,
    DynessRateLimitError,
    DynessResponseError,
    DynessTimeoutError,
)
from .headers import parse_http_date, parse_retry_after
from .models import (
    BatteryInfo,
    DeviceDetail,
    FirmwareVersions,
    PowerRecord,
    RealtimeSnapshot,
    RunningData,
    StationInfo,
    StorageDevice,
    StorageDevicePage,
)
from .scheduler import CallScheduler, Priority
from .signing import signed_headers
from .values import clean_json, clean_text, text_value

_LOGGER = logging.getLogger(__name__)
DEFAULT_TIMEOUT = 20.0
# The largest answer (a day of power records) is well under 100 kB.
MAX_BODY: Final = 4 * 1024 * 1024
_MAX_INFO: Final = 200


@dataclass(frozen=True, slots=True)
class _Reply:
    """The parts of an HTTP answer the client reads."""

    status: int
    retry_after: str | None
    date: str | None
    body: bytes


def _no_constant(name: str) -> None:
    """Refuse NaN and Infinity, which JSON does not have."""
    raise ValueError(f"{name} is not JSON")


async def _read_body(response: aiohttp.ClientResponse, path: str) -> bytes:
    """Read the answer's body, refusing one larger than `MAX_BODY`."""
    if (response.content_length or 0) > MAX_BODY:
        raise DynessResponseError(f"{path}: answer larger than {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in response.content.iter_chunked(65536):
        body += chunk
        if len(body) > MAX_BODY:
            raise DynessResponseError(f"{path}: answer larger than {MAX_BODY} bytes")
    return bytes(body)


class DeviceCall[T](Protocol):
    """A read of one device's answer, bound to a client."""

    def __call__(
        self, device_sn: str, *, priority: Priority | None = None
    ) -> Awaitable[T]:
        """Return the device's parsed answer (at the read's usual priority)."""


@dataclass(frozen=True, slots=True)
class DeviceRead[T]:
    """A read of one device's answer: its path, its parser and its usual priority."""

    path: str
    parse: Callable[[Any], T]
    priority: Priority = Priority.BATTERY

    @overload
    def __get__(self, client: None, owner: type[DynessClient]) -> Self: ...

    @overload
    def __get__(
        self, client: DynessClient, owner: type[DynessClient]
    ) -> DeviceCall[T]: ...

    def __get__(
        self, client: DynessClient | None, owner: type[DynessClient]
    ) -> Self | DeviceCall[T]:
        """Return the read bound to a client, itself on the class."""
        if client is None:
            return self

        async def call(device_sn: str, *, priority: Priority | None = None) -> T:
            data = await client.request(
                self.path,
                {"deviceSn": device_sn},
                priority=self.priority if priority is None else priority,
            )
            return self.parse(data)

        return call


class DynessClient:
    """Signed calls to the Dyness Open API for one App ID."""

    def __init__(
        self,
        app_id: str,
        app_secret: str,
        *,
        session: aiohttp.ClientSession,
        region: Region | str = Region.EUROPE,
        base_url: str | None = None,
        request_timeout: float = DEFAULT_TIMEOUT,
        scheduler: CallScheduler | None = None,
        wall_clock: Callable[[], float] | None = None,
    ) -> None:
        """Initialise the client; an explicit base URL overrides the region."""
        self.app_id = app_id
        self._secret = app_secret
        self._session = session
        host = base_url.rstrip("/") if base_url else REGION_HOSTS[Region(region)]
        self.base_url = host
        self.request_timeout = request_timeout
        self.scheduler = scheduler or CallScheduler()
        self._wall_clock = wall_clock
        self.last_responses: dict[str, Any] = {}

    def __repr__(self) -> str:
        """Return a representation without the secret."""
        return f"DynessClient(base_url={self.base_url!r})"

    async def request(
        self,
        path: str,
        payload: dict[str, Any] | None = None,
        *,
        priority: Priority = Priority.BATTERY,
    ) -> Any:
        """Send one signed POST and return the `data` of a successful answer."""
        body = json.dumps(
            payload or {}, separators=(",", ":"), ensure_ascii=False
        ).encode()
        async with self.scheduler.slot(priority):
            headers = signed_headers(
                self.app_id,
                self._secret,
                body=body,
                path=path,
                timestamp=self._wall_clock() if self._wall_clock else None,
            )
            url = f"{self.base_url}{API_PREFIX}{path}"
            _LOGGER.debug("POST %s", path)
            try:
                async with asyncio.timeout(self.request_timeout):
                    # Redirects are not followed: signed headers stay with this host.
                    async with self._session.post(
                        url, data=body, headers=headers, allow_redirects=False
                    ) as response:
                        reply = _Reply(
                            status=response.status,
                            retry_after=response.headers.get("Retry-After"),
                            date=response.headers.get("Date"),
                            body=await _read_body(response, path),
                        )
            except TimeoutError as err:
                raise DynessTimeoutError(f"Timeout calling {path}") from err
            except DynessResponseError:
                raise
            except Exception as err:
                # Whatever fails below aiohttp (resolver, TLS, socket; even a
                # TypeError of a mismatched aiodns) means the cloud is unreachable.
                raise DynessConnectionError(
                    f"Error calling {path}: {clean_text(str(err))}"
                ) from err
        serial = (payload or {}).get("deviceSn")
        return self._handle(path, serial if isinstance(serial, str) else None, reply)

    def _now(self) -> float:
        """Return the wall clock in Unix seconds."""
        return self._wall_clock() if self._wall_clock else time.time()

    def _rate_limited(self, path: str, reply: _Reply) -> DynessRateLimitError:
        """Note a 429 with the scheduler and return the error to raise."""
        delay = self.scheduler.note_rate_limited(
            parse_retry_after(reply.retry_after, self._now())
        )
        return DynessRateLimitError(f"Rate limited on {path}", retry_after=delay)

    def _denied(
        self, path: str, serial: str | None, reply: _Reply, message: str
    ) -> DynessAuthenticationError:
        """Return the error for a refused call, with what scopes it."""
        return DynessAuthenticationError(
            message,
            path=path,
            device_sn=serial,
            server_time=parse_http_date(reply.date),
            local_time=datetime.fromtimestamp(self._now(), UTC),
        )

    def _handle(self, path: str, serial: str | None, reply: _Reply) -> Any:
        """Map an HTTP answer to data or to one of the client's exceptions."""
        status = reply.status
        _LOGGER.debug("%s answered HTTP %s (%d bytes)", path, status, len(reply.body))
        if status == 429:
            raise self._rate_limited(path, reply)
        if status in (401, 403):
            raise self._denied(path, serial, reply, "Access denied")
        if status >= 500:
            raise DynessConnectionError(f"{path}: server error HTTP {status}")
        if status == 404:
            raise DynessEndpointNotFoundError(f"{path}: unknown path (HTTP 404)")
        if 300 <= status < 400:
            raise DynessResponseError(f"{path}: redirect HTTP {status} not followed")
        try:
            decoded = json.loads(reply.body, parse_constant=_no_constant)
        except (ValueError, RecursionError) as err:
            raise DynessResponseError(f"{path}: answer is not JSON") from err
        answer = clean_json(decoded)
        if not isinstance(answer, dict):
            raise DynessResponseError(f"{path}: HTTP {status} without an envelope")
        if not 200 <= status < 300 or "code" not in answer:
            raise DynessResponseError(
                f"{path}: HTTP {status}, status {text_value(answer.get('status'))}"
            )
        code = text_value(answer.get("code")) or ""
        info = (text_value(answer.get("info")) or "")[:_MAX_INFO]
        if code in SUCCESS_CODES:
            self.scheduler.note_success()
            self.last_responses[path] = answer.get("data")
            return answer.get("data")
        if code in AUTH_CODES:
            raise self._denied(path, serial, reply, info or "Access denied")
        if code == "429":
            raise self._rate_limited(path, reply)
        raise DynessApiError(code[:_MAX_INFO], info)

    async def list_storage_devices(
        self, *, priority: Priority = Priority.STATIC
    ) -> list[StorageDevice]:
        """Return every storage device of the App ID, following the pages."""
        devices: list[StorageDevice] = []
        seen: set[str] = set()
        for page_num in range(1, MAX_PAGES + 1):
            data = await self.request(
                PATH_STORAGE_LIST,
                {"pageNum": page_num, "pageSize": PAGE_SIZE},
                priority=priority,
            )
            page = StorageDevicePage.from_api(data)
            new = [device for device in page.devices if device.device_sn not in seen]
            seen.update(device.device_sn for device in new)
            devices.extend(new)
            if not new or len(devices) >= page.total:
                break
        return devices

    async def get_realtime_data(
        self, device_sn: str, *, priority: Priority = Priority.BATTERY
    ) -> RealtimeSnapshot:
        """Return the parsed point list of a master, module or dongle."""
        data = await self.request(
            PATH_REALTIME, {"deviceSn": device_sn}, priority=priority
        )
        return RealtimeSnapshot.from_api(device_sn, data)

    # The reads of one device's answer: path, parser and usual priority.
    get_device_detail = DeviceRead(
        PATH_STORAGE_DETAIL, DeviceDetail.from_api, Priority.STATIC
    )
    get_station_info = DeviceRead(
        PATH_STATION_INFO, StationInfo.from_api, Priority.STATIC
    )
    get_power_records = DeviceRead(PATH_POWER_DATA, PowerRecord.list_from_api)
    get_running_data = DeviceRead(PATH_RUNNING_DATA, RunningData.from_api)
    # Code 500 where v2 does not serve the device.
    get_battery_info = DeviceRead(PATH_V2_REALTIME, BatteryInfo.from_api)
    check_version = DeviceRead(
        PATH_CHECK_VERSION, FirmwareVersions.from_api, Priority.EXTRA
    )

    async def bind_device(
        self, device_sn: str, collector_sn: str | None = None
    ) -> bool:
        """Bind a serial to the App ID; an already bound device counts as success."""
        payload = {"deviceSn": device_sn}
        if collector_sn:
            payload["collectorSn"] = collector_sn
        try:
            data = await self.request(PATH_BIND, payload)
        except DynessApiError as err:
            if ALREADY_BOUND_INFO in err.info.lower():
                return True
            raise
        return data is not False
