"""Where a project sits in its repository, so every report names files as the repository does.

Findings carry paths relative to the project root (the fingerprints and the baseline depend on
that). GitHub matches annotations and code-scanning alerts by paths relative to the repository
root, which differ when the project is a folder of a larger repository (a monorepo's `svc/`).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=8)
def repository_root(project_root: Path) -> Path:
    """The nearest folder at or above `project_root` holding `.git` (a directory, or the file
    of a worktree or submodule); the project root itself outside any repository."""
    here = project_root.resolve()
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    return here


def repository_prefix(project_root: Path) -> str:
    """`svc/` for a project in `<repo>/svc`, `""` when the project is the repository."""
    relative = project_root.resolve().relative_to(repository_root(project_root)).as_posix()
    return "" if relative == "." else relative + "/"
