"""Fault matrix: each kind of cloud fault, in Home Assistant against the simulator.

Every row runs 20 fault-free minutes, a 40-minute fault and 16 minutes after
it, in 10-second steps of frozen time, and checks the same promises: nothing
escapes, at most 12 calls per battery during the fault, no more state writes
than without it, no flapping, recovery within 6 minutes, totals never fall
and miss nothing the records can give.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import EVENT_STATE_CHANGED, STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.dyness.const import DOMAIN, Repair
from dyness_sim import Fault, Simulator
from dyness_sim.accounts import DEFAULT_APP_ID, DL5_SN, POWERHAUS_SN
from dyness_sim.faults import KNOWN_500_TEXTS

from .common import sensor_id

STEP = timedelta(seconds=10)
BEFORE = timedelta(minutes=20)
OUTAGE = timedelta(minutes=40)
AFTER = timedelta(minutes=16)
RECOVERY = timedelta(minutes=6)
STALE = timedelta(minutes=30)
MAX_CALLS = 12
SOC_POINT = "800"
COUNTER_POINT = "7100"
# Where the row's fault shows: every battery, only the DL5, no battery, reauth.
type Scope = Literal["cloud", "dl5", "data", "reauth"]


@dataclass
class Run:
    """What a row's fault acts on, and what the test saw."""

    hass: HomeAssistant
    entry: MockConfigEntry
    simulator: Simulator
    writes: list[datetime] = field(default_factory=list)
    undo: list[Callable[[], None]] = field(default_factory=list)

    @property
    def client(self) -> Any:
        """Return the entry's client."""
        return self.entry.runtime_data.client


def _sim_fault(**fields: Any) -> Callable[[Run], None]:
    """Return an injector of one simulator fault for many requests."""

    def inject(run: Run) -> None:
        run.simulator.add_fault(Fault(count=100_000, **fields))

    return inject


def _base_url(url: str) -> Callable[[Run], None]:
    """Return an injector that points the client elsewhere until undone."""

    def inject(run: Run) -> None:
        original = run.client.base_url
        run.client.base_url = url
        run.undo.append(lambda: setattr(run.client, "base_url", original))

    return inject


def _refused(run: Run, port: int) -> None:
    """Point the client at a closed port: connection refused."""
    _base_url(f"http://127.0.0.1:{port}")(run)


def _dns_failure(run: Run) -> None:
    """Make the host name unresolvable."""
    _base_url("http://cloud.dyness.invalid")(run)
    resolver = run.client._session.connector._resolver
    failing = patch.object(
        resolver, "resolve", side_effect=OSError(-2, "Name or service not known")
    )
    failing.start()
    run.undo.append(failing.stop)


def _timeout(run: Run) -> None:
    """Hold every answer longer than the client waits."""
    run.simulator.add_fault(Fault(kind="timeout", seconds=60, count=100_000))
    original = run.client.request_timeout
    # Frozen time: a zero timeout expires at the first wait, as 20 s would.
    run.client.request_timeout = 0.0
    run.undo.append(lambda: setattr(run.client, "request_timeout", original))


def _clock_skew(run: Run) -> None:
    """Put the cloud's clock an hour ahead of the host's."""
    run.simulator.clock.advance(3600)
    run.undo.append(lambda: run.simulator.clock.advance(-3600))


def _point(point: str, value: str) -> Callable[[Run], None]:
    """Return an injector that overrides one point of the DL5."""

    def inject(run: Run) -> None:
        run.simulator.set_point(DL5_SN, point, value)
        run.undo.append(lambda: run.simulator.set_point(DL5_SN, point, None))

    return inject


def _spike(run: Run) -> None:
    """Let the DL5's charged counter read 99,999,999 kWh for ten minutes."""
    run.simulator.set_point(DL5_SN, COUNTER_POINT, "99999999")
    run.undo.append(
        async_call_later(
            run.hass,
            timedelta(minutes=10),
            lambda _: run.simulator.set_point(DL5_SN, COUNTER_POINT, None),
        )
    )


def _leave_account(run: Run) -> None:
    """Remove the DL5 from the account's device list."""
    devices = run.simulator.account(DEFAULT_APP_ID).devices
    battery = run.simulator.device(DL5_SN)
    devices.remove(battery)
    run.undo.append(lambda: devices.append(battery))


