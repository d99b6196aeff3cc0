"""Compare-and-swap on write, the project lock, and two commands at once on one tree."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from journal_support import run_canon_env, run_python, snapshot, temp_files

from testcanon.config import load_project
from testcanon.journal import Journal, LockBusy, project_lock
from testcanon.journal.faults import set_hook
from testcanon.repair.fixer import fix_files


def _broken_project(root: Path, files: int = 3) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.testcanon]\n")
    for index in range(files):
        (root / "tests" / f"test_{index}.py").write_bytes(f"def test_{index}()\n    pass\n".encode())
    return root


def test_write_refuses_a_file_that_is_not_what_the_caller_read(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"edited by a human")
    (tmp_path / "b.py").write_bytes(b"b0")
    with Journal(tmp_path).start("x") as run:
        skipped = run.write_all([(tmp_path / "a.py", b"a1", b"a0"), (tmp_path / "b.py", b"b1", b"b0"),
                                 (tmp_path / "c.py", b"c1", b"c0")])
        assert not run.write(tmp_path / "b.py", b"b2", expected=b"b0")  # b is b1 now
    assert {s.path.name: s.reason for s in skipped} == {"a.py": "changed since it was read: not overwritten",
                                                         "c.py": "deleted since it was read: not overwritten"}
    assert (tmp_path / "a.py").read_bytes() == b"edited by a human"
    assert (tmp_path / "b.py").read_bytes() == b"b1"
    assert not (tmp_path / "c.py").exists()


@pytest.mark.parametrize("step", ["run.open", "backup", "temp"])
def test_an_edit_made_while_canon_fix_runs_is_never_overwritten(tmp_path: Path, step: str) -> None:
    """The edit lands after fix read the file, at a step of its write (chosen by the hook)."""
    root = _broken_project(tmp_path / "p")
    edited = root / "tests" / "test_1.py"
    mine = b"def test_1():\n    assert 'my edit'\n"

    def edit(reached: str) -> None:
        if reached == step and edited.read_bytes() != mine:
            edited.write_bytes(mine)

    set_hook(edit)
    try:
        verdicts = {v.path: v for v in fix_files(load_project(root), method="local", jobs=1)}
    finally:
        set_hook(None)
    assert edited.read_bytes() == mine
    assert verdicts["tests/test_1.py"].verdict == "changed-during-run"
    assert "not overwritten" in verdicts["tests/test_1.py"].detail
    for other in ("tests/test_0.py", "tests/test_2.py"):
        assert verdicts[other].verdict == "fixed-locally"
        assert (root / other).read_bytes().startswith(b"def test_")
    Journal(root).undo()  # the two files fix wrote go back; the edit stays
    assert edited.read_bytes() == mine
    assert (root / "tests" / "test_0.py").read_bytes() == b"def test_0()\n    pass\n"


def test_lock_is_reentrant_in_one_process(tmp_path: Path) -> None:
    with project_lock(tmp_path, "outer") as first, project_lock(tmp_path, "inner") as second:
        assert (first, second) == (True, False)
        with Journal(tmp_path).start("run") as run:
            run.write(tmp_path / "a.py", b"x")
    assert (tmp_path / "a.py").read_bytes() == b"x"


HOLDER = """
import sys
from pathlib import Path
from testcanon.journal import project_lock
with project_lock(Path('.'), 'canon fix'):
    print('held', flush=True)
    sys.stdin.readline()
"""


@pytest.mark.slow
def test_a_second_writer_waits_then_stops_with_one_line_naming_the_holder(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], cwd=tmp_path, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        (tmp_path / "pyproject.toml").write_text("[tool.testcanon]\n")
        started = time.monotonic()
        busy = run_canon_env("undo", cwd=tmp_path, env={"TESTCANON_LOCK_TIMEOUT": "0.5"})
        assert time.monotonic() - started >= 0.5
        assert busy.returncode == 2
        [line] = busy.stderr.strip().splitlines()
        assert "another canon command is writing to this project" in line
        assert f"canon fix, pid {holder.pid}" in line
        with pytest.raises(LockBusy), project_lock(tmp_path, "canon migrate", timeout=0.1):
            pass
    finally:
        holder.communicate("\n", timeout=30)
    assert "nothing to undo" in run_canon_env("undo", cwd=tmp_path).stderr  # free again


FORKER = """
import os, signal, time
from pathlib import Path
from testcanon.journal import project_lock
with project_lock(Path('.'), 'canon fix'):
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print(child, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.mark.slow
def test_a_killed_command_does_not_leave_its_lock_to_its_workers(tmp_path: Path) -> None:
    killed = run_python(FORKER, tmp_path)
    assert killed.returncode == -signal.SIGKILL
    worker = int(killed.stdout.strip())
    try:
        os.kill(worker, 0)  # the worker outlived its parent...
        with project_lock(tmp_path, "next", timeout=1):  # ...without holding the project
            pass
    finally:
        os.kill(worker, signal.SIGKILL)


@pytest.mark.slow
def test_two_canon_fix_at_once_then_undo_twice_gives_back_the_original(tmp_path: Path) -> None:
    root = _broken_project(tmp_path / "p", files=12)
    before = snapshot(root)
    command = [sys.executable, "-m", "testcanon", "fix", "--no-history", "--format", "json"]
    env = {**os.environ, "TESTCANON_LOCK_TIMEOUT": "120"}
    first, second = (subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env) for _ in range(2))
    outputs = [process.communicate(timeout=300) for process in (first, second)]
    assert [process.returncode for process in (first, second)] == [0, 0], outputs
    fixed = sorted(len([f for f in json.loads(out)["files"] if f["verdict"] == "fixed-locally"])
                   for out, _ in outputs)
    assert fixed == [0, 12]  # one wrote everything, the other found nothing left to fix
    runs = Journal(root).runs()
    assert len(runs) == 1 and len({run.id for run in runs}) == 1
    assert run_canon_env("undo", cwd=root).returncode == 0
    again = run_canon_env("undo", cwd=root)
    assert again.returncode == 2 and "nothing to undo" in again.stderr
    assert snapshot(root) == before
    assert temp_files(root) == []


@pytest.mark.slow
def test_run_ids_are_unique_for_runs_started_in_the_same_second(tmp_path: Path) -> None:
    code = ("from pathlib import Path\nfrom testcanon.journal import Journal\nimport os\n"
            "for i in range(5):\n"
            "    with Journal(Path('.')).start('x') as run:\n"
            "        run.write(Path(f'f{os.getpid()}-{i}.py'), b'x')\n")
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=tmp_path) for _ in range(3)]
    assert [p.wait(timeout=120) for p in processes] == [0, 0, 0]
    ids = [run.id for run in Journal(tmp_path).runs()]
    assert len(ids) == 15 == len(set(ids)) and ids == sorted(ids)


def test_a_second_write_refused_by_compare_and_swap_keeps_the_first_undoable(tmp_path: Path) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"v0")
    with Journal(tmp_path).start("x") as run:
        assert run.write(target, b"v1", expected=b"v0")
        assert not run.write(target, b"v2", expected=b"not what is there")
    assert target.read_bytes() == b"v1"
    Journal(tmp_path).undo()
    assert target.read_bytes() == b"v0"
