"""End to end: settings client and writer against the simulator over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import aiohttp
import pytest

from custom_components.dyness.api import CallScheduler, DynessApiError, DynessClient
from custom_components.dyness.api.controls import (
    SettingsWriter,
    WriteRateCap,
    apply_changes,
    change_group,
)
from custom_components.dyness.api.exceptions import (
    DynessNotConfiguredError,
    DynessPermissionError,
    DynessReadBackError,
    DynessV2UnavailableError,
    DynessValidationError,
    DynessWriteRateLimitError,
)
from custom_components.dyness.api.scheduler import Priority
from custom_components.dyness.api.settings import (
    EVERY_DAY,
    CygniBattery,
    HeatingPeriod,
    HeatingSchedule,
    JuniorBoxBase,
    SettingKind,
    SettingsFamily,
    TouAction,
    TouGroup,
    TouSchedule,
    WorkMode,
)
from custom_components.dyness.api.settings_client import SettingsClient
from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET
from dyness_sim.devices import Battery
from tests.sim.helpers import run_samples

# 19:00 in Berlin: evening load, no PV.
EVENING = datetime(2026, 6, 21, 17, 0, tzinfo=UTC)
JB = SettingsFamily.JUNIOR_BOX
BASE = SettingKind.JUNIOR_BOX_BASE


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Client tests need no Home Assistant."""


@pytest.fixture
def sim_factory() -> Any:
    """Return how the simulator of a test is built (overridden per test)."""
    return lambda: Simulator.showroom(
        clock=SimClock.fixed(EVENING), v2_enabled=True, per_second=None, per_hour=None
    )


@pytest.fixture
async def sim(sim_factory: Any, socket_enabled: None) -> AsyncIterator[Simulator]:
    """Return a started simulator."""
    simulator: Simulator = sim_factory()
    await simulator.start(host="127.0.0.1", port=0)
    yield simulator
    await simulator.stop()


class Harness:
    """Client, settings client and writer on the simulator's clock."""

    def __init__(self, sim: Simulator, session: aiohttp.ClientSession) -> None:
        """Build everything with waits that move the simulator's clock."""

        async def _sleep(seconds: float) -> None:
            sim.clock.advance(timedelta(seconds=seconds))

        def _now() -> float:
            return sim.clock.now().timestamp()

        self.sim = sim
        self.priorities: list[Priority] = []
        scheduler = CallScheduler(monotonic=_now, sleep=_sleep)
        slot = scheduler.slot

        def _spy(priority: Priority = Priority.BATTERY) -> Any:
            self.priorities.append(priority)
            return slot(priority)

        scheduler.slot = _spy  # type: ignore[method-assign]
        self.client = DynessClient(
            DEFAULT_APP_ID,
            DEFAULT_APP_SECRET,
            session=session,
            base_url=sim.base_url,
            scheduler=scheduler,
            wall_clock=_now,
        )
        self.settings = SettingsClient(self.client)
        self.writer = SettingsWriter(
            self.settings, WriteRateCap(clock=_now), sleep=_sleep
        )

    def calls(self, path: str) -> int:
        """Return how many calls of a path the simulator answered."""
        return self.sim.stats(DEFAULT_APP_ID).by_path.get(path, 0)

    def battery(self, model: str) -> Battery:
        """Return the simulated battery of a model."""
        return next(b for b in self.sim.batteries if b.model_name == model)


@pytest.fixture
async def harness(sim: Simulator) -> AsyncIterator[Harness]:
    """Return the harness of a started simulator."""
    async with aiohttp.ClientSession() as session:
        yield Harness(sim, session)


