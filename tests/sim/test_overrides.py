"""Point overrides (set_point / clear_points) in process and over the control API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from dyness_sim import SimClock, Simulator
from dyness_sim.accounts import DL5_DONGLE_SN, DL5_MODULE_SNS, DL5_SN, POWERHAUS_SN

from .conftest import START
from .helpers import Api, points


@pytest.fixture
def world() -> Simulator:
    """Return an unstarted default simulator on a fixed clock."""
    return Simulator(clock=SimClock.fixed(START))


def _values(sim: Simulator, serial: str) -> dict[str, str]:
    """Return id -> value of a serial now."""
    return points(sim.device(serial).points(serial, sim.clock.now()))


def test_plain_override_and_removal(world: Simulator) -> None:
    """A value replaces what the device reports; None restores it."""
    before = _values(world, POWERHAUS_SN)
    world.set_point(POWERHAUS_SN, "1200", "97")
    world.set_point(POWERHAUS_SN, "3800", "")
    after = _values(world, POWERHAUS_SN)
    assert (after["1200"], after["3800"]) == ("97", "")
    assert list(after) == list(before)
    world.set_point(POWERHAUS_SN, "1200", None)
    world.set_point(POWERHAUS_SN, "3800", None)
    assert _values(world, POWERHAUS_SN) == before
    assert world.device(POWERHAUS_SN).overrides == {}


def test_override_adds_unknown_points_and_works_on_every_sn(world: Simulator) -> None:
    """Overrides reach modules and the dongle; new ids are appended with no label."""
    world.set_point(DL5_MODULE_SNS[1], "14000", "42")
    world.set_point(DL5_DONGLE_SN, "800000", "-99")
    world.set_point(DL5_SN, "123456", "x")
    assert _values(world, DL5_MODULE_SNS[1])["14000"] == "42"
    assert _values(world, DL5_DONGLE_SN)["800000"] == "-99"
    data = world.device(DL5_SN).points(DL5_SN, world.clock.now())
    assert data[-1] == {
        "flag": False,
        "pointId": "123456",
        "pointValue": "x",
        "pointNameCn": "",
    }
    world.clear_points(DL5_MODULE_SNS[1])
    assert _values(world, DL5_MODULE_SNS[1])["14000"] != "42"
    assert _values(world, DL5_DONGLE_SN)["800000"] == "-99"
    world.clear_points()
    assert "123456" not in _values(world, DL5_SN)
    with pytest.raises(KeyError):
        world.set_point("R07E0000DEADBEEF-BMS", "800", "1")
    with pytest.raises(KeyError):
        world.device(DL5_SN).set_point(POWERHAUS_SN, "800", "1")


@pytest.mark.parametrize("byte", [3200, 3300, 3400, 3500, 4000])
def test_bit_override_updates_its_byte(world: Simulator, byte: int) -> None:
    """Setting a bit sub-point keeps the parent byte consistent, and back."""
    base = int(_values(world, POWERHAUS_SN)[str(byte)])
    world.set_point(POWERHAUS_SN, str(byte + 6), "1")
    values = _values(world, POWERHAUS_SN)
    assert int(values[str(byte)]) == base | 1 << 5
    assert values[str(byte + 6)] == "1"
    world.set_point(POWERHAUS_SN, str(byte + 6), "0")
    assert int(_values(world, POWERHAUS_SN)[str(byte)]) == base & ~(1 << 5)
    world.set_point(POWERHAUS_SN, str(byte + 6), None)
    world.set_point(POWERHAUS_SN, str(byte), "129")
    values = _values(world, POWERHAUS_SN)
    assert [values[str(byte + k)] for k in range(1, 9)] == [
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "1",
    ]
    world.set_point(POWERHAUS_SN, str(byte + 2), "1")
    values = _values(world, POWERHAUS_SN)
    assert values[str(byte)] == "131"
    assert values[str(byte + 2)] == "1"


def test_non_numeric_overrides_leave_bits_alone(world: Simulator) -> None:
    """An empty byte keeps its bits; a non-numeric bit does not touch its byte."""
    before = _values(world, POWERHAUS_SN)
    world.set_point(POWERHAUS_SN, "4000", "")
    values = _values(world, POWERHAUS_SN)
    assert values["4000"] == ""
    assert values["4007"] == before["4007"]
    world.clear_points(POWERHAUS_SN)
    world.set_point(POWERHAUS_SN, "4008", "")
    values = _values(world, POWERHAUS_SN)
    assert values["4008"] == ""
    assert values["4000"] == before["4000"]
    assert values["4007"] == before["4007"]


@pytest.fixture
async def served(socket_enabled: None) -> AsyncIterator[Api]:
    """Return a signing client of a started default simulator."""
    sim = Simulator(clock=SimClock.fixed(START), per_second=None, per_hour=None)
    await sim.start(host="127.0.0.1", port=0)
    async with aiohttp.ClientSession() as session:
        yield Api(sim, session)
    await sim.stop()


async def test_point_control_api(served: Api) -> None:
    """POST /_sim/point sets, DELETE /_sim/point clears; errors are 400/404."""
    sim = served.sim
    reply = await served.control(
        "POST", "/_sim/point", {"sn": POWERHAUS_SN, "point": "3206", "value": "1"}
    )
    assert reply.status == 200
    assert reply.json == {"sn": POWERHAUS_SN, "overrides": {"3206": "1"}}
    data = await served.data("/v1/device/realTime/data", {"deviceSn": POWERHAUS_SN})
    values = points(data)
    assert values["3206"] == "1"
    assert int(values["3200"]) & 32
    state = (await served.control("GET", "/_sim/state")).json
    device = state["accounts"][0]["devices"][0]
    assert device["overrides"] == {POWERHAUS_SN: {"3206": "1"}}
    reply = await served.control(
        "POST", "/_sim/point", {"sn": POWERHAUS_SN, "point": "3206", "value": None}
    )
    assert reply.json["overrides"] == {}
    await served.control(
        "POST", "/_sim/point", {"sn": DL5_SN, "point": "800", "value": "7"}
    )
    reply = await served.control("DELETE", f"/_sim/point?sn={DL5_SN}")
    assert reply.json == {"ok": True}
    assert sim.device(DL5_SN).overrides == {}
    await served.control(
        "POST", "/_sim/point", {"sn": DL5_SN, "point": "800", "value": "7"}
    )
    assert (await served.control("DELETE", "/_sim/point")).status == 200
    assert sim.device(DL5_SN).overrides == {}
    for body, status in (
        ({"sn": "nope", "point": "800", "value": "1"}, 404),
        ({"sn": DL5_SN, "value": "1"}, 404),
        ({"sn": DL5_SN, "point": 800, "value": "1"}, 400),
        ({"sn": DL5_SN, "point": "800", "value": 1}, 400),
        ([1], 400),
    ):
        assert (await served.control("POST", "/_sim/point", body)).status == status
    assert (await served.control("DELETE", "/_sim/point?sn=nope")).status == 404


async def test_drop_sub_control(served: Api) -> None:
    """POST /_sim/device/{sn} with drop_sub removes a module from SUB for a cycle."""
    reply = await served.control("POST", f"/_sim/device/{DL5_SN}", {"drop_sub": True})
    assert reply.status == 200
    data = points(await served.data("/v1/device/realTime/data", {"deviceSn": DL5_SN}))
    assert data["SUB"] == ",".join(DL5_MODULE_SNS[:2])
    await served.control(
        "POST", f"/_sim/device/{DL5_SN}", {"drop_sub": DL5_MODULE_SNS[0]}
    )
    data = points(await served.data("/v1/device/realTime/data", {"deviceSn": DL5_SN}))
    assert DL5_MODULE_SNS[0] not in data["SUB"]
    reply = await served.control("POST", f"/_sim/device/{DL5_SN}", {"drop_sub": "x"})
    assert reply.status == 404
