"""Write one fixture folder per simulated model into tests/fixtures/models/.

Each folder holds the raw `data` of every endpoint the integration uses, as the
simulator serves it over the wire: storage_list, detail, realtime (master),
realtime_<module SN> per module, power_records and running_data.

Run: .venv/bin/python scripts/capture_fixtures.py
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
import json
from pathlib import Path
import re
import sys

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp

from custom_components.dyness.api import CallScheduler, DynessClient
from custom_components.dyness.api.const import (
    PATH_POWER_DATA,
    PATH_REALTIME,
    PATH_RUNNING_DATA,
    PATH_STORAGE_DETAIL,
    PATH_STORAGE_LIST,
)
from dyness_sim import ALL_MODELS, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from dyness_sim.clock import SimClock

# A fixed instant (a summer morning, batteries charging) keeps the files stable.
CAPTURED_AT = datetime(2026, 6, 21, 8, 17, 30, tzinfo=UTC)
OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "models"


def slug(model: str) -> str:
    """Return a folder name for a model."""
    return re.sub(r"[^a-z0-9]+", "_", model.lower()).strip("_")


async def capture(model: str, session: aiohttp.ClientSession) -> Path:
    """Capture the answers of one model's simulated battery."""
    sim = Simulator.single(model, clock=SimClock.fixed(CAPTURED_AT))
    await sim.start()
    try:

        async def _tick(seconds: float) -> None:
            sim.clock.advance(seconds)

        client = DynessClient(
            DEFAULT_APP_ID,
            DEFAULT_APP_SECRET,
            session=session,
            base_url=sim.base_url,
            # Spacing advances the simulated clock, so nothing waits for real.
            scheduler=CallScheduler(
                monotonic=lambda: sim.clock.now().timestamp(), sleep=_tick
            ),
            wall_clock=lambda: sim.clock.now().timestamp(),
        )
        battery = sim.batteries[0]
        serial = battery.device_sn
        answers = {
            "storage_list": await client.request(PATH_STORAGE_LIST, {}),
            "detail": await client.request(PATH_STORAGE_DETAIL, {"deviceSn": serial}),
            "realtime": await client.request(PATH_REALTIME, {"deviceSn": serial}),
            "power_records": await client.request(
                PATH_POWER_DATA, {"deviceSn": serial}
            ),
            "running_data": await client.request(
                PATH_RUNNING_DATA, {"deviceSn": serial}
            ),
        }
        for module in battery.module_sns:
            answers[f"realtime_{module}"] = await client.request(
                PATH_REALTIME, {"deviceSn": module}
            )
    finally:
        await sim.stop()
    folder = OUT / slug(model)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for name, data in answers.items():
        text = json.dumps(data, ensure_ascii=False, indent=1)
        (folder / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return folder


async def main() -> None:
    """Capture every model."""
    async with aiohttp.ClientSession() as session:
        for model in ALL_MODELS:
            folder = await capture(model, session)
            print(f"{model}: {folder.relative_to(OUT.parent.parent.parent)}")


if __name__ == "__main__":
    asyncio.run(main())
