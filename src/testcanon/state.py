"""The `.testcanon/` directory at a project root: caches, journal, history, baseline."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

STATE_DIR = ".testcanon"


# What makes a directory a project the command line may keep state in: one of these, or being
# the directory canon runs in (`canon init` in a bare folder makes it a project). A path named
# elsewhere that belongs to no project (`canon scan /etc`) is read, never written: caches are
# skipped, and commands that need state (a journal, a history) say so in one line. Root
# inference is `config.loader.find_root`; a library caller passing a root explicitly is trusted.
PROJECT_MARKERS = ("pyproject.toml", ".git", ".hg", "setup.py", "setup.cfg", STATE_DIR)


_enforced = False  # set by the command line (`canon ...`); the library writes where it is told


def enforce_project_roots() -> None:
    """From now on (in this process and its forks) state is kept only in project roots."""
    global _enforced
    _enforced = True


def is_project_root(root: Path) -> bool:
    if any((root / marker).exists() for marker in PROJECT_MARKERS):
        return True
    try:
        return root.resolve() == Path.cwd().resolve()
    except OSError:
        return False


def state_dir(root: Path) -> Path:
    """Create `.testcanon/` (ignored by git, like `.ruff_cache`) and return it.

    Raises `StateError` (a one-line `CanonError`, and an `OSError` that caches may ignore) when
    it cannot be: a file in its place, a read-only project, a full disk."""
    from testcanon.errors import StateError

    directory = root / STATE_DIR
    try:
        if not directory.is_dir():
            if _enforced and not is_project_root(root) and not (directory.exists() or directory.is_symlink()):
                raise StateError(f"{root} is not a project (no {' or '.join(PROJECT_MARKERS[:2])} "
                                 "there or above, and not the current directory): testcanon reads it but "
                                 "writes nothing there")
            try:  # another canon may create it at the same moment: that is no error
                directory.mkdir(parents=True, exist_ok=True)
            except FileExistsError:
                pass
            if not directory.is_dir():
                raise StateError(f"{directory} is not a directory; move it away so testcanon can "
                                 "keep its state there")
        gitignore = directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# Created by testcanon: local state, never committed.\n*\n")
    except StateError:
        raise
    except OSError as exc:
        raise StateError(f"cannot write testcanon's state in {directory}: "
                         f"{exc.strerror or exc}") from None
    return directory


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write_bytes(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `data` to `path` so that readers see the old bytes or the new, never a mix."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp creates 0600: keep the mode of the file replaced, else what open() would give
        os.chmod(tmp_name, mode if mode is not None else _mode_for(path))
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
