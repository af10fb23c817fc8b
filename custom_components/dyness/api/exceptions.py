"""Exceptions raised by the Dyness Open API client."""

from __future__ import annotations

from datetime import datetime


class DynessError(Exception):
    """Base class for every error the client raises."""


class DynessAuthenticationError(DynessError):
    """The cloud refused a call (code 401/403, ACCESS_DENIED).

    The fields tell what was refused: the call (`path`), the serial it was for
    (`device_sn`, None for account-level calls such as the device list), and
    the answer's `Date` beside the local clock at that moment, so a caller can
    tell wrong credentials from one foreign serial and from a skewed clock.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        device_sn: str | None = None,
        server_time: datetime | None = None,
        local_time: datetime | None = None,
    ) -> None:
        """Keep what the refused call was and when the server said it was."""
        super().__init__(message)
        self.path = path
        self.device_sn = device_sn
        self.server_time = server_time
        self.local_time = local_time

    @property
    def clock_offset(self) -> float | None:
        """Return the server's `Date` minus the local clock in seconds, if known."""
        if self.server_time is None or self.local_time is None:
            return None
        return (self.server_time - self.local_time).total_seconds()


class DynessRateLimitError(DynessError):
    """The cloud answered HTTP 429 or the local call budget refused the call."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        """Keep the delay the server asked for, if any."""
        super().__init__(message)
        self.retry_after = retry_after


class DynessBudgetError(DynessRateLimitError):
    """The App ID's own hourly call budget refused the call (no request was sent)."""


class DynessConnectionError(DynessError):
    """The cloud could not be reached."""


class DynessTimeoutError(DynessConnectionError):
    """The cloud did not answer in time."""


class DynessApiError(DynessError):
    """The cloud answered with an error code (usually code 500 and an info text)."""

    def __init__(self, code: str, info: str) -> None:
        """Keep the code and the info text of the answer."""
        super().__init__(f"Dyness API error {code}: {info}")
        self.code = code
        self.info = info


class DynessResponseError(DynessError):
    """The answer was not the JSON the API documents (HTML, truncated, wrong shape)."""


class DynessEndpointNotFoundError(DynessResponseError):
    """The server does not know the path (HTTP 404, e.g. v2 on a host without it)."""


class DynessControlUnavailableError(DynessError):
    """Settings of a device cannot be read or written; `reason` says why."""

    reason = "unavailable"


class DynessV2UnavailableError(DynessControlUnavailableError):
    """The v2 settings endpoints answer 404 for this App ID's host."""

    reason = "v2_unavailable"


class DynessNotConfiguredError(DynessControlUnavailableError):
    """v2 knows the device but answers `500 Device is not configured`."""

    reason = "not_configured"


class DynessPermissionError(DynessControlUnavailableError):
    """The App ID may read but not control this device (`operationPermission`)."""

    reason = "permission"


class DynessValidationError(DynessError):
    """A requested setting breaks a documented range or rule; nothing was sent."""

    def __init__(
        self, translation_key: str, placeholders: dict[str, str] | None = None
    ) -> None:
        """Keep the translation key and its placeholders."""
        self.translation_key = translation_key
        self.placeholders = placeholders or {}
        details = ", ".join(f"{k}={v}" for k, v in sorted(self.placeholders.items()))
        super().__init__(
            f"{translation_key} ({details})" if details else translation_key
        )


class DynessWriteRateLimitError(DynessError):
    """The device's own write cap refused a write; nothing was sent."""

    def __init__(self, retry_after: float) -> None:
        """Keep how many seconds until the next write is allowed."""
        super().__init__(f"Write cap reached; next write in {retry_after:.0f} s")
        self.retry_after = retry_after


class DynessReadBackError(DynessError):
    """After a write the device still reports another value than the one sent."""

    def __init__(self, expected: object, reported: object) -> None:
        """Keep the requested and the reported value."""
        super().__init__(f"Device reports {reported!r} instead of {expected!r}")
        self.expected = expected
        self.reported = reported
