"""The canonical test library: the single source of truth every test stands on.

    from testcanon import SSotBaseTestCase, SSotAsyncTestCase, IsolatedEnvironment
    from testcanon import SSotTestBase, SSotAsyncTestBase  # the same services for pytest-style classes

Names are imported on first use (PEP 562): the pytest plugin loads `testcanon.testing.*`
modules into every pytest run, which must not pay for unittest and asyncio it does not use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from testcanon.testing.base import SSotAsyncTestCase, SSotBaseTestCase
    from testcanon.testing.environment import EnvironmentValueError, EnvSnapshot, IsolatedEnvironment
    from testcanon.testing.pytest_base import SSotAsyncTestBase, SSotTestBase
    from testcanon.testing.waiting import (
        WaitTimeout,
        assert_eventually,
        async_assert_eventually,
        async_wait_for,
        wait_for,
    )

_HOMES = {
    "SSotAsyncTestCase": "base", "SSotBaseTestCase": "base", "SSotTestBase": "pytest_base",
    "SSotAsyncTestBase": "pytest_base",
    "EnvironmentValueError": "environment", "EnvSnapshot": "environment",
    "IsolatedEnvironment": "environment",
    "WaitTimeout": "waiting", "assert_eventually": "waiting", "async_assert_eventually": "waiting",
    "async_wait_for": "waiting", "wait_for": "waiting",
}
__all__ = [
    "EnvSnapshot", "EnvironmentValueError", "IsolatedEnvironment", "SSotAsyncTestBase", "SSotAsyncTestCase",
    "SSotBaseTestCase", "SSotTestBase", "WaitTimeout", "assert_eventually", "async_assert_eventually",
    "async_wait_for", "wait_for",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(f"testcanon.testing.{_HOMES[name]}"), name)
    raise AttributeError(f"module 'testcanon.testing' has no attribute {name!r}")