ROWS: list[tuple[str, Callable[[Run], None], Scope]] = [
    ("timeout", _timeout, "cloud"),
    ("dns_failure", _dns_failure, "cloud"),
    ("html_502", _sim_fault(kind="html"), "cloud"),
    ("truncated_json", _sim_fault(kind="truncated"), "cloud"),
    ("empty_json", _sim_fault(kind="empty"), "cloud"),
    *(
        (f"code500_{text}", _sim_fault(kind="code500", info=text), "cloud")
        for text in KNOWN_500_TEXTS
    ),
    ("429_no_retry_after", _sim_fault(kind="http429"), "cloud"),
    (
        "429_garbage_retry_after",
        _sim_fault(kind="http429", retry_after="soon"),
        "cloud",
    ),
    ("429_huge_retry_after", _sim_fault(kind="http429", retry_after=10**9), "cloud"),
    (
        "429_infinite_retry_after",
        _sim_fault(kind="http429", retry_after="inf"),
        "cloud",
    ),
    ("clock_skew", _clock_skew, "cloud"),
    ("401_one_battery", _sim_fault(kind="auth", sn=DL5_SN), "dl5"),
    ("battery_leaves_list", _leave_account, "dl5"),
    ("401_account", _sim_fault(kind="auth"), "reauth"),
    ("garbage_point", _point(SOC_POINT, "12a"), "data"),
    ("missing_point", _point(SOC_POINT, ""), "data"),
    ("counter_spike", _spike, "data"),
]


async def _step(hass: HomeAssistant, frozen: FrozenDateTimeFactory) -> None:
    """Let one step of time pass and every timer that falls due run."""
    frozen.tick(STEP)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


def _calls(simulator: Simulator) -> dict[str, int]:
    """Return the requests so far that named each battery."""
    by_serial = simulator.stats(DEFAULT_APP_ID).by_serial
    return {serial: by_serial.get(serial, 0) for serial in (POWERHAUS_SN, DL5_SN)}


def _energy_ids(hass: HomeAssistant) -> list[str]:
    """Return the entity IDs of every lifetime energy total."""
    return [
        sensor_id(hass, f"{serial}_energy_{direction}")
        for serial in (POWERHAUS_SN, DL5_SN)
        for direction in ("charged", "discharged")
    ]


def _float(hass: HomeAssistant, entity_id: str) -> float:
    """Return a numeric state."""
    state = hass.states.get(entity_id)
    assert state is not None
    return float(state.state)


def _no_flapping(states: list[str], before: str) -> list[str]:
    """Return the runs of a fault's states: the last good value, then unavailable."""
    runs: list[str] = []
    for state in states:
        if not runs or runs[-1] != state:
            runs.append(state)
    assert runs in ([before], [before, STATE_UNAVAILABLE], [STATE_UNAVAILABLE]), runs
    return runs


