"""Where settings errors of the client become translated Home Assistant errors."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

from .api import DynessError, DynessRateLimitError
from .api.exceptions import (
    DynessControlUnavailableError,
    DynessReadBackError,
    DynessValidationError,
    DynessWriteRateLimitError,
)
from .const import DOMAIN


def _error[E: HomeAssistantError](kind: type[E], key: str, **placeholders: object) -> E:
    """Return a translated error of the integration's domain."""
    return kind(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={k: str(v) for k, v in placeholders.items()},
    )


def control_error(key: str, **placeholders: object) -> ServiceValidationError:
    """Return a translated refusal of a request (nothing was sent)."""
    return _error(ServiceValidationError, key, **placeholders)


def translated(err: DynessError) -> HomeAssistantError:
    """Return the translated Home Assistant error of a failed settings call."""
    if isinstance(err, DynessValidationError):
        return control_error(err.translation_key, **err.placeholders)
    if isinstance(err, DynessWriteRateLimitError):
        allowed = dt_util.now() + timedelta(seconds=err.retry_after)
        return control_error(
            "control_rate_capped",
            seconds=round(err.retry_after),
            time=allowed.strftime("%H:%M:%S"),
        )
    if isinstance(err, DynessReadBackError):
        return _error(HomeAssistantError, "control_read_back", reported=err.reported)
    if isinstance(err, DynessControlUnavailableError):
        return _error(HomeAssistantError, "control_unavailable", reason=err.reason)
    if isinstance(err, DynessRateLimitError):
        return _error(HomeAssistantError, "control_busy", error=err)
    return _error(HomeAssistantError, "control_failed", error=err)


async def guarded[R](call: Awaitable[R]) -> R:
    """Await a settings call, raising its translated error on failure."""
    try:
        return await call
    except DynessError as err:
        raise translated(err) from err
