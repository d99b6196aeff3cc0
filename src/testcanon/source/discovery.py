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
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path

from testcanon.config import Project
from testcanon.errors import UsageError
from testcanon.source.globs import GlobSet, first_match
from testcanon.source.listing_cache import ListingCache
from testcanon.vcs import git_command, git_env


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
    if not scopes:  # only files were named: nothing to search
        return _with_explicit([], explicit, priorities, prefix)
    git_dir = _git_dir(root)
    listing_cache = ListingCache(root)
    walked = _walk_files(listing_cache, root, scopes, excludes)
    # The filtered result is reused while no directory changed (a file added, removed or
    # renamed changes its directory's mtime) and, in git, while the index and the ignore
    # files are unchanged: git's "untracked cache" idea, without touching the user's index.
    state = _git_state(root, git_dir, walked) if git_dir else ()
    result_key = (includes.patterns, excludes.patterns, tuple(config.priority), tuple(scopes), state)
    if not listing_cache.dirty:
        cached = listing_cache.results.get(result_key)
        if cached is not None:
            return _with_explicit([SourceFile(p, r, prefix + r) for p, r in cached],
                                  explicit, priorities, prefix)
    candidates = _git_files(root, scopes) if git_dir else None
    verified = candidates is None  # the walk already checked file types and symlinks
    if candidates is None:
        candidates = walked

    found: list[SourceFile] = []
    seen: set[str] = set()
    for relpath in candidates:
        if relpath in seen or not includes.match(relpath) or excludes.match(relpath):
            continue
        seen.add(relpath)
        abspath = prefix + relpath
        if verified or _is_regular_file_inside(abspath, root):
            found.append(SourceFile(first_match(priorities, relpath), relpath, abspath))
    found.sort(key=attrgetter("priority", "relpath"))
    listing_cache.store_result(result_key, [(f.priority, f.relpath) for f in found])
    listing_cache.save()
    return _with_explicit(found, explicit, priorities, prefix)


def _with_explicit(
    found: list[SourceFile], explicit: list[str], priorities: list[GlobSet], prefix: str
) -> list[SourceFile]:
    """Add files the user named on the command line, even if no include glob matches them."""
    if not explicit:
        return found
    seen = {source.relpath for source in found}
    extra = [SourceFile(first_match(priorities, r), r, prefix + r) for r in explicit if r not in seen]
    return sorted([*found, *extra], key=attrgetter("priority", "relpath"))


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
            via = f" (a symlink to {absolute})" if path.is_symlink() else ""
            raise UsageError(f"{raw}: outside the project at {root}{via}; testcanon reads and "
                             "writes only inside the project a path is named in") from None
        relpath = "" if relpath == "." else relpath
        (explicit if absolute.is_file() else scopes).append(relpath)
    return scopes, explicit


def _git_dir(root: Path) -> str | None:
    """The git directory when `root` is inside a work tree whose ignore rules do not swallow
    the project root itself (a project copied into an ignored folder is walked instead)."""
    try:
        result = subprocess.run(
            git_command("-C", str(root), "rev-parse", "--is-inside-work-tree", "--absolute-git-dir"),
            capture_output=True, text=True, timeout=30, env=git_env(),
        )
        lines = result.stdout.split()
        if result.returncode != 0 or lines[:1] != ["true"] or len(lines) < 2:
            return None
        ignored = subprocess.run(git_command("-C", str(root), "check-ignore", "-q", "."),
                                 capture_output=True, timeout=30, env=git_env())
    except (OSError, subprocess.TimeoutExpired):
        return None
    return lines[1] if ignored.returncode != 0 else None


def _git_state(root: Path, git_dir: str, walked: list[str]) -> tuple[object, ...]:
    """What git's answer depends on besides the directory listings: index and ignore files."""
    def stamp(path: str) -> tuple[int, int]:
        try:
            st = os.stat(path)
        except OSError:
            return (0, 0)
        return (st.st_mtime_ns, st.st_size)

    ignore_files = [name for name in walked if name == ".gitignore" or name.endswith("/.gitignore")]
    return (stamp(os.path.join(git_dir, "index")), stamp(os.path.join(git_dir, "info", "exclude")),
            tuple((name, stamp(os.path.join(root, name))) for name in sorted(ignore_files)))


def _git_files(root: Path, scopes: list[str]) -> list[str] | None:
    """Tracked plus untracked-but-not-ignored files, relative to `root`; None if git fails."""
    pathspecs = [f":(literal){scope}" for scope in scopes if scope] or ["."]
    try:
        result = subprocess.run(
            git_command("-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others",
                        "--exclude-standard", "--", *pathspecs),
            cwd=root, capture_output=True, timeout=120, env=git_env(),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if result.returncode != 0:
        return None
    names = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in names if name]


def _walk_files(cache: ListingCache, root: Path, scopes: list[str], excludes: GlobSet) -> list[str]:
    """Every file below the scopes, not descending into excluded or symlinked directories."""
    found: list[str] = []
    for scope in scopes:
        stack = [scope]
        while stack:
            reldir = stack.pop()
            listing = cache.listing(reldir, os.path.join(root, reldir) if reldir else str(root))
            if listing is None:
                continue
            prefix = f"{reldir}/" if reldir else ""
            for name in listing[1]:
                relpath = prefix + name
                if not excludes.match(relpath):
                    stack.append(relpath)
            found.extend(prefix + name for name in listing[2])
    return found


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
