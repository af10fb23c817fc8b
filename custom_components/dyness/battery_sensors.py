"""Descriptions of the sensors of a battery, one whole definition per key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.helpers.typing import StateType

from .alarms import PROBLEM_OPTIONS
from .data import BatteryData
from .families import Metric
from .records_runtime import records_attributes

BATTERY_STATUS_OPTIONS: Final = ["charging", "discharging", "standby"]
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


def number(metric: Metric) -> Callable[[BatteryData], float | None]:
    """Return a reader of a metric as a number."""
    return lambda battery: battery.number(metric)


def integer(metric: Metric) -> Callable[[BatteryData], int | None]:
    """Return a reader for a metric that holds a whole number."""

    def _read(battery: BatteryData) -> int | None:
        value = battery.number(metric)
        return None if value is None else int(value)

    return _read


def provides(*metrics: Metric) -> Callable[[BatteryData], bool]:
    """Return a check that the battery delivers every metric."""
    return lambda battery: all(battery.provides(metric) for metric in metrics)


def flag(metric: Metric, on: str, off: str) -> Callable[[BatteryData], str | None]:
    """Return a reader that maps a 0/1 point to two enum states."""

    def _read(battery: BatteryData) -> str | None:
        value = battery.number(metric)
        if value is None:
            return None
        return on if value else off

    return _read


SENSORS: Final[tuple[DynessSensorEntityDescription, ...]] = (
    DynessSensorEntityDescription(
        key="battery_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=number(Metric.POWER),
        has_fn=provides(Metric.POWER),
    ),
    DynessSensorEntityDescription(
        key="battery_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=number(Metric.CURRENT),
        has_fn=provides(Metric.CURRENT),
    ),
    DynessSensorEntityDescription(
        key="battery_status",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATUS_OPTIONS,
        value_fn=lambda battery: battery.status,
        has_fn=provides(Metric.CURRENT),
    ),
    DynessSensorEntityDescription(
        key="state_of_charge",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=number(Metric.SOC),
        has_fn=provides(Metric.SOC),
        attributes_fn=records_attributes(Metric.SOC),
    ),
    DynessSensorEntityDescription(
        key="state_of_health",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=number(Metric.SOH),
        has_fn=provides(Metric.SOH),
    ),
    DynessSensorEntityDescription(
        key="pack_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=2,
        value_fn=number(Metric.PACK_VOLTAGE),
        has_fn=provides(Metric.PACK_VOLTAGE),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_max",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.CELL_VOLTAGE_MAX),
        has_fn=provides(Metric.CELL_VOLTAGE_MAX),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_min",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.CELL_VOLTAGE_MIN),
        has_fn=provides(Metric.CELL_VOLTAGE_MIN),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_spread",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.MILLIVOLT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda battery: battery.cell_spread_mv,
        has_fn=provides(Metric.CELL_VOLTAGE_MAX, Metric.CELL_VOLTAGE_MIN),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_max_number",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=integer(Metric.CELL_VOLTAGE_MAX_NUMBER),
        has_fn=provides(Metric.CELL_VOLTAGE_MAX_NUMBER),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_min_number",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=integer(Metric.CELL_VOLTAGE_MIN_NUMBER),
        has_fn=provides(Metric.CELL_VOLTAGE_MIN_NUMBER),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_max_module",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=integer(Metric.CELL_VOLTAGE_MAX_MODULE),
        has_fn=provides(Metric.CELL_VOLTAGE_MAX_MODULE),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_min_module",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=integer(Metric.CELL_VOLTAGE_MIN_MODULE),
        has_fn=provides(Metric.CELL_VOLTAGE_MIN_MODULE),
    ),
    DynessSensorEntityDescription(
        key="charge_voltage_upper",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.CHARGE_VOLTAGE_UPPER),
        has_fn=provides(Metric.CHARGE_VOLTAGE_UPPER),
    ),
    DynessSensorEntityDescription(
        key="charge_voltage_lower",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.CHARGE_VOLTAGE_LOWER),
        has_fn=provides(Metric.CHARGE_VOLTAGE_LOWER),
    ),
    DynessSensorEntityDescription(
        key="cell_temperature_max",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=number(Metric.CELL_TEMPERATURE_MAX),
        has_fn=provides(Metric.CELL_TEMPERATURE_MAX),
    ),
    DynessSensorEntityDescription(
        key="cell_temperature_min",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=number(Metric.CELL_TEMPERATURE_MIN),
        has_fn=provides(Metric.CELL_TEMPERATURE_MIN),
    ),
    DynessSensorEntityDescription(
        key="mosfet_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.MOSFET_TEMPERATURE),
        has_fn=provides(Metric.MOSFET_TEMPERATURE),
    ),
    DynessSensorEntityDescription(
        key="bms_temperature_max",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.BMS_TEMPERATURE_MAX),
        has_fn=provides(Metric.BMS_TEMPERATURE_MAX),
    ),
    DynessSensorEntityDescription(
        key="bms_temperature_min",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.BMS_TEMPERATURE_MIN),
        has_fn=provides(Metric.BMS_TEMPERATURE_MIN),
    ),
    DynessSensorEntityDescription(
        key="battery_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=number(Metric.BATTERY_TEMPERATURE),
        has_fn=provides(Metric.BATTERY_TEMPERATURE),
    ),
    DynessSensorEntityDescription(
        key="inverter_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.INVERTER_TEMPERATURE),
        has_fn=provides(Metric.INVERTER_TEMPERATURE),
    ),
    DynessSensorEntityDescription(
        key="heatsink_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.HEATSINK_TEMPERATURE),
        has_fn=provides(Metric.HEATSINK_TEMPERATURE),
    ),
    DynessSensorEntityDescription(
        key="max_charge_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.MAX_CHARGE_CURRENT),
        has_fn=provides(Metric.MAX_CHARGE_CURRENT),
    ),
    DynessSensorEntityDescription(
        key="max_discharge_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.MAX_DISCHARGE_CURRENT),
        has_fn=provides(Metric.MAX_DISCHARGE_CURRENT),
    ),
    DynessSensorEntityDescription(
        key="charge_enable",
        device_class=SensorDeviceClass.ENUM,
        options=ENABLE_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=flag(Metric.CHARGE_ENABLE, "enabled", "disabled"),
        has_fn=provides(Metric.CHARGE_ENABLE),
    ),
    DynessSensorEntityDescription(
        key="discharge_enable",
        device_class=SensorDeviceClass.ENUM,
        options=ENABLE_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=flag(Metric.DISCHARGE_ENABLE, "enabled", "disabled"),
        has_fn=provides(Metric.DISCHARGE_ENABLE),
    ),
    DynessSensorEntityDescription(
        key="alarm_status",
        device_class=SensorDeviceClass.ENUM,
        options=ALARM_OPTIONS,
        value_fn=flag(Metric.ALARM, "alarm", "ok"),
        has_fn=provides(Metric.ALARM),
    ),
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
    DynessSensorEntityDescription(
        key="data_age",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda battery: battery.data_age,
    ),
    DynessSensorEntityDescription(
        key="last_data_update",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # Changes with every sample, and timestamps always reach the logbook;
        # the battery's Data age (a measurement) shows freshness without that.
        entity_registry_enabled_default=False,
        value_fn=lambda battery: battery.sample_time,
    ),
    # Family-specific extras.
    DynessSensorEntityDescription(
        key="cycles",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=integer(Metric.CYCLES),
        has_fn=provides(Metric.CYCLES),
    ),
    DynessSensorEntityDescription(
        key="remaining_energy",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        value_fn=number(Metric.REMAINING_ENERGY),
        has_fn=provides(Metric.REMAINING_ENERGY),
    ),
    DynessSensorEntityDescription(
        key="rated_energy",
        device_class=SensorDeviceClass.ENERGY_STORAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfEnergy.KILO_WATT_HOUR,
        suggested_display_precision=2,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.RATED_ENERGY),
        has_fn=provides(Metric.RATED_ENERGY),
    ),
    DynessSensorEntityDescription(
        key="module_count",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=integer(Metric.MODULE_COUNT),
        has_fn=provides(Metric.MODULE_COUNT),
    ),
    DynessSensorEntityDescription(
        key="pv_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        value_fn=number(Metric.PV_VOLTAGE),
        has_fn=provides(Metric.PV_VOLTAGE),
    ),
    DynessSensorEntityDescription(
        key="pv_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=number(Metric.PV_CURRENT),
        has_fn=provides(Metric.PV_CURRENT),
    ),
    DynessSensorEntityDescription(
        key="pv_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=number(Metric.PV_POWER),
        has_fn=provides(Metric.PV_POWER),
    ),
    DynessSensorEntityDescription(
        key="output_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=number(Metric.OUTPUT_POWER),
        has_fn=provides(Metric.OUTPUT_POWER),
    ),
    DynessSensorEntityDescription(
        key="grid_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=number(Metric.GRID_POWER),
        has_fn=provides(Metric.GRID_POWER),
    ),
    DynessSensorEntityDescription(
        key="load_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=number(Metric.LOAD_POWER),
        has_fn=provides(Metric.LOAD_POWER),
    ),
    DynessSensorEntityDescription(
        key="power_limit",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.POWER_LIMIT),
        has_fn=provides(Metric.POWER_LIMIT),
    ),
    DynessSensorEntityDescription(
        key="discharge_depth",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=number(Metric.DISCHARGE_DEPTH),
        has_fn=provides(Metric.DISCHARGE_DEPTH),
    ),
)

# The battery's worst debounced condition, from the alarm monitor.
PROBLEM: Final = SensorEntityDescription(
    key="problem",
    translation_key="problem",
    device_class=SensorDeviceClass.ENUM,
    options=PROBLEM_OPTIONS,
)
