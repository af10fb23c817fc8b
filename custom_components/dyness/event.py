"""Event entities of the Dyness battery integration: alarm raised / cleared."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Any, Final

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import callback

from .alarm_tables import alarm_table
from .alarms import EVENT_CLEARED, EVENT_RAISED
from .coordinator import DynessCoordinator
from .data import DynessData
from .entity import DynessBatteryEntity, NewEntity, entity_platform
from .runtime import DynessConfigEntry

PARALLEL_UPDATES = 0

ALARM_EVENTS: Final = EventEntityDescription(
    key="alarm_events",
    translation_key="alarm_events",
    event_types=[EVENT_RAISED, EVENT_CLEARED],
)


def _candidates(entry: DynessConfigEntry, data: DynessData) -> Iterator[NewEntity]:
    """Yield the event entity of each battery whose family reports alarms."""
    coordinator = entry.runtime_data.coordinator
    for serial, battery in data.batteries.items():
        if alarm_table(battery.family.key).conditions:
            yield (
                f"{serial}_{ALARM_EVENTS.key}",
                partial(DynessAlarmEvent, coordinator, serial, ALARM_EVENTS),
            )


async_setup_entry = entity_platform(_candidates)


class DynessAlarmEvent(DynessBatteryEntity, EventEntity):
    """Fires once when a debounced condition turns on and once when it clears."""

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: EventEntityDescription,
    ) -> None:
        """Initialise the entity; transitions before it (the baseline) never fire."""
        super().__init__(coordinator, serial, description)
        self._seen = self.runtime.alarms.transitions(serial)[0]

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire one event per transition of the newest sample."""
        generation, transitions = self.runtime.alarms.transitions(self.serial)
        if generation <= self._seen:
            super()._handle_coordinator_update()
            return
        self._seen = generation
        for transition in transitions:
            attributes: dict[str, Any] = {
                "condition": transition.key,
                "kind": transition.kind.value,
            }
            if transition.module is not None:
                attributes["module"] = transition.module
            self._trigger_event(transition.event_type, attributes)
            self.async_write_ha_state()
