"""PowerBrick Plus SOC from the power records: shown only when current by a learnt clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
import pytest

from custom_components.dyness.records_clock import FRESH
from dyness_sim import Labels, RecordsLabelling, Simulator, Window
from dyness_sim.accounts import DEFAULT_APP_ID

from .conftest import START
from .test_energy_sensor import _entity, _poll_at
from .test_energy_statistics import _entry

LABELLINGS = {
    "utc": RecordsLabelling(),
    "local": RecordsLabelling(labels=Labels.LOCAL),
    "july_2026": RecordsLabelling(labels=Labels.OFFSET, offset_minutes=180),
    "local_rolling": RecordsLabelling(labels=Labels.LOCAL, window=Window.ROLLING),
}
# Morning: the battery charges, so SOC, current and power all move.
MORNING = START.replace(hour=5, minute=2, second=30)


@pytest.fixture
async def plus(
    frozen: FrozenDateTimeFactory, socket_enabled: None
) -> AsyncIterator[Simulator]:
    """Run a simulator holding one PowerBrick Plus (SOC only in the records)."""
    frozen.move_to(MORNING)
    sim = Simulator.single("PowerBrick Plus")
    await sim.start(host="127.0.0.1", port=0)
    yield sim
    await sim.stop()


async def _setup(hass: HomeAssistant, sim: Simulator) -> str:
    """Set the integration up; return the SOC entity."""
    entry = _entry(sim)
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    (battery,) = sim.account(DEFAULT_APP_ID).devices
    return _entity(hass, battery.device_sn, "state_of_charge")


def _check_current(hass: HomeAssistant, entity_id: str, sim: Simulator) -> bool:
    """Assert a shown SOC is the newest sample's and at most 15 min old."""
    state = hass.states.get(entity_id)
    assert state is not None
    if state.state == "unknown":
        assert state.attributes["unknown_reason"] is not None
        return False
    record_time = datetime.fromisoformat(state.attributes["record_time"])
    assert state.attributes["unknown_reason"] is None
    (battery,) = sim.account(DEFAULT_APP_ID).devices
    sample = battery.latest_sample(dt_util.utcnow())
    assert sample is not None
    assert sample.at - record_time <= FRESH
    truth = battery.sample(int(record_time.timestamp() // 300))
    assert float(state.state) == truth.soc_display
    return True


@pytest.mark.parametrize("name", list(LABELLINGS))
async def test_soc_unknown_until_learnt_then_current(
    hass: HomeAssistant, plus: Simulator, frozen: FrozenDateTimeFactory, name: str
) -> None:
    """Before the clock is learnt SOC is unknown (and says why); then current."""
    plus.batteries[0].records_labelling = LABELLINGS[name]
    entity_id = await _setup(hass, plus)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.state == "unknown"
    assert state.attributes["unknown_reason"] == "clock_not_learnt"
    shown = []
    for _ in range(8):
        await _poll_at(hass, frozen, dt_util.utcnow() + timedelta(minutes=5))
        shown.append(_check_current(hass, entity_id, plus))
    assert shown[-4:] == [True] * 4


async def test_stale_or_moved_records_never_show_as_current(
    hass: HomeAssistant, plus: Simulator, frozen: FrozenDateTimeFactory
) -> None:
    """A list ending an hour early, or relabelled by 3 h, leaves SOC unknown."""
    battery = plus.batteries[0]
    entity_id = await _setup(hass, plus)
    for _ in range(6):
        await _poll_at(hass, frozen, dt_util.utcnow() + timedelta(minutes=5))
    assert _check_current(hass, entity_id, plus)
    # The cloud stops updating the records: the newest one ages.
    battery.records_labelling = RecordsLabelling(ends_early_minutes=60)
    for _ in range(4):
        await _poll_at(hass, frozen, dt_util.utcnow() + timedelta(minutes=5))
        assert not _check_current(hass, entity_id, plus)
    state = hass.states.get(entity_id)
    assert state is not None
    assert state.attributes["unknown_reason"] == "record_not_current"
    # July 2026: the labels silently move by 3 hours.
    battery.records_labelling = RecordsLabelling(
        labels=Labels.OFFSET, offset_minutes=180
    )
    shown = []
    for _ in range(8):
        await _poll_at(hass, frozen, dt_util.utcnow() + timedelta(minutes=5))
        shown.append(_check_current(hass, entity_id, plus))
    # Relearnt from the kept samples (any value shown was checked to be
    # the current one): the moved labels never show an old SOC as current.
    assert shown == [True] * 8
