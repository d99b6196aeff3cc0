"""The testcanon pytest plugin (entry point `pytest11`, loaded automatically once installed).

- fixtures `isolated_env` (an `IsolatedEnvironment` restored after the test) and
  `canon_metrics` (record numbers for the runner);
- the category markers from `[tool.testcanon.categories]` and `real_services`, registered;
- `--canon-strict`: SSOT violations become collection errors naming the `canon check` code;
- when `TESTCANON_RESULTS_FILE` is set, one JSON line per test (outcome, duration, metrics).

Everything per-test is registered only when asked for, so a run that uses none of it pays
nothing but the import of this module.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from testcanon.testing import metrics as _metrics
from testcanon.testing.environment import IsolatedEnvironment

RESULTS_ENV = "TESTCANON_RESULTS_FILE"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("testcanon")
    group.addoption("--canon-strict", action="store_true", default=False,
                    help="report SSOT violations (CANON101, CANON501) as collection errors")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "real_services(*names): the test needs these real services")
    project = _load_project(config)
    categories = project.config.categories if project else {}
    for name in sorted(categories):
        config.addinivalue_line("markers", f"{name}: testcanon category '{name}'")
    if config.getoption("--canon-strict"):
        from testcanon.testing.strict import StrictCollection

        config.pluginmanager.register(StrictCollection(project), "testcanon-strict")
    if os.environ.get(RESULTS_ENV):
        config.pluginmanager.register(ResultsWriter(os.environ[RESULTS_ENV]), "testcanon-results")
    if not config.pluginmanager.has_plugin("testcanon.events.fixtures"):
        config.pluginmanager.import_plugin("testcanon.events.fixtures")


def _load_project(config: pytest.Config):
    """The project's settings; a mistake in `[tool.testcanon]` is testcanon's business, never a
    reason to fail the user's pytest run: it is reported once (not by each xdist worker) and the
    run goes on with the defaults."""
    import sys

    from testcanon.config import Config, Project, find_root, load_project
    from testcanon.errors import CanonError

    try:
        return load_project(config.rootpath)
    except CanonError as error:
        if not hasattr(config, "workerinput"):
            sys.stderr.write(f"testcanon: warning: {error}; using the default settings\n")
        return Project(root=find_root(config.rootpath), config=Config(), config_file=None)


@pytest.fixture
def isolated_env() -> Iterator[IsolatedEnvironment]:
    """An `IsolatedEnvironment` for plain test functions, mirrored into os.environ and
    restored exactly (including variables that did not exist) after the test."""
    env = IsolatedEnvironment(sync_to_os=True)
    snapshot = env.snapshot()
    try:
        yield env
    finally:
        env.restore(snapshot)


class MetricRecorder:
    """`canon_metrics.record(name, value)`: numbers the runner stores with the result."""

    def __init__(self, sink: list[tuple[str, object]]) -> None:
        self.values: dict[str, float] = {}
        self._sink = sink

    def record(self, name: str, value: float) -> None:
        _metrics.record(self.values, name, value)
        self._sink.append((f"canon_metric:{name}", float(value)))


@pytest.fixture
def canon_metrics(request: pytest.FixtureRequest) -> MetricRecorder:
    return MetricRecorder(request.node.user_properties)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    token = _metrics.CURRENT_SINK.set(item.user_properties)
    try:
        return (yield)
    finally:
        _metrics.CURRENT_SINK.reset(token)


class ResultsWriter:
    """Appends `{"nodeid", "outcome", "duration", "metrics"}` per test to a JSONL file.

    Complete lines go out in one `write` on a file opened with O_APPEND, so lines from several
    xdist workers never interleave. They are batched (a syscall per test was a measurable part
    of the runner's overhead) but never held for long: a batch is written when it is full,
    when it is older than `FLUSH_SECONDS`, and at the end of the session.
    """

    BATCH = 128
    FLUSH_SECONDS = 0.25

    def __init__(self, path: str) -> None:
        self.path = path
        self._pending: dict[str, dict[str, Any]] = {}
        self._fd: int | None = None
        self._batch: list[str] = []
        self._since = time.monotonic()

    def pytest_sessionfinish(self) -> None:
        self._flush()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed and getattr(report, "node", None) is None:
            self._write({"nodeid": report.nodeid, "outcome": "collection_error", "duration": 0.0,
                         "longrepr": str(report.longrepr)[-4000:]})

    def _write(self, entry: dict[str, Any]) -> None:
        self._batch.append(json.dumps(entry))
        if len(self._batch) >= self.BATCH or time.monotonic() - self._since > self.FLUSH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        self._since = time.monotonic()
        if not self._batch:
            return
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(self._fd, ("\n".join(self._batch) + "\n").encode())
        self._batch.clear()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if getattr(report, "node", None) is not None:
            return  # an xdist worker's report, relayed to the controller: the worker wrote it
        entry = self._pending.setdefault(report.nodeid, {"nodeid": report.nodeid,
                                                          "outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        if report.when == "teardown":
            entry = self._pending.pop(report.nodeid)
            entry["metrics"] = {name.split(":", 1)[1]: value for name, value in report.user_properties
                                if isinstance(name, str) and name.startswith("canon_metric:")}
            self._write(entry)
