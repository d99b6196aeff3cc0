"""The project's own pytest `addopts` and `testpaths`, as the runner must respect them.

Only what the runner must know before starting pytest: whether the project already chooses its
parallelism (`-n`, `--numprocesses`, `--dist`, `-p no:xdist`), and where a bare `pytest` looks.
The inifile is read by the one reader of pytest's configuration (`analysis.pytest_config`);
`$PYTEST_ADDOPTS` comes after it, as in pytest.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from testcanon.analysis.pytest_config import pytest_config


def addopts(root: Path, environ: Mapping[str, str] | None = None) -> list[str]:
    environ = os.environ if environ is None else environ
    found = list(pytest_config(root).addopts)
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
    return list(pytest_config(root).testpaths)
