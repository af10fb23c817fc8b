"""The modules of each battery: `SUB` discovery, the stored list, which are due.

A battery lists its modules in the `SUB` point (docs/api.md §5.3). The list is
kept over restarts, as the point is sometimes empty. A lone module repeats its
battery and is never read. Of two or more, each is read once when first seen;
after that only modules that an enabled entity shows, after every
`module_every` new samples of their battery. Entities say which modules they
show through their coordinator context (`ModuleWanted`), so nothing keeps a registry
that entities write into.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .api import DynessClient, RealtimeSnapshot, is_master_sn
from .api.scheduler import Priority
from .const import DOMAIN
from .data import BatteryData, ModuleData
from .errors import optional
from .plausibility import Rejections, module_checks

STORE_VERSION = 1


@dataclass(frozen=True, slots=True)
class ModuleWanted:
    """The coordinator context of an entity that shows a module's data."""

    serial: str


@dataclass(frozen=True, slots=True)
class SignalWanted:
    """The coordinator context of an entity that shows a battery's dongle signal."""

    serial: str


class ModuleBook:
    """Module serials per battery, in order of first appearance, and their turns."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        client: DynessClient,
        rejections: Rejections,
    ) -> None:
        """Initialise an empty book; `async_load` fills it from the store."""
        self.client = client
        self.rejections = rejections
        self.known: dict[str, list[str]] = {}
        self._store: Store[dict[str, list[str]]] = Store(
            hass, STORE_VERSION, f"{DOMAIN}.{entry_id}.modules"
        )
        # battery serial → new samples since its modules were last read.
        self._samples: dict[str, int] = {}
        self._tried: set[str] = set()
        # battery serial → wanted modules still to read in the current turn.
        self._pending: dict[str, set[str]] = {}

    async def async_load(self) -> None:
        """Load the modules seen before the last restart."""
        stored = await self._store.async_load()
        if stored:
            self.known = {
                serial: [str(sn) for sn in modules]
                for serial, modules in stored.items()
                if isinstance(modules, list)
            }

    def lone(self, serial: str) -> str | None:
        """Return the module of a battery that has exactly one, else None."""
        known = self.known.get(serial, ())
        return known[0] if len(known) == 1 else None

    def remember(self, serial: str, snapshot: RealtimeSnapshot) -> None:
        """Add new `SUB` entries to the battery's module list and store it."""
        known = self.known.setdefault(serial, [])
        dongle = serial.split("-", maxsplit=1)[0]
        added = False
        for module in snapshot.sub_devices or ():
            if module in known or module in (serial, dongle) or is_master_sn(module):
                continue
            known.append(module)
            added = True
        if added:
            self._store.async_delay_save(lambda: self.known, 1)

    async def async_read(
        self,
        battery: BatteryData,
        fresh: bool,
        every: int,
        wanted: Collection[str],
        modules: dict[str, ModuleData],
    ) -> None:
        """Read a battery's modules that are due into `modules`.

        Modules never read go first, so that a refused read of a known module
        cannot keep a new one hidden; a budget refusal raises, and the modules
        not read yet are tried again at the next refresh.
        """
        layout = battery.family.module
        if layout is None or self.lone(battery.serial) is not None:
            # A single module only repeats its battery's figures.
            return
        serial = battery.serial
        for index, module_sn in enumerate(self.known.get(serial, ()), 1):
            if module_sn not in modules:
                modules[module_sn] = ModuleData(
                    serial=module_sn, index=index, layout=layout
                )
        for module_sn in self._due(serial, fresh, every, wanted):
            snapshot = await optional(
                self.client.get_realtime_data(module_sn, priority=Priority.MODULE),
                f"Module {module_sn}",
            )
            self._tried.add(module_sn)
            self._pending.get(serial, set()).discard(module_sn)
            if snapshot is not None:
                # Else the module keeps its last values; it may answer later.
                checks = module_checks(layout)
                realtime = self.rejections.clean(module_sn, snapshot, checks)
                modules[module_sn] = replace(modules[module_sn], realtime=realtime)

    def _due(
        self, serial: str, fresh: bool, every: int, wanted: Collection[str]
    ) -> list[str]:
        """Return the modules of a battery to read now, new ones first.

        New modules are read once; wanted ones after `every` new samples, each
        once per turn even when the budget splits the turn over refreshes.
        """
        self._samples[serial] = self._samples.get(serial, 0) + int(fresh)
        known = self.known.get(serial, ())
        turn = {sn for sn in known if sn in wanted and sn in self._tried}
        if serial not in self._pending and turn and self._samples[serial] >= every:
            # The count starts again with the turn, not only once it is done.
            self._pending[serial] = turn
            self._samples[serial] = 0
        pending = self._pending.get(serial, set())
        pending.intersection_update(wanted)
        if not pending:
            self._pending.pop(serial, None)
        new = [sn for sn in known if sn not in self._tried]
        return new + [sn for sn in known if sn in pending and sn not in new]
