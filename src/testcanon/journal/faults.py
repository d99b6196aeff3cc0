"""Fault injection at the named steps of the write protocol (for tests and `bench/faults.py`).

`TESTCANON_FAULT=ACTION:STEP[:N]` makes the process act at the Nth time (default 1) it reaches
STEP: `kill` sends itself SIGKILL (no cleanup, no `finally`, like the OOM killer or a power cut),
`enospc`, `eio` and `eperm` raise the matching `OSError` (a full disk, a failing disk, an
immutable file). `TESTCANON_FAULT_TRACE=FILE` appends every step reached, one per line, so a
harness can learn which steps a command goes through and draw kill points among them.
Tests in the same process can install a callable with `set_hook`.
"""

from __future__ import annotations

import errno
import os
import signal
from collections import Counter
from collections.abc import Callable

ENV = "TESTCANON_FAULT"
TRACE_ENV = "TESTCANON_FAULT_TRACE"

# Every step, in the order one file goes through them. A harness may draw among these.
STEPS = (
    "run.dir",          # the run's directory exists, its manifest not yet
    "run.open",         # manifest written with status "open"
    "backup",           # one original copied under files/, durable
    "intent",           # every intent of the batch appended to the log, fsynced
    "temp.partial",     # half of the new bytes in the temporary file
    "temp",             # temporary file complete (made durable with its batch), user's file untouched
    "inplace.partial",  # half of the new bytes rewritten into a hard-linked file's own inode
    "replace",          # the user's file replaced (or rewritten in place), directory not yet synced
    "applied",          # the entry recorded as applied in the log
    "close.manifest",   # final manifest written, log not yet removed
    "undo.begin",       # manifest says "undoing", no file restored yet
    "undo.file",        # one file restored
    "recover.file",     # recovery put one file back from its backup
)

_ERRORS = {"enospc": errno.ENOSPC, "eio": errno.EIO, "eperm": errno.EPERM, "erofs": errno.EROFS}

_hook: Callable[[str], None] | None = None
_seen: Counter[str] = Counter()


def set_hook(hook: Callable[[str], None] | None) -> None:
    """Install (or remove, with None) an in-process callable run at every step."""
    global _hook
    _hook = hook
    _seen.clear()


def fault(step: str) -> None:
    """Mark that the protocol reached `step`; act if a fault is armed for it."""
    trace = os.environ.get(TRACE_ENV)
    if trace:
        with open(trace, "a", encoding="utf-8") as handle:
            handle.write(step + "\n")
    if _hook is not None:
        _hook(step)
    spec = os.environ.get(ENV)
    if not spec:
        return
    action, _, rest = spec.partition(":")
    wanted, _, count = rest.partition(":")
    if wanted != step:
        return
    _seen[step] += 1
    if _seen[step] != (int(count) if count.isdigit() else 1):
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if action in _ERRORS:
        code = _ERRORS[action]
        raise OSError(code, os.strerror(code) + f" (injected at {step})")
