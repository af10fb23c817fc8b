"""Every repair issue of the integration, raised from coordinator listeners.

Offline and cell imbalance follow the batteries' data, unknown model the
detection, and the budget issue the App ID's plan.

Not named `repairs.py`: Home Assistant loads that module as a repairs platform
and expects fix flows, which these self-clearing issues do not have.
"""

from __future__ import annotations

from datetime import datetime

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util

from .budget import MODULE_LAG_MINUTES, budget_repair
from .const import (
    DOMAIN,
    IMBALANCE_ISSUE_AFTER,
    IMBALANCE_SPREAD_MV,
    LOGGER,
    OFFLINE_ISSUE_AFTER,
    TOP_OF_CHARGE_SOC,
    Repair,
)
from .data import BatteryData
from .families import Metric
from .insights.outliers import MARGINS, Outlier, Quantity
from .modules import ModuleWanted
from .runtime import DynessConfigEntry

ISSUE_KINDS = (Repair.BATTERY_OFFLINE, Repair.CELL_IMBALANCE, Repair.NOT_ON_ACCOUNT)
# A module that stays away from its siblings (insights), per quantity; the
# margin as the texts show it.
OUTLIER_KINDS = {
    Quantity.TEMPERATURE: ("module_temperature_outlier", 1.0),
    Quantity.CELL_VOLTAGE: ("module_voltage_outlier", 1000.0),
}


def budget_issue_id(entry: DynessConfigEntry) -> str:
    """Return the issue ID of an entry's budget repair."""
    return f"{Repair.BUDGET}_{entry.entry_id}"


def issue_id(kind: str, entry: DynessConfigEntry, serial: str) -> str:
    """Return the issue ID of one kind of issue of one battery of an entry."""
    return f"{kind}_{entry.entry_id}_{serial}"


def _set_issue(
    hass: HomeAssistant,
    issue_id: str,
    key: str,
    placeholders: dict[str, str] | None,
) -> None:
    """Raise a warning repair issue with these placeholders, or clear it (None)."""
    if placeholders is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders=placeholders,
    )


