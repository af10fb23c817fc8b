"""Unsigned control API under `/_sim/` (loopback clients only)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
import json
from typing import Any

from aiohttp import web

from .contracts import SimulatorState
from .faults import Fault
from .records import RecordsLabelling

LOOPBACK = frozenset({"127.0.0.1", "::1"})
type ControlHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _reply(payload: Any, status: int = 200) -> web.Response:
    """Return a JSON answer of the control API."""
    return web.json_response(
        payload, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False)
    )


def _bad(message: str) -> web.Response:
    """Return a 400 with an error message."""
    return _reply({"error": message}, 400)


async def _json_object(request: web.Request) -> dict[str, Any]:
    """Return the request body as a JSON object (ValueError otherwise)."""
    try:
        data = await request.json()
    except ValueError as err:
        raise ValueError("body is not JSON") from err
    if not isinstance(data, dict):
        raise TypeError("body must be a JSON object")
    return data


@web.middleware
async def loopback_only(
    request: web.Request, handler: ControlHandler
) -> web.StreamResponse:
    """Refuse control calls that do not come from the loopback interface."""
    if request.path.startswith("/_sim/") and request.remote not in LOOPBACK:
        return _reply({"error": "control API is loopback only"}, 403)
    return await handler(request)


class ControlApi:
    """Handlers of `/_sim/state`, `/_sim/clock`, `/_sim/fault`, `/_sim/ratelimit`, ..."""

    def __init__(self, sim: SimulatorState) -> None:
        """Control `sim`."""
        self.sim = sim

    def routes(self) -> list[web.RouteDef]:
        """Return the control routes."""
        return [
            web.get("/_sim/state", self.state),
            web.post("/_sim/clock", self.clock),
            web.post("/_sim/fault", self.add_fault),
            web.delete("/_sim/fault", self.clear_faults),
            web.post("/_sim/ratelimit", self.rate_limit),
            web.get("/_sim/truth/{sn}", self.truth),
            web.post("/_sim/device/{sn}", self.device),
            web.post("/_sim/records/{sn}", self.records),
            web.post("/_sim/point", self.set_point),
            web.delete("/_sim/point", self.clear_points),
            web.delete("/_sim/stats", self.reset_stats),
        ]

    async def state(self, request: web.Request) -> web.StreamResponse:
        """Return devices, clock, faults, limits and counters."""
        return _reply(self.sim.state())

    async def clock(self, request: web.Request) -> web.StreamResponse:
        """Set (`set`), move (`advance` seconds) or release (`mode: real`) the clock."""
        try:
            data = await _json_object(request)
            clock = self.sim.clock
            if "set" in data:
                clock.set(datetime.fromisoformat(str(data["set"])))
            elif "advance" in data:
                clock.advance(timedelta(seconds=float(data["advance"])))
            elif data.get("mode") == "real":
                clock.use_real_time(timedelta(seconds=float(data.get("offset", 0))))
            else:
                return _bad("expected set, advance or mode: real")
        except (TypeError, ValueError) as err:
            return _bad(str(err))
        return _reply(clock.describe())

    async def add_fault(self, request: web.Request) -> web.StreamResponse:
        """Put a fault in force; the body holds the `Fault` fields."""
        try:
            fault = Fault.from_json(await _json_object(request))
        except (TypeError, ValueError) as err:
            return _bad(str(err))
        return _reply({"id": self.sim.add_fault(fault)})

    async def clear_faults(self, request: web.Request) -> web.StreamResponse:
        """End all faults, or the one given as `?id=`."""
        raw = request.query.get("id")
        try:
            fault_id = int(raw) if raw is not None else None
        except ValueError:
            return _bad("id must be an integer")
        return _reply({"cleared": self.sim.clear_faults(fault_id)})

    async def rate_limit(self, request: web.Request) -> web.StreamResponse:
        """Set `per_second`, `per_hour` (null = off) and `second_retry_after`."""
        try:
            data = await _json_object(request)
            self.sim.set_rate_limit(
                per_second=_optional_int(data, "per_second", 2),
                per_hour=_optional_int(data, "per_hour", 60),
                second_retry_after=_optional_int(data, "second_retry_after", None),
            )
        except (TypeError, ValueError) as err:
            return _bad(str(err))
        return _reply(self.sim.limiter.describe())

    async def truth(self, request: web.Request) -> web.StreamResponse:
        """Return the exact energy truth of a battery."""
        serial = request.match_info["sn"]
        try:
            battery = self.sim.device(serial)
        except KeyError:
            return _reply({"error": f"unknown SN {serial}"}, 404)
        return _reply(self.sim.truth_report(battery))

    async def device(self, request: web.Request) -> web.StreamResponse:
        """Change a battery: `{"soc": 100}` sets the SOC from now on.

        `{"drop_sub": true}` (or a module SN) leaves a module out of SUB for the
        current cycle.
        """
        serial = request.match_info["sn"]
        try:
            battery = self.sim.device(serial)
            data = await _json_object(request)
            if "soc" in data:
                battery.set_soc(float(data["soc"]), self.sim.clock.now())
            drop = data.get("drop_sub")
            if drop:
                self.sim.drop_sub(serial, drop if isinstance(drop, str) else None)
        except KeyError:
            return _reply({"error": f"unknown SN {serial}"}, 404)
        except (TypeError, ValueError) as err:
            return _bad(str(err))
        return _reply(self.sim.truth_report(battery))

    async def records(self, request: web.Request) -> web.StreamResponse:
        """Label and cut a battery's power records (`RecordsLabelling` fields)."""
        serial = request.match_info["sn"]
        try:
            battery = self.sim.device(serial)
            battery.records_labelling = RecordsLabelling.from_json(
                await _json_object(request)
            )
        except KeyError:
            return _reply({"error": f"unknown SN {serial}"}, 404)
        except (TypeError, ValueError) as err:
            return _bad(str(err))
        return _reply({"sn": battery.device_sn, **battery.records_labelling.as_dict()})

    async def set_point(self, request: web.Request) -> web.StreamResponse:
        """Override a point: `{"sn": …, "point": "3206", "value": "1"}` (null removes)."""
        try:
            serial, point, value = _point_fields(await _json_object(request))
            self.sim.set_point(serial, point, value)
        except KeyError as err:
            return _reply({"error": f"unknown SN or missing field {err}"}, 404)
        except (TypeError, ValueError) as err:
            return _bad(str(err))
        overrides = self.sim.device(serial).overrides.get(serial, {})
        return _reply({"sn": serial, "overrides": overrides})

    async def clear_points(self, request: web.Request) -> web.StreamResponse:
        """Remove the point overrides of `?sn=`, or of every device."""
        serial = request.query.get("sn")
        try:
            self.sim.clear_points(serial)
        except KeyError:
            return _reply({"error": f"unknown SN {serial}"}, 404)
        return _reply({"ok": True})

    async def reset_stats(self, request: web.Request) -> web.StreamResponse:
        """Forget all request counters."""
        self.sim.reset_stats()
        return _reply({"ok": True})


def _point_fields(data: dict[str, Any]) -> tuple[str, str, str | None]:
    """Return sn, point and value of a point override (KeyError, TypeError)."""
    serial, point, value = data["sn"], data["point"], data.get("value")
    if not isinstance(serial, str) or not isinstance(point, str):
        raise TypeError("sn and point must be strings")
    if value is not None and not isinstance(value, str):
        raise TypeError("value must be a string or null")
    return serial, point, value


def _optional_int(data: dict[str, Any], key: str, default: int | None) -> int | None:
    """Return an int or None from `data[key]`, the default when absent."""
    if key not in data:
        return default
    value = data[key]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{key} must be a number or null")
    return int(value)
