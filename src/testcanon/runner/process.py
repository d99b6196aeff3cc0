"""Run one child process under a hard time bound, and say honestly how it ended.

The child is its own process group, so a timeout (or Ctrl-C here) ends it with everything it
started (xdist workers, servers a conftest spawned): SIGTERM, a grace period, then SIGKILL.
Being its own group, it hears neither Ctrl-C at the terminal nor a SIGTERM sent to canon: on
either, `end_children` ends every child still running, whichever thread waits on it (a pool of
pytest collections would otherwise be waited for to the end), and no new one starts.
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

_LIVE: set[subprocess.Popen[str]] = set()  # the children run_bounded waits on, in any thread
_STARTING = threading.RLock()  # from the check to the registration; re-entered by a signal handler
_ENDING = threading.Event()


class Ending(RuntimeError):
    """canon is ending (SIGTERM, Ctrl-C): a child asked for now is not started."""


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
    with _STARTING:
        if _ENDING.is_set():
            raise Ending("canon is ending: no new process is started")
        process = subprocess.Popen(command, cwd=cwd, env=dict(env), stdin=subprocess.DEVNULL,
                                   stdout=None if stream else subprocess.PIPE,
                                   stderr=None if stream else subprocess.STDOUT,
                                   text=True, errors="replace", start_new_session=True)
        _LIVE.add(process)
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
        with _STARTING:
            _LIVE.discard(process)
        # The caller needs the helper's work once the child is done (or it is Ctrl-C): never
        # return, nor unwind to an exit, while the helper is still half-way through it.
        if helper is not None:
            helper.join(timeout=HELPER_SECONDS)
    return Finished(process.returncode, output or "", time.perf_counter() - started, timed_out, timeout)


def end_children() -> None:
    """End every child's process group (SIGTERM, then SIGKILL after the grace period to what
    is left) and start no other: for canon's own SIGTERM and Ctrl-C, which its children, each in
    its own session, do not hear. The threads waiting on them then return at once."""
    with _STARTING:
        _ENDING.set()
        live = [process.pid for process in _LIVE]
    for pid in live:
        _signal_group(pid, signal.SIGTERM)
    if live:  # then to the groups whose leader is still not waited for (its pid is not reused)
        timer = threading.Timer(GRACE_SECONDS, _kill_live)
        timer.daemon = True
        timer.start()


def _kill_live() -> None:
    with _STARTING:
        live = [process.pid for process in _LIVE]
    for pid in live:
        _signal_group(pid, signal.SIGKILL)


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
