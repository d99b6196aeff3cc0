"""Run pytest in the target interpreter in a bounded subprocess and read back every result.

Results come from the `testcanon_results` shim's results file (one JSON line per test,
written by each xdist worker itself), never from pytest's exit code alone: xdist reports a
collection error as exit 1, so collection errors are read from the file and counted as
errors; and a process that did not finish its session is a failure with the reason
(`results.failure_reason`), never green.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.config import Project
from testcanon.runner.process import Finished, run_bounded
from testcanon.runner.results import Events, TestResult, failure_reason, read_events, read_results
from testcanon.target import TargetPython
from testcanon.target.child import child_env, pytest_prefix

__all__ = ["CategoryRun", "TestResult", "read_results", "run_category", "run_pytest", "run_pytest_at",
           "summarize"]


@dataclass
class CategoryRun:
    layer: int
    category: str
    files: list[str]
    results: list[TestResult]
    exit_code: int
    seconds: float
    skipped_reason: str = ""
    failure: str = ""  # why the process is a failure whatever its results say
    workers: str | None = None
    not_run: list[str] = field(default_factory=list)  # collected for this run, never reported

    def count(self, *outcomes: str) -> int:
        return sum(1 for r in self.results if r.outcome in outcomes)

    @property
    def counts(self) -> dict[str, int]:
        return {"passed": self.count("passed", "xpassed"), "failed": self.count("failed"),
                "errors": self.count("error", "collection_error"),
                "skipped": self.count("skipped", "xfailed")}

    @property
    def ok(self) -> bool:
        counts = self.counts
        return (not self.failure and counts["failed"] == 0 and counts["errors"] == 0
                and self.exit_code in (0, 5))

    def to_json(self) -> dict[str, object]:
        return {"layer": self.layer, "category": self.category, "files": len(self.files),
                **self.counts, "seconds": round(self.seconds, 3), "exit_code": self.exit_code,
                "ok": self.ok, "failure": self.failure or None, "workers": self.workers,
                "not_run": len(self.not_run)}


def run_pytest(project: Project, target: TargetPython, args: list[str], *, env: Mapping[str, str],
               timeout: float | None, stream: bool = False, markers: list[str] | None = None,
               coverage: Path | None = None, while_running: Callable[[], object] | None = None,
               exit_at_import_is_error: bool = False) -> tuple[Finished, Events]:
    """`target -m pytest -p testcanon_results ARGS` at the project root, bounded by `timeout`."""
    return run_pytest_at(project.root, target, args, env=env, timeout=timeout, stream=stream, markers=markers,
                         coverage=coverage, while_running=while_running,
                         exit_at_import_is_error=exit_at_import_is_error)


def run_pytest_at(root: Path, target: TargetPython, args: list[str], *, env: Mapping[str, str],
                  timeout: float | None, stream: bool = False, markers: list[str] | None = None,
                  coverage: Path | None = None, while_running: Callable[[], object] | None = None,
                  exit_at_import_is_error: bool = False) -> tuple[Finished, Events]:
    """`target -m pytest -p testcanon_results ARGS` in `root` (the project, or migrate's isolated
    copy of it), bounded by `timeout`: how it ended, and every result it reported.

    The one way testcanon starts the project's pytest to read its results: `env` is laid over
    this process's environment, the results shim is put first on its PYTHONPATH.
    `exit_at_import_is_error`: a test module whose import calls `sys.exit` fails to collect
    instead of ending the session (for the commands that only collect; see the shim)."""
    with tempfile.TemporaryDirectory(prefix="canon-pytest-") as tmp:
        results_path = Path(tmp) / "results.jsonl"
        child = child_env({**os.environ, **env}, results=results_path, markers=markers,
                          exit_at_import_is_error=exit_at_import_is_error)
        if coverage:
            child["COVERAGE_FILE"] = str(coverage)
        finished = run_bounded([*pytest_prefix(target), *args], cwd=root, env=child,
                               timeout=timeout, stream=stream, while_running=while_running)
        return finished, read_events(results_path)


def pytest_args(files: list[str], *, workers: str | None, test_timeout: float | None,
                extra: list[str], junit: Path | None, coverage: Path | None) -> list[str]:
    args = ["-q", "-rN", "--continue-on-collection-errors", *files]
    if workers:
        args += ["-n", workers]
    if test_timeout:
        args += [f"--timeout={test_timeout:g}"]  # pytest-timeout, when the target has it
    if junit:
        args += [f"--junitxml={junit}"]
    if coverage:
        args += ["--cov=.", "--cov-branch", "--cov-report=",
                 f"--cov-config={coverage.parent / '.coveragerc'}"]
    return args + extra


def run_category(project: Project, target: TargetPython, *, layer: int, category: str, files: list[str],
                 args: list[str], env: dict[str, str], workers: str | None, test_timeout: float | None,
                 timeout: float | None, extra: list[str], junit: Path | None, coverage: Path | None,
                 stream: bool, planned: set[str] | None = None,
                 while_running: Callable[[], object] | None = None) -> CategoryRun:
    """One pytest process for one category: `args` selects its tests (files, or none at all
    for the project's own invocation); `planned` are the node ids collection promised."""
    command = pytest_args(args, workers=workers, test_timeout=test_timeout, extra=extra, junit=junit,
                          coverage=coverage)
    finished, events = run_pytest(project, target, command, env=env, timeout=timeout, stream=stream,
                                  coverage=coverage, while_running=while_running)
    failure = failure_reason(finished, events)
    if not failure and finished.returncode == 1 and not any(
            r.outcome in ("failed", "error", "collection_error") for r in events.results):
        failure = "pytest exited 1 and reported no failing test"
    not_run: list[str] = []
    if planned is not None:
        reported = {r.nodeid for r in events.results}
        not_run = sorted(planned - reported)
        if not_run and not failure and finished.returncode in (0, 5):
            failure = f"{len(not_run)} collected test(s) never reported a result"
    if failure and not stream and finished.output:
        tail = finished.output.strip().splitlines()[-5:]
        failure += "; last output: " + " | ".join(line.strip() for line in tail)[-400:]
    return CategoryRun(layer, category, files, events.results, finished.returncode, finished.seconds,
                       failure=failure, workers=workers, not_run=not_run)


def summarize(runs: list[CategoryRun]) -> Counter[str]:
    total: Counter[str] = Counter()
    for run in runs:
        total.update(run.counts)
    return total
