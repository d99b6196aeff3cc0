"""One writer per project: an exclusive `fcntl.flock` on `.testcanon/lock`.

Every command that writes a user's file (fix, migrate, init, undo, resurrection) holds it from
before it reads to after its journal is closed, so two of them never interleave, and whoever
holds it knows that a run left "open" in the journal belongs to a process that died (the kernel
drops a flock with its last holder). A second command waits a little, then stops with a
one-line message naming the holder. The lock is re-entrant within one process (the command
takes it, its journal run takes it again) and is closed in forked workers, which must neither
keep it alive after their parent is killed nor release it for the parent.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from testcanon.errors import JournalError

LOCK_NAME = "lock"
TIMEOUT_ENV = "TESTCANON_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 10.0


class LockBusy(JournalError):
    """Another canon command is writing to this project."""


@dataclass
class _Held:
    fd: int
    depth: int


_held: dict[str, _Held] = {}
_mutex = threading.Lock()


def _forget_in_child() -> None:
    for held in _held.values():
        try:
            os.close(held.fd)  # the parent's lock stays: closing one copy of the fd does not unlock
        except OSError:
            pass
    _held.clear()


os.register_at_fork(after_in_child=_forget_in_child)


def lock_path(root: Path) -> Path:
    return root / ".testcanon" / LOCK_NAME


def lock_identity(root: Path) -> str | None:
    """Which lock file this is (device, inode, boot): a run records it when it opens, and
    recovery acts on a user's file only for a run written under this very lock, never for an
    "open" run that arrived in a tarball or a repository."""
    try:
        status = os.stat(lock_path(root), follow_symlinks=False)
    except OSError:
        return None
    try:
        boot = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        boot = ""
    return f"{status.st_dev}:{status.st_ino}:{boot}"


def holds_lock(root: Path) -> bool:
    return str(root.resolve()) in _held


@contextmanager
def project_lock(root: Path, command: str, *, timeout: float | None = None,
                 enabled: bool = True) -> Iterator[bool]:
    """Hold the project's write lock for the block; yields True when this call took it first
    (the outermost holder, which also recovers interrupted runs)."""
    if not enabled:
        yield False
        return
    key = str(root.resolve())
    with _mutex:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield False
        finally:
            with _mutex:
                held.depth -= 1
        return
    fd = _acquire(Path(key), command, timeout)
    with _mutex:
        _held[key] = _Held(fd, 1)
    try:
        from testcanon.journal.recovery import recover

        recover(Path(key))
        yield True
    finally:
        with _mutex:
            _held.pop(key, None)
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)


def _acquire(root: Path, command: str, timeout: float | None) -> int:
    from testcanon.state import state_dir

    if (root / ".testcanon").is_symlink():
        raise JournalError(f"{root / '.testcanon'} is a symbolic link; testcanon does not write through it")
    try:
        state_dir(root)
        path = lock_path(root)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise JournalError(f"cannot take the write lock of {root}: {exc.strerror or exc}") from None
    if timeout is None:
        try:
            timeout = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
        except ValueError:
            timeout = DEFAULT_TIMEOUT
    deadline = time.monotonic() + max(timeout, 0.0)
    delay = 0.01
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = _describe_holder(fd)
                os.close(fd)
                raise LockBusy(f"another canon command is writing to this project{holder}; "
                               "try again when it has finished") from None
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        except OSError as exc:
            os.close(fd)
            raise JournalError(f"cannot take the write lock of {root}: {exc.strerror or exc}") from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": command,
                                  "since": time.time()}).encode(), 0)
    except OSError:
        pass  # who holds it is only for the message of the one waiting
    return fd


def _describe_holder(fd: int) -> str:
    try:
        data = json.loads(os.pread(fd, 4096, 0) or b"{}")
        since = time.strftime("%H:%M:%S", time.localtime(float(data["since"])))
        return f" ({str(data['command'])[:60]}, pid {int(data['pid'])}, since {since})"
    except (OSError, ValueError, KeyError, TypeError):
        return ""
