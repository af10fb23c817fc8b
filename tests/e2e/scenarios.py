"""The browser scenarios of issue 14, each asserting what a person sees.

They run in this order on one Home Assistant: `add` creates the entry the
others look at, and `offline` stops a battery, so it comes last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
import json
from pathlib import Path
import re
import time
from typing import Any

from playwright.sync_api import expect

from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DL5_DONGLE_SN,
    DL5_MODULE_SNS,
    DL5_SN,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    POWERHAUS_DONGLE_SN,
    POWERHAUS_MODULE_SNS,
    POWERHAUS_SN,
)

from .stack import REPO_ROOT, Stack
from .ui import Ui

INTEGRATION = REPO_ROOT / "custom_components" / "dyness"
SECRETS = (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    POWERHAUS_SN.removesuffix("-BMS"),
    POWERHAUS_DONGLE_SN,
    DL5_SN.removesuffix("-BMS"),
    DL5_DONGLE_SN,
    *POWERHAUS_MODULE_SNS,
    *DL5_MODULE_SNS,
)
# Cell over-temperature protection: bit 3 of byte 3400 (sub-point 3404).
PROTECTION_POINT = "3404"
COUNT_SENSORS = (
    "module_count",
    "cycles",
    "cell_voltage_max_number",
    "cell_voltage_min_number",
)
UNITS = {"state_of_charge": r"%", "pack_voltage": r" V", "battery_power": r" W"}
VIEWPORT = {"width": 1280, "height": 900}
# A number as the frontend shows it: digit groups ("-2,007") or plain digits.
NUMBER = r"-?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?"
# The recorder compiles statistics every 5 minutes (at :00:10, :05:10, ...).
STATISTICS_WAIT_S = 330
STATISTICS_PENDING = "Statistics not defined"
NO_VALUE = {
    "Unknown",
    "Unavailable",
    "Unbekannt",
    "Nicht verfügbar",
    "Inconnu",
    "Indisponible",
}


def texts(language: str = "en") -> dict[str, Any]:
    """Return the integration's texts in one language."""
    # English from strings.json, the source: a text lost from en.json must show.
    name = "strings.json" if language == "en" else f"translations/{language}.json"
    path = INTEGRATION / name
    return dict(json.loads(path.read_text(encoding="utf-8")))


EN = texts()
CONFIG = EN["config"]


def sensor_name(key: str, language: str = "en") -> str:
    """Return a sensor's translated name."""
    return str(texts(language)["entity"]["sensor"][key]["name"])


def _issue_title_res() -> list[re.Pattern[str]]:
    """Return the integration's repair titles as patterns ({name} matches anything)."""
    return [
        re.compile(
            re.escape(issue["title"])
            .replace(r"\{name\}", ".+")
            .replace(r"\{model\}", ".+")
        )
        for issue in EN["issues"].values()
    ]


@dataclass
class Context:
    """What every scenario gets: the browser, the stack and where pictures go."""

    ui: Ui
    stack: Stack
    images: Path | None
    figures: dict[str, float]
    problems: list[str] = field(default_factory=list)

    def check(self, ok: object, message: str) -> None:
        """Note a failed check and go on, so one run shows every defect."""
        if not ok:
            self.problems.append(message)
            print(f"    check failed: {message}", flush=True)

    def picture(
        self, name: str, *, clip_to: str | None = None, down_to_row: str | None = None
    ) -> None:
        """Write a README picture (small PNG) when the suite refreshes them."""
        if self.images is None:
            return
        self.images.mkdir(parents=True, exist_ok=True)
        page = self.ui.page
        target = self.images / f"{name}.png"
        if clip_to is not None:
            box = page.locator(clip_to).first.bounding_box()
            assert box is not None, f"{clip_to} is not shown"
            # Long cards are cut at the bottom of the window.
            bottom = page.viewport_size["height"]  # type: ignore[index]
            if down_to_row is not None and self.ui.row_bottom(down_to_row) > 0:
                bottom = self.ui.row_bottom(down_to_row) + 12
            box["height"] = min(box["height"], bottom - box["y"])
            page.screenshot(path=target, scale="css", clip=box)
        else:
            page.screenshot(path=target, scale="css")
        if target.stat().st_size > 150_000:
            raise AssertionError(
                f"{target} is {target.stat().st_size} bytes (max 150 kB)"
            )


