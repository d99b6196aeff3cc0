"""Run one category's test files with pytest in a subprocess and read back every result.

Results come from the testcanon plugin's results file (one JSON line per test, written by
each xdist worker itself), never from pytest's exit code alone: xdist reports a collection
error as exit 1, so collection errors are read from the file and counted as errors.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.config import Project


@dataclass
class TestResult:
    nodeid: str
    outcome: str
    duration: float
    metrics: dict[str, float] = field(default_factory=dict)
    longrepr: str = ""

    @property
    def file(self) -> str:
        return self.nodeid.split("::", 1)[0]


@dataclass
class CategoryRun:
    layer: int
    category: str
    files: list[str]
    results: list[TestResult]
    exit_code: int
    seconds: float
    skipped_reason: str = ""

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
        return counts["failed"] == 0 and counts["errors"] == 0 and self.exit_code in (0, 5)

    def to_json(self) -> dict[str, object]:
        return {"layer": self.layer, "category": self.category, "files": len(self.files),
                **self.counts, "seconds": round(self.seconds, 3), "exit_code": self.exit_code,
                "ok": self.ok}


def pytest_command(files: list[str], *, workers: str | None, timeout: float | None,
                   extra: list[str], junit: Path | None, coverage: Path | None) -> list[str]:
    command = [sys.executable, "-m", "pytest", "-q", "-rN", "--continue-on-collection-errors", *files]
    if workers:
        command += ["-n", workers]
    if timeout:
        command += [f"--timeout={timeout:g}"]  # pytest-timeout, a dependency
    if junit:
        command += [f"--junitxml={junit}"]
    if coverage:
        command += ["--cov=.", "--cov-branch", "--cov-report=", f"--cov-config={coverage.parent / '.coveragerc'}"]
    return command + extra


def run_category(project: Project, *, layer: int, category: str, files: list[str], env: dict[str, str],
                 workers: str | None, timeout: float | None, extra: list[str], junit: Path | None,
                 coverage: Path | None, stream: bool) -> CategoryRun:
    with tempfile.TemporaryDirectory(prefix="canon-run-") as tmp:
        results_path = Path(tmp) / "results.jsonl"
        from testcanon.runner.paths import compress

        command = pytest_command(compress(project.root, files), workers=workers, timeout=timeout, extra=extra, junit=junit,
                                 coverage=coverage)
        child_env = {**os.environ, **env, "TESTCANON_RESULTS_FILE": str(results_path)}
        if coverage:
            child_env["COVERAGE_FILE"] = str(coverage)
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=project.root, env=child_env,
                                   stdout=None if stream else subprocess.PIPE,
                                   stderr=subprocess.STDOUT if not stream else None, text=True)
        seconds = time.perf_counter() - started
        results = read_results(results_path)
    return CategoryRun(layer, category, files, results, completed.returncode, seconds)


def read_results(path: Path) -> list[TestResult]:
    """The results file, de-duplicated (several xdist workers report one collection error)."""
    if not path.exists():
        return []
    seen: dict[str, TestResult] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        seen[entry["nodeid"]] = TestResult(entry["nodeid"], entry["outcome"], float(entry.get("duration", 0)),
                                           entry.get("metrics", {}), entry.get("longrepr", ""))
    return list(seen.values())


def summarize(runs: list[CategoryRun]) -> Counter[str]:
    total: Counter[str] = Counter()
    for run in runs:
        total.update(run.counts)
    return total
