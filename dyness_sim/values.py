"""Named quantities of a sample, and the flat point list built from a table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time
from typing import Any

from .families import PointRow
from .formats import fixed, short, utc_text
from .physics import (
    SLOT_SECONDS,
    charge_current_limit,
    discharge_current_limit,
    displayed_soc,
    unit,
)
from .samples import ModuleSample, Sample, SampledBattery

type Values = Mapping[str, str | None]


def master_values(battery: SampledBattery, sample: Sample) -> dict[str, str | None]:
    """Return the named quantities of a family A master's point list."""
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
    values: dict[str, str | None] = {
        "T": at,
        "SUB": battery.sub_list(sample.slot),
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
    if any(row.key == "pv_power" for row in battery.spec.extra_master_rows):
        values.update(junior_box_values(battery, sample))
        values["alarm_any"] = values["alarm_overall"]
    return values


def _serial_digits(battery: SampledBattery, name: str, digits: int) -> str:
    """Return a stable invented number of `digits` digits for a named serial."""
    return (
        f"{int(unit(battery.seed, battery.collector_sn, name) * 10**digits):0{digits}d}"
    )


def _state_code(power_w: float) -> str:
    """Return an invented status code: 0 standby, 1 charging, 2 discharging."""
    if power_w > 0:
        return "1"
    return "2" if power_w < 0 else "0"


def _local_slot(battery: SampledBattery, slot: int) -> datetime:
    """Return the local start time of a slot at the battery's station."""
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC).astimezone(
        battery.station.timezone
    )


@dataclass(frozen=True, slots=True)
class Flows:
    """Household power flows of one slot (W; grid positive = exporting)."""

    pv: float
    load: float
    battery: float
    grid: float


def flows(battery: SampledBattery, slot: int) -> Flows:
    """Return PV, load, battery and grid power of a slot, as the physics planned."""
    local = _local_slot(battery, slot)
    pv = battery.station.pv_w(local, battery.seed)
    load = battery.station.load_w(local, battery.seed)
    power = battery.state(slot).power_w
    return Flows(pv=pv, load=load, battery=power, grid=pv - load - power)


