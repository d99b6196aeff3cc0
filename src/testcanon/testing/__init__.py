"""The canonical test library: the single source of truth every test stands on.

    from testcanon import SSotBaseTestCase, SSotAsyncTestCase, IsolatedEnvironment
"""

from testcanon.testing.base import SSotAsyncTestCase, SSotBaseTestCase
from testcanon.testing.environment import EnvironmentValueError, EnvSnapshot, IsolatedEnvironment
from testcanon.testing.waiting import (
    WaitTimeout,
    assert_eventually,
    async_assert_eventually,
    async_wait_for,
    wait_for,
)

__all__ = [
    "EnvSnapshot", "EnvironmentValueError", "IsolatedEnvironment", "SSotAsyncTestCase",
    "SSotBaseTestCase", "WaitTimeout", "assert_eventually", "async_assert_eventually",
    "async_wait_for", "wait_for",
]
