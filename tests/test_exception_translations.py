"""Tests that every translated exception and repair issue has its text."""

from __future__ import annotations

import json
from pathlib import Path
import re

import pytest

from custom_components.dyness.issues import ISSUE_KINDS

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "dyness"
KEY = re.compile(r'translation_key="(\w+)"')
LANGUAGES = (
    "strings.json",
    "translations/en.json",
    "translations/de.json",
    "translations/fr.json",
)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "module", ["__init__.py", "config_flow.py", "errors.py", "helpers.py"]
)
def test_exception_keys_translated(language: str, module: str) -> None:
    """Exceptions and repair issues raised in setup, flows and the coordinator have text."""
    texts = json.loads((INTEGRATION / language).read_text())
    for key in KEY.findall((INTEGRATION / module).read_text()):
        if key in texts["issues"]:
            assert texts["issues"][key]["description"].strip(), (module, key)
        else:
            assert texts["exceptions"][key]["message"].strip(), (module, key)


@pytest.mark.parametrize("language", LANGUAGES)
def test_issue_keys_translated(language: str) -> None:
    """Each repair issue has a title and a description with the battery's name."""
    texts = json.loads((INTEGRATION / language).read_text())
    for kind in ISSUE_KINDS:
        assert "{name}" in texts["issues"][kind]["title"]
        assert "{name}" in texts["issues"][kind]["description"]


def test_new_entities_have_icons() -> None:
    """The update entity has an icon, like every sensor with a translation."""
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    assert icons["entity"]["update"]["firmware"]["default"].startswith("mdi:")
