"""Which files a command looks at.

Inside a git work tree: the files git tracks plus untracked files it does not ignore (one
`git ls-files` call, the fastest way to honour every .gitignore). Elsewhere: a walk that
prunes excluded directories. Either way, configured excludes apply, symlinks that leave
the tree or loop are skipped, and the result is ordered by priority group, then path.
"""

from __future__ import annotations

import os
import stat
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from testcanon.config import Project
from testcanon.errors import UsageError
from testcanon.source.globs import GlobSet, first_match


@dataclass(frozen=True)
class SourceFile:
    """A file to analyse: `relpath` is POSIX and relative to the project root.

    `abspath` is a plain string because building 25,000 `Path` objects costs more than
    discovering the files; `path` gives the `Path` when a caller wants one.
    """

    priority: int
    relpath: str
    abspath: str

    @property
    def path(self) -> Path:
        return Path(self.abspath)


def discover(
    project: Project,
    paths: Sequence[Path | str] = (),
    *,
    include: Sequence[str] | None = None,
) -> list[SourceFile]:
    """Files under `paths` (default: the project root) that match `include` and no exclude."""
    root = project.root
    config = project.config
    includes = GlobSet(include if include is not None else config.include)
    excludes = GlobSet(config.all_excludes)
    priorities = [GlobSet([pattern]) for pattern in config.priority]

    scopes, explicit = _resolve_scopes(root, paths)
    prefix = str(root) + os.sep
    candidates = _git_files(root, scopes) if _in_git_work_tree(root) else None
    verified = candidates is None  # the walk already checked file types and symlinks
    if candidates is None:
        candidates = _walk_files(root, scopes, excludes)

    seen: set[str] = set()
    found: list[SourceFile] = []
    for relpath in candidates:
        if relpath in seen or not includes.match(relpath) or excludes.match(relpath):
            continue
        seen.add(relpath)
        abspath = prefix + relpath
        if verified or _is_regular_file_inside(abspath, root):
            found.append(SourceFile(first_match(priorities, relpath), relpath, abspath))
    for relpath in explicit:
        if relpath not in seen:
            seen.add(relpath)
            found.append(SourceFile(first_match(priorities, relpath), relpath, prefix + relpath))
    found.sort(key=lambda source: (source.priority, source.relpath))
    return found


def _resolve_scopes(root: Path, paths: Sequence[Path | str]) -> tuple[list[str], list[str]]:
    """Split the user's paths into directories to search and files named explicitly."""
    if not paths:
        return [""], []
    scopes: list[str] = []
    explicit: list[str] = []
    resolved_root = root.resolve()
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            raise UsageError(f"{raw}: no such file or directory")
        absolute = path.resolve()
        try:
            relpath = absolute.relative_to(resolved_root).as_posix()
        except ValueError:
            raise UsageError(f"{raw}: outside the project at {root}") from None
        relpath = "" if relpath == "." else relpath
        (explicit if absolute.is_file() else scopes).append(relpath)
    return scopes, explicit


def _in_git_work_tree(root: Path) -> bool:
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--is-inside-work-tree"],
            capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == "true"


def _git_files(root: Path, scopes: list[str]) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files, relative to `root`; None if git fails."""
    pathspecs = [f":(literal){scope}" for scope in scopes if scope] or ["."]
    try:
        result = subprocess.run(
            ["git", "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others",
             "--exclude-standard", "--", *pathspecs],
            cwd=root, capture_output=True, timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in names if name]


def _walk_files(root: Path, scopes: list[str], excludes: GlobSet) -> Iterator[str]:
    """Every file below the scopes, not descending into excluded or symlinked directories."""
    for scope in scopes:
        yield from _walk(root, scope, excludes)


def _walk(root: Path, start: str, excludes: GlobSet) -> Iterator[str]:
    resolved_root = root.resolve()
    stack = [start]
    while stack:
        relative_dir = stack.pop()
        directory = root / relative_dir if relative_dir else root
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            relpath = f"{relative_dir}/{entry.name}" if relative_dir else entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    if not excludes.match(relpath):
                        stack.append(relpath)
                elif entry.is_symlink():
                    if _is_regular_file_inside(entry.path, resolved_root):
                        yield relpath
                elif entry.is_file(follow_symlinks=False):
                    yield relpath
            except OSError:
                continue


def _is_regular_file_inside(abspath: str, root: Path) -> bool:
    """A file that exists and, if it is a symlink, resolves inside the tree (no escapes)."""
    try:
        mode = os.lstat(abspath).st_mode
        if not stat.S_ISLNK(mode):
            return stat.S_ISREG(mode)
        target = Path(abspath).resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return target.is_file() and target.is_relative_to(root.resolve())
