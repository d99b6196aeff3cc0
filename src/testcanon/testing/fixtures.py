"""The fixtures of testcanon's pytest plugin, in a module of their own.

`testcanon.testing.plugin` re-exports them (so an installed testcanon provides them through its
entry point), and migrate's verification loads this very file with `-p
testcanon.testing.fixtures` in a target interpreter where testcanon is not installed: the
migrated tests get the same fixture there, not a copy of it. It imports only pytest and
`testcanon.testing.environment`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from testcanon.testing.environment import IsolatedEnvironment


@pytest.fixture
def isolated_env() -> Iterator[IsolatedEnvironment]:
    """An `IsolatedEnvironment` for plain test functions, mirrored into os.environ and
    restored exactly (including variables that did not exist) after the test."""
    env = IsolatedEnvironment(sync_to_os=True)
    snapshot = env.snapshot()
    try:
        yield env
    finally:
        env.restore(snapshot)
