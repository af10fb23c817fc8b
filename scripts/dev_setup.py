"""Helpers of scripts/develop: prepare a Home Assistant config dir, add the entry.

Run with the Python of .venv (Home Assistant and requests installed):

    python scripts/dev_setup.py prepare --config .dev/config
    python scripts/dev_setup.py connect --url http://127.0.0.1:8123 \
        --api-id 10000000000042 --api-secret ... --base-url http://127.0.0.1:8900

`prepare` writes configuration.yaml (once), links custom_components/dyness into
the config dir, creates the login and marks onboarding done; every step is
idempotent. `connect` waits for Home Assistant, logs in through the auth login
flow, creates the dyness config entry through the real config flow over REST
(picking every battery the flow offers) unless one exists, then waits for the
integration's sensors to report numbers.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import json
import os
from pathlib import Path
import re
import subprocess
import sys
import time
from typing import Any

import requests

REPO_ROOT = Path(__file__).resolve().parent.parent
DOMAIN = "dyness"
CLIENT_ID_PATH = "/"
HTTP_TIMEOUT = 30
ONBOARDING_STEPS = ["user", "core_config", "analytics", "integration"]
ONBOARDING_STORAGE_VERSION = 4
SERVER_PORT_RE = re.compile(r"^([ \t]+server_port:[ \t]*)\d+[ \t]*$", re.MULTILINE)
UNKNOWN_STATES = {"unknown", "unavailable"}

CONFIGURATION_YAML = """\
# Written by scripts/develop (kept if you edit it; `scripts/develop --reset`
# starts over). Home Assistant for developing the Dyness integration against
# the local cloud simulator.
homeassistant:
  name: Dyness dev
  time_zone: Europe/Berlin
  country: DE
  currency: EUR
  unit_system: metric

frontend:
config:
history:
logbook:
energy:
recorder:

http:
  server_host: 127.0.0.1
  server_port: {port}

logger:
  default: info
  logs:
    custom_components.dyness: debug
"""


class SetupError(Exception):
    """Something the developer has to look at; the message says what."""


def _write_json_atomic(path: Path, data: Any) -> None:
    """Write a JSON file the way Home Assistant's storage does."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)


def prepare_config(config: Path, port: int, username: str, password: str) -> None:
    """Create or update the config dir; safe to run on every start."""
    config.mkdir(parents=True, exist_ok=True)

    yaml_file = config / "configuration.yaml"
    if not yaml_file.exists():
        yaml_file.write_text(CONFIGURATION_YAML.format(port=port), encoding="utf-8")
        print(f"wrote {yaml_file}")
    else:
        _ensure_port(yaml_file, port)

    target = REPO_ROOT / "custom_components" / DOMAIN
    link = config / "custom_components" / DOMAIN
    link.parent.mkdir(exist_ok=True)
    if not (link.is_symlink() and link.resolve() == target.resolve()):
        if link.is_symlink() or link.is_file():
            link.unlink()
        elif link.exists():
            raise SetupError(f"{link} is a real folder; remove it or run --reset")
        link.symlink_to(target, target_is_directory=True)
        print(f"linked {link} -> {target}")

    _ensure_user(config, username, password)
    _ensure_onboarded(config)


def _ensure_port(yaml_file: Path, port: int) -> None:
    """Point an existing configuration.yaml's server_port at `port`."""
    text = yaml_file.read_text(encoding="utf-8")
    updated, count = SERVER_PORT_RE.subn(rf"\g<1>{port}", text)
    if count == 0:
        print(
            f"warning: no `server_port:` in {yaml_file}; Home Assistant may not "
            f"listen on {port}",
            file=sys.stderr,
        )
    elif updated != text:
        yaml_file.write_text(updated, encoding="utf-8")
        print(f"set server_port: {port} in {yaml_file}")


