"""The simulator: accounts, clock, faults, limits and the HTTP server around them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from aiohttp import web

from .accounts import DEFAULT_SEED, Account, default_accounts
from .clock import SimClock
from .control import ControlApi, loopback_only
from .devices import Battery
from .endpoints import Region
from .faults import Fault, FaultBook, OfflinePeriod
from .formats import utc_text
from .ratelimit import RateLimiter
from .samples import Truth
from .scenarios import BATTERY_OPTIONS, showroom_accounts, single_accounts
from .server import ApiHandler
from .signing import API_PREFIX
from .stats import Stats


class Simulator:
    """A local Dyness Open API cloud for tests and manual runs."""

    def __init__(
        self,
        accounts: Iterable[Account] | None = None,
        *,
        clock: SimClock | None = None,
        seed: int = DEFAULT_SEED,
        per_second: int | None = 2,
        per_hour: int | None = 60,
        second_retry_after: int | None = None,
        max_skew: float = 900.0,
        v2_enabled: bool = False,
        region: Region = "europe",
        slow_seconds: float = 20.0,
    ) -> None:
        """Build the cloud; `accounts=None` loads the default scenario.

        `region` is the cloud's region: v2 realtime answers family C batteries
        in Europe only (doc §7, Q19).
        """
        self.clock = clock if clock is not None else SimClock.real()
        chosen = default_accounts(seed) if accounts is None else list(accounts)
        self.accounts: dict[str, Account] = {a.app_id: a for a in chosen}
        self.limiter = RateLimiter(
            per_second=per_second,
            per_hour=per_hour,
            second_retry_after=second_retry_after,
        )
        self.faults = FaultBook(self._offline_periods)
        self.max_skew = max_skew
        self.v2_enabled = v2_enabled
        self.region: Region = region
        self.slow_seconds = slow_seconds
        self._stats: dict[str, Stats] = {}
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None
        now = self.clock.now()
        for battery in self.batteries:
            battery.attach(self.clock)
            battery.start(now)

    @classmethod
    def default(cls, *, clock: SimClock | None = None, **options: Any) -> Simulator:
        """Return the default scenario (PowerHaus + DL5.0C, and an empty key)."""
        return cls(None, clock=clock, **options)

    @classmethod
    def single(
        cls,
        model_name: str,
        *,
        modules: int | None = None,
        clock: SimClock | None = None,
        **options: Any,
    ) -> Simulator:
        """Return a cloud whose default key holds one battery of `model_name`.

        `initial_soc`, `sub_mode`, `bms_entry` and `records` (a
        `RecordsLabelling`) shape the battery, `seed`
        shifts its seed; other options go to the constructor.
        """
        shaping = {k: options.pop(k) for k in list(options) if k in BATTERY_OPTIONS}
        seed = options.pop("seed", None)
        accounts = single_accounts(model_name, modules=modules, seed=seed, **shaping)
        return cls(accounts, clock=clock, **options)

    @classmethod
    def showroom(cls, *, clock: SimClock | None = None, **options: Any) -> Simulator:
        """Return a cloud whose default key holds one battery of every model."""
        seed = options.pop("seed", None)
        return cls(showroom_accounts(seed), clock=clock, **options)

    # --- model --------------------------------------------------------------

    @property
    def batteries(self) -> list[Battery]:
        """Return every battery of every account."""
        return [b for account in self.accounts.values() for b in account.devices]

    def account(self, app_id: str) -> Account:
        """Return the account of an App ID (KeyError when unknown)."""
        return self.accounts[app_id]

    def device(self, serial: str) -> Battery:
        """Return the battery owning a master, dongle or module SN (KeyError)."""
        for battery in self.batteries:
            if serial in battery.serials:
                return battery
        raise KeyError(serial)

    def truth(self, serial: str) -> Truth:
        """Return the energy truth of a battery now."""
        return self.device(serial).truth

    def truth_report(self, battery: Battery) -> dict[str, Any]:
        """Return the truth and current state of a battery as JSON-ready data."""
        now = self.clock.now()
        truth = battery.truth_at(now)
        sample = battery.latest_sample(now)
        return {
            "sn": battery.device_sn,
            "at": now.isoformat(),
            "since": battery.anchor.isoformat(),
            "charged_kwh": truth.charged_kwh,
            "discharged_kwh": truth.discharged_kwh,
            "lifetime_charged_kwh": battery.lifetime_charged_kwh + truth.charged_kwh,
            "lifetime_discharged_kwh": battery.lifetime_discharged_kwh
            + truth.discharged_kwh,
            "latest_sample": None if sample is None else utc_text(sample.at),
            "soc": None if sample is None else sample.soc_display,
            "power_w": None if sample is None else sample.power_w,
            "heater_on": battery.heater_on(now),
            "settings": None
            if battery.settings is None
            else battery.settings.describe(now),
        }

    # --- point overrides and SUB gaps --------------------------------------

    def set_point(self, serial: str, point_id: str, value: str | None) -> None:
        """Override a point of a master, module or dongle SN (None removes it).

        Setting a bit sub-point (e.g. `3206`) updates its byte (`3200`) and
        setting a byte updates its bits.
        """
        self.device(serial).set_point(serial, point_id, value)

    def clear_points(self, serial: str | None = None) -> None:
        """Remove the point overrides of one SN, or of every device."""
        if serial is None:
            for battery in self.batteries:
                battery.clear_points()
        else:
            self.device(serial).clear_points(serial)

    def drop_sub(self, serial: str, module_sn: str | None = None) -> str:
        """Leave a module (default: the last) out of SUB for the current cycle."""
        return self.device(serial).drop_sub(self.clock.now(), module_sn)

    # --- faults and limits --------------------------------------------------

    def _offline_periods(self, fault: Fault) -> list[list[OfflinePeriod]]:
        """Return the offline-period lists of the batteries an offline fault hits."""
        if fault.app_id is not None:
            account = self.accounts.get(fault.app_id)
            pool = account.devices if account is not None else []
        else:
            pool = self.batteries
        return [
            b.offline_periods for b in pool if fault.sn is None or fault.sn in b.serials
        ]

    def add_fault(self, fault: Fault) -> int:
        """Put a fault in force; return its id."""
        return self.faults.add(fault, self.clock.now()).id

    def clear_faults(self, fault_id: int | None = None) -> int:
        """End all faults (or one); return how many ended."""
        return self.faults.clear(self.clock.now(), fault_id)

    def set_rate_limit(
        self,
        *,
        per_second: int | None = 2,
        per_hour: int | None = 60,
        second_retry_after: int | None = None,
    ) -> None:
        """Set all limits (arguments left out take their defaults; None = off)."""
        self.limiter.configure(
            per_second=per_second,
            per_hour=per_hour,
            second_retry_after=second_retry_after,
        )

    # --- counters -----------------------------------------------------------

    def stats_entry(self, app_id: str) -> Stats:
        """Return the live counters of an App ID (created on first use)."""
        return self._stats.setdefault(app_id, Stats())

    def stats(self, app_id: str) -> Stats:
        """Return a snapshot of an App ID's counters."""
        return self.stats_entry(app_id).copy()

    def requested_serials(self, app_id: str) -> set[str]:
        """Return every SN an App ID has named in a request body."""
        return set(self.stats_entry(app_id).serials)

    def reset_stats(self) -> None:
        """Forget all counters (the rate-limit windows are kept)."""
        self._stats.clear()

    def state(self) -> dict[str, Any]:
        """Return the whole simulator state for `GET /_sim/state`."""
        now = self.clock.now()
        return {
            "clock": self.clock.describe(),
            "rate_limit": self.limiter.describe(),
            "max_skew": self.max_skew,
            "faults": [entry.describe() for entry in self.faults.active],
            "accounts": [
                {
                    "app_id": account.app_id,
                    "devices": [
                        {
                            "device_sn": b.device_sn,
                            "collector_sn": b.collector_sn,
                            "module_sns": list(b.module_sns),
                            "overrides": b.overrides,
                            "model_name": b.model_name,
                            "model_code": b.model_code,
                            "station": b.station.name,
                            "online": not b.is_offline(now),
                            "records": b.records_labelling.as_dict(),
                            **self.truth_report(b),
                        }
                        for b in account.devices
                    ],
                }
                for account in self.accounts.values()
            ],
            "stats": {key: value.describe() for key, value in self._stats.items()},
        }

    # --- server -------------------------------------------------------------

    def build_app(self) -> web.Application:
        """Return the aiohttp application serving the API and `/_sim/`."""
        api = ApiHandler(self)
        app = web.Application(middlewares=[loopback_only])
        app.add_routes(ControlApi(self).routes())
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", api.handle)
        app.router.add_route("*", "/{tail:.*}", api.not_found)
        return app

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on host:port (0 = any free port); return the base URL."""
        if self._runner is not None:
            raise RuntimeError("simulator already running")
        # Cancel handlers of clients that gave up, so a held `timeout` fault does
        # not delay stop().
        runner = web.AppRunner(
            self.build_app(),
            access_log=None,
            handler_cancellation=True,
            shutdown_timeout=5.0,
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        self._runner = runner
        bound = runner.addresses[0]
        self._base_url = f"http://{host}:{bound[1]}"
        return self._base_url

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = None
        self._base_url = None

    @property
    def base_url(self) -> str:
        """Return `http://host:port` (the client appends `/openapi/ems-device/...`)."""
        if self._base_url is None:
            raise RuntimeError("simulator is not running")
        return self._base_url
