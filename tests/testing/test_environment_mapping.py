"""IsolatedEnvironment as a drop-in for `os.environ`'s mutating methods and `mock.patch.dict`.

Each behaviour is checked side by side with `os.environ` itself: the CANON301 codemod rewrites
one into the other, so they must agree, errors included.
"""

from __future__ import annotations

import asyncio
import inspect
import os
from collections.abc import Callable
from typing import Any
from unittest import mock

import pytest

from testcanon import IsolatedEnvironment


@pytest.fixture
def saved_environ() -> Any:
    before = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(before)


def _outcome(action: Callable[[], Any]) -> Any:
    try:
        return ("returned", action())
    except Exception as error:  # noqa: BLE001 - the outcome *is* the comparison
        return ("raised", type(error))


@pytest.mark.parametrize("call", [
    lambda e: e.pop("CANON_M_SET"),
    lambda e: e.pop("CANON_M_UNSET"),
    lambda e: e.pop("CANON_M_UNSET", "fallback"),
    lambda e: e.pop("CANON_M_SET", "fallback"),
    lambda e: e.setdefault("CANON_M_SET", "other"),
    lambda e: e.setdefault("CANON_M_UNSET", "new"),
    lambda e: e.update({"CANON_M_A": "1"}, CANON_M_B="2"),
    lambda e: e.update([("CANON_M_A", "1")]),
    lambda e: e.update({"CANON_M_A": 1}),
])
def test_mutating_methods_behave_as_on_os_environ(saved_environ: None, call: Callable[[Any], Any]) -> None:
    os.environ["CANON_M_SET"] = "value"
    os.environ.pop("CANON_M_UNSET", None)
    expected = _outcome(lambda: call(os.environ))
    after_os = {k: os.environ.get(k) for k in ("CANON_M_SET", "CANON_M_UNSET", "CANON_M_A", "CANON_M_B")}
    for name in ("CANON_M_A", "CANON_M_B", "CANON_M_UNSET"):
        os.environ.pop(name, None)
    os.environ["CANON_M_SET"] = "value"
    env = IsolatedEnvironment()
    assert _outcome(lambda: call(env)) == expected
    assert {k: env.get(k) for k in after_os} == after_os


def test_clear_hides_every_variable_and_mirrors_when_synced(saved_environ: None) -> None:
    os.environ["CANON_M_SET"] = "value"
    env = IsolatedEnvironment(sync_to_os=True)
    with env:
        env.clear()
        assert env.as_dict() == {} and dict(os.environ) == {} and "CANON_M_SET" not in env
        env.set("ONLY", "1")
        assert env.as_dict() == {"ONLY": "1"}
    assert os.environ["CANON_M_SET"] == "value" and "ONLY" not in os.environ


def test_overlay_with_clear_matches_patch_dict_with_clear(saved_environ: None) -> None:
    os.environ["CANON_M_SET"] = "value"
    with mock.patch.dict(os.environ, {"ONLY": "1"}, clear=True):
        expected = dict(os.environ)
    before = dict(os.environ)
    env = IsolatedEnvironment(sync_to_os=True)
    with env.overlay({"ONLY": "1"}, clear=True):
        assert env.as_dict() == expected == dict(os.environ)
    assert dict(os.environ) == before


def test_overlay_decorates_sync_and_async_functions_restoring_after_each_call(saved_environ: None) -> None:
    env = IsolatedEnvironment(sync_to_os=True)
    seen: list[str | None] = []

    @env.overlay({"CANON_M_DECORATED": "sync"})
    def sync_test() -> str:
        seen.append(os.environ.get("CANON_M_DECORATED"))
        return "done"

    @env.overlay(CANON_M_DECORATED="async")
    async def async_test() -> str:
        await asyncio.sleep(0)  # the environment must still be there after the coroutine yields
        seen.append(env.get("CANON_M_DECORATED"))
        return "done"

    assert sync_test() == "done" and sync_test() == "done"
    assert asyncio.run(async_test()) == "done"
    assert seen == ["sync", "sync", "async"]
    assert "CANON_M_DECORATED" not in os.environ and env.get("CANON_M_DECORATED") is None
    assert async_test.__name__ == "async_test" and inspect.iscoroutinefunction(async_test)
