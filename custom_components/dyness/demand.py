"""The entry's demand on its App ID's call scheduler, from the entities that listen."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import CALLBACK_TYPE, callback

from .api import CallScheduler
from .api.scheduler import Plan
from .budget import entry_demand
from .data import BatteryData, DynessData
from .errors import DynessBaseCoordinator
from .modules import ModuleWanted, SignalWanted


class DynessDemandCoordinator(DynessBaseCoordinator[DynessData]):
    """A coordinator that tells the scheduler what its listening entities need."""

    scheduler: CallScheduler
    _plan: Plan

    @callback
    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> Callable[[], None]:
        """Listen; an entity that wants a module or dongle read changes the demand."""
        remove = super().async_add_listener(update_callback, context)
        if not isinstance(context, ModuleWanted | SignalWanted):
            return remove
        self._demand_changed()

        @callback
        def _remove() -> None:
            remove()
            self._demand_changed()

        return _remove

    def wanted(self, kind: type[ModuleWanted | SignalWanted]) -> set[str]:
        """Return the serials that listening entities want read this way."""
        return {
            context.serial
            for context in self.async_contexts()
            if isinstance(context, kind)
        }

    @callback
    def follow_budget(self) -> None:
        """Plan with a new budget now and tell the listeners (figures, repair)."""
        self._plan = self.scheduler.plan()
        if self.data is not None:
            schedule = replace(
                self.data.schedule,
                budget=self.scheduler.budget,
                budget_left=self.scheduler.budget_left(),
                battery_minutes=5 * self._plan.battery_every,
                module_minutes=5 * self._plan.module_every,
            )
            self.data = replace(self.data, schedule=schedule)
            self.async_update_listeners()

    def _demand_changed(self) -> None:
        """Republish the demand while the entry runs (not while it unloads)."""
        if self.data is not None and self.config_entry.state is ConfigEntryState.LOADED:
            self._publish_demand(self.data.batteries)
            # Listeners such as the budget repair follow the new plan at once.
            self.async_update_listeners()

    def _publish_demand(self, batteries: Mapping[str, BatteryData]) -> None:
        """Tell the App ID's scheduler what this entry needs per sample."""
        self.scheduler.set_demand(
            self.config_entry.entry_id,
            entry_demand(
                batteries,
                modules=len(self.wanted(ModuleWanted)),
                signals=len(self.wanted(SignalWanted)),
            ),
        )
