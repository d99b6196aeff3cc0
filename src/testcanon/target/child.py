"""How a child pytest is started in the target interpreter so that testcanon can read it back.

The child runs `TARGET -m pytest -p testcanon_results ...` with the shim directory
(`testcanon/target/shim`) first on its PYTHONPATH: that one stdlib-only module writes the
results file, so nothing else of testcanon has to be importable there. When the project
has testcanon installed, its plugin (fixtures, markers, `--canon-strict`) loads as usual
through its entry point and leaves the results file to the shim.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from testcanon.target.python import TargetPython
from testcanon.target.shim.testcanon_results import EXIT_ENV, MARKERS_ENV, PLUGIN_NAME, RESULTS_ENV

SHIM_DIR = Path(__file__).resolve().parent / "shim"


def pytest_prefix(target: TargetPython) -> list[str]:
    """`[python, -m, pytest, -p, testcanon_results]` for the target interpreter."""
    return [target.executable, "-m", "pytest", "-p", PLUGIN_NAME]


def child_env(base: Mapping[str, str], *, results: Path | None = None,
              markers: list[str] | None = None, exit_at_import_is_error: bool = False) -> dict[str, str]:
    """`base` with the shim first on PYTHONPATH and the results protocol's variables set
    (`exit_at_import_is_error`: for a command that only collects, see the shim)."""
    env = dict(base)
    existing = env.get("PYTHONPATH", "")
    env["PYTHONPATH"] = str(SHIM_DIR) + (os.pathsep + existing if existing else "")
    env.pop(RESULTS_ENV, None)
    env.pop(MARKERS_ENV, None)
    env.pop(EXIT_ENV, None)
    if exit_at_import_is_error:
        env[EXIT_ENV] = "error"
    if results is not None:
        env[RESULTS_ENV] = str(results)
    if markers:
        env[MARKERS_ENV] = ",".join(sorted(set(markers)))
    return env
