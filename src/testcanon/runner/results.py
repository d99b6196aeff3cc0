"""Read back what a child pytest wrote through `testcanon_results`, and judge how it ended.

A run is green only when the child finished its pytest session and said so: the session line
is missing when a conftest called `os._exit` or `sys.exit`, when the process was killed or
timed out, and then the run is a failure with that reason, whatever the exit code.
"""

from __future__ import annotations

import json
import signal
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.runner.process import Finished
from testcanon.target.shim.testcanon_results import EXIT_AT_IMPORT

_EXIT_NAMES = {2: "interrupted", 3: "internal error", 4: "usage error"}


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

    def to_json(self) -> dict[str, object]:
        entry: dict[str, object] = {"nodeid": self.nodeid, "outcome": self.outcome,
                                    "duration": self.duration, "metrics": self.metrics}
        if self.longrepr:
            entry["longrepr"] = self.longrepr
        return entry


@dataclass(frozen=True)
class Session:
    exitstatus: int
    testscollected: int
    rootdir: str
    xdist: bool


@dataclass
class Events:
    results: list[TestResult]
    collected: list[tuple[str, tuple[str, ...]]] | None  # (nodeid, markers), when collection finished
    session: Session | None
    rootdir: str | None
    args: list[str] = field(default_factory=list)  # the invocation's roots (after testpaths)
    numprocesses: str | None = None  # `-n` as the project's options set it
    modules: list[str] = field(default_factory=list)  # modules collected without error, in order


def read_events(path: Path) -> Events:
    """Every line of the results file; results de-duplicated by node id (several xdist
    workers report one collection error)."""
    seen: dict[str, TestResult] = {}
    collected: list[tuple[str, tuple[str, ...]]] | None = None
    session: Session | None = None
    rootdir: str | None = None
    args: list[str] = []
    numprocesses: str | None = None
    modules: list[str] = []
    text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            event = entry.get("event")
            if event == "collected":
                collected = [(str(n), tuple(m)) for n, m in entry["items"]]
                rootdir = entry.get("rootdir", rootdir)
                args = [str(a) for a in entry.get("args", [])]
                numprocesses = entry.get("numprocesses")
            elif event == "module":
                modules.append(str(entry["nodeid"]))
            elif event == "session":
                session = Session(int(entry["exitstatus"]), int(entry.get("testscollected", 0)),
                                  str(entry.get("rootdir", "")), bool(entry.get("xdist")))
                rootdir = session.rootdir or rootdir
            elif event is None:
                seen[entry["nodeid"]] = TestResult(entry["nodeid"], entry["outcome"],
                                                   float(entry.get("duration", 0)),
                                                   entry.get("metrics", {}), entry.get("longrepr", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a line cut short by a killed process
    return Events(list(seen.values()), collected, session, rootdir, args, numprocesses, modules)


def read_results(path: Path) -> list[TestResult]:
    return read_events(path).results


def failure_reason(finished: Finished, events: Events) -> str:
    """Why this pytest process is a failure whatever its results say, or "" when it is not."""
    code = finished.returncode
    if finished.timed_out:
        seconds = f"{finished.timeout or 0:.1f}".rstrip("0").rstrip(".")
        return f"timed out after {seconds}s: pytest was stopped before its session finished"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"killed by {name} before its session finished"
    if code in _EXIT_NAMES:
        return f"pytest exit code {code} ({_EXIT_NAMES[code]})"
    if events.session is None:
        return (f"pytest exited {code} without finishing its session (os._exit or sys.exit in a "
                "conftest, or a crash): no report")
    if code != events.session.exitstatus:
        return f"pytest exited {code} but its session ended with status {events.session.exitstatus}"
    if code not in (0, 1, 5):
        return f"pytest exit code {code}"
    return ""


def done_with(events: Events) -> set[str]:
    """The files a collection was done with (collected, failed or skipped), even when the run
    stopped midway."""
    return {*(nodeid.split("::", 1)[0] for nodeid in events.modules),
            *(r.nodeid.split("::", 1)[0] for r in events.results
              if r.outcome == "collection_error" or (r.outcome == "skipped" and "::" not in r.nodeid))}


def exited_at_import(events: Events) -> list[str]:
    """The files whose import called `sys.exit` (made their collection error by the shim, for the
    commands that only collect), in the order pytest collected them."""
    return [r.file for r in events.results
            if r.outcome == "collection_error" and r.longrepr.startswith(EXIT_AT_IMPORT)]


def split_at_stopper(files: list[str], reached: set[str]) -> list[list[str]] | None:
    """`files` around the one that stopped their run: those before it, it alone, those after it;
    None when what pytest was done with is not a prefix of the run's files (then where it
    stopped is not known)."""
    done = 0
    while done < len(files) and files[done] in reached:
        done += 1
    if done == 0 or done == len(files) or reached & set(files[done:]):
        return None
    return [piece for piece in (files[:done], files[done:done + 1], files[done + 1:]) if piece]