async def test_junior_box_power_limit_and_depth(harness: Harness) -> None:
    """Set power limit and depth, read back through the lag, battery follows."""
    sim = harness.sim
    box = harness.battery("Junior Box")
    box.set_soc(70.0, sim.clock.now())
    before = run_samples(box, sim, 0.5)
    assert min(sample.power_w for sample in before) < -400
    current = await harness.writer.read_current(box.device_sn, JB, BASE)
    assert current == JuniorBoxBase(power_limit_w=800, discharge_depth_pct=90)
    requested = apply_changes(
        current, {"power_limit_w": 400, "discharge_depth_pct": 60}
    )
    result = await harness.writer.write(box.device_sn, JB, BASE, current, requested)
    assert result.sent
    assert result.reported == requested
    # The first read-back still shows the old value (Junior Box lag).
    assert harness.calls("/v2/GetBaseSetting") == 3
    assert harness.calls("/v2/SetBaseSetting") == 1
    assert Priority.CONTROL in harness.priorities
    after = run_samples(box, sim, 6)
    discharging = [s for s in after if s.power_w < 0]
    assert discharging
    assert all(s.power_w >= -400 for s in after)
    assert min(s.soc for s in after) >= 59.9
    assert after[-1].soc < 61
    assert after[-1].power_w == 0
    snapshot = await harness.client.get_realtime_data(box.device_sn)
    assert (snapshot.number("6500"), snapshot.number("6600")) == (400, 60)


async def test_unchanged_sends_nothing(harness: Harness) -> None:
    """An unchanged value costs no write and no read-back."""
    box = harness.battery("Junior Box")
    current = await harness.settings.read_as(box.device_sn, JB, BASE, JuniorBoxBase)
    result = await harness.writer.write(box.device_sn, JB, BASE, current, current)
    assert not result.sent
    assert harness.calls("/v2/SetBaseSetting") == 0
    assert harness.calls("/v2/GetBaseSetting") == 1


async def test_invalid_value_sends_nothing(harness: Harness) -> None:
    """A value out of range raises before any call."""
    box = harness.battery("Junior Box")
    current = JuniorBoxBase(power_limit_w=800, discharge_depth_pct=90)
    bad = JuniorBoxBase(power_limit_w=900, discharge_depth_pct=90)
    with pytest.raises(DynessValidationError):
        await harness.writer.write(box.device_sn, JB, BASE, current, bad)
    assert harness.sim.stats(DEFAULT_APP_ID).requests == 0


async def test_simulator_refuses_what_the_client_would(harness: Harness) -> None:
    """Bypassing validation, the cloud answers 500 Invalid Parameter."""
    box = harness.battery("Junior Box")
    bad = JuniorBoxBase(power_limit_w=155, discharge_depth_pct=90)
    with pytest.raises(DynessApiError) as err:
        await harness.settings.write(box.device_sn, JB, BASE, bad)
    assert err.value.info == "Invalid Parameter"


async def test_write_cap_refuses_the_seventh(harness: Harness) -> None:
    """Six writes in ten minutes pass; the seventh is refused without a call."""
    box = harness.battery("Junior Box")
    current = await harness.settings.read_as(box.device_sn, JB, BASE, JuniorBoxBase)
    for step in range(6):
        requested = JuniorBoxBase(power_limit_w=400 + 8 * step, discharge_depth_pct=50)
        await harness.writer.write(box.device_sn, JB, BASE, current, requested)
        current = requested
    sets = harness.calls("/v2/SetBaseSetting")
    with pytest.raises(DynessWriteRateLimitError) as err:
        await harness.writer.write(
            box.device_sn,
            JB,
            BASE,
            current,
            JuniorBoxBase(power_limit_w=152, discharge_depth_pct=50),
        )
    assert 0 < err.value.retry_after <= 600
    assert harness.calls("/v2/SetBaseSetting") == sets == 6


async def test_junior_box_group_change_sends_all_four(harness: Harness) -> None:
    """Changing one group writes the four groups; the device reports them all."""
    box = harness.battery("Junior Box")
    kind = SettingKind.TOU_SCHEDULE
    current = await harness.writer.read_current(box.device_sn, JB, kind)
    assert isinstance(current, TouSchedule)
    assert len(current.groups) == 4
    requested = change_group(
        current,
        3,
        {
            "enabled": True,
            "start": time(23),
            "end": time(23, 30),
            "power_w": 200,
            "days": EVERY_DAY,
        },
    )
    await harness.writer.write(box.device_sn, JB, kind, current, requested)
    stored = box.settings.current("work")["workGroups"] if box.settings else []
    assert [group["batteryWorkGroup"] for group in stored] == ["1", "2", "3", "4"]
    assert stored[2]["startTime"] == "23:00"
    assert stored[0]["startTime"] == "08:00"
    assert (
        await harness.settings.read(box.device_sn, JB, SettingKind.TOU_SCHEDULE)
        == requested
    )


