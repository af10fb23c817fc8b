"""Reads and writes of the v2 device settings over a `DynessClient`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final

from .client import DynessClient
from .exceptions import (
    DynessApiError,
    DynessAuthenticationError,
    DynessEndpointNotFoundError,
    DynessNotConfiguredError,
    DynessPermissionError,
    DynessV2UnavailableError,
)
from .scheduler import Priority
from .settings import (
    Setting,
    SettingKind,
    SettingsFamily,
)
from .settings_codec import (
    PATHS,
    decode_cygni_battery,
    decode_heating,
    decode_junior_box_base,
    decode_schedule,
    encode_cygni_battery,
    encode_heating,
    encode_junior_box_base,
    encode_schedule,
    is_not_configured,
)

_PERMISSION_WORDS: Final = ("permission", "not authori")

type Decoder = Callable[[SettingsFamily, Any], Setting]
type Encoder = Callable[[SettingsFamily, Any], dict[str, Any]]

DECODERS: Final[dict[SettingKind, Decoder]] = {
    SettingKind.JUNIOR_BOX_BASE: lambda _, data: decode_junior_box_base(data),
    SettingKind.TOU_SCHEDULE: decode_schedule,
    SettingKind.CYGNI_BATTERY: lambda _, data: decode_cygni_battery(data),
    SettingKind.HEATING: lambda _, data: decode_heating(data),
}
ENCODERS: Final[dict[SettingKind, Encoder]] = {
    SettingKind.JUNIOR_BOX_BASE: lambda _, value: encode_junior_box_base(value),
    SettingKind.TOU_SCHEDULE: encode_schedule,
    SettingKind.CYGNI_BATTERY: lambda _, value: encode_cygni_battery(value),
    SettingKind.HEATING: lambda _, value: encode_heating(value),
}


@contextmanager
def _settings_errors(path: str) -> Iterator[None]:
    """Map the answers that mean "no control for this device" to their errors."""
    try:
        yield
    except DynessEndpointNotFoundError as err:
        raise DynessV2UnavailableError(f"{path}: v2 is not offered") from err
    except DynessAuthenticationError as err:
        # The same key reads the device's data: a refusal here is about control.
        raise DynessPermissionError(f"{path}: no permission") from err
    except DynessApiError as err:
        if is_not_configured(err.info):
            raise DynessNotConfiguredError(f"{path}: {err.info}") from err
        if any(word in err.info.lower() for word in _PERMISSION_WORDS):
            raise DynessPermissionError(f"{path}: {err.info}") from err
        raise


class SettingsClient:
    """Typed v2 settings of one App ID, sharing its client and scheduler."""

    def __init__(self, client: DynessClient) -> None:
        """Use `client` for the signed calls."""
        self.client = client

    async def read(
        self,
        device_sn: str,
        family: SettingsFamily,
        kind: SettingKind,
        *,
        priority: Priority = Priority.EXTRA,
    ) -> Setting:
        """Read one setting group of a device."""
        path = PATHS[kind][0]
        with _settings_errors(path):
            data = await self.client.request(
                path, {"deviceSn": device_sn}, priority=priority
            )
        return DECODERS[kind](family, data)

    async def write(
        self,
        device_sn: str,
        family: SettingsFamily,
        kind: SettingKind,
        value: Setting,
    ) -> None:
        """Write one whole setting group at the scheduler's highest priority."""
        path = PATHS[kind][1]
        body = {"deviceSn": device_sn, **ENCODERS[kind](family, value)}
        with _settings_errors(path):
            data = await self.client.request(path, body, priority=Priority.CONTROL)
        if data is False:
            raise DynessApiError("200", f"{path}: the cloud refused the write")

    @staticmethod
    def as_sent(family: SettingsFamily, kind: SettingKind, value: Setting) -> Setting:
        """Return `value` as the device will report it back (through the wire form)."""
        return DECODERS[kind](family, ENCODERS[kind](family, value))

    async def read_as[T: Setting](
        self,
        device_sn: str,
        family: SettingsFamily,
        kind: SettingKind,
        expected: type[T],
        *,
        priority: Priority = Priority.EXTRA,
    ) -> T:
        """Read one setting group as its model type."""
        value = await self.read(device_sn, family, kind, priority=priority)
        if not isinstance(value, expected):
            raise TypeError(f"{kind} is not read as {expected.__name__}")
        return value
