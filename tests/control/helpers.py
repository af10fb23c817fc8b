"""Helpers of the control tests."""

from __future__ import annotations

from typing import Any

from dyness_sim import Simulator
from dyness_sim.accounts import DEFAULT_APP_ID
from dyness_sim.devices import Battery


def sim_battery(simulator: Simulator, model: str) -> Battery:
    """Return the simulated battery of a model."""
    return next(b for b in simulator.batteries if b.model_name == model)


def calls(simulator: Simulator, path: str) -> int:
    """Return how many calls of a path the simulator answered."""
    return simulator.stats(DEFAULT_APP_ID).by_path.get(path, 0)


def settings_calls(simulator: Simulator) -> dict[str, Any]:
    """Return the v2 settings calls by path."""
    return {
        path: count
        for path, count in simulator.stats(DEFAULT_APP_ID).by_path.items()
        if "Setting" in path
    }