# --- what the stack knows (REST), for finding pages and waiting -----------

DEVICES_TEMPLATE = (
    "{% set ns = namespace(rows=[]) %}"
    "{% for d in integration_entities('dyness') | map('device_id') | reject('none') | unique %}"
    "{% set ns.rows = ns.rows + [[d, device_attr(d, 'name'), device_attr(d, 'serial_number')]] %}"
    "{% endfor %}{{ ns.rows | to_json }}"
)


def devices(stack: Stack) -> list[tuple[str, str, str]]:
    """Return (device ID, name, serial) of every device with a dyness entity."""
    return [
        (d, str(n), str(s or "")) for d, n, s in stack.ha.template(DEVICES_TEMPLATE)
    ]


REGISTRY_DEVICES_JS = """(entry) => Object.values(
  document.querySelector('home-assistant').hass.devices
).filter((d) => d.config_entries.includes(entry)).map((d) => [d.id, d.name_by_user || d.name])"""


def registry_devices(ui: Ui, stack: Stack) -> list[tuple[str, str]]:
    """Return (ID, name) of every device of the entry, with or without enabled entities."""
    entry = stack.entry()
    assert entry is not None, "no dyness entry"
    return [
        (d, str(n)) for d, n in ui.page.evaluate(REGISTRY_DEVICES_JS, entry["entry_id"])
    ]


def battery_devices(stack: Stack) -> list[tuple[str, str, str]]:
    """Return the battery masters among the devices."""
    return [d for d in devices(stack) if d[2].endswith(("-BMS", "-BDU"))]


def device_of(stack: Stack, serial: str, timeout: float = 60) -> str:
    """Return the device ID of a battery master (waiting out a reload)."""
    deadline = time.monotonic() + timeout
    while True:
        found = [d for d, _, s in devices(stack) if s == serial]
        if found or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert found, f"no device with serial {serial} after {timeout:.0f} s"
    return found[0]


def state_of(stack: Stack, serial: str, key: str) -> str:
    """Return the state of a battery's sensor found by its unique ID suffix."""
    entity_id = stack.ha.template(
        "{{ integration_entities('dyness') | select('search', '"
        + key
        + "$') | select('is_device_attr', 'serial_number', '"
        + serial
        + "') | list | first | default('') | to_json }}"
    )
    if not entity_id:
        # Not there (yet): the entry is being set up or reloaded.
        return ""
    return str(stack.ha.get(f"/api/states/{entity_id}")["state"])


def wait_state(
    stack: Stack,
    serial: str,
    key: str,
    want: Callable[[str], bool],
    timeout: float = 90,
) -> str:
    """Wait until a battery's sensor state satisfies `want`; return it."""
    deadline = time.monotonic() + timeout
    state = ""
    while time.monotonic() < deadline:
        state = state_of(stack, serial, key)
        if want(state):
            return state
        time.sleep(1)
    raise AssertionError(f"{key} of {serial} stayed {state!r} for {timeout:.0f} s")


# --- flows in the UI ---------------------------------------------------------


def open_add_dialog(ui: Ui) -> None:
    """Settings → Devices & services → Add integration → Dyness."""
    ui.open("/config/integrations/dashboard")
    ui.button("Add integration").click()
    ui.page.get_by_role("textbox", name="Search for a brand name").fill("Dyness")
    ui.page.locator("ha-integration-list-item", has_text="Dyness").first.click()
    ui.page.get_by_text(CONFIG["step"]["user"]["title"]).wait_for()


def submit_user_step(ui: Ui, app_id: str, secret: str, base_url: str) -> None:
    """Fill the first form and press Submit."""
    page = ui.page
    page.get_by_role("textbox", name="App ID").fill(app_id)
    page.get_by_role("textbox", name="App Secret").fill(secret)
    page.get_by_role("textbox", name="API base URL").fill(base_url)
    ui.button("Submit").click()


def expect_dialog_text(ui: Ui, text: str) -> None:
    """Wait until the open flow dialog shows `text`."""
    expect(ui.dialog().get_by_text(text, exact=False).first).to_be_visible()


