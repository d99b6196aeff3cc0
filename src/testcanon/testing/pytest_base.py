"""`SSotTestBase` and `SSotAsyncTestBase`: the canonical bases for pytest-style test classes.

Plain classes (no `unittest.TestCase`), so fixture arguments, `parametrize`, class-scoped
fixtures, `setup_method`, pytest-asyncio and anyio work as in any pytest class. Per test they
give what `SSotBaseTestCase` gives a unittest class:

- `self.env`: a fresh `IsolatedEnvironment`, mirrored into `os.environ`, restored after the test;
- the tamper check: a test that changes `os.environ` behind `self.env`'s back fails at teardown
  naming each variable (`on_environ_change = "warn"` only warns), and `os.environ` is restored;
- `self.record_metric(name, value)` (stored with the result, also in JUnit XML) and
  `self.canon_metrics["duration_s"]`;
- `self.temp_dir()`, `self.wait_for(...)`, `self.assert_eventually(...)`, and on the async base
  `await self.async_wait_for(...)`, `await self.async_assert_eventually(...)`.

The services start in `setup_method` (so a subclass's `setup_method` that calls
`super().setup_method(method)` first can use `self.env`) or, when a subclass overrides it
without `super()`, in the autouse fixture `_canon_services`; they end in that fixture's
teardown, after the test and its function-scoped fixtures. Writes made inside an async test
(another context: pytest-asyncio and anyio run the test in a task) are recorded by `self.env`
itself, so the tamper check sees them as the canonical writes they are.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest

from testcanon.testing import metrics as _metrics
from testcanon.testing import waiting
from testcanon.testing.environment import DELETED, IsolatedEnvironment, restore_os_environ
from testcanon.testing.secrets import DEFAULT_SECRET_PATTERNS, SecretMasker

__all__ = ["SSotAsyncTestBase", "SSotTestBase"]

_PYTEST_OWN = ("PYTEST_CURRENT_TEST",)


class _RecordingEnvironment(IsolatedEnvironment):
    """An `IsolatedEnvironment` that also keeps, across contexts, what was written through it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.written: dict[str, str | None] = {}

    def _write(self, changes: Mapping[str, Any]) -> None:
        super()._write(changes)
        for name, value in changes.items():
            self.written[name] = None if value is DELETED else value


class SSotTestBase:
    """The canonical base for pytest-style (plain) test classes."""

    #: "fail" (default) or "warn" when a test changes os.environ without self.env
    on_environ_change: ClassVar[str] = "fail"
    #: mirror self.env writes into os.environ, for code under test that reads os.environ
    sync_env_to_os: ClassVar[bool] = True
    secret_patterns: ClassVar[tuple[str, ...]] = DEFAULT_SECRET_PATTERNS

    env: IsolatedEnvironment
    canon_metrics: dict[str, float]

    wait_for = staticmethod(waiting.wait_for)
    assert_eventually = staticmethod(waiting.assert_eventually)

    def setup_method(self, method: object = None) -> None:
        self._canon_begin()

    def teardown_method(self, method: object = None) -> None:
        """Nothing of ours: the services end in the fixture, after this and every fixture of the test."""

    @pytest.fixture(autouse=True)
    def _canon_services(self, request: pytest.FixtureRequest) -> Iterator[None]:
        self._canon_begin()
        self._canon_sink = request.node.user_properties
        for name, value in self.canon_metrics.items():  # recorded in setup_method, before we had the sink
            self._canon_sink.append((f"canon_metric:{name}", value))
        try:
            yield
        finally:
            self._canon_end()

    # --- the services -------------------------------------------------------------------------
    def _canon_begin(self) -> None:
        if getattr(self, "_canon_state", None) is not None:
            return  # setup_method and the fixture both ask; the first one starts them
        self.canon_metrics = {}
        self._canon_sink: list[tuple[str, object]] | None = None
        self._canon_cleanups: list[tuple[Any, tuple[Any, ...]]] = []
        self.env = _RecordingEnvironment(sync_to_os=self.sync_env_to_os, secret_patterns=self.secret_patterns)
        self._canon_state = (time.perf_counter(), dict(os.environ), self.env.snapshot())

    def _canon_end(self) -> None:
        state = getattr(self, "_canon_state", None)
        if state is None:
            return
        self._canon_state = None
        started, before, snapshot = state
        self.canon_metrics["duration_s"] = time.perf_counter() - started
        errors: list[BaseException] = []
        for function, args in reversed(self._canon_cleanups):
            try:
                function(*args)
            except Exception as error:  # noqa: BLE001 - every cleanup runs; the first error is raised
                errors.append(error)
        expected = dict(before)
        if self.sync_env_to_os:
            for name, value in self.env.written.items():  # type: ignore[attr-defined]
                if value is None:
                    expected.pop(name, None)
                else:
                    expected[name] = value
        actual = dict(os.environ)
        for name in _PYTEST_OWN:  # pytest itself moves it from "(setup)" to "(teardown)"
            expected.pop(name, None)
            actual.pop(name, None)
            if name in os.environ:
                before[name] = os.environ[name]
        leaked = {n: (expected.get(n), actual.get(n)) for n in expected.keys() | actual.keys()
                  if expected.get(n) != actual.get(n)}
        self.env.restore(snapshot)
        restore_os_environ(before)
        if errors:
            raise errors[0]
        if leaked:
            masker = SecretMasker(self.secret_patterns)
            detail = ", ".join(f"{name} ({masker.show(name, old)} -> {masker.show(name, new)})"
                               for name, (old, new) in sorted(leaked.items()))
            message = f"test changed os.environ directly: {detail}; use self.env.set/delete (restored now)"
            if self.on_environ_change == "warn":
                warnings.warn(message, stacklevel=1)
            else:
                pytest.fail(message, pytrace=False)

    def record_metric(self, name: str, value: float) -> None:
        """Record a number for this test; the runner stores it with the test's result."""
        _metrics.record(self.canon_metrics, name, value)
        sink = getattr(self, "_canon_sink", None)
        if sink is not None and _metrics.CURRENT_SINK.get() is not sink:  # the plugin did not append it
            sink.append((f"canon_metric:{name}", float(value)))

    def add_cleanup(self, function: Any, *args: Any) -> None:
        """Run `function(*args)` after the test (last added, first run), whatever happens."""
        self._canon_cleanups.append((function, args))

    def temp_dir(self) -> Path:
        """A new temporary directory, removed after the test."""
        path = Path(tempfile.mkdtemp(prefix="canon-"))
        self.add_cleanup(shutil.rmtree, path, True)
        return path


class SSotAsyncTestBase(SSotTestBase):
    """The canonical base for pytest-style classes with `async def` tests (pytest-asyncio, anyio)."""

    async_wait_for = staticmethod(waiting.async_wait_for)
    async_assert_eventually = staticmethod(waiting.async_assert_eventually)
