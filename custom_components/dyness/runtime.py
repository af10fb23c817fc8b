"""Everything one loaded config entry owns, kept on the entry as runtime data."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .alarms import AlarmMonitor
from .api import DynessClient
from .coordinator import DynessCoordinator
from .firmware import DynessFirmwareCoordinator
from .modules import ModuleBook
from .records import RecordsCaches
from .records_runtime import RecordsClocks
from .settings_coordinator import DynessSettingsCoordinator
from .static import DynessStaticCoordinator


@dataclass(kw_only=True)
class DynessRuntimeData:
    """The objects of a loaded entry; the App ID's scheduler is shared instead."""

    client: DynessClient
    coordinator: DynessCoordinator
    static: DynessStaticCoordinator
    firmware: DynessFirmwareCoordinator
    alarms: AlarmMonitor
    records: RecordsCaches
    clocks: RecordsClocks
    modules: ModuleBook
    # Only while the entry allows changing battery settings.
    settings: DynessSettingsCoordinator | None = None


type DynessConfigEntry = ConfigEntry[DynessRuntimeData]
