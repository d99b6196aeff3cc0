"""`--canon-strict`: SSOT violations as collection errors, named by their `canon check` code.

CANON101: a collected test class does not derive from a canonical base.
CANON501: a test module in a real-service category imports a mock library.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from collections.abc import Iterator
from pathlib import Path

import pytest

from testcanon.source import GlobSet

MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock")


class StrictCollection:
    def __init__(self, project) -> None:
        self.project = project
        config = project.config if project else None
        names = config.check.canonical_bases if config else ["testcanon.SSotBaseTestCase",
                                                             "testcanon.SSotAsyncTestCase"]
        self.canonical = tuple(_resolve(name) for name in names)
        self.real_service_globs = []
        if config:
            self.real_service_globs = [
                (name, GlobSet(category.paths)) for name, category in config.categories.items()
                if category.real_services or category.services]

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector) -> Iterator[None]:
        report = yield
        if isinstance(collector, pytest.Module) and report.passed:
            problems = self._problems(collector)
            if problems:
                report.outcome = "failed"
                report.longrepr = "\n".join(problems)
        return report

    def _problems(self, module: pytest.Module) -> list[str]:
        problems = []
        for item in module.collect():
            cls = item.obj if isinstance(item, pytest.Class) else None
            # A base class imported into the module is collected too: it is reported where it
            # is defined, not in every module that imports it.
            if (inspect.isclass(cls) and cls.__module__ == module.obj.__name__
                    and not issubclass(cls, self.canonical)):
                canonical = ", ".join(c.__name__ for c in self.canonical)
                problems.append(f"CANON101 {module.path.name}::{cls.__name__} does not derive from "
                                f"a canonical base ({canonical})")
        category = self._real_service_category(module.path)
        if category:
            for line, name in _mock_imports(module.path):
                problems.append(f"CANON501 {module.path.name}:{line}: imports {name} in a test of "
                                f"category '{category}', which needs real services")
        return sorted(set(problems))

    def _real_service_category(self, path: Path) -> str | None:
        if not self.project:
            return None
        try:
            relpath = path.resolve().relative_to(self.project.root.resolve()).as_posix()
        except ValueError:
            return None
        return next((name for name, globs in self.real_service_globs if globs.match(relpath)), None)


def _resolve(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        raise pytest.UsageError(f"testcanon: canonical base '{dotted}' cannot be imported") from None


def _mock_imports(path: Path) -> list[tuple[int, str]]:
    try:
        tree = ast.parse(path.read_bytes())
    except (SyntaxError, ValueError, OSError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name in MOCK_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module in MOCK_MODULES:
            found.append((node.lineno, node.module))
        elif (isinstance(node, ast.ImportFrom) and node.module == "unittest"
              and any(a.name == "mock" for a in node.names)):
            found.append((node.lineno, "unittest.mock"))
    return found


