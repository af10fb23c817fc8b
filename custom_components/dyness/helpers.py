"""Shared construction of the API client for setup and config flows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .api import CallThrottle, DynessClient, Region
from .const import (
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BASE_URL,
    CONF_REGION,
    DOMAIN,
    REQUEST_TIMEOUT,
)

THROTTLES: HassKey[dict[str, CallThrottle]] = HassKey(f"{DOMAIN}_throttles")


def get_throttle(hass: HomeAssistant, app_id: str) -> CallThrottle:
    """Return the one throttle that every user of this App ID shares."""
    throttles = hass.data.setdefault(THROTTLES, {})
    if app_id not in throttles:
        throttles[app_id] = CallThrottle()
    return throttles[app_id]


def create_client(hass: HomeAssistant, data: Mapping[str, Any]) -> DynessClient:
    """Build a client from config entry or flow data, on Home Assistant's session."""
    app_id = str(data[CONF_API_ID])
    return DynessClient(
        app_id,
        str(data[CONF_API_SECRET]),
        session=async_get_clientsession(hass),
        region=Region(data.get(CONF_REGION, Region.EUROPE)),
        base_url=data.get(CONF_BASE_URL) or None,
        request_timeout=REQUEST_TIMEOUT,
        throttle=get_throttle(hass, app_id),
    )
