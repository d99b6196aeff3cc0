"""The test set: what `pytest` in the target environment collects, with the project's config.

One `pytest --collect-only` in the target interpreter, with the invocation the project's own
`python -m pytest` would use (the same arguments, so `testpaths`, `python_files`,
`python_classes`, `python_functions`, `norecursedirs`, `addopts` and conftest hooks all
apply), answers which tests exist; categories and shards only select from that answer.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from testcanon.config import Project
from testcanon.runner.execute import run_pytest
from testcanon.runner.results import TestResult, failure_reason
from testcanon.target import TargetPython


@dataclass
class TestSet:
    """Collected node ids by project-relative file, in collection order."""

    files: dict[str, list[str]] = field(default_factory=dict)
    markers: dict[str, set[str]] = field(default_factory=dict)
    errors: list[TestResult] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)  # the invocation's roots, project-relative
    numprocesses: str | None = None  # `-n` the project's own options already set
    failure: str = ""
    seconds: float = 0.0

    @property
    def nodeids(self) -> list[str]:
        return [n for ids in self.files.values() for n in ids]


def collect_test_set(project: Project, target: TargetPython, args: list[str], extra: list[str], *,
                     timeout: float | None, markers: list[str], env: dict[str, str] | None = None) -> TestSet:
    """What pytest collects with `args` and `extra` at the project root (`env` laid over this
    process's environment: an isolated copy puts itself first on PYTHONPATH)."""
    finished, events = run_pytest(
        project, target, ["--collect-only", "-q", "--continue-on-collection-errors", *args, *extra],
        env=env or {}, timeout=timeout, markers=markers)
    errors = [r for r in events.results if r.outcome == "collection_error"]
    failure = failure_reason(finished, events)
    if failure and finished.returncode in (1, 2) and events.session is not None and errors:
        failure = ""  # collection errors: reported per file, the rest of the set still runs
    if events.collected is None and not failure:
        failure = f"pytest --collect-only exited {finished.returncode} without a collection"
    result = TestSet(errors=errors, failure=failure, seconds=finished.seconds)
    if failure:
        tail = finished.output.strip().splitlines()[-5:]
        if tail:
            result.failure += "; last output: " + " | ".join(line.strip() for line in tail)[-400:]
        return result
    prefix = rootdir_prefix(project, events.rootdir)
    for nodeid, names in events.collected or []:
        path = to_project_path(prefix, nodeid.split("::", 1)[0])
        result.files.setdefault(path, []).append(nodeid)
        result.markers.setdefault(path, set()).update(names)
    result.roots = [_relative(project, arg) for arg in events.args or ["."]]
    result.numprocesses = events.numprocesses
    return result


def to_project_path(prefix: str, path: str) -> str:
    return os.path.normpath(os.path.join(prefix, path)).replace(os.sep, "/") if prefix else path


def rootdir_prefix(project: Project, rootdir: str | None) -> str:
    """The pytest rootdir relative to the project root ("" when they are the same)."""
    if not rootdir:
        return ""
    relative = os.path.relpath(rootdir, project.root)
    return "" if relative == "." else relative


def _relative(project: Project, arg: str) -> str:
    path = arg.split("::", 1)[0]
    absolute = path if os.path.isabs(path) else os.path.join(project.root, path)
    return os.path.relpath(absolute, project.root).replace(os.sep, "/")
