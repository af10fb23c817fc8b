"""Base of the control entities: a device's reported setting, changed safely."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .api.settings import Setting, SettingKind, SettingsFamily
from .control_errors import guarded
from .entity import battery_device_info
from .runtime import DynessConfigEntry
from .settings_coordinator import DynessSettingsCoordinator


@dataclass(frozen=True, kw_only=True)
class DynessSettingEntityDescription(EntityDescription):
    """Which family and setting group an entity belongs to."""

    families: frozenset[SettingsFamily]
    kind: SettingKind


class DynessSettingEntity(CoordinatorEntity[DynessSettingsCoordinator]):
    """An entity showing one setting group as the device reports it."""

    _attr_has_entity_name = True
    _attr_entity_category = EntityCategory.CONFIG
    entity_description: DynessSettingEntityDescription

    def __init__(
        self,
        coordinator: DynessSettingsCoordinator,
        entry: DynessConfigEntry,
        serial: str,
        description: DynessSettingEntityDescription,
    ) -> None:
        """Attach the entity to its battery's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_translation_key = description.key
        self.serial = serial
        self._attr_unique_id = f"{serial}_{description.key}"
        battery = entry.runtime_data.coordinator.data.batteries[serial]
        self._attr_device_info = battery_device_info(battery)

    @property
    def setting(self) -> Setting | None:
        """Return the value the device last reported."""
        return self.coordinator.value(self.serial, self.entity_description.kind)

    @property
    def available(self) -> bool:
        """Return whether the device's value is known."""
        return super().available and self.setting is not None

    async def _async_change(self, build: Callable[[Setting], Setting]) -> None:
        """Write a change; the entity then shows what the device reports."""
        await guarded(
            self.coordinator.async_change(
                self.serial, self.entity_description.kind, build
            )
        )


type Factory = Callable[
    [DynessSettingsCoordinator, DynessConfigEntry, str, DynessSettingEntityDescription],
    Entity,
]


def add_setting_entities(
    entry: DynessConfigEntry,
    add: Callable[[Iterable[Entity]], None],
    descriptions: Iterable[DynessSettingEntityDescription],
    factory: Factory,
) -> None:
    """Add a platform's control entities as devices turn out to have settings."""
    settings = entry.runtime_data.settings
    if settings is None:
        return
    chosen = tuple(descriptions)
    batteries = entry.runtime_data.coordinator
    known: set[str] = set()

    @callback
    def _add_new() -> None:
        new: list[Entity] = []
        for serial, device in settings.current.devices.items():
            if serial not in batteries.data.batteries:
                continue
            for description in chosen:
                key = f"{serial}_{description.key}"
                if (
                    key in known
                    or device.family not in description.families
                    or description.kind not in device.values
                ):
                    continue
                known.add(key)
                new.append(factory(settings, entry, serial, description))
        if new:
            add(new)

    _add_new()
    entry.async_on_unload(settings.async_add_listener(_add_new))


def setting_platform(
    descriptions: Iterable[DynessSettingEntityDescription], factory: Factory
) -> Callable[
    [HomeAssistant, DynessConfigEntry, AddConfigEntryEntitiesCallback],
    Coroutine[Any, Any, None],
]:
    """Return a platform's setup adding its control entities as they appear."""
    chosen = tuple(descriptions)

    async def async_setup_entry(
        hass: HomeAssistant,
        entry: DynessConfigEntry,
        async_add_entities: AddConfigEntryEntitiesCallback,
    ) -> None:
        """Set up the platform's control entities."""
        add_setting_entities(entry, async_add_entities, chosen, factory)

    return async_setup_entry
