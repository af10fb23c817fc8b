"""Handlers of the v2 `Get…Setting` / `Set…Setting` endpoints (doc §7)."""

from __future__ import annotations

from typing import Any

from .devices import Battery
from .endpoints import EMPTY_ID, INVALID, ApiError, Context, Handler, Route, denied
from .settings import DeviceSettings, Kind, SettingsError

NOT_CONFIGURED = "Device is not configured"
# operationPermission 0: the key may look but not control.
VIEW_ONLY = 0


def _device(
    ctx: Context, body: dict[str, Any], kind: Kind
) -> tuple[Battery, DeviceSettings]:
    """Return the battery and settings a body names (both v2 SN spellings)."""
    serial = body.get("deviceSn")
    if not isinstance(serial, str) or not serial.strip():
        raise ApiError("500", EMPTY_ID)
    battery = ctx.account.find(serial.strip())
    if battery is None:
        raise denied()
    if serial.strip() not in (battery.device_sn, battery.collector_sn):
        raise ApiError("500", INVALID)
    settings = battery.settings
    if settings is None or kind not in settings.kinds:
        raise ApiError("500", NOT_CONFIGURED)
    return battery, settings


def getter(kind: Kind) -> Handler:
    """Return the `Get…Setting` handler of a setting group."""

    def handler(ctx: Context, body: dict[str, Any]) -> Any:
        """Answer what the device reports (late on the Junior Box)."""
        _, settings = _device(ctx, body, kind)
        return settings.shown(kind, ctx.now)

    return handler


def setter(kind: Kind) -> Handler:
    """Return the `Set…Setting` handler of a setting group."""

    def handler(ctx: Context, body: dict[str, Any]) -> Any:
        """Check, apply and let the battery follow from its next slot."""
        battery, settings = _device(ctx, body, kind)
        if battery.operation_permission == VIEW_ONLY:
            raise denied()
        try:
            settings.write(kind, body, ctx.now)
        except SettingsError as err:
            raise ApiError("500", err.info) from err
        battery.settings_changed(ctx.now)
        return True

    return handler


SETTINGS_ROUTES: dict[str, Route] = {
    "/v2/GetBaseSetting": Route(getter("base")),
    "/v2/SetBaseSetting": Route(setter("base")),
    "/v2/GetWorkModeSetting": Route(getter("work")),
    "/v2/SetWorkModeSetting": Route(setter("work")),
    "/v2/GetBatterySetting": Route(getter("battery")),
    "/v2/SetBatterySetting": Route(setter("battery")),
}