def _ensure_user(config: Path, username: str, password: str) -> None:
    """Add the login to the homeassistant auth provider unless it is there."""
    store = config / ".storage" / "auth_provider.homeassistant"
    if store.exists():
        users = json.loads(store.read_text(encoding="utf-8"))["data"]["users"]
        if any(user.get("username") == username for user in users):
            return
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "homeassistant",
            "--script",
            "auth",
            "-c",
            str(config),
            "add",
            username,
            password,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SetupError(
            f"`hass --script auth add` failed:\n{result.stdout}{result.stderr}"
        )
    print(f"created login {username!r}")


def _ensure_onboarded(config: Path) -> None:
    """Mark every onboarding step done, so the frontend opens on the login page."""
    store = config / ".storage" / "onboarding"
    if store.exists():
        done = json.loads(store.read_text(encoding="utf-8"))["data"]["done"]
        if set(ONBOARDING_STEPS) <= set(done):
            return
    _write_json_atomic(
        store,
        {
            "version": ONBOARDING_STORAGE_VERSION,
            "minor_version": 1,
            "key": "onboarding",
            "data": {"done": ONBOARDING_STEPS},
        },
    )
    print("marked onboarding done")


# The Home Assistant process `connect` talks to; waits give up when it is gone.
_watched_pid: int | None = None


def _process_alive(pid: int) -> bool:
    """Return whether process pid runs (a zombie counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except FileNotFoundError:
        return False
    except OSError:
        # No /proc (macOS): ask the kernel instead.
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    # The state follows the parenthesised command name, which may hold spaces.
    return stat.rpartition(")")[2].split()[0] not in {"Z", "X"}


def _wait(what: str, timeout: float, probe: Callable[[], bool]) -> None:
    """Call probe every second until it returns True or the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        if _watched_pid is not None and not _process_alive(_watched_pid):
            raise SetupError(
                f"Home Assistant (pid {_watched_pid}) exited while waiting for {what}"
            )
        time.sleep(1)
    raise SetupError(f"timed out after {timeout:.0f} s waiting for {what}")


class HomeAssistantClient:
    """Just enough of Home Assistant's REST API for setting up the entry."""

    def __init__(self, url: str) -> None:
        """Talk to the Home Assistant at url."""
        self.url = url.rstrip("/")
        self.session = requests.Session()

    def is_up(self) -> bool:
        """Return whether the HTTP server answers (any status)."""
        try:
            self.session.get(f"{self.url}/auth/providers", timeout=5)
        except requests.RequestException:
            return False
        return True

    def _json(self, response: requests.Response) -> Any:
        """Return a response's JSON, or raise with what the server said."""
        if response.status_code >= 400:
            raise SetupError(
                f"{response.request.method} {response.url}: HTTP "
                f"{response.status_code} {response.text[:500]}"
            )
        return response.json()

    def post(self, path: str, payload: dict[str, Any]) -> Any:
        """POST JSON to the API."""
        return self._json(
            self.session.post(f"{self.url}{path}", json=payload, timeout=HTTP_TIMEOUT)
        )

    def get(self, path: str) -> Any:
        """GET from the API."""
        return self._json(self.session.get(f"{self.url}{path}", timeout=HTTP_TIMEOUT))

    def login(self, username: str, password: str) -> None:
        """Log in through the auth login flow and keep the access token."""
        client_id = f"{self.url}{CLIENT_ID_PATH}"
        flow = self.post(
            "/auth/login_flow",
            {
                "client_id": client_id,
                "handler": ["homeassistant", None],
                "redirect_uri": f"{client_id}?auth_callback=1",
            },
        )
        result = self.post(
            f"/auth/login_flow/{flow['flow_id']}",
            {"client_id": client_id, "username": username, "password": password},
        )
        if result.get("type") != "create_entry":
            raise SetupError(
                f"login as {username!r} refused: {result.get('errors') or result}"
            )
        token = self._json(
            self.session.post(
                f"{self.url}/auth/token",
                data={
                    "grant_type": "authorization_code",
                    "code": result["result"],
                    "client_id": client_id,
                },
                timeout=HTTP_TIMEOUT,
            )
        )
        self.session.headers["Authorization"] = f"Bearer {token['access_token']}"

    def template(self, template: str) -> Any:
        """Render a template and parse the result as JSON."""
        response = self.session.post(
            f"{self.url}/api/template",
            json={"template": template},
            timeout=HTTP_TIMEOUT,
        )
        if response.status_code >= 400:
            raise SetupError(f"template failed: HTTP {response.status_code}")
        return json.loads(response.text)


