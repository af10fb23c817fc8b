"""Sensors of the Dyness battery integration: batteries, modules and cells."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Final, TypedDict

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
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .alarms import PROBLEM_OPTIONS, AlarmMonitor, alarm_monitor, alarm_table
from .const import STANDBY_CURRENT
from .coordinator import (
    BatteryData,
    DynessConfigEntry,
    DynessCoordinator,
    ModuleData,
    ScheduleFigures,
)
from .energy_sensor import energy_sensors
from .entity import DynessBatteryEntity, DynessModuleEntity, add_entities_as_they_appear
from .families import Metric
from .records_runtime import records_attributes

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
    """Describes one sensor of a Dyness battery."""

    value_fn: Callable[[BatteryData], StateType | datetime]
    has_fn: Callable[[BatteryData], bool] = lambda _: True
    available_fn: Callable[[BatteryData], bool] = _has_live
    wants_signal: bool = False
    attributes_fn: Callable[[BatteryData], dict[str, Any] | None] = lambda _: None


@dataclass(frozen=True, kw_only=True)
class DynessModuleSensorEntityDescription(SensorEntityDescription):
    """Describes one sensor of a battery module."""

    value_fn: Callable[[ModuleData], StateType]
    has_fn: Callable[[ModuleData], bool] = lambda _: True


def _status(battery: BatteryData) -> str | None:
    """Derive charging/discharging/standby from the current."""
    current = battery.number(Metric.CURRENT)
    if current is None:
        return None
    if current > STANDBY_CURRENT:
        return "charging"
    if current < -STANDBY_CURRENT:
        return "discharging"
    return "standby"


def _spread(
    values: dict[int, float | None] | tuple[float | None, float | None],
) -> float | None:
    """Return max - min in mV from cell voltages or a (max, min) pair."""
    found = [
        v
        for v in (values.values() if isinstance(values, dict) else values)
        if v is not None
    ]
    if len(found) < 2:
        return None
    return round((max(found) - min(found)) * 1000, 1)


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


_DIAGNOSTIC: Final[_Shape] = {"entity_category": EntityCategory.DIAGNOSTIC}
_VOLTAGE: Final[_Shape] = {
    "device_class": SensorDeviceClass.VOLTAGE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfElectricPotential.VOLT,
}
_CELL_VOLTAGE: Final[_Shape] = {
    **_VOLTAGE,
    **_DIAGNOSTIC,
    "suggested_display_precision": 3,
}
_SPREAD: Final[_Shape] = {
    "device_class": SensorDeviceClass.VOLTAGE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfElectricPotential.MILLIVOLT,
    "suggested_display_precision": 0,
    **_DIAGNOSTIC,
}
_PERCENT: Final[_Shape] = {
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": PERCENTAGE,
    "suggested_display_precision": 0,
}
_SOC: Final[_Shape] = {**_PERCENT, "device_class": SensorDeviceClass.BATTERY}
_CURRENT: Final[_Shape] = {
    "device_class": SensorDeviceClass.CURRENT,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfElectricCurrent.AMPERE,
    "suggested_display_precision": 1,
}
_POWER: Final[_Shape] = {
    "device_class": SensorDeviceClass.POWER,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfPower.WATT,
    "suggested_display_precision": 0,
}
_TEMPERATURE: Final[_Shape] = {
    "device_class": SensorDeviceClass.TEMPERATURE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfTemperature.CELSIUS,
    "suggested_display_precision": 1,
}
_STORED_ENERGY: Final[_Shape] = {
    "device_class": SensorDeviceClass.ENERGY_STORAGE,
    "state_class": SensorStateClass.MEASUREMENT,
    "native_unit_of_measurement": UnitOfEnergy.KILO_WATT_HOUR,
    "suggested_display_precision": 2,
}
_COUNT: Final[_Shape] = {"state_class": SensorStateClass.MEASUREMENT}


def _metric(
    key: str, metric: Metric, shape: _Shape, **extra: _Shape
) -> DynessSensorEntityDescription:
    """Describe a sensor that shows one battery metric as it is."""
    merged: _Shape = {**shape}
    for more in extra.values():
        merged.update(more)
    return DynessSensorEntityDescription(
        key=key,
        translation_key=key,
        value_fn=lambda battery: battery.number(metric),
        has_fn=lambda battery: battery.provides(metric),
        **merged,
    )


def _index(key: str, metric: Metric) -> DynessSensorEntityDescription:
    """Describe a diagnostic sensor that shows a cell or module number."""
    return DynessSensorEntityDescription(
        key=key,
        translation_key=key,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_integer(metric),
        has_fn=_provides(metric),
    )


def _provides(*metrics: Metric) -> Callable[[BatteryData], bool]:
    """Return a check that the battery delivers every metric."""
    return lambda battery: all(battery.provides(metric) for metric in metrics)


SENSORS: Final[tuple[DynessSensorEntityDescription, ...]] = (
    DynessSensorEntityDescription(
        key="battery_power",
        translation_key="battery_power",
        value_fn=lambda battery: battery.number(Metric.POWER),
        has_fn=_provides(Metric.POWER),
        **_POWER,
    ),
    DynessSensorEntityDescription(
        key="battery_current",
        translation_key="battery_current",
        value_fn=lambda battery: battery.number(Metric.CURRENT),
        has_fn=_provides(Metric.CURRENT),
        **_CURRENT,
    ),
    DynessSensorEntityDescription(
        key="battery_status",
        translation_key="battery_status",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATUS_OPTIONS,
        value_fn=_status,
        has_fn=_provides(Metric.CURRENT),
    ),
    replace(
        _metric("state_of_charge", Metric.SOC, _SOC),
        attributes_fn=records_attributes(Metric.SOC),
    ),
    _metric("state_of_health", Metric.SOH, _PERCENT),
    _metric(
        "pack_voltage",
        Metric.PACK_VOLTAGE,
        {**_VOLTAGE, "suggested_display_precision": 2},
    ),
    _metric("cell_voltage_max", Metric.CELL_VOLTAGE_MAX, _CELL_VOLTAGE),
    _metric("cell_voltage_min", Metric.CELL_VOLTAGE_MIN, _CELL_VOLTAGE),
    DynessSensorEntityDescription(
        key="cell_voltage_spread",
        translation_key="cell_voltage_spread",
        value_fn=lambda battery: _spread(
            (
                battery.number(Metric.CELL_VOLTAGE_MAX),
                battery.number(Metric.CELL_VOLTAGE_MIN),
            )
        ),
        has_fn=_provides(Metric.CELL_VOLTAGE_MAX, Metric.CELL_VOLTAGE_MIN),
        **_SPREAD,
    ),
    _index("cell_voltage_max_number", Metric.CELL_VOLTAGE_MAX_NUMBER),
    _index("cell_voltage_min_number", Metric.CELL_VOLTAGE_MIN_NUMBER),
    _index("cell_voltage_max_module", Metric.CELL_VOLTAGE_MAX_MODULE),
    _index("cell_voltage_min_module", Metric.CELL_VOLTAGE_MIN_MODULE),
    _metric(
        "charge_voltage_upper",
        Metric.CHARGE_VOLTAGE_UPPER,
        {**_VOLTAGE, "suggested_display_precision": 1},
        d=_DIAGNOSTIC,
    ),
    _metric(
        "charge_voltage_lower",
        Metric.CHARGE_VOLTAGE_LOWER,
        {**_VOLTAGE, "suggested_display_precision": 1},
        d=_DIAGNOSTIC,
    ),
    _metric("cell_temperature_max", Metric.CELL_TEMPERATURE_MAX, _TEMPERATURE),
    _metric("cell_temperature_min", Metric.CELL_TEMPERATURE_MIN, _TEMPERATURE),
    _metric(
        "mosfet_temperature", Metric.MOSFET_TEMPERATURE, _TEMPERATURE, d=_DIAGNOSTIC
    ),
    _metric(
        "bms_temperature_max", Metric.BMS_TEMPERATURE_MAX, _TEMPERATURE, d=_DIAGNOSTIC
    ),
    _metric(
        "bms_temperature_min", Metric.BMS_TEMPERATURE_MIN, _TEMPERATURE, d=_DIAGNOSTIC
    ),
    _metric("battery_temperature", Metric.BATTERY_TEMPERATURE, _TEMPERATURE),
    _metric(
        "inverter_temperature",
        Metric.INVERTER_TEMPERATURE,
        _TEMPERATURE,
        d=_DIAGNOSTIC,
    ),
    _metric(
        "heatsink_temperature",
        Metric.HEATSINK_TEMPERATURE,
        _TEMPERATURE,
        d=_DIAGNOSTIC,
    ),
    _metric("max_charge_current", Metric.MAX_CHARGE_CURRENT, _CURRENT, d=_DIAGNOSTIC),
    _metric(
        "max_discharge_current", Metric.MAX_DISCHARGE_CURRENT, _CURRENT, d=_DIAGNOSTIC
    ),
    DynessSensorEntityDescription(
        key="charge_enable",
        translation_key="charge_enable",
        device_class=SensorDeviceClass.ENUM,
        options=ENABLE_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_flag(Metric.CHARGE_ENABLE, "enabled", "disabled"),
        has_fn=_provides(Metric.CHARGE_ENABLE),
    ),
    DynessSensorEntityDescription(
        key="discharge_enable",
        translation_key="discharge_enable",
        device_class=SensorDeviceClass.ENUM,
        options=ENABLE_OPTIONS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_flag(Metric.DISCHARGE_ENABLE, "enabled", "disabled"),
        has_fn=_provides(Metric.DISCHARGE_ENABLE),
    ),
    DynessSensorEntityDescription(
        key="alarm_status",
        translation_key="alarm_status",
        device_class=SensorDeviceClass.ENUM,
        options=ALARM_OPTIONS,
        value_fn=_flag(Metric.ALARM, "alarm", "ok"),
        has_fn=_provides(Metric.ALARM),
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
    # Family-specific extras.
    _metric("cycles", Metric.CYCLES, _COUNT),
    _metric("remaining_energy", Metric.REMAINING_ENERGY, _STORED_ENERGY),
    _metric("rated_energy", Metric.RATED_ENERGY, _STORED_ENERGY, d=_DIAGNOSTIC),
    _metric("module_count", Metric.MODULE_COUNT, _COUNT, d=_DIAGNOSTIC),
    _metric("pv_voltage", Metric.PV_VOLTAGE, _VOLTAGE),
    _metric("pv_current", Metric.PV_CURRENT, _CURRENT),
    _metric("pv_power", Metric.PV_POWER, _POWER),
    _metric("output_power", Metric.OUTPUT_POWER, _POWER),
    _metric("grid_power", Metric.GRID_POWER, _POWER),
    _metric("load_power", Metric.LOAD_POWER, _POWER),
    _metric("power_limit", Metric.POWER_LIMIT, _POWER, d=_DIAGNOSTIC),
    _metric("discharge_depth", Metric.DISCHARGE_DEPTH, _PERCENT, d=_DIAGNOSTIC),
)


@dataclass(frozen=True, kw_only=True)
class DynessScheduleSensorEntityDescription(SensorEntityDescription):
    """Describes a sensor of the App ID's call budget, shown on the first battery."""

    value_fn: Callable[[ScheduleFigures], StateType | datetime]


