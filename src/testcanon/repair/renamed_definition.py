"""Give a definition back the name its uses still say.

Bulk renames rewrite a module-level class or function where it is defined and leave every use of
the old name: on the corpus one script made helper classes read as tests
(`DevLauncherTestConfig` -> `TestDevLauncherConfig`) and a later one as anything else
(-> `DevLauncherConfigTests`), and the module raises `NameError: name 'DevLauncherTestConfig' is
not defined` on import (an annotation, a base class, a default value).

The file's history tells which definition it was: in the newest version that defines the missing
name at module level, its module-level definitions are aligned with today's by order (difflib);
the one standing in its place under a name that version does not define takes the missing name
back, when nothing else says that name (not the module, not another tracked file of the
repository's code: the project's excluded files, a backup folder's copy, are not) and pytest
would collect the same tests from the module after it (a class a rename made a test class holds
tests collected under its new name). Only the name in the `class`/`def` line changes.
Planning is static and reads history with git; the caller keeps the edit only when the file then
collects.
"""

from __future__ import annotations

import ast
import difflib
import io
import re
import tokenize
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from testcanon.analysis.pytest_config import PytestConfig
from testcanon.repair.history import file_history, read_version
from testcanon.repair.proof import countable_tests
from testcanon.source import GlobSet
from testcanon.vcs import git

VERSIONS = 50  # versions of the file read for the missing name
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Renaming:
    """Definitions of `path` renamed back to the names their uses say: (line, current, restored)."""

    path: str
    names: tuple[tuple[int, str, str], ...]
    commit: str  # the newest version that defined the missing name

    def describe(self) -> str:
        renamed = ", ".join(f"{now} -> {then} (line {line})" for line, now, then in self.names)
        return (f"{self.path}: gave definitions back the names their uses say: {renamed} "
                f"(as {self.commit[:10]})")


class Repository(NamedTuple):
    """Where the file's history is, what pytest collects there, and the files that are not its
    code (a backup folder's copy of the module still says the new name)."""

    root: Path
    naming: PytestConfig
    excluded: GlobSet


def restore_renamed_definitions(repository: Repository, relpath: str, source: bytes,
                                missing: str) -> tuple[bytes, Renaming] | None:
    """`source` with the definition renamed from `missing` given its name back (with the other
    definitions the same version shows renamed whose old names the module still uses), or None."""
    root, config = repository.root, repository.naming
    try:
        tree = ast.parse(source)
        uses = Counter(token.string for token in tokenize.tokenize(io.BytesIO(source).readline)
                       if token.type == tokenize.NAME)
    except (SyntaxError, ValueError, tokenize.TokenError):
        return None
    today = [node for node in tree.body if isinstance(node, _DEFINITIONS)]
    bound = _module_bindings(tree)
    if missing in bound:
        return None
    for commit, path, _, _ in file_history(root, relpath)[:VERSIONS]:
        then = _definitions_of(read_version(root, commit, path))
        if then is None or missing not in [name for name, _ in then]:
            continue
        aligned = _renamed_pairs(then, [(node.name, type(node)) for node in today])
        pairs = [(today[index], old) for index, old in aligned
                 if old == missing or (uses[old] and old not in bound)]
        if missing not in [old for _, old in pairs]:
            return None  # the newest version that defines it shows no renamed counterpart
        text, names = source, []
        collected = countable_tests(tree, config)
        for node, old in pairs:
            referenced = uses[node.name] > 1 or _elsewhere(repository, relpath, node.name)
            renamed = None if referenced else _renamed(text, node, old)
            # pytest must collect the same tests after it (a test class renamed into
            # `python_classes` holds tests collected under its new name)
            if renamed is None or countable_tests(ast.parse(renamed), config) != collected:
                if old == missing:
                    return None
                continue
            text = renamed
            names.append((node.lineno, node.name, old))
        return text, Renaming(relpath, tuple(names), commit)
    return None


def _definitions_of(content: bytes | None) -> list[tuple[str, type]] | None:
    if content is None:
        return None
    try:
        tree = ast.parse(content)
    except (SyntaxError, ValueError):
        return None
    return [(node.name, type(node)) for node in tree.body if isinstance(node, _DEFINITIONS)]


def _renamed_pairs(then: list[tuple[str, type]], today: list[tuple[str, type]]) -> list[tuple[int, str]]:
    """(index in `today`, name `then`) of each definition replaced one for one by one of the same
    kind under a name `then` does not define: where a rename stands."""
    names_then = {name for name, _ in then}
    pairs = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, then, today, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            pairs += [(j1 + k, then[i1 + k][0]) for k in range(i2 - i1)
                      if then[i1 + k][1] is today[j1 + k][1] and today[j1 + k][0] not in names_then]
    return pairs


def _module_bindings(tree: ast.Module) -> set[str]:
    """Every name the module binds at its top level (a definition, an import, an assignment)."""
    bound: set[str] = set()
    for node in tree.body:
        if isinstance(node, _DEFINITIONS):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        else:  # assignments, loop and `with` targets, and imports under `try` or `if`
            for inner in ast.walk(node):
                if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                    bound.add(inner.id)
                elif isinstance(inner, (ast.Import, ast.ImportFrom)):
                    bound.update((alias.asname or alias.name).split(".")[0] for alias in inner.names)
    return bound


def _renamed(source: bytes, node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef,
             restored: str) -> bytes | None:
    """`source` with the name in the definition's own `class`/`def` line replaced."""
    lines = source.splitlines(keepends=True)
    index = node.lineno - 1
    header = "^([ \t]*(?:async[ \t]+)?(?:class|def)[ \t]+)" + re.escape(node.name) + "\\b"
    pattern = re.compile(header.encode())
    if index >= len(lines) or not pattern.match(lines[index]):
        return None
    lines[index] = pattern.sub(lambda match: match.group(1) + restored.encode(), lines[index], count=1)
    return b"".join(lines)


def _elsewhere(repository: Repository, relpath: str, name: str) -> bool:
    """Whether another file of the repository's code says `name` (`git grep` of the tracked files,
    whole words; the project's excluded files are not its code)."""
    found = git(repository.root, "grep", "-l", "-z", "-w", "-F", "-e", name, "--", ".",
                f":(exclude){relpath}")
    if found.returncode not in (0, 1):
        return True  # not known: as if it did
    return any(path and not repository.excluded.match(path) for path in found.stdout.split("\0"))
