"""Battery physics, samples and point values (in process, no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
import time

import pytest

from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import (
    DL5_DONGLE_SN,
    DL5_MODULE_SNS,
    DL5_SN,
    POWERHAUS_MODULE_SNS,
    POWERHAUS_SN,
)
from dyness_sim.devices import Battery, slot_of, slot_start
from dyness_sim.faults import OfflinePeriod
from dyness_sim.formats import utc_text

from .helpers import points

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)


@pytest.fixture
def world() -> Simulator:
    """Return an unstarted default simulator on a fixed clock."""
    return Simulator(clock=SimClock.fixed(START))


def _points(sim: Simulator, serial: str) -> dict[str, str]:
    """Return the current point values of a serial."""
    return points(sim.device(serial).points(serial, sim.clock.now()))


def test_a_week_is_fast(world: Simulator) -> None:
    """Advancing a week and reading data takes no stepping through every slot."""
    started = time.perf_counter()
    world.clock.advance(timedelta(days=7))
    for battery in world.batteries:
        assert battery.truth.charged_kwh > 0
        battery.points(battery.device_sn, world.clock.now())
    # About 0.1 s alone; the bound only catches slot-by-slot stepping (tens of
    # seconds), with room for a machine busy with other test runs.
    assert time.perf_counter() - started < 5.0


def test_soc_bounds_and_bms_flags_over_days(world: Simulator) -> None:
    """SOC stays in 5..100 %; limits and enable bits follow full/empty."""
    seen_full = seen_charge = seen_discharge = False
    for _ in range(4 * 24 * 4):
        world.clock.advance(timedelta(minutes=15))
        for battery in world.batteries:
            sample = battery.latest_sample(world.clock.now())
            assert sample is not None
            assert 4.99 <= sample.soc <= 100.0
            values = points(battery.points(battery.device_sn, world.clock.now()))
            status = int(values["4000"])
            assert values["4008"] == str(status >> 7 & 1)
            assert values["4007"] == str(status >> 6 & 1)
            if sample.full:
                seen_full = True
                assert values["800"] == "100"
                assert values["3800"] == "0.0"
                assert values["4008"] == "0"
            else:
                assert values["4008"] == "1"
                assert float(values["3800"]) > 0
            assert values["4007"] == ("0" if sample.empty else "1")
            seen_charge |= sample.power_w > 0
            seen_discharge |= sample.power_w < 0
            current = float(values["700"])
            assert (current > 0) == (sample.power_w > 0) or abs(current) < 0.1
    assert seen_full
    assert seen_charge
    assert seen_discharge


def test_full_and_empty_on_demand(world: Simulator) -> None:
    """set_soc(100) gives the S001 picture; set_soc(5) disables discharge."""
    battery = world.device(POWERHAUS_SN)
    world.clock.set(datetime(2026, 6, 21, 11, 0, tzinfo=UTC))
    battery.set_soc(100, world.clock.now())
    world.clock.advance(timedelta(minutes=5))
    values = _points(world, POWERHAUS_SN)
    assert values["800"] == "100"
    assert values["3800"] == "0.0"
    assert values["3900"] == "100.0"
    assert values["4000"] == "64"
    assert (values["4007"], values["4008"]) == ("1", "0")
    world.clock.set(datetime(2026, 6, 21, 21, 0, tzinfo=UTC))
    battery.set_soc(5, world.clock.now())
    world.clock.advance(timedelta(minutes=5))
    values = _points(world, POWERHAUS_SN)
    assert values["800"] == "5"
    assert values["3900"] == "0.0"
    assert values["4007"] == "0"
    assert values["4006"] == "1"
    assert values["700"] == "0.0"


def test_voltages_and_locations_are_consistent(world: Simulator) -> None:
    """Cells are LFP-like, module voltage is their sum, extremes point at cells."""
    for hour in range(0, 24, 3):
        world.clock.set(datetime(2026, 6, 22, hour, 1, tzinfo=UTC))
        master = _points(world, DL5_SN)
        modules = [_points(world, sn) for sn in DL5_MODULE_SNS]
        cells = {
            (m + 1, n + 1): float(module[str(10300 + 100 * n)])
            for m, module in enumerate(modules)
            for n in range(16)
        }
        assert all(3.0 <= volts <= 3.6 for volts in cells.values())
        for module in modules:
            total = sum(float(module[str(10300 + 100 * n)]) for n in range(16))
            assert float(module["13500"]) == pytest.approx(total, abs=0.006)
            assert module["10200"] == "16"
        assert float(master["600"]) == pytest.approx(
            sum(float(m["13500"]) for m in modules) / 3, abs=0.01
        )
        assert float(master["1300"]) == max(cells.values())
        assert float(master["1500"]) == min(cells.values())
        high = (int(master["1401"]), int(master["1402"]))
        low = (int(master["1601"]), int(master["1602"]))
        assert cells[high] == max(cells.values())
        assert cells[low] == min(cells.values())
        assert int(master["1400"]) == high[0] * 256 + high[1]
        assert int(master["1600"]) == low[0] * 256 + low[1]
        assert int(master["1900"]) == int(master["1901"]) * 256 + int(master["1902"])
        assert int(master["2100"]) == int(master["2101"]) * 256 + int(master["2102"])
        assert float(master["1800"]) >= float(master["2000"])
        assert master["400"] == "3"
        assert master["SUB"] == ",".join(DL5_MODULE_SNS)
        current = sum(float(m["13400"]) for m in modules)
        assert current == pytest.approx(float(master["700"]), abs=0.1)


def test_sample_timing_follows_phase_and_delay(world: Simulator) -> None:
    """T advances once per 5 minutes at the device phase, 5-15 s after collection."""
    battery = world.device(POWERHAUS_SN)
    base = slot_start(slot_of(START) + 2)
    collected = base + timedelta(seconds=battery.phase_s)
    world.clock.set(collected + timedelta(seconds=4.9))
    assert _points(world, POWERHAUS_SN)["T"] == utc_text(
        collected - timedelta(minutes=5)
    )
    world.clock.set(collected + timedelta(seconds=15))
    assert _points(world, POWERHAUS_SN)["T"] == utc_text(collected)
    stamps = []
    for _ in range(12):
        world.clock.advance(timedelta(minutes=5))
        stamps.append(
            datetime.strptime(_points(world, POWERHAUS_SN)["T"], "%Y-%m-%d %H:%M:%S")
        )
    assert all(b - a == timedelta(minutes=5) for a, b in itertools.pairwise(stamps))
    assert {stamp.second + 60 * (stamp.minute % 5) for stamp in stamps} == {
        battery.phase_s
    }
    delays = {
        (battery.visible_at(slot) - battery.collected_at(slot)).total_seconds()
        for slot in range(slot_of(START), slot_of(START) + 50)
    }
    assert min(delays) >= 5
    assert max(delays) <= 15
    assert len(delays) > 10


def test_cloud_showing_samples_two_seconds_after_t() -> None:
    """A battery's visibility range sets when its samples show up."""
    sim = Simulator.single("PowerHaus", clock=SimClock.fixed(START), visibility=(2, 2))
    battery = sim.batteries[0]
    slot = slot_of(START) + 1
    assert battery.visible_at(slot) - battery.collected_at(slot) == timedelta(seconds=2)
    sim.clock.set(battery.collected_at(slot) + timedelta(seconds=2))
    assert _points(sim, battery.device_sn)["T"] == utc_text(battery.collected_at(slot))
    with pytest.raises(ValueError, match="visibility"):
        Simulator.single("PowerHaus", visibility=(3, 2))