def _data_age(figures: ScheduleFigures) -> int | None:
    """Return how old the newest sample was when it was last looked for."""
    if figures.newest_sample is None or figures.refreshed_at is None:
        return None
    return max(0, round((figures.refreshed_at - figures.newest_sample).total_seconds()))


SCHEDULE_SENSORS: Final[tuple[DynessScheduleSensorEntityDescription, ...]] = (
    DynessScheduleSensorEntityDescription(
        key="api_calls",
        translation_key="api_calls",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda figures: figures.calls_last_hour,
    ),
    DynessScheduleSensorEntityDescription(
        key="api_budget_left",
        translation_key="api_budget_left",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda figures: figures.budget_left,
    ),
    DynessScheduleSensorEntityDescription(
        key="data_age",
        translation_key="data_age",
        device_class=SensorDeviceClass.DURATION,
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=UnitOfTime.SECONDS,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_data_age,
    ),
    DynessScheduleSensorEntityDescription(
        key="next_refresh",
        translation_key="next_refresh",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda figures: figures.next_refresh,
    ),
)


def _module_metric(
    key: str, metric: Metric, shape: _Shape
) -> DynessModuleSensorEntityDescription:
    """Describe a module sensor that shows one module metric."""
    return DynessModuleSensorEntityDescription(
        key=key,
        translation_key=key,
        value_fn=lambda module: module.number(metric),
        has_fn=lambda module: module.provides(metric),
        **shape,
    )


