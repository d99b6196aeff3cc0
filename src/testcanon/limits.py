"""Resource limits: a per-file time and memory budget, and workers that die with their parent.

Repairing or parsing one hostile file (100,000 nested brackets, a 50 MB broken file) must
cost that file a finding, never the whole run a hang or the machine its memory. `bounded`
runs one file's work in a forked child with `RLIMIT_AS` set to the budget above what the
process already maps, and `RLIMIT_CPU` to its time: the budget is CPU seconds, so a loaded
machine (CI, the other workers) does not turn a repair into "over budget" that an idle one
finishes; a child that waits instead of computing is stopped at `WALL_FACTOR` times the budget.
`die_with_parent` is the initializer of every worker pool: on Linux the kernel kills the worker
when its parent dies (`PR_SET_PDEATHSIG`); elsewhere a watchdog thread notices the parent is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

MiB = 1024 * 1024
_PR_SET_PDEATHSIG = 1
WALL_FACTOR = 4  # wall-clock seconds per budgeted CPU second before a waiting child is stopped


@dataclass(frozen=True)
class Budget:
    """What one file may cost: CPU seconds and memory (MiB) beyond the worker's own."""

    seconds: float = 60.0
    memory_mb: int = 2048


@dataclass(frozen=True)
class OverBudget:
    """A file's work did not finish inside its budget: why ('time', 'memory' or 'crashed')."""

    reason: str
    detail: str

    def describe(self) -> str:
        return self.detail


# The budget of the command running now: set once from the project's config (`configure`),
# inherited by forked workers, read where a file is parsed or repaired.
_budget = Budget()

# Files up to this size are parsed in the worker itself (a fork per file would cost more than
# the parse); above it, parsing runs bounded. CPython's parser needs about 300 bytes of memory
# per byte of source, so a file this size stays far inside any budget.
BOUNDED_ABOVE = 512 * 1024


def configure(budget: Budget) -> None:
    global _budget
    _budget = budget


def current() -> Budget:
    return _budget


def die_with_parent() -> None:
    """Pool initializer: this worker dies when the process that started it dies."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True, name="canon-parent-watch").start()


@contextmanager
def worker_pool(workers: int, *, fork: bool = False) -> Iterator[ProcessPoolExecutor]:
    """A process pool whose workers die with canon and do not outlive an interruption.

    Leaving a pool's `with` block waits for every task submitted, queued ones included: on
    SIGTERM (which reaches canon alone, not its workers) `canon fix` would have repaired every
    remaining file before it stopped. Here an exception cancels the queued tasks and kills the
    workers instead of waiting for them (one file's repair may take its whole budget)."""
    context = multiprocessing.get_context("fork") if fork else None
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=die_with_parent)
    try:
        yield pool
    except BaseException:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def bounded(budget: Budget, function: Callable[..., T], *args: Any) -> T | OverBudget:
    """`function(*args)` in a forked child held to `budget`; its result, or why it had none.

    Exceptions raised by `function` are re-raised here (they are the caller's business). Where
    fork is not available the call runs in this process, unbounded."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return function(*args)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, budget, function, args), daemon=True)
    child.start()
    send.close()
    over_time = OverBudget("time", f"over the time budget of {budget.seconds:g}s of CPU per file "
                                   "(file_time_budget)")
    try:
        if not receive.poll(budget.seconds * WALL_FACTOR):
            return OverBudget("time", f"no result after {budget.seconds * WALL_FACTOR:g}s, waiting rather "
                                      f"than computing (file_time_budget {budget.seconds:g}s of CPU)")
        try:
            kind, value = receive.recv()
        except (EOFError, OSError):
            child.join(5)
            if child.exitcode in (-signal.SIGKILL, -signal.SIGXCPU):  # the kernel's CPU limit
                return over_time
            return OverBudget("crashed", f"the worker for this file died (exit {child.exitcode})")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    if kind == "ok":
        return value
    if kind == "time":
        return over_time
    if kind == "memory":
        return OverBudget("memory", f"over the memory budget of {budget.memory_mb} MiB per file "
                                    "(file_memory_budget)")
    raise value


def _child(send: Any, budget: Budget, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    die_with_parent()
    _limit_memory(budget.memory_mb * MiB)
    _limit_cpu(budget.seconds)
    try:
        result: tuple[str, Any] = ("ok", function(*args))
    except _OutOfTime:
        result = ("time", None)
    except MemoryError:
        result = ("memory", None)
    except RecursionError as error:  # deep input: a finding, like running out of memory
        result = ("error", RecursionError(str(error)))
    except BaseException as error:  # noqa: BLE001 - handed to the parent, which decides
        result = ("error", error)
    try:
        send.send(result)
    except MemoryError:
        send.send(("memory", None))
    except Exception as error:  # noqa: BLE001 - an unpicklable error: send its text
        send.send(("error", RuntimeError(f"{type(error).__name__}: {error}")))
    finally:
        send.close()


class _OutOfTime(BaseException):
    """The child used its CPU seconds (SIGXCPU): unwinds whatever the work was doing."""


def _out_of_time(signum: int, frame: Any) -> None:
    raise _OutOfTime


def _limit_cpu(seconds: float) -> None:
    """SIGXCPU to this (forked, so freshly counted) process after `seconds` of CPU, SIGKILL two
    seconds later if C code holds the interpreter."""
    try:
        import resource

        limit, hard = max(1, math.ceil(seconds)), resource.getrlimit(resource.RLIMIT_CPU)[1]
        unlimited = hard == resource.RLIM_INFINITY
        resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 2) if unlimited else (min(limit, hard), hard))
        signal.signal(signal.SIGXCPU, _out_of_time)
    except (ImportError, OSError, ValueError, AttributeError):
        pass  # no RLIMIT_CPU here: the wall-clock backstop still holds


def _limit_memory(extra: int) -> None:
    """Cap this process's address space at what it maps now plus `extra` bytes."""
    try:
        import resource

        with open("/proc/self/statm") as handle:
            mapped = int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = mapped + extra
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # no /proc or no RLIMIT_AS (macOS): the time budget still holds
