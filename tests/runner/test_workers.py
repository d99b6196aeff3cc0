"""xdist only where it cannot make a run slower than the project's own command."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

import testcanon.runner.run as run_module
from canon_support import write_tree
from testcanon.config import load_project
from testcanon.history import connect
from testcanon.runner.planning import Batch
from testcanon.runner.run import RunOptions, _workers
from testcanon.target import TargetPython

WITH_XDIST = TargetPython(sys.executable, "cli", (3, 11, 0), "8.0", False, ("xdist",))


def _history(root: Path, runs: list[tuple[str, str]], tests: int = 300, seconds: float = 0.1) -> None:
    """runs: (command, outcome of every test) oldest first."""
    db = connect(root)
    for run_id, (command, outcome) in enumerate(runs, start=1):
        db.execute("INSERT INTO runs (id, kind, started, command) VALUES (?, 'test', 0, ?)",
                   (run_id, command))
        db.executemany("INSERT INTO test_results (run_id, nodeid, file, category, outcome, duration) "
                       "VALUES (?, ?, ?, '', ?, ?)",
                       [(run_id, f"tests/test_{i % 30}.py::t{i}", f"tests/test_{i % 30}.py", outcome, seconds)
                        for i in range(tests)])
    db.commit()
    db.close()


def _decide(root: Path, own: list[str] | None = None, target: TargetPython = WITH_XDIST) -> str | None:
    batch = Batch(2, "uncategorized", [], [], None)
    return _workers(load_project(root), RunOptions(), target, own or [], batch)


@pytest.fixture(autouse=True)
def idle_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules below on a machine with two idle cores (a loaded one gets none: see the last test)."""
    monkeypatch.setattr(run_module, "idle_cores", lambda: 2.0)


def test_no_history_no_workers(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    assert _decide(root) is None


def test_a_long_big_suite_gets_workers_unless_the_project_chose(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    _history(root, [("canon run", "passed")])
    assert _decide(root) == "auto"
    assert _decide(root, own=["-n", "4"]) is None
    assert _decide(root, own=["-p", "no:xdist"]) is None
    assert _decide(root, target=TargetPython(sys.executable, "cli", (3, 11, 0), "8.0", False, ())) is None


def test_a_short_suite_stays_serial(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    _history(root, [("canon run", "passed")], seconds=0.01)  # 3 s in all: xdist's start-up would cost more
    assert _decide(root) is None


def test_history_showing_xdist_unsafe_keeps_it_serial(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    _history(root, [("canon run -n", "failed"), ("canon run", "passed")])
    assert _decide(root) is None


def _walls(root: Path, walls: dict[int, float]) -> None:
    """Give the recorded runs (by id) these wall times."""
    db = connect(root)
    db.executemany("UPDATE runs SET started = 100, finished = 100 + ? WHERE id = ?",
                   [(seconds, run_id) for run_id, seconds in walls.items()])
    db.commit()
    db.close()


def test_history_showing_workers_slower_per_test_keeps_it_serial(tmp_path: Path) -> None:
    # 300 tests in 40 s with workers against 300 in 30 s without, on this machine as loaded:
    # xdist's start-up and the other load cost more than the workers gave; no workers again.
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    _history(root, [("canon run", "passed"), ("canon run -n", "passed")])
    _walls(root, {1: 30.0, 2: 40.0})
    assert _decide(root) is None
    _walls(root, {1: 30.0, 2: 18.0})  # workers paid: keep them
    assert _decide(root) == "auto"


def test_runs_of_another_size_say_nothing_about_workers(tmp_path: Path) -> None:
    # a run of one file (30 tests, fast per test) is no measure of what workers do for the suite
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    _history(root, [("canon run", "passed"), ("canon run -n", "passed")])
    db = connect(root)
    db.execute("DELETE FROM test_results WHERE run_id = 1 AND file != 'tests/test_0.py'")
    db.commit()
    db.close()
    _walls(root, {1: 1.0, 2: 60.0})
    assert _decide(root) == "auto"


def test_a_saturated_machine_gets_no_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # every core busy (load average at or above the CPU count): xdist's workers would only
    # compete with the load for the same cores and add their start-up
    root = write_tree(tmp_path / "p", {"tests/test_a.py": ""})
    _history(root, [("canon run", "passed")])
    assert _decide(root) == "auto"
    monkeypatch.setattr(run_module, "idle_cores", lambda: 0.4)
    assert _decide(root) is None
    monkeypatch.undo()
    assert run_module.idle_cores() <= (os.cpu_count() or 1)
