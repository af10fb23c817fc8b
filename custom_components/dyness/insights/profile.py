"""The typical battery power at each half hour of the local day, learned."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any, Final, Self

from .stored import items, mapping, to_float

SLOT_MINUTES: Final = 30
SLOTS: Final = 24 * 60 // SLOT_MINUTES
# Weight of a new sample in its slot's average: with six samples a slot a
# day, the last three or four days count most.
ALPHA: Final = 0.05


class DailyProfile:
    """Exponentially weighted mean battery power (W, + charging) per half hour.

    Only samples where the battery could follow the household are learned:
    the caller leaves out samples at its floor or near full, where the BMS
    holds the power back and 0 W says nothing about demand.
    """

    def __init__(self, zone: tzinfo = UTC) -> None:
        """Start without knowledge; slots follow the local day of `zone`."""
        self.zone = zone
        self._slots: list[float | None] = [None] * SLOTS

    def slot(self, moment: datetime) -> int:
        """Return the half hour of the local day a moment falls in."""
        local = moment.astimezone(self.zone)
        return (local.hour * 60 + local.minute) // SLOT_MINUTES

    def add(self, at: datetime, power_w: float) -> None:
        """Fold one sample into its slot's mean."""
        index = self.slot(at)
        current = self._slots[index]
        self._slots[index] = (
            power_w if current is None else current + ALPHA * (power_w - current)
        )

    def at(self, moment: datetime) -> float | None:
        """Return the typical power at a moment, None while the slot is unknown."""
        return self._slots[self.slot(moment)]

    def typical(self, moment: datetime) -> float | None:
        """Return the power of the slot, else of the nearest earlier known slot.

        Slots the battery always spends at its floor are never learned; the
        household then goes on as it was before (the night's base load).
        """
        index = self.slot(moment)
        for back in range(SLOTS):
            value = self._slots[index - back]
            if value is not None:
                return value
        return None

    def as_dict(self) -> dict[str, Any]:
        """Return the slot means to store across restarts."""
        return {"slots": list(self._slots)}

    @classmethod
    def from_dict(cls, data: Any, zone: tzinfo = UTC) -> Self:
        """Return a profile from stored slot means (a fresh one when unreadable)."""
        profile = cls(zone)
        stored = items(mapping(data).get("slots"))
        if len(stored) == SLOTS:
            profile._slots = [to_float(value) for value in stored]
        return profile