def expect_abort(ctx: Context, reason: str) -> None:
    """Wait for the flow to end; it must show the reason's text, no raw key."""
    ui = ctx.ui
    ended = ui.dialog().locator("step-flow-abort")
    ended.wait_for()
    shown = " ".join(ui.texts(ended))
    ctx.check(not ui.raw_keys(), f"the {reason} abort shows raw keys {ui.raw_keys()}")
    wanted = CONFIG["abort"][reason]
    ctx.check(wanted in shown, f"the {reason} abort shows {shown!r}, not {wanted!r}")


def close_dialog(ui: Ui) -> None:
    """Close the open flow dialog (Finish, Close or the X)."""
    for name in ("Finish", "Close"):
        button = ui.dialog().get_by_role("button", name=name, exact=True)
        if button.count():
            button.first.click()
            break
    expect(ui.dialog().locator("ha-dialog")).to_have_count(0)


def entry_menu(ui: Ui, item: str) -> None:
    """Open the entry's ⋮ menu on the integration page and choose an item."""
    ui.open("/config/integrations/integration/dyness", ready="Dyness 0042")
    ui.page.locator(
        "ha-config-entry-row ha-button-menu, ha-integration-card ha-button-menu, ha-md-button-menu"
    ).first.click()
    ui.page.get_by_role("menuitem", name=item).first.click()


# --- the scenarios -----------------------------------------------------------


def add_integration(ctx: Context) -> None:
    """Scenario 2: errors, empty account, an abandoned tab, the happy path, a duplicate."""
    ui, stack = ctx.ui, ctx.stack
    ui.set_advanced_mode()
    errors = CONFIG["error"]

    open_add_dialog(ui)
    ui.shot("user-step")
    submit_user_step(ui, DEFAULT_APP_ID, "0" * 31, stack.sim.url)
    expect_dialog_text(ui, errors["invalid_auth"])
    ui.shot("wrong-secret")

    submit_user_step(ui, EMPTY_APP_ID, EMPTY_APP_SECRET, stack.sim.url)
    expect_dialog_text(ui, errors["no_devices"])
    assert "Asia-Pacific" in errors["no_devices"]
    ui.shot("empty-account")
    close_dialog(ui)

    # A second tab reaches the battery step and is closed without finishing.
    tab = ui.page.context.new_page()
    other = Ui(tab, ui.base_url, ui.shots, f"{ui.scenario}-tab", ui.shot_count)
    open_add_dialog(other)
    submit_user_step(other, DEFAULT_APP_ID, DEFAULT_APP_SECRET, stack.sim.url)
    expect_dialog_text(other, CONFIG["step"]["batteries"]["title"])
    other.shot("abandoned")
    tab.close()
    ui.shot_count = other.shot_count

    open_add_dialog(ui)
    submit_user_step(ui, DEFAULT_APP_ID, DEFAULT_APP_SECRET, stack.sim.url)
    expect_dialog_text(ui, CONFIG["step"]["batteries"]["title"])
    for serial in (POWERHAUS_SN, DL5_SN):
        expect(ui.page.get_by_role("checkbox", name=serial)).to_be_checked()
    ui.settle(300)
    ui.shot("battery-step")
    ctx.picture("battery-choice", clip_to="dialog-data-entry-flow .mdc-dialog__surface")
    started = time.monotonic()
    ui.button("Submit").click()
    expect(ui.dialog().get_by_text("Success")).to_be_visible(timeout=60_000)
    ctx.figures["submit_to_success_s"] = time.monotonic() - started
    print(f"    Submit → Success: {ctx.figures['submit_to_success_s']:.1f} s")
    ui.settle(300)
    ui.shot("success")
    close_dialog(ui)

    device = device_of(stack, POWERHAUS_SN)
    ui.open(f"/config/devices/device/{device}", ready=sensor_name("state_of_charge"))
    wait_state(
        stack,
        POWERHAUS_SN,
        "state_of_charge",
        lambda s: re.fullmatch(NUMBER, s) is not None,
    )
    ui.page.reload()
    ui.settle(1500)
    shown = ui.rows().get(sensor_name("state_of_charge"), "")
    assert re.fullmatch(r"\d+ ?%", shown), f"state of charge shows {shown!r}"
    ui.shot("device-page")

    open_add_dialog(ui)
    submit_user_step(ui, DEFAULT_APP_ID, DEFAULT_APP_SECRET, stack.sim.url)
    expect_abort(ctx, "already_configured")
    ui.shot("already-configured")
    close_dialog(ui)


