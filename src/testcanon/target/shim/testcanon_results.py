"""testcanon's results protocol, loaded into the project's pytest with `-p testcanon_results`.

Stdlib and pytest only (Python 3.9+, pytest 7.4+): it runs in the project's interpreter,
where testcanon may not be installed. When `TESTCANON_RESULTS_FILE` is set it appends JSON
lines to that file:

- one line per test: `{"nodeid", "outcome", "duration", "metrics"[, "longrepr"]}`;
- one line per collection error: `{"nodeid", "outcome": "collection_error", "longrepr"}`,
  and per module skipped at collection (`outcome: "skipped"`), as pytest counts them;
- `{"event": "module", "nodeid"}` per module collected without error, as soon as it is: when
  something stops the whole run (an internal error, `KeyboardInterrupt` at import), the modules
  before the one that stopped it are known;
- `{"event": "collected", "rootdir", "args", "numprocesses", "items": [[nodeid, [markers]]]}`
  once collection is done (`args`: the invocation's roots after `testpaths`; markers: those
  named in `TESTCANON_MARKERS`, comma-separated);
- `{"event": "session", "exitstatus", "testscollected", "testsfailed", "rootdir", "xdist"}`
  when the session finishes, written by the controller only: a run whose file lacks this
  line did not finish its session (`os._exit`, `sys.exit` in a conftest, killed, hung), and
  the runner reports it as a failure with that reason, never as green.

When `TESTCANON_EXIT_AT_IMPORT=error` (the commands that only collect), a test module whose
import raises `SystemExit` (it, or a module it imports, calls `sys.exit`) fails to collect like
one whose import raises any other exception, with its traceback (which starts `EXIT_AT_IMPORT`),
and the files after it are collected in the same run. pytest itself lets that `SystemExit` end
the whole session, so each such file cost the collector a run split around it. Whether a module
exits often depends on what ran before it in the process (a test that sets `os.environ` at
import, a configuration cached halfway), so the collector collects such a file again apart
from the files before it.

Complete lines go out in one `write` on a file opened with O_APPEND, so lines from several
xdist workers never interleave. They are batched (a syscall per test was a measurable part
of the runner's overhead) but never held for long: a batch is written when it is full, when
it is older than `FLUSH_SECONDS`, and at the end of the session.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Optional

import pytest

RESULTS_ENV = "TESTCANON_RESULTS_FILE"
MARKERS_ENV = "TESTCANON_MARKERS"
EXIT_ENV = "TESTCANON_EXIT_AT_IMPORT"
EXIT_AT_IMPORT = "SystemExit while importing test module"  # how such a collection error starts
PLUGIN_NAME = "testcanon_results"
LONGREPR_LIMIT = 8000


def pytest_configure(config: Any) -> None:
    path = os.environ.get(RESULTS_ENV)
    if path and not config.pluginmanager.has_plugin("testcanon-results"):
        config.pluginmanager.register(ResultsWriter(path), "testcanon-results")
    if os.environ.get(EXIT_ENV) == "error" and not config.pluginmanager.has_plugin("testcanon-exit"):
        config.pluginmanager.register(ExitAtImportFailsTheModule(), "testcanon-exit")


class ExitAtImportFailsTheModule:
    """A test module's `SystemExit` at import is its collection error, not the session's end."""

    @pytest.hookimpl(hookwrapper=True)
    def pytest_pycollect_makemodule(self, parent: Any) -> Any:
        outcome = yield
        module = outcome.get_result()
        imported = getattr(module, "_getobj", None)
        if imported is None or not hasattr(module, "CollectError"):
            return  # not pytest's Module (a plugin's own collector): left as it is

        def import_module() -> Any:
            try:
                return imported()
            except SystemExit as stop:
                info = pytest.ExceptionInfo.from_exception(stop)
                info.traceback = info.traceback.cut(path=module.path)  # from the test module on
                raise module.CollectError(
                    f"{EXIT_AT_IMPORT} '{module.path}': it, or a module it "
                    f"imports, called sys.exit({stop.code!r}).\nTraceback:\n"
                    f"{info.getrepr(style='short', chain=False)}") from None

        module._getobj = import_module


def _text(value: Any) -> Optional[str]:
    return None if value is None else str(value)


def _is_worker(config: Any) -> bool:
    return hasattr(config, "workerinput")


class ResultsWriter:
    """Appends the lines described in the module docstring to `path`."""

    BATCH = 128
    FLUSH_SECONDS = 0.25

    def __init__(self, path: str) -> None:
        self.path = path
        self._pending: dict[str, dict[str, Any]] = {}
        self._fd: Optional[int] = None
        self._batch: list[str] = []
        self._since = time.monotonic()
        self._markers = {m for m in os.environ.get(MARKERS_ENV, "").split(",") if m}

    def pytest_collection_finish(self, session: Any) -> None:
        if _is_worker(session.config):
            return  # each xdist worker collects the same items; the controller has none
        items = []
        for item in session.items:
            names = sorted({m.name for m in item.iter_markers()} & self._markers) if self._markers else []
            items.append([item.nodeid, names])
        self._write({"event": "collected", "rootdir": str(session.config.rootpath),
                     "args": [str(arg) for arg in session.config.args],
                     "numprocesses": _text(getattr(session.config.option, "numprocesses", None)),
                     "items": items})

    def pytest_sessionfinish(self, session: Any, exitstatus: Any) -> None:
        if not _is_worker(session.config):
            self._write({"event": "session", "exitstatus": int(exitstatus),
                         "testscollected": int(getattr(session, "testscollected", 0)),
                         "testsfailed": int(getattr(session, "testsfailed", 0)),
                         "rootdir": str(session.config.rootpath),
                         "xdist": session.config.pluginmanager.has_plugin("dsession")})
        self._flush()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def pytest_collectreport(self, report: Any) -> None:
        if getattr(report, "node", None) is not None:
            return  # relayed from an xdist worker, which wrote it
        if report.failed:
            self._write({"nodeid": report.nodeid, "outcome": "collection_error", "duration": 0.0,
                         "longrepr": str(report.longrepr)[-LONGREPR_LIMIT:]})
        elif report.skipped:  # a module-level skip (importorskip): pytest counts it as one skipped
            self._write({"nodeid": report.nodeid, "outcome": "skipped", "duration": 0.0, "metrics": {}})
        elif report.nodeid.endswith(".py") and "::" not in report.nodeid:
            self._write({"event": "module", "nodeid": report.nodeid})

    def pytest_runtest_logreport(self, report: Any) -> None:
        if getattr(report, "node", None) is not None:
            return  # an xdist worker's report, relayed to the controller: the worker wrote it
        entry = self._pending.setdefault(report.nodeid, {"nodeid": report.nodeid,
                                                          "outcome": "passed", "duration": 0.0})
        entry["duration"] += report.duration
        if report.failed:
            entry["outcome"] = "failed" if report.when == "call" else "error"
            entry["longrepr"] = (entry.get("longrepr", "") + str(report.longrepr))[-LONGREPR_LIMIT:]
        elif report.skipped and entry["outcome"] == "passed":
            entry["outcome"] = "xfailed" if hasattr(report, "wasxfail") else "skipped"
        elif report.when == "call" and hasattr(report, "wasxfail"):
            entry["outcome"] = "xpassed"
        if report.when == "teardown":
            entry = self._pending.pop(report.nodeid)
            entry["metrics"] = {name.split(":", 1)[1]: value for name, value in report.user_properties
                                if isinstance(name, str) and name.startswith("canon_metric:")}
            self._write(entry)

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
