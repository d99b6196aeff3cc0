"""pytest fixtures for agent event streams (loaded by the testcanon plugin).

- `agent_session`: a factory `await agent_session("alice")` that logs in and connects to the
  chat at `[tool.testcanon.events] base_url` (or `TESTCANON_EVENTS_URL`), closed after the test.
- `assert_valid(events, profile="agent-events")`: fails with a readable report.
Every validation is recorded for the event-coverage metric.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from testcanon.events.coverage import RECORDER, worker_id


@pytest.fixture(name="assert_valid")
def assert_valid_fixture():
    from testcanon.events.report import assert_valid

    return assert_valid


@pytest.fixture
def events_base_url(pytestconfig: pytest.Config) -> str:
    url = os.environ.get("TESTCANON_EVENTS_URL")
    if not url:
        from testcanon.config import load_project

        url = load_project(pytestconfig.rootpath).config.events.base_url
    if not url:
        pytest.skip("no chat server configured: set [tool.testcanon.events] base_url or TESTCANON_EVENTS_URL")
    return url


@pytest.fixture
async def agent_session(events_base_url: str, pytestconfig: pytest.Config) -> AsyncIterator[Any]:
    """Sessions built as journey and load build them: `[tool.testcanon.events.session]` (login, token
    transport, stream, or a session_class of the project's own), to loopback or an allowed host."""
    from testcanon.config import load_project
    from testcanon.events.client import SessionConfig, make_session
    from testcanon.events.targets import check_target

    events = load_project(pytestconfig.rootpath).config.events
    check_target(events_base_url, events.allowed_hosts)
    config = SessionConfig.from_table(dict(events.session))
    sessions: list[Any] = []

    async def connect(username: str = "alice", **options: Any) -> Any:
        session = make_session(events_base_url, username, config=config, **options)
        await session.connect()
        sessions.append(session)
        return session

    yield connect
    for session in sessions:
        await session.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    RECORDER.current_test = item.nodeid
    try:
        return (yield)
    finally:
        RECORDER.current_test = None


def pytest_sessionfinish(session: pytest.Session) -> None:
    RECORDER.write(session.config.rootpath, worker_id())
