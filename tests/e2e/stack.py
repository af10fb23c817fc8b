"""The system under test: the simulator and a real Home Assistant, on free ports."""

from __future__ import annotations

from collections.abc import Callable, Iterator
import contextlib
from dataclasses import dataclass
import json
import os
from pathlib import Path
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any
import urllib.request

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import dev_setup  # noqa: E402

USERNAME = "dev"
PASSWORD = "dev"
HOST = "127.0.0.1"


class StackError(Exception):
    """The stack could not be started; the message says why."""


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, timeout: float, probe: Callable[[], bool]) -> None:
    """Call probe twice a second until it is true; StackError after timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.5)
    raise StackError(f"timed out after {timeout:.0f} s waiting for {what}")


@dataclass
class Simulator:
    """The running cloud simulator and its unsigned control API."""

    url: str

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Call `/_sim/...` and return its JSON answer."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.url}/_sim/{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def up(self) -> bool:
        """Return whether the control API answers."""
        try:
            self.control("GET", "state")
        except OSError:
            return False
        return True


@dataclass
class Stack:
    """Home Assistant (logged-in REST client included) and the simulator."""

    ha_url: str
    sim: Simulator
    ha: dev_setup.HomeAssistantClient
    config_dir: Path
    log_dir: Path

    def entry(self) -> dict[str, Any] | None:
        """Return the dyness config entry, if there is one."""
        entries = self.ha.get("/api/config/config_entries/entry?domain=dyness")
        return dict(entries[0]) if entries else None

    def reload(self) -> None:
        """Reload the dyness entry: a fresh read of every battery at once."""
        entry = self.entry()
        if entry is None:
            raise StackError("no dyness entry to reload")
        self.ha.post(f"/api/config/config_entries/entry/{entry['entry_id']}/reload", {})

    def states(self) -> dict[str, dict[str, Any]]:
        """Return every state by entity ID."""
        return {state["entity_id"]: state for state in self.ha.get("/api/states")}


def _start(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a process with its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, cwd=REPO_ROOT
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a process started here: TERM, then KILL after 20 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextlib.contextmanager
def running_stack(log_dir: Path, *, start_timeout: float = 240) -> Iterator[Stack]:
    """Start the simulator and Home Assistant (onboarded, no entry); stop both after."""
    python = sys.executable
    sim_port, ha_port = free_port(), free_port()
    log_dir.mkdir(parents=True, exist_ok=True)
    processes: list[subprocess.Popen[bytes]] = []
    with tempfile.TemporaryDirectory(prefix="dyness-e2e-") as tmp:
        config = Path(tmp) / "config"
        try:
            processes.append(
                _start(
                    [
                        python,
                        "-m",
                        "dyness_sim",
                        "--host",
                        HOST,
                        "--port",
                        str(sim_port),
                    ],
                    log_dir / "sim.log",
                )
            )
            sim = Simulator(f"http://{HOST}:{sim_port}")
            wait_for("the simulator", 30, sim.up)
            dev_setup.prepare_config(config, ha_port, USERNAME, PASSWORD)
            processes.append(
                _start(
                    [python, "-m", "homeassistant", "-c", str(config)],
                    log_dir / "hass.log",
                )
            )
            hass = processes[-1]
            ha_url = f"http://{HOST}:{ha_port}"
            ha = dev_setup.HomeAssistantClient(ha_url)

            def _alive_and(probe: Callable[[], bool]) -> Callable[[], bool]:
                def check() -> bool:
                    if hass.poll() is not None:
                        raise StackError(
                            f"Home Assistant exited ({hass.returncode}); "
                            f"see {log_dir / 'hass.log'}"
                        )
                    return probe()

                return check

            wait_for(
                "Home Assistant's HTTP server", start_timeout, _alive_and(ha.is_up)
            )

            def _login() -> bool:
                try:
                    ha.login(USERNAME, PASSWORD)
                except (dev_setup.SetupError, OSError):
                    return False
                return True

            wait_for("the login", 60, _alive_and(_login))

            def _running() -> bool:
                try:
                    return bool(ha.get("/api/config").get("state") == "RUNNING")
                except (dev_setup.SetupError, OSError):
                    return False

            wait_for(
                "Home Assistant to finish starting", start_timeout, _alive_and(_running)
            )
            yield Stack(ha_url, sim, ha, config, log_dir)
        finally:
            for process in reversed(processes):
                _stop(process)
            for name in ("home-assistant.log",):
                source = config / name
                if source.exists():
                    (log_dir / name).write_bytes(source.read_bytes())


def environment_summary() -> str:
    """Return the versions that matter when a run fails elsewhere."""
    from homeassistant.const import __version__ as ha_version

    return f"Home Assistant {ha_version}, Python {sys.version.split()[0]}, pid {os.getpid()}"
