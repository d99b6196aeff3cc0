"""The project's own pytest `addopts`, read the way pytest finds them at the project root.

Only what the runner must respect before starting pytest: whether the project already
chooses its parallelism (`-n`, `--numprocesses`, `--dist`, `-p no:xdist`). First of
`pytest.ini`, `pyproject.toml` ([tool.pytest.ini_options]), `tox.ini` ([pytest]),
`setup.cfg` ([tool:pytest]) that has a pytest section, as pytest picks its inifile; then
`$PYTEST_ADDOPTS`.
"""

from __future__ import annotations

import configparser
import os
import shlex
import tomllib
from collections.abc import Mapping
from pathlib import Path


def addopts(root: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    found = _ini_addopts(root)
    try:
        return [*found, *shlex.split(environ.get("PYTEST_ADDOPTS", ""))]
    except ValueError:
        return found


def sets_parallelism(options: list[str]) -> bool:
    """True when these pytest options already decide xdist (on or off)."""
    for index, option in enumerate(options):
        if option in ("-n", "--numprocesses", "--dist", "-d", "--tx") or option.startswith(
                ("--numprocesses=", "--dist=", "--tx=")):
            return True
        if option.startswith("-n") and len(option) > 2 and not option.startswith("-n-"):
            return True  # -n4, -nauto
        if option == "-p" and index + 1 < len(options) and options[index + 1] == "no:xdist":
            return True
        if option == "-pno:xdist":
            return True
    return False


def testpaths(root: Path) -> list[str]:
    """The inifile's `testpaths` (where a bare `pytest` at the root looks), [] when unset."""
    return _ini_value(root, "testpaths")


def _ini_addopts(root: Path) -> list[str]:
    return _ini_value(root, "addopts")


def _ini_value(root: Path, key: str) -> list[str]:
    for name in ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg"):
        path = root / name
        if not path.is_file():
            continue
        try:
            if name == "pyproject.toml":
                table = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("pytest", {})
                if "ini_options" not in table:
                    continue
                value = table["ini_options"].get(key, "")
                return list(value) if isinstance(value, list) else shlex.split(str(value))
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(path, encoding="utf-8")
            section = {"setup.cfg": "tool:pytest"}.get(name, "pytest")
            if name in ("pytest.ini", ".pytest.ini") or parser.has_section(section):
                return shlex.split(parser.get(section, key, fallback=""))
        except (OSError, ValueError, configparser.Error, tomllib.TOMLDecodeError):
            return []
    return []
