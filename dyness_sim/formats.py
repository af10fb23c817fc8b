"""Wire formats: time stamps and number strings as the Dyness cloud writes them."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

UTC_FORMAT = "%Y-%m-%d %H:%M:%S"


def utc_text(moment: datetime) -> str:
    """Return `YYYY-MM-DD HH:MM:SS` in UTC without zone marker (T, TIME, createTime)."""
    return moment.astimezone(UTC).strftime(UTC_FORMAT)


def local_text(moment: datetime, zone: tzinfo) -> str:
    """Return local time with a `UTC+hh:mm` suffix (dataUpdateTime, doc §12)."""
    local = moment.astimezone(zone)
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"{local.strftime(UTC_FORMAT)} UTC{sign}{hours:02d}:{rest:02d}"


def spring_timestamp(moment: datetime) -> str:
    """Return the ISO time stamp a Spring error body carries."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def fixed(value: float, decimals: int) -> str:
    """Return `value` with exactly `decimals` decimals, never `-0.0`."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def short(value: float, decimals: int) -> str:
    """Return `value` rounded to `decimals` without trailing zeros beyond one (53.2)."""
    # Adding 0.0 turns -0.0 into 0.0.
    return str(round(value, decimals) + 0.0)
