"""Tests for the Dyness config flow."""

from __future__ import annotations

from datetime import timedelta
import json
from pathlib import Path
import re
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.dyness.api import RealtimeSnapshot, Region
from custom_components.dyness.const import (
    ALARM_DEBOUNCE,
    CONF_ALARM_DEBOUNCE,
    CONF_ALLOW_CONTROL,
    CONF_API_ID,
    CONF_API_SECRET,
    CONF_BASE_URL,
    CONF_BATTERIES,
    CONF_CALLS_PER_HOUR,
    CONF_DEVICE_SN,
    CONF_DONGLE_SN,
    CONF_MODEL,
    CONF_MODEL_CODE,
    CONF_REGION,
    DOMAIN,
)
from dyness_sim import Account, Fault, Simulator
from dyness_sim.accounts import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DL5_SN,
    EMPTY_APP_ID,
    EMPTY_APP_SECRET,
    POWERHAUS_SN as PH_SN,
)

pytestmark = pytest.mark.usefixtures("frozen")

BACKOFF = timedelta(seconds=31)
INTEGRATION = Path(__file__).parent.parent / "custom_components" / "dyness"
ROTATED_APP_ID = "10000000000043"
ROTATED_SECRET = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4"
OTHER_APP_ID = "10000000000099"
OTHER_SECRET = "0f1e2d3c4b5a69788796a5b4c3d2e1f"


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Any:
    """Keep flows from setting up the created entries."""
    with patch("custom_components.dyness.async_setup_entry", return_value=True) as mock:
        yield mock


def _user_input(simulator: Simulator, **changes: str) -> dict[str, str]:
    """Return a valid user step pointing at the simulator."""
    return {
        CONF_API_ID: DEFAULT_APP_ID,
        CONF_API_SECRET: DEFAULT_APP_SECRET,
        CONF_REGION: "europe",
        CONF_BASE_URL: simulator.base_url,
        **changes,
    }


async def _start(hass: HomeAssistant) -> dict[str, Any]:
    """Start a user flow in advanced mode."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER, "show_advanced_options": True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return dict(result)


def _serials(simulator: Simulator) -> list[str]:
    """Return the masters of the default account."""
    return sorted(
        device.device_sn for device in simulator.account(DEFAULT_APP_ID).devices
    )


async def test_full_flow(hass: HomeAssistant, simulator: Simulator) -> None:
    """Credentials are checked, batteries offered and the entry created."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {**_user_input(simulator), CONF_API_ID: f" {DEFAULT_APP_ID} "},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "batteries"
    schema = result["data_schema"].schema
    offered = [
        option["value"]
        for key, selector in schema.items()
        if key == CONF_BATTERIES
        for option in selector.config["options"]
    ]
    assert sorted(offered) == _serials(simulator)
    first = _serials(simulator)[0]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [first]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"Dyness {DEFAULT_APP_ID[-4:]}"
    assert result["result"].unique_id == DEFAULT_APP_ID
    data = result["data"]
    assert data[CONF_API_ID] == DEFAULT_APP_ID
    assert data[CONF_BASE_URL] == simulator.base_url
    assert [item[CONF_DEVICE_SN] for item in data[CONF_BATTERIES]] == [first]
    device = next(
        d for d in simulator.account(DEFAULT_APP_ID).devices if d.device_sn == first
    )
    assert data[CONF_BATTERIES][0][CONF_DONGLE_SN] == device.collector_sn
    assert data[CONF_BATTERIES][0]["model"] == device.model_name


