"""Named quantities of a sample, and the flat point list built from a table."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import TYPE_CHECKING, Any

from .families import PointRow
from .formats import fixed, short, utc_text
from .physics import charge_current_limit, discharge_current_limit

if TYPE_CHECKING:
    from .devices import Battery, Sample


def master_values(battery: Battery, sample: Sample) -> dict[str, str]:
    """Return the named quantities of the master's point list."""
    modules = sample.modules
    cells = [
        (v, m + 1, c + 1)
        for m, module in enumerate(modules)
        for c, v in enumerate(module.cells)
    ]
    # The BMS reports the lowest module/cell number among equal extremes.
    v_max = max(cells, key=lambda item: (item[0], -item[1], -item[2]))
    v_min = min(cells, key=lambda item: (item[0], item[1], item[2]))
    temps = [
        (t, m + 1, k + 1)
        for m, module in enumerate(modules)
        for k, t in enumerate(module.ntc)
    ]
    t_max = max(temps, key=lambda item: (item[0], -item[1], -item[2]))
    t_min = min(temps, key=lambda item: (item[0], item[1], item[2]))
    mos = max(enumerate(modules), key=lambda item: (item[1].mos_temp, -item[0]))
    bms_hi = max(enumerate(modules), key=lambda item: (item[1].bms_temp, -item[0]))
    bms_lo = min(enumerate(modules), key=lambda item: (item[1].bms_temp, item[0]))
    soc = sample.soc_display
    ccl = charge_current_limit(battery.limits, sample.soc, sample.full)
    dcl = discharge_current_limit(battery.limits, sample.empty)
    status = (0 if sample.full else 1 << 7) | (0 if sample.empty else 1 << 6)
    if sample.empty:
        status |= 1 << 5
    alarm1 = battery.forced_bits.get("alarm1", 0)
    if v_max[0] >= 3.45:
        alarm1 |= 1 << 5
    if v_min[0] <= 3.10:
        alarm1 |= 1 << 4
    if v_max[0] - v_min[0] > 0.05:
        alarm1 |= 1 << 0
    protect1 = battery.forced_bits.get("protect1", 0)
    protect2 = battery.forced_bits.get("protect2", 0)
    at = utc_text(sample.at)
    values = {
        "T": at,
        "SUB": ",".join(battery.module_sns),
        "TIME": at,
        "host_name": battery.spec.host_name,
        "manufacturer": "Dyness TECHNOLOGY",
        "firmware": battery.firmware,
        "module_count": str(len(modules)),
        "voltage": short(sample.voltage, 2),
        "current": fixed(sample.current, 1),
        "soc": str(soc),
        "soh_min": str(min(module.soh for module in modules)),
        "cell_v_max": fixed(v_max[0], 3),
        "cell_v_max_loc": str(v_max[1] * 256 + v_max[2]),
        "cell_v_max_module": str(v_max[1]),
        "cell_v_max_cell": str(v_max[2]),
        "cell_v_min": fixed(v_min[0], 3),
        "cell_v_min_loc": str(v_min[1] * 256 + v_min[2]),
        "cell_v_min_module": str(v_min[1]),
        "cell_v_min_cell": str(v_min[2]),
        "cell_t_max": fixed(t_max[0], 1),
        "cell_t_max_loc": str(t_max[1] * 256 + t_max[2]),
        "cell_t_max_module": str(t_max[1]),
        "cell_t_max_ntc": str(t_max[2]),
        "cell_t_min": fixed(t_min[0], 1),
        "cell_t_min_loc": str(t_min[1] * 256 + t_min[2]),
        "cell_t_min_module": str(t_min[1]),
        "cell_t_min_ntc": str(t_min[2]),
        "mos_t_max": fixed(mos[1].mos_temp, 1),
        "mos_t_max_module": str(mos[0] + 1),
        "bms_t_max": fixed(bms_hi[1].bms_temp, 1),
        "bms_t_max_module": str(bms_hi[0] + 1),
        "bms_t_min": fixed(bms_lo[1].bms_temp, 1),
        "bms_t_min_module": str(bms_lo[0] + 1),
        "alarm1": str(alarm1),
        "alarm2": str(battery.forced_bits.get("alarm2", 0)),
        "protect1": str(protect1),
        "protect2": str(protect2),
        "charge_v_high": "56.5",
        "charge_v_low": "48.0",
        "ccl": fixed(ccl, 1),
        "dcl": fixed(dcl, 1),
        "status": str(status),
        "alarm_overall": "1" if protect1 or protect2 else "0",
    }
    values.update(energy_values(battery, sample))
    return values


