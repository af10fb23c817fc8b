"""Tests of the home battery aggregate."""

from __future__ import annotations

import json

import pytest

from custom_components.dyness.insights.home import (
    STANDBY_POWER_W,
    BatteryFigures,
    BatteryStatus,
    HomeBattery,
    missing_share,
    weighted_soc,
)


def _battery(
    serial: str, *, fresh: bool = True, **values: float | None
) -> BatteryFigures:
    """Return the figures of a battery with the given values."""
    return BatteryFigures(serial=serial, fresh=fresh, **values)


def test_soc_weighted_by_usable_energy() -> None:
    """A 15 kWh battery at 80 % and a 5 kWh one at 20 % make 65 %."""
    batteries = [
        _battery("a", soc=80.0, usable_kwh=15.0),
        _battery("b", soc=20.0, rated_kwh=5.0),
    ]
    assert weighted_soc(batteries) == pytest.approx(65.0)


def test_soc_equal_weights_when_a_capacity_is_unknown() -> None:
    """One unknown capacity makes every battery weigh the same."""
    batteries = [
        _battery("a", soc=80.0, usable_kwh=15.0),
        _battery("b", soc=20.0),
    ]
    assert weighted_soc(batteries) == pytest.approx(50.0)


def test_soc_unknown_without_any_soc() -> None:
    """No SOC anywhere gives no home SOC."""
    assert weighted_soc([_battery("a", usable_kwh=5.0)]) is None


def test_usable_energy_preferred_over_rated() -> None:
    """Usable energy is the weight when both are known; zero counts as unknown."""
    assert _battery("a", usable_kwh=9.0, rated_kwh=10.0).capacity_kwh == 9.0
    assert _battery("a", rated_kwh=0.0).capacity_kwh is None


def test_sums_status_and_power_split() -> None:
    """Energies and powers add up; charge and discharge power are split by sign."""
    home = HomeBattery().update(
        [
            _battery("a", soc=50.0, usable_kwh=10.0, remaining_kwh=5.0, power_w=800.0),
            _battery("b", soc=50.0, usable_kwh=5.0, remaining_kwh=2.5, power_w=-300.0),
        ]
    )
    assert home.available
    assert home.missing == ()
    assert home.rated_kwh == 15.0
    assert home.remaining_kwh == 7.5
    assert home.power_w == 500.0
    assert home.charge_power_w == 800.0
    assert home.discharge_power_w == 300.0
    assert home.status is BatteryStatus.CHARGING


@pytest.mark.parametrize(
    ("power", "status"),
    [
        (None, None),
        (51.0, BatteryStatus.CHARGING),
        (-51.0, BatteryStatus.DISCHARGING),
        (50.0, BatteryStatus.STANDBY),
        (-50.0, BatteryStatus.STANDBY),
    ],
)
def test_status(power: float | None, status: BatteryStatus | None) -> None:
    """The net power decides the status, with a standby band."""
    assert BatteryStatus.from_flow(power, STANDBY_POWER_W) is status


def test_missing_small_battery_keeps_the_home_available() -> None:
    """A stale 5 kWh battery next to a fresh 15 kWh one is only named as missing."""
    home = HomeBattery().update(
        [
            _battery("big", soc=40.0, usable_kwh=15.0, power_w=-500.0),
            _battery("small", fresh=False, soc=90.0, usable_kwh=5.0, power_w=900.0),
        ]
    )
    assert home.available
    assert home.missing == ("small",)
    assert home.soc == pytest.approx(40.0)
    assert home.power_w == -500.0
    assert home.rated_kwh == 20.0


def test_missing_big_battery_makes_the_home_unavailable() -> None:
    """When the missing batteries hold most of the capacity the home is unavailable."""
    batteries = [
        _battery("big", fresh=False, soc=40.0, usable_kwh=15.0),
        _battery("small", soc=90.0, usable_kwh=5.0),
    ]
    assert missing_share(batteries) == pytest.approx(0.75)
    assert not HomeBattery().update(batteries).available


