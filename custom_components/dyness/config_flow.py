"""Config flow of the Dyness battery integration."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.core import callback

from .api import (
    DynessApiError,
    DynessAuthenticationError,
    DynessClient,
    DynessError,
    DynessRateLimitError,
    StorageDevice,
    is_master_sn,
)
from .const import (
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BASE_URL,
    CONF_BATTERIES,
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    CONF_REGION,
    DOMAIN,
    LOGGER,
)
from .data import BatteryConfig
from .flow_forms import (
    CONF_ADD_MANUALLY,
    MANUAL_SCHEMA,
    OPTIONS_SCHEMA,
    REAUTH_SCHEMA,
    batteries_schema,
    credentials_schema,
    options_from_input,
)
from .helpers import async_list_devices, create_client


def _error_key(err: Exception) -> str:
    """Map an error of a validation call to a translated form error key."""
    if isinstance(err, DynessAuthenticationError):
        return "invalid_auth"
    if isinstance(err, DynessRateLimitError):
        return "rate_limited"
    if isinstance(err, DynessError):
        LOGGER.debug("Validation failed: %s", err)
        return "cannot_connect"
    LOGGER.exception("Unexpected error while talking to the Dyness cloud")
    return "unknown"


def _credentials(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """Return the stored form of the key, region and optional base URL."""
    credentials = {
        CONF_API_ID: user_input[CONF_API_ID].strip(),
        CONF_API_SECRET: user_input[CONF_API_SECRET].strip(),
        CONF_REGION: user_input[CONF_REGION],
    }
    if base_url := (user_input.get(CONF_BASE_URL) or "").strip():
        credentials[CONF_BASE_URL] = base_url
    return credentials


def _batteries_offered(devices: list[StorageDevice]) -> list[StorageDevice]:
    """Return the BMS/BDU masters; if the account lists none, every device."""
    masters = [device for device in devices if device.is_master]
    return masters or devices


def _label(device: StorageDevice) -> str:
    """Return how a discovered battery is shown in the picker."""
    model = device.model_name or "Dyness"
    return f"{model} ({device.device_sn})"


def _battery_entry(device: StorageDevice) -> dict[str, Any]:
    """Return the stored form of a discovered battery."""
    return BatteryConfig.from_device(device).as_dict()


def _configured(entry: ConfigEntry) -> list[BatteryConfig]:
    """Return the batteries an entry holds."""
    return [BatteryConfig.from_dict(item) for item in entry.data[CONF_BATTERIES]]


def _same_account(
    entry: ConfigEntry, credentials: Mapping[str, Any], devices: list[StorageDevice]
) -> bool:
    """Return whether a key is the entry's own or lists one of its batteries."""
    if credentials[CONF_API_ID] == entry.unique_id:
        return True
    listed = {device.device_sn for device in devices}
    return any(battery.device_sn in listed for battery in _configured(entry))


class DynessConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up the batteries of one Dyness App ID."""

    VERSION = 1
    MINOR_VERSION = 1

    def __init__(self) -> None:
        """Initialise the flow."""
        self._credentials: dict[str, Any] = {}
        self._devices: list[StorageDevice] = []
        self._chosen: list[dict[str, Any]] = []

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> DynessOptionsFlow:
        """Return the options flow."""
        return DynessOptionsFlow()

    def _client(self, data: Mapping[str, Any]) -> DynessClient:
        """Return a client for the credentials being validated."""
        return create_client(self.hass, data)

    async def _account_devices(
        self,
        credentials: Mapping[str, Any],
        errors: dict[str, str],
        *,
        allow_empty: bool = False,
    ) -> list[StorageDevice] | None:
        """Return the account's devices; None, with the error noted, when unreachable."""
        try:
            devices = await async_list_devices(self.hass, self._client(credentials))
        except Exception as err:  # noqa: BLE001
            errors["base"] = _error_key(err)
            return None
        if not devices and not allow_empty:
            errors["base"] = "no_devices"
        return devices

    async def _offer(
        self,
        credentials: dict[str, Any],
        devices: list[StorageDevice],
        step: Callable[[], Awaitable[ConfigFlowResult]],
    ) -> ConfigFlowResult:
        """Keep the accepted credentials and go on to offer the batteries."""
        self._credentials = credentials
        self._devices = _batteries_offered(devices)
        return await step()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the App ID and secret and list the account's batteries."""
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = _credentials(user_input)
            devices = await self._account_devices(credentials, errors)
            if devices is not None:
                # Only a key the cloud accepted claims the App ID, and a new
                # attempt takes over from one left open in another tab.
                await self.async_set_unique_id(
                    credentials[CONF_API_ID], raise_on_progress=False
                )
                self._abort_if_unique_id_configured()
            if devices:
                return await self._offer(
                    credentials, devices, self.async_step_batteries
                )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                credentials_schema(advanced=self.show_advanced_options), user_input
            ),
            errors=errors,
        )

    async def async_step_batteries(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Let the user pick batteries, or go on to enter one by hand."""
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = set(user_input.get(CONF_BATTERIES, []))
            self._chosen = [
                _battery_entry(device)
                for device in self._devices
                if device.device_sn in chosen
            ]
            if user_input.get(CONF_ADD_MANUALLY):
                return await self.async_step_manual()
            if self._chosen:
                return self._create_entry()
            errors["base"] = "no_selection"
        labels = {device.device_sn: _label(device) for device in self._devices}
        schema = batteries_schema(labels, ticked=list(labels), add_manually=True)
        return self.async_show_form(
            step_id="batteries", data_schema=schema, errors=errors
        )

    async def async_step_manual(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Add a battery the account's device list does not show."""
        errors: dict[str, str] = {}
        if user_input is not None:
            device_sn = user_input[CONF_DEVICE_SN].strip().upper()
            dongle_sn = (user_input.get(CONF_DONGLE_SN) or "").strip().upper() or None
            if not is_master_sn(device_sn):
                errors[CONF_DEVICE_SN] = "invalid_serial"
            else:
                try:
                    await self._validate_manual(device_sn, dongle_sn)
                except (DynessAuthenticationError, DynessApiError, LookupError):
                    # The App ID was accepted a step earlier: a refusal is the serial's.
                    errors[CONF_DEVICE_SN] = "device_not_found"
                except Exception as err:  # noqa: BLE001
                    errors["base"] = _error_key(err)
                else:
                    if all(item[CONF_DEVICE_SN] != device_sn for item in self._chosen):
                        self._chosen.append(
                            BatteryConfig(
                                device_sn=device_sn, dongle_sn=dongle_sn
                            ).as_dict()
                        )
                    return self._create_entry()
        return self.async_show_form(
            step_id="manual",
            data_schema=self.add_suggested_values_to_schema(MANUAL_SCHEMA, user_input),
            errors=errors,
        )

    async def _validate_manual(self, device_sn: str, dongle_sn: str | None) -> None:
        """Bind a hand-entered battery and check that it delivers live data."""
        client = self._client(self._credentials)
        await client.bind_device(device_sn, dongle_sn)
        snapshot = await client.get_realtime_data(device_sn)
        if not snapshot.points:
            raise LookupError(device_sn)

    def _create_entry(self) -> ConfigFlowResult:
        """Create the entry for the chosen batteries."""
        return self.async_create_entry(
            title=f"Dyness {self._credentials[CONF_API_ID][-4:]}",
            data={**self._credentials, CONF_BATTERIES: self._chosen},
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start reauthentication after the cloud refused the credentials."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new App Secret (and App ID if it changed)."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data = {
                **entry.data,
                CONF_API_ID: user_input[CONF_API_ID].strip(),
                CONF_API_SECRET: user_input[CONF_API_SECRET].strip(),
            }
            devices = await self._account_devices(data, errors, allow_empty=True)
            if devices is not None and not _same_account(entry, data, devices):
                errors["base"] = "wrong_account"
            elif devices is not None:
                if data[CONF_API_ID] != entry.unique_id:
                    await self.async_set_unique_id(data[CONF_API_ID])
                    self._abort_if_unique_id_configured()
                return self.async_update_reload_and_abort(
                    entry,
                    unique_id=data[CONF_API_ID],
                    data_updates={
                        CONF_API_ID: data[CONF_API_ID],
                        CONF_API_SECRET: data[CONF_API_SECRET],
                    },
                )
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=self.add_suggested_values_to_schema(
                REAUTH_SCHEMA, {CONF_API_ID: entry.data[CONF_API_ID]}
            ),
            description_placeholders={"account": entry.title},
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the key, region or base URL, then the batteries."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            # An empty secret keeps the stored one: it is shown only once at creation.
            credentials = _credentials(
                {
                    **user_input,
                    CONF_API_SECRET: user_input.get(CONF_API_SECRET)
                    or entry.data[CONF_API_SECRET],
                }
            )
            if not self.show_advanced_options and entry.data.get(CONF_BASE_URL):
                # The field is hidden outside advanced mode; keep what is stored.
                credentials[CONF_BASE_URL] = entry.data[CONF_BASE_URL]
            devices = await self._account_devices(credentials, errors)
            if devices:
                await self._abort_if_other_account(entry, credentials, devices)
                return await self._offer(
                    credentials, devices, self.async_step_reconfigure_batteries
                )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                credentials_schema(
                    advanced=self.show_advanced_options, reconfigure=True
                ),
                {
                    key: value
                    for key, value in (user_input or entry.data).items()
                    if key != CONF_API_SECRET
                },
            ),
            description_placeholders={"account": entry.title},
            errors=errors,
        )

    async def _abort_if_other_account(
        self,
        entry: ConfigEntry,
        credentials: Mapping[str, Any],
        devices: list[StorageDevice],
    ) -> None:
        """Abort when a new App ID belongs to another account or another entry."""
        app_id = credentials[CONF_API_ID]
        await self.async_set_unique_id(app_id, raise_on_progress=False)
        if app_id == entry.unique_id:
            return
        if _same_account(entry, credentials, devices):
            # A new key of the same account, as after rotating it.
            self._abort_if_unique_id_configured()
        else:
            self._abort_if_unique_id_mismatch(reason="wrong_account")

    async def async_step_reconfigure_batteries(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose which batteries stay included; serials of kept ones do not change."""
        entry = self._get_reconfigure_entry()
        stored = {battery.device_sn: battery for battery in _configured(entry)}
        listed = {device.device_sn: device for device in self._devices}
        labels = {
            serial: f"{battery.model or 'Dyness'} ({serial})"
            for serial, battery in stored.items()
        } | {s: _label(d) for s, d in listed.items() if s not in stored}
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = set(user_input.get(CONF_BATTERIES, []))
            batteries = [
                stored[serial].as_dict()
                if serial in stored
                else _battery_entry(listed[serial])
                for serial in labels
                if serial in chosen
            ]
            if batteries:
                data = {
                    **{k: v for k, v in entry.data.items() if k != CONF_BASE_URL},
                    **self._credentials,
                    CONF_BATTERIES: batteries,
                }
                if {**entry.data, CONF_BATTERIES: batteries} == data:
                    # Only the choice of batteries changed: the running entry
                    # adds or drops them without a reload.
                    self.hass.config_entries.async_update_entry(entry, data=data)
                    return self.async_abort(reason="reconfigure_successful")
                return self.async_update_reload_and_abort(
                    entry, unique_id=self._credentials[CONF_API_ID], data=data
                )
            errors["base"] = "no_selection"
        schema = batteries_schema(labels, ticked=list(stored), add_manually=False)
        return self.async_show_form(
            step_id="reconfigure_batteries", data_schema=schema, errors=errors
        )


class DynessOptionsFlow(OptionsFlow):
    """Change how the integration treats the data of the batteries."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the alarm debounce, the API calls per hour and control."""
        if user_input is not None:
            return self.async_create_entry(
                data=options_from_input(self.config_entry.options, user_input)
            )
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, self.config_entry.options
            ),
        )
