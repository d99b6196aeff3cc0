"""What the import repair knows of the repository: its modules and the names each defines
(read lazily, never imported), how its modules import a name, and where git's rename history
says a file went."""

from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from testcanon.config import Project
from testcanon.repair.imports import ModuleIndex, from_imports, is_test_module
from testcanon.repair.statements import imported_names, only_binding, top_level_names
from testcanon.source import discover
from testcanon.source.copies import copy_folder
from testcanon.vcs import git


def module_index(project: Project) -> ModuleIndex:
    """The project's modules, read lazily: a name's home is looked for only in the files whose
    text mentions it (`git grep`; every file outside git)."""
    files = [source.relpath for source in discover(project, ()) if source.relpath.endswith(".py")]
    root = project.root

    def mentioning(name: str) -> list[str]:
        done = git(root, "grep", "-l", "-w", "-F", "--untracked", "-e", name, "--", "*.py", timeout=300)
        return done.stdout.splitlines() if done.returncode in (0, 1) else files

    return ModuleIndex(files=files, names_in=lambda relpath: defined_names((root / relpath).read_bytes()),
                       mentioning=mentioning if (root / ".git").exists() else None,
                       imports_in=functools.lru_cache(maxsize=8192)(  # one file serves many names
                           lambda relpath: tuple(from_imports(_read(root / relpath), relpath))))


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # `git grep` names a file a symlink or a deletion since made unreadable
        return b""


def defined_names(source: bytes) -> list[str]:
    """A module's top-level definitions: functions, classes, assigned names (parsed, never imported)."""
    try:
        return top_level_names(ast.parse(source))
    except (SyntaxError, ValueError):
        return []


def import_convention(root: Path) -> Callable[[str], tuple[str, int] | None]:
    """How the repository's own modules import a name: the one-line, module-level, absolute
    import statement that binds it in the most files (copies such as `backups/` aside), with
    that count; None when fewer than two files agree on it or two statements tie (no convention
    to follow). Found with `git grep` (never imported); nothing outside git."""

    @functools.lru_cache(maxsize=1024)
    def convention(name: str) -> tuple[str, int] | None:
        if not re.fullmatch(r"[A-Za-z_]\w*", name) or not (root / ".git").exists():
            return None
        posix = rf"^(import|from[[:space:]]+[[:alnum:]_.]+[[:space:]]+import)[[:space:]].*\b{name}\b"
        perl = rf"^(import|from\s+[\w.]+\s+import)\s.*\b{name}\b"
        for syntax, pattern in (("-P", perl), ("-E", posix)):  # PCRE is 15x faster; a git may lack it
            done = git(root, "grep", syntax, "--untracked", "-e", pattern, "--", "*.py", timeout=300)
            if done.returncode in (0, 1):
                break
        if done.returncode != 0:
            return None
        files: dict[str, set[str]] = {}
        for line in done.stdout.splitlines():
            relpath, _, statement = line.partition(":")
            if copy_folder(relpath) is not None:
                continue
            try:
                node = ast.parse(statement).body[0]
            except (SyntaxError, ValueError, IndexError):
                continue  # the first line of a parenthesised import, or not an import at all
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not getattr(node, "level", 0) \
                    and name in imported_names(node):
                files.setdefault(ast.unparse(only_binding(node, name)), set()).add(relpath)
        ranked = Counter({statement: len(paths) for statement, paths in files.items()}).most_common(2)
        if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
            return None
        return ranked[0]

    return convention


def sole_definition(index: ModuleIndex) -> Callable[[str], tuple[str, str] | None]:
    """The module, and its file, that alone defines a name at module level, copies (`backups/`)
    and test modules aside (a test module is no helper's home); None when no file or several
    files do. A file importable under two names (`src.pkg.m`, `pkg.m`) gives its shortest."""

    @functools.lru_cache(maxsize=1024)
    def home(name: str) -> tuple[str, str] | None:
        by_file: dict[str, list[str]] = {}
        for module in index.homes_of(name, ""):
            relpath = index.paths[module]
            if copy_folder(relpath) is None and not is_test_module(relpath):
                by_file.setdefault(relpath, []).append(module)
        if len(by_file) != 1:
            return None
        (relpath, modules), = by_file.items()
        return min(modules, key=len), relpath

    return home


def renames(root: Path) -> dict[str, str]:
    """old path -> where it lives now, from git's rename history (chains followed; none outside git)."""
    done = git(root, "log", "--no-merges", "-M", "--diff-filter=R", "--name-status", "--format=", timeout=300)
    if done.returncode != 0:
        return {}
    steps: dict[str, str] = {}
    for line in reversed(done.stdout.splitlines()):  # oldest first: a later rename of the same path wins
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].startswith("R"):
            steps[parts[1]] = parts[2]
    resolved: dict[str, str] = {}
    for old in steps:
        seen, new = {old}, steps[old]
        while new in steps and new not in seen:
            seen.add(new)
            new = steps[new]
        if (root / new).is_file():
            resolved[old] = new
    return resolved
