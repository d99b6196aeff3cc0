"""The isolated copy of a project that verification runs the project's tests in.

Tests run there may write, append, delete and rename anything they like: nothing in the copy
is a hard link or a symbolic link into the user's tree, so none of it can reach the user's
files. Every file is a real copy, or a copy-on-write clone (`FICLONE`) where the file system
supports it (btrfs, XFS), which costs no data until one side is written.

Only what the tests can need is copied: not version-control folders, caches, `node_modules` or
virtual environments (the target interpreter runs from where it lives), nor the project's
excluded folders (backups, archives, build output) unless the tests being verified import a
module of that name (vendored code). Files are copied by a pool of threads: the kernel does the
copying (`sendfile`/`copy_file_range`), so the threads overlap the I/O.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import stat
import threading
import time
from collections.abc import Mapping, Sequence, Set
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from testcanon.source import GlobSet

# Never needed to run tests, and often the largest folders of a checkout.
NEVER_COPIED = frozenset({".git", ".hg", ".svn", "node_modules", ".testcanon", "__pycache__", ".mypy_cache",
                          ".ruff_cache", ".pytest_cache", ".tox", ".nox"})
_UMASK = os.umask(0)
os.umask(_UMASK)
_CREATED_MODE = 0o666 & ~_UMASK  # the mode a new file gets
_FICLONE = 0x40049409  # linux/fs.h: _IOW(0x94, 9, int)
_IMPORT = re.compile(rb"^[ \t]*(?:from|import)[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*)", re.MULTILINE)


@dataclass(frozen=True)
class CopyStats:
    """What making the copy cost: files, bytes, how (clone or copy), seconds."""

    files: int
    bytes: int
    cloned: int
    seconds: float
    skipped_folders: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"files": self.files, "bytes": self.bytes, "cloned": self.cloned,
                "seconds": round(self.seconds, 3), "skipped_folders": list(self.skipped_folders)}


def imported_names(sources: list[bytes]) -> set[str]:
    """Every component of every module the sources import (`import a.b` -> a, b): an excluded
    folder of one of these names may be vendored code the tests need."""
    names: set[str] = set()
    for data in sources:
        for match in _IMPORT.finditer(data):
            for module in match.group(1).split(b","):
                names.update(part.decode() for part in module.strip().split(b".") if part)
    return names


def isolated_copy(root: Path, destination: Path, excluded: GlobSet | None = None,
                  imported: Set[str] = frozenset(), workers: int = 8) -> CopyStats:
    """Copy the project at `root` to `destination` (created; must not exist) for tests to run in.

    Symbolic links are re-created only when they stay inside the project: a link to a file or
    folder of the project points at the copy's counterpart; a link leaving the project keeps
    its (absolute) target, which is not the user's tree. Modes are kept; directories are made
    writable so tests can create files as they would at home.
    """
    started = time.perf_counter()
    root = root.resolve()
    destination.mkdir(parents=True)
    copier = _Copier()
    skipped: list[str] = []
    jobs: list[tuple[str, Path]] = []
    for folder, dirnames, filenames in os.walk(root):
        relfolder = os.path.relpath(folder, root)
        target = destination if relfolder == "." else destination / relfolder
        kept = []
        for name in dirnames:
            source = os.path.join(folder, name)
            relpath = name if relfolder == "." else f"{relfolder}/{name}"
            if os.path.islink(source):
                _relink(root, destination, source, target / name)
            elif _skipped(name, source, relpath, excluded, imported):
                skipped.append(relpath)
            else:
                (target / name).mkdir()
                kept.append(name)
        dirnames[:] = kept
        for name in filenames:
            source = os.path.join(folder, name)
            relpath = name if relfolder == "." else f"{relfolder}/{name}"
            if os.path.islink(source):
                _relink(root, destination, source, target / name)
            else:
                jobs.append((source, target / name))
    if workers > 1 and len(jobs) > 64:
        with ThreadPoolExecutor(workers) as pool:
            sizes = list(pool.map(lambda job: copier.copy(*job), jobs, chunksize=32))
    else:
        sizes = [copier.copy(*job) for job in jobs]
    return CopyStats(len(jobs), sum(sizes), copier.cloned, time.perf_counter() - started, tuple(skipped))


def _skipped(name: str, source: str, relpath: str, excluded: GlobSet | None, imported: Set[str]) -> bool:
    if name in NEVER_COPIED or os.path.exists(os.path.join(source, "pyvenv.cfg")):
        return True
    return excluded is not None and excluded.match(relpath) and name not in imported


def _relink(root: Path, destination: Path, source: str, link: Path) -> None:
    """Re-create the symlink `source` at `link` without ever pointing into the user's tree."""
    target = os.readlink(source)
    resolved = Path(os.path.normpath(os.path.join(os.path.dirname(source), target)))
    try:
        inside = resolved.relative_to(root)
    except ValueError:  # leaves the project: the same absolute target (not the user's files)
        os.symlink(str(resolved), link)
        return
    counterpart = destination / inside
    os.symlink(os.path.relpath(counterpart, link.parent), link)


class _Copier:
    """Clone each file where the file system can (tried once), else copy it; thread-safe."""

    def __init__(self) -> None:
        self.can_clone = hasattr(os, "O_RDONLY") and os.name == "posix"
        self.cloned = 0
        self._lock = threading.Lock()

    def copy(self, source: str, target: Path) -> int:
        info = os.stat(source)
        if not stat.S_ISREG(info.st_mode):  # a socket or fifo in the tree: nothing to copy
            return 0
        if not (self.can_clone and self._clone(source, target)):
            shutil.copyfile(source, target)
        mode = stat.S_IMODE(info.st_mode) | stat.S_IWUSR
        if mode != _CREATED_MODE:  # (most files: one system call fewer each)
            os.chmod(target, mode)
        return info.st_size

    def _clone(self, source: str, target: Path) -> bool:
        import fcntl

        with open(source, "rb") as src, open(target, "wb") as dst:
            try:
                fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
            except OSError as error:
                if error.errno in (errno.EOPNOTSUPP, errno.ENOTTY, errno.EXDEV, errno.EINVAL, errno.ENOSYS,
                                   errno.EPERM, errno.EBADF):
                    self.can_clone = False  # this file system cannot: plain copies from now on
                    return False
                raise
        with self._lock:
            self.cloned += 1
        return True


def put(path: Path, data: bytes) -> None:
    """Write `data` as the file at `path` in the copy (a new file: never through an old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    path.write_bytes(data)


def child_env(copy: Path, extra_path: Sequence[Path] = (),
              base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment a test process runs with in the copy.

    The copy's `src/` and root come first on `PYTHONPATH`: a project installed editable into
    its venv would otherwise import its modules from the user's tree (and tests writing next
    to `__file__` would write there). Git is stopped at the copy (`GIT_CEILING_DIRECTORIES`),
    so a test running git in the copy finds no repository rather than the user's.
    """
    env = dict(os.environ if base is None else base)
    env.pop("TESTCANON_RESULTS_FILE", None)
    paths = [str(path) for path in extra_path]
    if (copy / "src").is_dir():
        paths.append(str(copy / "src"))
    paths.append(str(copy))
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GIT_CEILING_DIRECTORIES"] = str(copy.parent)
    return env
