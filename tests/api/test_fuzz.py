"""Property-based fuzz of every endpoint's parser and of the client over loopback.

A bounded number of examples per endpoint; `scripts/fuzz.py` runs 10,000.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
from hypothesis import HealthCheck, given, settings, strategies as st
import pytest

from .fuzzing import (
    ENDPOINTS,
    Endpoint,
    LoopbackCloud,
    Outcome,
    answers,
    judge_client,
    judge_parser,
)

PARSED = [endpoint for endpoint in ENDPOINTS if endpoint.parse is not None]
FUZZ = settings(
    max_examples=50,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Fuzzing the client needs no Home Assistant."""


def _assert_closed(outcome: Outcome) -> None:
    """Only the client's own errors, and nothing unusable in what comes out."""
    assert outcome.escape is None, f"escaped: {outcome.escape}"
    assert not outcome.wrong, f"silently wrong: {outcome.wrong}"


@pytest.mark.parametrize("endpoint", PARSED, ids=[e.name for e in PARSED])
@FUZZ
@given(data=st.data())
def test_parser_is_closed(endpoint: Endpoint, data: st.DataObject) -> None:
    """Any data: a model with usable values or a DynessResponseError."""
    _assert_closed(judge_parser(endpoint, data.draw(endpoint.data)))


@pytest.fixture
def fuzz_loop() -> Iterator[asyncio.AbstractEventLoop]:
    """Return an event loop of the test's own (newer harnesses have no event_loop)."""
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture
def loopback(
    fuzz_loop: asyncio.AbstractEventLoop, socket_enabled: None
) -> Iterator[tuple[LoopbackCloud, aiohttp.ClientSession]]:
    """Return a loopback cloud and a session, both on the test's event loop."""

    async def _session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession()

    cloud = LoopbackCloud()
    fuzz_loop.run_until_complete(cloud.start())
    session = fuzz_loop.run_until_complete(_session())
    yield cloud, session
    fuzz_loop.run_until_complete(session.close())
    fuzz_loop.run_until_complete(cloud.stop())


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
@FUZZ
@given(data=st.data())
def test_client_is_closed(
    endpoint: Endpoint,
    fuzz_loop: asyncio.AbstractEventLoop,
    loopback: tuple[LoopbackCloud, aiohttp.ClientSession],
    data: st.DataObject,
) -> None:
    """Any status, headers and body: a usable result or one of the client's errors."""
    cloud, session = loopback
    answer = data.draw(answers(endpoint))
    outcome = fuzz_loop.run_until_complete(
        judge_client(endpoint, answer, cloud, session)
    )
    _assert_closed(outcome)
    if not 200 <= answer.status < 300:
        assert outcome.error is not None
