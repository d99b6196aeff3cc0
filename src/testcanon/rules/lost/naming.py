"""What counts as a test, by name: pytest's `python_functions` / `python_classes`.

`naming_for(project)` is the one seam: it uses a shared reader of the project's pytest settings
(`testcanon.rules.pytest_config.read(root)`) when that module exists, else reads the two keys
itself from the first pytest configuration file at the project root (pytest.ini, pyproject.toml
`[tool.pytest.ini_options]`, tox.ini `[pytest]`, setup.cfg `[tool:pytest]`), else pytest's
defaults (`test` prefix, `Test` prefix). Matching is pytest's: a prefix, or a glob when the
pattern holds a wildcard.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

from testcanon.analysis.pytest_config import pytest_config
from testcanon.config import Project


@dataclass(frozen=True)
class TestNaming:
    __test__ = False  # not a pytest test class
    functions: tuple[str, ...] = ("test",)
    classes: tuple[str, ...] = ("Test",)

    @staticmethod
    def _matches(name: str, patterns: tuple[str, ...]) -> bool:
        return any(name.startswith(p) or (any(c in p for c in "*?[") and fnmatch.fnmatch(name, p))
                   for p in patterns)

    def is_test_function(self, name: str) -> bool:
        return self._matches(name, self.functions)

    def is_test_class(self, name: str) -> bool:
        return self._matches(name, self.classes)


DEFAULT = TestNaming()


def naming_for(project: Project | None) -> TestNaming:
    """The project's test naming; pytest's defaults when its configuration says nothing."""
    if project is None:
        return DEFAULT
    return naming_at(project.root)


def naming_at(root: Path) -> TestNaming:
    """The naming in the project's pytest configuration (`analysis.pytest_config`, its one reader)."""
    config = pytest_config(root)
    return TestNaming(config.python_functions or DEFAULT.functions, config.python_classes or DEFAULT.classes)
