"""Firmware update entities of the Dyness battery integration (read-only)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Final

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
)
from homeassistant.const import EntityCategory

from .coordinator import DynessCoordinator
from .data import DynessData
from .entity import DynessBatteryEntity, NewEntity, entity_platform
from .firmware import latest_offered
from .runtime import DynessConfigEntry

PARALLEL_UPDATES = 0

DESCRIPTION: Final = UpdateEntityDescription(
    key="firmware",
    translation_key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.DIAGNOSTIC,
)


def _candidates(entry: DynessConfigEntry, data: DynessData) -> Iterator[NewEntity]:
    """Yield the firmware entity of every battery; new ones are looked up soon."""
    entry.runtime_data.firmware.follow(data.batteries)
    for serial in data.batteries:
        yield (
            f"{serial}_{DESCRIPTION.key}",
            partial(DynessFirmwareUpdate, entry.runtime_data.coordinator, serial),
        )


async_setup_entry = entity_platform(_candidates)


class DynessFirmwareUpdate(DynessBatteryEntity, UpdateEntity):
    """The BMS firmware of a battery and the latest one the cloud offers."""

    def __init__(self, coordinator: DynessCoordinator, serial: str) -> None:
        """Initialise the entity for one battery."""
        super().__init__(coordinator, serial, DESCRIPTION)

    async def async_added_to_hass(self) -> None:
        """Follow the firmware checks as well as the live data."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.runtime.firmware.async_add_listener(self._handle_coordinator_update)
        )

    @property
    def installed_version(self) -> str | None:
        """Return the firmware the battery reports."""
        return self.battery.firmware

    @property
    def latest_version(self) -> str | None:
        """Return the newest firmware offered; the installed one if none is."""
        check = self.runtime.firmware.checks.get(self.serial)
        if check is None or check.versions is None:
            return None
        return latest_offered(check.versions) or self.installed_version
