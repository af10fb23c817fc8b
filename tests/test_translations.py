"""Tests that every language file carries the same keys as strings.json."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

import pytest

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "dyness"
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _flatten(data: Any, prefix: str = "") -> dict[str, str]:
    """Return every leaf of a nested mapping keyed by its path."""
    if isinstance(data, dict):
        leaves: dict[str, str] = {}
        for key, value in data.items():
            leaves.update(_flatten(value, f"{prefix}/{key}"))
        return leaves
    return {prefix: data}


STRINGS = _flatten(json.loads((INTEGRATION / "strings.json").read_text()))


def test_english_matches_strings() -> None:
    """translations/en.json is the shipped copy of strings.json."""
    english = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    assert _flatten(english) == STRINGS


@pytest.mark.parametrize("language", ["de", "fr"])
def test_language_complete(language: str) -> None:
    """Each translation has every key, no extra key and the same placeholders."""
    translated = _flatten(
        json.loads((INTEGRATION / "translations" / f"{language}.json").read_text())
    )
    assert translated.keys() == STRINGS.keys()
    for key, text in STRINGS.items():
        assert set(PLACEHOLDER.findall(translated[key])) == set(
            PLACEHOLDER.findall(text)
        ), key
        assert translated[key].strip(), key


def test_icons_refer_to_translated_entities() -> None:
    """Every icon entry belongs to an entity with a translated name."""
    icons = json.loads((INTEGRATION / "icons.json").read_text())
    for platform, entries in icons["entity"].items():
        for key in entries:
            assert f"/entity/{platform}/{key}/name" in STRINGS, key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Build an object, refusing a key that appears twice (it would hide text)."""
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)), sorted({k for k in keys if keys.count(k) > 1})
    return dict(pairs)


@pytest.mark.parametrize(
    "name",
    [
        "strings.json",
        "icons.json",
        "translations/en.json",
        "translations/de.json",
        "translations/fr.json",
    ],
)
def test_no_duplicate_keys(name: str) -> None:
    """No JSON object in the text files repeats a key."""
    json.loads((INTEGRATION / name).read_text(), object_pairs_hook=_no_duplicates)
