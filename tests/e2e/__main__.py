"""Run the browser suite: `python -m tests.e2e [--artifacts DIR] [--images DIR]`.

Starts the simulator and Home Assistant (see stack.py), drives Debian's
Chromium with Playwright through the scenarios in scenarios.py, keeps a
screenshot of each step in the artifacts folder and ends with the line
`N passed, N failed`. Exit code 0 only when every scenario passed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
import shutil
import sys
import time
import traceback

from playwright.sync_api import Error as PlaywrightError, sync_playwright

from .scenarios import SCENARIOS, VIEWPORT, Context
from .stack import REPO_ROOT, StackError, environment_summary, running_stack
from .ui import Ui

DEFAULT_BROWSER = "/usr/bin/chromium"
STEP_TIMEOUT_MS = 30_000


def run_checked(scenario: Callable[[Context], None], ctx: Context) -> None:
    """Run a scenario; fail it when any of its soft checks failed."""
    ctx.problems.clear()
    scenario(ctx)
    if ctx.problems:
        raise AssertionError(
            f"{len(ctx.problems)} checks failed: " + "; ".join(ctx.problems)
        )


def main() -> int:
    """Run the scenarios and print what happened."""
    parser = argparse.ArgumentParser(
        prog="python -m tests.e2e", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--artifacts", type=Path, default=REPO_ROOT / ".e2e-artifacts")
    parser.add_argument(
        "--images", type=Path, help="also write the README pictures here"
    )
    parser.add_argument(
        "--browser", default=DEFAULT_BROWSER, help="Chromium executable"
    )
    parser.add_argument(
        "--only", action="append", help="run only these scenarios (names)"
    )
    args = parser.parse_args()
    unknown = set(args.only or ()) - {name for name, _ in SCENARIOS}
    if unknown:
        parser.error(
            f"unknown scenarios {sorted(unknown)}; known: {[n for n, _ in SCENARIOS]}"
        )

    shutil.rmtree(args.artifacts, ignore_errors=True)
    shots = args.artifacts / "screenshots"
    shots.mkdir(parents=True)
    print(f"e2e: {environment_summary()}; artifacts in {args.artifacts}", flush=True)
    chosen = [(n, f) for n, f in SCENARIOS if not args.only or n in args.only]
    passed: list[str] = []
    failed: list[str] = []
    started = time.monotonic()
    figures: dict[str, float] = {}
    try:
        with (
            running_stack(args.artifacts / "logs") as stack,
            sync_playwright() as playwright,
        ):
            figures["stack_start_s"] = time.monotonic() - started
            print(
                f"e2e: simulator and Home Assistant up in {figures['stack_start_s']:.0f} s",
                flush=True,
            )
            browser = playwright.chromium.launch(
                executable_path=args.browser, args=["--no-sandbox"]
            )
            context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
            page = context.new_page()
            page.set_default_timeout(STEP_TIMEOUT_MS)
            ui = Ui(page, stack.ha_url, shots, "login")
            ui.login()
            ctx = Context(ui, stack, args.images, figures)
            for name, scenario in chosen:
                ui.scenario = name
                begin = time.monotonic()
                print(f"e2e: {name} ...", flush=True)
                try:
                    run_checked(scenario, ctx)
                except (
                    AssertionError,
                    PlaywrightError,
                    StackError,
                    OSError,
                    StopIteration,
                    KeyError,
                ) as err:
                    failed.append(name)
                    ui.shot("FAILED", full_page=True)
                    print(
                        f"e2e: {name} FAILED after {time.monotonic() - begin:.0f} s: {err}",
                        flush=True,
                    )
                    traceback.print_exc(limit=3, file=sys.stdout)
                    # The next scenario starts from a clean page.
                    page.keyboard.press("Escape")
                else:
                    passed.append(name)
                    print(
                        f"e2e: {name} passed in {time.monotonic() - begin:.0f} s",
                        flush=True,
                    )
            browser.close()
    except StackError as err:
        print(f"e2e: the stack failed: {err}", flush=True)
        failed.append("stack")
    total = time.monotonic() - started
    for key, value in figures.items():
        print(f"e2e figure: {key} = {value:.1f}")
    print(f"e2e: {len(chosen)} scenarios in {total:.0f} s; screenshots in {shots}")
    if failed:
        print(f"e2e: failed: {', '.join(failed)}")
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
