"""Constants for the Dyness battery integration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
import logging
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class WholeOption:
    """An option that holds a whole number: its default and its range."""

    key: str
    default: int
    low: int
    high: int

    def read(self, options: Mapping[str, Any]) -> int:
        """Return the option within its range; the default when unset or malformed."""
        try:
            value = int(options.get(self.key, self.default))
        except (TypeError, ValueError):
            value = self.default
        return min(self.high, max(self.low, value))


DOMAIN: Final = "dyness"
LOGGER = logging.getLogger(__package__)
MANUFACTURER: Final = "Dyness"

CONF_API_ID: Final = "api_id"
CONF_API_SECRET: Final = "api_secret"  # noqa: S105
CONF_REGION: Final = "region"
CONF_BASE_URL: Final = "base_url"
CONF_BATTERIES: Final = "batteries"
CONF_DEVICE_SN: Final = "device_sn"
CONF_DONGLE_SN: Final = "dongle_sn"
CONF_MODEL: Final = "model"
CONF_MODEL_CODE: Final = "model_code"
CONF_ALARM_DEBOUNCE: Final = "alarm_debounce"
CONF_ALLOW_CONTROL: Final = "allow_control"
CONF_CALLS_PER_HOUR: Final = "calls_per_hour"

UPDATE_INTERVAL: Final = timedelta(minutes=5)
# Model, firmware and the cloud's online flag change rarely; samples show liveness.
STATIC_INTERVAL: Final = timedelta(hours=2)
SIGNAL_INTERVAL: Final = timedelta(minutes=30)
REQUEST_TIMEOUT: Final = 20.0

STANDBY_CURRENT: Final = 0.3
# At the top of charge the BMS balances: high-voltage warnings and a wide cell
# spread are expected there (docs/api.md Q14).
TOP_OF_CHARGE_SOC: Final = 99.0

# Samples a warning must hold before it shows.
ALARM_DEBOUNCE: Final = WholeOption(CONF_ALARM_DEBOUNCE, default=2, low=1, high=12)
# The API calls per hour the App ID may make; only 2 per second is documented.
CALLS_PER_HOUR: Final = WholeOption(CONF_CALLS_PER_HOUR, default=60, low=20, high=3600)

OFFLINE_ISSUE_AFTER: Final = timedelta(hours=1)
IMBALANCE_ISSUE_AFTER: Final = timedelta(hours=1)
IMBALANCE_SPREAD_MV: Final = 20.0
FIRMWARE_CHECK_INTERVAL: Final = timedelta(days=1)
FIRMWARE_RETRY_INTERVAL: Final = timedelta(hours=1)


class Repair(StrEnum):
    """The repair issues the integration raises, by their translation key."""

    UNKNOWN_MODEL = "unknown_model"
    BUDGET = "budget_stretched"
    CLOCK = "clock_off"
    NOT_ON_ACCOUNT = "not_on_account"
    BATTERY_OFFLINE = "battery_offline"
    CELL_IMBALANCE = "cell_imbalance"


# Battery settings (issue 15): read every 30 minutes; a device without control
# is asked again at most once a day.
SETTINGS_INTERVAL: Final = timedelta(minutes=30)
CONTROL_PROBE_INTERVAL: Final = timedelta(days=1)
EVENT_SETTING_CHANGED: Final = f"{DOMAIN}_setting_changed"
