"""Benchmark the settings calls: per hour in steady state, and per write.

One battery per key (a Junior Box, a Cygni, a PowerBrick Plus with heating, a
DL5.0C that v2 does not configure), with "Allow changing battery settings" on,
on a frozen clock against the local simulator. Steady state counts the v2
settings calls of `--hours` hours after setup; then each control is written once
and its calls (fresh read, write, read-backs) are counted.

Run: .venv/bin/python scripts/bench_control.py [--hours 6]
"""

from __future__ import annotations

import bench_harness  # isort: skip  # noqa: F401 (path and clocks first)

import argparse
import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
import logging
from typing import Any
from unittest.mock import patch

from bench_harness import entry_for, frozen_cloud, plain_session
from freezegun import freeze_time
from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.dyness.const import CONF_ALLOW_CONTROL, DOMAIN
from dyness_sim import Account, SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from dyness_sim.scenarios import model_battery

START = datetime(2026, 6, 21, 0, 0, 0, tzinfo=UTC)
MODELS = ("Junior Box", "Cygni 10.0HS-M8", "PowerBrick Plus", "DL5.0C")
STEP = timedelta(seconds=30)
EVERY_DAY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _settings_calls(sim: Simulator) -> Counter[str]:
    """Return the v2 settings calls so far, by path."""
    return Counter(
        {
            path: count
            for path, count in sim.stats(DEFAULT_APP_ID).by_path.items()
            if "Setting" in path
        }
    )


async def _run(
    hass: HomeAssistant, frozen: FrozenDateTimeFactory, hours: float
) -> None:
    """Let `hours` pass, firing timers every 30 seconds."""
    for _ in range(int(hours * 3600 / STEP.total_seconds())):
        frozen.tick(STEP)
        async_fire_time_changed(hass)
        await hass.async_block_till_done(wait_background_tasks=True)


def _entity(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    """Return an entity ID by unique ID."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    if found is None:
        raise SystemExit(f"no {platform} entity {unique_id}")
    return found


def _actions(
    hass: HomeAssistant, sim: Simulator
) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Return one write of each control the simulated battery offers."""
    battery = sim.batteries[0]
    serial = battery.device_sn
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, serial)})
    if device is None:
        raise SystemExit(f"no device {serial}")
    if battery.model_name == "Junior Box":
        limit = {"entity_id": _entity(hass, "number", f"{serial}_power_limit")}
        return [
            ("power limit (number)", "number", "set_value", {**limit, "value": 400}),
            ("same value again", "number", "set_value", {**limit, "value": 400}),
        ]
    if battery.model_name.startswith("Cygni"):
        depth = _entity(hass, "number", f"{serial}_on_grid_discharge_depth")
        group = {
            "action": "charge",
            "start": "01:00",
            "end": "05:00",
            "power": 3000,
            "days": EVERY_DAY,
        }
        return [
            (
                "on-grid depth (number)",
                "number",
                "set_value",
                {"entity_id": depth, "value": 40},
            ),
            (
                "time-of-use (action)",
                DOMAIN,
                "set_time_of_use",
                {"device_id": device.id, "groups": [group]},
            ),
        ]
    if battery.settings is not None:
        period = {
            "start": "22:00",
            "end": "06:00",
            "min_temperature": 10,
            "max_temperature": 15,
            "days": EVERY_DAY,
        }
        return [
            (
                "heating periods (action)",
                DOMAIN,
                "set_heating_periods",
                {"device_id": device.id, "periods": [period]},
            )
        ]
    return []


async def _writes(
    hass: HomeAssistant, sim: Simulator
) -> list[tuple[str, Counter[str]]]:
    """Write each control once; return the calls each write cost."""
    costs = []
    for label, domain, service, data in _actions(hass, sim):
        before = _settings_calls(sim)
        outcome = label
        try:
            await hass.services.async_call(domain, service, data, blocking=True)
        except HomeAssistantError as err:
            outcome = f"{label} FAILED: {err}"
        costs.append((outcome, _settings_calls(sim) - before))
    return costs


async def measure(model: str, hours: float) -> None:
    """Run one battery's steady state and writes; print the figures."""
    with freeze_time(START) as frozen:
        sim = Simulator(
            [
                Account(
                    DEFAULT_APP_ID,
                    DEFAULT_APP_SECRET,
                    [model_battery(model)],
                )
            ],
            clock=SimClock.real(),
            v2_enabled=True,
        )
        await sim.start(host="127.0.0.1", port=0)
        session = plain_session()
        with (
            frozen_cloud(frozen, session) as sleep,
            patch("custom_components.dyness.settings_coordinator.SLEEP", sleep),
        ):
            async with async_test_home_assistant() as hass:
                hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
                base = entry_for(sim)
                entry = MockConfigEntry(
                    domain=DOMAIN,
                    unique_id=base.unique_id,
                    title=base.title,
                    data=dict(base.data),
                    options={CONF_ALLOW_CONTROL: True},
                )
                entry.add_to_hass(hass)
                if not await hass.config_entries.async_setup(entry.entry_id):
                    raise SystemExit(f"setup failed ({entry.state})")
                await hass.async_block_till_done(wait_background_tasks=True)
                setup = _settings_calls(sim)
                await _run(hass, frozen, hours)
                steady = _settings_calls(sim) - setup
                costs = await _writes(hass, sim)
                await hass.config_entries.async_unload(entry.entry_id)
                await hass.async_stop(force=True)
        await session.close()
        await sim.stop()
    print(
        f"{model}: {sum(setup.values())} settings calls at setup, "
        f"{sum(steady.values()) / hours:.2f} per hour in steady state "
        f"({dict(steady)} in {hours:g} h)"
    )
    for label, cost in costs:
        print(f"  {label}: {sum(cost.values())} calls per write ({dict(cost)})")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hours", type=float, default=26)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    for model in MODELS:
        asyncio.run(measure(model, args.hours))


if __name__ == "__main__":
    main()
