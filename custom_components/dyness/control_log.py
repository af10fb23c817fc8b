"""What a settings write changed, in words, as a logbook entry."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import time
from enum import Enum
from typing import Any

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .api.controls import WriteResult
from .api.settings import SettingKind
from .const import DOMAIN, EVENT_SETTING_CHANGED


def _text(value: Any) -> str:
    """Return one field value as a short text."""
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, frozenset):
        return ",".join(str(int(day)) for day in sorted(value))
    return str(value)


def changes(old: Any, new: Any, prefix: str = "") -> list[tuple[str, str, str]]:
    """Return (field, old, new) for every field that differs, groups numbered."""
    if is_dataclass(old) and is_dataclass(new) and type(old) is type(new):
        found: list[tuple[str, str, str]] = []
        for item in fields(old):
            if not item.compare:
                continue
            found.extend(
                changes(
                    getattr(old, item.name),
                    getattr(new, item.name),
                    f"{prefix}{item.name}",
                )
            )
        return found
    if isinstance(old, tuple) and isinstance(new, tuple):
        found = []
        for number in range(1, max(len(old), len(new)) + 1):
            before = old[number - 1] if number <= len(old) else None
            after = new[number - 1] if number <= len(new) else None
            found.extend(changes(before, after, f"{prefix} {number} "))
        return found
    if old == new:
        return []
    return [(prefix.strip(), _text(old), _text(new))]


def describe(result: WriteResult) -> tuple[str, str]:
    """Return the old and the new value of the changed fields as texts."""
    found = changes(result.old, result.new)
    return (
        "; ".join(f"{name} {old}" for name, old, _ in found),
        "; ".join(f"{name} {new}" for name, _, new in found),
    )


@callback
def async_log_change(
    hass: HomeAssistant, serial: str, kind: SettingKind, result: WriteResult
) -> None:
    """Fire the event the logbook shows for a write, with old and new value."""
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, serial)})
    old, new = describe(result)
    hass.bus.async_fire(
        EVENT_SETTING_CHANGED,
        {
            "device_id": device.id if device is not None else None,
            "setting": str(kind),
            "old": old,
            "new": new,
        },
    )
