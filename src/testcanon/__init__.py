"""testcanon: one canonical way to write and run tests, and the tools that keep a suite on it.

The public face of the test library is re-exported here lazily, so that `import testcanon`
stays cheap for the CLI:

    from testcanon import SSotBaseTestCase, SSotAsyncTestCase, IsolatedEnvironment
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from testcanon.__about__ import __version__

if TYPE_CHECKING:
    from testcanon.testing import (
        IsolatedEnvironment,
        SSotAsyncTestBase,
        SSotAsyncTestCase,
        SSotBaseTestCase,
        SSotTestBase,
    )

__all__ = ["IsolatedEnvironment", "SSotAsyncTestBase", "SSotAsyncTestCase", "SSotBaseTestCase",
           "SSotTestBase", "__version__"]

_LAZY = {"IsolatedEnvironment", "SSotAsyncTestCase", "SSotBaseTestCase", "SSotTestBase", "SSotAsyncTestBase"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import testcanon.testing

        return getattr(testcanon.testing, name)
    raise AttributeError(f"module 'testcanon' has no attribute {name!r}")