async def test_basic_mode_has_no_base_url(hass: HomeAssistant) -> None:
    """The base URL is only asked in advanced mode."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert CONF_BASE_URL not in {str(key) for key in result["data_schema"].schema}
    assert {str(key) for key in result["data_schema"].schema} == {
        CONF_API_ID,
        CONF_API_SECRET,
        CONF_REGION,
    }


@pytest.mark.parametrize(
    ("changes", "fault", "error"),
    [
        ({CONF_API_SECRET: "0" * 31}, None, "invalid_auth"),
        ({CONF_API_ID: "10000000009999"}, None, "invalid_auth"),
        ({}, Fault(kind="html", count=1), "cannot_connect"),
        ({}, Fault(kind="truncated", count=1), "cannot_connect"),
        ({}, Fault(kind="code500", info="Network Anomaly", count=1), "cannot_connect"),
        ({}, Fault(kind="http429", count=1), "rate_limited"),
        (
            {CONF_API_ID: EMPTY_APP_ID, CONF_API_SECRET: EMPTY_APP_SECRET},
            None,
            "no_devices",
        ),
    ],
)
async def test_user_errors_recover(
    hass: HomeAssistant,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    changes: dict[str, str],
    fault: Fault | None,
    error: str,
) -> None:
    """Each error is shown on the form and the same flow still succeeds."""
    if fault is not None:
        simulator.add_fault(fault)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {"base": error}
    simulator.clear_faults()
    # A user who was told to wait does so; the key's back-off must have passed.
    frozen.tick(BACKOFF)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    assert result["step_id"] == "batteries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: _serials(simulator)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(result["data"][CONF_BATTERIES]) == len(_serials(simulator))


async def test_connection_refused_and_unexpected(
    hass: HomeAssistant, simulator: Simulator, unused_tcp_port_factory: Any
) -> None:
    """A closed port is cannot_connect; an unexpected exception is unknown."""
    result = await _start(hass)
    closed = f"http://127.0.0.1:{unused_tcp_port_factory()}"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, **{CONF_BASE_URL: closed})
    )
    assert result["errors"] == {"base": "cannot_connect"}
    with patch(
        "custom_components.dyness.config_flow.DynessClient.list_storage_devices",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(simulator)
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    assert result["step_id"] == "batteries"


@pytest.mark.parametrize(
    ("secret", "kind", "outcome"),
    [
        pytest.param(DEFAULT_APP_SECRET, FlowResultType.ABORT, "already_configured"),
        # Only a key the cloud accepts learns that the App ID is set up.
        pytest.param("0" * 31, FlowResultType.FORM, {"base": "invalid_auth"}),
    ],
    ids=["good_secret", "wrong_secret"],
)
async def test_already_configured(
    hass: HomeAssistant,
    simulator: Simulator,
    mock_config_entry: MockConfigEntry,
    secret: str,
    kind: FlowResultType,
    outcome: Any,
) -> None:
    """The same App ID cannot be added twice."""
    mock_config_entry.add_to_hass(hass)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, **{CONF_API_SECRET: secret})
    )
    assert result["type"] is kind
    assert result.get("reason", result.get("errors")) == outcome


@pytest.mark.parametrize(
    "abandoned_at",
    [
        pytest.param(DEFAULT_APP_SECRET, id="battery_step"),
        pytest.param("0" * 31, id="wrong_secret"),
    ],
)
async def test_abandoned_flow_does_not_block(
    hass: HomeAssistant, simulator: Simulator, abandoned_at: str
) -> None:
    """A setup left open in another tab neither blocks nor survives the next one."""
    abandoned = await _start(hass)
    await hass.config_entries.flow.async_configure(
        abandoned["flow_id"], _user_input(simulator, **{CONF_API_SECRET: abandoned_at})
    )
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "batteries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: _serials(simulator)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    if abandoned_at == DEFAULT_APP_SECRET:
        # The open flow of the same App ID is over once the entry exists.
        assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(
            TypeError("getaddrinfo() takes 3 positional arguments"), id="type"
        ),
        pytest.param(OSError(113, "No route to host"), id="os"),
        pytest.param(RuntimeError("resolver is closed"), id="runtime"),
    ],
)
async def test_failure_below_aiohttp_is_cannot_connect(
    hass: HomeAssistant, simulator: Simulator, failure: Exception
) -> None:
    """Whatever the resolver or socket layer raises, the form says cannot_connect."""
    result = await _start(hass)
    with patch("aiohttp.connector.TCPConnector._resolve_host", side_effect=failure):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], _user_input(simulator)
        )
    assert result["errors"] == {"base": "cannot_connect"}


async def test_unresolvable_host_is_cannot_connect(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A name the resolver cannot find (RFC 6761 `.invalid`) is cannot_connect."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        _user_input(simulator, **{CONF_BASE_URL: "http://dyness-cloud.invalid"}),
    )
    assert result["errors"] == {"base": "cannot_connect"}


def _abort_reasons() -> set[str]:
    """Return every abort reason the config flow can end with."""
    source = (INTEGRATION / "config_flow.py").read_text(encoding="utf-8")
    reasons = set(re.findall(r'reason="(\w+)"', source))
    implied = {
        "_abort_if_unique_id_configured": "already_configured",
        "async_set_unique_id": "already_in_progress",
        "async_step_reauth": "reauth_successful",
        "async_step_reconfigure": "reconfigure_successful",
    }
    return reasons | {reason for call, reason in implied.items() if call in source}


@pytest.mark.parametrize("language", ["strings", "en", "de", "fr"])
def test_every_abort_reason_translated(language: str) -> None:
    """No abort ends on a raw key such as `already_in_progress`."""
    texts = _texts(language)
    missing = _abort_reasons() - texts["config"]["abort"].keys()
    assert not missing


def _texts(language: str) -> dict[str, Any]:
    """Return strings.json or one translation."""
    name = "strings.json" if language == "strings" else f"translations/{language}.json"
    return dict(json.loads((INTEGRATION / name).read_text(encoding="utf-8")))


def _leaves(data: Any) -> list[str]:
    """Return every text of a nested mapping."""
    if isinstance(data, dict):
        return [text for value in data.values() for text in _leaves(value)]
    return [data] if isinstance(data, str) else []


@pytest.mark.parametrize("language", ["strings", "en", "de", "fr"])
def test_texts_read_well(language: str) -> None:
    """URLs are code (the frontend would make a bare one a link); no doubled words."""
    for text in _leaves(_texts(language)):
        outside_code = re.sub(r"`[^`]*`", "", text)
        assert not re.search(r"https?://", outside_code), text
        assert not re.search(r"\b(\w+) \1\b", text, re.IGNORECASE), text


async def test_nothing_selected(hass: HomeAssistant, simulator: Simulator) -> None:
    """Choosing no battery is an error until one is chosen."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: []}
    )
    assert result["errors"] == {"base": "no_selection"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: _serials(simulator)[:1]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_manual_serial(
    hass: HomeAssistant, simulator: Simulator, frozen: FrozenDateTimeFactory
) -> None:
    """A battery can be entered by hand; bad serials are explained and recoverable."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [], "add_manually": True}
    )
    assert result["step_id"] == "manual"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_SN: "0106032412230990"}
    )
    assert result["errors"] == {CONF_DEVICE_SN: "invalid_serial"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_SN: "R07E0000DEADBEEF-BMS"}
    )
    assert result["errors"] == {CONF_DEVICE_SN: "device_not_found"}
    simulator.add_fault(Fault(kind="html", count=1))
    target = _serials(simulator)[-1]
    device = next(
        d for d in simulator.account(DEFAULT_APP_ID).devices if d.device_sn == target
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_SN: target.lower()}
    )
    assert result["errors"] == {"base": "cannot_connect"}
    simulator.add_fault(Fault(kind="http429", count=1))
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_SN: target}
    )
    assert result["errors"] == {"base": "rate_limited"}
    frozen.tick(BACKOFF)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_DEVICE_SN: f" {target} ", CONF_DONGLE_SN: device.collector_sn},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_BATTERIES] == [
        {
            CONF_DEVICE_SN: target,
            CONF_DONGLE_SN: device.collector_sn,
            "model": None,
            "model_code": None,
        }
    ]


async def test_manual_in_addition_to_selection(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Picked batteries are kept when one more is entered by hand; no duplicates."""
    serials = _serials(simulator)
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: serials, "add_manually": True}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_DEVICE_SN: serials[0]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert [item[CONF_DEVICE_SN] for item in result["data"][CONF_BATTERIES]] == serials


