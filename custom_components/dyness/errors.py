"""Client errors: where they become Home Assistant's, and which a cycle survives.

Every coordinator of an entry derives from `DynessBaseCoordinator`, the one
place that maps client errors to translated Home Assistant exceptions.
"""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .api import (
    DynessApiError,
    DynessAuthenticationError,
    DynessBudgetError,
    DynessClient,
    DynessError,
    DynessRateLimitError,
    DynessResponseError,
)
from .const import DOMAIN, LOGGER, Repair

# The cloud refuses a `Date` about 15 minutes off; beyond this a 401 is the clock's.
CLOCK_SKEW_LIMIT = 300.0


def clock_skew(err: DynessAuthenticationError) -> float | None:
    """Return the answer's `Date` minus the local clock when that explains a 401."""
    offset = err.clock_offset
    return offset if offset is not None and abs(offset) > CLOCK_SKEW_LIMIT else None


def _minutes(offset: float) -> str:
    """Format a clock offset in whole minutes, signed."""
    return f"{round(offset / 60):+d}"


def refused_for_clock(
    hass: HomeAssistant, entry: ConfigEntry, err: DynessAuthenticationError
) -> bool:
    """Raise the "clock is off" repair when a skewed clock explains a 401."""
    offset = clock_skew(err)
    if offset is None:
        return False
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{Repair.CLOCK}_{entry.entry_id}",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key=Repair.CLOCK,
        translation_placeholders={"offset": _minutes(offset)},
    )
    return True


def clear_clock_issue(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Delete the "clock is off" repair once the cloud accepts a call again."""
    ir.async_delete_issue(hass, DOMAIN, f"{Repair.CLOCK}_{entry.entry_id}")


def _seconds(value: float | None) -> str:
    """Format a delay for a translated message."""
    return "?" if value is None else str(round(value))


def _translated(err: DynessError) -> ConfigEntryAuthFailed | UpdateFailed:
    """Return the Home Assistant exception that stands for a client error."""
    if (
        isinstance(err, DynessAuthenticationError)
        and (offset := clock_skew(err)) is not None
    ):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="clock_off",
            translation_placeholders={"offset": _minutes(offset)},
        )
    if isinstance(err, DynessAuthenticationError):
        return ConfigEntryAuthFailed(
            translation_domain=DOMAIN, translation_key="invalid_auth"
        )
    if isinstance(err, DynessRateLimitError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="rate_limited",
            translation_placeholders={"retry_after": _seconds(err.retry_after)},
        )
    if isinstance(err, DynessApiError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="api_error",
            translation_placeholders={"error": err.info or err.code},
        )
    if isinstance(err, DynessResponseError):
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key="invalid_response",
            translation_placeholders={"error": str(err)},
        )
    return UpdateFailed(
        translation_domain=DOMAIN,
        translation_key="communication_error",
        translation_placeholders={"error": str(err)},
    )


class DynessBaseCoordinator[DataT](DataUpdateCoordinator[DataT]):
    """A coordinator of one config entry whose client errors become HA errors."""

    config_entry: ConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        client: DynessClient,
        *,
        name: str,
        update_interval: timedelta | None,
        always_update: bool = True,
    ) -> None:
        """Name the coordinator after its entry."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{DOMAIN} {entry.title}{name}",
            update_interval=update_interval,
            always_update=always_update,
        )
        self.client = client

    async def _async_update_data(self) -> DataT:
        """Fetch, turning client errors into translated Home Assistant errors."""
        try:
            return await self._async_fetch()
        except DynessError as err:
            if isinstance(err, DynessAuthenticationError):
                refused_for_clock(self.hass, self.config_entry, err)
            raise _translated(err) from err

    async def _async_fetch(self) -> DataT:
        """Fetch the coordinator's data from the cloud."""
        raise NotImplementedError


async def optional[R](
    call: Awaitable[R],
    what: str,
    *,
    limit_stops: bool = True,
    budget_stops: bool = True,
) -> R | None:
    """Return a call's answer; None when it failed in a way the cycle survives.

    A refused key always stops the cycle; a 429 (`limit_stops`) and the local
    budget's refusal (`budget_stops`) stop it unless the caller can wait for
    its turn; any other error only leaves this piece of data as it was.
    """
    try:
        return await call
    except DynessAuthenticationError:
        raise
    except DynessRateLimitError as err:
        budget = isinstance(err, DynessBudgetError)
        if budget_stops if budget else limit_stops:
            raise
        LOGGER.debug("%s waits for the budget or the rate limit: %s", what, err)
    except DynessError as err:
        LOGGER.debug("%s not read: %s", what, err)
    return None


async def extra[R](call: Awaitable[R], what: str) -> R | None:
    """Return a call's answer; None on any failure but a refused key (it can wait)."""
    return await optional(call, what, limit_stops=False, budget_stops=False)
