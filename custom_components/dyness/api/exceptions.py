"""Exceptions raised by the Dyness Open API client."""

from __future__ import annotations


class DynessError(Exception):
    """Base class for every error the client raises."""


class DynessAuthenticationError(DynessError):
    """The App ID or App Secret was rejected (code 401, ACCESS_DENIED)."""


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
