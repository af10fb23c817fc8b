"""What the in-process benchmarks share: a battery's data as the coordinator holds it.

Import it after the repository is on the path and our package is imported.
"""

from __future__ import annotations

from datetime import datetime

from custom_components.dyness.api import RealtimeSnapshot
from custom_components.dyness.data import BatteryConfig, BatteryData
from custom_components.dyness.model_table import detect
from dyness_sim import Battery


def battery_data(battery: Battery, now: datetime) -> BatteryData | None:
    """Return what the coordinator would hold after a poll at `now`."""
    snapshot = RealtimeSnapshot.from_api(
        battery.device_sn, battery.points(battery.device_sn, now)
    )
    if snapshot.timestamp is None:
        return None
    detection = detect(battery.model_name, str(battery.model_code), snapshot)
    return BatteryData(
        config=BatteryConfig(device_sn=battery.device_sn),
        detection=detection,
        realtime=snapshot,
    )
