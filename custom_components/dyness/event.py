"""Event entities of the Dyness battery integration: alarm raised / cleared."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarms import (
    EVENT_CLEARED,
    EVENT_RAISED,
    AlarmMonitor,
    alarm_monitor,
    alarm_table,
)
from .coordinator import DynessConfigEntry, DynessCoordinator
from .entity import DynessBatteryEntity, add_entities_as_they_appear

PARALLEL_UPDATES = 0

ALARM_EVENTS: Final = EventEntityDescription(
    key="alarm_events",
    translation_key="alarm_events",
    event_types=[EVENT_RAISED, EVENT_CLEARED],
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one alarm event entity per battery that reports alarms."""
    monitor = alarm_monitor(hass, entry)

    def _new(coordinator: DynessCoordinator, known: set[str]) -> list[Entity]:
        """Return event entities of batteries not seen before."""
        new: list[Entity] = []
        for serial, battery in coordinator.data.batteries.items():
            if serial not in known and alarm_table(battery.family.key).conditions:
                known.add(serial)
                new.append(DynessAlarmEvent(coordinator, serial, ALARM_EVENTS, monitor))
        return new

    add_entities_as_they_appear(entry, async_add_entities, _new)


class DynessAlarmEvent(DynessBatteryEntity, EventEntity):
    """Fires once when a debounced condition turns on and once when it clears."""

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: EventEntityDescription,
        monitor: AlarmMonitor,
    ) -> None:
        """Initialise the entity with the entry's alarm monitor."""
        super().__init__(coordinator, serial, description)
        self.monitor = monitor
        # Transitions older than the entity (the start-up baseline) never fire.
        self._seen = monitor.transitions(serial)[0]

    @callback
    def _handle_coordinator_update(self) -> None:
        """Fire one event per transition of the newest sample."""
        generation, transitions = self.monitor.transitions(self.serial)
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