def _check_device_page(ctx: Context, device: str, name: str, language: str) -> None:
    """Open one device page: no raw key, and it does not look empty."""
    ui = ctx.ui
    ui.open(f"/config/devices/device/{device}", ready=name)
    raw = ui.raw_keys()
    ui.shot(f"device-{language}-{name.replace(' ', '-')}", full_page=True)
    ctx.check(not raw, f"{name} ({language}) shows raw keys {raw}")
    rows = ui.rows()
    shown = {k: v for k, v in rows.items() if v not in NO_VALUE}
    ctx.check(shown, f"the device page of {name} ({language}) shows no value: {rows}")


def pages_and_languages(ctx: Context) -> None:
    """Scenario 1: values with units and integer counts; no raw key in en, de, fr."""
    ui, stack = ctx.ui, ctx.stack
    for serial in (POWERHAUS_SN, DL5_SN):
        device = device_of(stack, serial)
        ui.open(
            f"/config/devices/device/{device}", ready=sensor_name("state_of_charge")
        )
        ui.settle(1500)
        rows = ui.rows()
        for key, unit in UNITS.items():
            value = rows.get(sensor_name(key), "")
            ctx.check(re.fullmatch(NUMBER + unit, value), f"{serial} {key}: {value!r}")
        for key in COUNT_SENSORS:
            value = rows.get(sensor_name(key))
            if value is not None:
                ctx.check(
                    re.fullmatch(r"\d+", value),
                    f"{serial} {sensor_name(key)} shows {value!r}, not a whole number",
                )
        ui.shot(f"device-{serial[-8:-4]}", full_page=True)
        if serial == POWERHAUS_SN:
            ctx.picture("device-page")
    try:
        for language, name in LANGUAGES:
            if language != "en":
                ui.set_language(name)
            _pages_in(ctx, language)
    finally:
        ui.set_language("English")


LANGUAGES = (("en", "English"), ("de", "Deutsch"), ("fr", "Français"))


def _pages_in(ctx: Context, language: str) -> None:
    """Integration, device and entities pages in the user's language: no raw key.

    Entity names come in the system language (English here); states, texts
    and the frontend in the user's.
    """
    ui, stack = ctx.ui, ctx.stack
    ui.open("/config/integrations/integration/dyness", ready="Dyness 0042")
    ctx.check(not ui.raw_keys(), f"integration page ({language}): {ui.raw_keys()}")
    ui.shot(f"integration-{language}")
    for device, device_name in registry_devices(ui, stack):
        _check_device_page(ctx, device, device_name, language)
    device = device_of(stack, POWERHAUS_SN)
    ui.open(f"/config/devices/device/{device}", ready=sensor_name("battery_status"))
    status = state_of(stack, POWERHAUS_SN, "battery_status")
    shown = ui.rows().get(sensor_name("battery_status"))
    wanted = texts(language)["entity"]["sensor"]["battery_status"]["state"][status]
    ctx.check(
        shown == wanted, f"battery status ({language}) shows {shown!r}, not {wanted!r}"
    )
    ui.shot(f"device-{language}")
    # The table renders late on a busy machine: settle longer instead of waiting
    # for one text, then look for raw keys in whatever it shows.
    ui.open("/config/entities?domain=dyness")
    ui.settle(4000)
    ctx.check(not ui.raw_keys(), f"entities page ({language}): {ui.raw_keys()}")
    ui.shot(f"entities-{language}")


