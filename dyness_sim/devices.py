"""A simulated battery: state over time, samples, point lists and power records."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

from .catalog import ModelSpec, SubMode
from .clock import SimClock
from .families import FAMILIES, Family, PointRow
from .faults import OfflinePeriod
from .formats import utc_text
from .physics import (
    MIN_SOC,
    SLOT_SECONDS,
    Limits,
    StepState,
    advance,
    ambient,
    cell_voltage,
    displayed_soc,
    load_power,
    ocv,
    plan_power,
    pv_power,
    unit,
)
from .records import RecordsLabelling
from .samples import ModuleSample, Sample, Truth
from .settings import DeviceSettings
from .station import Station
from .values import MASTER_VALUES, module_values, render

_CACHE_LIMIT = 2048
# Share of cycles in which a flaky point is left out (doc Q15).
_FLAKY_RATE = 0.06


def slot_of(moment: datetime) -> int:
    """Return the absolute 5-minute slot number containing `moment`."""
    return int(moment.timestamp() // SLOT_SECONDS)


def slot_start(slot: int) -> datetime:
    """Return the UTC start of an absolute slot."""
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC)


class Battery:
    """One battery system: BMS master, dongle, modules and its physics.

    State is integrated in 5-minute slots from an anchor (local midnight of the
    day before the simulation started) and cached, so moving the clock by days
    costs only the new slots. Setting the clock before the anchor re-anchors
    (the energy truth then restarts from zero).
    """

    def __init__(
        self,
        *,
        spec: ModelSpec,
        collector_sn: str,
        module_sns: tuple[str, ...],
        station: Station,
        seed: int,
        phase_s: int,
        initial_soc: float,
        firmware: str,
        module_firmware: str,
        device_name: str,
        create_time: str,
        operation_permission: int = 2,
        lifetime_charged_kwh: float = 0.0,
        lifetime_discharged_kwh: float = 0.0,
        initial_cycles: int = 0,
        sub_mode: SubMode | None = None,
        bms_entry: bool = False,
        visibility: tuple[float, float] = (5.0, 15.0),
        records: RecordsLabelling | None = None,
    ) -> None:
        """Describe the battery; call `start` before asking for data.

        `sub_mode` overrides the model's SUB behaviour; `bms_entry` makes
        `storage/list` show the modules next to the BMS coordinator (§5.2);
        `visibility` is the range of seconds a sample needs to show up.
        """
        if not 0 <= phase_s < SLOT_SECONDS:
            raise ValueError("phase must lie within the 5-minute period")
        if not 0 <= visibility[0] <= visibility[1]:
            raise ValueError("visibility must be a range of seconds")
        self.spec = spec
        self.collector_sn = collector_sn
        self.module_sns = module_sns
        self.station = station
        self.seed = seed
        self.phase_s = phase_s
        self.visibility = visibility
        # (from, seconds): uploads due from a moment on come this much later.
        self.phase_shifts: list[tuple[datetime, float]] = []
        self.initial_soc = initial_soc
        self.firmware = firmware
        self.module_firmware = module_firmware
        self.device_name = device_name
        self.create_time = create_time
        self.operation_permission = operation_permission
        self.lifetime_charged_kwh = lifetime_charged_kwh
        self.lifetime_discharged_kwh = lifetime_discharged_kwh
        self.initial_cycles = initial_cycles
        self.offline_periods: list[OfflinePeriod] = []
        self.forced_bits: dict[str, int] = {}
        self.sub_mode: SubMode = spec.sub_mode if sub_mode is None else sub_mode
        self.bms_entry = bms_entry
        self.records_labelling = records or RecordsLabelling()
        # Point overrides per SN (set_point) and SUB gaps per slot (drop_sub).
        self.overrides: dict[str, dict[str, str]] = {}
        self.sub_drops: dict[int, str] = {}
        # v2 settings, for models the v2 cloud has a configuration for.
        self.settings = (
            None if spec.v2_settings is None else DeviceSettings(spec.v2_settings)
        )
        modules = len(module_sns)
        parallel = self.parallel
        # Power per amp of the pack at nominal voltage (LV: 50 W/A).
        nominal_v = 3.2 * self.pack_cells if spec.topology == "series" else 50.0
        self.limits = Limits(
            capacity_kwh=spec.module_kwh * modules,
            max_charge_w=min(
                station.inverter_max_w, spec.module_ccl_a * parallel * nominal_v
            ),
            max_discharge_w=min(
                station.inverter_max_w, spec.module_dcl_a * parallel * nominal_v
            ),
            modules=parallel,
            module_ccl_a=spec.module_ccl_a,
            module_dcl_a=spec.module_dcl_a,
        )
        self.clock: SimClock | None = None
        self._anchor = 0
        self._steps: list[StepState] = []
        self._samples: dict[int, Sample] = {}

    # --- identity -----------------------------------------------------------

    @property
    def device_sn(self) -> str:
        """Return the master SN (`<dongle>-BMS`)."""
        return f"{self.collector_sn}{self.spec.master_suffix}"

    @property
    def model_name(self) -> str:
        """Return `deviceModelName`."""
        return self.spec.name

    @property
    def model_code(self) -> int:
        """Return `deviceModelCode`."""
        return self.spec.code

    @property
    def family(self) -> Family:
        """Return the point tables of this model's family."""
        return FAMILIES[self.spec.family]

    @property
    def serials(self) -> tuple[str, ...]:
        """Return every SN of the system: master, dongle and modules."""
        return (self.device_sn, self.collector_sn, *self.module_sns)

    @property
    def series(self) -> bool:
        """Return whether the modules are in series (HV towers, Stack100)."""
        return self.spec.topology == "series"

    @property
    def parallel(self) -> int:
        """Return how many modules share the pack current."""
        return 1 if self.series else len(self.module_sns)

    @property
    def pack_cells(self) -> int:
        """Return the number of cells in series across the pack."""
        count = len(self.module_sns) if self.series else 1
        return self.spec.cells_per_module * count

    @property
    def rated_voltage(self) -> str:
        """Return the rated voltage of `household/storage/detail`."""
        if self.spec.rated_voltage is not None:
            return self.spec.rated_voltage
        return f"{3.2 * self.pack_cells:.2f}"

    @property
    def modules_reachable(self) -> bool:
        """Return whether the modules answer `realTime/data` (SUB listed)."""
        return self.sub_mode == "list"

    # --- state --------------------------------------------------------------

    def attach(self, clock: SimClock) -> None:
        """Give the battery the simulator clock (for `truth`)."""
        self.clock = clock

    @property
    def truth(self) -> Truth:
        """Return the exact energy truth at the simulator's current time."""
        if self.clock is None:
            raise RuntimeError("battery is not attached to a simulator clock")
        return self.truth_at(self.clock.now())

    def start(self, now: datetime) -> None:
        """Anchor the simulation at local midnight of the day before `now`."""
        local = now.astimezone(self.station.timezone)
        midnight = datetime.combine(
            local.date() - timedelta(days=1), time(0), self.station.timezone
        )
        self._anchor = slot_of(midnight)
        capacity = self.limits.capacity_kwh
        self._steps = [
            StepState(
                stored_kwh=capacity * self.initial_soc / 100,
                charged_kwh=0.0,
                discharged_kwh=0.0,
                cell_temp=ambient(midnight),
                full=self.initial_soc >= 100,
                empty=self.initial_soc <= MIN_SOC,
                power_w=0.0,
            )
        ]
        self._steps[0] = self._planned(self._anchor, self._steps[0])
        self._samples.clear()

    @property
    def anchor(self) -> datetime:
        """Return the start of the simulated history."""
        return slot_start(self._anchor)

    def _planned(self, slot: int, state: StepState) -> StepState:
        """Return `state` with the power the household asks of it in `slot`."""
        local = slot_start(slot).astimezone(self.station.timezone)
        pv = pv_power(local, self.seed, self.station.pv_kwp)
        net = pv - load_power(local, self.seed) * self.station.load_scale
        pack_v = self.pack_cells * ocv(state.soc(self.limits.capacity_kwh))
        if self.settings is None:
            power = plan_power(self.limits, state, net, pack_v)
        else:
            shape = self.settings.shape(local, pv)
            power = plan_power(
                self.limits,
                state,
                net if shape.forced_w is None else shape.forced_w,
                pack_v,
                floor_soc=MIN_SOC if shape.floor_soc is None else shape.floor_soc,
                ceiling_soc=100.0 if shape.ceiling_soc is None else shape.ceiling_soc,
                max_discharge_w=shape.max_discharge_w,
            )
        return replace(state, power_w=power)

    def state(self, slot: int) -> StepState:
        """Return the state at the start of absolute `slot` (computing as needed)."""
        if not self._steps or slot < self._anchor:
            self.start(slot_start(slot))
        steps = self._steps
        while self._anchor + len(steps) <= slot:
            current = self._anchor + len(steps) - 1
            previous = steps[-1]
            module_current = previous.power_w / (self.pack_cells * 3.3 * self.parallel)
            local = slot_start(current + 1).astimezone(self.station.timezone)
            target = ambient(local) + 0.08 * abs(module_current)
            heat_to = (
                None
                if self.settings is None
                else self.settings.heater_target(
                    local, previous.cell_temp, previous.heater
                )
            )
            following = advance(
                self.limits, previous, target if heat_to is None else heat_to
            )
            following = replace(following, heater=heat_to is not None)
            steps.append(self._planned(current + 1, following))
        return steps[slot - self._anchor]

    def truth_at(self, moment: datetime) -> Truth:
        """Return the exact energy charged/discharged from the anchor to `moment`."""
        slot = slot_of(moment)
        state = self.state(slot)
        elapsed = (moment - slot_start(slot)).total_seconds()
        energy = state.power_w * elapsed / 3_600_000
        return Truth(
            at=moment,
            charged_kwh=state.charged_kwh + max(0.0, energy),
            discharged_kwh=state.discharged_kwh + max(0.0, -energy),
        )

    def set_soc(self, soc: float, now: datetime) -> None:
        """Overwrite the SOC from the current slot on (history before is kept)."""
        slot = slot_of(now)
        old = self.state(slot)
        capacity = self.limits.capacity_kwh
        soc = min(100.0, max(0.0, soc))
        fresh = StepState(
            stored_kwh=capacity * soc / 100,
            charged_kwh=old.charged_kwh,
            discharged_kwh=old.discharged_kwh,
            cell_temp=old.cell_temp,
            full=soc >= 100,
            empty=soc <= MIN_SOC,
            power_w=0.0,
        )
        del self._steps[slot - self._anchor :]
        self._steps.append(self._planned(slot, fresh))
        self._samples = {k: v for k, v in self._samples.items() if k < slot}

    def settings_changed(self, now: datetime) -> None:
        """Plan again from the next slot on, under the settings now in force."""
        slot = slot_of(now)
        self.state(slot)
        del self._steps[slot - self._anchor + 1 :]
        self._samples = {k: v for k, v in self._samples.items() if k <= slot}

    def heater_on(self, now: datetime) -> bool:
        """Return whether the cell heater runs at `now`."""
        return self.state(slot_of(now)).heater

    def force_bit(self, byte_key: str, bit: int, active: bool = True) -> None:
        """Force an alarm/protection bit (`alarm1`, `alarm2`, `protect1`, `protect2`)."""
        mask = self.forced_bits.get(byte_key, 0)
        mask = mask | (1 << bit) if active else mask & ~(1 << bit)
        self.forced_bits[byte_key] = mask
        self._samples.clear()

    def set_point(self, serial: str, point_id: str, value: str | None) -> None:
        """Override one point of `serial` (None removes the override)."""
        if serial not in self.serials:
            raise KeyError(serial)
        table = self.overrides.setdefault(serial, {})
        if value is None:
            table.pop(point_id, None)
        else:
            table[point_id] = value
        if not table:
            del self.overrides[serial]

    def clear_points(self, serial: str | None = None) -> None:
        """Drop the point overrides of one SN, or of the whole system."""
        if serial is None:
            self.overrides.clear()
        else:
            self.overrides.pop(serial, None)

    def drop_sub(self, now: datetime, module_sn: str | None = None) -> str:
        """Leave one module out of SUB for the cycle visible at `now`; return it."""
        if not self.module_sns:
            raise ValueError("the system has no modules to drop")
        chosen = self.module_sns[-1] if module_sn is None else module_sn
        if chosen not in self.module_sns:
            raise KeyError(chosen)
        slot = self.latest_slot(now)
        # Before the first upload the drop applies to the first one.
        self.sub_drops[slot_of(now) if slot is None else slot] = chosen
        return chosen

    def sub_list(self, slot: int) -> str | None:
        """Return the SUB value of a slot (None = null, doc Q10)."""
        if self.sub_mode == "null":
            return None
        if self.sub_mode == "empty":
            return ""
        dropped = self.sub_drops.get(slot)
        return ",".join(sn for sn in self.module_sns if sn != dropped)

    def flaky_gap(self, slot: int) -> bool:
        """Return whether the flaky points are missing in `slot` (never twice running)."""
        if not self.spec.flaky_keys:
            return False

        def hit(number: int) -> bool:
            """Return whether the dice say "missing" for a slot."""
            return unit(self.seed, "flaky", number) < _FLAKY_RATE

        return hit(slot) and not hit(slot - 1)

    # --- upload timing ------------------------------------------------------

    def collected_at(self, slot: int) -> datetime:
        """Return when the sample of `slot` was taken (slot start + phase + shifts)."""
        due = slot_start(slot) + timedelta(seconds=self.phase_s)
        shift = sum(seconds for start, seconds in self.phase_shifts if due >= start)
        return due + timedelta(seconds=shift)

    def visible_at(self, slot: int) -> datetime:
        """Return when the sample of `slot` shows up in the cloud (5 to 15 s later)."""
        low, high = self.visibility
        delay = low + (high - low) * unit(self.seed, self.collector_sn, "delay", slot)
        return self.collected_at(slot) + timedelta(seconds=delay)

    def shift_phase(self, start: datetime, seconds: float) -> None:
        """Make every upload due from `start` on come `seconds` later.

        A dongle that reconnects uploads at a new moment within its period:
        the sample due first after `start` is late by `seconds`.
        """
        if not 0 < seconds < SLOT_SECONDS:
            raise ValueError("a phase shift lies within the 5-minute period")
        self.phase_shifts.append((start, seconds))
        first = slot_of(start) - 1
        for slot in [slot for slot in self._samples if slot >= first]:
            del self._samples[slot]

    def uploaded(self, slot: int) -> bool:
        """Return whether the sample of `slot` reached the cloud (not offline)."""
        taken = self.collected_at(slot)
        return not any(period.covers(taken) for period in self.offline_periods)

    def is_offline(self, now: datetime) -> bool:
        """Return whether an offline fault holds the device at `now`."""
        return any(period.covers(now) for period in self.offline_periods)

    def latest_slot(self, now: datetime) -> int | None:
        """Return the newest slot whose sample is visible at `now`."""
        slot = slot_of(now)
        if not self._steps or slot < self._anchor:
            self.start(now)
        while slot >= self._anchor:
            if self.visible_at(slot) <= now and self.uploaded(slot):
                return slot
            slot -= 1
        return None

    def latest_sample(self, now: datetime) -> Sample | None:
        """Return the newest sample visible at `now`."""
        slot = self.latest_slot(now)
        return None if slot is None else self.sample(slot)

    # --- samples ------------------------------------------------------------

    def sample(self, slot: int) -> Sample:
        """Return the (cached) sample of `slot`."""
        cached = self._samples.get(slot)
        if cached is not None:
            return cached
        if len(self._samples) > _CACHE_LIMIT:
            self._samples.clear()
        made = self._make_sample(slot)
        self._samples[slot] = made
        return made

    def _electrics(self, slot: int) -> tuple[StepState, float, float, float]:
        """Return state, SOC, pack current and pack voltage at the sample time."""
        state = self.state(slot)
        capacity = self.limits.capacity_kwh
        stored = state.stored_kwh + state.power_w * self.phase_s / 3_600_000
        soc = 100.0 * stored / capacity
        rest_v = self.pack_cells * ocv(soc)
        current = state.power_w / rest_v
        module_current = current / self.parallel
        pack_v = self.pack_cells * cell_voltage(soc, module_current, 0.0)
        # The current at the terminal voltage, so that V·I is the power (truth).
        current = state.power_w / pack_v
        return state, soc, current, pack_v

    def _make_sample(self, slot: int) -> Sample:
        """Compute every reading of the sample of `slot`."""
        state, soc, current, _ = self._electrics(slot)
        at = self.collected_at(slot)
        truth = self.truth_at(at)
        local = at.astimezone(self.station.timezone)
        room = ambient(local)
        count = len(self.module_sns)
        shares = [
            1.0 + 0.04 * (unit(self.seed, sn, "share") - 0.5) for sn in self.module_sns
        ]
        total_share = sum(shares)
        spread = 1.0 + 2.0 * abs(soc - 50.0) / 50.0
        modules: list[ModuleSample] = []
        lifetime_out = self.lifetime_discharged_kwh + truth.discharged_kwh
        for index, sn in enumerate(self.module_sns):
            module_current = (
                current if self.series else current * shares[index] / total_share
            )
            module_soc = (
                soc if count == 1 else soc + 1.6 * (unit(self.seed, sn, "soc") - 0.5)
            )
            module_soc = min(100.0, max(0.0, module_soc))
            cells = tuple(
                round(
                    cell_voltage(
                        module_soc,
                        module_current,
                        spread * 0.006 * (unit(self.seed, sn, "cell", c) - 0.5)
                        + 0.002 * (unit(self.seed, sn, "noise", slot, c) - 0.5),
                    ),
                    3,
                )
                for c in range(self.spec.cells_per_module)
            )
            ntc = tuple(
                round(state.cell_temp + 0.8 * (unit(self.seed, sn, "ntc", k) - 0.5), 1)
                for k in range(self.spec.ntc_per_module)
            )
            modules.append(
                ModuleSample(
                    sn=sn,
                    current=module_current,
                    voltage=sum(cells),
                    soc=module_soc,
                    soh=100 - int(2 * unit(self.seed, sn, "soh")),
                    cells=cells,
                    ntc=ntc,
                    mos_temp=state.cell_temp + 1.5 + 0.04 * abs(module_current),
                    bms_temp=room - 3.0 + 0.02 * abs(module_current),
                    cycles=self.initial_cycles
                    + int(lifetime_out / self.limits.capacity_kwh),
                )
            )
        voltage = sum(module.voltage for module in modules)
        if not self.series:
            voltage /= count
        return Sample(
            slot=slot,
            at=at,
            power_w=state.power_w,
            current=current,
            voltage=voltage,
            soc=soc,
            full=state.full,
            empty=state.empty,
            modules=tuple(modules),
            truth=truth,
            signal_dbm=-48 - int(22 * unit(self.seed, self.collector_sn, "rssi", slot)),
        )

    # --- rendering ----------------------------------------------------------

    def points(self, serial: str, now: datetime) -> list[dict[str, Any]]:
        """Return `realTime/data` for the master, a module or the dongle SN."""
        sample = self.latest_sample(now)
        rows: tuple[PointRow, ...]
        values: dict[str, str | None]
        if serial == self.collector_sn:
            rows = self.family.dongle
            values = (
                {}
                if sample is None
                else {"T": utc_text(sample.at), "signal_dbm": str(sample.signal_dbm)}
            )
        elif serial in self.module_sns:
            if not self.modules_reachable:
                return []
            rows = self.module_rows
            index = self.module_sns.index(serial)
            values = {} if sample is None else module_values(self, sample, index)
        else:
            rows = self.master_rows
            if sample is not None and self.flaky_gap(sample.slot):
                rows = tuple(r for r in rows if r.key not in self.spec.flaky_keys)
            values = (
                {} if sample is None else MASTER_VALUES[self.spec.family](self, sample)
            )
        return render(rows, values, self.overrides.get(serial, {}))

    @property
    def master_rows(self) -> tuple[PointRow, ...]:
        """Return the master's point table: family rows plus the model's extras."""
        return (*self.family.master, *self.spec.extra_master_rows)

    @property
    def module_rows(self) -> tuple[PointRow, ...]:
        """Return the table a module answers with."""
        rows = self.spec.module_rows
        return self.family.module if rows is None else rows

    def power_records(self, now: datetime, share: float = 1.0) -> list[dict[str, Any]]:
        """Return the 5-minute records, oldest first, current slot null.

        The list covers the local day unless `records_labelling` says otherwise,
        and is labelled by it. `share` < 1 gives one series module's part of
        power and voltage.
        """
        begin, end = self.records_labelling.span(now, self.station.timezone)
        first, last, current = slot_of(begin), slot_of(end), slot_of(now)
        return [
            self._record(slot, now, filled=slot < current, share=share)
            for slot in range(first, last + 1)
        ]

    def _record(
        self, slot: int, now: datetime, *, filled: bool, share: float = 1.0
    ) -> dict[str, Any]:
        """Return one record; all-null until its slot is over and its sample arrived."""
        record: dict[str, Any] = {
            "realTimeCurrent": None,
            "realTimePower": None,
            "realTimeCurrent2": None,
            "realTimePower2": None,
            "realTimeVoltage": None,
            "inverterTotalPower": None,
            "soc": None,
            "createTime": self.records_labelling.label(
                slot_start(slot), self.station.timezone
            ),
            "inverterOutputRPhaPower": None,
            "backupPower": None,
        }
        if not (filled and self.visible_at(slot) <= now and self.uploaded(slot)):
            return record
        state, soc, current, voltage = self._electrics(slot)
        if state.power_w == 0 and self.spec.null_power_in_standby:
            return record
        display = displayed_soc(soc, state.full)
        record.update(
            realTimeCurrent=round(current, 1) + 0.0,
            realTimePower=state.power_w if share == 1.0 else state.power_w * share,
            realTimeVoltage=round(voltage * share, 2),
            soc=str(display),
        )
        return record
