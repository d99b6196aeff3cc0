"""Symbolic and hard links through `canon fix` and `canon undo`: written through, never split."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from journal_support import snapshot, temp_files

from canon_support import run_canon
from testcanon.journal import Journal

pytestmark = pytest.mark.slow
BROKEN = b"def test_x()\n    pass\n"
FIXED = b"def test_x():\n    pass\n"


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "tests").mkdir(parents=True)
    (root / "shared").mkdir()
    (root / "pyproject.toml").write_text("[tool.testcanon]\n")
    return root


def test_symlinked_test_file_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "shared" / "test_real.py").write_bytes(BROKEN)
    (root / "tests" / "test_link.py").symlink_to("../shared/test_real.py")
    before = snapshot(root)
    result = run_canon("fix", "--no-history", "tests/test_link.py", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "tests" / "test_link.py").is_symlink()
    assert os.readlink(root / "tests" / "test_link.py") == "../shared/test_real.py"
    assert (root / "shared" / "test_real.py").read_bytes() == FIXED
    assert run_canon("undo", cwd=root).returncode == 0
    assert snapshot(root) == before


def test_hard_linked_test_file_stays_one_inode_through_fix_and_undo(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "tests" / "test_h.py").write_bytes(BROKEN)
    os.link(root / "tests" / "test_h.py", root / "shared" / "copy_of_test_h.py")
    inode = (root / "tests" / "test_h.py").stat().st_ino
    before = snapshot(root)
    result = run_canon("fix", "--no-history", "tests/test_h.py", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "shared" / "copy_of_test_h.py").read_bytes() == FIXED
    assert (root / "tests" / "test_h.py").stat().st_ino == inode
    assert run_canon("undo", cwd=root).returncode == 0
    assert snapshot(root) == before and (root / "tests" / "test_h.py").stat().st_ino == inode
    assert temp_files(root) == []


def test_a_symlink_leading_out_of_the_project_is_not_written(tmp_path: Path) -> None:
    root = _project(tmp_path)
    outside = tmp_path / "outside.py"
    outside.write_bytes(BROKEN)
    (root / "tests" / "test_out.py").symlink_to(outside)
    with Journal(root).start("x") as run:
        assert not run.write(root / "tests" / "test_out.py", FIXED)
    assert "leads outside the project" in run.skipped[0].reason
    assert outside.read_bytes() == BROKEN


def test_undo_puts_back_a_link_an_older_testcanon_replaced_by_a_file(tmp_path: Path) -> None:
    root = _project(tmp_path)
    (root / "shared" / "test_real.py").write_bytes(BROKEN)
    link = root / "tests" / "test_link.py"
    link.symlink_to("../shared/test_real.py")
    with Journal(root).start("x") as run:
        run.write(link, FIXED)
    link.unlink()  # what testcanon did before the write protocol: a regular file instead of the link
    link.write_bytes(FIXED)
    Journal(root).undo()
    assert link.is_symlink() and link.read_bytes() == BROKEN
