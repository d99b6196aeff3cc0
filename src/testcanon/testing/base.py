"""`SSotBaseTestCase` and `SSotAsyncTestCase`: the canonical bases every test class stands on.

They are `unittest.TestCase` / `unittest.IsolatedAsyncioTestCase` (so `self.assert*` and
both runners keep working) plus, per test:

- `self.env`: a fresh `IsolatedEnvironment`, restored after the test whatever happens;
- a check that the test did not change `os.environ` behind `self.env`'s back (fails naming
  the variables, or only warns when `on_environ_change = "warn"`);
- `self.record_metric(name, value)` and the test's duration in `self.canon_metrics`;
- `self.temp_dir()`, `self.wait_for(...)`, `self.assert_eventually(...)`.

Cleanups use unittest's own `addCleanup`: they run in reverse order, even when `setUp`
fails halfway. Always call `super().setUp()` first when you override `setUp`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import unittest
import warnings
from pathlib import Path
from typing import Any, ClassVar

from testcanon.testing import metrics as _metrics
from testcanon.testing import waiting
from testcanon.testing.environment import IsolatedEnvironment, restore_os_environ
from testcanon.testing.secrets import DEFAULT_SECRET_PATTERNS, SecretMasker


class _CanonicalTest:
    """What both canonical bases add to their unittest parent."""

    #: "fail" (default) or "warn" when a test changes os.environ without self.env
    on_environ_change: ClassVar[str] = "fail"
    #: mirror self.env writes into os.environ, for code under test that reads os.environ
    sync_env_to_os: ClassVar[bool] = True
    secret_patterns: ClassVar[tuple[str, ...]] = DEFAULT_SECRET_PATTERNS

    env: IsolatedEnvironment
    canon_metrics: dict[str, float]

    def _canon_setup(self) -> None:
        self.canon_metrics = {}
        self._canon_started = time.perf_counter()
        self.env = IsolatedEnvironment(sync_to_os=self.sync_env_to_os,
                                       secret_patterns=self.secret_patterns)
        before = dict(os.environ)
        snapshot = self.env.snapshot()
        # Registered first, so it runs last: after every cleanup the test added.
        self.addCleanup(self._canon_teardown, before, snapshot)  # type: ignore[attr-defined]

    def _canon_teardown(self, before: dict[str, str], snapshot: Any) -> None:
        self.canon_metrics["duration_s"] = time.perf_counter() - self._canon_started
        expected = dict(before)
        for name, value in self.env.changed().items():
            if self.sync_env_to_os:
                if value is None:
                    expected.pop(name, None)
                else:
                    expected[name] = value
        leaked = _diff(expected, dict(os.environ))
        self.env.restore(snapshot)
        restore_os_environ(before)
        if leaked:
            masker = SecretMasker(self.secret_patterns)
            detail = ", ".join(f"{name} ({masker.show(name, old)} -> {masker.show(name, new)})"
                               for name, (old, new) in sorted(leaked.items()))
            message = (f"test changed os.environ directly: {detail}; use self.env.set/delete "
                       "(restored now)")
            if self.on_environ_change == "warn":
                warnings.warn(message, stacklevel=1)
            else:
                raise AssertionError(message)

    def record_metric(self, name: str, value: float) -> None:
        """Record a number for this test; the runner stores it with the test's result."""
        _metrics.record(self.canon_metrics, name, value)

    def temp_dir(self) -> Path:
        """A new temporary directory, removed after the test."""
        path = Path(tempfile.mkdtemp(prefix="canon-"))
        self.addCleanup(shutil.rmtree, path, True)  # type: ignore[attr-defined]
        return path

    wait_for = staticmethod(waiting.wait_for)
    assert_eventually = staticmethod(waiting.assert_eventually)


class SSotBaseTestCase(_CanonicalTest, unittest.TestCase):
    """The canonical base for synchronous test classes."""

    def setUp(self) -> None:
        super().setUp()
        self._canon_setup()


class SSotAsyncTestCase(_CanonicalTest, unittest.IsolatedAsyncioTestCase):
    """The canonical base for test classes with `async def test_*` methods."""

    async_wait_for = staticmethod(waiting.async_wait_for)
    async_assert_eventually = staticmethod(waiting.async_assert_eventually)

    def setUp(self) -> None:
        super().setUp()
        self._canon_setup()


def _diff(expected: dict[str, str], actual: dict[str, str]) -> dict[str, tuple[str | None, str | None]]:
    names = expected.keys() | actual.keys()
    return {n: (expected.get(n), actual.get(n)) for n in names if expected.get(n) != actual.get(n)}

