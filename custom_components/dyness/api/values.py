"""Strict reading of the values in an answer: numbers, texts and JSON trees."""

from __future__ import annotations

import math
import re
from typing import Any, Final

from .exceptions import DynessResponseError

# Larger magnitudes are no measurement; floats are exact integers up to 2**53.
MAX_ABS: Final = 1e15
# The API nests four levels; a deeper answer is broken (and would recurse).
MAX_DEPTH: Final = 16
# Samples and answers come from this century; other years are garbage.
YEARS: Final = range(2000, 2100)
_MAX_NUMBER_TEXT: Final = 64
_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_SPACE_CONTROLS: Final = re.compile(r"[\t\n\v\f\r\x1c-\x1f\x85]")
_UNWANTED: Final = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

type Json = bool | int | float | str | list[Json] | dict[str, Json] | None


def parse_number(value: Any) -> int | float | None:
    """Turn a decimal string or JSON number into a finite number; None when invalid."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -MAX_ABS <= value <= MAX_ABS else None
    if isinstance(value, float):
        return value if math.isfinite(value) and abs(value) <= MAX_ABS else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if len(text) > _MAX_NUMBER_TEXT or not _NUMBER_RE.fullmatch(text):
        return None
    if text.lstrip("+-").isdigit():
        return parse_number(int(text))
    return parse_number(float(text))


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates (line breaks become spaces)."""
    if text.isprintable():
        return text
    return _UNWANTED.sub("", _SPACE_CONTROLS.sub(" ", text))


def clean_json(value: Any, depth: int = 0) -> Json:
    """Return a JSON tree with clean texts and numbers the API can mean.

    Non-finite and out-of-range numbers become null; anything that is not JSON
    becomes null too. A tree nested deeper than `MAX_DEPTH` is a broken answer.
    """
    if depth > MAX_DEPTH:
        raise DynessResponseError(f"answer nested deeper than {MAX_DEPTH} levels")
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return parse_number(value)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list | tuple):
        return [clean_json(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {
            clean_text(key): clean_json(item, depth + 1)
            for key, item in value.items()
            if isinstance(key, str)
        }
    return None


def text_value(value: Any) -> str | None:
    """Return a clean stripped text of a string or number, None otherwise or empty."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = parse_number(value)
        return None if number is None else str(number)
    if not isinstance(value, str):
        return None
    return clean_text(value).strip() or None
