"""Replay each model's fixture folder through the parsers, detection and guard."""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path
from typing import Any

import pytest

from custom_components.dyness.api import PowerRecord, RealtimeSnapshot, RunningData
from custom_components.dyness.api.models import DeviceDetail, StorageDevicePage
from custom_components.dyness.data import BatteryConfig, BatteryData, ModuleData
from custom_components.dyness.families import Metric
from custom_components.dyness.model_table import detect
from custom_components.dyness.plausibility import family_checks, guard, module_checks
from custom_components.dyness.records_clock import RecordsView, newest_filled

FIXTURES = Path(__file__).parent / "fixtures" / "models"

# Folder → (layout, cells per module) re-typed from docs/api.md §8.
EXPECTED = {
    "powerhaus": ("lv_bms", 16),
    "dl5_0c": ("lv_bms", 16),
    "powerbox_pro": ("lv_bms", 16),
    "powerdepot_g2": ("lv_bms", 16),
    "junior_box": ("junior_box", 16),
    "powerbox_g2_variant_a": ("lv_bms", 16),
    "powerbox_g2_variant_b": ("lv_5digit", None),
    "powerbrick_variant_a": ("lv_bms", 16),
    "powerbrick_variant_b": ("lv_5digit", None),
    "powerbrick_sc": ("lv_5digit", None),
    "powerbrick_plus": ("lv_5digit", None),
    "tower_t14": ("hv_tower", 30),
    "tower_t21": ("hv_tower", 30),
    "tower_pro_tp7": ("hv_tower_pro", 30),
    "stack100_7s": ("stack100", 16),
    "cygni_10_0hs_m8": ("cygni", None),
}


def _load(folder: Path, name: str) -> Any:
    """Return one captured answer."""
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def test_every_model_has_a_folder() -> None:
    """The fixture folders and the expectations list the same models."""
    assert {path.name for path in FIXTURES.iterdir()} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_folder(name: str) -> None:
    """A model's captured answers parse, detect and read plausibly."""
    folder = FIXTURES / name
    layout, cells_per_module = EXPECTED[name]
    page = StorageDevicePage.from_api(_load(folder, "storage_list"))
    # Masters end in -BMS/-BDU; a Cygni inverter is listed under its own SN.
    device = next(
        (device for device in page.devices if device.is_master), page.devices[0]
    )
    snapshot = RealtimeSnapshot.from_api(device.device_sn, _load(folder, "realtime"))
    detection = detect(device.model_name, device.model_code, snapshot)
    assert detection.family.key == layout
    assert detection.known_model
    cleaned, dropped = guard(snapshot, family_checks(detection.family))
    assert dropped == {}
    records = [
        record
        for item in _load(folder, "power_records")
        if (record := PowerRecord.from_api(item)) is not None
    ]
    battery = BatteryData(
        config=BatteryConfig(device_sn=device.device_sn),
        detection=detection,
        realtime=cleaned,
        device=device,
        detail=DeviceDetail.from_api(_load(folder, "detail")),
        power=newest_filled(records),
        running=RunningData.from_api(_load(folder, "running_data")),
    )
    if battery.family.uses_power_records:
        # A record's SOC counts only once the records clock calls it current.
        assert battery.number(Metric.SOC) is None
        battery = replace(battery, records=RecordsView(None))
    soc = battery.number(Metric.SOC)
    assert soc is not None
    assert 0 <= soc <= 100
    assert battery.number(Metric.POWER) is not None
    assert battery.number(Metric.PACK_VOLTAGE) is not None
    assert battery.firmware
    if layout == "cygni":
        assert not battery.running.is_empty  # type: ignore[union-attr]
    elif detection.family.module is None:
        assert len(battery.cells()) == 16
    layout_of_modules = detection.family.module
    if layout_of_modules is None:
        return
    # A Tower T21 behind a marshalling box reports SUB as null (Q10).
    sub = snapshot.sub_devices or ()
    assert sub or name == "tower_t21"
    for index, module_sn in enumerate(sub, start=1):
        raw = RealtimeSnapshot.from_api(
            module_sn, _load(folder, f"realtime_{module_sn}")
        )
        module_snapshot, dropped = guard(raw, module_checks(layout_of_modules))
        assert dropped == {}
        module = ModuleData(
            serial=module_sn,
            index=index,
            realtime=module_snapshot,
            layout=layout_of_modules,
        )
        cells = module.cells()
        assert len(cells) == cells_per_module
        assert all(value is not None and 2.5 < value < 3.7 for value in cells.values())
        assert module.temperatures()
