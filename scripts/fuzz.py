"""Fuzz every endpoint's parser and the client over loopback; print the counts.

    .venv/bin/python scripts/fuzz.py              # 10,000 answers per endpoint
    .venv/bin/python scripts/fuzz.py --examples 500

For each endpoint: answers sent, clean results, client errors (by class),
escapes (any other exception) and silently wrong results (a non-finite or
out-of-range number, a control character or lone surrogate in a string, a
redirect taken as success, an uncapped Retry-After, ...).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
import sys
import time
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
from hypothesis import (
    HealthCheck,
    Phase,
    given,
    settings,
    strategies as st,
)

from tests.api.fuzzing import (
    ENDPOINTS,
    Answer,
    Endpoint,
    LoopbackCloud,
    Tally,
    answers,
    judge_client,
    judge_parser,
)


def _drive(
    strategy: st.SearchStrategy[Any], examples: int, run: Callable[[Any], None]
) -> None:
    """Feed `examples` generated values to `run` (no shrinking, no database)."""
    config = settings(
        max_examples=examples,
        database=None,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    config(given(strategy)(run))()


def _row(name: str, tally: Tally) -> str:
    """Format one endpoint's counts."""
    errors = ", ".join(
        f"{kind} {count}" for kind, count in sorted(tally.errors.items())
    )
    escapes = ", ".join(
        f"{kind} {count}" for kind, count in sorted(tally.escapes.items())
    )
    wrong = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.wrong.items()))
    return (
        f"{name:<24} answers {tally.answers:>6}  clean {tally.clean:>6}  "
        f"errors {sum(tally.errors.values()):>6}  escapes {sum(tally.escapes.values()):>4}  "
        f"wrong {sum(tally.wrong.values()):>4}\n"
        f"{'':<24} errors: {errors or '-'}\n"
        + (f"{'':<24} escapes: {escapes}\n" if escapes else "")
        + (f"{'':<24} wrong: {wrong}\n" if wrong else "")
    )


def _parse_into(endpoint: Endpoint, tally: Tally) -> Callable[[Any], None]:
    """Return a function that parses one data value and counts the outcome."""

    def run(data: Any) -> None:
        tally.record(judge_parser(endpoint, data))

    return run


def fuzz_parsers(examples: int) -> None:
    """Fuzz each parser with generated `data` values."""
    print(f"Parsers, {examples} data values each")
    for endpoint in ENDPOINTS:
        if endpoint.parse is None:
            continue
        tally = Tally()
        _drive(endpoint.data, examples, _parse_into(endpoint, tally))
        print(_row(endpoint.name, tally), end="")


async def _client_rows(examples: int) -> None:
    """Fuzz the client over loopback, one endpoint after the other."""
    cloud = LoopbackCloud()
    await cloud.start()
    loop = asyncio.get_running_loop()
    try:
        async with aiohttp.ClientSession() as session:
            for endpoint in ENDPOINTS:
                tally = Tally()
                started = time.monotonic()
                await asyncio.to_thread(
                    _fuzz_client,
                    endpoint,
                    examples=examples,
                    tally=tally,
                    cloud=cloud,
                    session=session,
                    loop=loop,
                )
                print(
                    _row(endpoint.name, tally)
                    + f"{'':<24} ({time.monotonic() - started:.0f} s)"
                )
    finally:
        await cloud.stop()


def _fuzz_client(
    endpoint: Endpoint,
    *,
    examples: int,
    tally: Tally,
    cloud: LoopbackCloud,
    session: aiohttp.ClientSession,
    loop: asyncio.AbstractEventLoop,
) -> None:
    """Drive hypothesis in a worker thread; each call runs on the event loop."""

    def run(answer: Answer) -> None:
        future = asyncio.run_coroutine_threadsafe(
            judge_client(endpoint, answer, cloud, session), loop
        )
        tally.record(future.result())

    _drive(answers(endpoint), examples, run)


def main() -> None:
    """Parse the arguments and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=10_000, help="answers per endpoint"
    )
    parser.add_argument(
        "--only", choices=["parsers", "client"], help="run one half only"
    )
    args = parser.parse_args()
    if args.only != "client":
        fuzz_parsers(args.examples)
    if args.only != "parsers":
        print(f"Client over loopback, {args.examples} HTTP answers each")
        asyncio.run(_client_rows(args.examples))


if __name__ == "__main__":
    main()
