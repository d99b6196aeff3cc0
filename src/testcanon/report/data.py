"""What the dashboard shows, gathered from the audit snapshot and the history database."""

from __future__ import annotations

import os
import statistics
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testcanon.audit.store import history, latest_snapshot
from testcanon.history import history_path, session

# The smallest slowdown worth a row in "most regressed": below it, scheduling and I/O jitter
# on a shared CI runner dominate (runner/perf.py uses the same floor for `canon perf`).
NOISE_FLOOR_S = 0.05


@dataclass(frozen=True)
class TestTiming:
    nodeid: str
    seconds: float
    baseline: float | None = None

    @property
    def ratio(self) -> float | None:
        return self.seconds / self.baseline if self.baseline else None


@dataclass(frozen=True)
class LatestRun:
    """The newest `canon run` in the history: when, at which commit, and what did not pass."""

    started: float
    commit: str | None
    exit_code: int | None
    outcomes: dict[str, int]
    problems: list[tuple[str, str, str]]  # (outcome, nodeid, message) of failed, errored, uncollectable


@dataclass(frozen=True)
class Dashboard:
    snapshot: dict[str, Any]
    audits: list[dict[str, Any]]
    folders: list[tuple[str, int]]
    findings_by_rule: dict[str, list[dict[str, Any]]]
    slowest: list[TestTiming] = field(default_factory=list)
    regressed: list[TestTiming] = field(default_factory=list)
    latest_run: LatestRun | None = None
    source_url: str | None = None  # e.g. https://github.com/o/r/blob/<commit>/ for source links


def gather(root: Path, *, depth: int = 2) -> Dashboard | None:
    snapshot = latest_snapshot(root)
    if snapshot is None:
        return None
    findings: list[dict[str, Any]] = list(snapshot.get("findings", []))  # type: ignore[arg-type]
    folders = Counter(_folder(f["path"], depth) for f in findings)
    by_rule: dict[str, list[dict[str, Any]]] = {}
    for finding in sorted(findings, key=lambda f: (f["path"], f["line"])):
        by_rule.setdefault(finding["code"], []).append(finding)
    slowest, regressed = _timings(root)
    return Dashboard(snapshot=snapshot, audits=history(root), folders=folders.most_common(25),
                     findings_by_rule=dict(sorted(by_rule.items())), slowest=slowest,
                     regressed=regressed, latest_run=_latest_run(root),
                     source_url=_source_url(root, snapshot.get("commit")))


def _latest_run(root: Path, limit: int = 100) -> LatestRun | None:
    if not history_path(root).exists():
        return None
    with session(root) as db:
        run = db.execute("SELECT id, started, commit_sha, exit_code FROM runs WHERE kind = 'test' "
                         "ORDER BY id DESC LIMIT 1").fetchone()
        if run is None:
            return None
        outcomes = dict(db.execute("SELECT outcome, COUNT(*) FROM test_results WHERE run_id = ? "
                                   "GROUP BY outcome", (run["id"],)).fetchall())
        # paths under the project become relative: a published report names no build machine's
        local = [f"{root}{os.sep}", f"{root.resolve()}{os.sep}"]
        problems = [(row["outcome"], row["nodeid"], _strip(row["message"], local)) for row in db.execute(
            "SELECT outcome, nodeid, message FROM test_results WHERE run_id = ? "
            "AND outcome IN ('failed', 'error', 'collection_error') ORDER BY outcome, nodeid LIMIT ?",
            (run["id"], limit))]
    return LatestRun(run["started"], run["commit_sha"], run["exit_code"], outcomes, problems)


def _strip(text: str, prefixes: list[str]) -> str:
    for prefix in prefixes:
        text = text.replace(prefix, "")
    return text


def _source_url(root: Path, commit: object) -> str | None:
    """Where a published dashboard can link sources: the GitHub blob of the audited commit, when
    the `origin` remote is on GitHub; None otherwise (links are then relative paths)."""
    import re
    import subprocess

    if not commit:
        return None
    try:
        remote = subprocess.run(["git", "config", "--get", "remote.origin.url"], cwd=root,
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.match(r"(?:https://|git@|ssh://git@)github\.com[/:]([\w.-]+/[\w.-]+?)(?:\.git)?/?$", remote)
    if match is None:
        return None
    from testcanon.output.location import repository_prefix

    return f"https://github.com/{match.group(1)}/blob/{commit}/{repository_prefix(root)}"


def _folder(path: str, depth: int) -> str:
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) + "/" if parts else "./"


def _timings(root: Path, top: int = 20, recent_runs: int = 3) -> tuple[list[TestTiming], list[TestTiming]]:
    """Slowest tests of the newest run; tests whose recent median grew most over their past."""
    if not history_path(root).exists():
        return [], []
    with session(root) as db:
        runs = [row[0] for row in db.execute(
            "SELECT id FROM runs WHERE kind = 'test' ORDER BY id DESC LIMIT 50")]
        if not runs:
            return [], []
        rows = db.execute(
            f"SELECT run_id, nodeid, duration FROM test_results WHERE run_id IN "
            f"({','.join('?' * len(runs))}) AND outcome = 'passed'", runs).fetchall()
    durations: dict[str, dict[int, float]] = {}
    for row in rows:
        durations.setdefault(row["nodeid"], {})[row["run_id"]] = row["duration"]
    newest = runs[0]
    slowest = sorted((TestTiming(nodeid, by_run[newest]) for nodeid, by_run in durations.items()
                      if newest in by_run), key=lambda t: -t.seconds)[:top]
    recent, past = set(runs[:recent_runs]), set(runs[recent_runs:])
    regressed = []
    for nodeid, by_run in durations.items():
        now = [d for run, d in by_run.items() if run in recent]
        before = [d for run, d in by_run.items() if run in past]
        if now and before and statistics.median(before) > 0:
            regressed.append(TestTiming(nodeid, statistics.median(now), statistics.median(before)))
    # A regression must stand above timer noise: 7 ms -> 34 ms is not one (NOISE_FLOOR_S).
    regressed = [t for t in regressed if t.ratio and t.ratio > 1.2
                 and t.seconds - (t.baseline or 0) >= NOISE_FLOOR_S]
    regressed.sort(key=lambda t: -(t.ratio or 0))
    return slowest, regressed[:top]