def _field_value(field: dict[str, Any], known: dict[str, Any]) -> tuple[bool, Any]:
    """Return (use it, value) for one field of a flow form."""
    name = field["name"]
    selector = field.get("selector") or {}
    select = selector.get("select")
    if select is not None and select.get("multiple"):
        # Pick every option offered: every battery in the batteries step.
        values = [
            option["value"] if isinstance(option, dict) else option
            for option in select.get("options", [])
        ]
        return True, values
    if name in known:
        return True, known[name]
    if "boolean" in selector or field.get("type") == "boolean":
        return True, False
    if "default" in field:
        return True, field["default"]
    return False, None


def _answer_form(step: dict[str, Any], known: dict[str, Any]) -> dict[str, Any]:
    """Build the user input for one form from its data_schema."""
    answer: dict[str, Any] = {}
    missing: list[str] = []
    for field in step.get("data_schema", []):
        use, value = _field_value(field, known)
        if use:
            answer[field["name"]] = value
        elif field.get("required"):
            missing.append(field["name"])
    if missing:
        raise SetupError(
            f"step {step.get('step_id')!r} asks for {missing}, which this script "
            "does not know how to fill"
        )
    return answer


def create_entry(
    ha: HomeAssistantClient, user_input: dict[str, Any], max_steps: int = 6
) -> dict[str, Any]:
    """Run the integration's config flow over REST; return the final result."""
    step = ha.post(
        "/api/config/config_entries/flow",
        {"handler": DOMAIN, "show_advanced_options": True},
    )
    for _ in range(max_steps):
        kind = step.get("type")
        if kind != "form":
            return dict(step)
        answer = _answer_form(step, user_input)
        shown = {
            key: ("***" if "secret" in key else value) for key, value in answer.items()
        }
        print(f"  step {step['step_id']}: {json.dumps(shown)}")
        previous = step["step_id"]
        step = ha.post(f"/api/config/config_entries/flow/{step['flow_id']}", answer)
        if step.get("type") == "form" and step.get("step_id") == previous:
            raise SetupError(
                f"step {previous!r} shown again with errors {step.get('errors')}"
            )
    raise SetupError(f"config flow did not finish within {max_steps} steps")


# (device name, entity_id, state) of every enabled sensor of the integration.
SENSORS_TEMPLATE = (
    "{% set ns = namespace(rows=[]) %}"
    "{% for e in integration_entities('" + DOMAIN + "') if e.startswith('sensor.') %}"
    "{% set ns.rows = ns.rows"
    " + [[device_attr(device_id(e), 'name') or '?', e, states(e)]] %}"
    "{% endfor %}"
    "{{ ns.rows | to_json }}"
)


def _sensor_summary(ha: HomeAssistantClient) -> list[tuple[str, str, str]]:
    """Return (device name, entity_id, state) of the integration's enabled sensors."""
    return [(str(d), str(e), str(s)) for d, e, s in ha.template(SENSORS_TEMPLATE)]


def _has_value(state: str) -> bool:
    """Return whether a state is a value (not unknown or unavailable)."""
    return state not in UNKNOWN_STATES


