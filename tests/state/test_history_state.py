"""`.testcanon/history.sqlite3` is state: an unusable file is set aside and rebuilt, never a crash."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from canon_support import run_canon
from testcanon.errors import CanonError, StateError
from testcanon.history import connect, history_path, session


def _garbage(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 40)


def _truncated(path: Path) -> None:
    root = path.parent.parent
    with session(root) as db:
        db.executemany("INSERT INTO runs (kind, started, command) VALUES ('test', ?, 'x' )",
                       [(float(i),) for i in range(3000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _foreign(path: Path) -> None:  # another program's database under our name
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE runs (x)")
    db.execute("INSERT INTO runs VALUES (1)")
    db.commit()
    db.close()


def _wrong_schema(path: Path) -> None:  # our version number, not our tables
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE other (x)")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()


def _missing_column(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE runs (id INTEGER PRIMARY KEY); PRAGMA user_version = 1;")
    db.commit()
    db.close()


def _negative_version(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = -3")
    db.commit()
    db.close()


DAMAGE = {"garbage": _garbage, "truncated": _truncated, "foreign": _foreign,
          "wrong_schema": _wrong_schema, "missing_column": _missing_column,
          "negative_version": _negative_version}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_an_unusable_database_is_set_aside_and_rebuilt(project: Path, damage: str, capsys) -> None:
    path = history_path(project)
    path.parent.mkdir(exist_ok=True)
    DAMAGE[damage](path)
    capsys.readouterr()
    broken = path.read_bytes()
    with session(project) as db:
        db.execute("INSERT INTO runs (kind, started, command) VALUES ('audit', 1.0, 'canon audit')")
    with session(project) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    warning = capsys.readouterr().err.strip().splitlines()
    assert len(warning) == 1 and warning[0].startswith("canon: warning:") and "moved to" in warning[0]
    kept = list(path.parent.glob("history.sqlite3.unusable-*"))
    assert [p.read_bytes() for p in kept if not p.name.endswith("-journal")] == [broken]


def test_a_healthy_database_is_kept(project: Path, capsys) -> None:
    with session(project) as db:
        db.execute("INSERT INTO runs (kind, started, command) VALUES ('audit', 1.0, 'x')")
    connect(project).close()
    with session(project) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1
    assert capsys.readouterr().err == ""
    assert not list(history_path(project).parent.glob("*.unusable-*"))


def test_a_newer_schema_is_refused_not_set_aside(project: Path) -> None:
    path = history_path(project)
    path.parent.mkdir(exist_ok=True)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(CanonError, match="newer than this testcanon"):
        connect(project)
    assert path.exists()


def test_state_dir_being_a_file_is_a_state_error(project: Path) -> None:
    (project / ".testcanon").write_text("not a directory")
    with pytest.raises(StateError, match="is not a directory"):
        connect(project)


@pytest.mark.slow
# (`canon shards` plans from the committed .test_durations, never from history)
@pytest.mark.parametrize("command", [["perf"], ["audit"], ["report"]])
def test_commands_survive_a_garbage_database(project: Path, command: list[str]) -> None:
    path = history_path(project)
    path.parent.mkdir(exist_ok=True)
    _garbage(path)
    done = run_canon(*command, cwd=project)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert "not a usable history database" in done.stderr


@pytest.mark.slow
def test_run_records_its_results_after_setting_a_garbage_database_aside(project: Path) -> None:
    path = history_path(project)
    path.parent.mkdir(exist_ok=True)
    _garbage(path)
    done = run_canon("run", "--serial", cwd=project)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    with session(project) as db:
        outcomes = [tuple(r) for r in db.execute("SELECT nodeid, outcome FROM test_results")]
    assert outcomes == [("tests/test_one.py::test_one", "passed")]


def _open_and_insert(root: Path) -> None:
    with session(root) as db:
        db.execute("INSERT INTO runs (kind, started, command) VALUES ('test', 1.0, 'x')")


def _open_and_insert_at_once(root: Path, processes: int = 6) -> list[int | None]:
    """The exit codes of `processes` forked processes that each open the database and insert."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_open_and_insert, args=(root,)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    return [worker.exitcode for worker in workers]


def test_processes_creating_the_database_at_once_set_nothing_aside(project: Path) -> None:
    assert _open_and_insert_at_once(project) == [0] * 6
    assert not list(history_path(project).parent.glob("*.unusable-*"))
    with session(project) as db:
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 6


def test_a_version_1_database_is_upgraded_in_place_keeping_its_rows(project: Path, capsys) -> None:
    """Databases written before failure messages were recorded open, gain the column, keep
    every row (message ''), and are not set aside."""
    from testcanon.history import MIGRATIONS

    path = history_path(project)
    _version_1_database(path)
    old = sqlite3.connect(path)
    old.execute("INSERT INTO runs (id, kind, started, command) VALUES (7, 'test', 1.0, 'canon run')")
    old.execute("INSERT INTO test_results (run_id, nodeid, file, outcome, duration) "
                "VALUES (7, 't.py::test_a', 't.py', 'failed', 0.5)")
    old.commit()
    old.close()
    with session(project) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS) >= 2
        row = db.execute("SELECT nodeid, outcome, message FROM test_results WHERE run_id = 7").fetchone()
        assert tuple(row) == ("t.py::test_a", "failed", "")
        db.execute("INSERT INTO test_results (run_id, nodeid, file, outcome, duration, message) "
                   "VALUES (7, 't.py::test_b', 't.py', 'failed', 0.1, 'E   assert 1 == 2')")
    assert not list(path.parent.glob("*.unusable-*"))
    assert "warning" not in capsys.readouterr().err


def test_failure_messages_keep_the_tail_of_a_long_report() -> None:
    from testcanon.history import failure_message

    report = "frame\n" * 2000 + "E   AssertionError: the end"
    kept = failure_message("failed", report)
    assert len(kept) == 4001 and kept.startswith("…") and kept.endswith("E   AssertionError: the end")
    assert failure_message("passed", report) == ""
    assert failure_message("collection_error", "ImportError: x") == "ImportError: x"


def _version_1_database(path: Path) -> None:
    from testcanon.history import MIGRATIONS

    path.parent.mkdir(exist_ok=True)
    raw = sqlite3.connect(path)
    raw.executescript(MIGRATIONS[0] + "; PRAGMA user_version = 1;")
    raw.close()


def test_processes_upgrading_an_old_database_at_once_apply_each_migration_once(
        project: Path) -> None:
    """The CI failure of stop 35: two processes both read version 1 and both added the
    `message` column; the second failed with 'duplicate column name'."""
    path = history_path(project)
    for _ in range(5):
        path.unlink(missing_ok=True)
        _version_1_database(path)
        assert _open_and_insert_at_once(project) == [0] * 6
    assert not list(path.parent.glob("*.unusable-*"))
    with session(project) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 2
        assert db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 6