async def test_manual_unexpected_error(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """An unexpected failure while checking a serial is reported as unknown."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [], "add_manually": True}
    )
    with patch(
        "custom_components.dyness.config_flow.DynessClient.get_realtime_data",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_DEVICE_SN: _serials(simulator)[0]}
        )
    assert result["errors"] == {"base": "unknown"}


async def test_reauth(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A new secret is checked and stored; errors are recoverable."""
    mock_config_entry.add_to_hass(hass)
    stale = {**mock_config_entry.data, CONF_API_SECRET: "0" * 31}
    hass.config_entries.async_update_entry(mock_config_entry, data=stale)
    result = await mock_config_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_ID: DEFAULT_APP_ID, CONF_API_SECRET: "1" * 31}
    )
    assert result["errors"] == {"base": "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_API_ID: DEFAULT_APP_ID, CONF_API_SECRET: DEFAULT_APP_SECRET},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.data[CONF_API_SECRET] == DEFAULT_APP_SECRET


async def test_reauth_wrong_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A key of another account is refused: none of the batteries is on it."""
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_API_ID: EMPTY_APP_ID, CONF_API_SECRET: EMPTY_APP_SECRET},
    )
    assert result["errors"] == {"base": "wrong_account"}
    assert mock_config_entry.unique_id == DEFAULT_APP_ID


async def test_region_host_without_base_url(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """Without a base URL the region's host is used and none is stored."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    with patch.dict(
        "custom_components.dyness.api.client.REGION_HOSTS",
        {Region.ASIA_PACIFIC: simulator.base_url},
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {
                CONF_API_ID: DEFAULT_APP_ID,
                CONF_API_SECRET: DEFAULT_APP_SECRET,
                CONF_REGION: "asia_pacific",
            },
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_BATTERIES: _serials(simulator)}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert CONF_BASE_URL not in result["data"]
    assert result["data"][CONF_REGION] == "asia_pacific"


