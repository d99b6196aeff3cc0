"""Running the affected tests in the isolated copy and reading each test's outcome.

pytest runs the way every testcanon command runs it (`testcanon.runner.execute.run_pytest_at`):
in the target environment (`testcanon.target`), as its own bounded process group, with the
stdlib-only results shim that works on any pytest 7.4+ without testcanon installed there and
records each test's outcome as it happens, so a run that dies keeps what it did and a run that
never finished its session is known as such. When the target lacks testcanon, the runtime
library (`from testcanon import SSotBaseTestCase`, and the `isolated_env` fixture from
`testcanon.testing.fixtures`) is put beside it: migrated tests import it, as they will once
the project adds testcanon to its test dependencies.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import testcanon
from testcanon.runner.execute import run_pytest_at
from testcanon.runner.process import Finished
from testcanon.runner.results import Events
from testcanon.target import TargetPython

OUTCOMES = ("passed", "failed", "skipped", "xfailed", "xpassed", "error")
# the test's body ran: its outcome proves something
RAN = frozenset({"passed", "failed", "xfailed", "xpassed"})
ABSENT = "absent"  # not collected on that side
FIXTURES_PLUGIN = "testcanon.testing.fixtures"


def prepare_runtime(directory: Path, *, has_testcanon: bool) -> list[str]:
    """For a target without testcanon, copy testcanon's runtime library (the package root and
    `testcanon.testing`, not the plugin that needs the rest of testcanon) into `directory`, to
    go on the child's PYTHONPATH; the `-p` options that load its fixtures (none when the target
    has testcanon: its plugin provides them)."""
    directory.mkdir(parents=True, exist_ok=True)
    if has_testcanon:
        return []
    package = Path(testcanon.__file__).parent
    (directory / "testcanon").mkdir(exist_ok=True)
    for name in ("__init__.py", "__about__.py"):
        shutil.copyfile(package / name, directory / "testcanon" / name)
    shutil.copytree(package / "testing", directory / "testcanon" / "testing", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "plugin.py", "strict.py"))
    return ["-p", FIXTURES_PLUGIN]


@dataclass(frozen=True)
class TestRun:
    """Each test's outcome in one pytest run, the files that failed to collect, or why the run
    says nothing (timed out, died, refused)."""

    outcomes: dict[str, str] = field(default_factory=dict)
    collect_errors: frozenset[str] = frozenset()
    failure: str | None = None
    seconds: float = 0.0
    messages: dict[str, str] = field(default_factory=dict)  # failed or errored test -> its error, in one line

    def outcome(self, test: str) -> str:
        if test in self.outcomes:
            return self.outcomes[test]
        return "error" if test.split("::", 1)[0] in self.collect_errors else ABSENT

    def files(self) -> set[str]:
        return {test.split("::", 1)[0] for test in self.outcomes}


def run_tests(target: TargetPython, copy: Path, files: list[str], timeout: float, env: Mapping[str, str],
              plugins: list[str]) -> TestRun:
    """Run `files` (paths relative to the copy) with pytest in the copy; never raises for what
    the tests do."""
    if not files:
        return TestRun()
    finished, events = run_pytest_at(copy, target,
                                     [*plugins, "-q", "--tb=no", *files],
                                     env=env, timeout=timeout)
    return TestRun(_outcomes(events),
                   frozenset(r.nodeid for r in events.results if r.outcome == "collection_error"),
                   failure=_failure(finished, events, copy), seconds=finished.seconds,
                   messages={r.nodeid: error_line(r.longrepr) for r in events.results
                             if r.longrepr and r.outcome in ("failed", "error")})


def _failure(finished: Finished, events: Events, copy: Path) -> str | None:
    """Why this run says nothing about the tests' outcomes, or None: it timed out, it did not
    finish its session (`os._exit`, killed, a crash), or pytest refused to run any test."""
    if finished.timed_out:
        return f"the test run timed out after {finished.timeout or 0:g} s"
    said = next((line.strip() for line in finished.output.splitlines() if line.strip()), "")
    said = said.replace(f"{copy}{os.sep}", "")[:200]  # name the project's files, not the copy's
    said = f": {said}" if said else ""
    tested = any(r.outcome != "collection_error" for r in events.results)
    if events.session is None:
        if finished.returncode in (2, 3, 4) and not tested:  # refused before the session began
            return f"pytest exited {finished.returncode}{said}"
        return f"pytest ended without finishing its session (exit {finished.returncode}){said}"
    if events.session.exitstatus in (2, 3, 4) and not tested:
        return f"pytest exited {events.session.exitstatus}{said}"
    return None


def error_line(longrepr: str) -> str:
    """What a failure says, in one line: pytest's first `E ` line, else the report's last line."""
    lines = [line.strip() for line in longrepr.splitlines() if line.strip()]
    said = next((line[1:].strip() for line in lines if line.startswith("E ")), lines[-1] if lines else "")
    return said[:300]


def _outcomes(events: Events) -> dict[str, str]:
    """One outcome per test in pytest's own words (the shim's: `error` for a failing setup or
    teardown); a module skipped at collection counts as one skipped, as pytest counts it."""
    return {r.nodeid: r.outcome for r in events.results if r.outcome != "collection_error"}


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