MODULE_SENSORS: Final[tuple[DynessModuleSensorEntityDescription, ...]] = (
    _module_metric("state_of_charge", Metric.SOC, _SOC),
    _module_metric("state_of_health", Metric.SOH, _PERCENT),
    _module_metric(
        "module_voltage",
        Metric.PACK_VOLTAGE,
        {**_VOLTAGE, "suggested_display_precision": 2},
    ),
    _module_metric("module_current", Metric.CURRENT, _CURRENT),
    _module_metric("cycles", Metric.CYCLES, _COUNT),
    _module_metric(
        "bms_temperature", Metric.BMS_TEMPERATURE_MAX, {**_TEMPERATURE, **_DIAGNOSTIC}
    ),
    DynessModuleSensorEntityDescription(
        key="cell_voltage_max",
        translation_key="cell_voltage_max",
        value_fn=lambda module: max(
            (v for v in module.cells().values() if v is not None), default=None
        ),
        has_fn=lambda module: bool(module.cells()),
        **_CELL_VOLTAGE,
    ),
    DynessModuleSensorEntityDescription(
        key="cell_voltage_min",
        translation_key="cell_voltage_min",
        value_fn=lambda module: min(
            (v for v in module.cells().values() if v is not None), default=None
        ),
        has_fn=lambda module: bool(module.cells()),
        **_CELL_VOLTAGE,
    ),
    DynessModuleSensorEntityDescription(
        key="cell_voltage_spread",
        translation_key="cell_voltage_spread",
        value_fn=lambda module: _spread(module.cells()),
        has_fn=lambda module: len(module.cells()) > 1,
        **_SPREAD,
    ),
)


