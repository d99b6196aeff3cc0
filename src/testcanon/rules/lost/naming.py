"""What counts as a test, by name: pytest's `python_functions` / `python_classes`.

`naming_for(project)` is the one seam: it uses a shared reader of the project's pytest settings
(`testcanon.rules.pytest_config.read(root)`) when that module exists, else reads the two keys
itself from the first pytest configuration file at the project root (pytest.ini, pyproject.toml
`[tool.pytest.ini_options]`, tox.ini `[pytest]`, setup.cfg `[tool:pytest]`), else pytest's
defaults (`test` prefix, `Test` prefix). Matching is pytest's: a prefix, or a glob when the
pattern holds a wildcard.
"""

from __future__ import annotations

import configparser
import fnmatch
import tomllib
from dataclasses import dataclass
from pathlib import Path

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
    return _read_naming(project.root)


def _read_naming(root: Path) -> TestNaming:
    """pytest's own choice of configuration file: the first one that has a pytest section."""
    for name, section in (("pytest.ini", "pytest"), ("pyproject.toml", None), ("tox.ini", "pytest"),
                          ("setup.cfg", "tool:pytest")):
        path = root / name
        if not path.is_file():
            continue
        try:
            if section is None:
                table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("pytest", {})
                options = table.get("ini_options") if isinstance(table, dict) else None
                if not isinstance(options, dict):
                    continue
                values = {k: options.get(k) for k in ("python_functions", "python_classes")}
            else:
                parser = configparser.ConfigParser(interpolation=None)
                parser.read_string(path.read_text(encoding="utf-8"))
                if not parser.has_section(section):
                    continue
                values = {k: parser.get(section, k, fallback=None)
                          for k in ("python_functions", "python_classes")}
        except (OSError, ValueError, configparser.Error, tomllib.TOMLDecodeError):
            return DEFAULT
        return TestNaming(_patterns(values["python_functions"]) or DEFAULT.functions,
                          _patterns(values["python_classes"]) or DEFAULT.classes)
    return DEFAULT


def _patterns(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return ()
