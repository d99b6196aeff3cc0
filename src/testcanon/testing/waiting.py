"""Waiting for conditions, sync and async: the helpers every suite rewrites, written once."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any


class WaitTimeout(AssertionError):
    """A condition did not become true in time (an AssertionError, so tests fail, not error)."""


def wait_for(condition: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01,
             message: str = "") -> Any:
    """Call `condition` until it returns something truthy; return it, or raise WaitTimeout."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout(message or f"condition {_name(condition)} still false after {timeout}s")
        time.sleep(interval)


async def async_wait_for(condition: Callable[[], Any | Awaitable[Any]], timeout: float = 5.0,
                         interval: float = 0.01, message: str = "") -> Any:
    """`wait_for` for async code: `condition` may be a plain or an async callable."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() >= deadline:
            raise WaitTimeout(message or f"condition {_name(condition)} still false after {timeout}s")
        await asyncio.sleep(interval)


def assert_eventually(check: Callable[[], Any], timeout: float = 5.0, interval: float = 0.01) -> Any:
    """Re-run `check` (which asserts) until it passes; on timeout re-raise its last failure."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError as failure:
            if time.monotonic() >= deadline:
                raise AssertionError(f"still failing after {timeout}s: {failure}") from failure
        time.sleep(interval)


async def async_assert_eventually(check: Callable[[], Any], timeout: float = 5.0,
                                  interval: float = 0.01) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = check()
            return await value if inspect.isawaitable(value) else value
        except AssertionError as failure:
            if time.monotonic() >= deadline:
                raise AssertionError(f"still failing after {timeout}s: {failure}") from failure
        await asyncio.sleep(interval)


def _name(condition: Callable[..., Any]) -> str:
    return getattr(condition, "__qualname__", repr(condition))