async def test_manual_serial_without_points(
    hass: HomeAssistant, simulator: Simulator
) -> None:
    """A serial the cloud answers with an empty point list is not a battery."""
    result = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [], "add_manually": True}
    )
    serial = _serials(simulator)[0]
    with patch(
        "custom_components.dyness.config_flow.DynessClient.get_realtime_data",
        return_value=RealtimeSnapshot.from_api(serial, []),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_DEVICE_SN: serial}
        )
    assert result["errors"] == {CONF_DEVICE_SN: "device_not_found"}


def _rotated_key(simulator: Simulator) -> tuple[str, str]:
    """Give the default account a second API key, as after rotating the key."""
    account = simulator.account(DEFAULT_APP_ID)
    simulator.accounts[ROTATED_APP_ID] = Account(
        app_id=ROTATED_APP_ID, secret=ROTATED_SECRET, devices=list(account.devices)
    )
    return ROTATED_APP_ID, ROTATED_SECRET


async def test_reauth_with_new_key_of_same_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A new key for the same batteries replaces the old App ID."""
    app_id, secret = _rotated_key(simulator)
    mock_config_entry.add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_ID: app_id, CONF_API_SECRET: secret}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert mock_config_entry.unique_id == app_id
    assert mock_config_entry.data[CONF_API_ID] == app_id
    assert (
        mock_config_entry.data[CONF_BATTERIES] == mock_config_entry.data[CONF_BATTERIES]
    )


async def test_reauth_to_key_of_other_entry(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A key that another entry already uses is refused."""
    app_id, secret = _rotated_key(simulator)
    mock_config_entry.add_to_hass(hass)
    MockConfigEntry(domain=DOMAIN, unique_id=app_id, data={}).add_to_hass(hass)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_ID: app_id, CONF_API_SECRET: secret}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert mock_config_entry.unique_id == DEFAULT_APP_ID


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, *, advanced: bool = False
) -> dict[str, Any]:
    """Start a reconfigure flow (the same way on every Home Assistant release)."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={
            "source": SOURCE_RECONFIGURE,
            "entry_id": entry.entry_id,
            "show_advanced_options": advanced,
        },
    )
    return dict(result)


def _other_account(simulator: Simulator) -> tuple[str, str]:
    """Give a second account the DL5.0C only (the entry then holds the PowerHaus)."""
    dl5 = simulator.device(DL5_SN)
    simulator.accounts[OTHER_APP_ID] = Account(
        app_id=OTHER_APP_ID, secret=OTHER_SECRET, devices=[dl5]
    )
    return OTHER_APP_ID, OTHER_SECRET


def _only_powerhaus(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    """Reduce the entry to the PowerHaus; return its stored battery."""
    stored = next(
        item for item in entry.data[CONF_BATTERIES] if item[CONF_DEVICE_SN] == PH_SN
    )
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, CONF_BATTERIES: [stored]}
    )
    return stored


def _offered(result: dict[str, Any]) -> dict[str, str]:
    """Return the batteries a form offers, serial → label."""
    return {
        option["value"]: option["label"]
        for key, selector in result["data_schema"].schema.items()
        if key == CONF_BATTERIES
        for option in selector.config["options"]
    }


async def test_reconfigure_region_and_batteries(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Region and batteries change; kept batteries are stored unchanged."""
    mock_config_entry.add_to_hass(hass)
    before = {
        item[CONF_DEVICE_SN]: item for item in mock_config_entry.data[CONF_BATTERIES]
    }
    result = await _reconfigure(hass, mock_config_entry, advanced=True)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    fields = {str(key): key for key in result["data_schema"].schema}
    assert set(fields) == {CONF_API_ID, CONF_API_SECRET, CONF_REGION, CONF_BASE_URL}
    suggested = {
        name: (key.description or {}).get("suggested_value")
        for name, key in fields.items()
    }
    # The stored secret is never sent to the browser.
    assert suggested[CONF_API_SECRET] is None
    assert suggested[CONF_API_ID] == DEFAULT_APP_ID
    assert suggested[CONF_BASE_URL] == simulator.base_url
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_ID: DEFAULT_APP_ID,
            CONF_REGION: "asia_pacific",
            CONF_BASE_URL: simulator.base_url,
        },
    )
    assert result["step_id"] == "reconfigure_batteries"
    assert sorted(_offered(result)) == sorted(before)
    defaults = {str(key): key.default() for key in result["data_schema"].schema}
    assert sorted(defaults[CONF_BATTERIES]) == sorted(before)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [DL5_SN]}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    data = mock_config_entry.data
    assert data[CONF_REGION] == "asia_pacific"
    assert data[CONF_API_SECRET] == DEFAULT_APP_SECRET
    assert data[CONF_BASE_URL] == simulator.base_url
    assert data[CONF_BATTERIES] == [before[DL5_SN]]
    assert mock_config_entry.unique_id == DEFAULT_APP_ID


