"""The forms of the config and options flows: their fields and selectors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import voluptuous as vol

from .api import Region
from .const import (
    ALARM_DEBOUNCE,
    CALLS_PER_HOUR,
    CONF_ALARM_DEBOUNCE,
    CONF_ALLOW_CONTROL,
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BASE_URL,
    CONF_BATTERIES,
    CONF_CALLS_PER_HOUR,
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    CONF_REGION,
    WholeOption,
)

CONF_ADD_MANUALLY = "add_manually"

REGION_SELECTOR = SelectSelector(
    SelectSelectorConfig(
        options=[region.value for region in Region],
        translation_key=CONF_REGION,
        mode=SelectSelectorMode.DROPDOWN,
    )
)
TEXT = TextSelector(TextSelectorConfig(autocomplete="off"))
PASSWORD = TextSelector(
    TextSelectorConfig(type=TextSelectorType.PASSWORD, autocomplete="off")
)
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL, autocomplete="off"))


def _picker(labels: Mapping[str, str]) -> SelectSelector:
    """Return a list of batteries (serial → label) to tick."""
    return SelectSelector(
        SelectSelectorConfig(
            options=[
                SelectOptionDict(value=serial, label=label)
                for serial, label in labels.items()
            ],
            multiple=True,
            mode=SelectSelectorMode.LIST,
        )
    )


def _whole_number(option: WholeOption) -> NumberSelector:
    """Return a box for a whole number within the option's range."""
    return NumberSelector(
        NumberSelectorConfig(
            min=option.low, max=option.high, step=1, mode=NumberSelectorMode.BOX
        )
    )


def credentials_schema(*, advanced: bool, reconfigure: bool = False) -> vol.Schema:
    """Return the key form of the user step; reconfigure may keep the secret."""
    secret = vol.Optional if reconfigure else vol.Required
    fields: dict[vol.Marker, Any] = {
        vol.Required(CONF_API_ID): TEXT,
        secret(CONF_API_SECRET): PASSWORD,
        vol.Required(CONF_REGION, default=Region.EUROPE.value): REGION_SELECTOR,
    }
    if advanced:
        fields[vol.Optional(CONF_BASE_URL)] = URL
    return vol.Schema(fields)


def batteries_schema(
    labels: Mapping[str, str], *, ticked: list[str], add_manually: bool
) -> vol.Schema:
    """Return the battery choice, optionally with the way to add one by hand."""
    fields: dict[vol.Marker, Any] = {
        vol.Optional(CONF_BATTERIES, default=ticked): _picker(labels)
    }
    if add_manually:
        fields[vol.Optional(CONF_ADD_MANUALLY, default=False)] = BooleanSelector()
    return vol.Schema(fields)


MANUAL_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_DEVICE_SN): TEXT,
        vol.Optional(CONF_DONGLE_SN): TEXT,
    }
)

REAUTH_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_API_ID): TEXT,
        vol.Required(CONF_API_SECRET): PASSWORD,
    }
)

OPTIONS_SCHEMA = vol.Schema(
    {
        vol.Required(
            CONF_ALARM_DEBOUNCE, default=ALARM_DEBOUNCE.default
        ): _whole_number(ALARM_DEBOUNCE),
        vol.Required(
            CONF_CALLS_PER_HOUR, default=CALLS_PER_HOUR.default
        ): _whole_number(CALLS_PER_HOUR),
        vol.Required(CONF_ALLOW_CONTROL, default=False): BooleanSelector(),
    }
)


def options_from_input(
    options: Mapping[str, Any], user_input: Mapping[str, Any]
) -> dict[str, Any]:
    """Return the entry's options with the answers of the options form."""
    return {
        **options,
        CONF_ALARM_DEBOUNCE: int(user_input[CONF_ALARM_DEBOUNCE]),
        CONF_ALLOW_CONTROL: bool(user_input[CONF_ALLOW_CONTROL]),
        CONF_CALLS_PER_HOUR: int(user_input[CONF_CALLS_PER_HOUR]),
    }
