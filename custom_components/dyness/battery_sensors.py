"""Descriptions of the battery, module and account sensors, one definition per key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import SIGNAL_STRENGTH_DECIBELS_MILLIWATT, EntityCategory
from homeassistant.helpers.typing import StateType

from .alarms import PROBLEM_OPTIONS
from .data import BatteryData, ModuleData, ScheduleFigures, spread_mv
from .families import Metric
from .insights.home import BatteryStatus
from .quantities import (
    AMPERES,
    CELSIUS,
    CHARGE,
    COUNT,
    MILLIVOLTS,
    PERCENT,
    PLAIN,
    SECONDS,
    STORED_KWH,
    TIMESTAMP,
    VOLTS,
    WATTS,
    measured,
    metric_sensor,
    provides,
)
from .records_runtime import records_attributes

BATTERY_STATUS_OPTIONS: Final = [status.value for status in BatteryStatus]
ENABLE_OPTIONS: Final = ["enabled", "disabled"]
ALARM_OPTIONS: Final = ["ok", "alarm"]
COMMUNICATION_OPTIONS: Final = ["online", "offline"]


def _has_live(battery: BatteryData) -> bool:
    """Return whether the battery delivered live points."""
    return battery.realtime is not None


@dataclass(frozen=True, kw_only=True)
class DynessSensorEntityDescription(SensorEntityDescription):
    """Describes one sensor of a Dyness battery."""

    value_fn: Callable[[BatteryData], StateType | datetime]
    has_fn: Callable[[BatteryData], bool] = lambda _: True
    available_fn: Callable[[BatteryData], bool] = _has_live
    wants_signal: bool = False
    attributes_fn: Callable[[BatteryData], dict[str, Any] | None] = lambda _: None
    # Names the weakest cell of the last week as attributes.
    weakest_cell: bool = False


def flag(
    key: str, metric: Metric, options: list[str], on: str, *, diagnostic: bool = False
) -> DynessSensorEntityDescription:
    """Describe a 0/1 point shown as one of two enum states (1 is `on`)."""
    (off,) = (option for option in options if option != on)

    def _read(battery: BatteryData) -> str | None:
        value = battery.number(metric)
        if value is None:
            return None
        return on if value else off

    return DynessSensorEntityDescription(
        key=key,
        device_class=SensorDeviceClass.ENUM,
        options=options,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
        value_fn=_read,
        has_fn=provides(metric),
    )


_sensor: Final = partial(metric_sensor, DynessSensorEntityDescription)
_diagnostic: Final = partial(
    metric_sensor, DynessSensorEntityDescription, diagnostic=True
)
_count: Final = partial(_sensor, quantity=COUNT, precision=None)
_diagnostic_count: Final = partial(_diagnostic, quantity=COUNT, precision=None)

SENSORS: Final[tuple[DynessSensorEntityDescription, ...]] = (
    _sensor("battery_power", Metric.POWER, WATTS, 0),
    _sensor("battery_current", Metric.CURRENT, AMPERES, 1),
    DynessSensorEntityDescription(
        key="battery_status",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATUS_OPTIONS,
        value_fn=lambda battery: battery.status,
        has_fn=provides(Metric.CURRENT),
    ),
    metric_sensor(
        partial(
            DynessSensorEntityDescription,
            attributes_fn=records_attributes(Metric.SOC),
        ),
        "state_of_charge",
        Metric.SOC,
        CHARGE,
        0,
    ),
    _sensor("state_of_health", Metric.SOH, PERCENT, 0),
    _sensor("pack_voltage", Metric.PACK_VOLTAGE, VOLTS, 2),
    _diagnostic("cell_voltage_max", Metric.CELL_VOLTAGE_MAX, VOLTS, 3),
    _diagnostic("cell_voltage_min", Metric.CELL_VOLTAGE_MIN, VOLTS, 3),
    measured(
        partial(
            DynessSensorEntityDescription,
            value_fn=lambda battery: battery.cell_spread_mv,
            has_fn=provides(Metric.CELL_VOLTAGE_MAX, Metric.CELL_VOLTAGE_MIN),
            weakest_cell=True,
        ),
        "cell_voltage_spread",
        MILLIVOLTS,
        0,
        diagnostic=True,
    ),
    _diagnostic_count("cell_voltage_max_number", Metric.CELL_VOLTAGE_MAX_NUMBER),
    _diagnostic_count("cell_voltage_min_number", Metric.CELL_VOLTAGE_MIN_NUMBER),
    _diagnostic_count("cell_voltage_max_module", Metric.CELL_VOLTAGE_MAX_MODULE),
    _diagnostic_count("cell_voltage_min_module", Metric.CELL_VOLTAGE_MIN_MODULE),
    _diagnostic("charge_voltage_upper", Metric.CHARGE_VOLTAGE_UPPER, VOLTS, 1),
    _diagnostic("charge_voltage_lower", Metric.CHARGE_VOLTAGE_LOWER, VOLTS, 1),
    _sensor("cell_temperature_max", Metric.CELL_TEMPERATURE_MAX, CELSIUS, 1),
    _sensor("cell_temperature_min", Metric.CELL_TEMPERATURE_MIN, CELSIUS, 1),
    _diagnostic("mosfet_temperature", Metric.MOSFET_TEMPERATURE, CELSIUS, 1),
    _diagnostic("bms_temperature_max", Metric.BMS_TEMPERATURE_MAX, CELSIUS, 1),
    _diagnostic("bms_temperature_min", Metric.BMS_TEMPERATURE_MIN, CELSIUS, 1),
    _sensor("battery_temperature", Metric.BATTERY_TEMPERATURE, CELSIUS, 1),
    _diagnostic("inverter_temperature", Metric.INVERTER_TEMPERATURE, CELSIUS, 1),
    _diagnostic("heatsink_temperature", Metric.HEATSINK_TEMPERATURE, CELSIUS, 1),
    _diagnostic("max_charge_current", Metric.MAX_CHARGE_CURRENT, AMPERES, 1),
    _diagnostic("max_discharge_current", Metric.MAX_DISCHARGE_CURRENT, AMPERES, 1),
    flag(
        "charge_enable",
        Metric.CHARGE_ENABLE,
        ENABLE_OPTIONS,
        "enabled",
        diagnostic=True,
    ),
    flag(
        "discharge_enable",
        Metric.DISCHARGE_ENABLE,
        ENABLE_OPTIONS,
        "enabled",
        diagnostic=True,
    ),
    flag("alarm_status", Metric.ALARM, ALARM_OPTIONS, "alarm"),
    DynessSensorEntityDescription(
        key="communication_status",
        device_class=SensorDeviceClass.ENUM,
        options=COMMUNICATION_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda battery: battery.communication,
        available_fn=lambda battery: battery.device is not None,
    ),
    DynessSensorEntityDescription(
        key="firmware_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda battery: battery.firmware,
        available_fn=lambda battery: battery.firmware is not None,
    ),
    DynessSensorEntityDescription(
        key="signal_strength",
        device_class=SensorDeviceClass.SIGNAL_STRENGTH,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda battery: battery.signal_dbm,
        available_fn=lambda battery: battery.dongle_sn is not None,
        wants_signal=True,
    ),
    measured(
        partial(
            DynessSensorEntityDescription, value_fn=lambda battery: battery.data_age
        ),
        "data_age",
        SECONDS,
        0,
        diagnostic=True,
    ),
    # Changes with every sample, and timestamps always reach the logbook;
    # the battery's Data age (a measurement) shows freshness without that.
    measured(
        partial(
            DynessSensorEntityDescription,
            entity_registry_enabled_default=False,
            value_fn=lambda battery: battery.sample_time,
        ),
        "last_data_update",
        TIMESTAMP,
        diagnostic=True,
    ),
    # Family-specific extras.
    _count("cycles", Metric.CYCLES),
    _sensor("remaining_energy", Metric.REMAINING_ENERGY, STORED_KWH, 2),
    _diagnostic("rated_energy", Metric.RATED_ENERGY, STORED_KWH, 2),
    _diagnostic_count("module_count", Metric.MODULE_COUNT),
    _sensor("pv_voltage", Metric.PV_VOLTAGE, VOLTS, None),
    _sensor("pv_current", Metric.PV_CURRENT, AMPERES, 1),
    _sensor("pv_power", Metric.PV_POWER, WATTS, 0),
    _sensor("output_power", Metric.OUTPUT_POWER, WATTS, 0),
    _sensor("grid_power", Metric.GRID_POWER, WATTS, 0),
    _sensor("load_power", Metric.LOAD_POWER, WATTS, 0),
    _diagnostic("power_limit", Metric.POWER_LIMIT, WATTS, 0),
    _diagnostic("discharge_depth", Metric.DISCHARGE_DEPTH, PERCENT, 0),
)

# The battery's worst debounced condition, from the alarm monitor.
PROBLEM: Final = SensorEntityDescription(
    key="problem",
    translation_key="problem",
    device_class=SensorDeviceClass.ENUM,
    options=PROBLEM_OPTIONS,
)


@dataclass(frozen=True, kw_only=True)
class DynessModuleSensorEntityDescription(SensorEntityDescription):
    """Describes one sensor of a battery module."""

    value_fn: Callable[[ModuleData], StateType]
    has_fn: Callable[[ModuleData], bool] = lambda _: True


def _highest_cell(module: ModuleData) -> float | None:
    """Return the highest cell voltage of a module."""
    return max((v for v in module.cells().values() if v is not None), default=None)


def _lowest_cell(module: ModuleData) -> float | None:
    """Return the lowest cell voltage of a module."""
    return min((v for v in module.cells().values() if v is not None), default=None)


def _module_spread(module: ModuleData) -> float | None:
    """Return the spread of a module's cell voltages in mV."""
    return spread_mv(module.cells().values())


