"""xdist only where it cannot make a run slower than the project's own command."""

from __future__ import annotations

import sys
from pathlib import Path

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
        db.execute("INSERT INTO runs (id, kind, started, command) VALUES (?, 'test', 0, ?)", (run_id, command))
        db.executemany("INSERT INTO test_results (run_id, nodeid, file, category, outcome, duration) VALUES (?, ?, ?, '', ?, ?)",
                       [(run_id, f"tests/test_{i % 30}.py::t{i}", f"tests/test_{i % 30}.py", outcome, seconds)
                        for i in range(tests)])
    db.commit()
    db.close()


def _decide(root: Path, own: list[str] | None = None, target: TargetPython = WITH_XDIST) -> str | None:
    batch = Batch(2, "uncategorized", [], [], None)
    return _workers(load_project(root), RunOptions(), target, own or [], batch)


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
