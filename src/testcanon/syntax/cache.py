"""The scan cache: a file's verdict is reused while its content is unchanged.

Looked up by stat data first (size, mtime, inode: no read at all), then by content digest
(the file was touched but not changed). The cache file is keyed by interpreter and tool
version; anything unexpected in it (corruption, another version) means it is ignored and
rebuilt, never trusted. Entries whose mtime is too recent to be trusted (the file could
change again within the clock's granularity, git's "racy" case) keep no stat key, so the
next scan hashes them.
"""

from __future__ import annotations

import marshal
import sys
import time
from pathlib import Path

from testcanon.__about__ import __version__
from testcanon.state import atomic_write_bytes, state_dir
from testcanon.syntax.compile_check import Checked, Problem

FORMAT = 3  # 2: messages of files valid only on a newer Python say so; 3: the compiler's checks too
_RACY_WINDOW_NS = 2_000_000_000

StatKey = tuple[int, int, int]  # size, mtime_ns, inode


def _identity(max_size: int) -> tuple[object, ...]:
    return ("testcanon-scan", FORMAT, __version__, sys.implementation.name, sys.version, max_size)


def cache_path(root: Path) -> Path:
    tag = f"{sys.implementation.cache_tag or 'python'}"
    return root / ".testcanon" / "cache" / f"scan-{tag}.marshal"


class ScanCache:
    """In-memory view of the cache file; `save` writes it back atomically."""

    def __init__(self, path: Path, max_size: int) -> None:
        self.path = path
        self.max_size = max_size
        # relpath -> (stat key or None, digest, problem tuple or None)
        self.entries: dict[str, tuple[StatKey | None, bytes, tuple | None]] = {}
        self.dirty = False

    @classmethod
    def load(cls, path: Path, max_size: int) -> ScanCache:
        cache = cls(path, max_size)
        try:
            raw = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return cache
        if not (isinstance(raw, tuple) and len(raw) == 2 and raw[0] == _identity(max_size)
                and isinstance(raw[1], dict)):
            cache.dirty = True
            return cache
        cache.entries = raw[1]
        return cache

    def by_stat(self, relpath: str, key: StatKey) -> Problem | None | bool:
        """The cached problem (or None = compiles) if stat data matches; False on a miss."""
        entry = self.entries.get(relpath)
        if entry is None:
            return False
        try:
            if entry[0] != key:
                return False
            problem = entry[2]
            return None if problem is None else Problem(*problem)
        except (TypeError, IndexError):  # a damaged entry is a miss, never trusted
            return False

    def digest_of(self, relpath: str) -> bytes:
        entry = self.entries.get(relpath)
        try:
            digest, problem = entry[1], entry[2]  # type: ignore[index]
        except (TypeError, IndexError):
            return b""
        valid = problem is None or (isinstance(problem, tuple) and len(problem) == len(Problem._fields))
        return digest if isinstance(digest, bytes) and valid else b""

    def problem_of(self, relpath: str) -> Problem | None:
        entry = self.entries[relpath]
        return Problem(*entry[2]) if entry[2] is not None else None

    def store(self, checked: Checked, inode: int, now_ns: int) -> None:
        if not checked.digest:
            return  # unreadable or too large: always looked at again
        trusted = checked.mtime_ns < now_ns - _RACY_WINDOW_NS
        key = (checked.size, checked.mtime_ns, inode) if trusted else None
        value = (key, checked.digest, tuple(checked.problem) if checked.problem else None)
        if self.entries.get(checked.relpath) != value:
            self.entries[checked.relpath] = value
            self.dirty = True

    def prune(self, root: Path, scanned: set[str]) -> None:
        """Forget files that no longer exist (entries outside this scan's scope are kept)."""
        for relpath in list(self.entries.keys() - scanned):
            if not (root / relpath).is_file():
                del self.entries[relpath]
                self.dirty = True

    def save(self) -> None:
        if not self.dirty:
            return
        try:
            state_dir(self.path.parent.parent.parent)
            atomic_write_bytes(self.path, marshal.dumps((_identity(self.max_size), self.entries)))
        except OSError:
            pass  # a cache: a read-only tree or a file in the way is scanned again next time
        self.dirty = False


def now_ns() -> int:
    return time.time_ns()