def _has_cells(module: ModuleData) -> bool:
    """Return whether the module reports cell voltages."""
    return bool(module.cells())


def _has_cell_pair(module: ModuleData) -> bool:
    """Return whether the module reports at least two cell voltages."""
    return len(module.cells()) > 1


_module_sensor: Final = partial(metric_sensor, DynessModuleSensorEntityDescription)
_module_count: Final = partial(_module_sensor, quantity=COUNT, precision=None)

MODULE_SENSORS: Final[tuple[DynessModuleSensorEntityDescription, ...]] = (
    _module_sensor("state_of_charge", Metric.SOC, CHARGE, 0),
    _module_sensor("state_of_health", Metric.SOH, PERCENT, 0),
    _module_sensor("module_voltage", Metric.PACK_VOLTAGE, VOLTS, 2),
    _module_sensor("module_current", Metric.CURRENT, AMPERES, 1),
    _module_count("cycles", Metric.CYCLES),
    _module_sensor(
        "bms_temperature", Metric.BMS_TEMPERATURE_MAX, CELSIUS, 1, diagnostic=True
    ),
    measured(
        partial(
            DynessModuleSensorEntityDescription,
            value_fn=_highest_cell,
            has_fn=_has_cells,
        ),
        "cell_voltage_max",
        VOLTS,
        3,
        diagnostic=True,
    ),
    measured(
        partial(
            DynessModuleSensorEntityDescription,
            value_fn=_lowest_cell,
            has_fn=_has_cells,
        ),
        "cell_voltage_min",
        VOLTS,
        3,
        diagnostic=True,
    ),
    measured(
        partial(
            DynessModuleSensorEntityDescription,
            value_fn=_module_spread,
            has_fn=_has_cell_pair,
        ),
        "cell_voltage_spread",
        MILLIVOLTS,
        0,
        diagnostic=True,
    ),
)


