"""Deterministic battery physics: household profile, BMS limits, LFP voltages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
import hashlib
import itertools
import math
from typing import Literal

# `regular`: the same household every day (the default); `varied`: days differ
# in size and timing, appliances switch on and clouds pass (insights benchmark).
type Household = Literal["regular", "varied"]

SLOT_SECONDS = 300
SLOTS_PER_HOUR = 3600 // SLOT_SECONDS
# kWh moved by 1 W during one slot.
KWH_PER_WATT_SLOT = SLOT_SECONDS / 3_600_000

# LFP open-circuit voltage per cell over SOC %, resting (S001: 3.325 V at 100 %).
OCV_TABLE: tuple[tuple[float, float], ...] = (
    (0.0, 3.000),
    (5.0, 3.180),
    (10.0, 3.220),
    (20.0, 3.255),
    (30.0, 3.272),
    (40.0, 3.284),
    (50.0, 3.292),
    (60.0, 3.300),
    (70.0, 3.309),
    (80.0, 3.317),
    (90.0, 3.322),
    (100.0, 3.327),
)
CELL_RESISTANCE_OHM = 0.0008
MIN_SOC = 5.0
EMPTY_RELEASE_SOC = 8.0
FULL_RELEASE_SOC = 99.0
STANDBY_DEADBAND_W = 25.0


def unit(seed: int, *parts: object) -> float:
    """Return a reproducible pseudo-random number in [0, 1) for the given key."""
    key = ":".join(str(part) for part in (seed, *parts)).encode()
    digest = hashlib.blake2b(key, digest_size=8).digest()
    return int.from_bytes(digest) / 2**64


def ocv(soc: float) -> float:
    """Return the resting cell voltage at `soc` percent (linear between table rows)."""
    soc = min(100.0, max(0.0, soc))
    for (s0, v0), (s1, v1) in itertools.pairwise(OCV_TABLE):
        if soc <= s1:
            return v0 + (v1 - v0) * (soc - s0) / (s1 - s0)
    return OCV_TABLE[-1][1]


def cell_voltage(soc: float, module_current: float, offset: float) -> float:
    """Return a cell's terminal voltage: OCV, IR drop, top-of-charge polarisation."""
    volts = ocv(soc) + module_current * CELL_RESISTANCE_OHM + offset
    if module_current > 0 and soc > 90.0:
        volts += 0.13 * (soc - 90.0) / 10.0 * min(1.0, module_current / 15.0)
    return volts


def season(moment: datetime) -> float:
    """Return 1.0 at the June solstice falling to 0.0 at the December one."""
    day = moment.timetuple().tm_yday
    return 0.5 + 0.5 * math.cos(2 * math.pi * (day - 172) / 365.25)


def pv_power(
    local: datetime, seed: int, kwp: float, household: Household = "regular"
) -> float:
    """Return the PV output (W) of the station at local time `local`."""
    summer = season(local)
    hours = local.hour + local.minute / 60
    offset = local.utcoffset()
    # Solar noon in Germany is about 12:20 standard time, 13:20 summer time.
    noon = 12.33 + (
        1.0 if offset is not None and offset.total_seconds() >= 7200 else 0.0
    )
    half_day = 4.2 + 3.8 * summer
    x = (hours - noon) / half_day
    if abs(x) >= 1.0:
        return 0.0
    day_key = local.date().isoformat()
    sky = 0.25 + 0.75 * unit(seed, "sky", day_key)
    flicker = 0.8 + 0.2 * unit(seed, "flicker", day_key, local.hour, local.minute)
    if household == "varied" and unit(seed, "cloud", day_key, hours) < 0.15:
        flicker *= 0.3
    peak = kwp * 1000 * (0.35 + 0.6 * summer)
    return peak * math.pow(math.cos(math.pi * x / 2), 1.5) * sky * flicker


def load_power(local: datetime, seed: int, household: Household = "regular") -> float:
    """Return the household load (W) at local time `local`, before scaling.

    A varied household keeps its base load (fridge, standby) within ±10 % but
    its activities (morning, noon, evening) are 0.7 to 1.3 times as large and
    start up to an hour earlier or later from day to day.
    """
    hours = local.hour + local.minute / 60
    day_key = local.date().isoformat()
    base, activity = 1.0, 1.0
    if household == "varied":
        base = 0.9 + 0.2 * unit(seed, "base", day_key)
        activity = 0.7 + 0.6 * unit(seed, "day", day_key)
        hours -= 2.0 * (unit(seed, "shift", day_key) - 0.5)
    load = 0.0
    if 6.0 <= hours < 8.5:
        load += 450.0 * math.sin(math.pi * (hours - 6.0) / 2.5)
    if 11.5 <= hours < 13.5:
        load += 350.0
    if 17.0 <= hours < 23.0:
        load += 700.0 * math.sin(math.pi * (hours - 17.0) / 6.0) + 150.0
    noise = 0.75 + 0.5 * unit(seed, "load", day_key, local.hour + local.minute / 60)
    return (180.0 * base + load * activity) * noise