def _cell_voltage[
    D: (DynessSensorEntityDescription, DynessModuleSensorEntityDescription)
](kind: type[D], number: int) -> D:
    """Describe the voltage of one cell of a module or a master (family C)."""
    return kind(
        key=f"cell_{number}_voltage",
        translation_key="cell_voltage",
        translation_placeholders={"cell": str(number)},
        entity_registry_enabled_default=False,
        value_fn=lambda owner: owner.cells().get(number),
        **_CELL_VOLTAGE,
    )


def _module_temperature(
    number: int, point_id: str
) -> DynessModuleSensorEntityDescription:
    """Describe one temperature sensor of a module."""
    return DynessModuleSensorEntityDescription(
        key=f"temperature_{number}",
        translation_key="module_temperature",
        translation_placeholders={"sensor": str(number)},
        value_fn=lambda module: (
            module.realtime.number(point_id) if module.realtime is not None else None
        ),
        **_TEMPERATURE,
    )


def _battery_descriptions(
    battery: BatteryData,
) -> list[DynessSensorEntityDescription]:
    """Return every sensor description a battery warrants."""
    found = [description for description in SENSORS if description.has_fn(battery)]
    found.extend(
        _cell_voltage(DynessSensorEntityDescription, number)
        for number in battery.cells()
    )
    return found