async def test_reconfigure_adds_battery_in_basic_mode(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """Without advanced mode the stored base URL is kept; a new battery is added."""
    mock_config_entry.add_to_hass(hass)
    stored = _only_powerhaus(hass, mock_config_entry)
    result = await _reconfigure(hass, mock_config_entry)
    assert CONF_BASE_URL not in {str(key) for key in result["data_schema"].schema}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_API_ID: DEFAULT_APP_ID,
            CONF_API_SECRET: f" {DEFAULT_APP_SECRET} ",
            CONF_REGION: "europe",
        },
    )
    assert result["step_id"] == "reconfigure_batteries"
    assert list(_offered(result)) == [PH_SN, DL5_SN]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [DL5_SN, PH_SN]}
    )
    assert result["reason"] == "reconfigure_successful"
    dl5 = simulator.device(DL5_SN)
    assert mock_config_entry.data[CONF_BASE_URL] == simulator.base_url
    assert mock_config_entry.data[CONF_BATTERIES] == [
        stored,
        {
            CONF_DEVICE_SN: DL5_SN,
            CONF_DONGLE_SN: dl5.collector_sn,
            CONF_MODEL: dl5.model_name,
            CONF_MODEL_CODE: str(dl5.model_code),
        },
    ]


async def test_reconfigure_clears_base_url(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An emptied base URL in advanced mode goes back to the region's host."""
    mock_config_entry.add_to_hass(hass)
    result = await _reconfigure(hass, mock_config_entry, advanced=True)
    with patch.dict(
        "custom_components.dyness.api.client.REGION_HOSTS",
        {Region.EUROPE: simulator.base_url},
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"],
            {CONF_API_ID: DEFAULT_APP_ID, CONF_REGION: "europe", CONF_BASE_URL: " "},
        )
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_BATTERIES: _serials(simulator)}
        )
    assert result["reason"] == "reconfigure_successful"
    assert CONF_BASE_URL not in mock_config_entry.data


