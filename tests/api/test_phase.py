"""Tests for learning a device's upload phase and polling right after it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import random
import statistics

from custom_components.dyness.api.phase import LOST_AFTER, PERIOD, UploadTracker

START = datetime(2026, 6, 21, 10, 0, 0, tzinfo=UTC)


class Device:
    """A device that collects every 5 minutes at `phase` s and shows samples late."""

    def __init__(self, phase: float, seed: int = 1) -> None:
        """Set the phase; delays are 5 to 15 s, drawn per sample."""
        self.phase = phase
        self.offline: tuple[datetime, datetime] | None = None
        self._random = random.Random(seed)  # noqa: S311
        self._delays: dict[int, float] = {}

    def _delay(self, slot: int) -> float:
        """Return the visibility delay of a slot's sample."""
        if slot not in self._delays:
            self._delays[slot] = 5 + 10 * self._random.random()
        return self._delays[slot]

    def sample(self, now: datetime) -> datetime | None:
        """Return the collection time of the newest visible sample."""
        slot = int((now - START).total_seconds() // PERIOD) + 1
        while slot > -5:
            taken = START + timedelta(seconds=slot * PERIOD + self.phase)
            visible = taken + timedelta(seconds=self._delay(slot))
            down = (
                self.offline is not None and self.offline[0] <= taken < self.offline[1]
            )
            if visible <= now and not down:
                return taken
            slot -= 1
        return None


def _run(
    tracker: UploadTracker, device: Device, until: datetime, now: datetime
) -> tuple[list[float], int, datetime]:
    """Poll whenever the tracker says; return data ages, polls and the end time."""
    ages: list[float] = []
    polls = 0
    while now < until:
        polls += 1
        sample = device.sample(now)
        if tracker.observe(sample, now) and sample is not None:
            ages.append((now - sample).total_seconds())
        now = max(tracker.next_poll(now), now + timedelta(seconds=1))
    return ages, polls, now


def test_converges_to_fresh_data_with_few_retries() -> None:
    """After learning, data is seconds old and a sample costs about one poll."""
    tracker = UploadTracker()
    device = Device(phase=163)
    ages, polls, _ = _run(tracker, device, START + timedelta(days=1), START)
    steady = ages[24:]
    assert statistics.mean(steady) < 30
    assert sorted(steady)[int(len(steady) * 0.95)] < 40
    assert polls / len(ages) <= 1.1
    assert len(ages) >= 286


def test_recovers_after_a_phase_jump() -> None:
    """A device that moves its upload time is followed within a few samples."""
    tracker = UploadTracker()
    device = Device(phase=47)
    _, _, now = _run(tracker, device, START + timedelta(hours=3), START)
    device.phase = 211
    ages, polls, _ = _run(tracker, device, now + timedelta(hours=3), now)
    assert tracker.phase_jumps == 1
    assert statistics.mean(ages[6:]) < 30
    assert polls <= len(ages) * 1.15 + 3


def test_offline_device_falls_back_to_a_plain_interval() -> None:
    """No uploads for an hour: polls every 5 minutes, then aligned again."""
    tracker = UploadTracker()
    device = Device(phase=90)
    _, _, now = _run(tracker, device, START + timedelta(hours=2), START)
    device.offline = (now, now + timedelta(hours=1))
    ages, polls, now = _run(tracker, device, now + timedelta(hours=1), now)
    # At most the sample taken just before the outage, shown during it.
    assert len(ages) <= 1
    assert tracker.misses >= LOST_AFTER
    assert not tracker.phase_known
    assert 12 <= polls <= 16
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