def day_energy(battery: SampledBattery, slot: int) -> dict[str, float]:
    """Return today's kWh of PV, load, import and export up to (excluding) `slot`."""
    local = _local_slot(battery, slot)
    midnight = datetime.combine(local.date(), time(0), battery.station.timezone)
    first = int(midnight.timestamp() // SLOT_SECONDS)
    totals = {"pv": 0.0, "load": 0.0, "buy": 0.0, "sell": 0.0, "out": 0.0}
    hours = SLOT_SECONDS / 3600
    for number in range(first, slot):
        flow = flows(battery, number)
        totals["pv"] += flow.pv * hours / 1000
        totals["load"] += flow.load * hours / 1000
        totals["buy"] += max(0.0, -flow.grid) * hours / 1000
        totals["sell"] += max(0.0, flow.grid) * hours / 1000
        totals["out"] += max(0.0, flow.pv - flow.battery) * hours / 1000
    return totals


def junior_box_values(battery: SampledBattery, sample: Sample) -> dict[str, str | None]:
    """Return the Junior Box extension (doc §8.3): PV, outputs, counters, TOU."""
    flow = flows(battery, sample.slot)
    today = day_energy(battery, sample.slot)
    pv_v = 0.0 if flow.pv <= 0 else 36.0 + 6.0 * min(1.0, flow.pv / 800.0)
    out = max(0.0, flow.pv - flow.battery)
    volts = sample.voltage
    room = sample.modules[0].bms_temp + 3.0
    values: dict[str, str | None] = {
        "jb_work_status": "1",
        "pv_voltage": fixed(pv_v, 1),
        "pv_current": fixed(flow.pv / pv_v if pv_v else 0.0, 2),
        "pv_power": str(round(flow.pv)),
        "jb_bat_voltage": fixed(volts, 2),
        "jb_bat_current": fixed(sample.current, 2),
        "jb_bat_power": str(round(sample.power_w)),
        "out1_voltage": fixed(volts, 1),
        "out1_current": fixed(0.6 * out / volts, 2),
        "out1_power": str(round(0.6 * out)),
        "out2_voltage": fixed(volts, 1),
        "out2_current": fixed(0.4 * out / volts, 2),
        "out2_power": str(round(0.4 * out)),
        "bus_voltage": "56.8",
        "out_power": str(round(out)),
        "jb_bat_state": _state_code(sample.power_w),
        "error_code": "0",
        "ems_mode": "16",
        "ems_power": None,
        "dod": None,
        "bat_protocol": "1",
        "heatsink_t": fixed(room + 2.0 + out / 200.0, 1),
        "air_t": fixed(room, 1),
        "pv_total": fixed(1.6 * battery.lifetime_charged_kwh + today["pv"], 2),
        "pv_today": fixed(today["pv"], 2),
        "out_total": fixed(1.4 * battery.lifetime_discharged_kwh + today["out"], 2),
        "out_today": fixed(today["out"], 2),
        "dsp_version": "V1.05",
        "dsp_svn": "2156",
    }
    settings = battery.settings
    if settings is not None:
        base = settings.shown("base", sample.at)
        values.update(ems_power=base["powerLimit"], dod=base["dischargeDepth"])
        groups = settings.shown("work", sample.at)["workGroups"]
        for g, group in enumerate(groups):
            for k, number in enumerate(_tou_points(group)):
                values[f"tou{g + 1}_{k}"] = str(number)
    return values


def _tou_points(group: dict[str, str]) -> tuple[int, int, int, int]:
    """Return a group's TOU read-back (SH-idx): day mask, HHMM start/end, power*32+mode."""
    if group["state"] != "1":
        return (0, 0, 0, 0)
    mask = sum(1 << int(day) for day in group["week"].split(",") if day)
    start = int(group["startTime"].replace(":", ""))
    end = int(group["endTime"].replace(":", ""))
    # 17 battery priority (charging), 16 load priority (discharging).
    mode = 17 if group["mode"] == "0" else 16
    return (mask, start, end, int(group["power"]) * 32 + mode)


def _extremes(
    modules: tuple[ModuleSample, ...], attr: str
) -> tuple[tuple[float, int, int], tuple[float, int, int]]:
    """Return (value, module, index) of the highest and lowest reading (1-based)."""
    items = [
        (value, m + 1, k + 1)
        for m, module in enumerate(modules)
        for k, value in enumerate(getattr(module, attr))
    ]
    high = max(items, key=lambda item: (item[0], -item[1], -item[2]))
    low = min(items, key=lambda item: (item[0], item[1], item[2]))
    return high, low


def tower_values(battery: SampledBattery, sample: Sample) -> dict[str, str | None]:
    """Return the named quantities of a family B (HV BDU) master (doc §8.4)."""
    modules = sample.modules
    v_max, v_min = _extremes(modules, "cells")
    t_max, t_min = _extremes(modules, "ntc")
    capacity = battery.limits.capacity_kwh
    energy = energy_values(battery, sample)
    charging = sample.power_w > 0
    dead = battery.spec.insulation_dead
    registers = [battery.forced_bits.get(f"tp_alarm{r + 1}", 0) for r in range(6)]
    if v_max[0] >= 3.45:
        registers[0] |= 1 << 1
    if charging and t_max[0] >= 45.0:
        registers[0] |= 1 << 2
    bits = {
        "alarm_v_spread": v_max[0] - v_min[0] > 0.1,
        "alarm_t_spread": t_max[0] - t_min[0] > 10.0,
        "alarm_insulation": False,
        "alarm_afe": False,
        "alarm_bms": False,
        "alarm_system": False,
    }
    values: dict[str, str | None] = {
        "T": utc_text(sample.at),
        "SUB": battery.sub_list(sample.slot),
        "TIME": utc_text(sample.at),
        "bdu_sn": "1101" + _serial_digits(battery, "bdu", 12),
        "pcb_sn": "2201" + _serial_digits(battery, "pcb", 12),
        "boot_version": "V1.0.2",
        "hw_version": "V2.0",
        "firmware": battery.firmware,
        "current": fixed(sample.current, 1),
        "voltage": fixed(sample.voltage, 1),
        "battery_state": _state_code(sample.power_w),
        "relay": "1",
        "soc": str(sample.soc_display),
        "soh": str(min(module.soh for module in modules)),
        "remaining_kwh": fixed(capacity * sample.soc / 100, 2),
        "rated_kwh": fixed(capacity, 2),
        "cycles": str(modules[0].cycles),
        "charged_total": energy["charged_total"],
        "ccl": fixed(charge_current_limit(battery.limits, sample.soc, sample.full), 1),
        "dcl": fixed(discharge_current_limit(battery.limits, sample.empty), 1),
        "insulation_pos": "" if dead else "2850",
        "insulation_neg": "" if dead else "2910",
        "cell_v_max": fixed(v_max[0], 3),
        "cell_v_max_box": str(v_max[1]),
        # Always 1, as in the portal (Q17).
        "cell_v_max_index": "1",
        "cell_v_min": fixed(v_min[0], 3),
        "cell_v_min_box": str(v_min[1]),
        "cell_v_min_index": str(v_min[2]),
        "t_max": fixed(t_max[0], 1),
        "t_max_box": str(t_max[1]),
        "t_max_index": str(t_max[2]),
        "t_min": fixed(t_min[0], 1),
        "t_min_box": str(t_min[1]),
        "t_min_index": str(t_min[2]),
        "t_spread": fixed(t_max[0] - t_min[0], 1),
        "fan": "1" if t_max[0] > 35.0 else "0",
        "heating": "1" if t_min[0] < 5.0 else "0",
        "balancing": "1" if charging and v_max[0] - v_min[0] > 0.03 else "0",
        "cells_per_box": str(battery.spec.cells_per_module),
        "box_count": str(len(modules)),
    }
    for name, active in bits.items():
        values[name] = "1" if active else "0"
    for r, register in enumerate(registers):
        values[f"tp_alarm{r + 1}"] = str(register)
    values["alarm_any"] = "1" if any(bits.values()) or any(registers) else "0"
    return values


def internal_sn(battery: SampledBattery) -> str:
    """Return the internal SN a family C master shows in point 10001."""
    return "701" + _serial_digits(battery, "internal", 14)


def v2_battery_info(battery: SampledBattery, sample: Sample) -> dict[str, Any]:
    """Return v2 `batteryInfo` of a family C master: its own readings as numbers."""
    brick = brick_values(battery, sample)
    first = sample.modules[0]
    return {
        "soc": displayed_soc(sample.soc, sample.full),
        "soh": first.soh,
        "batteryVoltage": float(brick["voltage"] or 0),
        "batteryCurrent": float(brick["current"] or 0),
        "batteryStatus": int(_state_code(sample.power_w)),
        "maxChargeCurrent": float(brick["ccl"] or 0),
        "maxDischargeCurrent": float(brick["dcl"] or 0),
        "cycleCount": first.cycles,
        "cellMaxVoltage": round(max(first.cells), 3),
        "cellMinVoltage": round(min(first.cells), 3),
        "cellMaxTemperature": float(brick["t_max"] or 0),
        "cellMinTemperature": float(brick["t_min"] or 0),
        "cellVoltageList": [round(volts, 3) for volts in first.cells],
        "cellTempList": [round(temp, 1) for temp in first.ntc],
    }


def brick_values(battery: SampledBattery, sample: Sample) -> dict[str, str | None]:
    """Return the named quantities of a family C master (doc §8.6)."""
    modules = sample.modules
    spec = battery.spec
    t_max, t_min = _extremes(modules, "ntc")
    capacity = battery.limits.capacity_kwh
    rated_ah = spec.module_ah * len(modules)
    values: dict[str, str | None] = {
        "T": utc_text(sample.at),
        "SUB": battery.sub_list(sample.slot),
        "TIME": utc_text(sample.at),
        "internal_sn": internal_sn(battery),
        "firmware": battery.firmware,
        "bms_t": fixed(modules[0].bms_temp, 1),
        "t_max": fixed(t_max[0], 1),
        "t_min": fixed(t_min[0], 1),
        "mos_t": fixed(max(m.mos_temp for m in modules), 1),
        "bms_t_max": fixed(max(m.bms_temp for m in modules), 1),
        "current": fixed(sample.current, 1),
        "voltage": fixed(sample.voltage, 2),
        "remaining_kwh": fixed(capacity * sample.soc / 100, 2),
        "rated_kwh": fixed(capacity, 2),
        "cycles": str(modules[0].cycles),
        "remaining_ah": fixed(rated_ah * sample.soc / 100, 1),
        "rated_ah": fixed(rated_ah, 1),
        "lim_chg_t_high": "55.0",
        "ccl": fixed(charge_current_limit(battery.limits, sample.soc, sample.full), 1),
        "lim_chg_v": "56.8",
        "lim_dis_v": "44.8",
        "dcl": fixed(discharge_current_limit(battery.limits, sample.empty), 1),
    }
    # The master shows the cells of its first module.
    for c, volts in enumerate(modules[0].cells):
        values[f"cell_v_{c + 1}"] = fixed(volts, 3)
    return values


def cygni_values(battery: SampledBattery, sample: Sample) -> dict[str, str | None]:
    """Return the Cygni points (doc §8.7): battery current/power negative = charging."""
    modules = sample.modules
    room = modules[0].bms_temp + 3.0
    load = abs(sample.power_w)
    ntc = [t for module in modules for t in module.ntc]
    return {
        "T": utc_text(sample.at),
        "SUB": battery.sub_list(sample.slot),
        "TIME": utc_text(sample.at),
        "internal_t": fixed(room + 8.0 + load / 500.0, 1),
        "heatsink_t": fixed(room + 5.0 + load / 400.0, 1),
        "module_t": fixed(room + 3.0 + load / 800.0, 1),
        "voltage": fixed(sample.voltage, 1),
        "current_inverted": fixed(-sample.current, 1),
        "power_inverted": str(round(-sample.power_w)),
        "battery_state": _state_code(sample.power_w),
        "battery_t": fixed(sum(ntc) / len(ntc), 1),
        "ccl": fixed(charge_current_limit(battery.limits, sample.soc, sample.full), 1),
        "dcl": fixed(discharge_current_limit(battery.limits, sample.empty), 1),
        "soc": str(sample.soc_display),
        "soh": str(min(module.soh for module in modules)),
    }


def cygni_running(battery: SampledBattery, sample: Sample) -> dict[str, str]:
    """Return getLastRunningDataBySn of a Cygni: every field filled (doc §6.1)."""
    flow = flows(battery, sample.slot)
    today = day_energy(battery, sample.slot)
    at = utc_text(sample.at)
    active = flow.pv - flow.battery
    watts = str(round(active))
    temps = cygni_values(battery, sample)
    pv1 = 0.55 * flow.pv
    pv2 = flow.pv - pv1
    pv_v1 = 0.0 if flow.pv <= 0 else 360.0
    pv_v2 = 0.0 if flow.pv <= 0 else 342.0
    lifetime_pv = 1.6 * battery.lifetime_charged_kwh
    data: dict[str, str] = {
        "dateTime": at,
        "sn": battery.device_sn,
        "outputMethod": "0",
        "deviceHardwareVersion": "V1.0",
        "safetyCountry": "VDE4105",
        "runModel": "0",
        "workStatus": "1",
        "meterCommunication": "1",
        "meterStatus": "1",
        "ctStatus": "1",
        "sparePower": "0",
        "powerLimit": "10000",
        "gridStatus": "1",
        "activePower": watts,
        "reactivePower": "0",
        "apparentPower": str(round(abs(active))),
        "buyEnergy": fixed(today["buy"], 2),
        "sellEnergy": fixed(today["sell"], 2),
        "totalBuyEnergy": fixed(0.9 * lifetime_pv + today["buy"], 2),
        "totalSellEnergy": fixed(0.5 * lifetime_pv + today["sell"], 2),
        "loadPower": str(round(flow.load)),
        "dayElectricity": fixed(today["load"], 2),
        "totalElectricity": fixed(1.3 * lifetime_pv + today["load"], 2),
        # Battery fields follow the Cygni sign: negative = charging (Q16).
        "batteryPower": str(round(-sample.power_w)),
        "batteryVoltage": fixed(sample.voltage, 1),
        "batteryCurrent": fixed(-sample.current, 1),
        "batterySoc": str(sample.soc_display),
        "batterySoh": temps["soh"] or "",
        "batteryStatus": _state_code(sample.power_w),
        "bmsCommunicationStatus": "1",
        "chargingLimitCurrent": temps["ccl"] or "",
        "dischargeLimitCurrent": temps["dcl"] or "",
        "batteryTemperature": temps["battery_t"] or "",
        "gridDischargeDepth": "90",
        "offGridDischargeDepth": "80",
        "generationPower": str(round(flow.pv)),
        "dayGeneration": fixed(today["pv"], 2),
        "totalGeneration": fixed(lifetime_pv + today["pv"], 2),
        "internalTemperature": temps["internal_t"] or "",
        "heatDissipationTemperature": temps["heatsink_t"] or "",
        "moduleTemperature": temps["module_t"] or "",
        "dspVersion": "1.12",
        "armVersion": "1.08",
        "boxVersion": "1.00",
        "busVoltage": "380.2",
        "nbusVoltage": "190.1",
        "ratedPower": "10000",
        "batteryCount": str(len(sample.modules)),
        "lastUpdateTime": at,
        "bmsCommunication": "1",
        "boxCommunication": "1",
        "firmwareVersion": battery.firmware,
        "pvPower": str(round(flow.pv)),
        "gridCurrentR": fixed(abs(flow.grid) / 230.0, 1),
        "gridCurrentS": "0.0",
        "gridCurrentT": "0.0",
        "gridFrequencyR": "50.00",
        "gridFrequencyS": "50.00",
        "gridFrequencyT": "50.00",
        "pv1Current": fixed(pv1 / pv_v1 if pv_v1 else 0.0, 1),
        "pv1Voltage": fixed(pv_v1, 1),
        "pv1Power": str(round(pv1)),
        "pv2Current": fixed(pv2 / pv_v2 if pv_v2 else 0.0, 1),
        "pv2Voltage": fixed(pv_v2, 1),
        "pv2Power": str(round(pv2)),
        "maxLeadBatCapacity": "100",
        # Positive = exporting (AIST negates it).
        "gridPower": str(round(flow.grid)),
        "rvoltage": "230.1",
        "rcurrent": fixed(abs(active) / 230.1, 1),
        "rgridFrequency": "50.00",
        "rpower": watts,
        "rspareVoltage": "230.0",
        "rspareCurrent": "0.0",
        "rspareGridFrequency": "50.00",
        "rsparePower": "0",
    }
    for n in (3, 4):
        data.update(
            {f"pv{n}Current": "0.0", f"pv{n}Voltage": "0.0", f"pv{n}Power": "0"}
        )
    return data


def energy_values(battery: SampledBattery, sample: Sample) -> dict[str, str]:
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


def module_values(
    battery: SampledBattery, sample: Sample, index: int
) -> dict[str, str | None]:
    """Return the named quantities of one module's (or HV sub-box's) point list."""
    if battery.series:
        return box_values(battery, sample, index)
    module = sample.modules[index]
    spec = battery.spec
    values: dict[str, str | None] = {
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


def box_values(
    battery: SampledBattery, sample: Sample, index: int
) -> dict[str, str | None]:
    """Return an HV sub-box's points: cells and temperatures only (doc §8.5)."""
    module = sample.modules[index]
    sub_sn = (
        module.sn
        if module.sn.isdigit()
        else f"HV9637{_serial_digits(battery, module.sn, 10)}"
    )
    values: dict[str, str | None] = {
        "T": utc_text(sample.at),
        "sub_sn": sub_sn,
        "box_no": str(index + 1),
        "cell_count": str(len(module.cells)),
        "temp_count": str(len(module.ntc)),
    }
    # Cells beyond the box's count are "0.0" placeholders (Stack100, Q11).
    for n in range(30):
        volts = module.cells[n] if n < len(module.cells) else 0.0
        values[f"cell_v_{n + 1}"] = fixed(volts, 3) if volts else "0.0"
    for k, temp in enumerate(module.ntc):
        values[f"box_t_{k + 1}"] = fixed(temp, 1)
    return values


type ValueFunction = Callable[["SampledBattery", "Sample"], dict[str, str | None]]

# Which function computes a master's quantities, per family.
MASTER_VALUES: dict[str, ValueFunction] = {
    "A": master_values,
    "B": tower_values,
    "C": brick_values,
    "CYGNI": cygni_values,
}


def _bit_groups(rows: tuple[PointRow, ...]) -> dict[str, list[tuple[str, int]]]:
    """Return byte point id -> [(bit point id, bit)] of a table."""
    byte_ids = {row.key: row.point_id for row in rows if row.key and "#" not in row.key}
    groups: dict[str, list[tuple[str, int]]] = {}
    for row in rows:
        if row.key is not None and "#" in row.key:
            name, bit = row.key.split("#")
            groups.setdefault(byte_ids[name], []).append((row.point_id, int(bit)))
    return groups


def _as_int(text: str | None) -> int | None:
    """Return the integer a point value holds, or None."""
    try:
        return int(text or "")
    except ValueError:
        return None


def _apply_overrides(
    rows: tuple[PointRow, ...], shown: dict[str, str | None], overrides: Values
) -> None:
    """Put overrides on top, keeping status bytes and their bit points consistent."""
    shown.update(overrides)
    for byte_id, bits in _bit_groups(rows).items():
        touched = [bit for bit in bits if bit[0] in overrides]
        if byte_id not in overrides and not touched:
            continue
        byte = _as_int(shown.get(byte_id))
        if byte is None:
            continue
        for bit_id, bit in touched:
            flag = _as_int(overrides[bit_id])
            if flag is not None:
                byte = byte | 1 << bit if flag else byte & ~(1 << bit)
        shown[byte_id] = str(byte)
        for bit_id, bit in bits:
            if _as_int(overrides.get(bit_id, "0")) is not None:
                shown[bit_id] = str(byte >> bit & 1)


def render(
    rows: tuple[PointRow, ...], values: Values, overrides: Values | None = None
) -> list[dict[str, Any]]:
    """Turn a point table, named values and overrides into the flat point list."""
    shown: dict[str, str | None] = {}
    for row in rows:
        if row.key is None:
            value: str | None = ""
        elif "#" in row.key:
            name, bit = row.key.split("#")
            byte = values.get(name)
            value = "" if byte is None else str(int(byte) >> int(bit) & 1)
        else:
            value = values.get(row.key, "")
        shown[row.point_id] = value
    if overrides:
        _apply_overrides(rows, shown, overrides)
    labels = {row.point_id: row.label for row in rows}
    return [
        {
            "flag": False,
            "pointId": point_id,
            "pointValue": value,
            "pointNameCn": labels.get(point_id, ""),
        }
        for point_id, value in shown.items()
    ]
