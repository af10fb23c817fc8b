"""The records clock: learning the label offset of the 5-minute power records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import math
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from custom_components.dyness.api import PowerRecord, RealtimeSnapshot
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.energy import Direction, Integrator, Segment, hourly
from custom_components.dyness.model_table import detect
from custom_components.dyness.records_clock import (
    FRESH,
    RECHECK,
    ListShape,
    LiveSample,
    RecordsClock,
    RecordsNote,
    newest_filled,
)
from custom_components.dyness.records_runtime import live_sample
from dyness_sim import Battery, Labels, RecordsLabelling, SimClock, Simulator, Window

BERLIN = ZoneInfo("Europe/Berlin")
T0 = datetime(2026, 6, 21, 17, 2, 40, tzinfo=UTC)
FIVE = timedelta(minutes=5)

LABELLINGS = {
    "utc": (RecordsLabelling(), timedelta()),
    "local": (RecordsLabelling(labels=Labels.LOCAL), timedelta(hours=2)),
    "july_2026": (
        RecordsLabelling(labels=Labels.OFFSET, offset_minutes=180),
        timedelta(hours=3),
    ),
    "behind": (
        RecordsLabelling(labels=Labels.OFFSET, offset_minutes=-330),
        timedelta(hours=-5, minutes=-30),
    ),
    "local_rolling": (
        RecordsLabelling(labels=Labels.LOCAL, window=Window.ROLLING),
        timedelta(hours=2),
    ),
}


def _power(k: int) -> float:
    """Return a varied synthetic battery power of slot k (W)."""
    return round(1500 * math.sin(k / 2.3) + 300 * ((k * 7) % 5) - 200, 1)


def _record(
    label: datetime, power: float | None, soc: float | None = None
) -> PowerRecord:
    """Return a record with a label, a power and its current at 50 V."""
    current = None if power is None else round(power / 50, 1)
    return PowerRecord(
        time=label, current=current, power=power, voltage=None, soc=soc, raw={}
    )


def _synthetic(
    offset: timedelta, slots: int, *, power: float | None = None, sign: int = 1
) -> tuple[list[LiveSample], list[PowerRecord]]:
    """Return live samples and their records labelled `offset` from UTC."""
    start = T0.replace(minute=0, second=0)
    samples, records = [], []
    for k in range(slots):
        watts = _power(k) if power is None else power
        slot = start + k * FIVE
        samples.append(
            LiveSample(slot + timedelta(seconds=160), watts / 50, watts, None)
        )
        records.append(_record(slot + offset, sign * watts))
    return samples, records


def _learn(
    samples: list[LiveSample], records: list[PowerRecord], zone: ZoneInfo = BERLIN
) -> RecordsClock:
    """Return a clock that saw the samples and then the records."""
    clock = RecordsClock(zone)
    for sample in samples:
        clock.add_sample(sample)
    clock.observe(records, samples[-1].time)
    return clock


def sim_sample(battery: Battery, now: datetime) -> LiveSample:
    """Return the live sample a poll of the simulated battery at `now` gives."""
    snapshot = RealtimeSnapshot.from_api(
        battery.device_sn, battery.points(battery.device_sn, now)
    )
    data = BatteryData(
        config=BatteryConfig(device_sn=battery.device_sn),
        detection=detect(battery.model_name, str(battery.model_code), snapshot),
        realtime=snapshot,
    )
    sample = live_sample(data)
    assert sample is not None
    return sample


def stored_history(battery: Battery, until: datetime) -> dict[str, Any]:
    """Return a kept clock: the last half hour of samples before `until`, no offset."""
    clock = RecordsClock(BERLIN)
    for step in range(6, -1, -1):
        clock.add_sample(sim_sample(battery, until - step * FIVE))
    return clock.as_dict()


def _sim_poll(battery: Battery, now: datetime) -> tuple[LiveSample, list[PowerRecord]]:
    """Return what one poll at `now` gives: the live sample and the records."""
    records = [PowerRecord.from_api(item) for item in battery.power_records(now)]
    return sim_sample(battery, now), sorted(
        (r for r in records if r), key=lambda r: r.time
    )


@pytest.mark.parametrize("model", ["DL5.0C", "PowerBrick Plus", "Cygni 10.0HS-M8"])
@pytest.mark.parametrize("name", list(LABELLINGS))
def test_learns_each_labelling_from_the_simulator(model: str, name: str) -> None:
    """Polls of the simulator teach the offset; corrected records sit on UTC slots."""
    labelling, offset = LABELLINGS[name]
    sim = Simulator.single(model, clock=SimClock.fixed(T0), records=labelling)
    battery = sim.batteries[0]
    clock = RecordsClock(BERLIN)
    now = T0
    for _ in range(8):
        sim.clock.set(now)
        sample, records = _sim_poll(battery, now)
        clock.add_sample(sample)
        clock.observe(records, now)
        now += FIVE
    assert clock.established(now - FIVE)
    assert clock.offset == offset
    assert clock.confidence >= 0.5
    corrected = clock.corrected(records, now - FIVE)
    assert corrected is not None
    truth = {
        r.time: r for r in _sim_poll_truth(battery, now - FIVE) if r.power is not None
    }
    for record in corrected:
        if record.power is not None:
            assert truth[record.time].power == record.power
    newest = newest_filled(records)
    view = clock.view(newest, sample.time)
    assert view.note is None
    assert view.time is not None
    assert sample.time - view.time <= FRESH


def _sim_poll_truth(battery: Battery, now: datetime) -> list[PowerRecord]:
    """Return the records of `battery` labelled in UTC (the truth) at `now`."""
    labelling = battery.records_labelling
    battery.records_labelling = RecordsLabelling(window=Window.ROLLING)
    try:
        return _sim_poll(battery, now)[1]
    finally:
        battery.records_labelling = labelling


@pytest.mark.parametrize(
    "offset", [timedelta(), timedelta(hours=-14), timedelta(hours=9, minutes=30)]
)
def test_learns_synthetic_offsets(offset: timedelta) -> None:
    """Any whole or half hour within ±14 h is found, with its evidence."""
    clock = _learn(*_synthetic(offset, 12))
    assert clock.offset == offset
    assert clock.evidence is not None
    assert clock.evidence.decisive
    report = clock.diagnostics(T0 + timedelta(hours=1))
    assert report["offset_hours"] == offset / timedelta(hours=1)
    assert report["evidence"]["best"]["matched"] >= 3


def test_too_few_samples_establish_nothing() -> None:
    """Two matching samples are not enough: nothing is used yet."""
    samples, records = _synthetic(timedelta(hours=2), 2)
    clock = _learn(samples, records)
    assert clock.offset is None
    assert clock.corrected(records, samples[-1].time) is None
    assert clock.view(records[-1], samples[-1].time).note is RecordsNote.LEARNING


def test_steady_or_idle_battery_is_ambiguous() -> None:
    """A constant power matches every offset alike: nothing is established."""
    for power in (0.0, 1200.0):
        clock = _learn(*_synthetic(timedelta(hours=2), 20, power=power))
        assert clock.offset is None, power


def test_no_overlap_keeps_nothing() -> None:
    """Records far from every live sample teach nothing."""
    samples, records = _synthetic(timedelta(hours=2), 12)
    moved = [_record(r.time - timedelta(days=1), r.power) for r in records]
    clock = _learn(samples, moved)
    assert clock.offset is None
    assert clock.evidence is not None
    assert clock.evidence.best is None


def test_expires_after_a_day_and_after_a_dst_change() -> None:
    """An offset is trusted for a day, and not across a daylight-saving change."""
    samples, records = _synthetic(timedelta(hours=2), 12)
    clock = _learn(samples, records)
    last = samples[-1].time
    assert clock.established(last + RECHECK)
    assert not clock.established(last + RECHECK + FIVE)
    # 85 days earlier: the evening of 28 March, the night before summer time.
    back = timedelta(days=85)
    shifted = [LiveSample(s.time - back, s.current, s.power, s.soc) for s in samples]
    moved = [_record(r.time - back, r.power) for r in records]
    clock = _learn(shifted, moved)
    verified = shifted[-1].time
    assert clock.established(verified + timedelta(hours=4))
    # Berlin moves from UTC+1 to UTC+2 at 01:00 UTC on 29 March.
    assert not clock.established(datetime(2026, 3, 29, 1, 0, tzinfo=UTC))


def test_contradiction_forgets_the_offset() -> None:
    """Records that disagree with the held offset make it unknown, not trusted."""
    samples, records = _synthetic(timedelta(hours=2), 12)
    clock = _learn(samples, records)
    assert clock.offset == timedelta(hours=2)
    garbage = [_record(r.time, 4000.0 - (r.power or 0)) for r in records]
    clock.observe(garbage, samples[-1].time)
    assert clock.offset is None
    assert not clock.established(samples[-1].time)


def test_a_new_decisive_offset_replaces_the_old() -> None:
    """After a change of the labelling, the new offset wins and is counted."""
    samples, records = _synthetic(timedelta(hours=2), 12)
    clock = _learn(samples, records)
    moved = [_record(r.time + timedelta(hours=1), r.power) for r in records]
    clock.observe(moved, samples[-1].time)
    assert clock.offset == timedelta(hours=3)
    assert clock.changes == 1


def test_sign_is_learnt_and_mixed_votes_are_none() -> None:
    """Records that count the other way give sign -1; a mixed list gives None."""
    samples, records = _synthetic(timedelta(), 12, sign=-1)
    clock = _learn(samples, records)
    assert clock.offset == timedelta()
    assert clock.sign == -1
    samples, records = _synthetic(timedelta(), 12)
    assert _learn(samples, records).sign == 1
    mixed = [
        _record(r.time, (r.power or 0) * (-1 if n % 2 else 1))
        for n, r in enumerate(records)
    ]
    assert _learn(samples, mixed).sign is None


def test_soc_view_is_current_only_within_fifteen_minutes() -> None:
    """A record older (or newer) than 15 min on corrected time is not current."""
    samples, records = _synthetic(timedelta(hours=3), 12)
    clock = _learn(samples, records)
    now = samples[-1].time
    newest = records[-1]
    assert clock.view(newest, now).note is None
    assert clock.view(newest, now + FRESH).note is RecordsNote.STALE
    # A record labelled in the "future" of its corrected time is misplaced.
    ahead = _record(newest.time + timedelta(hours=1), newest.power)
    assert clock.view(ahead, now).note is RecordsNote.STALE
    assert clock.view(None, now).note is RecordsNote.NO_RECORD


def test_soc_vetoes_a_match() -> None:
    """With SOC, current and power all compared, a match needs all of them."""
    start = T0.replace(minute=0, second=0)
    samples, records = [], []
    for k in range(10):
        slot = start + k * FIVE
        watts = _power(k)
        samples.append(LiveSample(slot + timedelta(seconds=100), None, watts, 40.0 + k))
        records.append(_record(slot + timedelta(hours=1), watts, soc=40.0 + k))
    clock = _learn(samples, records)
    assert clock.offset == timedelta(hours=1)
    wrong_soc = [_record(r.time, r.power, soc=90.0) for r in records]
    assert _learn(samples, wrong_soc).offset is None


@pytest.mark.parametrize(
    ("first", "shape"),
    [
        (datetime(2026, 6, 20, 22, 0, tzinfo=UTC), ListShape.LOCAL_DAY),
        (datetime(2026, 6, 20, 10, 0, tzinfo=UTC), ListShape.ROLLING),
        (datetime(2026, 6, 21, 6, 0, tzinfo=UTC), ListShape.PARTIAL),
    ],
)
def test_list_shape_on_corrected_time(first: datetime, shape: ListShape) -> None:
    """The list's stretch is told on corrected time against local midnight."""
    samples, records = _synthetic(timedelta(hours=2), 12)
    early = [_record(first + timedelta(hours=2), None)]
    clock = _learn(samples, early + records)
    assert clock.evidence is not None
    assert clock.evidence.shape is shape


