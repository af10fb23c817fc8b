"""Insights with the recorder: the SOH trend, the home battery in the Energy dashboard."""

from __future__ import annotations

from datetime import timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.recorder import Recorder
from homeassistant.components.recorder.models import (
    StatisticData,
    StatisticMeanType,
    StatisticMetaData,
)
from homeassistant.components.recorder.statistics import async_import_statistics
from homeassistant.const import STATE_UNKNOWN
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.recorder.common import (
    async_wait_recording_done,
)

from custom_components.dyness.soh_history import async_update_soh
from dyness_sim.accounts import DL5_SN

from .common import next_cycle, sensor_id
from .conftest import START
from .test_energy_statistics import battery_problems


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(
    recorder_mock: Recorder, enable_custom_integrations: None
) -> None:
    """Start the recorder before Home Assistant loads the integration."""


def _import_soh(hass: HomeAssistant, entity_id: str, days: int, loss: float) -> None:
    """Import one hourly SOH mean a day, losing `loss` pp a year, a misread day too."""
    metadata = StatisticMetaData(
        mean_type=StatisticMeanType.ARITHMETIC,
        has_sum=False,
        name=None,
        source="recorder",
        statistic_id=entity_id,
        unit_of_measurement="%",
    )
    if "unit_class" in StatisticMetaData.__annotations__:
        # Newer recorders want the unit class named (None: no conversion).
        metadata["unit_class"] = None  # type: ignore[typeddict-unknown-key]
    first = START.replace(minute=0, second=0, microsecond=0) - timedelta(days=days)
    rows = []
    for day in range(days):
        value = 98.0 - loss * day / 365.25
        if day == days // 2:
            value = 60.0
        rows.append(
            StatisticData(
                start=first + timedelta(days=day),
                mean=value,
                min=value,
                max=value,
            )
        )
    async_import_statistics(hass, metadata, rows)


@pytest.mark.parametrize(("days", "known"), [(45, True), (20, False)])
async def test_soh_trend_from_statistics(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
    days: int,
    known: bool,
) -> None:
    """Percentage points lost a year from the long-term SOH; unknown before 30 days."""
    soh = sensor_id(hass, f"{DL5_SN}_state_of_health")
    trend = sensor_id(hass, f"{DL5_SN}_soh_loss_per_year")
    _import_soh(hass, soh, days, 2.0)
    await async_wait_recording_done(hass)
    await async_update_soh(hass, init_integration)
    await next_cycle(hass, frozen)
    state = hass.states.get(trend)
    assert state is not None
    assert state.attributes["unit_of_measurement"] == "pp/year"
    if known:
        assert float(state.state) == pytest.approx(2.0, abs=0.05)
    else:
        assert state.state == STATE_UNKNOWN


async def test_home_battery_in_the_energy_dashboard(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    frozen: FrozenDateTimeFactory,
) -> None:
    """Home Assistant's Energy validation accepts the home battery's totals."""
    await next_cycle(hass, frozen)
    await next_cycle(hass, frozen)
    unique = init_integration.unique_id
    charged = sensor_id(hass, f"{unique}_home_energy_charged")
    discharged = sensor_id(hass, f"{unique}_home_energy_discharged")
    assert await battery_problems(hass, charged, discharged) == [[]]
