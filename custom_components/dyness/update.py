"""Firmware update entities of the Dyness battery integration (read-only)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeassistant.components.update import (
    UpdateDeviceClass,
    UpdateEntity,
    UpdateEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .api import DynessClient, DynessError, FirmwareVersions
from .const import DOMAIN, FIRMWARE_CHECK_INTERVAL, FIRMWARE_RETRY_INTERVAL, LOGGER
from .coordinator import DynessConfigEntry, DynessCoordinator
from .entity import DynessBatteryEntity, add_entities_as_they_appear

PARALLEL_UPDATES = 0

DESCRIPTION: Final = UpdateEntityDescription(
    key="firmware",
    translation_key="firmware",
    device_class=UpdateDeviceClass.FIRMWARE,
    entity_category=EntityCategory.DIAGNOSTIC,
)


@dataclass(kw_only=True)
class FirmwareCheck:
    """When a battery's firmware was last looked up, and the cloud's answer."""

    attempted_at: datetime
    checked_at: datetime | None = None
    versions: FirmwareVersions | None = None


FIRMWARE_CHECKS: HassKey[dict[str, FirmwareCheck]] = HassKey(
    f"{DOMAIN}_firmware_checks"
)


def latest_offered(versions: FirmwareVersions) -> str | None:
    """Return the offered version that matches the installed (BMS) firmware.

    The installed version is the BMS master's own ("host software", point 300 or
    the device list's firmwareVersion), so only `bmsLastedVersion` compares with
    it. DSP, ARM and MPPT versions belong to other processors (PowerHaus offers a
    DSP "311" next to BMS "2.50-62.0.x") and would raise a false update.
    """
    return versions.bms


class FirmwareChecker:
    """Ask the cloud for the latest firmware of each battery at most once a day."""

    def __init__(
        self, hass: HomeAssistant, client: DynessClient, serials: list[str]
    ) -> None:
        """Initialise the checker; results outlive reloads, never restarts."""
        self.client = client
        self.serials = serials
        # Kept in memory across reloads so an options change costs no extra calls.
        self.checks = hass.data.setdefault(FIRMWARE_CHECKS, {})
        self._listeners: list[CALLBACK_TYPE] = []

    @callback
    def async_add_listener(self, update: CALLBACK_TYPE) -> Callable[[], None]:
        """Call `update` after each check; return the function that stops it."""
        self._listeners.append(update)
        return lambda: self._listeners.remove(update)

    def _due(self, serial: str, now: datetime) -> bool:
        """Return whether a battery should be looked up now."""
        check = self.checks.get(serial)
        if check is None:
            return True
        if check.checked_at is not None and now - check.checked_at < (
            FIRMWARE_CHECK_INTERVAL
        ):
            return False
        return now - check.attempted_at >= FIRMWARE_RETRY_INTERVAL

    async def async_check_due(self, _now: datetime | None = None) -> None:
        """Look up every battery whose last answer is a day old (one call each)."""
        for serial in self.serials:
            now = dt_util.utcnow()
            if not self._due(serial, now):
                continue
            check = self.checks.setdefault(serial, FirmwareCheck(attempted_at=now))
            check.attempted_at = now
            try:
                check.versions = await self.client.check_version(serial)
            except DynessError as err:
                # The scheduler may refuse after a 429; the hourly tick retries.
                LOGGER.debug("Firmware check of %s failed: %s", serial, err)
                continue
            check.checked_at = now
        for update in list(self._listeners):
            update()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up one firmware entity per battery and the daily check."""
    checker = FirmwareChecker(hass, entry.runtime_data.client, [])

    def _new(coordinator: DynessCoordinator, known: set[str]) -> list[Entity]:
        """Return firmware entities of batteries not seen before; check them soon."""
        new = [serial for serial in coordinator.data.batteries if serial not in known]
        known.update(new)
        checker.serials.extend(new)
        if new and checker.serials != new:
            entry.async_create_task(
                hass, checker.async_check_due(), f"{DOMAIN} firmware"
            )
        return [DynessFirmwareUpdate(coordinator, checker, serial) for serial in new]

    add_entities_as_they_appear(entry, async_add_entities, _new)
    entry.async_on_unload(
        async_track_time_interval(
            hass,
            checker.async_check_due,
            FIRMWARE_RETRY_INTERVAL,
            name=f"{DOMAIN} firmware check",
            cancel_on_shutdown=True,
        )
    )
    entry.async_create_task(hass, checker.async_check_due(), f"{DOMAIN} firmware")


class DynessFirmwareUpdate(DynessBatteryEntity, UpdateEntity):
    """The BMS firmware of a battery and the latest one the cloud offers."""

    def __init__(
        self, coordinator: DynessCoordinator, checker: FirmwareChecker, serial: str
    ) -> None:
        """Initialise the entity for one battery."""
        super().__init__(coordinator, serial, DESCRIPTION)
        self.checker = checker

    async def async_added_to_hass(self) -> None:
        """Follow the firmware checks as well as the coordinator."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.checker.async_add_listener(self._handle_coordinator_update)
        )

    @property
    def installed_version(self) -> str | None:
        """Return the firmware the battery reports."""
        return self.battery.firmware

    @property
    def latest_version(self) -> str | None:
        """Return the newest firmware offered; the installed one if none is."""
        check = self.checker.checks.get(self.serial)
        if check is None or check.versions is None:
            return None
        return latest_offered(check.versions) or self.installed_version
