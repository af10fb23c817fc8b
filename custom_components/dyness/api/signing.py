"""Request signing of the Dyness Open API (HMAC-SHA1 over five header lines)."""

from __future__ import annotations

import base64
from email.utils import formatdate
import hashlib
import hmac

CONTENT_TYPE_SIGNED = "application/json"
CONTENT_TYPE_SENT = "application/json;charset=UTF-8"


def content_md5(body: bytes) -> str:
    """Return the Base64 of the raw MD5 digest of the body."""
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()


def http_date(timestamp: float | None = None) -> str:
    """Return an RFC 1123 date in GMT, as the Date header wants it."""
    return formatdate(timestamp, usegmt=True)


def sign(secret: str, *, body_md5: str, date: str, path: str) -> str:
    """Return the Base64 HMAC-SHA1 signature for a POST to the signed path."""
    string_to_sign = f"POST\n{body_md5}\n{CONTENT_TYPE_SIGNED}\n{date}\n{path}"
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_headers(
    app_id: str, secret: str, *, body: bytes, path: str, timestamp: float | None = None
) -> dict[str, str]:
    """Return the four headers that authenticate one request."""
    body_md5 = content_md5(body)
    date = http_date(timestamp)
    signature = sign(secret, body_md5=body_md5, date=date, path=path)
    return {
        "Content-Type": CONTENT_TYPE_SENT,
        "Content-MD5": body_md5,
        "Date": date,
        "Authorization": f"API {app_id}:{signature}",
    }
