"""Tests of the simulator's household options (regular by default, or varied)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from dyness_sim import SimClock, Simulator
from dyness_sim.__main__ import build_parser, make_simulator
from dyness_sim.physics import Household, appliances, load_power, pv_power

BERLIN = ZoneInfo("Europe/Berlin")
SEED = 4711


def _day(day: int) -> list[datetime]:
    """Return the 5-minute slots of a local day in March."""
    start = datetime(2026, 3, day, tzinfo=BERLIN)
    return [start + timedelta(minutes=5 * n) for n in range(288)]


def _energy(day: int, household: Household) -> float:
    """Return the household's load (kWh) over a day."""
    return sum(load_power(t, SEED, household) for t in _day(day)) / 12_000


def test_regular_is_the_default() -> None:
    """Without options the household and the PV are the regular ones."""
    moment = datetime(2026, 3, 3, 19, 5, tzinfo=BERLIN)
    assert load_power(moment, SEED) == load_power(moment, SEED, "regular")
    assert pv_power(moment, SEED, 6.0) == pv_power(moment, SEED, 6.0, "regular")
    battery = Simulator.single("DL5.0C", clock=SimClock.fixed(moment)).batteries[0]
    assert battery.station.household == "regular"
    assert battery.station.load_scale == 1.5


def test_varied_days_differ_in_size() -> None:
    """Varied days spread wider than regular ones (same seed, same days)."""
    regular = [_energy(day, "regular") for day in range(1, 11)]
    varied = [_energy(day, "varied") for day in range(1, 11)]
    assert max(varied) - min(varied) > 2 * (max(regular) - min(regular))


def test_appliances_run_one_to_three_times_a_day() -> None:
    """Each day has 1 to 3 appliance runs of 1.2-2.5 kW, none in the night."""
    for day in range(1, 15):
        powers = [appliances(t, SEED) for t in _day(day)]
        starts = sum(
            1
            for before, now in zip([0.0, *powers], powers, strict=False)
            if now > before
        )
        assert 1 <= starts <= 3
        assert all(p == 0 or 1200 <= p <= 5000 for p in powers)
        assert all(p == 0 for t, p in zip(_day(day), powers, strict=True) if t.hour < 6)


def test_varied_clouds_dim_some_slots() -> None:
    """Passing clouds cut some varied PV slots to 30 %, never raise one."""
    slots = [t for day in range(1, 8) for t in _day(day) if pv_power(t, SEED, 6.0) > 0]
    ratios = [pv_power(t, SEED, 6.0, "varied") / pv_power(t, SEED, 6.0) for t in slots]
    dimmed = [r for r in ratios if r < 1]
    assert all(r == 1 or abs(r - 0.3) < 1e-9 for r in ratios)
    assert 0.05 < len(dimmed) / len(ratios) < 0.3


def test_single_battery_takes_station_options() -> None:
    """`household`, `load_scale` and `pv_kwp` shape the scenario battery's station."""
    moment = datetime(2026, 3, 3, 19, 5, tzinfo=BERLIN)
    sim = Simulator.single(
        "PowerHaus",
        clock=SimClock.fixed(moment),
        household="varied",
        load_scale=2.0,
        pv_kwp=8.0,
        initial_soc=80.0,
    )
    station = sim.batteries[0].station
    assert (station.household, station.load_scale, station.pv_kwp) == (
        "varied",
        2.0,
        8.0,
    )
    assert station.load_w(moment, SEED) == 2.0 * load_power(
        moment, SEED, "varied"
    ) + appliances(moment, SEED)
    assert sim.batteries[0].initial_soc == 80.0


def test_command_line_household() -> None:
    """`--household varied` reaches the single battery's station."""
    args = build_parser().parse_args(["--model", "DL5.0C", "--household", "varied"])
    assert make_simulator(args).batteries[0].station.household == "varied"
    plain = build_parser().parse_args(["--model", "DL5.0C"])
    assert make_simulator(plain).batteries[0].station.household == "regular"
