"""How `getLastPowerDataBySn` labels and cuts its list: UTC, local, shifted, stale.

The real endpoint's `createTime` carries no zone (doc §12): it may be UTC,
the station's local time, or shifted (July 2026: 3 hours). Its list may cover
the local day or a rolling day, and may end hours before now. A battery
serves its records with one of these labellings, set per scenario or through
`POST /_sim/records/{sn}`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from .formats import utc_text


class Labels(StrEnum):
    """What `createTime` shows of a record's (UTC) slot start."""

    UTC = "utc"
    LOCAL = "local"
    OFFSET = "offset"


class Window(StrEnum):
    """Which stretch of time the list covers."""

    LOCAL_DAY = "local_day"
    ROLLING = "rolling"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordsLabelling:
    """Labels and cut of one battery's records list."""

    labels: Labels = Labels.UTC
    # Label minus UTC for `Labels.OFFSET`, in minutes (a July-2026 shift: 180).
    offset_minutes: int = 0
    window: Window = Window.LOCAL_DAY
    # The list ends this long before now (stale records).
    ends_early_minutes: int = 0

    def label(self, start: datetime, zone: ZoneInfo) -> str:
        """Return the `createTime` of a record whose slot starts at `start` (UTC)."""
        match self.labels:
            case Labels.UTC:
                return utc_text(start)
            case Labels.LOCAL:
                return start.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
        return utc_text(start + timedelta(minutes=self.offset_minutes))

    def span(self, now: datetime, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """Return the true (UTC) first and last moment the list covers at `now`."""
        last = now - timedelta(minutes=self.ends_early_minutes)
        if self.window is Window.ROLLING:
            return now - timedelta(days=1), last
        local = now.astimezone(zone)
        return datetime.combine(local.date(), time(0), zone), last

    def as_dict(self) -> dict[str, Any]:
        """Return the labelling as JSON-ready data."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RecordsLabelling:
        """Build a labelling from control API fields (ValueError, TypeError)."""
        unknown = set(data) - {
            "labels",
            "offset_minutes",
            "window",
            "ends_early_minutes",
        }
        if unknown:
            raise ValueError(f"unknown fields: {', '.join(sorted(unknown))}")
        minutes = {
            key: data.get(key, 0) for key in ("offset_minutes", "ends_early_minutes")
        }
        for key, value in minutes.items():
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{key} must be a whole number of minutes")
        if not -24 * 60 < minutes["offset_minutes"] < 24 * 60:
            raise ValueError("offset_minutes must lie within a day")
        if minutes["ends_early_minutes"] < 0:
            raise ValueError("ends_early_minutes must not be negative")
        return cls(
            labels=Labels(data.get("labels", Labels.UTC)),
            offset_minutes=minutes["offset_minutes"],
            window=Window(data.get("window", Window.LOCAL_DAY)),
            ends_early_minutes=minutes["ends_early_minutes"],
        )
