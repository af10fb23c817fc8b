"""Signing and signature verification (doc §2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dyness_sim.signing import (
    content_md5,
    http_date,
    parse_http_date,
    sign,
    signed_headers,
    string_to_sign,
    verify,
)

VECTOR_BODY = b'{"deviceSn":"R07E00000000XXXX-BMS"}'
VECTOR_DATE = "Mon, 23 Mar 2026 21:57:27 GMT"
VECTOR_PATH = "/v1/device/realTime/data"
NOW = datetime(2026, 3, 23, 21, 57, 27, tzinfo=UTC)
SECRETS = {"10000000000001": "testsecret"}


def test_doc_test_vector() -> None:
    """The doc's vector: MD5 and signature."""
    body_md5 = content_md5(VECTOR_BODY)
    assert body_md5 == "nSK8N6zYtjLPW3mS/CrePg=="
    signature = sign(
        "testsecret", body_md5=body_md5, date=VECTOR_DATE, path=VECTOR_PATH
    )
    assert signature == "Z53WYNXybWm4dHjxOVUhQ2JXegU="


def test_md5_of_empty_object() -> None:
    """An empty request is `{}`; its MD5 is the documented value."""
    assert content_md5(b"{}") == "mZFLkyvTelC5g8XnyQrpOw=="


def test_string_to_sign_has_five_lines_and_literal_type() -> None:
    """The content type line is `application/json`, no trailing newline."""
    text = string_to_sign(body_md5="x", date=VECTOR_DATE, path=VECTOR_PATH)
    assert text.split("\n") == [
        "POST",
        "x",
        "application/json",
        VECTOR_DATE,
        VECTOR_PATH,
    ]


def test_http_date_format_and_parse() -> None:
    """Dates are RFC 1123 in GMT, also from another zone."""
    assert http_date(NOW) == VECTOR_DATE
    berlin = NOW.astimezone(datetime.now().astimezone().tzinfo)
    assert http_date(berlin) == VECTOR_DATE
    assert parse_http_date(VECTOR_DATE) == NOW
    assert parse_http_date("Mon, 2 Mar 2026 10:00:00 GMT") == datetime(
        2026, 3, 2, 10, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text",
    [
        "Tue, 23 Mar 2026 21:57:27 GMT",
        "Mon, 23 Mar 2026 21:57:27 +0000",
        "Mon, 23 Mar 2026 21:57:27 gmt",
        "2026-03-23T21:57:27Z",
        "Mon, 31 Feb 2026 21:57:27 GMT",
        "Mon, 23 Mar 2026 25:57:27 GMT",
        "",
    ],
)
def test_bad_dates_are_rejected(text: str) -> None:
    """Wrong weekday, zone, format or impossible dates do not parse."""
    assert parse_http_date(text) is None


def _headers(**changes: str | None) -> dict[str, str]:
    """Return correct headers for the vector, with changes (None removes)."""
    headers = signed_headers(
        "10000000000001", "testsecret", body=VECTOR_BODY, path=VECTOR_PATH, moment=NOW
    )
    for key, value in changes.items():
        name = key.replace("_", "-")
        if value is None:
            headers.pop(name)
        else:
            headers[name] = value
    return headers


def _verify(
    headers: dict[str, str], *, now: datetime = NOW, skew: float = 900.0
) -> str:
    """Return the refusal reason ('' when accepted)."""
    verdict = verify(
        headers, VECTOR_BODY, VECTOR_PATH, secrets=SECRETS, now=now, max_skew=skew
    )
    assert verdict.ok is (verdict.reason == "")
    return verdict.reason


def test_verify_accepts_correct_request() -> None:
    """The signed vector passes; the App ID is reported."""
    headers = _headers()
    assert headers["Authorization"] == "API 10000000000001:Z53WYNXybWm4dHjxOVUhQ2JXegU="
    verdict = verify(
        headers, VECTOR_BODY, VECTOR_PATH, secrets=SECRETS, now=NOW, max_skew=900
    )
    assert verdict.ok
    assert verdict.app_id == "10000000000001"


def test_verify_without_content_md5_recomputes() -> None:
    """A request without Content-MD5 is checked against the body's MD5."""
    assert _verify(_headers(Content_MD5=None)) == ""


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"Authorization": None}, "malformed Authorization"),
        ({"Authorization": "Basic abc"}, "malformed Authorization"),
        (
            {"Authorization": "API 10000000000002:Z53WYNXybWm4dHjxOVUhQ2JXegU="},
            "unknown App ID",
        ),
        (
            {"Authorization": "API 10000000000001:Z53WYNXybWm4dHjxOVUhQ2JXegV="},
            "signature mismatch",
        ),
        ({"Date": None}, "malformed Date"),
        ({"Date": "Mon, 23 Mar 2026 21:57:27 +0000"}, "malformed Date"),
        (
            {"Content_MD5": "mZFLkyvTelC5g8XnyQrpOw=="},
            "Content-MD5 does not match body",
        ),
        # A valid date other than the signed one breaks the signature.
        ({"Date": "Mon, 23 Mar 2026 21:57:28 GMT"}, "signature mismatch"),
    ],
)
def test_verify_refusals(changes: dict[str, str | None], reason: str) -> None:
    """Each broken part is refused with its reason."""
    assert _verify(_headers(**changes)) == reason


def test_verify_skew_window() -> None:
    """The Date must lie within max_skew of the simulator clock, both ways."""
    headers = _headers()
    assert _verify(headers, now=NOW + timedelta(seconds=900)) == ""
    assert _verify(headers, now=NOW - timedelta(seconds=900)) == ""
    assert (
        _verify(headers, now=NOW + timedelta(seconds=901))
        == "Date outside allowed skew"
    )
    assert (
        _verify(headers, now=NOW - timedelta(seconds=901))
        == "Date outside allowed skew"
    )
    assert _verify(headers, now=NOW + timedelta(seconds=61), skew=60) != ""


def test_verify_signs_path_only() -> None:
    """The `/openapi/ems-device` prefix is not part of the signed path."""
    verdict = verify(
        _headers(),
        VECTOR_BODY,
        "/openapi/ems-device" + VECTOR_PATH,
        secrets=SECRETS,
        now=NOW,
        max_skew=900,
    )
    assert not verdict.ok
