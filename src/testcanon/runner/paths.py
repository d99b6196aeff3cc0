"""The shortest pytest arguments that select exactly a set of test files.

pytest handles each command-line path separately, which costs seconds on hundreds of files
(2.6 s for 300 files, measured by bench/runner.py); a folder whose test files all belong to
the set is passed as the folder instead. A folder qualifies only when every test-named file
on disk below it is in the set, so pytest collects exactly the same files either way.
"""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from testcanon.rules.context import is_test_filename

_SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", ".testcanon", ".tox", ".nox"}


def _tests_on_disk(root: Path, top: str) -> set[str]:
    found = set()
    for directory, dirs, files in os.walk(root / top):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        rel = os.path.relpath(directory, root).replace(os.sep, "/")
        found.update(f"{rel}/{name}" for name in files if is_test_filename(name))
    return found


def compress(root: Path, files: list[str]) -> list[str]:
    chosen = set(files)
    tops = sorted({f.split("/", 1)[0] for f in files if "/" in f})
    result = sorted(f for f in files if "/" not in f)
    on_disk: set[str] = set()
    for top in tops:
        on_disk |= _tests_on_disk(root, top)
    below: dict[str, set[str]] = defaultdict(set)  # folder -> test files on disk below it
    for path in on_disk:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            below["/".join(parts[:depth])].add(path)

    def visit(folder: str) -> None:
        if below[folder] and below[folder] <= chosen:
            result.append(folder)
            return
        children = sorted({p[len(folder) + 1:].split("/", 1)[0] for p in chosen if p.startswith(folder + "/")})
        for child in children:
            path = f"{folder}/{child}"
            if path in chosen:
                result.append(path)
            else:
                visit(path)

    for top in tops:
        visit(top)
    return sorted(result)
