"""The aiohttp handler of `/openapi/ems-device/...`: faults, limits, auth, dispatch.

Order per request: count it for the App ID named in Authorization; apply a
matching fault (a fault answers before the limiter and costs no budget, except
`timeout` and `truncated`, which then run the normal path); 404 for unknown
paths; rate limit (known App IDs only, before the signature check, so badly
signed requests use up the budget too); signature; JSON body; handler.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from email.utils import format_datetime
import json
from typing import Any

from aiohttp import web

from .contracts import SimulatorState
from .endpoints import ApiError, Context, Route, denied
from .faults import Fault
from .formats import spring_timestamp
from .routes import V1_ROUTES, V2_ROUTES
from .signing import API_PREFIX, app_id_of, verify

JSON_TYPE = "application/json;charset=UTF-8"
BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
_REASONS = {404: "Not Found", 405: "Method Not Allowed", 429: "Too Many Requests"}


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """Return compact UTF-8 JSON as the real server sends it."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return web.Response(
        status=status, body=body, headers={"Content-Type": JSON_TYPE, **(headers or {})}
    )


def envelope(code: str, info: str, data: Any = None) -> web.Response:
    """Return the `{code, info, data}` envelope with HTTP 200."""
    return json_response({"code": code, "info": info, "data": data})


def spring_error(
    status: int, path: str, now: datetime, headers: dict[str, str] | None = None
) -> web.Response:
    """Return a Spring Boot style error body (404 unknown path, 405, 429)."""
    payload = {
        "timestamp": spring_timestamp(now),
        "status": status,
        "error": _REASONS.get(status, "Error"),
        "path": path,
    }
    return json_response(payload, status, headers)


def _lenient_json(body: bytes) -> dict[str, Any] | None:
    """Return the body as a JSON object, or None."""
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _serials(body: dict[str, Any] | None) -> set[str]:
    """Return the SNs a request body names (deviceSn, deviceSnList)."""
    if body is None:
        return set()
    found: set[str] = set()
    serial = body.get("deviceSn")
    if isinstance(serial, str) and serial:
        found.add(serial)
    many = body.get("deviceSnList")
    if isinstance(many, list):
        found.update(item for item in many if isinstance(item, str) and item)
    return found


class ApiHandler:
    """Answers the signed API under `/openapi/ems-device`."""

    def __init__(self, sim: SimulatorState) -> None:
        """Serve for `sim`."""
        self.sim = sim

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one API request, dated by the simulated clock as the cloud dates it."""
        response = await self._handle(request)
        response.headers["Date"] = format_datetime(self.sim.clock.now(), usegmt=True)
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Answer one API request."""
        sim = self.sim
        raw = await request.read()
        path = request.path.removeprefix(API_PREFIX)
        app_id = app_id_of(request.headers.get("Authorization"))
        body = _lenient_json(raw)
        serials = _serials(body)
        stats = sim.stats_entry(app_id or "")
        stats.requests += 1
        stats.by_path[path] = stats.by_path.get(path, 0) + 1
        stats.serials.update(serials)
        for serial in serials:
            stats.by_serial[serial] = stats.by_serial.get(serial, 0) + 1
            stats.by_call[path, serial] = stats.by_call.get((path, serial), 0) + 1
        fault = sim.faults.take(app_id, path, serials, sim.clock.now())
        if fault is not None and fault.kind not in ("timeout", "truncated"):
            return self._fault_response(fault, request.path, app_id)
        if fault is not None and fault.kind == "timeout":
            await asyncio.sleep(fault.seconds)
        response = await self._answer(request, path, raw, app_id)
        if fault is not None and fault.kind == "truncated":
            full = response.body if isinstance(response.body, bytes) else b""
            return web.Response(
                status=200,
                body=full[: max(1, len(full) // 2)],
                headers={"Content-Type": JSON_TYPE},
            )
        return response

    def _fault_response(
        self, fault: Fault, url_path: str, app_id: str | None
    ) -> web.Response:
        """Return the answer a response-replacing fault prescribes."""
        now = self.sim.clock.now()
        if fault.kind == "code500":
            return envelope("500", fault.info)
        if fault.kind == "auth":
            return envelope("401", denied().info)
        if fault.kind == "html":
            return web.Response(
                status=502,
                text=BAD_GATEWAY_PAGE,
                content_type="text/html",
                charset="utf-8",
            )
        if fault.kind == "empty":
            return web.Response(
                status=200, body=b"", headers={"Content-Type": JSON_TYPE}
            )
        # http429; `offline` never reaches here (FaultBook.take returns only response faults).
        self._count_429(app_id)
        headers = (
            {} if fault.retry_after is None else {"Retry-After": str(fault.retry_after)}
        )
        return spring_error(429, url_path, now, headers)

    def _count_429(self, app_id: str | None) -> None:
        """Record one 429 answer."""
        self.sim.stats_entry(app_id or "").rejected_429 += 1

    def _route(self, path: str) -> Route | None:
        """Return the route of a signed path, v2 only when enabled."""
        route = V1_ROUTES.get(path)
        if route is None and self.sim.v2_enabled:
            route = V2_ROUTES.get(path)
        return route

    async def _answer(
        self, request: web.Request, path: str, raw: bytes, app_id: str | None
    ) -> web.Response:
        """Run limiter, signature check and handler for one request."""
        sim = self.sim
        now = sim.clock.now()
        route = self._route(path)
        if route is None:
            return spring_error(404, request.path, now)
        if request.method != "POST":
            return spring_error(405, request.path, now)
        account = sim.accounts.get(app_id or "")
        if account is not None:
            decision = sim.limiter.check(account.app_id, now)
            if not decision.allowed:
                self._count_429(app_id)
                headers = (
                    {}
                    if decision.retry_after is None
                    else {"Retry-After": str(decision.retry_after)}
                )
                return spring_error(429, request.path, now, headers)
        verdict = verify(
            request.headers,
            raw,
            path,
            secrets={a.app_id: a.secret for a in sim.accounts.values()},
            now=now,
            max_skew=sim.max_skew,
        )
        if not verdict.ok or account is None:
            sim.stats_entry(app_id or "").auth_failures += 1
            return envelope("401", denied().info)
        body = _lenient_json(raw)
        if body is None:
            return envelope("500", "request parameter is not null")
        if route.slow:
            await asyncio.sleep(sim.slow_seconds)
        ctx = Context(
            account=account,
            accounts=sim.accounts,
            now=sim.clock.now(),
            region=sim.region,
        )
        try:
            data = route.handler(ctx, body)
        except ApiError as err:
            return envelope(err.code, err.info)
        return envelope("200", "Request successful", data)

    async def not_found(self, request: web.Request) -> web.StreamResponse:
        """Answer any other path with a Spring-style 404."""
        return spring_error(404, request.path, self.sim.clock.now())
