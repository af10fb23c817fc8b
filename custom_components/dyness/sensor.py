"""Sensors of the Dyness battery integration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Final, TypedDict

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfPower,
    UnitOfTemperature,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .alarms import PROBLEM_OPTIONS, AlarmMonitor, alarm_monitor, alarm_table
from .const import STANDBY_CURRENT
from .coordinator import BatteryData, DynessConfigEntry
from .entity import DynessBatteryEntity
from .families import Metric

PARALLEL_UPDATES = 0

BATTERY_STATUS_OPTIONS: Final = ["charging", "discharging", "standby"]
ENABLE_OPTIONS: Final = ["enabled", "disabled"]
ALARM_OPTIONS: Final = ["ok", "alarm"]
COMMUNICATION_OPTIONS: Final = ["online", "offline"]


def _has_live(battery: BatteryData) -> bool:
    """Return whether the battery delivered live points."""
    return battery.realtime is not None


@dataclass(frozen=True, kw_only=True)
class DynessSensorEntityDescription(SensorEntityDescription):
    """Describes one Dyness battery sensor."""

    value_fn: Callable[[BatteryData], StateType | datetime]
    has_fn: Callable[[BatteryData], bool] = lambda _: True
    available_fn: Callable[[BatteryData], bool] = _has_live
    wants_signal: bool = False


def _power(battery: BatteryData) -> float | None:
    """Return pack power in W, positive while charging."""
    voltage = battery.number(Metric.PACK_VOLTAGE)
    current = battery.number(Metric.CURRENT)
    if voltage is None or current is None:
        return None
    return round(voltage * current * battery.family.current_sign, 1)


def _current(battery: BatteryData) -> float | None:
    """Return pack current in A, positive while charging."""
    current = battery.number(Metric.CURRENT)
    return None if current is None else current * battery.family.current_sign


def _status(battery: BatteryData) -> str | None:
    """Derive charging/discharging/standby from the current."""
    current = _current(battery)
    if current is None:
        return None
    if current > STANDBY_CURRENT:
        return "charging"
    if current < -STANDBY_CURRENT:
        return "discharging"
    return "standby"


def _spread(battery: BatteryData) -> float | None:
    """Return the cell voltage spread in mV."""
    high = battery.number(Metric.CELL_VOLTAGE_MAX)
    low = battery.number(Metric.CELL_VOLTAGE_MIN)
    if high is None or low is None:
        return None
    return round((high - low) * 1000, 1)


def _integer(metric: Metric) -> Callable[[BatteryData], int | None]:
    """Return a reader for a metric that holds a whole number."""

    def _read(battery: BatteryData) -> int | None:
        value = battery.number(metric)
        return None if value is None else int(value)

    return _read


def _flag(metric: Metric, on: str, off: str) -> Callable[[BatteryData], str | None]:
    """Return a reader that maps a 0/1 point to two enum states."""

    def _read(battery: BatteryData) -> str | None:
        value = battery.number(metric)
        if value is None:
            return None
        return on if value else off

    return _read


def _communication(battery: BatteryData) -> str | None:
    """Return online/offline from the device list."""
    online = battery.device.online if battery.device is not None else None
    if online is None:
        return None
    return "online" if online else "offline"


def _timestamp(battery: BatteryData) -> datetime | None:
    """Return the collection time of the live sample."""
    return battery.realtime.timestamp if battery.realtime is not None else None


class _Shape(TypedDict, total=False):
    """Keyword arguments shared by several sensor descriptions."""

    device_class: SensorDeviceClass
    state_class: SensorStateClass
    native_unit_of_measurement: str
    suggested_display_precision: int
    entity_category: EntityCategory


def _metric(
    key: str,
    metric: Metric,
    shape: _Shape,
    *,
    diagnostic: bool = False,
    precision: int | None = None,
) -> DynessSensorEntityDescription:
    """Describe a sensor that shows one numeric metric as is."""
    merged: _Shape = {**shape}
    if diagnostic:
        merged["entity_category"] = EntityCategory.DIAGNOSTIC
    if precision is not None:
        merged["suggested_display_precision"] = precision
    return DynessSensorEntityDescription(
        key=key,
        translation_key=key,
        value_fn=lambda battery: battery.number(metric),
        has_fn=lambda battery: battery.family.has(metric),
        **merged,
    )


def _has_all(*metrics: Metric) -> Callable[[BatteryData], bool]:
    """Return a check that the family provides every metric."""
    return lambda battery: all(battery.family.has(metric) for metric in metrics)


_VOLTAGE: Final[_Shape] = {
    "device_class": SensorDeviceClass.VOLTAGE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfElectricPotential.VOLT,
}
_PERCENT: Final[_Shape] = {
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": PERCENTAGE,
    "suggested_display_precision": 0,
}
_CURRENT: Final[_Shape] = {
    "device_class": SensorDeviceClass.CURRENT,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfElectricCurrent.AMPERE,
    "suggested_display_precision": 1,
}
_TEMPERATURE: Final[_Shape] = {
    "device_class": SensorDeviceClass.TEMPERATURE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfTemperature.CELSIUS,
    "suggested_display_precision": 1,
}

SENSORS: Final[tuple[DynessSensorEntityDescription, ...]] = (
    DynessSensorEntityDescription(
        key="battery_power",
        translation_key="battery_power",
        device_class=SensorDeviceClass.POWER,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfPower.WATT,
        suggested_display_precision=0,
        value_fn=_power,
        has_fn=_has_all(Metric.PACK_VOLTAGE, Metric.CURRENT),
    ),
    DynessSensorEntityDescription(
        key="battery_current",
        translation_key="battery_current",
        value_fn=_current,
        has_fn=_has_all(Metric.CURRENT),
        **_CURRENT,
    ),
    DynessSensorEntityDescription(
        key="battery_status",
        translation_key="battery_status",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATUS_OPTIONS,
        value_fn=_status,
        has_fn=_has_all(Metric.CURRENT),
    ),
    _metric(
        "state_of_charge",
        Metric.SOC,
        {**_PERCENT, "device_class": SensorDeviceClass.BATTERY},
    ),
    _metric("state_of_health", Metric.SOH, _PERCENT),
    _metric("pack_voltage", Metric.PACK_VOLTAGE, _VOLTAGE, precision=2),
    _metric(
        "cell_voltage_max",
        Metric.CELL_VOLTAGE_MAX,
        _VOLTAGE,
        diagnostic=True,
        precision=3,
    ),
    _metric(
        "cell_voltage_min",
        Metric.CELL_VOLTAGE_MIN,
        _VOLTAGE,
        diagnostic=True,
        precision=3,
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_spread",
        translation_key="cell_voltage_spread",
        device_class=SensorDeviceClass.VOLTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfElectricPotential.MILLIVOLT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_spread,
        has_fn=_has_all(Metric.CELL_VOLTAGE_MAX, Metric.CELL_VOLTAGE_MIN),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_max_number",
        translation_key="cell_voltage_max_number",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_integer(Metric.CELL_VOLTAGE_MAX_NUMBER),
        has_fn=_has_all(Metric.CELL_VOLTAGE_MAX_NUMBER),
    ),
    DynessSensorEntityDescription(
        key="cell_voltage_min_number",
        translation_key="cell_voltage_min_number",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_integer(Metric.CELL_VOLTAGE_MIN_NUMBER),
        has_fn=_has_all(Metric.CELL_VOLTAGE_MIN_NUMBER),
    ),
    _metric(
        "charge_voltage_upper",
        Metric.CHARGE_VOLTAGE_UPPER,
        _VOLTAGE,
        diagnostic=True,
        precision=1,
    ),
    _metric(
        "charge_voltage_lower",
        Metric.CHARGE_VOLTAGE_LOWER,
        _VOLTAGE,
        diagnostic=True,
        precision=1,
    ),
    _metric("cell_temperature_max", Metric.CELL_TEMPERATURE_MAX, _TEMPERATURE),
    _metric("cell_temperature_min", Metric.CELL_TEMPERATURE_MIN, _TEMPERATURE),
    _metric(
        "mosfet_temperature", Metric.MOSFET_TEMPERATURE, _TEMPERATURE, diagnostic=True
    ),
    _metric(
        "bms_temperature_max", Metric.BMS_TEMPERATURE_MAX, _TEMPERATURE, diagnostic=True
    ),
    _metric(
        "bms_temperature_min", Metric.BMS_TEMPERATURE_MIN, _TEMPERATURE, diagnostic=True
    ),
    _metric("max_charge_current", Metric.MAX_CHARGE_CURRENT, _CURRENT, diagnostic=True),
    _metric(
        "max_discharge_current", Metric.MAX_DISCHARGE_CURRENT, _CURRENT, diagnostic=True
    ),
    DynessSensorEntityDescription(
        key="charge_enable",
        translation_key="charge_enable",
        device_class=SensorDeviceClass.ENUM,
        options=ENABLE_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_flag(Metric.CHARGE_ENABLE, "enabled", "disabled"),
        has_fn=_has_all(Metric.CHARGE_ENABLE),
    ),
    DynessSensorEntityDescription(
        key="discharge_enable",
        translation_key="discharge_enable",
        device_class=SensorDeviceClass.ENUM,
        options=ENABLE_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_flag(Metric.DISCHARGE_ENABLE, "enabled", "disabled"),
        has_fn=_has_all(Metric.DISCHARGE_ENABLE),
    ),
    DynessSensorEntityDescription(
        key="alarm_status",
        translation_key="alarm_status",
        device_class=SensorDeviceClass.ENUM,
        options=ALARM_OPTIONS,
        value_fn=_flag(Metric.ALARM, "alarm", "ok"),
        has_fn=_has_all(Metric.ALARM),
    ),
    DynessSensorEntityDescription(
        key="communication_status",
        translation_key="communication_status",
        device_class=SensorDeviceClass.ENUM,
        options=COMMUNICATION_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_communication,
        available_fn=lambda battery: battery.device is not None,
    ),
    DynessSensorEntityDescription(
        key="firmware_version",
        translation_key="firmware_version",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda battery: battery.firmware,
        available_fn=lambda battery: battery.firmware is not None,
    ),
    DynessSensorEntityDescription(
        key="signal_strength",
        translation_key="signal_strength",
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
        key="last_data_update",
        translation_key="last_data_update",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_timestamp,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up the sensors of every configured battery."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        DynessSensor(coordinator, serial, description)
        for serial, battery in coordinator.data.batteries.items()
        for description in SENSORS
        if description.has_fn(battery)
    )
    async_add_entities(
        DynessProblemSensor(coordinator, serial, PROBLEM)
        for serial, battery in coordinator.data.batteries.items()
        if alarm_table(battery.family.key).conditions
    )


class DynessSensor(DynessBatteryEntity, SensorEntity):
    """A sensor of one Dyness battery."""

    entity_description: DynessSensorEntityDescription

    @property
    def available(self) -> bool:
        """Return whether the sensor's source is there."""
        return (
            self.coordinator.last_update_success
            and self.serial in self.coordinator.data.batteries
            and self.entity_description.available_fn(self.battery)
        )

    @property
    def native_value(self) -> StateType | datetime:
        """Return the sensor's value."""
        return self.entity_description.value_fn(self.battery)

    async def async_added_to_hass(self) -> None:
        """Ask the coordinator for the dongle's signal while this entity exists."""
        await super().async_added_to_hass()
        if self.entity_description.wants_signal:
            self.coordinator.signal_wanted.add(self.serial)
            self.async_on_remove(
                lambda: self.coordinator.signal_wanted.discard(self.serial)
            )


PROBLEM: Final = SensorEntityDescription(
    key="problem",
    translation_key="problem",
    device_class=SensorDeviceClass.ENUM,
    options=PROBLEM_OPTIONS,
)


class DynessProblemSensor(DynessBatteryEntity, SensorEntity):
    """The battery's worst debounced condition: ok, balancing, warning, …, fault."""

    @property
    def monitor(self) -> AlarmMonitor:
        """Return the alarm monitor of the entity's config entry."""
        return alarm_monitor(self.hass, self.coordinator.config_entry)

    @property
    def native_value(self) -> str:
        """Return the most serious active condition's kind."""
        return self.monitor.battery(self.serial).problem.value

    @property
    def extra_state_attributes(self) -> dict[str, list[str]]:
        """List the active and the balancing conditions in words."""
        alarms = self.monitor.battery(self.serial)
        return {
            "conditions": [item.words for item in alarms.active],
            "balancing": [item.words for item in alarms.balancing],
        }
