"""Tests for learning a device's upload phase and polling right after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
import random
import statistics

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.dyness.api.phase import (
    LOST_AFTER,
    PERIOD,
    SEARCH_LOOKS,
    UploadTracker,
)

START = datetime(2026, 6, 21, 10, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)

# Clouds by how long after `T` they show a sample: (shortest, longest) seconds.
INSTANT = (2.0, 2.0)
JITTERY = (5.0, 15.0)
STEADY = (10.0, 10.0)
SLOW = (20.0, 30.0)
CLOUDS = (INSTANT, JITTERY, STEADY, SLOW)


class Device:
    """A device that collects every 5 minutes at `phase` s; its cloud shows samples late.

    `jump` moves every upload from a moment on to later (a reconnected dongle).
    """

    def __init__(
        self, phase: float, seed: int = 1, visible: tuple[float, float] = JITTERY
    ) -> None:
        """Set the phase and the range of visibility delays, drawn per sample."""
        self.phase = phase
        self.visible = visible
        self.offline: tuple[datetime, datetime] | None = None
        self.jumps: list[tuple[datetime, float]] = []
        self._random = random.Random(seed)  # noqa: S311
        self._delays: dict[int, float] = {}

    @property
    def mean_delay(self) -> float:
        """Return the mean visibility delay of this device's cloud."""
        return sum(self.visible) / 2

    def jump(self, at: datetime, seconds: float) -> None:
        """Delay every upload due from `at` on by `seconds` (less than a period)."""
        self.jumps.append((at, seconds))

    def taken(self, slot: int) -> datetime:
        """Return when the sample of a slot was collected."""
        base = START + timedelta(seconds=slot * PERIOD + self.phase)
        shift = sum(seconds for at, seconds in self.jumps if base >= at)
        return base + timedelta(seconds=shift)

    def visible_at(self, slot: int) -> datetime:
        """Return when the sample of a slot shows up in the cloud."""
        if slot not in self._delays:
            low, high = self.visible
            self._delays[slot] = low + (high - low) * self._random.random()
        return self.taken(slot) + timedelta(seconds=self._delays[slot])

    def first_slot_from(self, moment: datetime) -> int:
        """Return the first slot collected at or after a moment."""
        slot = int((moment - START).total_seconds() // PERIOD) - 2
        while self.taken(slot) < moment:
            slot += 1
        return slot

    def sample(self, now: datetime) -> datetime | None:
        """Return the collection time of the newest visible sample."""
        slot = int((now - START).total_seconds() // PERIOD) + 1
        while slot > -5:
            taken = self.taken(slot)
            down = (
                self.offline is not None and self.offline[0] <= taken < self.offline[1]
            )
            if self.visible_at(slot) <= now and not down:
                return taken
            slot -= 1
        return None


@dataclass
class Log:
    """Every poll, and every new sample as (read at, collected at)."""

    polls: list[datetime] = field(default_factory=list)
    reads: list[tuple[datetime, datetime]] = field(default_factory=list)

    def ages(self, since: datetime, until: datetime) -> list[float]:
        """Return the data age of each sample read within a span."""
        return [
            (read - taken).total_seconds()
            for read, taken in self.reads
            if since <= read < until
        ]

    def polls_in(self, since: datetime, until: datetime) -> int:
        """Return the number of polls within a span."""
        return sum(since <= poll < until for poll in self.polls)


def _run(
    tracker: UploadTracker,
    device: Device,
    until: datetime,
    now: datetime,
    log: Log | None = None,
) -> tuple[list[float], int, datetime]:
    """Poll whenever the tracker says; return data ages, polls and the end time."""
    log = log if log is not None else Log()
    began = len(log.reads), len(log.polls)
    while now < until:
        log.polls.append(now)
        sample = device.sample(now)
        if tracker.observe(sample, now) and sample is not None:
            log.reads.append((now, sample))
        now = max(tracker.next_poll(now), now + timedelta(seconds=1))
    ages = [(read - taken).total_seconds() for read, taken in log.reads[began[0] :]]
    return ages, len(log.polls) - began[1], now


def _jump_costs(device: Device, log: Log, at: datetime) -> tuple[float, int]:
    """Return how late the first sample after a jump was read, and the extra calls.

    Lateness counts from the moment the first sample after the jump showed up
    in the cloud, whether or not that very sample was read. Extra calls are the
    polls between the last sample before the jump and the first one after it,
    beyond one per period since the last sample was collected.
    """
    shown = device.visible_at(device.first_slot_from(at))
    read, _ = next((read, taken) for read, taken in log.reads if taken >= at)
    last_read, last_taken = [(r, t) for r, t in log.reads if t < at][-1]
    polls = sum(last_read < poll <= read for poll in log.polls)
    periods = int((read - last_taken).total_seconds() // PERIOD)
    return (read - shown).total_seconds(), polls - periods


def test_converges_to_fresh_data_with_few_retries() -> None:
    """After learning, data is seconds old and a sample costs about one poll."""
    tracker = UploadTracker()
    device = Device(phase=163)
    ages, polls, _ = _run(tracker, device, START + timedelta(days=1), START)
    steady = ages[24:]
    assert statistics.mean(steady) < device.mean_delay + 10
    assert sorted(steady)[int(len(steady) * 0.95)] < 40
    assert polls / len(ages) <= 1.1
    assert len(ages) >= 286


@pytest.mark.parametrize("visible", CLOUDS)
@pytest.mark.parametrize("phase", [0, 47, 163, 299])
def test_steady_state_age_and_calls(visible: tuple[float, float], phase: int) -> None:
    """After the first hour: age at most the cloud's delay + 10 s, ≤ 1.1 calls a sample."""
    tracker = UploadTracker()
    device = Device(phase=phase, seed=phase, visible=visible)
    log = Log()
    _run(tracker, device, START + timedelta(days=1), START, log)
    ages = log.ages(START + HOUR, START + timedelta(days=1))
    assert statistics.mean(ages) <= device.mean_delay + 10
    assert log.polls_in(START + HOUR, START + timedelta(days=1)) / len(ages) <= 1.1


def test_untimed_samples_keep_the_steady_delay() -> None:
    """Samples whose `T` is only expected (v2) stop lowering the delay once learnt.

    Timed samples creep the delay down until a miss, about one sample in
    forty; untimed ones hold it, so misses (costly for such a source) stay rare.
    """
    tracker = UploadTracker()
    device = Device(phase=47, visible=JITTERY)
    log = Log()
    _run(tracker, device, START + HOUR, START, log)
    assert not tracker.learning
    delay = tracker.delay
    now = START + HOUR
    misses = 0
    while now < START + timedelta(days=1):
        sample = device.sample(now)
        new = sample is not None and sample > (tracker.last_sample or START)
        if not new:
            misses += tracker.expected is not None and now >= tracker.expected
            tracker.observe(sample, now)
        else:
            # Untimed: the source knows a new sample is there, not its `T`.
            tracker.observe(tracker.expected, now, timed=False)
        now = max(tracker.next_poll(now), now + timedelta(seconds=1))
    assert tracker.delay >= delay
    assert misses <= 2


def test_cloud_showing_samples_after_two_seconds_is_learnt_within_the_hour() -> None:
    """A cloud that shows samples 2 s after `T` is read within seconds before long."""
    tracker = UploadTracker()
    device = Device(phase=90, visible=INSTANT)
    log = Log()
    _run(tracker, device, START + HOUR, START, log)
    # The setup's poll reads whatever sample there is; count from the next one.
    ages = log.ages(START + timedelta(seconds=1), START + HOUR)
    assert len(ages) >= 11
    assert ages[-6:] == [pytest.approx(5.0)] * 6
    assert statistics.mean(ages) <= INSTANT[0] + 10
    assert tracker.retries == 0


@settings(max_examples=80, deadline=None)
@given(
    phase=st.floats(0, PERIOD - 1),
    size=st.floats(1, PERIOD - 1),
    after=st.floats(0, PERIOD),
    visible=st.sampled_from(CLOUDS),
    seed=st.integers(0, 1000),
)
def test_jump_is_found_within_a_minute(
    phase: float, size: float, after: float, visible: tuple[float, float], seed: int
) -> None:
    """After a jump of any size in steady state: read ≤ 60 s late, ≤ 4 extra calls."""
    tracker = UploadTracker()
    device = Device(phase=phase, seed=seed, visible=visible)
    at = START + 2 * HOUR + timedelta(seconds=after)
    device.jump(at, size)
    log = Log()
    _run(tracker, device, at + HOUR, START, log)
    late, extra = _jump_costs(device, log, at)
    assert late <= 60
    assert extra <= SEARCH_LOOKS[0]
    assert tracker.phase_known


@pytest.mark.parametrize("visible", CLOUDS)
def test_first_hour_with_a_jump(visible: tuple[float, float]) -> None:
    """Over the first hour after setup with one jump, data is fresh on average.

    Averaged over devices (phases, jump sizes and moments, visibility draws):
    age at most the cloud's delay + 20 s, every jump read ≤ 60 s late with ≤ 4
    extra calls, and calls per sample ≤ 1.25 over the first two hours.
    """
    ages: list[float] = []
    hour_polls = hour_reads = polls = reads = 0
    for seed in range(60):
        draw = random.Random(seed)  # noqa: S311
        device = Device(draw.uniform(0, PERIOD), seed=seed, visible=visible)
        at = START + timedelta(seconds=draw.uniform(300, 3300))
        device.jump(at, draw.uniform(1, PERIOD - 1))
        log = Log()
        _run(UploadTracker(), device, START + 2 * HOUR, START, log)
        # The setup's poll reads whatever sample there is; count after it.
        after_setup = START + timedelta(seconds=1)
        ages += log.ages(after_setup, START + HOUR)
        late, extra = _jump_costs(device, log, at)
        assert late <= 60
        assert extra <= SEARCH_LOOKS[0]
        hour_polls += log.polls_in(after_setup, START + HOUR)
        hour_reads += len(log.ages(after_setup, START + HOUR))
        polls += log.polls_in(after_setup, START + 2 * HOUR)
        reads += len(log.ages(after_setup, START + 2 * HOUR))
    assert statistics.mean(ages) <= sum(visible) / 2 + 20
    # A jump costs up to four looks and often a sample; learning costs a look or
    # two: over the hour itself that is more than 1.2 calls per sample.
    assert polls / reads <= 1.25
    assert hour_polls / hour_reads <= 1.5


def test_recovers_after_a_phase_jump() -> None:
    """A device that moves its upload time is followed within a few samples."""
    tracker = UploadTracker()
    device = Device(phase=47)
    _, _, now = _run(tracker, device, START + timedelta(hours=3), START)
    device.jump(now, 164)
    ages, polls, _ = _run(tracker, device, now + timedelta(hours=3), now)
    assert tracker.phase_jumps == 1
    assert statistics.mean(ages[1:]) < device.mean_delay + 10
    assert polls <= len(ages) * 1.1 + SEARCH_LOOKS[0]


def test_offline_device_falls_back_to_a_plain_interval() -> None:
    """No uploads for an hour: a short search, then polls every 5 minutes."""
    tracker = UploadTracker()
    device = Device(phase=90)
    _, _, now = _run(tracker, device, START + timedelta(hours=2), START)
    device.offline = (now, now + timedelta(hours=1))
    ages, polls, now = _run(tracker, device, now + timedelta(hours=1), now)
    # At most the sample taken just before the outage, shown during it.
    assert len(ages) <= 1
    assert tracker.misses >= LOST_AFTER
    assert not tracker.phase_known
    assert 12 <= polls <= 13 + sum(SEARCH_LOOKS)
    ages, _, _ = _run(tracker, device, now + timedelta(hours=1), now)
    assert tracker.phase_known
    assert statistics.mean(ages[3:]) < 30


def test_first_poll_and_no_data() -> None:
    """Without any sample the tracker asks for a poll now, then every period."""
    tracker = UploadTracker()
    assert tracker.next_poll(START) == START
    assert not tracker.observe(None, START)
    assert tracker.next_poll(START) == START + timedelta(seconds=PERIOD)
    assert tracker.observe(START - timedelta(seconds=30), START)
    assert tracker.phase_known
    assert not tracker.observe(START - timedelta(seconds=30), START)


def test_search_looks_a_minute_apart_then_waits_for_the_next_sample() -> None:
    """A missing sample is looked for four times a minute apart, then once more."""
    tracker = UploadTracker()
    assert tracker.observe(START, START + timedelta(seconds=22))
    due = tracker.next_poll(START)
    assert due == START + timedelta(seconds=PERIOD + 22)
    assert not tracker.observe(START, due)
    assert tracker.searching
    looks = []
    for _ in range(SEARCH_LOOKS[0]):
        looks.append(tracker.next_poll(due))
        assert not tracker.observe(START, looks[-1])
    assert [(look - due).total_seconds() for look in looks] == [60, 120, 180, 240]
    assert not tracker.searching
    assert tracker.misses == 1
    regular = tracker.next_poll(looks[-1])
    assert regular == due + timedelta(seconds=PERIOD)
    assert not tracker.observe(START, regular)
    assert tracker.next_poll(regular) == regular + timedelta(seconds=60)
    assert not tracker.observe(START, regular + timedelta(seconds=60))
    assert tracker.misses == 2
    assert tracker.next_poll(regular) == regular + timedelta(seconds=PERIOD)


def test_a_failed_poll_holds_the_next_one() -> None:
    """After a failure no poll comes before the back-off; a good read ends it."""
    start = datetime(2026, 6, 21, 10, 0, 20, tzinfo=UTC)
    tracker = UploadTracker()
    assert tracker.observe(start - timedelta(seconds=20), start)
    due = tracker.next_poll(start)
    tracker.failed(due, 30.0)
    tracker.failed(due + timedelta(seconds=30), 60.0)
    assert tracker.failures == 2
    assert tracker.next_poll(due) == due + timedelta(seconds=90)
    # A budget wait shorter than the back-off does not shorten it.
    tracker.hold(due + timedelta(seconds=40))
    assert tracker.next_poll(due) == due + timedelta(seconds=90)
    later = due + timedelta(seconds=90)
    assert tracker.observe(start + timedelta(seconds=280), later)
    assert tracker.failures == 0
    assert tracker.next_poll(later) > later + timedelta(seconds=200)


@pytest.mark.parametrize("visible", CLOUDS)
@pytest.mark.parametrize("phase", [0, 163])
def test_stretched_polls_read_every_second_sample(
    visible: tuple[float, float], phase: int
) -> None:
    """A plan reading every second sample polls about six times an hour, not twelve.

    A poll made before the expected sample shows up returns the sample skipped
    on purpose: that is a miss of the expected one, not a hit.
    """
    tracker = UploadTracker()
    device = Device(phase=phase, seed=phase, visible=visible)
    log = Log()
    _, _, now = _run(tracker, device, START + HOUR, START, log)
    tracker.stride = 2
    _run(tracker, device, now + timedelta(days=1), now, log)
    since, until = now + HOUR, now + timedelta(days=1)
    ages = log.ages(since, until)
    assert log.polls_in(since, until) <= 23 * 6 * 1.1
    # Now and then a poll still comes early and reads the skipped sample.
    assert statistics.median(ages) <= device.mean_delay + 10