def cell_voltage[
    D: (DynessSensorEntityDescription, DynessModuleSensorEntityDescription)
](kind: type[D], number: int) -> D:
    """Describe the voltage of one cell of a module or a master (family C)."""
    return measured(
        partial(
            kind,
            translation_key="cell_voltage",
            translation_placeholders={"cell": str(number)},
            entity_registry_enabled_default=False,
            value_fn=lambda owner: owner.cells().get(number),
        ),
        f"cell_{number}_voltage",
        VOLTS,
        3,
        diagnostic=True,
    )


def module_temperature(
    number: int, point_id: str
) -> DynessModuleSensorEntityDescription:
    """Describe one temperature sensor of a module."""
    return measured(
        partial(
            DynessModuleSensorEntityDescription,
            translation_key="module_temperature",
            translation_placeholders={"sensor": str(number)},
            value_fn=lambda module: (
                module.realtime.number(point_id)
                if module.realtime is not None
                else None
            ),
        ),
        f"temperature_{number}",
        CELSIUS,
        1,
    )


@dataclass(frozen=True, kw_only=True)
class DynessScheduleSensorEntityDescription(SensorEntityDescription):
    """Describes a figure of the App ID's call budget, on the account device."""

    value_fn: Callable[[ScheduleFigures], StateType | datetime]


SCHEDULE_SENSORS: Final[tuple[DynessScheduleSensorEntityDescription, ...]] = (
    measured(
        partial(
            DynessScheduleSensorEntityDescription,
            value_fn=lambda figures: figures.calls_last_hour,
        ),
        "api_calls",
        PLAIN,
        diagnostic=True,
    ),
    measured(
        partial(
            DynessScheduleSensorEntityDescription,
            value_fn=lambda figures: figures.budget_left,
        ),
        "api_budget_left",
        PLAIN,
        diagnostic=True,
    ),
    # Changes with every poll; off by default to keep the logbook readable.
    measured(
        partial(
            DynessScheduleSensorEntityDescription,
            entity_registry_enabled_default=False,
            value_fn=lambda figures: figures.next_refresh,
        ),
        "next_refresh",
        TIMESTAMP,
        diagnostic=True,
    ),
)
