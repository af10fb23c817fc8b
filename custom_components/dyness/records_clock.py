"""The clock of the 5-minute power records: learnt per battery, never assumed.

`getLastPowerDataBySn` labels its records with a `createTime` that carries no
zone. It may be UTC, the station's local time, or shifted (users saw a 3-hour
shift in July 2026), and the list may cover the local day, a rolling day, end
early or start on the day before. So the offset between a label and UTC is
learnt: the newest records that carry values are matched against the live
samples (`T` is UTC) the integration already has, for every whole- and
half-hour offset from -14 h to +14 h. An offset is established only when one
candidate explains several samples and clearly beats the others; it is
re-verified by every records list and expires after a day or a change of the
station's UTC offset (daylight saving). Until then nothing uses the records.

No Home Assistant imports: the tests and the benchmark drive this code alone.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
import math
from typing import Any, Final

from .api import PowerRecord
from .insights.stored import to_float, to_time

SLOT: Final = timedelta(minutes=5)
# Whole and half hours from -14 h to +14 h (label minus UTC).
CANDIDATES: Final = tuple(timedelta(minutes=30 * step) for step in range(-28, 29))
# Live samples kept to match against (3 hours at one sample per 5 minutes).
HISTORY: Final = 36
HISTORY_AGE: Final = timedelta(hours=26)
MIN_MATCHES: Final = 3
MIN_SHARE: Final = 0.8
MIN_CONFIDENCE: Final = 0.5
RECHECK: Final = timedelta(days=1)
# A record-based value is current only this close to the live sample's T.
FRESH: Final = timedelta(minutes=15)
# Below these a value is too close to standby to tell offsets apart.
_POWER_FLOOR_W: Final = 50.0
_CURRENT_FLOOR_A: Final = 1.0
# (absolute, relative) tolerance of a match.
_POWER_TOLERANCE: Final = (30.0, 0.05)
_CURRENT_TOLERANCE: Final = (0.3, 0.05)
_SOC_TOLERANCE: Final = (1.5, 0.0)
_SIGN_VOTES: Final = 2
_HOUR: Final = timedelta(hours=1)


def slot_start(moment: datetime) -> datetime:
    """Return the start of the 5-minute slot on the clock that holds `moment`."""
    return moment.replace(
        minute=moment.minute - moment.minute % 5, second=0, microsecond=0
    )


class ListShape(StrEnum):
    """Which stretch of time a records list covers, once its clock is known."""

    LOCAL_DAY = "since_local_midnight"
    ROLLING = "rolling_day"
    PARTIAL = "partial"


class RecordsNote(StrEnum):
    """Why a value from the records is not shown as current."""

    LEARNING = "clock_not_learnt"
    STALE = "record_not_current"
    NO_RECORD = "no_record"


@dataclass(frozen=True, slots=True)
class LiveSample:
    """A live sample: `T` (UTC) with current, power (+ = charging) and SOC."""

    time: datetime
    current: float | None
    power: float | None
    soc: float | None

    @property
    def slot(self) -> datetime:
        """Return the 5-minute slot the sample falls in."""
        return slot_start(self.time)

    def as_list(self) -> list[Any]:
        """Return the sample in a JSON-ready form."""
        return [self.time.isoformat(), self.current, self.power, self.soc]

    @classmethod
    def from_list(cls, data: Any) -> LiveSample | None:
        """Return a stored sample, None when malformed."""
        if not isinstance(data, list) or len(data) != 4:
            return None
        time = to_time(data[0])
        if time is None:
            return None
        return cls(time, to_float(data[1]), to_float(data[2]), to_float(data[3]))


@dataclass(frozen=True, slots=True)
class Score:
    """How well one candidate offset explains the live samples."""

    offset: timedelta
    matched: int = 0
    compared: int = 0
    # Matched pairs whose power signs agree / disagree.
    same_sign: int = 0
    other_sign: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Evidence:
    """The outcome of matching one records list against the live samples."""

    at: datetime
    best: Score | None
    runner_up: Score | None
    records: int
    first_label: datetime | None
    last_label: datetime | None
    shape: ListShape | None

    @property
    def confidence(self) -> float:
        """Return 0..1: the best candidate's hit rate less the runner-up's share."""
        best = self.best
        if best is None or best.compared == 0 or best.matched == 0:
            return 0.0
        rival = self.runner_up.matched if self.runner_up is not None else 0
        return round(best.matched / best.compared * (1 - rival / best.matched), 3)

    @property
    def decisive(self) -> bool:
        """Return whether the best candidate is established by this list."""
        best = self.best
        return (
            best is not None
            and best.matched >= MIN_MATCHES
            and best.matched >= MIN_SHARE * best.compared
            and self.confidence >= MIN_CONFIDENCE
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the evidence for the diagnostics."""
        return {
            "at": self.at.isoformat(),
            "records": self.records,
            "first_label": _iso(self.first_label),
            "last_label": _iso(self.last_label),
            "shape": self.shape,
            "best": _score_dict(self.best),
            "runner_up": _score_dict(self.runner_up),
            "confidence": self.confidence,
            "decisive": self.decisive,
        }