def _print_sensors(sensors: list[tuple[str, str, str]]) -> None:
    """Print per device how many enabled sensors have a value, and a few values."""
    devices: dict[str, list[tuple[str, str]]] = {}
    for device, entity, state in sensors:
        devices.setdefault(device, []).append((entity, state))
    for device, rows in sorted(devices.items()):
        missing = [entity for entity, state in rows if not _has_value(state)]
        print(
            f"  {device}: {len(rows) - len(missing)} of {len(rows)} enabled sensors "
            "have a value" + (f"; without one: {', '.join(missing)}" if missing else "")
        )
        for entity, state in rows[:3]:
            print(f"    {entity} = {state}")
    print(
        "  (the signal strength sensor of each battery is disabled by default: "
        "Settings → Devices to enable it)"
    )


def connect(args: argparse.Namespace) -> None:
    """Wait for Home Assistant, log in, add the entry and wait for its sensors."""
    ha = HomeAssistantClient(args.url)
    print(f"waiting for Home Assistant at {args.url} ...")
    _wait("Home Assistant's HTTP server", args.timeout, ha.is_up)

    def _try_login() -> bool:
        try:
            ha.login(args.username, args.password)
        except (SetupError, requests.RequestException) as err:
            if "refused" in str(err):
                raise
            return False
        return True

    _wait("the login flow", 120, _try_login)
    print(f"logged in as {args.username!r}")

    def _running() -> bool:
        try:
            return bool(ha.get("/api/config").get("state") == "RUNNING")
        except (SetupError, requests.RequestException):
            return False

    _wait("Home Assistant to finish starting", args.timeout, _running)

    entries = ha.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    if entries:
        print(f"config entry exists: {entries[0]['title']} ({entries[0]['state']})")
    else:
        print("creating the config entry through the config flow:")
        result = create_entry(
            ha,
            {
                "api_id": args.api_id,
                "api_secret": args.api_secret,
                "region": args.region,
                "base_url": args.base_url,
            },
        )
        if result.get("type") != "create_entry":
            raise SetupError(f"config flow ended with {result}")
        print(f"created config entry {result.get('title')!r}")

    if args.no_wait_sensors:
        return
    sensors: list[tuple[str, str, str]] = []

    def _all_sensors_have_values() -> bool:
        nonlocal sensors
        try:
            sensors = _sensor_summary(ha)
        except (SetupError, requests.RequestException, ValueError):
            return False
        return bool(sensors) and all(_has_value(state) for _, _, state in sensors)

    try:
        _wait(
            "the integration's sensors", args.sensor_timeout, _all_sensors_have_values
        )
    except SetupError:
        if not any(_has_value(state) for _, _, state in sensors):
            raise
        print("warning: not every sensor has a value yet:", file=sys.stderr)
    print(f"{len(sensors)} enabled {DOMAIN} sensors:")
    _print_sensors(sensors)


def main() -> int:
    """Parse the command line and run one subcommand."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    prep = sub.add_parser("prepare", help="create or update the config dir")
    prep.add_argument("--config", type=Path, required=True)
    prep.add_argument("--port", type=int, default=8123)
    prep.add_argument("--username", default="dev")
    prep.add_argument("--password", default="dev")

    conn = sub.add_parser("connect", help="log in and add the dyness entry")
    conn.add_argument("--url", default="http://127.0.0.1:8123")
    conn.add_argument("--username", default="dev")
    conn.add_argument("--password", default="dev")
    conn.add_argument("--api-id", required=True)
    conn.add_argument("--api-secret", required=True)
    conn.add_argument("--region", default="europe")
    conn.add_argument("--base-url", required=True)
    conn.add_argument("--timeout", type=float, default=600)
    conn.add_argument("--sensor-timeout", type=float, default=180)
    conn.add_argument("--no-wait-sensors", action="store_true")
    conn.add_argument(
        "--hass-pid", type=int, help="stop waiting when this process has exited"
    )

    args = parser.parse_args()
    global _watched_pid  # noqa: PLW0603
    _watched_pid = getattr(args, "hass_pid", None)
    try:
        if args.command == "prepare":
            prepare_config(args.config, args.port, args.username, args.password)
        else:
            connect(args)
    except (SetupError, requests.RequestException) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