def test_phase_shift_delays_the_uploads_from_then_on(world: Simulator) -> None:
    """A reconnected dongle: the sample due next comes late, later ones keep the gap."""
    battery = world.device(POWERHAUS_SN)
    slot = slot_of(START) + 1
    due = battery.collected_at(slot)
    before = battery.collected_at(slot - 1)
    world.clock.set(due + timedelta(seconds=16))
    assert _points(world, POWERHAUS_SN)["T"] == utc_text(due)
    battery.shift_phase(due - timedelta(seconds=1), 100)
    assert battery.collected_at(slot - 1) == before
    assert battery.collected_at(slot) == due + timedelta(seconds=100)
    assert battery.collected_at(slot + 1) == due + timedelta(seconds=400)
    # The sample read a moment ago was not uploaded after all (cache dropped).
    assert _points(world, POWERHAUS_SN)["T"] == utc_text(before)
    world.clock.set(due + timedelta(seconds=116))
    assert _points(world, POWERHAUS_SN)["T"] == utc_text(due + timedelta(seconds=100))
    with pytest.raises(ValueError, match="shift"):
        battery.shift_phase(due, 300)


def test_dongle_and_module_points(world: Simulator) -> None:
    """The dongle reports dBm and T; a module reports its SN and SOC."""
    dongle = _points(world, DL5_DONGLE_SN)
    assert set(dongle) == {"T", "800000"}
    assert -75 <= int(dongle["800000"]) <= -40
    assert dongle["T"] == _points(world, DL5_SN)["T"]
    module = _points(world, POWERHAUS_MODULE_SNS[0])
    assert module["10000"] == POWERHAUS_MODULE_SNS[0]
    assert module["14000"] == _points(world, POWERHAUS_SN)["800"]
    assert 0 < int(module["14100"]) <= 100


