"""Tests for the strict reading of numbers, texts, JSON trees and headers."""

from __future__ import annotations

from datetime import UTC, datetime
import math
from typing import Any

from hypothesis import given, strategies as st
import pytest

from custom_components.dyness.api import DynessResponseError
from custom_components.dyness.api.headers import (
    RETRY_AFTER_CAP,
    parse_http_date,
    parse_retry_after,
)
from custom_components.dyness.api.values import (
    MAX_ABS,
    MAX_DEPTH,
    clean_json,
    clean_text,
    parse_number,
    text_value,
)

from .fuzzing import hostile_text, retry_after_values

NOW = datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+7", 7),
        (" 12 ", 12),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("5.", 5.0),
        ("-0.25E-1", -0.025),
        ("1e-999", 0.0),
        ("999999999999999", 999_999_999_999_999),
        ("1_000", None),
        ("\u0661\u0662\u0663", None),
        ("\uff11\uff12", None),
        ("NaN", None),
        ("Infinity", None),
        ("-inf", None),
        ("1e999", None),
        ("9" * 400, None),
        ("1e16", None),
        ("0x10", None),
        ("1,5", None),
        ("+", None),
        ("1e", None),
        (10**16, None),
        (10**400, None),
        (math.nan, None),
        (-math.inf, None),
        ([1], None),
        ({"a": 1}, None),
        (False, None),
    ],
)
def test_parse_number_is_strict(raw: Any, expected: float | None) -> None:
    """ASCII digits, sign, point and exponent only; finite and within range."""
    assert parse_number(raw) == expected


@given(
    st.one_of(
        hostile_text,
        st.integers(),
        st.floats(),
        st.from_regex(r"\A[-+]?\d*\.?\d*(e[-+]?\d+)?\Z"),
    )
)
def test_parse_number_never_lets_a_bad_number_through(raw: Any) -> None:
    """Whatever comes in, a number that comes out is finite and within range."""
    number = parse_number(raw)
    if number is not None:
        assert math.isfinite(number)
        assert abs(number) <= MAX_ABS


def test_clean_text() -> None:
    """Line breaks become spaces; other controls and lone surrogates go."""
    assert clean_text("Tower T10") == "Tower T10"
    assert clean_text("a\tb\r\nc") == "a b  c"
    assert clean_text("x\x00\x1b[31m\x7f\x9by\ud800\udfff") == "x[31my"
    assert clean_text("😀 Ümlaut\u00a0") == "😀 Ümlaut\u00a0"


def test_clean_json() -> None:
    """Texts are cleaned, bad numbers become null, deep trees are refused."""
    assert clean_json(
        {"a\x00": ["x\ud800", 1.5, math.inf, 10**20, True, None], "b": object(), 1: 2}
    ) == {"a": ["x", 1.5, None, None, True, None], "b": None}
    nested: Any = []
    for _ in range(MAX_DEPTH):
        nested = [nested]
    assert clean_json(nested) == nested
    with pytest.raises(DynessResponseError):
        clean_json([nested])


def test_text_value() -> None:
    """Strings and numbers become clean texts; anything else is None."""
    assert text_value("  R07E-BMS\n") == "R07E-BMS"
    assert text_value(1234) == "1234"
    assert text_value(math.nan) is None
    assert text_value(True) is None
    assert text_value({"a": 1}) is None
    assert text_value("\x00 ") is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("30", 30.0),
        (" 0 ", 0.0),
        ("7200", RETRY_AFTER_CAP),
        ("9" * 40, RETRY_AFTER_CAP),
        ("9" * 5000, RETRY_AFTER_CAP),
        ("-5", None),
        ("1.5", None),
        ("inf", None),
        ("nan", None),
        ("1e999", None),
        ("\u0663\u0660", None),
        ("soon", None),
        ("Mon, 23 Mar 2026 21:58:57 GMT", 90.0),
        ("Mon, 23 Mar 2026 20:00:00 GMT", 0.0),
        ("Tue, 24 Mar 2026 21:57:27 GMT", RETRY_AFTER_CAP),
        ("Fri, 31 Dec 9999 23:59:59 GMT", None),
        ("Mon, 99 Foo 2026 99:99:99 GMT", None),
    ],
)
def test_parse_retry_after(header: str | None, expected: float | None) -> None:
    """Delta seconds or an HTTP date, capped at an hour; garbage is ignored."""
    assert parse_retry_after(header, NOW) == expected


@given(retry_after_values)
def test_retry_after_is_always_usable(header: str) -> None:
    """No header can ask for a negative, non-finite or uncapped delay."""
    delay = parse_retry_after(header, NOW)
    assert delay is None or 0 <= delay <= RETRY_AFTER_CAP


def test_parse_http_date() -> None:
    """RFC 1123 dates (and obsolete forms) parse as UTC; garbage is None."""
    expected = datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC)
    assert parse_http_date("Mon, 23 Mar 2026 21:57:27 GMT") == expected
    assert parse_http_date("Mon, 23 Mar 2026 22:57:27 +0100") == expected
    assert parse_http_date("Monday, 23-Mar-26 21:57:27 GMT") == expected
    assert parse_http_date("Mon, 23 Mar 2026 21:57:27 +2400") is None
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") is None
    assert parse_http_date("Fri, 31 Dec 9999 23:59:59 -2359") is None
    assert parse_http_date("Mon, 23 Mar 2026 21:57:27 GMT\u00e9") is None
    assert parse_http_date("") is None
    assert parse_http_date(None) is None
