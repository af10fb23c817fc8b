"""The simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from freezegun import freeze_time

from dyness_sim import SimClock

AT = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)


def test_fixed_clock_stands_and_moves() -> None:
    """A fixed clock only moves when advanced or set."""
    clock = SimClock.fixed(AT)
    assert clock.mode == "fixed"
    assert clock.now() == AT
    assert clock.now() == AT
    clock.advance(timedelta(minutes=5))
    clock.advance(30)
    assert clock.now() == AT + timedelta(minutes=5, seconds=30)
    clock.set(datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == datetime(2026, 1, 1, 11, tzinfo=UTC)
    assert clock.now().tzinfo is UTC


def test_naive_input_is_utc() -> None:
    """Naive datetimes are taken as UTC."""
    assert SimClock.fixed(datetime(2026, 6, 21, 10)).now() == datetime(
        2026, 6, 21, 10, tzinfo=UTC
    )


def test_real_clock_follows_time_plus_offset() -> None:
    """Real mode follows the system clock (freezegun included) plus the offset."""
    with freeze_time(AT):
        clock = SimClock.real(timedelta(hours=1))
        assert clock.mode == "real"
        assert clock.now() == AT + timedelta(hours=1)
        clock.advance(timedelta(minutes=10))
        assert clock.offset == timedelta(hours=1, minutes=10)
        assert clock.now() == AT + timedelta(hours=1, minutes=10)
    live = SimClock.real()
    assert abs((live.now() - datetime.now(UTC)).total_seconds()) < 5


def test_switching_modes_and_describe() -> None:
    """A fixed clock can be released to real time; describe reports the mode."""
    clock = SimClock.fixed(AT)
    assert clock.describe()["mode"] == "fixed"
    assert clock.describe()["now"] == AT.isoformat()
    clock.use_real_time(timedelta(seconds=-30))
    assert clock.mode == "real"
    assert clock.describe()["offset_seconds"] == -30.0
