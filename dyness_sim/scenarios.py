"""Scenarios beyond the default: one battery of a model, or one of every model.

Serials, seeds and phases are derived from the catalogue key, so a scenario is
the same on every run. All serial numbers here are invented.
"""

from __future__ import annotations

from dataclasses import dataclass
import hashlib
from typing import Any

from .accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_SEED,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    Account,
)
from .catalog import MODELS, ModelSpec
from .devices import Battery
from .station import Station

# Every model (catalogue key) the simulator serves, in showroom order.
ALL_MODELS: tuple[str, ...] = tuple(MODELS)

# Options of Simulator.single that shape the battery, not the simulator.
BATTERY_OPTIONS = frozenset(
    {"initial_soc", "sub_mode", "bms_entry", "visibility", "records"}
)


@dataclass(frozen=True, slots=True)
class Recipe:
    """How a model's module serials look and which firmware it runs."""

    # numeric: prefix + digits; lower: PowerHaus style `l3…`; bdu: `<dongle>-BDU-NN`;
    # pack: internal packs that SUB never lists (Cygni).
    style: str
    prefix: str = ""
    digits: int = 16
    firmware: str = "24.9-26.8.3"


RECIPES: dict[str, Recipe] = {
    "PowerHaus": Recipe("lower", "l3", firmware="2.50-62.0.14"),
    "DL5.0C": Recipe("numeric", "0106"),
    "PowerBox Pro": Recipe("numeric", "0402", firmware="24.9-26.9.1"),
    "PowerDepot G2": Recipe("numeric", "0602"),
    "Junior Box": Recipe("numeric", "0502", firmware="1.2.7"),
    "PowerBox G2 variant A": Recipe("numeric", "0702"),
    "PowerBox G2 variant B": Recipe("numeric", "0702", firmware="2.50-70.1.3"),
    "PowerBrick variant A": Recipe("numeric", "701", 17, firmware="2.50-71.10.11"),
    "PowerBrick variant B": Recipe("numeric", "701", 17, firmware="2.50-71.10.11"),
    "PowerBrick SC": Recipe("numeric", "701", 17, firmware="2.50-71.10.11"),
    "PowerBrick Plus": Recipe("numeric", "702", 17, firmware="2.50-72.1.4"),
    "Tower T14": Recipe("bdu", firmware="V3.2.1"),
    "Tower T21": Recipe("bdu", firmware="V3.2.1"),
    "Tower Pro TP7": Recipe("bdu", firmware="V1.4.0"),
    "STACK100-7S": Recipe("numeric", "0801", firmware="V2.0.6"),
    "Cygni 10.0HS-M8": Recipe("pack", firmware="V1.12.0"),
}
# Modules of each model in the showroom where it differs from the nominal count:
# the Stack100 is shown expanded, so station/info is stale against 1700 (Q7).
SHOWROOM_MODULES = {"STACK100-7S": 9}


def _number(*parts: object) -> int:
    """Return a stable 64-bit number for the given key."""
    key = ":".join(str(part) for part in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest())


def resolve(model_name: str) -> ModelSpec:
    """Return the catalogue entry of a key or name (`PowerBox G2` = variant A)."""
    for key in (model_name, f"{model_name} variant A"):
        if key in MODELS:
            return MODELS[key]
    raise KeyError(f"unknown model {model_name!r}; known: {', '.join(ALL_MODELS)}")


def collector_of(key: str) -> str:
    """Return the invented dongle SN of a model's scenario battery."""
    return f"R07E{_number(key, 'collector') % 16**12:012X}"


def module_serials(key: str, collector: str, count: int) -> tuple[str, ...]:
    """Return the module SNs of a model's scenario battery."""
    recipe = RECIPES[key]
    if recipe.style == "bdu":
        return tuple(f"{collector}-BDU-{n + 1:02d}" for n in range(count))
    if recipe.style == "pack":
        return tuple(f"{collector}-PACK-{n + 1:02d}" for n in range(count))
    width = recipe.digits - len(recipe.prefix) - 2
    body = _number(key, "modules") % 10**width
    return tuple(f"{recipe.prefix}{body:0{width}d}{n + 1:02d}" for n in range(count))


def model_battery(
    key: str, *, modules: int | None = None, seed: int | None = None, **extra: Any
) -> Battery:
    """Return the scenario battery of a catalogue key, deterministic per key."""
    spec = MODELS[key]
    recipe = RECIPES[key]
    count = spec.nominal_modules if modules is None else modules
    if count < 1:
        raise ValueError("a battery needs at least one module")
    collector = collector_of(key)
    base = DEFAULT_SEED if seed is None else seed
    series = spec.topology == "series"
    station = Station(
        station_id=f"1742{_number(key, 'station') % 10**12:012d}",
        name=f"{spec.name} Haus",
        position="Hamburg, Germany",
        pv_kwp=12.0 if series else 6.0,
        load_scale=2.5 if series else 1.5,
        installed_power="10.0" if series else "6.0",
        inverter_max_w=10000.0 if series else 5000.0,
    )
    options: dict[str, Any] = {"initial_soc": 55.0, **extra}
    return Battery(
        spec=spec,
        collector_sn=collector,
        module_sns=module_serials(key, collector, count),
        station=station,
        seed=base + _number(key, "seed") % 100_000,
        phase_s=_number(key, "phase") % 300,
        firmware=recipe.firmware,
        module_firmware=recipe.firmware,
        device_name=spec.name,
        create_time="2026-02-20 18:06:52",
        lifetime_charged_kwh=round(40.0 * spec.module_kwh * count, 2),
        lifetime_discharged_kwh=round(38.0 * spec.module_kwh * count, 2),
        initial_cycles=40,
        **options,
    )


def single_accounts(
    model_name: str, *, modules: int | None = None, **options: Any
) -> list[Account]:
    """Return the default key holding one battery of a model, plus the empty key."""
    spec = resolve(model_name)
    battery = model_battery(spec.key, modules=modules, **options)
    return [
        Account(DEFAULT_APP_ID, DEFAULT_APP_SECRET, [battery]),
        Account(EMPTY_APP_ID, EMPTY_APP_SECRET, []),
    ]


def showroom_accounts(seed: int | None = None) -> list[Account]:
    """Return the default key holding one battery of every model, plus the empty key."""
    batteries = [
        model_battery(key, modules=SHOWROOM_MODULES.get(key), seed=seed)
        for key in ALL_MODELS
    ]
    return [
        Account(DEFAULT_APP_ID, DEFAULT_APP_SECRET, batteries),
        Account(EMPTY_APP_ID, EMPTY_APP_SECRET, []),
    ]