def energy_values(battery: Battery, sample: Sample) -> dict[str, str]:
    """Return lifetime and today's energy counters (kWh) at the sample time."""
    local = sample.at.astimezone(battery.station.timezone)
    midnight = datetime.combine(local.date(), time(0), battery.station.timezone)
    start = battery.truth_at(midnight.astimezone(UTC))
    truth = sample.truth
    return {
        "charged_total": fixed(battery.lifetime_charged_kwh + truth.charged_kwh, 2),
        "charged_today": fixed(truth.charged_kwh - start.charged_kwh, 2),
        "discharged_total": fixed(
            battery.lifetime_discharged_kwh + truth.discharged_kwh, 2
        ),
        "discharged_today": fixed(truth.discharged_kwh - start.discharged_kwh, 2),
    }


def module_values(battery: Battery, sample: Sample, index: int) -> dict[str, str]:
    """Return the named quantities of one module's point list."""
    module = sample.modules[index]
    spec = battery.spec
    values = {
        "T": utc_text(sample.at),
        "module_sn": module.sn,
        "module_firmware": battery.module_firmware,
        "cell_count": str(len(module.cells)),
        "temp_count": str(len(module.ntc)),
        "bms_t": fixed(module.bms_temp, 1),
        "cell_t_1": fixed(module.ntc[0], 1),
        "cell_t_2": fixed(module.ntc[1], 1),
        "current": fixed(module.current, 2),
        "voltage": fixed(module.voltage, 2),
        "remaining_ah": fixed(spec.module_ah * module.soc / 100, 1),
        "module_count": str(len(sample.modules)),
        "capacity_ah": fixed(spec.module_ah, 1),
        "cycles": str(module.cycles),
        "soc": str(round(module.soc)),
        "soh": str(module.soh),
        "alarm1": "0",
        "alarm2": "0",
        "protect": "0",
        "lim_cell_ov": "3.600",
        "lim_cell_uv": "2.900",
        "lim_cell_uvp": "2.700",
        "lim_chg_t_high": "55.0",
        "lim_chg_t_low": "0.0",
        "lim_chg_i": fixed(spec.module_ccl_a, 1),
        "lim_mod_ov": "57.60",
        "lim_mod_uv": "46.40",
        "lim_mod_uvp": "43.20",
        "lim_dis_t_high": "60.0",
        "lim_dis_t_low": "-20.0",
        "lim_dis_i": fixed(spec.module_dcl_a, 1),
    }
    for c, volts in enumerate(module.cells):
        values[f"cell_v_{c + 1}"] = fixed(volts, 3)
    return values


def render(rows: tuple[PointRow, ...], values: dict[str, str]) -> list[dict[str, Any]]:
    """Turn a point table and named values into the API's flat point list."""
    points: list[dict[str, Any]] = []
    for row in rows:
        if row.key is None:
            value = ""
        elif "#" in row.key:
            name, bit = row.key.split("#")
            byte = values.get(name)
            value = "" if byte is None else str(int(byte) >> int(bit) & 1)
        else:
            value = values.get(row.key, "")
        points.append(
            {
                "flag": False,
                "pointId": row.point_id,
                "pointValue": value,
                "pointNameCn": row.label,
            }
        )
    return points