@dataclass(frozen=True, slots=True)
class RecordsView:
    """What a battery's newest record means now: usable, or why not."""

    note: RecordsNote | None
    # The record's corrected (UTC) time, when the clock is known.
    time: datetime | None = None


class RecordsClock:
    """The learnt offset of one battery's records labels (label - UTC)."""

    def __init__(self, zone: tzinfo) -> None:
        """Start without an offset; `zone` is the station's time zone."""
        self.zone = zone
        self.history: deque[LiveSample] = deque(maxlen=HISTORY)
        self.offset: timedelta | None = None
        self.confidence = 0.0
        self.sign: int | None = None
        self.verified_at: datetime | None = None
        # The station's UTC offset when the offset was verified (DST check).
        self.verified_utcoffset: timedelta | None = None
        self.evidence: Evidence | None = None
        self.changes = 0

    def add_sample(self, sample: LiveSample) -> bool:
        """Keep a live sample to match records against; False when not newer."""
        if self.history and sample.time <= self.history[-1].time:
            return False
        self.history.append(sample)
        while self.history and sample.time - self.history[0].time > HISTORY_AGE:
            self.history.popleft()
        return True

    def established(self, now: datetime) -> bool:
        """Return whether the offset may be used at `now`."""
        return (
            self.offset is not None
            and self.verified_at is not None
            and now - self.verified_at <= RECHECK
            and _utcoffset(self.zone, now) == self.verified_utcoffset
        )

    def observe(self, records: Iterable[PowerRecord], now: datetime) -> Evidence:
        """Match a records list against the live samples; learn from it."""
        ordered = sorted(records, key=lambda record: record.time)
        by_label = {record.time: record for record in ordered if not record.is_empty}
        scores = sorted(
            (_score(self.history, by_label, offset) for offset in CANDIDATES),
            key=lambda score: (score.matched, -abs(score.offset)),
            reverse=True,
        )
        best = scores[0] if scores[0].matched else None
        runner_up = scores[1] if best is not None and scores[1].matched else None
        evidence = Evidence(
            at=now,
            best=best,
            runner_up=runner_up,
            records=len(by_label),
            first_label=ordered[0].time if ordered else None,
            last_label=ordered[-1].time if ordered else None,
            shape=None,
        )
        if evidence.decisive and best is not None:
            if self.offset is not None and self.offset != best.offset:
                self.changes += 1
            self.offset = best.offset
            self.confidence = evidence.confidence
            self.sign = _sign(best)
            self.verified_at = now
            self.verified_utcoffset = _utcoffset(self.zone, now)
        elif self.offset is not None:
            held = next(s for s in scores if s.offset == self.offset)
            if held.compared >= MIN_MATCHES and held.matched < held.compared / 2:
                # The list contradicts the offset: forget it rather than trust it.
                self.offset = self.sign = self.verified_at = None
                self.confidence = 0.0
        if self.offset is not None and ordered:
            evidence = replace(evidence, shape=self._shape(ordered))
        self.evidence = evidence
        return evidence

    def corrected(
        self, records: Iterable[PowerRecord], now: datetime
    ) -> list[PowerRecord] | None:
        """Return the records on UTC slots, None while the offset is not established."""
        if not self.established(now) or self.offset is None:
            return None
        offset = self.offset
        return sorted(
            (replace(record, time=record.time - offset) for record in records),
            key=lambda record: record.time,
        )

    def view(self, record: PowerRecord | None, now: datetime) -> RecordsView:
        """Return whether the newest filled record is current at the sample `now`."""
        if record is None:
            return RecordsView(RecordsNote.NO_RECORD)
        if not self.established(now) or self.offset is None:
            return RecordsView(RecordsNote.LEARNING)
        time = record.time - self.offset
        if abs(now - time) > FRESH:
            return RecordsView(RecordsNote.STALE, time)
        return RecordsView(None, time)

    def _shape(self, ordered: list[PowerRecord]) -> ListShape:
        """Return which stretch the list covers on corrected time."""
        offset = self.offset or timedelta()
        first = ordered[0].time - offset
        last = ordered[-1].time - offset
        local = last.astimezone(self.zone)
        midnight = datetime.combine(local.date(), datetime.min.time(), self.zone)
        if first == midnight:
            return ListShape.LOCAL_DAY
        if first < midnight or last - first >= timedelta(hours=23, minutes=55):
            return ListShape.ROLLING
        return ListShape.PARTIAL

    def as_dict(self) -> dict[str, Any]:
        """Return what to keep over a restart."""
        return {
            "offset_s": _seconds(self.offset),
            "confidence": self.confidence,
            "sign": self.sign,
            "verified_at": _iso(self.verified_at),
            "verified_utcoffset_s": _seconds(self.verified_utcoffset),
            "history": [sample.as_list() for sample in self.history],
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        """Continue from a kept state; malformed parts are left out."""
        self.offset = _delta(data.get("offset_s"))
        self.confidence = to_float(data.get("confidence")) or 0.0
        sign = data.get("sign")
        self.sign = sign if sign in (1, -1) else None
        self.verified_at = to_time(data.get("verified_at"))
        self.verified_utcoffset = _delta(data.get("verified_utcoffset_s"))
        history = data.get("history")
        for item in history if isinstance(history, list) else ():
            if (sample := LiveSample.from_list(item)) is not None:
                self.add_sample(sample)

    def diagnostics(self, now: datetime) -> dict[str, Any]:
        """Return the learnt offset and its evidence."""
        return {
            "offset_hours": None if self.offset is None else self.offset / _HOUR,
            "established": self.established(now),
            "confidence": self.confidence,
            "records_sign": self.sign,
            "verified_at": _iso(self.verified_at),
            "offset_changes": self.changes,
            "samples": len(self.history),
            "evidence": None if self.evidence is None else self.evidence.as_dict(),
        }


def newest_filled(records: Iterable[PowerRecord]) -> PowerRecord | None:
    """Return the newest record that carries a measurement (Q4, §12)."""
    filled = [record for record in records if not record.is_empty]
    return max(filled, key=lambda record: record.time, default=None)


def _score(
    history: Iterable[LiveSample],
    by_label: Mapping[datetime, PowerRecord],
    offset: timedelta,
) -> Score:
    """Return how many live samples the records labelled `offset` later match."""
    matched = compared = same = other = 0
    for sample in history:
        record = by_label.get(sample.slot + offset)
        if record is None or (verdict := _verdict(sample, record)) is None:
            continue
        compared += 1
        if not verdict:
            continue
        matched += 1
        if (
            sample.power is not None
            and record.power is not None
            and min(abs(sample.power), abs(record.power)) >= _POWER_FLOOR_W
        ):
            if (sample.power > 0) == (record.power > 0):
                same += 1
            else:
                other += 1
    return Score(
        offset=offset,
        matched=matched,
        compared=compared,
        same_sign=same,
        other_sign=other,
    )


def _verdict(sample: LiveSample, record: PowerRecord) -> bool | None:
    """Return whether a record matches a sample, None when nothing tells."""
    pairs = (
        (sample.power, record.power, _POWER_FLOOR_W, _POWER_TOLERANCE),
        (sample.current, record.current, _CURRENT_FLOOR_A, _CURRENT_TOLERANCE),
        # SOC only vetoes: a flat SOC (idle, full) matches many offsets alike.
        (sample.soc, record.soc, math.inf, _SOC_TOLERANCE),
    )
    telling = False
    for live, recorded, floor, (absolute, relative) in pairs:
        if live is None or recorded is None:
            continue
        # Magnitudes: whether records share the live sign is learnt apart (Q16).
        a, b = abs(live), abs(recorded)
        if abs(a - b) > max(absolute, relative * max(a, b)):
            return False
        telling = telling or max(a, b) >= floor
    return True if telling else None


def _sign(score: Score) -> int | None:
    """Return the records' sign against the live one, None when the votes are mixed."""
    if score.same_sign >= _SIGN_VOTES and not score.other_sign:
        return 1
    if score.other_sign >= _SIGN_VOTES and not score.same_sign:
        return -1
    return None


def _score_dict(score: Score | None) -> dict[str, Any] | None:
    """Return a score for the diagnostics."""
    if score is None:
        return None
    return {
        "offset_hours": score.offset / _HOUR,
        "matched": score.matched,
        "compared": score.compared,
        "same_sign": score.same_sign,
        "other_sign": score.other_sign,
    }


def _utcoffset(zone: tzinfo, moment: datetime) -> timedelta | None:
    """Return the station's UTC offset at a moment."""
    return moment.astimezone(zone).utcoffset()


def _iso(moment: datetime | None) -> str | None:
    """Return a time in ISO form."""
    return None if moment is None else moment.isoformat()


def _seconds(delta: timedelta | None) -> float | None:
    """Return a duration in seconds."""
    return None if delta is None else delta.total_seconds()


def _delta(value: Any) -> timedelta | None:
    """Return a stored duration, None when missing or malformed."""
    number = to_float(value)
    return None if number is None else timedelta(seconds=number)