def _module_descriptions(
    module: ModuleData,
) -> list[DynessModuleSensorEntityDescription]:
    """Return every sensor description a module warrants."""
    found = [
        description for description in MODULE_SENSORS if description.has_fn(module)
    ]
    found.extend(
        _module_temperature(number, point_id)
        for number, point_id in module.temperatures().items()
    )
    found.extend(
        _cell_voltage(DynessModuleSensorEntityDescription, number)
        for number in module.cells()
    )
    return found


def _new_sensors(coordinator: DynessCoordinator, known: set[str]) -> list[Entity]:
    """Return sensors for batteries, modules and points not seen before."""
    new: list[Entity] = []
    first = next(iter(coordinator.data.batteries), "")
    for figure in SCHEDULE_SENSORS if first else ():
        unique_id = f"{coordinator.config_entry.unique_id}_{figure.key}"
        if unique_id not in known:
            known.add(unique_id)
            new.append(DynessScheduleSensor(coordinator, first, figure, unique_id))
    for serial, battery in coordinator.data.batteries.items():
        for description in _battery_descriptions(battery):
            unique_id = f"{serial}_{description.key}"
            if unique_id not in known:
                known.add(unique_id)
                new.append(DynessSensor(coordinator, serial, description))
        if (
            f"{serial}_problem" not in known
            and alarm_table(battery.family.key).conditions
        ):
            known.add(f"{serial}_problem")
            new.append(DynessProblemSensor(coordinator, serial, PROBLEM))
        new.extend(energy_sensors(coordinator, serial, battery, known))
        for module_sn, module in battery.modules.items():
            if module.realtime is None:
                continue
            for module_description in _module_descriptions(module):
                unique_id = f"{module_sn}_{module_description.key}"
                if unique_id not in known:
                    known.add(unique_id)
                    new.append(
                        DynessModuleSensor(
                            coordinator, serial, module_sn, module_description
                        )
                    )
    return new


async def async_setup_entry(
    hass: HomeAssistant,
    entry: DynessConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Set up sensors now and for batteries and modules that appear later."""
    add_entities_as_they_appear(entry, async_add_entities, _new_sensors)


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

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Return what the value rests on, where it needs saying."""
        return self.entity_description.attributes_fn(self.battery)

    async def async_added_to_hass(self) -> None:
        """Ask the coordinator for the dongle's signal while this entity exists."""
        await super().async_added_to_hass()
        if self.entity_description.wants_signal:
            self.coordinator.signal_wanted.add(self.serial)
            self.async_on_remove(
                lambda: self.coordinator.signal_wanted.discard(self.serial)
            )
            self.coordinator.config_entry.async_create_background_task(
                self.hass,
                self.coordinator.async_read_signal(self.serial),
                f"{self.entity_id} first read",
            )


class DynessModuleSensor(DynessModuleEntity, SensorEntity):
    """A sensor of one battery module."""

    entity_description: DynessModuleSensorEntityDescription

    @property
    def native_value(self) -> StateType:
        """Return the sensor's value."""
        module = self.module
        return None if module is None else self.entity_description.value_fn(module)


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


class DynessScheduleSensor(DynessBatteryEntity, SensorEntity):
    """A figure of the App ID's call budget."""

    entity_description: DynessScheduleSensorEntityDescription

    def __init__(
        self,
        coordinator: DynessCoordinator,
        serial: str,
        description: DynessScheduleSensorEntityDescription,
        unique_id: str,
    ) -> None:
        """Attach the account-wide figure to the first battery's device."""
        super().__init__(coordinator, serial, description)
        self._attr_unique_id = unique_id

    @property
    def available(self) -> bool:
        """Return True: the figures exist even while the cloud fails."""
        return self.coordinator.data is not None

    @property
    def native_value(self) -> StateType | datetime:
        """Return the figure."""
        return self.entity_description.value_fn(self.coordinator.data.schedule)
