"""What every rule sees: the project, each file's facts, the symbol table, and path roles.

Analyses that several rules (or the engine's metrics) read are computed once per run and kept
here (`shared`), in the manner of LibCST's metadata providers: a rule family's `check` takes
the context alone and yields findings; what else it computes is asked of the context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from testcanon.analysis.facts import FileFacts
from testcanon.analysis.pytest_config import PytestConfig, pytest_config
from testcanon.analysis.symbols import SymbolTable
from testcanon.analysis.testfiles import is_test_file, suite_roots
from testcanon.config import Project
from testcanon.config.schema import CheckConfig
from testcanon.rules.shipped import Shipped, shipped
from testcanon.source import GlobSet

__all__ = ["RuleContext"]

_DEFAULT_INFRA = tuple(CheckConfig().infra)
_NO_FACTS = FileFacts("")
T = TypeVar("T")


@dataclass
class RuleContext:
    project: Project
    facts: Mapping[str, FileFacts]
    text_files: list[str] = field(default_factory=list)
    _shared: dict[Callable[..., Any], Any] = field(default_factory=dict, repr=False)

    def shared(self, analysis: Callable[[RuleContext], T]) -> T:
        """`analysis(self)`, computed once per run whoever asks first (a rule or the engine)."""
        if analysis not in self._shared:
            self._shared[analysis] = analysis(self)
        return self._shared[analysis]

    def computed(self, analysis: Callable[[RuleContext], T], default: T) -> T:
        """What `shared(analysis)` gave this run, or `default` when no rule asked for it."""
        return self._shared.get(analysis, default)

    @cached_property
    def symbols(self) -> SymbolTable:
        return SymbolTable(self.facts)

    @cached_property
    def infra(self) -> GlobSet:
        return GlobSet(self.project.config.check.infra)

    @cached_property
    def test_roots(self) -> GlobSet:
        """Where the project's tests live (`analysis.suite_roots`)."""
        return suite_roots(self.project, self.pytest)

    @cached_property
    def pytest(self) -> PytestConfig:
        """The project's own pytest configuration: what pytest calls a test file, class, function."""
        return pytest_config(self.project.root)

    def is_test_file(self, relpath: str) -> bool:
        """A file pytest collects (its `python_files`, default `test_*.py` / `*_test.py`) below a
        configured test path."""
        return is_test_file(relpath, self.pytest, self.test_roots)

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
        markers = set(self.facts.get(relpath, _NO_FACTS).markers)
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
        markers = set(self.facts.get(relpath, _NO_FACTS).markers)
        for name, globs, marks, real in self._category_globs:
            if real and (globs.match(relpath) or markers & marks):
                return name
        return None


