"""A station (site) of the cloud: where batteries stand, its time zone and PV."""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class Station:
    """One site: identity as the API reports it, local time zone and PV size."""

    station_id: str
    name: str
    position: str
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Berlin"))
    pv_kwp: float = 4.0
    load_scale: float = 1.0
    installed_power: str = "1.0"
    inverter_total_power: str = "0.000"
    # Power the hybrid inverter can push into / pull out of the battery.
    inverter_max_w: float = 3000.0
