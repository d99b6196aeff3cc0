"""A SIGKILL at any step of the write protocol, then `canon undo`: every byte back, no temp file.

The kill point is chosen by the fault hook (`TESTCANON_FAULT=kill:STEP:N`), never by timing:
the process sends itself SIGKILL exactly there, so no `finally` and no `atexit` runs. The batch
covers the four kinds of write: a plain file, a hard-linked one (rewritten in its inode), one
named through a symbolic link (written through it), and a new file in a new folder.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from journal_support import run_canon_env, run_python, snapshot, temp_files

pytestmark = pytest.mark.slow

WRITER = """
from pathlib import Path
from testcanon.journal import Journal
root = Path('.')
with Journal(root).start('canon fix (test)') as run:
    run.write_all([(root / 'tests/test_a.py', b'A' * 3000, (root / 'tests/test_a.py').read_bytes()),
                   (root / 'tests/test_hard.py', b'H' * 5000, (root / 'tests/test_hard.py').read_bytes()),
                   (root / 'tests/test_link.py', b'L' * 2000, (root / 'tests/test_link.py').read_bytes()),
                   (root / 'tests/new/test_new.py', b'N' * 100, None)])
"""

# (step, occurrence): every step each kind of file goes through
KILLS = [("run.dir", 1), ("run.open", 1), ("backup", 1), ("backup", 3), ("intent", 1),
         ("temp.partial", 1), ("temp.partial", 2), ("temp.partial", 3), ("inplace.partial", 1),
         ("temp", 1), ("temp", 3), ("replace", 1), ("replace", 2), ("replace", 3), ("replace", 4),
         ("applied", 1), ("applied", 4), ("close.manifest", 1)]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "tests" / "real").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.testcanon]\n")
    (root / "tests" / "test_a.py").write_bytes(b"def test_a()\n    pass\n" * 50)
    (root / "tests" / "test_a.py").chmod(0o750)
    (root / "tests" / "test_hard.py").write_bytes(b"def test_h(:\n" * 80)
    os.link(root / "tests" / "test_hard.py", root / "tests" / "hard_twin.py")
    (root / "tests" / "real" / "target.py").write_bytes(b"def test_l()\n" * 40)
    (root / "tests" / "test_link.py").symlink_to("real/target.py")
    return root


def _undo_until_done(root: Path) -> None:
    result = run_canon_env("undo", cwd=root)
    assert result.returncode == 0 or "nothing to undo" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(("step", "count"), KILLS, ids=[f"{s}-{n}" for s, n in KILLS])
def test_kill_then_undo_restores_every_byte(tree: Path, step: str, count: int) -> None:
    before = snapshot(tree)
    killed = run_python(WRITER, tree, {"TESTCANON_FAULT": f"kill:{step}:{count}"})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    _undo_until_done(tree)
    assert snapshot(tree) == before
    assert temp_files(tree) == []
    assert (tree / "tests" / "test_hard.py").stat().st_ino == (tree / "tests" / "hard_twin.py").stat().st_ino
    assert (tree / "tests" / "test_link.py").is_symlink()


def test_without_a_kill_the_batch_is_written_and_links_kept(tree: Path) -> None:
    before = snapshot(tree)
    done = run_python(WRITER, tree)
    assert done.returncode == 0, done.stderr
    assert (tree / "tests" / "hard_twin.py").read_bytes() == b"H" * 5000  # the hard link was kept
    assert (tree / "tests" / "test_link.py").is_symlink()
    assert (tree / "tests" / "real" / "target.py").read_bytes() == b"L" * 2000
    assert (tree / "tests" / "test_a.py").stat().st_mode & 0o777 == 0o750
    _undo_until_done(tree)
    assert snapshot(tree) == before


@pytest.mark.parametrize(("step", "count"), [("undo.begin", 1), ("undo.file", 1), ("undo.file", 3)])
def test_kill_during_undo_then_undo_again(tree: Path, step: str, count: int) -> None:
    before = snapshot(tree)
    assert run_python(WRITER, tree).returncode == 0
    killed = run_canon_env("undo", cwd=tree, env={"TESTCANON_FAULT": f"kill:{step}:{count}"})
    assert killed.returncode == -signal.SIGKILL
    _undo_until_done(tree)
    assert snapshot(tree) == before
    assert temp_files(tree) == []


def test_kill_during_recovery_of_a_torn_file(tree: Path) -> None:
    before = snapshot(tree)
    # the hard-linked file, half
    torn = run_python(WRITER, tree, {"TESTCANON_FAULT": "kill:inplace.partial:1"})
    assert torn.returncode == -signal.SIGKILL
    assert (tree / "tests" / "test_hard.py").read_bytes() != before["tests/test_hard.py"][1]
    again = run_canon_env("undo", cwd=tree, env={"TESTCANON_FAULT": "kill:recover.file:1"})
    assert again.returncode == -signal.SIGKILL
    _undo_until_done(tree)
    assert snapshot(tree) == before
    assert temp_files(tree) == []


def test_next_writing_command_completes_the_interrupted_run(tree: Path) -> None:
    killed = run_python(WRITER, tree, {"TESTCANON_FAULT": "kill:replace:2"})
    assert killed.returncode == -signal.SIGKILL
    listing = run_canon_env("undo", "--list", cwd=tree)
    assert "interrupted" in listing.stdout and "2 file(s)" in listing.stdout, listing.stdout
    assert temp_files(tree) == []


def test_kill_of_canon_fix_itself(tmp_path: Path) -> None:
    root = tmp_path / "fixme"
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.testcanon]\n")
    for index in range(3):
        (root / "tests" / f"test_{index}.py").write_bytes(f"def test_{index}()\n    pass\n".encode())
    before = snapshot(root)
    killed = run_canon_env("fix", "--no-history", cwd=root, env={"TESTCANON_FAULT": "kill:replace:2"})
    assert killed.returncode == -signal.SIGKILL
    assert sum(snapshot(root)[f"tests/test_{i}.py"] != before[f"tests/test_{i}.py"] for i in range(3)) == 2
    _undo_until_done(root)
    assert snapshot(root) == before
    assert temp_files(root) == []


TWICE = """
from pathlib import Path
from testcanon.journal import Journal
root = Path('.')
with Journal(root).start('twice') as run:
    run.write(root / 'tests/test_a.py', b'first', expected=(root / 'tests/test_a.py').read_bytes())
    run.write(root / 'tests/test_a.py', b'second', expected=b'first')
"""


@pytest.mark.parametrize("step", ["intent:2", "temp:2", "replace:2"])
def test_kill_during_a_second_write_of_one_file(tree: Path, step: str) -> None:
    before = snapshot(tree)
    killed = run_python(TWICE, tree, {"TESTCANON_FAULT": f"kill:{step}"})
    assert killed.returncode == -signal.SIGKILL
    _undo_until_done(tree)
    assert snapshot(tree) == before
    assert temp_files(tree) == []
