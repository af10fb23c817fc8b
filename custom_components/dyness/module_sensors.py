"""Descriptions of the module and account sensors, one whole definition per key."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfTemperature,
)
from homeassistant.helpers.typing import StateType

from .battery_sensors import DynessSensorEntityDescription
from .data import ModuleData, ScheduleFigures, spread_mv
from .families import Metric


@dataclass(frozen=True, kw_only=True)
class DynessModuleSensorEntityDescription(SensorEntityDescription):
    """Describes one sensor of a battery module."""

    value_fn: Callable[[ModuleData], StateType]
    has_fn: Callable[[ModuleData], bool] = lambda _: True


def module_number(metric: Metric) -> Callable[[ModuleData], float | None]:
    """Return a reader of a module metric as a number."""
    return lambda module: module.number(metric)


def module_integer(metric: Metric) -> Callable[[ModuleData], int | None]:
    """Return a reader of a module metric that holds a whole number."""

    def _read(module: ModuleData) -> int | None:
        value = module.number(metric)
        return None if value is None else int(value)

    return _read


def module_provides(metric: Metric) -> Callable[[ModuleData], bool]:
    """Return a check that the module lists a metric's point."""
    return lambda module: module.provides(metric)


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


MODULE_SENSORS: Final[tuple[DynessModuleSensorEntityDescription, ...]] = (
    DynessModuleSensorEntityDescription(
        key="state_of_charge",
        device_class=SensorDeviceClass.BATTERY,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=module_number(Metric.SOC),
        has_fn=module_provides(Metric.SOC),
    ),
    DynessModuleSensorEntityDescription(
        key="state_of_health",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PERCENTAGE,
        suggested_display_precision=0,
        value_fn=module_number(Metric.SOH),
        has_fn=module_provides(Metric.SOH),
    ),
    DynessModuleSensorEntityDescription(
        key="module_voltage",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=2,
        value_fn=module_number(Metric.PACK_VOLTAGE),
        has_fn=module_provides(Metric.PACK_VOLTAGE),
    ),
    DynessModuleSensorEntityDescription(
        key="module_current",
        device_class=SensorDeviceClass.CURRENT,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        suggested_display_precision=1,
        value_fn=module_number(Metric.CURRENT),
        has_fn=module_provides(Metric.CURRENT),
    ),
    DynessModuleSensorEntityDescription(
        key="cycles",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=module_integer(Metric.CYCLES),
        has_fn=module_provides(Metric.CYCLES),
    ),
    DynessModuleSensorEntityDescription(
        key="bms_temperature",
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=module_number(Metric.BMS_TEMPERATURE_MAX),
        has_fn=module_provides(Metric.BMS_TEMPERATURE_MAX),
    ),
    DynessModuleSensorEntityDescription(
        key="cell_voltage_max",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_highest_cell,
        has_fn=_has_cells,
    ),
    DynessModuleSensorEntityDescription(
        key="cell_voltage_min",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_lowest_cell,
        has_fn=_has_cells,
    ),
    DynessModuleSensorEntityDescription(
        key="cell_voltage_spread",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.MILLIVOLT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_module_spread,
        has_fn=_has_cell_pair,
    ),
)


def cell_voltage[
    D: (DynessSensorEntityDescription, DynessModuleSensorEntityDescription)
](kind: type[D], number: int) -> D:
    """Describe the voltage of one cell of a module or a master (family C)."""
    return kind(
        key=f"cell_{number}_voltage",
        translation_key="cell_voltage",
        translation_placeholders={"cell": str(number)},
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.VOLT,
        suggested_display_precision=3,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda owner: owner.cells().get(number),
    )


def module_temperature(
    number: int, point_id: str
) -> DynessModuleSensorEntityDescription:
    """Describe one temperature sensor of a module."""
    return DynessModuleSensorEntityDescription(
        key=f"temperature_{number}",
        translation_key="module_temperature",
        translation_placeholders={"sensor": str(number)},
        device_class=SensorDeviceClass.TEMPERATURE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        suggested_display_precision=1,
        value_fn=lambda module: (
            module.realtime.number(point_id) if module.realtime is not None else None
        ),
    )


@dataclass(frozen=True, kw_only=True)
class DynessScheduleSensorEntityDescription(SensorEntityDescription):
    """Describes a figure of the App ID's call budget, on the account device."""

    value_fn: Callable[[ScheduleFigures], StateType | datetime]


SCHEDULE_SENSORS: Final[tuple[DynessScheduleSensorEntityDescription, ...]] = (
    DynessScheduleSensorEntityDescription(
        key="api_calls",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda figures: figures.calls_last_hour,
    ),
    DynessScheduleSensorEntityDescription(
        key="api_budget_left",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda figures: figures.budget_left,
    ),
    # Changes with every poll; off by default to keep the logbook readable.
    DynessScheduleSensorEntityDescription(
        key="next_refresh",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        value_fn=lambda figures: figures.next_refresh,
    ),
)