def appliances(local: datetime, seed: int) -> float:
    """Return the power (W) of the day's big appliances running at `local`.

    One to three a day (oven, washing machine, heat pump boost), 10 to 60
    minutes each, between 06:00 and 23:00.
    """
    day_key = local.date().isoformat()
    hours = local.hour + local.minute / 60
    power = 0.0
    for number in range(1 + int(3 * unit(seed, "appliances", day_key)) % 3):
        start = 6.0 + 17.0 * unit(seed, "appliance start", day_key, number)
        length = (10 + 50 * unit(seed, "appliance length", day_key, number)) / 60
        if start <= hours < start + length:
            power += 1200.0 + 1300.0 * unit(seed, "appliance power", day_key, number)
    return power


def ambient(local: datetime) -> float:
    """Return the temperature (°C) of the room the battery stands in."""
    hours = local.hour + local.minute / 60
    return 12.0 + 9.0 * season(local) + 1.5 * math.sin(math.pi * (hours - 9.0) / 12.0)


@dataclass(frozen=True, slots=True)
class Limits:
    """Electrical limits of one battery system."""

    capacity_kwh: float
    max_charge_w: float
    max_discharge_w: float
    modules: int
    module_ccl_a: float
    module_dcl_a: float


@dataclass(frozen=True, slots=True)
class StepState:
    """State at the start of one 5-minute slot, and the power held during it."""

    stored_kwh: float
    charged_kwh: float
    discharged_kwh: float
    cell_temp: float
    full: bool
    empty: bool
    power_w: float
    # Whether the cell heater runs during the slot (heating periods).
    heater: bool = False

    def soc(self, capacity_kwh: float) -> float:
        """Return the SOC in percent at the start of the slot."""
        return 100.0 * self.stored_kwh / capacity_kwh


def displayed_soc(soc: float, full: bool) -> int:
    """Return the integer SOC the BMS reports: 100 only after full detection."""
    if full:
        return 100
    return max(0, min(99, round(soc)))


def charge_current_limit(limits: Limits, soc: float, full: bool) -> float:
    """Return the BMS charge current limit (A): tapering above 95 %, 0 when full."""
    if full:
        return 0.0
    taper = min(1.0, max(0.1, (100.0 - soc) / 5.0))
    return limits.module_ccl_a * limits.modules * taper


def discharge_current_limit(limits: Limits, empty: bool) -> float:
    """Return the BMS discharge current limit (A): 0 when empty."""
    return 0.0 if empty else limits.module_dcl_a * limits.modules


def plan_power(
    limits: Limits,
    state: StepState,
    net_w: float,
    pack_v: float,
    *,
    floor_soc: float = MIN_SOC,
    ceiling_soc: float = 100.0,
    max_discharge_w: float | None = None,
) -> float:
    """Return the battery power (W, + charging) for a slot, rounded to 0.1 W.

    Settings narrow the plan: SOC floor and ceiling, largest discharge power.
    """
    soc = state.soc(limits.capacity_kwh)
    most_out = limits.max_discharge_w
    if max_discharge_w is not None:
        most_out = min(most_out, max_discharge_w)
    power = min(limits.max_charge_w, max(-most_out, net_w))
    if abs(power) < STANDBY_DEADBAND_W:
        return 0.0
    if power > 0:
        power = min(power, charge_current_limit(limits, soc, state.full) * pack_v)
        top_kwh = limits.capacity_kwh * min(100.0, ceiling_soc) / 100
        room_w = max(0.0, top_kwh - state.stored_kwh) / KWH_PER_WATT_SLOT
        power = min(round(power, 1), math.floor(room_w * 10) / 10)
    else:
        power = max(power, -discharge_current_limit(limits, state.empty) * pack_v)
        floor_kwh = limits.capacity_kwh * max(MIN_SOC, floor_soc) / 100
        avail_w = (state.stored_kwh - floor_kwh) / KWH_PER_WATT_SLOT
        power = max(round(power, 1), -math.floor(max(0.0, avail_w) * 10) / 10)
    return power if abs(power) >= STANDBY_DEADBAND_W else 0.0


def advance(limits: Limits, state: StepState, target_temp: float) -> StepState:
    """Return the state at the start of the next slot after holding `state.power_w`."""
    energy = state.power_w * KWH_PER_WATT_SLOT
    stored = min(limits.capacity_kwh, max(0.0, state.stored_kwh + energy))
    soc = 100.0 * stored / limits.capacity_kwh
    full = state.full
    if stored >= limits.capacity_kwh * 0.9995:
        full = True
    elif soc <= FULL_RELEASE_SOC:
        full = False
    empty = state.empty
    if soc <= MIN_SOC + 0.05:
        empty = True
    elif soc >= EMPTY_RELEASE_SOC:
        empty = False
    return StepState(
        stored_kwh=stored,
        charged_kwh=state.charged_kwh + max(0.0, energy),
        discharged_kwh=state.discharged_kwh + max(0.0, -energy),
        cell_temp=state.cell_temp + (target_temp - state.cell_temp) * 0.25,
        full=full,
        empty=empty,
        power_w=0.0,
    )