def reconfigure_options_diagnostics(ctx: Context) -> None:
    """Scenario 3: Reconfigure (remove and add a battery), options, diagnostics, repairs."""
    ui, stack = ctx.ui, ctx.stack
    steps = CONFIG["step"]
    for keep_dl5 in (False, True):
        entry_menu(ui, "Reconfigure")
        expect_dialog_text(ui, steps["reconfigure"]["title"])
        opening = steps["reconfigure"]["description"][:30]
        expect_dialog_text(ui, opening)
        description = next(t for t in ui.texts(ui.dialog()) if t.startswith(opening))
        ctx.check(
            not re.search(r"\b(\w+) \1\b", description), f"reads badly: {description}"
        )
        # The secret stays empty: the stored one is kept.
        expect(ui.page.get_by_role("textbox", name="App Secret")).to_have_value("")
        ui.shot(f"reconfigure-{keep_dl5}")
        ui.button("Submit").click()
        expect_dialog_text(ui, steps["reconfigure_batteries"]["title"])
        ui.page.get_by_role("checkbox", name=DL5_SN).set_checked(keep_dl5)
        ui.shot(f"reconfigure-batteries-{keep_dl5}")
        ui.button("Submit").click()
        expect_abort(ctx, "reconfigure_successful")
        close_dialog(ui)
        if keep_dl5:
            wait_state(
                stack,
                DL5_SN,
                "state_of_charge",
                lambda s: re.fullmatch(NUMBER, s) is not None,
            )
        else:
            wait_state(stack, DL5_SN, "state_of_charge", lambda s: s == "unavailable")
        assert re.fullmatch(NUMBER, state_of(stack, POWERHAUS_SN, "state_of_charge"))

    options = EN["options"]["step"]["init"]
    ui.open("/config/integrations/integration/dyness", ready="Dyness 0042")
    ui.button("Configure").click()
    expect_dialog_text(ui, options["title"])
    field = ui.page.get_by_role("spinbutton", name=options["data"]["alarm_debounce"])
    field.fill("1")
    ui.shot("options")
    ui.button("Submit").click()
    expect(ui.dialog().get_by_text("Success").first).to_be_visible()
    close_dialog(ui)
    wait_state(
        stack,
        POWERHAUS_SN,
        "state_of_charge",
        lambda s: re.fullmatch(NUMBER, s) is not None,
    )
    ui.open("/config/integrations/integration/dyness", ready="Dyness 0042")
    ui.button("Configure").click()
    expect(
        ui.page.get_by_role("spinbutton", name=options["data"]["alarm_debounce"])
    ).to_have_value("1")
    ui.page.keyboard.press("Escape")

    device = device_of(stack, POWERHAUS_SN)
    ui.open(f"/config/devices/device/{device}", ready=sensor_name("state_of_charge"))
    with ui.page.expect_download() as download:
        ui.button("Download diagnostics").click()
    body = Path(download.value.path()).read_text(encoding="utf-8")
    json.loads(body)
    leaked = [secret for secret in SECRETS if secret.lower() in body.lower()]
    assert not leaked, f"the diagnostics file holds {leaked}"

    ui.open("/config/repairs")
    ui.settle(1500)
    shown = [t for t in ui.texts() if any(p.fullmatch(t) for p in _issue_title_res())]
    ui.shot("repairs-after-setup", full_page=True)
    assert not shown, f"repairs right after setup: {shown}"


def energy_configuration(ctx: Context) -> None:
    """Scenario 4: the Energy dashboard takes Energy charged / discharged, no errors."""
    ui = ctx.ui
    ui.open("/config/energy", ready="Battery systems")
    ui.button("Add battery system").click()
    dialog = ui.page.locator("dialog-energy-battery-settings")
    device_name = next(n for _, n, s in battery_devices(ctx.stack) if s == POWERHAUS_SN)
    for label, key in (
        ("Energy going in to the battery", "energy_charged"),
        ("Energy coming out of the battery", "energy_discharged"),
    ):
        wanted = f"{device_name} {sensor_name(key)}"
        dialog.get_by_role("combobox", name=label).click()
        ui.page.keyboard.type(wanted)
        ui.page.get_by_role("option", name=re.compile(re.escape(wanted))).first.click()
    ui.shot("battery-system")
    dialog.get_by_role("button", name="Save").click()
    card = ui.page.locator("ha-energy-battery-settings")
    for key in ("energy_charged", "energy_discharged"):
        expect(card.get_by_text(f"{device_name} {sensor_name(key)}")).to_be_visible()
    ui.settle(3000)
    found = _energy_problems(ui)
    ui.shot("energy", full_page=True)
    # New entities have no statistics until the recorder's next 5-minute run;
    # energy_validated checks again after it. Anything else is a defect now.
    assert all(STATISTICS_PENDING in text for text in found), found


def _energy_problems(ui: Ui) -> list[str]:
    """Return the validation messages shown in the battery part of Energy."""
    problems = ui.page.locator(
        "ha-energy-battery-settings ha-energy-validation-result, "
        "ha-energy-battery-settings ha-alert"
    )
    shown = (" ".join(ui.texts(problems.nth(i))) for i in range(problems.count()))
    return [text for text in shown if text]


