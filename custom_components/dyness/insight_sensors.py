"""Insight sensors: time to full and empty, efficiency, health, the home battery."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import callback
from homeassistant.helpers.typing import StateType
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from .battery_sensors import BATTERY_STATUS_OPTIONS
from .coordinator import DynessCoordinator
from .data import BatteryData, DynessData
from .energy import Direction
from .energy_sensor import energy_source
from .entity import DynessBatteryEntity, NewEntity, home_device_info
from .families import Metric
from .insight_book import BatteryInsights, InsightBook
from .insights.home import HomeFigures
from .quantities import (
    CHARGE,
    MINUTES,
    PERCENT,
    PLAIN,
    STORED_KWH,
    TOTAL_KWH,
    WATTS,
    Quantity,
    measured,
    provides,
)
from .runtime import DynessConfigEntry

FULL: Final = 1
EMPTY: Final = -1


def _rounded(value: float | None, digits: int = 0) -> float | None:
    """Return a value rounded for display, None kept."""
    return None if value is None else round(value, digits) + 0.0


def _has_totals(battery: BatteryData) -> bool:
    """Return whether the battery has energy totals and an SOC."""
    return battery.provides(Metric.SOC) and all(
        energy_source(battery, direction) is not None for direction in Direction
    )


@dataclass(frozen=True, kw_only=True)
class InsightSensorDescription(SensorEntityDescription):
    """Describes an insight sensor of one battery."""

    value_fn: Callable[[BatteryInsights, datetime], StateType]
    has_fn: Callable[[BatteryData], bool]


def _duration(key: str, sign: int) -> InsightSensorDescription:
    """Return the description of time to full (+1) or time to empty (-1)."""
    return measured(
        partial(
            InsightSensorDescription,
            value_fn=lambda insights, now: _rounded(insights.minutes(now, sign)),
            has_fn=provides(Metric.SOC, Metric.POWER),
        ),
        key,
        MINUTES,
        0,
    )


BATTERY_INSIGHTS: Final[tuple[InsightSensorDescription, ...]] = (
    _duration("time_to_full", FULL),
    _duration("time_to_empty", EMPTY),
    measured(
        partial(
            InsightSensorDescription,
            value_fn=lambda insights, _: _rounded(insights.efficiency, 1),
            has_fn=_has_totals,
        ),
        "round_trip_efficiency",
        PERCENT,
        1,
    ),
    measured(
        partial(
            InsightSensorDescription,
            value_fn=lambda insights, _: (
                None if insights.cycles_today is None else round(insights.cycles_today)
            ),
            has_fn=provides(Metric.CYCLES),
        ),
        "cycles_today",
        PLAIN,
        0,
    ),
    # The unit, percentage points per year, is translated.
    measured(
        partial(
            InsightSensorDescription,
            value_fn=lambda insights, _: _rounded(insights.soh_loss, 2),
            has_fn=provides(Metric.SOH),
        ),
        "soh_loss_per_year",
        PLAIN,
        2,
    ),
)


@dataclass(frozen=True, kw_only=True)
class HomeSensorDescription(SensorEntityDescription):
    """Describes a sensor of the home battery."""

    value_fn: Callable[[InsightBook, HomeFigures, datetime], StateType]
    # Totals keep their last value while batteries are missing.
    total: bool = False
    # Lists the batteries without fresh data as an attribute.
    lists_missing: bool = False


def _figure(
    read: Callable[[HomeFigures], float | None], digits: int = 2
) -> Callable[[InsightBook, HomeFigures, datetime], StateType]:
    """Return a reader of one home figure."""
    return lambda _, figures, __: _rounded(read(figures), digits)


def _home(
    key: str,
    quantity: Quantity,
    precision: int,
    read: Callable[[HomeFigures], float | None],
    digits: int,
) -> HomeSensorDescription:
    """Return the description of a home figure, kept for display to `digits`."""
    return measured(
        partial(
            HomeSensorDescription,
            value_fn=_figure(read, digits),
            total=quantity.state_class is SensorStateClass.TOTAL_INCREASING,
        ),
        key,
        quantity,
        precision,
    )


def _home_duration(key: str, sign: int) -> HomeSensorDescription:
    """Return the description of the home battery's time to full or to empty."""
    return measured(
        partial(
            HomeSensorDescription,
            value_fn=lambda book, _, now: _rounded(book.home_minutes(now, sign)),
        ),
        key,
        MINUTES,
        0,
    )


