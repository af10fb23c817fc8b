"""Dyness Open API request signing (doc §2) and its server-side verification."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
import hashlib
import hmac
import re

API_PREFIX = "/openapi/ems-device"
SIGNED_CONTENT_TYPE = "application/json"
SENT_CONTENT_TYPE = "application/json;charset=UTF-8"

_AUTH_RE = re.compile(r"^API ([^:\s]+):(\S+)$")
_MONTHS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# RFC 1123 in GMT; the Java pattern `EEE, d MMM yyyy HH:mm:ss 'GMT'` allows a 1-digit day.
_DATE_RE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{1,2}) "
    r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"(\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$"
)


def content_md5(body: bytes) -> str:
    """Return Base64 of the raw 16-byte MD5 digest of the body."""
    return base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()


def http_date(moment: datetime) -> str:
    """Return `moment` as an RFC 1123 GMT date (`Mon, 23 Mar 2026 21:57:27 GMT`)."""
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def parse_http_date(value: str) -> datetime | None:
    """Parse a strict RFC 1123 GMT date; None when malformed or inconsistent."""
    match = _DATE_RE.match(value.strip())
    if match is None:
        return None
    weekday, day, month, year, hour, minute, second = match.groups()
    try:
        moment = datetime(
            int(year),
            _MONTHS.index(month) + 1,
            int(day),
            int(hour),
            int(minute),
            int(second),
            tzinfo=UTC,
        )
    except ValueError:
        return None
    if _DAYS[moment.weekday()] != weekday:
        return None
    return moment


def string_to_sign(*, body_md5: str, date: str, path: str, method: str = "POST") -> str:
    """Return the five signed lines joined by newlines (no trailing newline)."""
    return f"{method}\n{body_md5}\n{SIGNED_CONTENT_TYPE}\n{date}\n{path}"


def sign(secret: str, *, body_md5: str, date: str, path: str) -> str:
    """Return Base64(HMAC-SHA1(secret, string to sign)) for a POST to `path`."""
    message = string_to_sign(body_md5=body_md5, date=date, path=path)
    digest = hmac.new(secret.encode(), message.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signed_headers(
    app_id: str, secret: str, *, body: bytes, path: str, moment: datetime
) -> dict[str, str]:
    """Return the headers a correct client sends for `body` to `path` at `moment`."""
    body_md5 = content_md5(body)
    date = http_date(moment)
    signature = sign(secret, body_md5=body_md5, date=date, path=path)
    return {
        "Content-Type": SENT_CONTENT_TYPE,
        "Content-MD5": body_md5,
        "Date": date,
        "Authorization": f"API {app_id}:{signature}",
    }


def app_id_of(authorization: str | None) -> str | None:
    """Return the App ID named by an Authorization header, valid or not."""
    if not authorization:
        return None
    match = _AUTH_RE.match(authorization.strip())
    return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class Verdict:
    """Outcome of checking one request's signature; `reason` explains a refusal."""

    ok: bool
    app_id: str | None
    reason: str


def verify(
    headers: Mapping[str, str],
    body: bytes,
    path: str,
    *,
    secrets: Mapping[str, str],
    now: datetime,
    max_skew: float,
) -> Verdict:
    """Check App ID, Date (within max_skew s of now), Content-MD5 and signature."""
    match = _AUTH_RE.match(headers.get("Authorization", "").strip())
    if match is None:
        return Verdict(False, None, "malformed Authorization")
    app_id, signature = match.groups()
    secret = secrets.get(app_id)
    if secret is None:
        return Verdict(False, app_id, "unknown App ID")
    date = headers.get("Date", "")
    moment = parse_http_date(date)
    if moment is None:
        return Verdict(False, app_id, "malformed Date")
    if abs((moment - now).total_seconds()) > max_skew:
        return Verdict(False, app_id, "Date outside allowed skew")
    actual_md5 = content_md5(body)
    sent_md5 = headers.get("Content-MD5")
    if sent_md5 is not None and sent_md5.strip() != actual_md5:
        return Verdict(False, app_id, "Content-MD5 does not match body")
    # Without the header the server recomputes the MD5 (doc §2.2, HS client).
    expected = sign(secret, body_md5=actual_md5, date=date, path=path)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        return Verdict(False, app_id, "signature mismatch")
    return Verdict(True, app_id, "")