def test_half_missing_is_not_most() -> None:
    """Two equal batteries, one missing: half is not most, the home stays."""
    batteries = [_battery("a", soc=40.0), _battery("b", fresh=False)]
    assert HomeBattery().update(batteries).available


def test_nothing_fresh_is_unavailable() -> None:
    """Without any fresh battery there is nothing to show."""
    home = HomeBattery().update([_battery("a", fresh=False, usable_kwh=5.0)])
    assert not home.available
    assert home.power_w is None
    assert home.charge_power_w is None
    assert home.charged_kwh is None
    assert missing_share([]) == 0.0


def test_single_battery_is_itself() -> None:
    """A single battery's aggregate is that battery."""
    home = HomeBattery().update(
        [_battery("a", soc=63.0, rated_kwh=5.12, power_w=-120.0, charged_kwh=10.0)]
    )
    assert home.soc == 63.0
    assert home.rated_kwh == 5.12
    assert home.status is BatteryStatus.DISCHARGING
    assert home.charged_kwh == 10.0


def _totals(home: HomeBattery, *rows: tuple[str, bool, float | None]) -> float | None:
    """Update with (serial, fresh, charged total) rows; return the home total."""
    return home.update(
        [_battery(s, fresh=fresh, charged_kwh=total) for s, fresh, total in rows]
    ).charged_kwh


def test_totals_never_step_back_while_a_battery_is_missing() -> None:
    """A missing battery holds its share; its increase arrives when it is back."""
    home = HomeBattery()
    assert _totals(home, ("a", True, 100.0), ("b", True, 50.0)) == 150.0
    assert _totals(home, ("a", True, 101.0), ("b", False, None)) == 151.0
    assert _totals(home, ("a", True, 102.0), ("b", False, 50.5)) == 152.0
    assert _totals(home, ("a", True, 102.0), ("b", True, 53.0)) == 155.0


def test_totals_ignore_resets_and_new_batteries() -> None:
    """A reset counter rebases, a new battery starts a baseline: no jump, no step back."""
    home = HomeBattery()
    assert _totals(home, ("a", True, 100.0)) == 100.0
    assert _totals(home, ("a", True, 3.0)) == 100.0
    assert _totals(home, ("a", True, 4.0), ("new", True, 900.0)) == 101.0
    assert _totals(home, ("a", True, 4.0), ("new", True, 901.0)) == 102.0
    assert _totals(home, ("a", True, -1.0)) == 102.0


def test_totals_unknown_until_a_battery_reports_one() -> None:
    """The totals start with the first battery that has one."""
    home = HomeBattery()
    assert _totals(home, ("a", True, None)) is None
    assert _totals(home, ("a", True, 7.0)) == 7.0


def test_state_round_trip_keeps_the_totals() -> None:
    """A restart with the stored state goes on from the same totals."""
    home = HomeBattery()
    home.update(
        [
            _battery("a", charged_kwh=10.0, discharged_kwh=8.0),
            _battery("b", charged_kwh=5.0),
        ]
    )
    stored = json.loads(json.dumps(home.as_dict()))
    restored = HomeBattery.from_dict(stored)
    figures = restored.update(
        [
            _battery("a", charged_kwh=11.0, discharged_kwh=9.0),
            _battery("b", charged_kwh=5.0),
        ]
    )
    assert figures.charged_kwh == 16.0
    assert figures.discharged_kwh == 9.0


@pytest.mark.parametrize(
    "stored",
    [None, "junk", {"charged": {"value": "x", "last": {"a": 1.0}}}, {"charged": []}],
)
def test_unreadable_state_starts_fresh(stored: object) -> None:
    """Stored state that cannot be read gives a fresh aggregate."""
    home = HomeBattery.from_dict(stored)
    assert _totals(home, ("a", True, 42.0)) == 42.0
