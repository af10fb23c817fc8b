"""Learn when a device's next sample shows up in the cloud, to poll right after it."""

from __future__ import annotations

from datetime import datetime, timedelta

PERIOD = 300.0
START_DELAY = 20.0
MIN_DELAY = 3.0
MAX_DELAY = 120.0
MARGIN = 2.0
STEP_DOWN = 0.25
RETRY_AFTER = 15.0
LOST_AFTER = 3


class UploadTracker:
    """Predicts a device's next sample from the collection times (`T`) it sent.

    Devices upload every five minutes at their own phase; the sample becomes
    visible a few seconds after `T`. The visibility delay is learnt: a poll that
    finds the new sample lowers the estimate a little, one that is too early
    raises it to what was seen and retries once shortly after.
    """

    def __init__(self, *, period: float = PERIOD, stride: int = 1) -> None:
        """Start without a known phase."""
        self.period = period
        self.stride = stride
        self.delay = START_DELAY
        self.last_sample: datetime | None = None
        self.expected: datetime | None = None
        self.retry = False
        self.retry_at: datetime | None = None
        self.last_poll: datetime | None = None
        self.misses = 0
        self.retries = 0
        self.phase_jumps = 0

    @property
    def phase_known(self) -> bool:
        """Return whether polls are aligned to the device's uploads."""
        return self.expected is not None and self.misses < LOST_AFTER

    def observe(self, sample_time: datetime | None, polled_at: datetime) -> bool:
        """Take the result of a poll; return whether it brought a new sample."""
        self.last_poll = polled_at
        if sample_time is not None and (
            self.last_sample is None or sample_time > self.last_sample
        ):
            if self.expected is not None:
                off = abs((sample_time - self.expected).total_seconds()) % self.period
                seen_after = (polled_at - sample_time).total_seconds()
                if min(off, self.period - off) > 30:
                    self.phase_jumps += 1
                elif self.retry:
                    # Missed at first, found on the retry: it needs about this long.
                    self.delay = min(MAX_DELAY, max(MIN_DELAY, seen_after - MARGIN))
                else:
                    # Found at the first try: the delay may be shorter than assumed.
                    self.delay = max(MIN_DELAY, self.delay - STEP_DOWN)
            self.last_sample = sample_time
            self.expected = sample_time + timedelta(seconds=self.period * self.stride)
            self.retry = False
            self.misses = 0
            return True
        if self.expected is not None and polled_at >= self.expected:
            late = (polled_at - self.expected).total_seconds()
            if not self.retry and late < self.period / 2:
                # Too early, or the device skipped an upload: look again shortly.
                self.retry = True
                self.retry_at = polled_at + timedelta(seconds=RETRY_AFTER)
                self.retries += 1
            else:
                # Still nothing: the device skipped this upload or is offline.
                self.retry = False
                self.misses += 1
                while self.expected <= polled_at:
                    self.expected += timedelta(seconds=self.period)
        return False

    def next_poll(self, now: datetime) -> datetime:
        """Return when to poll next."""
        if not self.phase_known or self.expected is None:
            # Phase unknown: a plain interval from the last poll.
            if self.last_poll is None:
                return now
            return self.last_poll + timedelta(seconds=self.period * self.stride)
        if self.retry and self.retry_at is not None:
            return self.retry_at
        return max(now, self.expected + timedelta(seconds=self.delay + MARGIN))
