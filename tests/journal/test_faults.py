"""A full disk, a failing disk or an immutable file: one line, exit 2, nothing half-written,
and the journal does not record the run as done."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from journal_support import run_canon_env, run_python, snapshot, temp_files

from testcanon.errors import JournalError
from testcanon.journal import Journal
from testcanon.journal.faults import set_hook

pytestmark = pytest.mark.slow


def _broken_project(root: Path, files: int = 3) -> Path:
    (root / "tests").mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.testcanon]\n")
    for index in range(files):
        (root / "tests" / f"test_{index}.py").write_bytes(f"def test_{index}()\n    pass\n".encode())
    return root


def _assert_clean_failure(result: subprocess.CompletedProcess[str], root: Path, before: dict,
                          why: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and why in lines[0] and "Traceback" not in result.stderr, result.stderr
    assert snapshot(root) == before
    assert temp_files(root) == []
    listing = run_canon_env("undo", "--list", cwd=root)
    assert " done " not in listing.stdout, listing.stdout


@pytest.mark.parametrize("step", ["run.open", "backup:2", "intent", "temp.partial:2", "temp:3", "applied:2",
                                  "replace:3"])
def test_injected_full_disk_during_canon_fix(tmp_path: Path, step: str) -> None:
    root = _broken_project(tmp_path / "p")
    before = snapshot(root)
    result = run_canon_env("fix", "--no-history", cwd=root, env={"TESTCANON_FAULT": f"enospc:{step}"})
    _assert_clean_failure(result, root, before, "No space left on device")


def test_injected_read_only_filesystem_and_eio(tmp_path: Path) -> None:
    for action in ("erofs", "eio"):
        root = _broken_project(tmp_path / action)
        before = snapshot(root)
        result = run_canon_env("fix", "--no-history", cwd=root, env={"TESTCANON_FAULT": f"{action}:temp:2"})
        _assert_clean_failure(result, root, before, "cannot write tests/test_1.py")


def test_hard_linked_file_torn_by_a_full_disk_gets_its_bytes_back(tmp_path: Path) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "a.py").write_bytes(b"original " * 100)
    (root / "twin.py").hardlink_to(root / "a.py")
    set_hook(lambda step: (_ for _ in ()).throw(OSError(28, "No space left on device"))
             if step == "inplace.partial" else None)
    try:
        with (pytest.raises(JournalError, match="No space left on device; nothing was changed"),
              Journal(root).start("x") as run):
            run.write(root / "a.py", b"new " * 300)
    finally:
        set_hook(None)
    assert (root / "twin.py").read_bytes() == b"original " * 100
    assert Journal(root).runs() == []


def _chattr(flag: str, path: Path) -> bool:
    return shutil.which("chattr") is not None and subprocess.run(
        ["chattr", flag, str(path)], capture_output=True).returncode == 0


def test_immutable_target_is_one_line_and_the_run_not_done(tmp_path: Path) -> None:
    root = _broken_project(tmp_path / "p")
    frozen = root / "tests" / "test_2.py"
    if not _chattr("+i", frozen):
        pytest.skip("chattr +i is not available here (needs root on ext4/xfs/tmpfs)")
    try:
        before = snapshot(root)
        result = run_canon_env("fix", "--no-history", cwd=root)
        _assert_clean_failure(result, root, before, "cannot write tests/test_2.py")
    finally:
        _chattr("-i", frozen)


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


FILL = """
from pathlib import Path
from testcanon.journal import Journal
root = Path('.')
with Journal(root).start('fill') as run:
    run.write_all([(root / f'f{i}.py', bytes([65 + i]) * 20000, \
(root / f'f{i}.py').read_bytes()) for i in range(3)])
"""


def test_a_real_full_disk(tiny_disk: Path) -> None:
    """A 96 KiB tmpfs: the backups fit, the bigger new contents do not."""
    root = tiny_disk
    for index in range(3):
        (root / f"f{index}.py").write_bytes(b"x" * 9000)
    before = snapshot(root)
    result = run_python(FILL, root)
    assert result.returncode == 1 and "JournalError" in result.stderr
    assert "No space left on device" in result.stderr.strip().splitlines()[-1]
    assert snapshot(root) == before
    assert temp_files(root) == []
    assert Journal(root).runs() == []


def test_a_full_disk_during_undo_is_one_line_and_undo_can_be_run_again(tmp_path: Path) -> None:
    root = _broken_project(tmp_path / "p")
    before = snapshot(root)
    assert run_canon_env("fix", "--no-history", cwd=root).returncode == 0
    failed = run_canon_env("undo", cwd=root, env={"TESTCANON_FAULT": "enospc:undo.file:2"})
    assert failed.returncode == 2
    [line] = failed.stderr.strip().splitlines()
    assert "No space left on device" in line and "finishes the undo" in line
    assert temp_files(root) == []
    assert snapshot(root) != before
    listing = run_canon_env("undo", "--list", cwd=root)  # the next command finishes it
    assert "undone" in listing.stdout, listing.stdout
    assert snapshot(root) == before
