"""Run one child process under a hard time bound, and say honestly how it ended.

The child is its own process group, so a timeout (or Ctrl-C here) ends it with everything it
started (xdist workers, servers a conftest spawned): SIGTERM, a grace period, then SIGKILL.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

GRACE_SECONDS = 3.0


@dataclass(frozen=True)
class Finished:
    returncode: int
    output: str
    seconds: float
    timed_out: bool
    timeout: float | None


HELPER_SECONDS = 30.0  # at most this long for `while_running` to finish once the child has ended


def run_bounded(command: list[str], *, cwd: Path, env: Mapping[str, str], timeout: float | None,
                stream: bool = False, while_running: Callable[[], object] | None = None) -> Finished:
    """Run `command`; after `timeout` seconds its whole process group is ended. `while_running`
    is called in a thread once the child has started: work this process needs only afterwards
    (importing what renders the results) then costs no time the child is not already taking."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                               stdout=None if stream else subprocess.PIPE,
                               stderr=None if stream else subprocess.STDOUT,
                               text=True, errors="replace", start_new_session=True)
    helper: threading.Thread | None = None
    timed_out = False
    try:
        if while_running is not None:
            helper = threading.Thread(target=while_running, name="canon-while-running", daemon=True)
            helper.start()
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
        output = _end(process)
    except BaseException:  # Ctrl-C here: the child is in its own session, end it too
        _end(process)
        raise
    finally:
        # The caller needs the helper's work once the child is done (or it is Ctrl-C): never
        # return, nor unwind to an exit, while the helper is still half-way through it.
        if helper is not None:
            helper.join(timeout=HELPER_SECONDS)
    return Finished(process.returncode, output or "", time.perf_counter() - started, timed_out, timeout)


def _end(process: subprocess.Popen[str]) -> str:
    output = ""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        _signal_group(process.pid, sig)
        try:
            output = process.communicate(timeout=GRACE_SECONDS)[0] or ""
            break
        except subprocess.TimeoutExpired:
            continue
    _signal_group(process.pid, signal.SIGKILL)  # whatever of the group outlived its leader
    process.wait()
    return output


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
