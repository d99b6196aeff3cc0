"""What pytest itself calls a test, read from the project's pytest configuration.

pytest takes the first of `pytest.ini` and `.pytest.ini` (`[pytest]`; chosen even when empty),
`pyproject.toml` (`[tool.pytest.ini_options]`, or pytest 9's native `[tool.pytest]` table),
`tox.ini` (`[pytest]`) and `setup.cfg` (`[tool:pytest]`) in the project's root that holds its
section; `python_classes`, `python_functions`, `python_files` and `testpaths` there decide what
is collected (celery's `python_classes = test_*` makes 313 lower-case classes test classes), and
`addopts` what every run adds. The one reader of it: the rules, the runner and the lost-test
naming all ask here. Read statically: nothing is imported.
"""

from __future__ import annotations

import configparser
import shlex
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path

DEFAULT_CLASSES = ("Test",)
DEFAULT_FUNCTIONS = ("test",)
DEFAULT_FILES = ("test_*.py", "*_test.py")

__all__ = ["DEFAULT_CLASSES", "DEFAULT_FILES", "DEFAULT_FUNCTIONS", "PytestConfig", "pytest_config"]


@dataclass(frozen=True)
class PytestConfig:
    python_classes: tuple[str, ...] = DEFAULT_CLASSES
    python_functions: tuple[str, ...] = DEFAULT_FUNCTIONS
    python_files: tuple[str, ...] = DEFAULT_FILES
    testpaths: tuple[str, ...] = ()
    addopts: tuple[str, ...] = ()
    source: str = ""  # the file it was read from ("" for pytest's defaults)

    def is_test_class(self, name: str) -> bool:
        """pytest's rule: a prefix, or a glob when the pattern has glob characters."""
        return _matches(name, self.python_classes)

    def is_test_function(self, name: str) -> bool:
        return _matches(name, self.python_functions)

    def to_json(self) -> dict[str, object]:
        return {"python_classes": list(self.python_classes), "python_functions": list(self.python_functions),
                "python_files": list(self.python_files), "testpaths": list(self.testpaths),
                "source": self.source}


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if any(c in pattern for c in "*?["):
            if fnmatchcase(name, pattern):
                return True
        elif name.startswith(pattern):
            return True
    return False


_FILES = (("pytest.ini", "pytest"), (".pytest.ini", "pytest"), ("pyproject.toml", None),
          ("tox.ini", "pytest"), ("setup.cfg", "tool:pytest"))


def pytest_config(root: Path) -> PytestConfig:
    """The pytest configuration of the project at `root` (pytest's defaults when it has none);
    cached until one of its candidate files changes."""
    root = root.resolve()
    return _read(str(root), tuple(_stamp(root / name) for name, _ in _FILES))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


@lru_cache(maxsize=64)
def _read(root_text: str, _stamps: tuple[tuple[int, int] | None, ...]) -> PytestConfig:
    root = Path(root_text)
    for name, section in _FILES:
        path = root / name
        if not path.is_file():
            continue
        values = _toml_section(path) if section is None else _ini_section(path, section)
        if values is None and name in ("pytest.ini", ".pytest.ini"):
            values = {}  # pytest takes a pytest.ini even without a [pytest] section
        if values is None:
            continue
        return PytestConfig(
            python_classes=_patterns(values.get("python_classes"), DEFAULT_CLASSES),
            python_functions=_patterns(values.get("python_functions"), DEFAULT_FUNCTIONS),
            python_files=_patterns(values.get("python_files"), DEFAULT_FILES),
            testpaths=_patterns(values.get("testpaths"), ()),
            addopts=_patterns(values.get("addopts"), ()),
            source=name,
        )
    return PytestConfig()


def _patterns(value: object, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    if isinstance(value, list):
        return tuple(str(v) for v in value) or default
    try:
        return tuple(shlex.split(str(value))) or default  # ini: whitespace separated, over lines
    except ValueError:
        return tuple(str(value).split()) or default


def _toml_section(path: Path) -> dict[str, object] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    pytest = data.get("tool", {}).get("pytest")
    if not isinstance(pytest, dict):
        return None
    options = pytest.get("ini_options")
    if isinstance(options, dict):
        return options
    return {k: v for k, v in pytest.items() if not isinstance(v, dict)}  # pytest 9's native table


def _ini_section(path: Path, section: str) -> dict[str, object] | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))