def energy_validated(ctx: Context) -> None:
    """Scenario 4's end: once the recorder made statistics, no validation message."""
    ui = ctx.ui
    deadline = time.monotonic() + STATISTICS_WAIT_S
    while True:
        ui.open("/config/energy", ready="Battery systems")
        ui.settle(2000)
        found = _energy_problems(ui)
        if not found or time.monotonic() > deadline:
            break
        ui.page.wait_for_timeout(10_000)
    ui.shot("energy-validated", full_page=True)
    ctx.picture("energy-configuration", clip_to="ha-energy-battery-settings")
    assert not found, f"energy validation: {found}"


def alarm(ctx: Context) -> None:
    """Scenario 5: a protection bit shows on the device page; clearing it returns OK."""
    ui, stack = ctx.ui, ctx.stack
    problem = EN["entity"]["sensor"]["problem"]
    protection_name = EN["entity"]["binary_sensor"]["cell_over_temperature_protection"][
        "name"
    ]
    device = device_of(stack, POWERHAUS_SN)
    stack.sim.control(
        "POST", "point", {"sn": POWERHAUS_SN, "point": PROTECTION_POINT, "value": "1"}
    )
    # The live cycle reads each battery once per 5 minutes; a reload reads now.
    stack.reload()
    wait_state(stack, POWERHAUS_SN, "problem", lambda s: s == "protection")
    ui.open(f"/config/devices/device/{device}", ready=problem["name"])
    ui.settle(1500)
    rows = ui.rows()
    assert rows.get(problem["name"]) == problem["state"]["protection"], rows
    assert rows.get(protection_name) == "Problem", rows
    ui.shot("alarm", full_page=True)
    if ctx.images is not None:
        # Tall enough for the card down to the Problem row.
        ui.page.set_viewport_size({"width": 1280, "height": 1300})
        ui.settle(500)
        ctx.picture(
            "alarm", clip_to="ha-device-entities-card", down_to_row=problem["name"]
        )
        ui.page.set_viewport_size(VIEWPORT)
    stack.sim.control("DELETE", f"point?sn={POWERHAUS_SN}")
    stack.reload()
    wait_state(stack, POWERHAUS_SN, "problem", lambda s: s == "ok")
    ui.page.reload()
    ui.page.get_by_text(problem["name"]).first.wait_for()
    ui.settle(1500)
    rows = ui.rows()
    assert rows.get(problem["name"]) == problem["state"]["ok"], rows
    assert rows.get(protection_name) == "OK", rows
    ui.shot("alarm-cleared")


def offline_repair(ctx: Context) -> None:
    """Scenario 3's end: the simulator stops a battery; its offline repair shows."""
    ui, stack = ctx.ui, ctx.stack
    # The battery went silent two hours ago: move the simulator's clock back,
    # open the offline period there, and return to the present.
    stack.sim.control("POST", "clock", {"mode": "real", "offset": -7200})
    stack.sim.control(
        "POST", "fault", {"kind": "offline", "sn": POWERHAUS_SN, "count": 1_000_000}
    )
    stack.sim.control("POST", "clock", {"mode": "real", "offset": 0})
    stack.reload()
    name = next(n for _, n, s in battery_devices(stack) if s == POWERHAUS_SN)
    title = EN["issues"]["battery_offline"]["title"].format(name=name)
    ui.open("/config/repairs")
    expect(ui.page.get_by_text(title)).to_be_visible(timeout=60_000)
    ui.shot("offline-repair", full_page=True)
    others = [
        t
        for t in ui.texts()
        if t != title and any(p.fullmatch(t) for p in _issue_title_res())
    ]
    # By now the entry has run for minutes: only the offline battery needs the user.
    ctx.check(not others, f"repairs besides {title!r}: {others}")
    ui.page.get_by_text(title).click()
    expect(
        ui.page.get_by_text(
            EN["issues"]["battery_offline"]["description"].format(name=name)[:60]
        )
    ).to_be_visible()
    ui.shot("offline-repair-text")
    stack.sim.control("DELETE", "fault")


SCENARIOS: tuple[tuple[str, Callable[[Context], None]], ...] = (
    ("add-integration", add_integration),
    ("energy-configuration", energy_configuration),
    ("pages-and-languages", pages_and_languages),
    ("reconfigure-options-diagnostics-repairs", reconfigure_options_diagnostics),
    ("alarm", alarm),
    ("energy-validated", energy_validated),
    ("offline-repair", offline_repair),
)
