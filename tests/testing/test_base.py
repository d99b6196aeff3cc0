"""SSotBaseTestCase / SSotAsyncTestCase under the unittest runner: env, leaks, cleanups, metrics."""

from __future__ import annotations

import os
import unittest

import pytest

from testcanon import SSotAsyncTestCase, SSotBaseTestCase


def _run(case_class: type[unittest.TestCase]) -> unittest.TestResult:
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(case_class)
    result = unittest.TestResult()
    suite.run(result)
    return result


def test_env_is_fresh_per_test_and_restored() -> None:
    seen: list[str | None] = []

    class Case(SSotBaseTestCase):
        def test_a(self):
            seen.append(self.env.get("CANON_B_X"))
            self.env.set("CANON_B_X", "a")
            self.assertEqual(os.environ["CANON_B_X"], "a")  # mirrored for code under test

        def test_b(self):
            seen.append(self.env.get("CANON_B_X"))

    result = _run(Case)
    assert result.wasSuccessful(), result.errors + result.failures
    assert seen == [None, None]
    assert "CANON_B_X" not in os.environ


def test_changing_os_environ_behind_its_back_fails_naming_the_variable() -> None:
    class Case(SSotBaseTestCase):
        def test_leaks(self):
            os.environ["CANON_B_LEAK"] = "oops"
            os.environ["LEAKED_API_TOKEN"] = "secret-value"

    result = _run(Case)
    problems = result.failures + result.errors
    assert len(problems) == 1
    message = problems[0][1].strip().splitlines()[-1]  # the failure line, not the test source
    assert message.startswith("AssertionError: test changed os.environ directly")
    assert "CANON_B_LEAK" in message and "LEAKED_API_TOKEN" in message
    assert "secret-value" not in message
    assert "CANON_B_LEAK" not in os.environ  # restored anyway


def test_warn_mode_only_warns() -> None:
    class Case(SSotBaseTestCase):
        on_environ_change = "warn"

        def test_leaks(self):
            os.environ["CANON_B_WARN"] = "1"

    with pytest.warns(UserWarning, match="CANON_B_WARN"):
        result = _run(Case)
    assert result.wasSuccessful()
    assert "CANON_B_WARN" not in os.environ


def test_env_restored_when_the_test_fails() -> None:
    class Case(SSotBaseTestCase):
        def test_fails(self):
            self.env.set("CANON_B_F", "1")
            self.fail("boom")

    result = _run(Case)
    assert len(result.failures) == 1 and "boom" in result.failures[0][1]
    assert "CANON_B_F" not in os.environ


def test_cleanups_run_in_reverse_even_when_setup_fails_halfway() -> None:
    order: list[str] = []

    class Case(SSotBaseTestCase):
        def setUp(self):
            super().setUp()
            self.addCleanup(order.append, "first registered")
            self.addCleanup(order.append, "second registered")
            raise RuntimeError("setUp failed halfway")

        def test_never_runs(self):
            order.append("test body")

    result = _run(Case)
    assert len(result.errors) == 1
    assert order == ["second registered", "first registered"]


def test_metrics_and_duration() -> None:
    recorded = {}

    class Case(SSotBaseTestCase):
        def test_m(self):
            self.record_metric("events_per_second", 1234.5)
            recorded["metrics"] = self.canon_metrics

    assert _run(Case).wasSuccessful()
    assert recorded["metrics"]["events_per_second"] == 1234.5
    assert recorded["metrics"]["duration_s"] >= 0

    class NotANumber(SSotBaseTestCase):
        def test_m(self):
            self.record_metric("speed", "fast")  # type: ignore[arg-type]

    errors = _run(NotANumber).errors
    assert len(errors) == 1 and "must be a number" in errors[0][1]


def test_temp_dir_is_removed_after_the_test() -> None:
    paths = []

    class Case(SSotBaseTestCase):
        def test_t(self):
            path = self.temp_dir()
            (path / "f.txt").write_text("x")
            paths.append(path)

    assert _run(Case).wasSuccessful()
    assert not paths[0].exists()


def test_async_case_has_env_and_async_helpers() -> None:
    class Case(SSotAsyncTestCase):
        async def test_async(self):
            self.env.set("CANON_B_ASYNC", "1")
            ticks = []

            async def ready():
                ticks.append(1)
                return len(ticks) >= 3

            await self.async_wait_for(ready, timeout=1)
            self.assertEqual(len(ticks), 3)

    result = _run(Case)
    assert result.wasSuccessful(), result.errors + result.failures
    assert "CANON_B_ASYNC" not in os.environ


def test_wait_for_and_assert_eventually() -> None:
    from testcanon.testing import WaitTimeout, assert_eventually, wait_for

    calls = []
    assert wait_for(lambda: calls.append(1) or len(calls) >= 3, timeout=1) is True
    with pytest.raises(WaitTimeout, match="still false"):
        wait_for(lambda: False, timeout=0.05)
    attempts = []

    def check():
        attempts.append(1)
        assert len(attempts) >= 2, "not yet"

    assert_eventually(check, timeout=1)
    with pytest.raises(AssertionError, match="still failing after .*not yet"):
        assert_eventually(lambda: check() if False else (_ for _ in ()).throw(AssertionError("not yet")),
                          timeout=0.05)
