"""The Python API of the simulator and the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

import dyness_sim
from dyness_sim import Account, SimClock, Simulator
from dyness_sim.__main__ import banner, build_parser, main, make_simulator, serve
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DL5_DONGLE_SN,
    DL5_MODULE_SNS,
    DL5_SN,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    POWERHAUS_DONGLE_SN,
    POWERHAUS_MODULE_SNS,
    POWERHAUS_SN,
)

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)


def test_default_scenario() -> None:
    """Two batteries on the default key, none on the empty one; invented values."""
    sim = Simulator.default(clock=SimClock.fixed(START))
    devices = sim.account(DEFAULT_APP_ID).devices
    assert [(d.device_sn, d.model_name, d.model_code) for d in devices] == [
        (POWERHAUS_SN, "PowerHaus", 145),
        (DL5_SN, "DL5.0C", 15),
    ]
    assert [d.collector_sn for d in devices] == [POWERHAUS_DONGLE_SN, DL5_DONGLE_SN]
    assert devices[0].module_sns == POWERHAUS_MODULE_SNS
    assert POWERHAUS_MODULE_SNS[0].startswith("l3")
    assert all(len(sn) == 16 and sn.isdigit() for sn in DL5_MODULE_SNS)
    assert sim.account(EMPTY_APP_ID).devices == []
    assert len(DEFAULT_APP_ID) == len(EMPTY_APP_ID) == 14
    assert len(DEFAULT_APP_SECRET) == len(EMPTY_APP_SECRET) == 31
    assert sim.account(EMPTY_APP_ID).secret == EMPTY_APP_SECRET
    assert sim.device(DL5_MODULE_SNS[2]) is devices[1]
    with pytest.raises(KeyError):
        sim.device("R07E0000DEADBEEF-BMS")
    with pytest.raises(KeyError):
        sim.account("1")
    assert set(dyness_sim.__all__) >= {"Simulator", "SimClock", "Fault"}


def test_custom_accounts_and_real_clock() -> None:
    """Accounts can be given explicitly; the default clock is real time."""
    sim = Simulator([Account("1", "s")])
    assert sim.clock.mode == "real"
    assert sim.batteries == []
    assert sim.account("1").find("x") is None


async def test_start_stop_and_base_url(socket_enabled: None) -> None:
    """start returns the base URL; it cannot start twice; stop releases it."""
    sim = Simulator(clock=SimClock.fixed(START))
    with pytest.raises(RuntimeError):
        _ = sim.base_url
    url = await sim.start()
    assert url == sim.base_url
    assert url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError):
        await sim.start()
    await sim.stop()
    with pytest.raises(RuntimeError):
        _ = sim.base_url
    await sim.stop()


def test_parser_and_banner() -> None:
    """The command line takes host, port and limits; the banner names credentials."""
    args = build_parser().parse_args(
        ["--port", "0", "--per-hour", "off", "--per-second", "3"]
    )
    assert (args.host, args.port, args.per_hour, args.per_second) == (
        "127.0.0.1",
        0,
        None,
        3,
    )
    sim = make_simulator(args)
    assert sim.clock.mode == "real"
    assert sim.limiter.per_hour is None
    text = banner(sim, "http://127.0.0.1:8900")
    for needle in (
        DEFAULT_APP_ID,
        DEFAULT_APP_SECRET,
        EMPTY_APP_ID,
        POWERHAUS_SN,
        DL5_SN,
    ):
        assert needle in text
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--per-hour", "-1"])


async def test_serve_prints_and_stops(
    socket_enabled: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """serve prints the base URL and stops when told."""
    stop = asyncio.Event()
    stop.set()
    await serve(build_parser().parse_args(["--port", "0"]), stop)
    assert "Dyness cloud simulator on http://127.0.0.1:" in capsys.readouterr().out


def test_main_returns_on_interrupt(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C ends the command cleanly."""

    def interrupted(coro: object) -> None:
        """Stand in for asyncio.run when the user presses Ctrl-C."""
        coro.close()  # type: ignore[attr-defined]
        raise KeyboardInterrupt

    monkeypatch.setattr("dyness_sim.__main__.asyncio.run", interrupted)
    assert main(["--port", "0"]) == 0


def test_region_option() -> None:
    """`--region` picks the cloud's region (Europe unless told)."""
    apac = make_simulator(
        build_parser().parse_args(["--v2", "--region", "asia_pacific"])
    )
    assert (apac.region, apac.v2_enabled) == ("asia_pacific", True)
    assert make_simulator(build_parser().parse_args([])).region == "europe"