@pytest.mark.parametrize(
    ("changes", "fault", "error"),
    [
        ({CONF_API_SECRET: "0" * 31}, None, "invalid_auth"),
        ({}, Fault(kind="html", count=1), "cannot_connect"),
        ({}, Fault(kind="code500", info="Network Anomaly", count=1), "cannot_connect"),
        ({}, Fault(kind="http429", count=1), "rate_limited"),
        (
            {CONF_API_ID: EMPTY_APP_ID, CONF_API_SECRET: EMPTY_APP_SECRET},
            None,
            "no_devices",
        ),
    ],
)
async def test_reconfigure_errors_recover(
    hass: HomeAssistant,
    simulator: Simulator,
    frozen: FrozenDateTimeFactory,
    mock_config_entry: MockConfigEntry,
    changes: dict[str, str],
    fault: Fault | None,
    error: str,
) -> None:
    """Each error is shown on the reconfigure form and the flow still succeeds."""
    mock_config_entry.add_to_hass(hass)
    if fault is not None:
        simulator.add_fault(fault)
    result = await _reconfigure(hass, mock_config_entry, advanced=True)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator, **changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": error}
    simulator.clear_faults()
    frozen.tick(BACKOFF)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], _user_input(simulator)
    )
    assert result["step_id"] == "reconfigure_batteries"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: _serials(simulator)}
    )
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_API_SECRET] == DEFAULT_APP_SECRET