HOME_SENSORS: Final[tuple[HomeSensorDescription, ...]] = (
    measured(
        partial(
            HomeSensorDescription,
            value_fn=_figure(lambda home: home.soc, 1),
            lists_missing=True,
        ),
        "home_state_of_charge",
        CHARGE,
        0,
    ),
    _home("remaining_energy", STORED_KWH, 2, lambda home: home.remaining_kwh, 2),
    _home("rated_energy", STORED_KWH, 2, lambda home: home.rated_kwh, 2),
    _home("battery_power", WATTS, 0, lambda home: home.power_w, 1),
    _home("charge_power", WATTS, 0, lambda home: home.charge_power_w, 1),
    _home("discharge_power", WATTS, 0, lambda home: home.discharge_power_w, 1),
    _home("energy_charged", TOTAL_KWH, 2, lambda home: home.charged_kwh, 4),
    _home("energy_discharged", TOTAL_KWH, 2, lambda home: home.discharged_kwh, 4),
    HomeSensorDescription(
        key="battery_status",
        device_class=SensorDeviceClass.ENUM,
        options=BATTERY_STATUS_OPTIONS,
        value_fn=lambda _, figures, __: (
            None if figures.status is None else figures.status.value
        ),
    ),
    _home_duration("time_to_full", FULL),
    _home_duration("time_to_empty", EMPTY),
    measured(
        partial(
            HomeSensorDescription,
            value_fn=lambda book, _, __: _rounded(book.home_efficiency, 1),
        ),
        "round_trip_efficiency",
        PERCENT,
        1,
    ),
)


def insight_sensors(entry: DynessConfigEntry, data: DynessData) -> Iterator[NewEntity]:
    """Yield the insight sensors of each battery and, with two or more, the home."""
    coordinator = entry.runtime_data.coordinator
    for serial, battery in data.batteries.items():
        for description in BATTERY_INSIGHTS:
            if description.has_fn(battery):
                yield (
                    f"{serial}_{description.key}",
                    partial(DynessInsightSensor, coordinator, serial, description),
                )
    if len(data.batteries) < 2:
        return
    for home in HOME_SENSORS:
        yield (
            f"{entry.unique_id}_home_{home.key}",
            partial(DynessHomeSensor, coordinator, home),
        )


class InsightListener(CoordinatorEntity[DynessCoordinator]):
    """Written when the insight book has taken the coordinator's new data."""

    @property
    def insights(self) -> InsightBook:
        """Return the entry's insight book."""
        book: InsightBook = self.coordinator.config_entry.runtime_data.insights
        return book

    async def async_added_to_hass(self) -> None:
        """Follow the insight book, which follows the coordinator."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.insights.async_add_listener(self.async_write_ha_state)
        )

    @callback
    def _handle_coordinator_update(self) -> None:
        """Leave the write to the book's listener, which runs after feeding."""


class DynessInsightSensor(InsightListener, DynessBatteryEntity, SensorEntity):
    """An insight of one battery."""

    entity_description: InsightSensorDescription

    @property
    def native_value(self) -> StateType:
        """Return the insight as of now."""
        insights = self.insights.batteries.get(self.serial)
        if insights is None:
            return None
        return self.entity_description.value_fn(insights, dt_util.utcnow())


class DynessHomeSensor(InsightListener, SensorEntity):
    """A figure of the home battery: every battery of the entry seen as one."""

    _attr_has_entity_name = True
    entity_description: HomeSensorDescription

    def __init__(
        self, coordinator: DynessCoordinator, description: HomeSensorDescription
    ) -> None:
        """Initialise the sensor on the entry's home battery device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_translation_key = description.key
        entry = coordinator.config_entry
        self._attr_unique_id = f"{entry.unique_id}_home_{description.key}"
        self._attr_device_info = home_device_info(entry)

    @property
    def available(self) -> bool:
        """Return whether enough batteries are fresh (totals: whether known)."""
        figures = self.insights.home_figures
        if self.entity_description.total:
            return self.native_value is not None
        return super().available and figures is not None and figures.available

    @property
    def native_value(self) -> StateType:
        """Return the figure as of now."""
        figures = self.insights.home_figures
        if figures is None:
            return None
        return self.entity_description.value_fn(
            self.insights, figures, dt_util.utcnow()
        )

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Name the batteries without fresh data (on the state of charge)."""
        if not self.entity_description.lists_missing:
            return None
        figures = self.insights.home_figures
        return {"missing": [] if figures is None else list(figures.missing)}
