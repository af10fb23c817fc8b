"""Signed HTTP calls against a running simulator."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
import json
from typing import Any

import aiohttp

from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from dyness_sim.devices import Battery, Sample
from dyness_sim.signing import API_PREFIX, signed_headers


@dataclass
class Reply:
    """Status, headers and raw body of one answer."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        """Return the body parsed as JSON."""
        return json.loads(self.body)


class Api:
    """Sends signed requests to the simulator, the way a correct client does."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession) -> None:
        """Talk to `sim` through `session`."""
        self.sim = sim
        self.session = session

    async def post(
        self,
        path: str,
        body: Any = None,
        *,
        app_id: str = DEFAULT_APP_ID,
        secret: str = DEFAULT_APP_SECRET,
        moment: datetime | None = None,
        raw: bytes | None = None,
        headers: dict[str, str | None] | None = None,
        method: str = "POST",
        client_timeout: float | None = None,
    ) -> Reply:
        """Sign and send; `headers` overrides (None removes) individual headers."""
        data = (
            raw
            if raw is not None
            else json.dumps(
                {} if body is None else body, separators=(",", ":")
            ).encode()
        )
        sent: dict[str, str] = signed_headers(
            app_id,
            secret,
            body=data,
            path=path,
            moment=moment or self.sim.clock.now(),
        )
        for key, value in (headers or {}).items():
            if value is None:
                sent.pop(key, None)
            else:
                sent[key] = value
        limit = aiohttp.ClientTimeout(total=client_timeout) if client_timeout else None
        async with self.session.request(
            method,
            f"{self.sim.base_url}{API_PREFIX}{path}",
            data=data,
            headers=sent,
            timeout=limit,
        ) as response:
            return Reply(response.status, dict(response.headers), await response.read())

    async def data(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        """Post and return `data` of a successful envelope."""
        reply = await self.post(path, body, **kwargs)
        assert reply.status == 200, reply
        envelope = reply.json
        assert envelope["code"] == "200", envelope
        assert envelope["info"] == "Request successful"
        return envelope["data"]

    async def control(self, method: str, path: str, body: Any = None) -> Reply:
        """Call the unsigned control API."""
        async with self.session.request(
            method, f"{self.sim.base_url}{path}", json=body
        ) as response:
            return Reply(response.status, dict(response.headers), await response.read())


def points(data: list[dict[str, Any]]) -> dict[str, str]:
    """Return a point list as id -> value."""
    return {item["pointId"]: item["pointValue"] for item in data}


def run_samples(battery: Battery, sim: Simulator, hours: float) -> list[Sample]:
    """Advance the clock by `hours` in 5-minute steps; return the samples seen."""
    seen = []
    for _ in range(int(hours * 12)):
        sim.clock.advance(timedelta(minutes=5))
        sample = battery.latest_sample(sim.clock.now())
        assert sample is not None
        seen.append(sample)
    return seen
