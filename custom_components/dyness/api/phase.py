"""Learn when a device's next sample shows up in the cloud, to poll right after it."""

from __future__ import annotations

from datetime import datetime, timedelta

PERIOD = 300.0
START_DELAY = 20.0
MIN_DELAY = 3.0
MAX_DELAY = 120.0
MARGIN = 2.0
# Steady state: a hit lowers the delay a little, a miss raises it a lot (more
# after each further miss), so that about one sample in forty needs a look.
STEP_DOWN = 0.1
BACKOFF = 4.0
# Learning (until the first miss): steps double while polls keep hitting.
FIRST_STEP = 1.0
MAX_STEP = 8.0
# After a missed sample, look again this often, this many times: whenever the
# new sample arrives within the period, it is read at most a minute later. If
# the next expected sample is missing too, one more look (it may just be late).
SEARCH_EVERY = 60.0
SEARCH_LOOKS = (4, 1)
# A sample further than this from the expected moment starts a new phase.
JUMP_TOLERANCE = 30.0
LOST_AFTER = 3


class UploadTracker:
    """Predicts a device's next sample from the collection times (`T`) it sent.

    Devices upload every five minutes at their own phase; the sample becomes
    visible a few seconds after `T`. The visibility delay is learnt from hits
    and misses of the polls. When an expected sample is missing, the tracker
    searches: a few further looks a minute apart until the next expected
    sample; a sample found that way at another moment sets the new phase.
    """

    def __init__(self, *, period: float = PERIOD, stride: int = 1) -> None:
        """Start without a known phase."""
        self.period = period
        self.stride = stride
        self.delay = START_DELAY
        self.last_sample: datetime | None = None
        self.expected: datetime | None = None
        self.last_poll: datetime | None = None
        self.misses = 0
        # Looks made while searching for missing samples.
        self.retries = 0
        self.phase_jumps = 0
        self.learning = True
        self._step = FIRST_STEP
        # The last two delays at which the first poll found the sample.
        self._worked = (START_DELAY, START_DELAY)
        self._backoff = BACKOFF
        # Moment of the poll that missed the expected sample, and looks still to make.
        self._search_from: datetime | None = None
        self._looks_left = 0
        # Failed polls in a row, and no poll before this moment (back-off, budget).
        self.failures = 0
        self._hold_until: datetime | None = None

    @property
    def phase_known(self) -> bool:
        """Return whether polls are aligned to the device's uploads."""
        return self.expected is not None and self.misses < LOST_AFTER

    @property
    def searching(self) -> bool:
        """Return whether the tracker looks for a missing sample."""
        return self._search_from is not None

    def failed(self, polled_at: datetime, wait: float) -> None:
        """Take a poll that got no answer; poll again `wait` seconds later at best."""
        self.failures += 1
        self.hold(polled_at + timedelta(seconds=wait))

    def hold(self, until: datetime) -> None:
        """Poll no sooner than `until` (a back-off or the call budget's turn)."""
        if self._hold_until is None or until > self._hold_until:
            self._hold_until = until

    def observe(
        self, sample_time: datetime | None, polled_at: datetime, *, timed: bool = True
    ) -> bool:
        """Take the result of a poll; return whether it brought a new sample.

        An untimed sample (its `T` is the expected one, not read) teaches the
        visibility delay only while learning: in steady state the delay would
        creep down to a miss, and a miss costs such a source several calls.
        """
        self.last_poll = polled_at
        self.failures = 0
        self._hold_until = None
        if self._search_from is not None:
            self.retries += 1
        if sample_time is not None and (
            self.last_sample is None or sample_time > self.last_sample
        ):
            if not self._skipped(sample_time):
                self._found(sample_time, timed or self.learning)
                return True
            # New data, but the poll came before the expected sample showed up.
            self.last_sample = sample_time
            if self.expected is not None and polled_at >= self.expected:
                self.expected = self._missed(polled_at, self.expected)
            return True
        if self.expected is not None and polled_at >= self.expected:
            self.expected = self._missed(polled_at, self.expected)
        return False

    def _skipped(self, sample_time: datetime) -> bool:
        """Return whether a sample is one a stretched plan skips, whole periods early.

        With a stride above one, a poll made before the expected sample shows
        up returns the one before it, which is new as well: a hit would lower
        the delay and set the next poll only a period later.
        """
        if self.stride <= 1 or self.expected is None or self._search_from:
            return False
        early = (self.expected - sample_time).total_seconds()
        off = early % self.period
        return early >= self.period - JUMP_TOLERANCE and (
            min(off, self.period - off) <= JUMP_TOLERANCE
        )

    def _found(self, sample_time: datetime, teaches: bool = True) -> None:
        """Learn from a new sample and expect the next one a period later."""
        if self.expected is not None:
            off = abs((sample_time - self.expected).total_seconds()) % self.period
            if min(off, self.period - off) > JUMP_TOLERANCE:
                # The device uploads at a new moment: its phase is the sample's.
                self.phase_jumps += 1
            elif self._search_from is not None:
                self._raise_delay()
            elif teaches:
                self._lower_delay()
        self.last_sample = sample_time
        self.expected = sample_time + timedelta(seconds=self.period * self.stride)
        self._search_from = None
        self._looks_left = 0
        self.misses = 0

    def _lower_delay(self) -> None:
        """Found at the first poll: the delay may be shorter than assumed."""
        self._worked = (self._worked[1], self.delay)
        self.delay = max(MIN_DELAY, self.delay - self._step)
        self._backoff = BACKOFF
        if self.learning:
            self._step = min(MAX_STEP, 2 * self._step)

    def _raise_delay(self) -> None:
        """Found only by a later look: polls came too early; back off."""
        if self.learning and self.delay < self._worked[0]:
            # Overshot: back to the delay before the last one that worked (a
            # single hit may have been luck), then creep down from there.
            self.delay = self._worked[0]
            self.learning = False
        else:
            self.learning = False
            self.delay += self._backoff
            self._backoff = min(MAX_DELAY, 2 * self._backoff)
        self.delay = min(MAX_DELAY, self.delay)
        self._step = STEP_DOWN

    def _missed(self, polled_at: datetime, expected: datetime) -> datetime:
        """Search after a poll that found no sample although one was due.

        Return the moment the next sample is expected.
        """
        if self._search_from is None and self.misses < len(SEARCH_LOOKS):
            # Missed after a sample: look again a few times.
            self._search_from = polled_at
            self._looks_left = SEARCH_LOOKS[self.misses]
            return expected
        if self._search_from is not None:
            self._looks_left -= 1
            if self._looks_left:
                return expected
        # Nothing within the period: a skipped upload, or the device is offline.
        self._search_from = None
        self._looks_left = 0
        self.misses += 1
        while expected <= polled_at:
            expected += timedelta(seconds=self.period)
        return expected

    def next_poll(self, now: datetime) -> datetime:
        """Return when to poll next, never before a back-off or budget wait ends."""
        due = self._due(now)
        if self._hold_until is not None and self._hold_until > due:
            return self._hold_until
        return due

    def _due(self, now: datetime) -> datetime:
        """Return when the next sample should be read, ignoring any hold."""
        if not self.phase_known or self.expected is None:
            # Phase unknown: a plain interval from the last poll.
            if self.last_poll is None:
                return now
            return self.last_poll + timedelta(seconds=self.period * self.stride)
        if self._search_from is not None:
            since = SEARCH_EVERY * (SEARCH_LOOKS[self.misses] - self._looks_left + 1)
            return max(now, self._search_from + timedelta(seconds=since))
        return max(now, self.expected + timedelta(seconds=self.delay + MARGIN))