def test_state_round_trip_and_malformed_restore() -> None:
    """The kept state continues the clock; malformed parts are left out."""
    samples, records = _synthetic(timedelta(hours=-3), 12)
    clock = _learn(samples, records)
    again = RecordsClock(BERLIN)
    again.restore(clock.as_dict())
    now = samples[-1].time
    assert again.established(now)
    assert again.offset == clock.offset
    assert again.sign == clock.sign
    assert list(again.history) == list(clock.history)
    broken = RecordsClock(BERLIN)
    broken.restore(
        {
            "offset_s": "x",
            "sign": 7,
            "verified_at": "2026-06-21T10:00:00",
            "history": [["nope"], ["2026-06-21T10:00:00+00:00", 1.0, "w", None], 3],
        }
    )
    assert broken.offset is None
    assert broken.sign is None
    assert broken.verified_at is None
    assert len(broken.history) == 1
    assert broken.history[0].power is None


def test_history_keeps_newer_samples_only() -> None:
    """A repeated or older sample is not kept twice; very old ones drop out."""
    clock = RecordsClock(BERLIN)
    sample = LiveSample(T0, 1.0, 50.0, None)
    assert clock.add_sample(sample)
    assert not clock.add_sample(sample)
    clock.add_sample(LiveSample(T0 + timedelta(days=2), 1.0, 50.0, None))
    assert len(clock.history) == 1


