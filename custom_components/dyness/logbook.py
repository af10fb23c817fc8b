"""Logbook entries of the battery settings the integration changed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from homeassistant.components.logbook.const import (
    LOGBOOK_ENTRY_MESSAGE,
    LOGBOOK_ENTRY_NAME,
)
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .const import DOMAIN, EVENT_SETTING_CHANGED


@callback
def async_describe_events(
    hass: HomeAssistant,
    async_describe_event: Callable[[str, str, Callable[[Event], dict[str, str]]], None],
) -> None:
    """Describe a settings change as "changed … from … to …"."""

    @callback
    def async_describe(event: Event) -> dict[str, str]:
        """Return the logbook entry of one change."""
        data: Mapping[str, Any] = event.data
        device = None
        if data.get("device_id"):
            device = dr.async_get(hass).async_get(data["device_id"])
        name = (device.name_by_user or device.name) if device is not None else None
        return {
            LOGBOOK_ENTRY_NAME: name or "Dyness battery",
            LOGBOOK_ENTRY_MESSAGE: (
                f"changed {data.get('setting')} from {data.get('old')} "
                f"to {data.get('new')}"
            ),
        }

    async_describe_event(DOMAIN, EVENT_SETTING_CHANGED, async_describe)
