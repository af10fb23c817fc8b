"""Typed coordinator data: what is known about each battery and module."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .api import (
    BatteryInfo,
    DeviceDetail,
    PowerRecord,
    RealtimeSnapshot,
    RunningData,
    StorageDevice,
)
from .api.models import parse_number
from .const import (
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    CONF_MODEL,
    CONF_MODEL_CODE,
    STANDBY_CURRENT,
)
from .families import DERIVED_FROM, Family, Metric, ModuleLayout, Source, SourceKind
from .insights.home import BatteryStatus
from .model_table import Detection
from .records_clock import RecordsView

_SIGNED: frozenset[Metric] = frozenset({Metric.CURRENT, Metric.POWER})


@dataclass(frozen=True, kw_only=True)
class BatteryConfig:
    """A battery the user chose, as stored in the config entry."""

    device_sn: str
    dongle_sn: str | None = None
    model: str | None = None
    model_code: str | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BatteryConfig:
        """Build the battery from its config entry form."""
        return cls(
            device_sn=str(data[CONF_DEVICE_SN]),
            dongle_sn=data.get(CONF_DONGLE_SN) or None,
            model=data.get(CONF_MODEL) or None,
            model_code=data.get(CONF_MODEL_CODE) or None,
        )

    @classmethod
    def from_device(cls, device: StorageDevice) -> BatteryConfig:
        """Build the battery from its entry in the account's device list."""
        return cls(
            device_sn=device.device_sn,
            dongle_sn=device.collector_sn,
            model=device.model_name,
            model_code=device.model_code,
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the config entry form of the battery."""
        return {
            CONF_DEVICE_SN: self.device_sn,
            CONF_DONGLE_SN: self.dongle_sn,
            CONF_MODEL: self.model,
            CONF_MODEL_CODE: self.model_code,
        }

    def model_of(self, device: StorageDevice | None) -> tuple[str | None, str | None]:
        """Return the model name and code: the cloud's list first, else as stored."""
        name = device.model_name if device and device.model_name else self.model
        code = device.model_code if device and device.model_code else self.model_code
        return name, code


def spread_mv(voltages: Iterable[float | None]) -> float | None:
    """Return highest minus lowest of at least two cell voltages, in mV."""
    found = [voltage for voltage in voltages if voltage is not None]
    if len(found) < 2:
        return None
    return round((max(found) - min(found)) * 1000, 1)


@dataclass(frozen=True, kw_only=True, slots=True)
class ModuleData:
    """The last known live points of one module (sub-device) of a battery."""

    serial: str
    index: int
    realtime: RealtimeSnapshot | None = None
    layout: ModuleLayout | None = None

    def number(self, metric: Metric) -> float | None:
        """Return a module metric as a number, None when unknown."""
        if self.layout is None or self.realtime is None:
            return None
        point_id = self.layout.point(metric)
        return self.realtime.number(point_id) if point_id else None

    def provides(self, metric: Metric) -> bool:
        """Return whether the module lists the point of a metric."""
        if self.layout is None or self.realtime is None:
            return False
        point_id = self.layout.point(metric)
        return point_id is not None and self.realtime.has(point_id)

    def cells(self) -> dict[int, float | None]:
        """Return cell number → voltage."""
        if self.layout is None:
            return {}
        return self.layout.cells.voltages(self.realtime)

    def temperatures(self) -> dict[int, str]:
        """Return sensor number → point id of the temperatures the module lists."""
        if self.layout is None or self.realtime is None:
            return {}
        return {
            number: point_id
            for number, point_id in enumerate(self.layout.temperatures, start=1)
            if self.realtime.has(point_id)
        }

    @property
    def firmware(self) -> str | None:
        """Return the module firmware, when the layout has it."""
        point_id = self.layout.point(Metric.FIRMWARE) if self.layout else None
        if point_id is None or self.realtime is None:
            return None
        return self.realtime.text(point_id)


@dataclass(frozen=True, kw_only=True)
class BatteryData:
    """What the coordinator knows about one battery after a cycle."""

    config: BatteryConfig
    detection: Detection
    realtime: RealtimeSnapshot | None = None
    device: StorageDevice | None = None
    detail: DeviceDetail | None = None
    power: PowerRecord | None = None
    # v2 battery info of this sample, where it replaces the records (soc_source.py).
    battery_info: BatteryInfo | None = None
    # Whether `power` is current by the records clock (issue 17); None: unchecked.
    records: RecordsView | None = None
    running: RunningData | None = None
    signal_dbm: float | None = None
    modules: Mapping[str, ModuleData] = field(default_factory=dict)
    # When the live points were read (the cycle's start).
    read_at: datetime | None = None

    @property
    def family(self) -> Family:
        """Return the layout the battery's points are read with."""
        return self.detection.family

    @property
    def serial(self) -> str:
        """Return the battery's master serial."""
        return self.config.device_sn

    @property
    def model(self) -> str | None:
        """Return the model name, preferring the cloud's current answer."""
        if self.device is not None and self.device.model_name:
            return self.device.model_name
        return self.config.model

    @property
    def model_code(self) -> str | None:
        """Return the model code, preferring the cloud's current answer."""
        if self.device is not None and self.device.model_code:
            return self.device.model_code
        return self.config.model_code

    @property
    def name(self) -> str:
        """Return the device name shown in Home Assistant."""
        return f"{self.model or 'Dyness battery'} {self.serial.split('-')[0][-4:]}"

    @property
    def firmware(self) -> str | None:
        """Return the firmware from the live points, else from the device list."""
        live = self.text(Metric.FIRMWARE)
        if live:
            return live
        return self.device.firmware_version if self.device is not None else None

    @property
    def status(self) -> BatteryStatus | None:
        """Return charging, discharging or standby, from the current."""
        return BatteryStatus.from_flow(self.number(Metric.CURRENT), STANDBY_CURRENT)

    @property
    def cell_spread_mv(self) -> float | None:
        """Return the spread between the highest and lowest cell voltage in mV."""
        return spread_mv(
            (self.number(Metric.CELL_VOLTAGE_MAX), self.number(Metric.CELL_VOLTAGE_MIN))
        )

    @property
    def communication(self) -> str | None:
        """Return online or offline, as the device list says."""
        online = self.device.online if self.device is not None else None
        if online is None:
            return None
        return "online" if online else "offline"

    @property
    def data_age(self) -> int | None:
        """Return how old the sample was when it was read, in seconds."""
        sample = self.sample_time
        if sample is None or self.read_at is None:
            return None
        return max(0, round((self.read_at - sample).total_seconds()))

    @property
    def sample_time(self) -> datetime | None:
        """Return the collection time `T` of the live sample."""
        return self.realtime.timestamp if self.realtime is not None else None

    @property
    def dongle_sn(self) -> str | None:
        """Return the collector (dongle) serial."""
        if self.config.dongle_sn:
            return self.config.dongle_sn
        return self.device.collector_sn if self.device is not None else None

    def _read(self, source: Source) -> Any:
        """Return the raw value of a source, None when it is not there."""
        match source.kind:
            case SourceKind.POINT:
                if self.realtime is None:
                    return None
                found = self.realtime.points.get(source.key)
                return None if found is None else found.value
            case SourceKind.POWER_RECORD:
                if self.battery_info is not None and source.key == "soc":
                    return self.battery_info.soc
                if self.power is None or self.records is None or self.records.note:
                    return None
                return self.power.raw.get(source.key)
            case SourceKind.RUNNING:
                return (
                    None if self.running is None else self.running.raw.get(source.key)
                )
            case SourceKind.DETAIL:
                return None if self.detail is None else self.detail.raw.get(source.key)

    def number(self, metric: Metric) -> float | None:
        """Return a metric as a number (positive current = charging)."""
        source = self.family.source(metric)
        if source is None:
            return self._derive(metric)
        value = parse_number(self._read(source))
        if value is None:
            return None
        sign = source.sign * (self.family.current_sign if metric in _SIGNED else 1)
        # Adding 0.0 turns a negated zero into a plain 0.
        return float(value) * sign + 0.0

    def text(self, metric: Metric) -> str | None:
        """Return a metric as text, None when unknown."""
        source = self.family.source(metric)
        if source is not None and source.kind is SourceKind.POINT:
            # As sent: firmware "1.10" is not the number 1.1.
            return None if self.realtime is None else self.realtime.text(source.key)
        value = None if source is None else self._read(source)
        if value is None:
            return None
        return str(value).strip() or None

    def _derive(self, metric: Metric) -> float | None:
        """Compute a metric the family has no point for."""
        match metric:
            case Metric.POWER:
                voltage = self.number(Metric.PACK_VOLTAGE)
                current = self.number(Metric.CURRENT)
                if voltage is None or current is None:
                    return None
                return round(voltage * current, 1)
            case Metric.REMAINING_ENERGY:
                rated = self.number(Metric.RATED_ENERGY)
                soc = self.number(Metric.SOC)
                if rated is None or soc is None:
                    return None
                return round(rated * soc / 100, 2)
            case Metric.CELL_VOLTAGE_MAX | Metric.CELL_VOLTAGE_MIN:
                values = [v for v in self.cells().values() if v is not None]
                if not values:
                    return None
                return max(values) if metric is Metric.CELL_VOLTAGE_MAX else min(values)
        return None

    def cells(self) -> dict[int, float | None]:
        """Return the master's own cell voltages (family C), else nothing."""
        if self.family.cells is None:
            return {}
        return self.family.cells.voltages(self.realtime)

    def provides(self, metric: Metric) -> bool:
        """Return whether this battery delivers a metric, so an entity is due."""
        source = self.family.source(metric)
        if source is None:
            if not self.family.has(metric):
                return False
            if metric in (Metric.CELL_VOLTAGE_MAX, Metric.CELL_VOLTAGE_MIN):
                return bool(self.cells())
            return all(self.provides(needed) for needed in DERIVED_FROM.get(metric, ()))
        if source.kind is SourceKind.POINT:
            # Created once the point carries a value: some models list points
            # they never fill (PowerHaus cycle count), others fill them later.
            return (
                self.realtime is not None and self.realtime.text(source.key) is not None
            )
        if source.kind is SourceKind.POWER_RECORD:
            if self.battery_info is not None and source.key == "soc":
                return self.battery_info.soc is not None
            # Due once a record carries it, current or not: unknown says why.
            return self.power is not None and self.power.raw.get(source.key) is not None
        return self._read(source) is not None


@dataclass(frozen=True, kw_only=True)
class ScheduleFigures:
    """How the App ID's call budget is used, as of the end of a refresh."""

    calls_last_hour: int = 0
    budget: int = 0
    budget_left: int = 0
    next_refresh: datetime | None = None
    battery_minutes: int = 5
    module_minutes: int = 5


@dataclass(frozen=True, kw_only=True)
class DynessData:
    """Coordinator data: every configured battery keyed by its serial."""

    batteries: Mapping[str, BatteryData] = field(default_factory=dict)
    schedule: ScheduleFigures = field(default_factory=ScheduleFigures)
