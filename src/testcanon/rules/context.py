"""What every rule sees: the project, each file's facts, the symbol table, and path roles."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

from testcanon.config import Project
from testcanon.config.schema import CheckConfig, Config
from testcanon.rules.facts import Facts
from testcanon.rules.pytest_config import PytestConfig, pytest_config
from testcanon.rules.shipped import Shipped, shipped
from testcanon.rules.symbols import SymbolTable
from testcanon.source import GlobSet

_DEFAULT_INFRA = tuple(CheckConfig().infra)
_DEFAULT_TEST_PATHS = list(Config().test_paths)


def is_test_filename(relpath: str) -> bool:
    name = PurePosixPath(relpath).name
    return name.endswith(".py") and (name.startswith("test_") or name.endswith("_test.py"))


@dataclass
class Context:
    project: Project
    facts: dict[str, Facts]
    text_files: list[str] = field(default_factory=list)

    @cached_property
    def symbols(self) -> SymbolTable:
        return SymbolTable(self.facts)

    @cached_property
    def infra(self) -> GlobSet:
        return GlobSet(self.project.config.check.infra)

    @cached_property
    def test_roots(self) -> GlobSet:
        """`test_paths` as globs: a bare name (`tests`) matches that folder at any depth; when the
        project left it at its default, pytest's `testpaths` count as well (celery's `t/unit`)."""
        paths = list(self.project.config.test_paths or ["**"])
        if paths == _DEFAULT_TEST_PATHS:  # not chosen: pytest's own `testpaths` say where tests are too
            paths += [p.strip("/") for p in self.pytest.testpaths if p.strip("/")]
        return GlobSet(paths)

    @cached_property
    def pytest(self) -> PytestConfig:
        """The project's own pytest configuration: what pytest calls a test file, class, function."""
        return pytest_config(self.project.root)

    def is_test_file(self, relpath: str) -> bool:
        """A file pytest collects (its `python_files`, default `test_*.py` / `*_test.py`) below a
        configured test path."""
        return relpath.endswith(".py") and self.pytest.is_test_file(relpath) and self.test_roots.match(relpath)

    @cached_property
    def shipped(self) -> Shipped:
        """The folders the project's build configuration ships (see `rules.shipped`)."""
        return shipped(self.project.root, tuple(self.project.config.migrate.package_roots))

    @cached_property
    def _own_infra(self) -> GlobSet:
        """The `infra` globs the project wrote beyond the defaults (conftest.py is pytest's alone)."""
        defaults = set(_DEFAULT_INFRA) - {"**/conftest.py"}
        return GlobSet([g for g in self.project.config.check.infra if g not in defaults])

    def is_infra(self, relpath: str) -> bool:
        """Matched by `infra`; in a shipped package only by a glob the project wrote itself:
        the defaults (`**/testing/**`) never make a library's public module test code."""
        if not self.infra.match(relpath):
            return False
        return self.shipped.owner(relpath) is None or self._own_infra.match(relpath)

    def is_test_code(self, relpath: str) -> bool:
        """Test files and test infrastructure: where the SSOT rules apply."""
        return self.is_test_file(relpath) or self.is_infra(relpath)

    @cached_property
    def _category_globs(self) -> list[tuple[str, GlobSet, frozenset[str], bool]]:
        return [(name, GlobSet(c.paths), frozenset(c.markers), c.real_services or bool(c.services))
                for name, c in self.project.config.categories.items()]

    def categories_of(self, relpath: str) -> list[str]:
        markers = set(self.facts.get(relpath, {}).get("markers", ()))
        return [name for name, globs, marks, _ in self._category_globs
                if globs.match(relpath) or markers & marks]

    def real_service_category_by_path(self, relpath: str) -> str | None:
        for name, globs, _, real in self._category_globs:
            if real and globs.match(relpath):
                return name
        return None

    def category_markers(self, name: str) -> frozenset[str]:
        return next((marks for n, _, marks, _ in self._category_globs if n == name), frozenset())

    def real_service_category(self, relpath: str) -> str | None:
        markers = set(self.facts.get(relpath, {}).get("markers", ()))
        for name, globs, marks, real in self._category_globs:
            if real and (globs.match(relpath) or markers & marks):
                return name
        return None
