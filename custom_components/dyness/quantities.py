"""What sensors measure, and the one builder of a measuring sensor's description."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Final, Protocol

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    UnitOfElectricCurrent,
    UnitOfElectricPotential,
    UnitOfEnergy,
    UnitOfPower,
    UnitOfTemperature,
    UnitOfTime,
)

from .families import Metric


@dataclass(frozen=True, slots=True)
class Quantity:
    """A measured quantity: device class, unit, state class, whole or not."""

    device_class: SensorDeviceClass | None = None
    unit: str | None = None
    state_class: SensorStateClass | None = SensorStateClass.MEASUREMENT
    # Counts are whole numbers.
    whole: bool = False


WATTS: Final = Quantity(SensorDeviceClass.POWER, UnitOfPower.WATT)
AMPERES: Final = Quantity(SensorDeviceClass.CURRENT, UnitOfElectricCurrent.AMPERE)
VOLTS: Final = Quantity(SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.VOLT)
MILLIVOLTS: Final = Quantity(
    SensorDeviceClass.VOLTAGE, UnitOfElectricPotential.MILLIVOLT
)
CELSIUS: Final = Quantity(SensorDeviceClass.TEMPERATURE, UnitOfTemperature.CELSIUS)
CHARGE: Final = Quantity(SensorDeviceClass.BATTERY, PERCENTAGE)
PERCENT: Final = Quantity(None, PERCENTAGE)
STORED_KWH: Final = Quantity(
    SensorDeviceClass.ENERGY_STORAGE, UnitOfEnergy.KILO_WATT_HOUR
)
TOTAL_KWH: Final = Quantity(
    SensorDeviceClass.ENERGY,
    UnitOfEnergy.KILO_WATT_HOUR,
    SensorStateClass.TOTAL_INCREASING,
)
MINUTES: Final = Quantity(SensorDeviceClass.DURATION, UnitOfTime.MINUTES)
SECONDS: Final = Quantity(SensorDeviceClass.DURATION, UnitOfTime.SECONDS)
# A number without unit (percentage points per year carry a translated unit).
PLAIN: Final = Quantity()
COUNT: Final = Quantity(whole=True)
# A moment, not a measurement.
TIMESTAMP: Final = Quantity(SensorDeviceClass.TIMESTAMP, state_class=None)


class Readings(Protocol):
    """What batteries and modules both deliver: metrics by their points."""

    def number(self, metric: Metric) -> float | None:
        """Return a metric as a number, None when unknown."""

    def provides(self, metric: Metric) -> bool:
        """Return whether the metric's point is delivered."""


def number(metric: Metric) -> Callable[[Readings], float | None]:
    """Return a reader of a metric as a number."""
    return lambda owner: owner.number(metric)


def integer(metric: Metric) -> Callable[[Readings], int | None]:
    """Return a reader for a metric that holds a whole number."""

    def _read(owner: Readings) -> int | None:
        value = owner.number(metric)
        return None if value is None else int(value)

    return _read


def provides(*metrics: Metric) -> Callable[[Readings], bool]:
    """Return a check that every metric is delivered."""
    return lambda owner: all(owner.provides(metric) for metric in metrics)


def measured[D](
    kind: Callable[..., D],
    key: str,
    quantity: Quantity,
    precision: int | None = None,
    *,
    diagnostic: bool = False,
) -> D:
    """Describe a sensor of a quantity; `kind` is the description with its readers."""
    return kind(
        key=key,
        device_class=quantity.device_class,
        state_class=quantity.state_class,
        native_unit_of_measurement=quantity.unit,
        suggested_display_precision=precision,
        entity_category=EntityCategory.DIAGNOSTIC if diagnostic else None,
    )


def metric_sensor[D](
    kind: Callable[..., D],
    key: str,
    metric: Metric,
    quantity: Quantity,
    precision: int | None,
    *,
    diagnostic: bool = False,
) -> D:
    """Describe a sensor that shows one metric of a battery or a module."""
    read = integer(metric) if quantity.whole else number(metric)
    return measured(
        partial(kind, value_fn=read, has_fn=provides(metric)),
        key,
        quantity,
        precision,
        diagnostic=diagnostic,
    )
