"""Fixtures for judge tests: the scripted guard server, shared requests, the embedded model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from redline.spec import TargetSpec
from redline.targets import Target, build_target
from tests.judges.guard_server import GuardServer


@pytest.fixture(scope="session")
def guard_server_session() -> Iterator[GuardServer]:
    server = GuardServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def guard_server(guard_server_session: GuardServer) -> GuardServer:
    """The scripted server with an empty request log."""
    guard_server_session.requests.clear()
    return guard_server_session


@pytest.fixture(scope="module")
def embedded_target(embedded_gguf: object) -> Iterator[Target]:
    """One started embedded model shared by a module's tests (answers kept short)."""
    target = build_target(TargetSpec(max_tokens=12))
    asyncio.run(target.start())
    yield target
    asyncio.run(target.close())
