"""A project root is never inferred from a symlink's target, and nothing is written outside a project."""

from __future__ import annotations

from pathlib import Path

import pytest
from state_support import one_line_error

from canon_support import run_canon, write_tree
from testcanon.config import find_root
from testcanon.errors import StateError
from testcanon.state import state_dir

SECRET = "TOP-SECRET-CONTENT = ("


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder that is no project (no pyproject.toml, no .git), holding a broken file."""
    return write_tree(tmp_path / "outside", {"secret.py": SECRET + "\n"})


def test_a_symlink_is_placed_by_where_it_is_named(project: Path, outside: Path) -> None:
    link = project / "tests" / "link.py"
    link.symlink_to(outside / "secret.py")
    assert find_root(link) == project.resolve()


@pytest.mark.parametrize("command", [["scan"], ["check"], ["fix", "--dry-run"], ["scan", "--format", "json"]])
def test_naming_a_symlink_out_of_the_tree_is_refused(project: Path, outside: Path, command) -> None:
    link = project / "tests" / "link.py"
    link.symlink_to(outside / "secret.py")
    done = run_canon(*command, "tests/link.py", cwd=project)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr
    assert "outside the project" in done.stderr and "symlink" in done.stderr
    assert "TOP-SECRET" not in done.stdout + done.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py"]


def test_a_symlinked_folder_out_of_the_tree_is_refused(project: Path, outside: Path) -> None:
    (project / "elsewhere").symlink_to(outside)
    done = run_canon("scan", "elsewhere", cwd=project)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py"]


@pytest.mark.parametrize("command", [["scan"], ["check"], ["scan", "--format", "sarif"]])
def test_a_folder_outside_any_project_is_read_not_written(outside: Path, command, tmp_path: Path) -> None:
    done = run_canon(*command, str(outside), cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py"]


def test_commands_that_need_state_say_so_outside_a_project(outside: Path, tmp_path: Path) -> None:
    done = run_canon("audit", str(outside), cwd=tmp_path)
    assert done.returncode == 2 and one_line_error(done.stderr), done.stderr
    assert "is not a project" in done.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["secret.py"]


def test_state_dir_refuses_a_folder_that_is_no_project(outside: Path, project: Path, monkeypatch) -> None:
    from testcanon import state

    state_dir(outside / "library")  # the library writes where it is told; the command line does not
    monkeypatch.setattr(state, "_enforced", True)
    with pytest.raises(StateError, match="is not a project"):
        state_dir(outside)
    assert state_dir(project).is_dir()
    write_tree(outside, {".git/HEAD": "ref: refs/heads/main\n"})
    assert state_dir(outside).is_dir()


def test_the_directory_canon_runs_in_may_keep_state(outside: Path) -> None:
    """`canon init` in a bare folder makes it a project: the current directory is always one."""
    done = run_canon("audit", cwd=outside)
    assert "Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr
    assert (outside / ".testcanon" / "history.sqlite3").is_file()