@pytest.mark.parametrize(
    ("inject", "scope"),
    [pytest.param(inject, scope, id=name) for name, inject, scope in ROWS]
    + [pytest.param(None, "cloud", id="connection_refused")],
)
async def test_fault(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
    unused_tcp_port_factory: Callable[[], int],
    inject: Callable[[Run], None] | None,
    scope: Scope,
) -> None:
    """A fault is survived as promised, and the entry recovers after it."""
    run = Run(hass, init_integration, simulator)
    entities = {
        e.entity_id
        for e in er.async_entries_for_config_entry(
            er.async_get(hass), init_integration.entry_id
        )
    }

    def _written(event: Event[Any]) -> None:
        if event.data["entity_id"] in entities:
            run.writes.append(dt_util.utcnow())

    hass.bus.async_listen(EVENT_STATE_CHANGED, _written)
    soc = {
        serial: sensor_id(hass, f"{serial}_state_of_charge")
        for serial in _calls(simulator)
    }
    energy = _energy_ids(hass)
    seen = {entity_id: _float(hass, entity_id) for entity_id in energy}

    def _check_totals() -> None:
        for entity_id in energy:
            value = _float(hass, entity_id)
            assert value >= seen[entity_id], entity_id
            seen[entity_id] = value

    haus_energy = hass.states.get(energy[0])
    assert haus_energy is not None
    first = datetime.fromisoformat(haus_energy.attributes["counted_until"])
    first_total = _float(hass, energy[0])

    started = dt_util.utcnow()
    while dt_util.utcnow() - started < BEFORE:
        await _step(hass, frozen)
        _check_totals()
    base_writes = len(run.writes)
    before = {serial: hass.states.get(e).state for serial, e in soc.items()}  # type: ignore[union-attr]
    calls = _calls(simulator)
    fault_at = dt_util.utcnow()
    if inject is None:
        _refused(run, unused_tcp_port_factory())
    else:
        inject(run)
    during: dict[str, list[str]] = {serial: [] for serial in soc}
    first_unavailable: dict[str, datetime] = {}
    while dt_util.utcnow() - fault_at < OUTAGE:
        await _step(hass, frozen)
        _check_totals()
        for serial, entity_id in soc.items():
            state = hass.states.get(entity_id).state  # type: ignore[union-attr]
            during[serial].append(state)
            if state == STATE_UNAVAILABLE:
                first_unavailable.setdefault(serial, dt_util.utcnow())
    fault_calls = {s: n - calls[s] for s, n in _calls(simulator).items()}
    fault_writes = len(run.writes) - base_writes
    issues = set(ir.async_get(hass).issues)
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)

    assert all(n <= MAX_CALLS for n in fault_calls.values()), fault_calls
    assert fault_writes / OUTAGE.total_seconds() <= base_writes / BEFORE.total_seconds()
    assert "Unexpected error" not in caplog.text
    assert "Task exception was never retrieved" not in caplog.text
    assert "Traceback" not in caplog.text

    if scope == "reauth":
        assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]
        return
    assert not flows
    clock_issue = (DOMAIN, f"{Repair.CLOCK}_{init_integration.entry_id}")
    assert (clock_issue in issues) == (inject is _clock_skew)
    foreign = (DOMAIN, f"{Repair.NOT_ON_ACCOUNT}_{init_integration.entry_id}_{DL5_SN}")
    assert (foreign in issues) == (scope == "dl5")
    for serial, states in during.items():
        affected = scope == "cloud" or (scope == "dl5" and serial == DL5_SN)
        runs = _no_flapping(states, before[serial]) if affected else None
        if not affected:
            assert STATE_UNAVAILABLE not in states, serial
        elif scope == "cloud":
            # The last good values stay for 30 minutes, then go.
            assert runs == [before[serial], STATE_UNAVAILABLE], serial
            assert first_unavailable[serial] - fault_at >= STALE - timedelta(minutes=6)
        else:
            assert runs == [STATE_UNAVAILABLE], serial
    if scope in ("cloud", "dl5"):
        warnings = [
            r
            for r in caplog.records
            if r.name.startswith("custom_components.dyness")
            and r.levelname in ("WARNING", "ERROR")
        ]
        assert len(warnings) <= 3, [r.getMessage() for r in warnings]

    for undo in reversed(run.undo):
        undo()
    simulator.clear_faults()
    cleared_at = dt_util.utcnow()
    back: dict[str, datetime] = {}
    while dt_util.utcnow() - cleared_at < AFTER:
        await _step(hass, frozen)
        _check_totals()
        for serial, entity_id in soc.items():
            state = hass.states.get(entity_id).state  # type: ignore[union-attr]
            if state != STATE_UNAVAILABLE:
                back.setdefault(serial, dt_util.utcnow())
            else:
                assert serial not in back, f"{serial} flapped after recovery"
    for serial in soc:
        assert back[serial] - cleared_at <= RECOVERY, serial
    assert not {clock_issue, foreign} & set(ir.async_get(hass).issues)
    assert caplog.text.count("is lost") == 0

    # The computed total missed nothing the records can give.
    haus_energy = hass.states.get(energy[0])
    assert haus_energy is not None
    last = datetime.fromisoformat(haus_energy.attributes["counted_until"])
    truth = simulator.device(POWERHAUS_SN)
    charged = truth.truth_at(last).charged_kwh - truth.truth_at(first).charged_kwh
    assert _float(hass, energy[0]) - first_total == pytest.approx(
        charged, rel=0.01, abs=0.01
    )
    dl5 = hass.states.get(energy[2])
    assert dl5 is not None
    counter = simulator.device(DL5_SN)
    at = datetime.fromisoformat(dl5.attributes["last_sample"])
    expected = counter.lifetime_charged_kwh + counter.truth_at(at).charged_kwh
    assert _float(hass, energy[2]) == pytest.approx(expected, abs=0.006)
