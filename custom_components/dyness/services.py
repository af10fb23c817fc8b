"""Service actions: read and write whole schedules (time-of-use, heating)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv, device_registry as dr
import voluptuous as vol

from .api.exceptions import DynessValidationError
from .api.settings import (
    FAMILY_KINDS,
    HeatingSchedule,
    Setting,
    SettingKind,
    SettingsFamily,
    TouSchedule,
)
from .api.validation import (
    SCHEDULE_RULES,
)
from .const import DOMAIN
from .control_errors import control_error, guarded, translated
from .runtime import DynessConfigEntry
from .schedule_schema import (
    heating_as_data,
    heating_from_data,
    keep_soc_fields,
    schedule_as_data,
    schedule_from_data,
)
from .settings_coordinator import DynessSettingsCoordinator, control_allowed

ATTR_DEVICE_ID: Final = "device_id"
SERVICE_SET_TIME_OF_USE: Final = "set_time_of_use"
SERVICE_GET_TIME_OF_USE: Final = "get_time_of_use"
SERVICE_SET_HEATING_PERIODS: Final = "set_heating_periods"
SERVICE_GET_HEATING_PERIODS: Final = "get_heating_periods"

# Items are checked by the integration's own rules, with translated errors.
_ITEMS = vol.All(cv.ensure_list, [dict])
DEVICE_SCHEMA: Final = vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string})
TIME_OF_USE_SCHEMA: Final = DEVICE_SCHEMA.extend(
    {
        vol.Required("groups"): _ITEMS,
        vol.Optional("work_mode"): cv.string,
    }
)
HEATING_SCHEMA: Final = DEVICE_SCHEMA.extend({vol.Required("periods"): _ITEMS})


@dataclass(frozen=True, slots=True)
class Target:
    """The device an action acts on, with its settings coordinator."""

    serial: str
    family: SettingsFamily
    settings: DynessSettingsCoordinator


def _entries(hass: HomeAssistant, device: dr.DeviceEntry) -> list[DynessConfigEntry]:
    """Return the loaded entries of the integration the device belongs to."""
    found: list[DynessConfigEntry] = []
    for entry_id in device.config_entries:
        entry = hass.config_entries.async_get_entry(entry_id)
        if (
            entry is not None
            and entry.domain == DOMAIN
            and entry.state is ConfigEntryState.LOADED
        ):
            found.append(entry)
    return found


def _target(hass: HomeAssistant, call: ServiceCall, kind: SettingKind) -> Target:
    """Return the device of a call if control is allowed and it offers `kind`."""
    device = dr.async_get(hass).async_get(call.data[ATTR_DEVICE_ID])
    if device is None:
        raise control_error("control_unknown_device")
    serial = next((key for domain, key in device.identifiers if domain == DOMAIN), "")
    entries = _entries(hass, device)
    if not entries:
        raise control_error("control_unknown_device")
    entry = entries[0]
    settings = entry.runtime_data.settings
    if not control_allowed(entry) or settings is None:
        raise control_error("control_disabled")
    control = settings.control(serial)
    if control is None:
        refused = settings.current.refused.get(serial)
        raise control_error(
            "control_no_settings",
            reason=refused.reason if refused is not None else "unknown",
        )
    if kind not in FAMILY_KINDS[control.family]:
        raise control_error("control_not_supported", family=control.family)
    return Target(serial, control.family, settings)


async def _write(
    hass: HomeAssistant,
    call: ServiceCall,
    kind: SettingKind,
    parse: Callable[[Target, Mapping[str, Any]], Callable[[Setting], Setting]],
) -> None:
    """Write a whole schedule given in the call."""
    target = _target(hass, call, kind)
    try:
        build = parse(target, call.data)
    except DynessValidationError as err:
        raise translated(err) from err
    await guarded(target.settings.async_change(target.serial, kind, build))


async def _read[T: Setting](target: Target, kind: SettingKind, expected: type[T]) -> T:
    """Read a schedule fresh from the device."""
    value = await guarded(target.settings.async_read(target.serial, kind))
    if not isinstance(value, expected):
        raise TypeError(value)
    return value


def _parse_time_of_use(
    target: Target, data: Mapping[str, Any]
) -> Callable[[Setting], Setting]:
    """Return how a set_time_of_use call changes the schedule read fresh."""
    requested = schedule_from_data(
        data, work_mode=SCHEDULE_RULES[target.family].work_mode
    )

    rules = SCHEDULE_RULES[target.family]

    def _build(current: Setting) -> Setting:
        if not isinstance(current, TouSchedule):
            return requested
        groups = requested.groups
        if rules.soc_fields:
            # Depths and limits not given stay as the device has them.
            groups = tuple(
                keep_soc_fields(
                    group,
                    current.groups[index] if index < len(current.groups) else None,
                )
                for index, group in enumerate(groups)
            )
        # Without a work mode in the call, the device keeps its own.
        return replace(
            requested,
            groups=groups,
            work_mode=requested.work_mode or current.work_mode,
        )

    return _build


def _parse_heating(
    target: Target, data: Mapping[str, Any]
) -> Callable[[Setting], Setting]:
    """Return the heating periods of a set_heating_periods call."""
    requested = heating_from_data(data)
    return lambda _: requested


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the integration's service actions."""

    async def set_time_of_use(call: ServiceCall) -> None:
        """Replace the device's time-of-use groups."""
        await _write(hass, call, SettingKind.TOU_SCHEDULE, _parse_time_of_use)

    async def get_time_of_use(call: ServiceCall) -> ServiceResponse:
        """Return the device's time-of-use groups."""
        target = _target(hass, call, SettingKind.TOU_SCHEDULE)
        value = await _read(target, SettingKind.TOU_SCHEDULE, TouSchedule)
        return schedule_as_data(
            value, soc_fields=SCHEDULE_RULES[target.family].soc_fields
        )

    async def set_heating_periods(call: ServiceCall) -> None:
        """Replace the battery's heating periods."""
        await _write(hass, call, SettingKind.HEATING, _parse_heating)

    async def get_heating_periods(call: ServiceCall) -> ServiceResponse:
        """Return the battery's heating periods."""
        target = _target(hass, call, SettingKind.HEATING)
        return heating_as_data(
            await _read(target, SettingKind.HEATING, HeatingSchedule)
        )

    for name, writer, schema in (
        (SERVICE_SET_TIME_OF_USE, set_time_of_use, TIME_OF_USE_SCHEMA),
        (SERVICE_SET_HEATING_PERIODS, set_heating_periods, HEATING_SCHEMA),
    ):
        hass.services.async_register(DOMAIN, name, writer, schema=schema)
    # Reading actions take only the device and answer with what they read.
    for name, reader in (
        (SERVICE_GET_TIME_OF_USE, get_time_of_use),
        (SERVICE_GET_HEATING_PERIODS, get_heating_periods),
    ):
        hass.services.async_register(
            DOMAIN,
            name,
            reader,
            schema=DEVICE_SCHEMA,
            supports_response=SupportsResponse.ONLY,
        )
