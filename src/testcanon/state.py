"""The `.testcanon/` directory at a project root: caches, journal, history, baseline."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

STATE_DIR = ".testcanon"


def state_dir(root: Path) -> Path:
    """Create `.testcanon/` (ignored by git, like `.ruff_cache`) and return it."""
    directory = root / STATE_DIR
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
    gitignore = directory / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text("# Created by testcanon: local state, never committed.\n*\n")
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