def _outage_hours(
    model: str, labelling: RecordsLabelling
) -> dict[Direction, list[tuple[float, float]]]:
    """Return (counted, true) kWh per hour 19:00-24:00 local around a 20-23 h outage."""
    start = datetime(2026, 6, 21, 14, 1, 30, tzinfo=UTC)
    sim = Simulator.single(model, clock=SimClock.fixed(start), records=labelling)
    battery = sim.batteries[0]
    clock = RecordsClock(BERLIN)
    integrators = {d: Integrator(d) for d in Direction}
    segments: dict[Direction, list[Segment]] = {d: [] for d in Direction}
    now = start
    while now < start + timedelta(hours=8, minutes=10):
        if not 20 <= now.astimezone(BERLIN).hour < 23:
            sim.clock.set(now)
            sample, records = _sim_poll(battery, now)
            clock.add_sample(sample)
            clock.observe(records, sample.time)
            for direction, integrator in integrators.items():
                slot = sample.slot
                if integrator.needs_records(slot):
                    corrected = clock.corrected(records, sample.time)
                    segments[direction] += integrator.fill(
                        corrected or (), slot, sample.power, clock.sign
                    )
                elif segment := integrator.add(slot, sample.power):
                    segments[direction].append(segment)
        now += FIVE
    first = datetime(2026, 6, 21, 17, 0, tzinfo=UTC)
    result: dict[Direction, list[tuple[float, float]]] = {}
    for direction in Direction:
        counted = hourly(segments[direction])
        attr = "charged_kwh" if direction is Direction.CHARGED else "discharged_kwh"
        result[direction] = [
            (
                counted.get(hour, 0.0),
                getattr(battery.truth_at(hour + timedelta(hours=1)), attr)
                - getattr(battery.truth_at(hour), attr),
            )
            for hour in (first + timedelta(hours=n) for n in range(5))
        ]
    return result


@pytest.mark.parametrize("model", ["PowerHaus", "PowerBrick Plus", "Cygni 10.0HS-M8"])
@pytest.mark.parametrize("name", list(LABELLINGS))
def test_outage_energy_lands_in_its_hours(model: str, name: str) -> None:
    """Every labelling: the gap's energy in the right hours, nothing swapped."""
    hours = _outage_hours(model, LABELLINGS[name][0])
    discharged = sum(truth for _, truth in hours[Direction.DISCHARGED][1:4])
    assert discharged > 1.0
    for direction, per_hour in hours.items():
        for counted, truth in per_hour:
            assert counted == pytest.approx(truth, abs=0.002), direction


def test_list_ending_early_loses_energy_but_never_misplaces_it() -> None:
    """Records cut an hour early fill what they cover; no hour gets more than it saw."""
    labelling = RecordsLabelling(labels=Labels.LOCAL, ends_early_minutes=60)
    hours = _outage_hours("PowerHaus", labelling)
    lost = 0.0
    for per_hour in hours.values():
        for counted, truth in per_hour:
            assert counted <= truth + 0.002
            lost += truth - counted
    assert lost > 0.2
