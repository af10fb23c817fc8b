"""Tests for request signing."""

from __future__ import annotations

from custom_components.dyness.api import content_md5, sign, signed_headers

VECTOR_BODY = b'{"deviceSn":"R07E00000000XXXX-BMS"}'
VECTOR_DATE = "Mon, 23 Mar 2026 21:57:27 GMT"


def test_content_md5_of_empty_object() -> None:
    """The documented MD5 of `{}` is reproduced."""
    assert content_md5(b"{}") == "mZFLkyvTelC5g8XnyQrpOw=="


def test_documented_test_vector() -> None:
    """The signature of the API reference's test vector is reproduced."""
    body_md5 = content_md5(VECTOR_BODY)
    assert body_md5 == "nSK8N6zYtjLPW3mS/CrePg=="
    assert (
        sign(
            "testsecret",
            body_md5=body_md5,
            date=VECTOR_DATE,
            path="/v1/device/realTime/data",
        )
        == "Z53WYNXybWm4dHjxOVUhQ2JXegU="
    )


def test_signed_headers() -> None:
    """The four headers carry the signature, the App ID and a GMT date."""
    headers = signed_headers(
        "12345678901234",
        "testsecret",
        body=VECTOR_BODY,
        path="/v1/device/realTime/data",
        timestamp=1774303047,
    )
    assert headers == {
        "Content-Type": "application/json;charset=UTF-8",
        "Content-MD5": "nSK8N6zYtjLPW3mS/CrePg==",
        "Date": VECTOR_DATE,
        "Authorization": "API 12345678901234:Z53WYNXybWm4dHjxOVUhQ2JXegU=",
    }
