"""The testcanon pytest plugin (entry point `pytest11`, loaded automatically once installed).

- fixtures `isolated_env` (an `IsolatedEnvironment` restored after the test) and
  `canon_metrics` (record numbers for the runner);
- the category markers from `[tool.testcanon.categories]` and `real_services`, registered;
- `--canon-strict`: SSOT violations become collection errors naming the `canon check` code;
- when `TESTCANON_RESULTS_FILE` is set, one JSON line per test (outcome, duration, metrics),
  written by `testcanon.target.shim.testcanon_results` (the runner loads that module itself
  in an interpreter without testcanon).

Everything per-test is registered only when asked for, so a run that uses none of it pays
nothing but the import of this module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from testcanon.target.shim.testcanon_results import RESULTS_ENV, ResultsWriter
from testcanon.testing import metrics as _metrics
from testcanon.testing.fixtures import isolated_env

__all__ = ["RESULTS_ENV", "ResultsWriter", "isolated_env"]


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
    if os.environ.get(RESULTS_ENV) and not config.pluginmanager.has_plugin("testcanon-results"):
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