def _records_energy(records: list[dict[str, object]]) -> float:
    """Return the kWh the 5-minute records add up to (+ charged, - discharged)."""
    return sum(
        float(record["realTimePower"]) * 300 / 3_600_000  # type: ignore[arg-type]
        for record in records
        if record["realTimePower"] is not None
    )


@pytest.mark.parametrize("serial", [POWERHAUS_SN, DL5_SN])
def test_energy_truth_matches_power_records(world: Simulator, serial: str) -> None:
    """The day's records integrate exactly to the energy truth."""
    battery = world.device(serial)
    world.clock.set(datetime(2026, 6, 22, 21, 47, 13, tzinfo=UTC))
    now = world.clock.now()
    records = battery.power_records(now)
    assert records[0]["createTime"] == "2026-06-21 22:00:00"
    assert all(
        value is None for key, value in records[-1].items() if key != "createTime"
    )
    midnight = datetime(2026, 6, 21, 22, 0, tzinfo=UTC)
    current_slot = slot_start(slot_of(now))
    before, after = battery.truth_at(midnight), battery.truth_at(current_slot)
    net = (after.charged_kwh - before.charged_kwh) - (
        after.discharged_kwh - before.discharged_kwh
    )
    assert _records_energy(records) == pytest.approx(net, abs=1e-9)
    charged = sum(
        float(r["realTimePower"]) * 300 / 3_600_000  # type: ignore[arg-type]
        for r in records
        if r["realTimePower"] is not None and float(r["realTimePower"]) > 0  # type: ignore[arg-type]
    )
    assert charged == pytest.approx(after.charged_kwh - before.charged_kwh, abs=1e-9)
    assert after.charged_kwh - before.charged_kwh > 1


def test_truth_conserves_energy(world: Simulator) -> None:
    """Charged minus discharged equals the change of stored energy."""
    battery = world.device(DL5_SN)
    world.clock.advance(timedelta(days=3))
    slot = slot_of(world.clock.now())
    state = battery.state(slot)
    first = battery.state(slot_of(battery.anchor))
    assert state.charged_kwh - state.discharged_kwh == pytest.approx(
        state.stored_kwh - first.stored_kwh, abs=1e-9
    )
    truth = battery.truth
    assert truth.charged_kwh >= state.charged_kwh
    assert world.truth(DL5_SN) == truth


def test_energy_counters_follow_truth(world: Simulator) -> None:
    """DL5.0C points 7100-7400 are the truth plus the lifetime before."""
    battery = world.device(DL5_SN)
    world.clock.set(datetime(2026, 6, 22, 16, 0, tzinfo=UTC))
    values = _points(world, DL5_SN)
    sample = battery.latest_sample(world.clock.now())
    assert sample is not None
    truth = battery.truth_at(sample.at)
    midnight = battery.truth_at(datetime(2026, 6, 21, 22, 0, tzinfo=UTC))
    assert float(values["7100"]) == pytest.approx(
        battery.lifetime_charged_kwh + truth.charged_kwh, abs=0.006
    )
    assert float(values["7300"]) == pytest.approx(
        battery.lifetime_discharged_kwh + truth.discharged_kwh, abs=0.006
    )
    assert float(values["7200"]) == pytest.approx(
        truth.charged_kwh - midnight.charged_kwh, abs=0.006
    )
    assert float(values["7400"]) == pytest.approx(
        truth.discharged_kwh - midnight.discharged_kwh, abs=0.006
    )
    world.clock.set(datetime(2026, 6, 22, 22, 6, tzinfo=UTC))
    assert float(_points(world, DL5_SN)["7200"]) < 0.5
    assert "7100" not in _points(world, POWERHAUS_SN)


def test_deterministic_per_seed() -> None:
    """Same seed and time give the same data; another seed differs."""
    first = Simulator(clock=SimClock.fixed(START))
    second = Simulator(clock=SimClock.fixed(START))
    other = Simulator(clock=SimClock.fixed(START), seed=7)
    for sim in (first, second, other):
        sim.clock.advance(timedelta(days=1, hours=3))
    assert _points(first, DL5_SN) == _points(second, DL5_SN)
    assert _points(first, DL5_SN) != _points(other, DL5_SN)


