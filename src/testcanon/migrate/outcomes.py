"""Running the affected tests in the isolated copy and reading each test's outcome.

pytest runs in the target environment (`testcanon.target`) with a small stdlib-only reporter
loaded by `-p` from a folder put on `PYTHONPATH`: it works on any pytest 7.4+ without testcanon
installed there, and records every report as a JSON line as it happens, so a run that dies
keeps what it did and a run that never finished its session is known as such. When the target
lacks testcanon, the runtime library (`from testcanon import SSotBaseTestCase`, the
`isolated_env` fixture) is put beside it: migrated tests import it, as they will once the
project adds testcanon to its test dependencies.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import testcanon

OUTCOMES = ("passed", "failed", "skipped", "xfailed", "xpassed", "error")
RAN = frozenset({"passed", "failed", "xfailed", "xpassed"})  # the test's body ran: its outcome proves something
ABSENT = "absent"  # not collected on that side

_REPORTER = '''\
"""testcanon's outcome reporter for verification runs (stdlib only; written by canon migrate).

Only the main process writes: under xdist the workers' reports reach it too."""
import json
import os

_handle = None


def pytest_configure(config):
    global _handle
    if not hasattr(config, "workerinput"):
        _handle = open(os.environ["CANON_OUTCOMES_FILE"], "a", encoding="utf-8")


def _write(record):
    if _handle is not None:
        _handle.write(json.dumps(record) + "\\n")
        _handle.flush()


def pytest_collectreport(report):
    if report.failed:
        _write({"collect_error": report.nodeid})


def pytest_runtest_logreport(report):
    _write({"id": report.nodeid, "when": report.when, "outcome": report.outcome,
            "xfail": hasattr(report, "wasxfail")})


def pytest_sessionfinish(session, exitstatus):
    _write({"finished": int(exitstatus)})


def pytest_unconfigure(config):
    if _handle is not None:
        _handle.close()
'''

_FIXTURES = '''\
"""The `isolated_env` fixture of testcanon's plugin, for a target without testcanon installed."""
import pytest

from testcanon.testing.environment import IsolatedEnvironment


@pytest.fixture
def isolated_env():
    env = IsolatedEnvironment(sync_to_os=True)
    snapshot = env.snapshot()
    try:
        yield env
    finally:
        env.restore(snapshot)
'''


def prepare_runtime(directory: Path, *, has_testcanon: bool) -> list[str]:
    """Write the reporter (and, for a target without testcanon, the runtime library) into
    `directory`; the `-p` options that load them."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "_canon_outcomes.py").write_text(_REPORTER, encoding="utf-8")
    plugins = ["-p", "_canon_outcomes"]
    if not has_testcanon:
        package = Path(testcanon.__file__).parent
        (directory / "testcanon").mkdir(exist_ok=True)
        for name in ("__init__.py", "__about__.py"):
            shutil.copyfile(package / name, directory / "testcanon" / name)
        shutil.copytree(package / "testing", directory / "testcanon" / "testing",
                        ignore=shutil.ignore_patterns("__pycache__", "plugin.py", "strict.py"))
        (directory / "_canon_fixtures.py").write_text(_FIXTURES, encoding="utf-8")
        plugins += ["-p", "_canon_fixtures"]
    return plugins


@dataclass(frozen=True)
class TestRun:
    """Each test's outcome in one pytest run, the files that failed to collect, or why the run
    says nothing (timed out, died, refused)."""

    outcomes: dict[str, str] = field(default_factory=dict)
    collect_errors: frozenset[str] = frozenset()
    failure: str | None = None
    seconds: float = 0.0

    def outcome(self, test: str) -> str:
        if test in self.outcomes:
            return self.outcomes[test]
        return "error" if test.split("::", 1)[0] in self.collect_errors else ABSENT

    def files(self) -> set[str]:
        return {test.split("::", 1)[0] for test in self.outcomes}


def run_tests(python: str, copy: Path, files: list[str], timeout: float, env: Mapping[str, str],
              plugins: list[str], results: Path) -> TestRun:
    """Run `files` (paths relative to the copy) with pytest in the copy; never raises for what
    the tests do."""
    if not files:
        return TestRun()
    results.unlink(missing_ok=True)
    command = [python, "-m", "pytest", "-p", "no:cacheprovider", *plugins, "-q", "--tb=no", *files]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=timeout,
                              env={**env, "CANON_OUTCOMES_FILE": str(results)}, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return TestRun(failure=f"the test run timed out after {timeout:g} s",
                       seconds=time.perf_counter() - started)
    seconds = time.perf_counter() - started
    records = _records(results)
    finished = [record["finished"] for record in records if "finished" in record]
    said = next((line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()), "")
    said = said.replace(f"{copy}{os.sep}", "")[:200]  # name the project's files, not the copy's
    tested = any("id" in record for record in records)
    if not finished and done.returncode in (2, 3, 4) and not tested:  # refused before the session began
        return TestRun(failure=f"pytest exited {done.returncode}" + (f": {said}" if said else ""), seconds=seconds)
    if not finished:  # os._exit, a kill, a crash: what ran says nothing about what did not
        return TestRun(failure=f"pytest ended without finishing its session (exit {done.returncode})"
                               + (f": {said}" if said else ""), seconds=seconds)
    if finished[-1] in (2, 3, 4) and not tested:
        return TestRun(failure=f"pytest exited {finished[-1]}" + (f": {said}" if said else ""), seconds=seconds)
    return TestRun(_outcomes(records), frozenset(r["collect_error"] for r in records if "collect_error" in r),
                   seconds=seconds)


def _records(path: Path) -> list[dict[str, object]]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    records = []
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:  # a line cut by a kill
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


def _outcomes(records: list[dict[str, object]]) -> dict[str, str]:
    """One outcome per test from its setup, call and teardown reports (pytest's own words, plus
    `error` for a failing setup or teardown)."""
    outcomes: dict[str, str] = {}
    for record in records:
        if "id" not in record:
            continue
        test, when, outcome, xfail = str(record["id"]), record["when"], record["outcome"], bool(record["xfail"])
        if when == "setup":
            if outcome == "failed":
                outcomes[test] = "error"
            elif outcome == "skipped":
                outcomes[test] = "xfailed" if xfail else "skipped"
        elif when == "call":
            if outcome == "passed":
                outcomes[test] = "xpassed" if xfail else "passed"
            elif outcome == "skipped":
                outcomes[test] = "xfailed" if xfail else "skipped"
            else:
                outcomes[test] = "failed"
        elif when == "teardown" and outcome == "failed" and outcomes.get(test) in (None, "passed"):
            outcomes[test] = "error"
    return outcomes


def changed_outcomes(before: TestRun, after: TestRun) -> dict[str, tuple[str, str]]:
    """test -> (outcome before, outcome after), for every test whose outcome is not the same."""
    changed = {}
    for test in set(before.outcomes) | set(after.outcomes):
        old, new = before.outcome(test), after.outcome(test)
        if old != new:
            changed[test] = (old, new)
    return changed


def flaky(first: TestRun, second: TestRun) -> set[str]:
    """Tests whose outcome differs between two runs of the same code."""
    return set(changed_outcomes(first, second))
