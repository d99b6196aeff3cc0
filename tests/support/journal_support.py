"""Helpers of the journal tests: exact snapshots of a tree, temporary files left, kill runs."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

Snapshot = dict[str, tuple[str, bytes, int]]


def snapshot(root: Path) -> Snapshot:
    """Every file, link and folder under `root` but `.testcanon/`: kind, bytes (or link text), mode."""
    found: Snapshot = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != ".testcanon" or Path(folder) != root)
        for name in dirs + files:
            path = Path(folder) / name
            relpath = str(path.relative_to(root))
            status = path.lstat()
            if stat.S_ISLNK(status.st_mode):
                found[relpath] = ("link", os.readlink(path).encode(), 0)
            elif stat.S_ISDIR(status.st_mode):
                found[relpath] = ("dir", b"", stat.S_IMODE(status.st_mode))
            else:
                found[relpath] = ("file", path.read_bytes(), stat.S_IMODE(status.st_mode))
    return found


def temp_files(root: Path) -> list[str]:
    """Temporary files of the write protocol left anywhere under `root` (journal included)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if p.name.endswith(".tmp") and (p.name.startswith(".canon.") or ".canon." in p.name))


def run_python(code: str, cwd: Path, env: dict[str, str] | None = None,
               timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def run_canon_env(*args: str, cwd: Path, env: dict[str, str] | None = None,
                  timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "testcanon", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, **(env or {})})
