"""What the repair benchmarks share: a git work tree's test files that do not compile, and a
process pool whose workers read that tree."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

from testcanon.analysis import is_test_file
from testcanon.config import load_project
from testcanon.source import GlobSet, discover
from testcanon.syntax import scan

EXCLUDED = ["*backup*", "archived", "archive"]  # the corpus's copies of its own tests
# Files that do not compile (not the unreadable, binary or too large ones: nothing to repair)
NOT_COMPILING = ("CANON001", "CANON002", "CANON003", "CANON004", "CANON005")

Row = TypeVar("Row")


def broken_test_files(root: Path, exclude: list[str]) -> list[str]:
    project = load_project(root)
    excluded = GlobSet(exclude)
    files = [f for f in discover(project) if is_test_file(f.relpath) and not excluded.match(f.relpath)]
    return [f.path for f in scan(project, files).findings if f.code in NOT_COMPILING]


def map_over_tree(function: Callable[[Path, str], Row], root: Path, relpaths: Iterable[str],
                  jobs: int) -> list[Row]:
    """`function(root, relpath)` for each file, in `jobs` processes."""
    with ProcessPoolExecutor(jobs) as pool:
        return list(pool.map(functools.partial(function, root), relpaths, chunksize=4))
