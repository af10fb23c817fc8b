"""Helpers to store calculator state as JSON-ready data and read it back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
import math
from typing import Any


def to_text(moment: datetime) -> str:
    """Return an aware moment as ISO text."""
    return moment.isoformat()


def to_time(value: Any) -> datetime | None:
    """Return an aware datetime from ISO text, None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def to_float(value: Any) -> float | None:
    """Return a finite number, None for anything else (bools included)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def mapping(value: Any) -> Mapping[str, Any]:
    """Return the value when it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def items(value: Any) -> list[Any]:
    """Return the value when it is a list, else an empty one."""
    return value if isinstance(value, list) else []
