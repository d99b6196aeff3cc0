"""Recording runs and per-test results in the history database (see docs/history.md)."""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from testcanon.errors import StateError
from testcanon.history import failure_message, session
from testcanon.runner.execute import CategoryRun
from testcanon.vcs import current_branch, head_commit


def revision(root: Path) -> tuple[str | None, str | None]:
    """(HEAD's commit, the branch) a run is recorded against: two git processes, which
    `canon run` starts while the tests run rather than after them."""
    return head_commit(root), current_branch(root)


def record(root: Path, runs: list[CategoryRun], *, started: float, command: str, exit_code: int,
           at: tuple[str | None, str | None] | None = None) -> int:
    """Store the run (`at`: its `revision`, asked now when not given); returns its id, or 0
    when the history cannot be written (a full disk, a read-only project): the tests have run
    and their results are reported all the same."""
    try:
        return _record(root, runs, started=started, command=command, exit_code=exit_code,
                       at=at or revision(root))
    except StateError as error:
        print(f"canon: warning: results not recorded in the history: {error}", file=sys.stderr)
        return 0


def _record(root: Path, runs: list[CategoryRun], *, started: float, command: str, exit_code: int,
            at: tuple[str | None, str | None]) -> int:
    with session(root) as db:
        cursor = db.execute(
            "INSERT INTO runs (kind, started, finished, commit_sha, branch, command, exit_code) "
            "VALUES ('test', ?, ?, ?, ?, ?, ?)",
            (started, time.time(), *at, command, exit_code))
        run_id = int(cursor.lastrowid or 0)
        rows, metrics = [], []
        for run in runs:
            for result in run.results:
                rows.append((run_id, result.nodeid, result.file, run.category, result.outcome,
                             result.duration, failure_message(result.outcome, result.longrepr)))
                metrics += [(run_id, result.nodeid, name, value) for name, value in result.metrics.items()]
        db.executemany("INSERT OR REPLACE INTO test_results (run_id, nodeid, file, category, outcome, "
                       "duration, message) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        db.executemany("INSERT INTO test_metrics (run_id, nodeid, name, value) VALUES (?, ?, ?, ?)", metrics)
    return run_id


def file_durations(root: Path, last_runs: int = 10) -> dict[str, float]:
    """Each test file's expected duration: the median over recent runs of its tests' total."""
    from testcanon.history import history_path

    if not history_path(root).exists():
        return {}
    with session(root) as db:
        runs = [r[0] for r in db.execute(
            "SELECT id FROM runs WHERE kind = 'test' ORDER BY id DESC LIMIT ?", (last_runs,))]
        if not runs:
            return {}
        rows = db.execute(
            f"SELECT run_id, file, SUM(duration) AS seconds FROM test_results WHERE run_id IN "
            f"({','.join('?' * len(runs))}) GROUP BY run_id, file", runs).fetchall()
    per_file: dict[str, list[float]] = {}
    for row in rows:
        per_file.setdefault(row["file"], []).append(row["seconds"])
    return {name: statistics.median(values) for name, values in per_file.items()}


def last_test_count(root: Path) -> int:
    """How many tests the last recorded run reported (0 without history)."""
    from testcanon.history import history_path

    if not history_path(root).exists():
        return 0
    with session(root) as db:
        row = db.execute("SELECT COUNT(*) FROM test_results WHERE run_id = "
                         "(SELECT MAX(id) FROM runs WHERE kind = 'test')").fetchone()
    return int(row[0] or 0)


def xdist_unsafe(root: Path) -> bool:
    """History shows the suite is not xdist-safe: a test failed in the last run with workers
    and passed in the last run without them."""
    from testcanon.history import history_path

    if not history_path(root).exists():
        return False
    with session(root) as db:
        parallel = db.execute("SELECT MAX(id) FROM runs WHERE kind = 'test' "
                              "AND command LIKE '% -n%'").fetchone()[0]
        serial = db.execute("SELECT MAX(id) FROM runs WHERE kind = 'test' "
                            "AND command NOT LIKE '% -n%'").fetchone()[0]
        if parallel is None or serial is None:
            return False
        row = db.execute(
            "SELECT COUNT(*) FROM test_results p JOIN test_results s ON p.nodeid = s.nodeid "
            "WHERE p.run_id = ? AND s.run_id = ? AND p.outcome IN ('failed', 'error') "
            "AND s.outcome = 'passed'",
            (parallel, serial)).fetchone()
    return bool(row[0])


def parallel_slower(root: Path) -> bool:
    """History shows xdist did not pay here: the last run with workers took longer per test
    than the last run without them of a comparable size (between half and twice as many
    tests), on this machine as it is loaded. Then `canon run` keeps to one process, as the
    project's own `pytest` does."""
    from testcanon.history import history_path

    if not history_path(root).exists():
        return False
    query = ("SELECT r.finished - r.started, COUNT(t.nodeid) FROM runs r JOIN test_results t ON t.run_id = "
             "r.id WHERE r.id = (SELECT MAX(id) FROM runs WHERE kind = 'test' AND finished IS NOT NULL AND "
             "command {} LIKE '% -n%') GROUP BY r.id")
    with session(root) as db:
        parallel = db.execute(query.format("")).fetchone()
        serial = db.execute(query.format("NOT")).fetchone()
    if not parallel or not serial or not parallel[1] or not serial[1]:
        return False
    if not serial[1] / 2 <= parallel[1] <= serial[1] * 2:
        return False
    return parallel[0] / parallel[1] >= serial[0] / serial[1]
