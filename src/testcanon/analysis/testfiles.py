"""What a test file is: the one definition every command uses.

A test file is a `.py` file whose name matches pytest's `python_files` (by default
`test_*.py` / `*_test.py`; a pattern with a `/` matches the path), optionally below the
project's test roots. Commands that read the project's pytest configuration pass it; those that
only need pytest's default naming (the runner's file selection) call it without one.
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import PurePosixPath

from testcanon.analysis.pytest_config import PytestConfig
from testcanon.config import Project
from testcanon.config.schema import Config
from testcanon.source import GlobSet

__all__ = ["DEFAULT_PYTEST", "is_test_file", "suite_roots"]

DEFAULT_PYTEST = PytestConfig()
_DEFAULT_TEST_PATHS = list(Config().test_paths)


def is_test_file(relpath: str, pytest: PytestConfig = DEFAULT_PYTEST, roots: GlobSet | None = None) -> bool:
    """A file pytest collects: a `python_files` match, below `roots` when given."""
    if not relpath.endswith(".py"):
        return False
    name = PurePosixPath(relpath).name
    if not any(fnmatchcase(relpath if "/" in pattern else name, pattern) for pattern in pytest.python_files):
        return False
    return roots is None or roots.match(relpath)


def suite_roots(project: Project, pytest: PytestConfig) -> GlobSet:
    """`test_paths` as globs: a bare name (`tests`) matches that folder at any depth; when the
    project left it at its default, pytest's `testpaths` count as well (celery's `t/unit`)."""
    paths = list(project.config.test_paths or ["**"])
    if paths == _DEFAULT_TEST_PATHS:  # not chosen: pytest's own `testpaths` say where tests are too
        paths += [p.strip("/") for p in pytest.testpaths if p.strip("/")]
    return GlobSet(paths)

