"""Run the simulator with the default scenario: `python -m dyness_sim`."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import contextlib
from enum import StrEnum

from .accounts import DEFAULT_APP_ID, DEFAULT_APP_SECRET, EMPTY_APP_ID, EMPTY_APP_SECRET
from .clock import SimClock
from .records import Labels, RecordsLabelling, Window
from .scenarios import ALL_MODELS
from .simulator import Simulator


def _limit(text: str) -> int | None:
    """Parse a limit; 0 or `off` switches it off."""
    if text.lower() in {"0", "off", "none"}:
        return None
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("limits must not be negative")
    return value


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m dyness_sim", description="Local Dyness Open API cloud."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind")
    parser.add_argument("--port", type=int, default=8900, help="port (0 = any)")
    parser.add_argument("--per-second", type=_limit, default=2, help="0 = off")
    parser.add_argument("--per-hour", type=_limit, default=60, help="0 = off")
    parser.add_argument(
        "--skew", type=float, default=900.0, help="allowed Date skew (s)"
    )
    parser.add_argument("--v2", action="store_true", help="serve the v2 paths")
    parser.add_argument(
        "--region",
        choices=("europe", "asia_pacific"),
        default="europe",
        help="cloud region: v2 realtime works for family C in Europe only",
    )
    parser.add_argument(
        "--scenario",
        choices=("default", "showroom"),
        default="default",
        help="default: PowerHaus + DL5.0C; showroom: one battery of every model",
    )
    parser.add_argument(
        "--model", choices=ALL_MODELS, help="serve one battery of this model only"
    )
    choices: tuple[tuple[str, type[StrEnum], StrEnum, str], ...] = (
        (
            "--records-labels",
            Labels,
            Labels.UTC,
            "how getLastPowerDataBySn labels its records (createTime)",
        ),
        (
            "--records-window",
            Window,
            Window.LOCAL_DAY,
            "the records list covers the local day or a rolling day",
        ),
    )
    for flag, kind, default, text in choices:
        parser.add_argument(
            flag, choices=[str(item) for item in kind], default=str(default), help=text
        )
    minutes = (
        (
            "--records-offset",
            "label minus UTC in minutes, with --records-labels offset",
        ),
        ("--records-ends-early", "the records list ends this many minutes before now"),
    )
    for flag, text in minutes:
        parser.add_argument(flag, type=int, default=0, help=text)
    return parser


def make_simulator(args: argparse.Namespace) -> Simulator:
    """Return the chosen scenario's simulator on real time, as configured."""
    options = {
        "clock": SimClock.real(),
        "per_second": args.per_second,
        "per_hour": args.per_hour,
        "max_skew": args.skew,
        "v2_enabled": args.v2,
        "region": args.region,
    }
    if args.model is not None:
        sim = Simulator.single(args.model, **options)
    elif args.scenario == "showroom":
        sim = Simulator.showroom(**options)
    else:
        sim = Simulator.default(**options)
    labelling = RecordsLabelling.from_json(
        {
            "labels": args.records_labels,
            "offset_minutes": args.records_offset,
            "window": args.records_window,
            "ends_early_minutes": args.records_ends_early,
        }
    )
    for battery in sim.batteries:
        battery.records_labelling = labelling
    return sim


def banner(sim: Simulator, base_url: str) -> str:
    """Return what the command prints once it serves."""
    lines = [
        f"Dyness cloud simulator on {base_url}",
        f"  API:     {base_url}/openapi/ems-device/v1/...",
        f"  control: {base_url}/_sim/state",
        f"  App ID {DEFAULT_APP_ID}  secret {DEFAULT_APP_SECRET}",
    ]
    lines.extend(
        f"    {b.model_name}: {b.device_sn} (dongle {b.collector_sn}, modules "
        f"{', '.join(b.module_sns)})"
        for b in sim.account(DEFAULT_APP_ID).devices
    )
    lines.append(f"  App ID {EMPTY_APP_ID}  secret {EMPTY_APP_SECRET}  (no devices)")
    return "\n".join(lines)


async def serve(args: argparse.Namespace, stop: asyncio.Event) -> None:
    """Serve until `stop` is set."""
    sim = make_simulator(args)
    base_url = await sim.start(args.host, args.port)
    print(banner(sim, base_url), flush=True)
    try:
        await stop.wait()
    finally:
        await sim.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and serve until interrupted."""
    args = build_parser().parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args, asyncio.Event()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
