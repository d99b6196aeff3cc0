"""The verifier: a migration is written only if pytest collects exactly the same tests.

Before and after, `pytest --collect-only -q` runs in a subprocess (with a timeout) on a
scratch copy of the project; a file whose collected ids differ is not migrated, and the ids
that differ are reported. Files that could not be collected before are checked by
compilation and by keeping every test name instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from testcanon.repair.inventory import names_in_source
from testcanon.repair.verify import verify as verify_repair

_IGNORE = shutil.ignore_patterns(".git", ".venv", "venv", "node_modules", ".testcanon", "__pycache__",
                                 ".mypy_cache", ".ruff_cache", ".pytest_cache")


def scratch_copy(root: Path, destination: Path) -> Path:
    shutil.copytree(root, destination, ignore=_IGNORE, symlinks=True)
    return destination


def collected_ids(root: Path, files: list[str], timeout: float) -> tuple[dict[str, set[str]], set[str]]:
    """Collected test ids per file, and the files that failed to collect."""
    if not files:
        return {}, set()
    command = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
               "--continue-on-collection-errors", *files]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("TESTCANON_RESULTS_FILE", None)
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=timeout, env=env)
    ids: dict[str, set[str]] = defaultdict(set)
    errors: set[str] = set()
    for line in result.stdout.splitlines():
        if "::" in line and not line.startswith(("ERROR", "FAILED", " ")):
            ids[line.split("::", 1)[0]].add(line.strip())
        elif line.startswith("ERROR ") and line.split()[1].endswith(".py"):
            errors.add(line.split()[1])
    return dict(ids), errors


def compare(before: dict[str, set[str]], after: dict[str, set[str]]) -> dict[str, tuple[set[str], set[str]]]:
    """file -> (ids lost, ids gained), for files whose collected ids changed."""
    changed = {}
    for path in set(before) | set(after):
        lost = before.get(path, set()) - after.get(path, set())
        gained = after.get(path, set()) - before.get(path, set())
        if lost or gained:
            changed[path] = (lost, gained)
    return changed


def static_ok(before: bytes, after: bytes) -> tuple[bool, str]:
    verdict = verify_repair(before, after, expected=names_in_source(before))
    return verdict.ok, verdict.reason
