"""The file operations of the write protocol: durable, atomic, owner- and link-preserving."""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import stat
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from testcanon.journal.faults import fault


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Seen:
    """What a file looked like when it was read: enough to notice any later change cheaply."""

    ino: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, status: os.stat_result) -> Seen:
        return cls(status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def read_regular(path: Path) -> tuple[bytes, os.stat_result] | None:
    """The bytes and status of a regular file (not following a final symlink), None if absent."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise IsADirectoryError(errno.ELOOP, "is a symbolic link", str(path)) from None
        raise
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a regular file", str(path))
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), status
    finally:
        os.close(fd)


def current_sha(path: Path) -> str | None:
    """The digest of a regular file, None when there is none (missing, a folder, a link)."""
    try:
        found = read_regular(path)
    except OSError:
        return None
    return None if found is None else sha(found[0])


def fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


def _write_range(fd: int, view: memoryview) -> None:
    while view:
        view = view[os.write(fd, view):]


def _write_all(fd: int, data: bytes, *, step: str | None = None) -> None:
    """Write every byte; with `step`, the fault hook runs when half of them are written."""
    view = memoryview(data)
    half = len(view) // 2 if step else len(view)
    _write_range(fd, view[:half])
    if step:
        fault(step)
    _write_range(fd, view[half:])


def write_new(path: Path, data: bytes, mode: int, *, owner: tuple[int, int] | None = None,
              step: str | None = None, sync: bool = True) -> None:
    """Create `path` (which must not exist) with `data`; durable once this returns, unless
    `sync` is False (the caller then makes a whole batch durable at once: `make_durable`)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        _write_all(fd, data, step=step)
        if owner is not None:
            os.fchown(fd, *owner)
        os.fchmod(fd, mode)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)


def _load_syncfs() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.syncfs  # type: ignore[no-any-return]
    except (OSError, AttributeError):
        return None


_syncfs = _load_syncfs() if sys.platform.startswith("linux") else None


def make_durable(paths: Iterable[Path]) -> None:
    """Flush a batch of just-written files to disk: one syncfs(2) per filesystem where Linux
    has it (an fsync costs ~10 ms on a slow disk, 755 of them ~8 s), else an fsync each."""
    by_device: dict[int, list[Path]] = {}
    for path in paths:
        by_device.setdefault(os.stat(path, follow_symlinks=False).st_dev, []).append(path)
    for files in by_device.values():
        if _syncfs is not None:
            fd = os.open(files[0], os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                if _syncfs(fd) == 0:
                    continue
            finally:
                os.close(fd)
        for path in files:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def rewrite_in_place(path: Path, data: bytes, *, step: str | None = None) -> None:
    """Overwrite the bytes of `path` in its own inode: hard links and owner stay (not atomic:
    the journal's backup and intent make it recoverable)."""
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        _write_all(fd, data, step=step)
        os.ftruncate(fd, len(data))
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """The journal's own files: temporary sibling, fsync, rename, fsync the folder."""
    temporary = path.with_name(f".{path.name}.canon.tmp")
    try:
        os.unlink(temporary)
    except FileNotFoundError:
        pass
    try:
        write_new(temporary, data, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def can_give(status: os.stat_result) -> bool:
    """Whether a new file made by this process can get `status`'s owner and group."""
    if os.geteuid() == 0:
        return True
    return status.st_uid == os.geteuid() and (status.st_gid == os.getegid()
                                              or status.st_gid in os.getgroups())


def same_owner(status: os.stat_result) -> bool:
    return status.st_uid == os.geteuid() and status.st_gid == os.getegid()


def temp_name(target: Path, run_id: str, index: int, *, undo: bool = False) -> Path:
    """The temporary sibling of a run's `index`th file: derived, so recovery finds it."""
    return target.parent / f".canon.{run_id}.{index}{'.undo' if undo else ''}.tmp"


def remove_quietly(path: Path) -> bool:
    try:
        os.unlink(path)
        return True
    except FileNotFoundError:
        return False
