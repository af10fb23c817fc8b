"""The daily look-up of the newest firmware the cloud offers for each battery."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .api import DynessClient, FirmwareVersions
from .const import DOMAIN, FIRMWARE_CHECK_INTERVAL, FIRMWARE_RETRY_INTERVAL
from .errors import DynessBaseCoordinator, optional


@dataclass(kw_only=True)
class FirmwareCheck:
    """When a battery's firmware was last looked up, and the cloud's answer."""

    attempted_at: datetime
    checked_at: datetime | None = None
    versions: FirmwareVersions | None = None

    def due(self, now: datetime) -> bool:
        """Return whether the battery should be looked up again now."""
        if self.checked_at is not None and now - self.checked_at < (
            FIRMWARE_CHECK_INTERVAL
        ):
            return False
        return now - self.attempted_at >= FIRMWARE_RETRY_INTERVAL


# Answers by battery serial, kept over reloads (never restarts): like the
# scheduler they belong to the account, and a reload should cost no calls.
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


class DynessFirmwareCoordinator(DynessBaseCoordinator[Mapping[str, FirmwareCheck]]):
    """Look each battery up once a day; retry a failed look-up after an hour."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: DynessClient,
    ) -> None:
        """Initialise with the answers kept from before a reload."""
        super().__init__(
            hass,
            entry,
            client,
            name=" firmware",
            update_interval=FIRMWARE_RETRY_INTERVAL,
        )
        # Every battery shown so far; one that was removed keeps its answer.
        self.serials: list[str] = []
        self.checks = hass.data.setdefault(FIRMWARE_CHECKS, {})
        self.data = self.checks
        # Look-ups wait until setup has read the batteries' own data.
        self.started = False

    async def async_start(self) -> None:
        """Look up the batteries followed so far; later ones as they come."""
        self.started = True
        await self.async_refresh()

    @callback
    def follow(self, serials: Iterable[str]) -> None:
        """Look up batteries not seen before soon, and daily from then on."""
        new = [serial for serial in serials if serial not in self.serials]
        if new:
            self.serials.extend(new)
        if new and self.started:
            self.config_entry.async_create_task(
                self.hass, self.async_refresh(), f"{DOMAIN} firmware"
            )

    async def _async_fetch(self) -> Mapping[str, FirmwareCheck]:
        """Look up every battery whose last answer is a day old (one call each)."""
        for serial in self.serials:
            now = dt_util.utcnow()
            check = self.checks.get(serial)
            if check is not None and not check.due(now):
                continue
            check = self.checks.setdefault(serial, FirmwareCheck(attempted_at=now))
            check.attempted_at = now
            versions = await optional(
                self.client.check_version(serial),
                f"Firmware of {serial}",
                budget_stops=False,
            )
            if versions is not None:
                check.versions = versions
                check.checked_at = now
        return self.checks
