"""A station (site) of the cloud: where batteries stand, its time zone and PV."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from .physics import Household, appliances, load_power, pv_power


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
    household: Household = "regular"

    def pv_w(self, local: datetime, seed: int) -> float:
        """Return the PV output (W) at local time `local`."""
        return pv_power(local, seed, self.pv_kwp, self.household)

    def load_w(self, local: datetime, seed: int) -> float:
        """Return the household load (W) at local time `local`.

        Big appliances draw the same whatever the size of the household.
        """
        scaled = load_power(local, seed, self.household) * self.load_scale
        if self.household == "varied":
            scaled += appliances(local, seed)
        return scaled