async def test_cygni_charge_window_charges_from_grid(harness: Harness) -> None:
    """A Cygni charge group charges at its power in its window, up to its limit."""
    sim = harness.sim
    cygni = harness.battery("Cygni 10.0HS-M8")
    sim.clock.set(datetime(2026, 6, 21, 22, 0, tzinfo=UTC))
    cygni.set_soc(40.0, sim.clock.now())
    family = SettingsFamily.CYGNI
    kind = SettingKind.TOU_SCHEDULE
    current = await harness.settings.read_as(
        cygni.device_sn, family, SettingKind.TOU_SCHEDULE, TouSchedule
    )
    night = TouGroup(
        enabled=True,
        action=TouAction.CHARGE,
        start=time(0),
        end=time(6),
        power_w=3000,
        days=EVERY_DAY,
        depth_enabled=True,
        depth_pct=20,
        charge_limit_enabled=True,
        charge_limit_pct=80,
    )
    # A disabled group without depth fields goes out as 0 % / 100 % and is
    # compared in that form.
    idle = replace(current.groups[1], depth_pct=None, charge_limit_pct=None)
    requested = TouSchedule(
        groups=(night, idle, *current.groups[2:]), work_mode=WorkMode.ECONOMIC
    )
    result = await harness.writer.write(
        cygni.device_sn, family, kind, current, requested
    )
    assert result.sent
    assert harness.calls("/v2/GetWorkModeSetting") == 2
    seen = run_samples(cygni, sim, 6)
    in_window = [
        s for s in seen if 0 <= s.at.astimezone(cygni.station.timezone).hour < 6
    ]
    assert max(s.power_w for s in in_window) == pytest.approx(3000, abs=1)
    assert max(s.soc for s in seen) <= 80.1
    assert max(s.soc for s in seen) > 75


async def test_cygni_battery_settings(harness: Harness) -> None:
    """Cygni depths read and write through their own endpoint."""
    cygni = harness.battery("Cygni 10.0HS-M8")
    current = await harness.settings.read_as(
        cygni.device_sn, SettingsFamily.CYGNI, SettingKind.CYGNI_BATTERY, CygniBattery
    )
    assert (current.on_grid_depth_pct, current.charge_limit_pct) == (20, 100)
    requested = apply_changes(current, {"on_grid_depth_pct": 50})
    await harness.writer.write(
        cygni.device_sn,
        SettingsFamily.CYGNI,
        SettingKind.CYGNI_BATTERY,
        current,
        requested,
    )
    assert (
        await harness.settings.read_as(
            cygni.device_sn,
            SettingsFamily.CYGNI,
            SettingKind.CYGNI_BATTERY,
            CygniBattery,
        )
        == requested
    )


@pytest.mark.parametrize(
    "sim_factory",
    [
        lambda: Simulator.single(
            "PowerBrick Plus",
            clock=SimClock.fixed(datetime(2026, 12, 15, 0, 0, tzinfo=UTC)),
            v2_enabled=True,
        )
    ],
)
async def test_heating_periods_switch_the_heater(harness: Harness) -> None:
    """A heating period keeps the cells between its minimum and maximum."""
    sim = harness.sim
    battery = sim.batteries[0]
    current = await harness.settings.read_as(
        battery.device_sn,
        SettingsFamily.LV_HEATING,
        SettingKind.HEATING,
        HeatingSchedule,
    )
    assert len(current.periods) == 1
    cold = battery.latest_sample(sim.clock.now())
    assert cold is not None
    assert cold.modules[0].ntc[0] < 15
    warm = HeatingPeriod(
        enabled=True,
        start=time(0),
        end=time(23, 59),
        min_temp_c=15,
        max_temp_c=20,
        days=EVERY_DAY,
    )
    requested = HeatingSchedule(periods=(warm,))
    await harness.writer.write(
        battery.device_sn,
        SettingsFamily.LV_HEATING,
        SettingKind.HEATING,
        current,
        requested,
    )
    seen = run_samples(battery, sim, 4)
    temps = [sample.modules[0].ntc[0] for sample in seen]
    assert max(temps) > 17
    states = []
    for _ in range(24):
        sim.clock.advance(timedelta(minutes=5))
        states.append(battery.heater_on(sim.clock.now()))
    assert True in states
    assert False in states
    assert sim.truth_report(battery)["settings"]["written"] == ["battery"]


