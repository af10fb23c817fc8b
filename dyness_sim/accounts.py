"""API keys (accounts) with their batteries, and the default scenario.

All serial numbers, IDs and secrets here are invented for the simulator.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import MODELS
from .devices import Battery
from .station import Station

DEFAULT_APP_ID = "10000000000042"
# Invented credentials of the simulated accounts, not secrets of any real key.
DEFAULT_APP_SECRET = "5f3c9a1e7b2d4c6e8a0f1b3d5e7c9a1"  # noqa: S105
EMPTY_APP_ID = "10000000000077"
EMPTY_APP_SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f9"  # noqa: S105
DEFAULT_SEED = 20260321

POWERHAUS_DONGLE_SN = "R07E3A7C1F20B415"
POWERHAUS_SN = f"{POWERHAUS_DONGLE_SN}-BMS"
POWERHAUS_MODULE_SNS = ("l300260114000417",)
DL5_DONGLE_SN = "R07E5D2B9E84C730"
DL5_SN = f"{DL5_DONGLE_SN}-BMS"
DL5_MODULE_SNS = ("0106032603100101", "0106032603100102", "0106032603100103")


@dataclass(slots=True)
class Account:
    """One API key: App ID, secret and the batteries bound to it."""

    app_id: str
    secret: str
    devices: list[Battery] = field(default_factory=list)

    def find(self, serial: str) -> Battery | None:
        """Return the battery owning `serial` (master, dongle or module SN)."""
        for battery in self.devices:
            if serial in battery.serials:
                return battery
        return None


def default_accounts(seed: int = DEFAULT_SEED) -> list[Account]:
    """Return the default scenario: a PowerHaus and a DL5.0C, plus an empty key."""
    home = Station(
        station_id="1742000000000101",
        name="Sonnenhof",
        position="Berlin, Germany",
        pv_kwp=4.0,
        installed_power="1.0",
        inverter_max_w=2500.0,
    )
    workshop = Station(
        station_id="1742000000000102",
        name="Werkstatt",
        position="Potsdam, Germany",
        pv_kwp=6.0,
        load_scale=2.2,
        installed_power="6.0",
        inverter_max_w=5000.0,
    )
    powerhaus = Battery(
        spec=MODELS["PowerHaus"],
        collector_sn=POWERHAUS_DONGLE_SN,
        module_sns=POWERHAUS_MODULE_SNS,
        station=home,
        seed=seed + 1,
        phase_s=47,
        initial_soc=62.0,
        firmware="2.50-62.0.14",
        module_firmware="2.50-62.0.14",
        device_name="PowerHaus",
        create_time="2026-01-14 09:12:33",
        lifetime_charged_kwh=412.37,
        lifetime_discharged_kwh=391.05,
        initial_cycles=76,
    )
    dl5 = Battery(
        spec=MODELS["DL5.0C"],
        collector_sn=DL5_DONGLE_SN,
        module_sns=DL5_MODULE_SNS,
        station=workshop,
        seed=seed + 2,
        phase_s=163,
        initial_soc=35.0,
        firmware="24.9-26.8.3",
        module_firmware="24.9-26.8.3",
        device_name="DL5.0C",
        create_time="2025-11-03 14:40:08",
        lifetime_charged_kwh=1588.6,
        lifetime_discharged_kwh=1519.42,
        initial_cycles=98,
    )
    return [
        Account(DEFAULT_APP_ID, DEFAULT_APP_SECRET, [powerhaus, dl5]),
        Account(EMPTY_APP_ID, EMPTY_APP_SECRET, []),
    ]
