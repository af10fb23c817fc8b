"""Power records labelled in UTC, local time or shifted; cut short or rolling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dyness_sim import Labels, RecordsLabelling, Simulator, Window
from dyness_sim.__main__ import build_parser, make_simulator
from dyness_sim.accounts import POWERHAUS_SN

from .conftest import START
from .helpers import Api

POWER = "/v1/device/getLastPowerDataBySn"
# Berlin in June is UTC+2: local midnight of 21 June is 22:00 UTC the day before.
MIDNIGHT = datetime(2026, 6, 20, 22, 0, tzinfo=UTC)


def _label(text: str) -> datetime:
    """Return a `createTime` as a naive-read UTC time."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)


def _filled(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the records that carry a measurement."""
    return [r for r in records if r["realTimePower"] is not None]


def _served(sim: Simulator, labelling: RecordsLabelling) -> list[dict[str, Any]]:
    """Return the PowerHaus records under a labelling at the fixed clock."""
    battery = sim.device(POWERHAUS_SN)
    battery.records_labelling = labelling
    return battery.power_records(sim.clock.now())


@pytest.mark.parametrize(
    ("labelling", "shift"),
    [
        (RecordsLabelling(), timedelta()),
        (RecordsLabelling(labels=Labels.LOCAL), timedelta(hours=2)),
        (
            RecordsLabelling(labels=Labels.OFFSET, offset_minutes=180),
            timedelta(hours=3),
        ),
        (
            RecordsLabelling(labels=Labels.OFFSET, offset_minutes=-330),
            timedelta(hours=-5, minutes=-30),
        ),
    ],
)
def test_labels_shift_every_record_alike(
    sim: Simulator, labelling: RecordsLabelling, shift: timedelta
) -> None:
    """Each labelling moves every label by its offset; the values stay the slot's."""
    truth = _served(sim, RecordsLabelling())
    shifted = _served(sim, labelling)
    assert len(shifted) == len(truth)
    assert _label(truth[0]["createTime"]) == MIDNIGHT
    for plain, moved in zip(truth, shifted, strict=True):
        assert _label(moved["createTime"]) - _label(plain["createTime"]) == shift
        assert moved["realTimePower"] == plain["realTimePower"]
        assert moved["soc"] == plain["soc"]


def test_rolling_list_starts_the_day_before(sim: Simulator) -> None:
    """A rolling window covers the last 24 h, across local midnight."""
    records = _served(sim, RecordsLabelling(window=Window.ROLLING))
    now = sim.clock.now()
    first = _label(records[0]["createTime"])
    assert first < MIDNIGHT
    assert now - first <= timedelta(days=1, minutes=5)
    assert len(records) == 24 * 12 + 1
    # Yesterday's records carry values too (PowerHaus leaves standby slots null).
    assert any(_label(r["createTime"]) < MIDNIGHT for r in _filled(records))


def test_list_ending_early_is_stale(sim: Simulator) -> None:
    """A list cut three hours early holds nothing newer than then."""
    records = _served(sim, RecordsLabelling(ends_early_minutes=180))
    newest = _label(_filled(records)[-1]["createTime"])
    assert sim.clock.now() - newest >= timedelta(hours=3)
    assert sim.clock.now() - newest < timedelta(hours=3, minutes=5)
    # Cut early, every record is over: none is the open, empty slot.
    assert records[-1]["realTimePower"] is not None


async def test_control_api_sets_the_labelling(api: Api, sim: Simulator) -> None:
    """`POST /_sim/records/{sn}` labels the served list; bad bodies get 400/404."""
    reply = await api.control(
        "POST",
        f"/_sim/records/{POWERHAUS_SN}",
        {"labels": "offset", "offset_minutes": 180, "ends_early_minutes": 60},
    )
    assert reply.status == 200
    assert reply.json["labels"] == "offset"
    records = await api.data(POWER, {"deviceSn": POWERHAUS_SN})
    newest = _label(_filled(records)[-1]["createTime"])
    # Labelled 3 h ahead, cut 1 h early: 2 h ahead of now, to within a slot.
    assert timedelta(hours=1, minutes=50) <= newest - START <= timedelta(hours=2)
    state = (await api.control("GET", "/_sim/state")).json
    device = state["accounts"][0]["devices"][0]
    assert device["records"]["offset_minutes"] == 180
    for body in (
        {"labels": "mars"},
        {"window": "week"},
        {"offset_minutes": 1.5},
        {"offset_minutes": 2000},
        {"ends_early_minutes": -5},
        {"colour": "red"},
        [1],
    ):
        reply = await api.control("POST", f"/_sim/records/{POWERHAUS_SN}", body)
        assert reply.status == 400, body
    reply = await api.control("POST", "/_sim/records/NOPE", {})
    assert reply.status == 404


def test_scenario_option_labels_the_battery() -> None:
    """`Simulator.single(..., records=...)` sets the labelling from the start."""
    labelling = RecordsLabelling(labels=Labels.LOCAL, window=Window.ROLLING)
    sim = Simulator.single("PowerBrick Plus", records=labelling)
    assert sim.batteries[0].records_labelling == labelling


def test_command_line_labels_every_battery() -> None:
    """`python -m dyness_sim --records-labels offset --records-offset 180 ...`."""
    args = build_parser().parse_args(
        [
            "--records-labels",
            "offset",
            "--records-offset",
            "180",
            "--records-window",
            "rolling",
            "--records-ends-early",
            "30",
        ]
    )
    sim = make_simulator(args)
    expected = RecordsLabelling(
        labels=Labels.OFFSET,
        offset_minutes=180,
        window=Window.ROLLING,
        ends_early_minutes=30,
    )
    assert [b.records_labelling for b in sim.batteries] == [expected, expected]
    plain = make_simulator(build_parser().parse_args([]))
    assert plain.batteries[0].records_labelling == RecordsLabelling()