class BatteryIssues:
    """Follow the coordinator and keep the entry's repair issues current."""

    def __init__(self, hass: HomeAssistant, entry: DynessConfigEntry) -> None:
        """Initialise with no condition seen yet."""
        self.hass = hass
        self.entry = entry
        self.coordinator = entry.runtime_data.coordinator
        self._detected: set[str] = set()
        self._last_sample: dict[str, datetime] = {}
        self._offline_since: dict[str, datetime] = {}
        self._imbalance_since: dict[str, datetime] = {}
        self._outliers: dict[str, set[str]] = {}

    def _name(self, battery: BatteryData) -> str:
        """Return the battery's device name, as the user may have renamed it."""
        return self._device_name(battery.serial, battery.name)

    def _device_name(self, serial: str, default: str) -> str:
        """Return a device's name, as the user may have renamed it."""
        device = dr.async_get(self.hass).async_get_device(
            identifiers={(DOMAIN, serial)}
        )
        if device is not None:
            return device.name_by_user or device.name or serial
        return default

    def _set(
        self,
        kind: str,
        battery: BatteryData,
        active: bool,
        placeholders: dict[str, str] | None = None,
    ) -> None:
        """Create or delete one issue of one battery."""
        _set_issue(
            self.hass,
            issue_id(kind, self.entry, battery.serial),
            kind,
            {"name": self._name(battery)} | (placeholders or {}) if active else None,
        )

    @callback
    def async_update(self) -> None:
        """Check the budget and every battery after a coordinator update."""
        self._check_budget()
        for battery in self.coordinator.data.batteries.values():
            self._check_model(battery)
            self._set(
                Repair.NOT_ON_ACCOUNT,
                battery,
                battery.serial in self.coordinator.foreign,
                {"serial": battery.serial},
            )
        if not self.coordinator.last_update_success:
            # The cloud failing says nothing about the batteries themselves.
            return
        now = dt_util.utcnow()
        for battery in self.coordinator.data.batteries.values():
            self._check_offline(battery, now)
            self._check_imbalance(battery)
            self._check_outliers(battery)

    def _check_budget(self) -> None:
        """Raise the budget repair while batteries or modules fall too far behind."""
        plan = self.coordinator.scheduler.plan()
        key = budget_repair(plan)
        if key is None:
            ir.async_delete_issue(self.hass, DOMAIN, budget_issue_id(self.entry))
            return
        _set_issue(
            self.hass,
            budget_issue_id(self.entry),
            key,
            {
                "budget": str(plan.budget),
                "battery_minutes": str(5 * plan.battery_every),
                "module_minutes": str(5 * plan.module_every),
                "modules": str(len(self.coordinator.wanted(ModuleWanted))),
                "lag": str(MODULE_LAG_MINUTES),
            },
        )

    def _check_model(self, battery: BatteryData) -> None:
        """Raise `unknown_model` once a battery's layout is decided without its model."""
        detection = battery.detection
        if not detection.final or battery.serial in self._detected:
            return
        self._detected.add(battery.serial)
        if not detection.known_model:
            LOGGER.warning(
                "Model %s (code %s) is not in the model table; read with the %s layout",
                battery.model,
                battery.model_code,
                detection.family.key,
            )
        _set_issue(
            self.hass,
            issue_id(Repair.UNKNOWN_MODEL, self.entry, battery.serial),
            Repair.UNKNOWN_MODEL,
            None
            if detection.known_model
            else {
                "model": battery.model or "?",
                "code": battery.model_code or "?",
                "layout": str(detection.family.key),
            },
        )

    def _check_offline(self, battery: BatteryData, now: datetime) -> None:
        """Raise `battery_offline` after an hour without a new sample or link."""
        serial = battery.serial
        if battery.realtime is not None and battery.realtime.timestamp is not None:
            self._last_sample[serial] = battery.realtime.timestamp
        elif battery.realtime is None:
            # No answer at all: count from the first cycle without one.
            self._last_sample.setdefault(serial, now)
        if battery.device is not None and battery.device.online is False:
            offline_since = self._offline_since.setdefault(serial, now)
        else:
            offline_since = None
            self._offline_since.pop(serial, None)
        last_sample = self._last_sample.get(serial)
        silent = last_sample is not None and now - last_sample > OFFLINE_ISSUE_AFTER
        unlinked = offline_since is not None and now - offline_since > (
            OFFLINE_ISSUE_AFTER
        )
        self._set(Repair.BATTERY_OFFLINE, battery, silent or unlinked)

    def _check_imbalance(self, battery: BatteryData) -> None:
        """Raise `cell_imbalance` after an hour of a wide spread below full charge."""
        serial = battery.serial
        spread = battery.cell_spread_mv
        soc = battery.number(Metric.SOC)
        if (
            spread is None
            or soc is None
            or battery.realtime is None
            or battery.realtime.timestamp is None
            or soc >= TOP_OF_CHARGE_SOC
        ):
            # Unknown, or at the top of charge where balancing widens the spread
            # anyway: neither start, advance nor clear.
            return
        sample_at = battery.realtime.timestamp
        if spread <= IMBALANCE_SPREAD_MV:
            self._imbalance_since.pop(serial, None)
            self._set(Repair.CELL_IMBALANCE, battery, False)
            return
        since = self._imbalance_since.setdefault(serial, sample_at)
        if sample_at - since > IMBALANCE_ISSUE_AFTER:
            self._set(
                Repair.CELL_IMBALANCE,
                battery,
                True,
                {"spread": f"{spread:.0f}", "limit": f"{IMBALANCE_SPREAD_MV:.0f}"},
            )

    def _check_outliers(self, battery: BatteryData) -> None:
        """Raise a repair per module and quantity the insights find off, clear the rest."""
        insights = self.entry.runtime_data.insights.battery(battery.serial)
        raised: set[str] = set()
        for outlier in insights.outliers.active:
            issue = self._outlier_issue(battery, outlier)
            raised.add(issue)
            kind, scale = OUTLIER_KINDS[outlier.quantity]
            module = battery.modules.get(outlier.module)
            default = (
                outlier.module
                if module is None
                else f"{battery.name} module {module.index}"
            )
            _set_issue(
                self.hass,
                issue,
                kind,
                {
                    "name": self._name(battery),
                    "module": self._device_name(outlier.module, default),
                    "margin": f"{MARGINS[outlier.quantity] * scale:g}",
                },
            )
        for issue in self._outliers.get(battery.serial, set()) - raised:
            ir.async_delete_issue(self.hass, DOMAIN, issue)
        self._outliers[battery.serial] = raised

    def _outlier_issue(self, battery: BatteryData, outlier: Outlier) -> str:
        """Return the issue ID of one module's outlier."""
        kind, _ = OUTLIER_KINDS[outlier.quantity]
        return f"{issue_id(kind, self.entry, battery.serial)}_{outlier.module}"


@callback
def async_setup_issues(hass: HomeAssistant, entry: DynessConfigEntry) -> CALLBACK_TYPE:
    """Drop issues of batteries no longer in the entry; follow the coordinator."""
    configured = set(entry.runtime_data.coordinator.data.batteries)
    _delete_issues(hass, entry, keep=configured)
    issues = BatteryIssues(hass, entry)
    issues.async_update()
    return entry.runtime_data.coordinator.async_add_listener(issues.async_update)


@callback
def async_remove_issues(hass: HomeAssistant, entry: DynessConfigEntry) -> None:
    """Delete every issue of an entry that is being removed."""
    _delete_issues(hass, entry, keep=set())
    ir.async_delete_issue(hass, DOMAIN, budget_issue_id(entry))
    ir.async_delete_issue(hass, DOMAIN, f"{Repair.CLOCK}_{entry.entry_id}")


def _delete_issues(
    hass: HomeAssistant, entry: DynessConfigEntry, keep: set[str]
) -> None:
    """Delete the entry's issues except those of the batteries in `keep`."""
    registry = ir.async_get(hass)
    for domain, key in list(registry.issues):
        if domain != DOMAIN:
            continue
        for kind in (*ISSUE_KINDS, Repair.UNKNOWN_MODEL):
            prefix = f"{kind}_{entry.entry_id}_"
            if key.startswith(prefix) and key.removeprefix(prefix) not in keep:
                ir.async_delete_issue(hass, DOMAIN, key)
        # Outlier verdicts are stored with the insights: raised again if still on.
        for outlier, _ in OUTLIER_KINDS.values():
            if key.startswith(f"{outlier}_{entry.entry_id}_"):
                ir.async_delete_issue(hass, DOMAIN, key)
