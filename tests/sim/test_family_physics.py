"""Physics of every family: energy truth, sign conventions, module consistency."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dyness_sim import ALL_MODELS, SimClock, Simulator
from dyness_sim.devices import slot_of, slot_start

from .helpers import points

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)
# Master point of the pack current, and its sign (+1: positive = charging).
CURRENT_POINT = {
    "A": ("700", 1),
    "B": ("1000", 1),
    "C": ("13400", 1),
    "CYGNI": ("171", -1),
}


def _sim(key: str) -> Simulator:
    """Return an unstarted single-model simulator on the fixed clock."""
    return Simulator.single(key, clock=SimClock.fixed(START))


@pytest.mark.parametrize("key", ALL_MODELS)
def test_energy_truth_matches_power_records(key: str) -> None:
    """The day's records integrate exactly to the truth; positive = charging."""
    sim = _sim(key)
    battery = sim.batteries[0]
    sim.clock.set(datetime(2026, 6, 22, 21, 47, 13, tzinfo=UTC))
    now = sim.clock.now()
    records = battery.power_records(now)
    midnight = datetime(2026, 6, 21, 22, 0, tzinfo=UTC)
    before, after = (
        battery.truth_at(midnight),
        battery.truth_at(slot_start(slot_of(now))),
    )
    net = (after.charged_kwh - before.charged_kwh) - (
        after.discharged_kwh - before.discharged_kwh
    )
    energy = sum(
        float(r["realTimePower"]) * 300 / 3_600_000  # type: ignore[arg-type]
        for r in records
        if r["realTimePower"] is not None
    )
    assert energy == pytest.approx(net, abs=1e-9)
    assert after.charged_kwh - before.charged_kwh > 0.5
    assert after.discharged_kwh - before.discharged_kwh > 0.5
    for record in records:
        if record["realTimePower"] is None:
            continue
        power = float(record["realTimePower"])  # type: ignore[arg-type]
        current = float(record["realTimeCurrent"])  # type: ignore[arg-type]
        assert power * current >= 0
        volts = float(record["realTimeVoltage"])  # type: ignore[arg-type]
        assert 3.0 * battery.pack_cells <= volts <= 3.65 * battery.pack_cells


@pytest.mark.parametrize("key", ALL_MODELS)
def test_master_modules_and_sign_over_a_day(key: str) -> None:
    """Current sign per family; modules agree with the master; cells and temps sane."""
    sim = _sim(key)
    battery = sim.batteries[0]
    point, sign = CURRENT_POINT[battery.spec.family]
    reachable = battery.modules_reachable
    for _ in range(36):
        sim.clock.advance(timedelta(minutes=40))
        now = sim.clock.now()
        sample = battery.latest_sample(now)
        assert sample is not None
        assert 4.99 <= sample.soc <= 100.0
        master = points(battery.points(battery.device_sn, now))
        current = sign * float(master[point])
        assert current == pytest.approx(sample.current, abs=0.051)
        assert (current > 0) == (sample.power_w > 0) or abs(current) < 0.1
        for module in sample.modules:
            assert abs(module.soc - sample.soc) <= 1.0
            cells = module.cells
            assert max(cells) - min(cells) < 0.06
            assert all(3.0 <= v <= 3.65 for v in cells)
            assert len(module.ntc) == battery.spec.ntc_per_module
            assert all(0.0 <= t <= 50.0 for t in module.ntc)
            assert module.voltage == pytest.approx(sum(cells))
        if battery.series:
            assert all(m.current == sample.current for m in sample.modules)
            assert sample.voltage == pytest.approx(
                sum(m.voltage for m in sample.modules)
            )
        else:
            assert sum(m.current for m in sample.modules) == pytest.approx(
                sample.current
            )
        if reachable and not battery.series:
            for serial in battery.module_sns:
                module = points(battery.points(serial, now))
                assert float(module["13500"]) == pytest.approx(
                    float(master.get("600") or master.get("13500") or 0), abs=1.0
                )


@pytest.mark.parametrize("key", ["Tower T14", "Tower Pro TP7", "STACK100-7S"])
def test_hv_voltage_scale(key: str) -> None:
    """HV packs sit near cells x boxes x 3.3 V; the rated voltage says 3.2 V a cell."""
    sim = _sim(key)
    battery = sim.batteries[0]
    master = points(battery.points(battery.device_sn, sim.clock.now()))
    assert float(master["1100"]) == pytest.approx(3.3 * battery.pack_cells, rel=0.04)
    assert battery.rated_voltage == f"{3.2 * battery.pack_cells:.2f}"
    four = Simulator.single("Tower T14", modules=4, clock=SimClock.fixed(START))
    assert four.batteries[0].rated_voltage == "384.00"


def test_hv_limits_do_not_add_up_across_boxes() -> None:
    """Boxes in series share one current limit; LV modules in parallel add theirs."""
    tower = _sim("Tower T14").batteries[0]
    assert tower.limits.modules == 1
    assert tower.limits.max_charge_w == pytest.approx(25.0 * 3.2 * 60)
    lv = _sim("DL5.0C").batteries[0]
    assert lv.limits.modules == 3
