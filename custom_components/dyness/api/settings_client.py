"""Reads and writes of the v2 device settings over a `DynessClient`."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Final, cast

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
    CygniBattery,
    HeatingSchedule,
    JuniorBoxBase,
    Setting,
    SettingKind,
    SettingsFamily,
    TouSchedule,
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

    async def get_junior_box_base(self, device_sn: str) -> JuniorBoxBase:
        """Read the Junior Box power limit and discharge depth."""
        value = await self.read(
            device_sn, SettingsFamily.JUNIOR_BOX, SettingKind.JUNIOR_BOX_BASE
        )
        return cast("JuniorBoxBase", value)

    async def set_junior_box_base(self, device_sn: str, base: JuniorBoxBase) -> None:
        """Write the Junior Box power limit and discharge depth."""
        await self.write(
            device_sn, SettingsFamily.JUNIOR_BOX, SettingKind.JUNIOR_BOX_BASE, base
        )

    async def get_schedule(self, device_sn: str, family: SettingsFamily) -> TouSchedule:
        """Read the time-of-use groups of a Junior Box or Cygni."""
        value = await self.read(device_sn, family, SettingKind.TOU_SCHEDULE)
        return cast("TouSchedule", value)

    async def set_schedule(
        self, device_sn: str, family: SettingsFamily, schedule: TouSchedule
    ) -> None:
        """Write the time-of-use groups of a Junior Box or Cygni."""
        await self.write(device_sn, family, SettingKind.TOU_SCHEDULE, schedule)

    async def get_cygni_battery(self, device_sn: str) -> CygniBattery:
        """Read the Cygni depths and charge limits."""
        value = await self.read(
            device_sn, SettingsFamily.CYGNI, SettingKind.CYGNI_BATTERY
        )
        return cast("CygniBattery", value)

    async def set_cygni_battery(self, device_sn: str, settings: CygniBattery) -> None:
        """Write the Cygni depths and charge limits."""
        await self.write(
            device_sn, SettingsFamily.CYGNI, SettingKind.CYGNI_BATTERY, settings
        )

    async def get_heating(self, device_sn: str) -> HeatingSchedule:
        """Read the heating periods of a low-voltage battery."""
        value = await self.read(
            device_sn, SettingsFamily.LV_HEATING, SettingKind.HEATING
        )
        return cast("HeatingSchedule", value)

    async def set_heating(self, device_sn: str, schedule: HeatingSchedule) -> None:
        """Write the heating periods of a low-voltage battery."""
        await self.write(
            device_sn, SettingsFamily.LV_HEATING, SettingKind.HEATING, schedule
        )
