"""The history database: `.testcanon/history.sqlite3`, shared by `canon run` and `canon audit`.

The schema is versioned with SQLite's `user_version`; each entry of `MIGRATIONS` moves it one
version up, inside a transaction, so an old database is brought forward and a newer one (from a
newer testcanon) is refused instead of being misread. Documented in docs/history.md.

The database is state, never a reason to crash: a file that is not SQLite, is truncated or
corrupt, or holds tables of another shape (a foreign file under our name) is set aside
(renamed `history.sqlite3.unusable-<time>`, one warning line on stderr) and a fresh database is
started. A database that cannot be opened or written at all (read-only project, full disk) is a
one-line `StateError`.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from testcanon.errors import CanonError, StateError
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
    # 2: what a failed, errored or uncollectable test reported (its traceback's tail), so the
    # dashboard can show why without re-running it; '' for every other outcome and older rows
    """
    ALTER TABLE test_results ADD COLUMN message TEXT NOT NULL DEFAULT '';
    """,
)

FAILING = ("failed", "error", "collection_error")
MESSAGE_LIMIT = 4000  # characters kept of a report: its end, where pytest puts the error


def failure_message(outcome: str, longrepr: str) -> str:
    """The part of a test's report the history keeps: the tail of a failure's, else ''."""
    if outcome not in FAILING or not longrepr:
        return ""
    text = longrepr.strip()
    return text if len(text) <= MESSAGE_LIMIT else "…" + text[-MESSAGE_LIMIT:]


def history_path(root: Path) -> Path:
    return root / ".testcanon" / FILENAME


class _Unusable(Exception):
    """The file at the history path is not a history database we can use."""


# SQLite's own words for "this file is damaged or not a database" (as opposed to "cannot
# open/write here", which is the environment's fault and is reported, not set aside).
_CORRUPT = ("not a database", "malformed", "file is encrypted", "disk image")


def connect(root: Path) -> sqlite3.Connection:
    """Open (creating and migrating as needed) the history database of a project root."""
    state_dir(root)
    path = history_path(root)
    for attempt in range(2):
        try:
            return _open(path)
        except _Unusable as why:
            reason = str(why)
            # Another canon may have been writing the database as we read it: look again
            # before calling a healthy database unusable.
            time.sleep(0.2 if attempt == 0 else 0)
    aside = set_aside(path, reason)
    try:
        return _open(path)
    except _Unusable as why:  # not reachable with a healthy disk: a fresh file failed too
        raise StateError(f"{path}: cannot create a history database ({why}); moved the old one "
                         f"to {aside.name}") from None


def _open(path: Path) -> sqlite3.Connection:
    try:
        connection = sqlite3.connect(path, timeout=30)
    except sqlite3.Error as exc:
        raise StateError(f"{path}: cannot open the history database: {exc}") from None
    try:
        connection.row_factory = sqlite3.Row
        connection.execute("PRAGMA foreign_keys = ON")
        check = connection.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise _Unusable(f"integrity check: {check}")
        migrate(connection)
        _check_shape(connection)
    except sqlite3.DatabaseError as exc:
        connection.close()
        if isinstance(exc, sqlite3.OperationalError) and not _is_corruption(exc):
            raise StateError(f"{path}: cannot use the history database: {exc}") from None
        raise _Unusable(str(exc)) from None
    except BaseException:
        connection.close()
        raise
    return connection


def _is_corruption(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return any(word in text for word in _CORRUPT) or "no such" in text or "already exists" in text \
        or "has no column" in text


def _check_shape(connection: sqlite3.Connection) -> None:
    """Every table of the current schema present with every column (a foreign database with
    our name and version, or one edited by hand, is not ours)."""
    for table, columns in _expected_shape().items():
        found = {row[1] for row in connection.execute(f"PRAGMA table_info({table})")}
        missing = columns - found
        if missing:
            raise _Unusable(f"table {table} lacks {', '.join(sorted(missing))}" if found
                            else f"no table {table}")


@lru_cache(maxsize=1)
def _expected_shape() -> dict[str, frozenset[str]]:
    """Table -> column names, read from a scratch in-memory database built by `MIGRATIONS`."""
    reference = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS:
            reference.executescript(script)
        tables = [row[0] for row in reference.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: frozenset(row[1] for row in reference.execute(f"PRAGMA table_info({t})"))
                for t in tables}
    finally:
        reference.close()


def set_aside(path: Path, reason: str) -> Path:
    """Rename an unusable database (and its rollback journal) out of the way; warn in one line."""
    aside = path.with_name(f"{path.name}.unusable-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    try:
        os.replace(path, aside)
        for suffix in ("-journal", "-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            if companion.exists():
                os.replace(companion, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise StateError(f"{path}: not a usable history database ({reason}) and cannot be moved "
                         f"aside: {exc.strerror or exc}") from None
    print(f"canon: warning: {path} was not a usable history database ({reason}); "
          f"moved to {aside.name} and started a new one", file=sys.stderr)
    return aside


def migrate(connection: sqlite3.Connection) -> None:
    """Bring the schema to the current version, one migration at a time.

    Processes that open a new or older database at once (two CI shards) must not both apply a
    migration: the version is read again under SQLite's write lock (`BEGIN IMMEDIATE`), so the
    second one finds the work done. All of it is one transaction; a failure leaves the old
    version whole."""
    if _schema_version(connection) == len(MIGRATIONS):
        return
    previous = connection.isolation_level
    connection.isolation_level = None  # the transaction below is ours, not the module's
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            for number in range(_schema_version(connection), len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[number]):
                    connection.execute(statement)
                connection.execute(f"PRAGMA user_version = {number + 1}")
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
    finally:
        connection.isolation_level = previous


def _schema_version(connection: sqlite3.Connection) -> int:
    version = connection.execute("PRAGMA user_version").fetchone()[0]
    if version < 0:
        raise _Unusable(f"schema version {version}")
    if version > len(MIGRATIONS):
        raise CanonError(
            f"history database is schema version {version}, newer than this testcanon "
            f"understands ({len(MIGRATIONS)}); upgrade testcanon"
        )
    return version


def _statements(script: str) -> Iterator[str]:
    """The statements of a migration, one by one (`executescript` would commit first, outside
    the lock)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending.strip()
            pending = ""


@contextmanager
def session(root: Path) -> Iterator[sqlite3.Connection]:
    """A connection that commits on success, rolls back on error, and is always closed.

    SQLite failures inside the block (a disk that fills, a file damaged underneath us) become
    a one-line `StateError`; the transaction is rolled back, so nothing is half written."""
    connection = connect(root)
    try:
        with connection:
            yield connection
    except sqlite3.Error as exc:
        raise StateError(f"{history_path(root)}: {exc}") from None
    finally:
        connection.close()