async def test_reconfigure_unexpected_error(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """An unexpected exception is unknown, and the same flow still succeeds."""
    mock_config_entry.add_to_hass(hass)
    result = await _reconfigure(hass, mock_config_entry)
    with patch(
        "custom_components.dyness.config_flow.DynessClient.list_storage_devices",
        side_effect=RuntimeError("boom"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {CONF_API_ID: DEFAULT_APP_ID, CONF_REGION: "europe"}
        )
    assert result["errors"] == {"base": "unknown"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_ID: DEFAULT_APP_ID, CONF_REGION: "europe"}
    )
    assert result["step_id"] == "reconfigure_batteries"


async def test_reconfigure_wrong_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A key whose account lists none of the entry's batteries is refused."""
    app_id, secret = _other_account(simulator)
    mock_config_entry.add_to_hass(hass)
    _only_powerhaus(hass, mock_config_entry)
    before = dict(mock_config_entry.data)
    result = await _reconfigure(hass, mock_config_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_API_ID: app_id, CONF_API_SECRET: secret, CONF_REGION: "europe"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_account"
    assert mock_config_entry.unique_id == DEFAULT_APP_ID
    assert dict(mock_config_entry.data) == before


async def test_reconfigure_with_new_key_of_same_account(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A rotated key of the same account replaces the App ID and secret."""
    app_id, secret = _rotated_key(simulator)
    mock_config_entry.add_to_hass(hass)
    result = await _reconfigure(hass, mock_config_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_API_ID: app_id, CONF_API_SECRET: secret, CONF_REGION: "europe"},
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: _serials(simulator)}
    )
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.unique_id == app_id
    assert mock_config_entry.data[CONF_API_ID] == app_id
    assert mock_config_entry.data[CONF_API_SECRET] == secret


async def test_reconfigure_to_key_of_other_entry(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A key that another entry already uses is refused."""
    app_id, secret = _rotated_key(simulator)
    mock_config_entry.add_to_hass(hass)
    MockConfigEntry(domain=DOMAIN, unique_id=app_id, data={}).add_to_hass(hass)
    result = await _reconfigure(hass, mock_config_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_API_ID: app_id, CONF_API_SECRET: secret, CONF_REGION: "europe"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert mock_config_entry.unique_id == DEFAULT_APP_ID


async def test_reconfigure_keeps_battery_added_by_hand(
    hass: HomeAssistant, simulator: Simulator, mock_config_entry: MockConfigEntry
) -> None:
    """A battery the cloud does not list stays offered; nothing chosen is an error."""
    mock_config_entry.add_to_hass(hass)
    manual = {
        CONF_DEVICE_SN: "R07E0000DEADBEEF-BMS",
        CONF_DONGLE_SN: None,
        CONF_MODEL: None,
        CONF_MODEL_CODE: None,
    }
    stored = _only_powerhaus(hass, mock_config_entry)
    hass.config_entries.async_update_entry(
        mock_config_entry,
        data={**mock_config_entry.data, CONF_BATTERIES: [stored, manual]},
    )
    result = await _reconfigure(hass, mock_config_entry)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_ID: DEFAULT_APP_ID, CONF_REGION: "europe"}
    )
    offered = _offered(result)
    assert offered[manual[CONF_DEVICE_SN]] == f"Dyness ({manual[CONF_DEVICE_SN]})"
    assert list(offered) == [PH_SN, manual[CONF_DEVICE_SN], DL5_SN]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: []}
    )
    assert result["errors"] == {"base": "no_selection"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_BATTERIES: [manual[CONF_DEVICE_SN]]}
    )
    assert result["reason"] == "reconfigure_successful"
    assert mock_config_entry.data[CONF_BATTERIES] == [manual]


async def test_options_flow(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """The alarm debounce defaults to 2 and is stored as an integer option."""
    mock_config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    key = next(iter(result["data_schema"].schema))
    assert str(key) == CONF_ALARM_DEBOUNCE
    assert key.default() == ALARM_DEBOUNCE.default
    selector = result["data_schema"].schema[key]
    assert selector.config["min"] == 1
    assert selector.config["max"] == 12
    assert selector.config["mode"] == "box"
    budget = list(result["data_schema"].schema)[1]
    assert str(budget) == CONF_CALLS_PER_HOUR
    assert budget.default() == 60
    selector = result["data_schema"].schema[budget]
    assert (selector.config["min"], selector.config["max"]) == (20, 3600)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ALARM_DEBOUNCE: 5.0, CONF_CALLS_PER_HOUR: 120.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert mock_config_entry.options == {
        CONF_ALARM_DEBOUNCE: 5,
        CONF_ALLOW_CONTROL: False,
        CONF_CALLS_PER_HOUR: 120,
    }
    result = await hass.config_entries.options.async_init(mock_config_entry.entry_id)
    key = next(iter(result["data_schema"].schema))
    assert key.description == {"suggested_value": 5}
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_ALARM_DEBOUNCE: 13}
        )
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_ALARM_DEBOUNCE: 2, CONF_CALLS_PER_HOUR: 10}
        )