def test_clock_set_before_anchor_reanchors(world: Simulator) -> None:
    """Going back before the simulated history starts a new history."""
    battery = world.device(POWERHAUS_SN)
    anchor = battery.anchor
    world.clock.set(START - timedelta(days=5))
    assert battery.latest_sample(world.clock.now()) is not None
    assert battery.anchor < anchor
    battery.state(slot_of(START - timedelta(days=9)))
    assert battery.anchor <= START - timedelta(days=9)


def test_offline_period_stops_samples_and_leaves_gaps(world: Simulator) -> None:
    """While offline nothing new is uploaded; the records show the gap."""
    battery = world.device(DL5_SN)
    start = world.clock.now()
    before = _points(world, DL5_SN)["T"]
    battery.offline_periods.append(OfflinePeriod(start, start + timedelta(minutes=30)))
    world.clock.advance(timedelta(minutes=20))
    assert battery.is_offline(world.clock.now())
    assert _points(world, DL5_SN)["T"] == before
    world.clock.advance(timedelta(minutes=30))
    assert not battery.is_offline(world.clock.now())
    assert _points(world, DL5_SN)["T"] > before
    records = battery.power_records(world.clock.now())
    gap = [r for r in records[:-1] if r["realTimeVoltage"] is None]
    assert 5 <= len(gap) <= 7


def test_forced_bits_and_overall_alarm(world: Simulator) -> None:
    """Protection bits raise 4100; warning bits alone do not (Q14)."""
    battery = world.device(POWERHAUS_SN)
    battery.force_bit("alarm1", 5)
    values = _points(world, POWERHAUS_SN)
    assert values["3206"] == "1"
    assert int(values["3200"]) & 32
    assert values["4100"] == "0"
    battery.force_bit("protect1", 4)
    values = _points(world, POWERHAUS_SN)
    assert (values["3400"], values["3405"], values["4100"]) == ("16", "1", "1")
    battery.force_bit("protect1", 4, active=False)
    assert _points(world, POWERHAUS_SN)["4100"] == "0"


def test_top_of_charge_raises_cell_high_voltage_warning(world: Simulator) -> None:
    """Charging into full lifts cells to >= 3.45 V and sets 3206 (Q14)."""
    seen = False
    for _ in range(3 * 24 * 12):
        world.clock.advance(timedelta(minutes=5))
        values = _points(world, POWERHAUS_SN)
        high = float(values["1300"]) >= 3.45
        assert values["3206"] == ("1" if high else "0")
        seen |= high
    assert seen


def test_empty_strings_and_powerhaus_standby_nulls(world: Simulator) -> None:
    """S001's empty points are ""; PowerHaus standby records are all null."""
    world.clock.set(datetime(2026, 6, 21, 13, 30, tzinfo=UTC))
    battery = world.device(POWERHAUS_SN)
    battery.set_soc(100, world.clock.now())
    world.clock.advance(timedelta(minutes=20))
    values = _points(world, POWERHAUS_SN)
    for point in ("500", "900", "1000", "1100", "1700", "2200", "2500", "2600", "2700"):
        assert values[point] == ""
    assert all(
        value != ""
        for key, value in values.items()
        if key
        not in {"500", "900", "1000", "1100", "1700", "2200", "2500", "2600", "2700"}
    )
    records = battery.power_records(world.clock.now())
    standby = records[-2]
    assert standby["realTimePower"] is None
    assert standby["soc"] is None


def test_unattached_battery_and_bad_phase() -> None:
    """A battery outside a simulator has no clock; phases must fit the period."""
    battery = Simulator(clock=SimClock.fixed(START), accounts=None).device(DL5_SN)
    loose = Battery(
        spec=battery.spec,
        collector_sn="R07E000000000001",
        module_sns=("1",),
        station=battery.station,
        seed=1,
        phase_s=0,
        initial_soc=50,
        firmware="x",
        module_firmware="x",
        device_name="x",
        create_time="2026-01-01 00:00:00",
    )
    with pytest.raises(RuntimeError):
        _ = loose.truth
    assert loose.latest_sample(START) is not None
    with pytest.raises(ValueError, match="phase"):
        Battery(
            spec=battery.spec,
            collector_sn="R07E000000000002",
            module_sns=("1",),
            station=battery.station,
            seed=1,
            phase_s=300,
            initial_soc=50,
            firmware="x",
            module_firmware="x",
            device_name="x",
            create_time="2026-01-01 00:00:00",
        )
