"""The history database: `.testcanon/history.sqlite3`, shared by `canon run` and `canon audit`.

The schema is versioned with SQLite's `user_version`; each entry of `MIGRATIONS` moves it one
version up, inside a transaction, so an old database is brought forward and a newer one (from a
newer testcanon) is refused instead of being misread. Documented in docs/history.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from testcanon.errors import CanonError
from testcanon.state import state_dir

FILENAME = "history.sqlite3"

MIGRATIONS: tuple[str, ...] = (
    # 1: test runs and per-test results (canon run), audits and their metrics (canon audit)
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- 'test' or 'audit'
        started REAL NOT NULL,            -- unix time
        finished REAL,
        commit_sha TEXT,
        branch TEXT,
        command TEXT NOT NULL DEFAULT '',
        exit_code INTEGER
    );
    CREATE TABLE test_results (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        nodeid TEXT NOT NULL,
        file TEXT NOT NULL,
        category TEXT NOT NULL DEFAULT '',
        outcome TEXT NOT NULL,            -- passed, failed, error, skipped, xfailed, xpassed
        duration REAL NOT NULL,           -- seconds, call phase plus setup and teardown
        PRIMARY KEY (run_id, nodeid)
    );
    CREATE INDEX test_results_nodeid ON test_results(nodeid);
    CREATE TABLE test_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        nodeid TEXT NOT NULL,
        name TEXT NOT NULL,
        value REAL NOT NULL
    );
    CREATE TABLE coverage_areas (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        area TEXT NOT NULL,
        line_percent REAL,
        branch_percent REAL,
        target REAL,
        PRIMARY KEY (run_id, area)
    );
    CREATE TABLE audit_metrics (
        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        metric TEXT NOT NULL,
        value REAL,
        target REAL,
        definition_version TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (run_id, metric)
    );
    """,
)


def history_path(root: Path) -> Path:
    return root / ".testcanon" / FILENAME


def connect(root: Path) -> sqlite3.Connection:
    """Open (creating and migrating as needed) the history database of a project root."""
    state_dir(root)
    connection = sqlite3.connect(history_path(root), timeout=30)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    migrate(connection)
    return connection


def migrate(connection: sqlite3.Connection) -> None:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version > len(MIGRATIONS):
        raise CanonError(
            f"history database is schema version {version}, newer than this testcanon "
            f"understands ({len(MIGRATIONS)}); upgrade testcanon"
        )
    for number in range(version, len(MIGRATIONS)):
        with connection:
            connection.executescript("BEGIN;" + MIGRATIONS[number] +
                                     f"; PRAGMA user_version = {number + 1};")


@contextmanager
def session(root: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success, rolls back on error, and is always closed."""
    connection = connect(root)
    try:
        with connection:
            yield connection
    finally:
        connection.close()