async def test_not_configured_device(harness: Harness) -> None:
    """A device without v2 settings answers 'not configured': its own error."""
    dl5 = harness.battery("DL5.0C")
    with pytest.raises(DynessNotConfiguredError) as err:
        await harness.settings.read_as(dl5.device_sn, JB, BASE, JuniorBoxBase)
    assert err.value.reason == "not_configured"


async def test_view_only_key_cannot_write(harness: Harness) -> None:
    """operationPermission 0: reads work, writes give the permission error."""
    box = harness.battery("Junior Box")
    box.operation_permission = 0
    current = await harness.settings.read_as(box.device_sn, JB, BASE, JuniorBoxBase)
    with pytest.raises(DynessPermissionError) as err:
        await harness.settings.write(
            box.device_sn,
            JB,
            BASE,
            JuniorBoxBase(power_limit_w=400, discharge_depth_pct=50),
        )
    assert err.value.reason == "permission"
    assert (
        await harness.settings.read_as(box.device_sn, JB, BASE, JuniorBoxBase)
        == current
    )


async def test_read_back_disagreement_raises(harness: Harness) -> None:
    """When the device keeps reporting another value, the write raises."""
    box = harness.battery("Junior Box")
    assert box.settings is not None
    box.settings.lag = timedelta(minutes=5)
    current = await harness.settings.read_as(box.device_sn, JB, BASE, JuniorBoxBase)
    requested = JuniorBoxBase(power_limit_w=480, discharge_depth_pct=40)
    with pytest.raises(DynessReadBackError) as err:
        await harness.writer.write(box.device_sn, JB, BASE, current, requested)
    assert err.value.reported == current


@pytest.mark.parametrize(
    "sim_factory",
    [
        lambda: Simulator.showroom(
            clock=SimClock.fixed(EVENING), per_second=None, per_hour=None
        )
    ],
)
async def test_v2_unavailable(harness: Harness) -> None:
    """Without v2 on the host, every settings path is a 404: its own error."""
    box = harness.battery("Junior Box")
    with pytest.raises(DynessV2UnavailableError) as err:
        await harness.settings.read_as(box.device_sn, JB, BASE, JuniorBoxBase)
    assert err.value.reason == "v2_unavailable"


def _fake_settings(answer: Any) -> tuple[SettingsClient, AsyncMock]:
    """Return a settings client whose signed calls answer `answer`."""
    client = MagicMock(spec=DynessClient)
    request = AsyncMock(side_effect=answer if isinstance(answer, Exception) else None)
    if not isinstance(answer, Exception):
        request.return_value = answer
    client.request = request
    return SettingsClient(client), request


async def test_error_mapping_and_refused_write() -> None:
    """Permission texts, other 500s, a `false` answer and a wrong model type."""
    base = JuniorBoxBase(power_limit_w=800, discharge_depth_pct=20)
    settings, request = _fake_settings(DynessApiError("500", "No operation permission"))
    with pytest.raises(DynessPermissionError):
        await settings.write("SN", JB, BASE, base)
    assert request.call_args.kwargs["priority"] is Priority.CONTROL
    settings, _ = _fake_settings(DynessApiError("500", "Invalid Parameter"))
    with pytest.raises(DynessApiError) as err:
        await settings.read("SN", JB, BASE)
    assert not isinstance(err.value, DynessPermissionError)
    settings, _ = _fake_settings(False)
    with pytest.raises(DynessApiError):
        await settings.write("SN", JB, BASE, base)
    settings, request = _fake_settings(
        {"workMode": "0", "powerLimit": "800", "dischargeDepth": "20"}
    )
    assert await settings.read_as("SN", JB, BASE, JuniorBoxBase) == base
    assert request.call_args.kwargs["priority"] is Priority.EXTRA
    with pytest.raises(TypeError):
        await settings.read_as("SN", JB, BASE, TouSchedule)
