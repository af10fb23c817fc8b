"""Strict reading of the HTTP answer headers the client uses: Retry-After and Date."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
import re
from typing import Final

from .values import YEARS

# A longer wait is no plan: poll again within the hour and learn anew.
RETRY_AFTER_CAP: Final = 3600.0
_MAX_HEADER: Final = 64
_DELTA_SECONDS: Final = re.compile(r"\d{1,10}", re.ASCII)
_ALL_DIGITS: Final = re.compile(r"\d+", re.ASCII)


def parse_http_date(value: str | None) -> datetime | None:
    """Parse an HTTP date (IMF-fixdate or an obsolete form) as aware UTC."""
    if value is None:
        return None
    text = value.strip()
    if not text or len(text) > _MAX_HEADER or not text.isascii():
        return None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        when = when.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return when if when.year in YEARS else None


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Return the delay a Retry-After asks for, capped; None when absent or garbage.

    `now` is the wall clock (Unix seconds) an HTTP date is measured against.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return min(RETRY_AFTER_CAP, float(text))
    if _ALL_DIGITS.fullmatch(text):
        return RETRY_AFTER_CAP
    when = parse_http_date(text)
    if when is None:
        return None
    return min(RETRY_AFTER_CAP, max(0.0, when.timestamp() - now))
