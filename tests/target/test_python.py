"""Which interpreter runs the project's tests: each source in order, and bad paths."""

from __future__ import annotations

import os
import sys
import venv
from pathlib import Path

import pytest

from testcanon.errors import UsageError
from testcanon.target import resolve_python


def make_venv(path: Path) -> Path:
    """A real, empty venv (no pip: creating it takes milliseconds)."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(path)
    return path


def test_command_line_wins_over_everything(tmp_path: Path) -> None:
    make_venv(tmp_path / ".venv")
    chosen = make_venv(tmp_path / "other")
    target = resolve_python(tmp_path, cli=str(chosen), config=".venv",
                            environ={"VIRTUAL_ENV": str(tmp_path / ".venv")})
    assert target.source == "cli"
    assert Path(target.executable).parent.parent == chosen


def test_config_is_relative_to_the_root(tmp_path: Path) -> None:
    make_venv(tmp_path / "envs" / "py")
    target = resolve_python(tmp_path, config="envs/py", environ={})
    assert target.source == "config"
    assert target.executable.startswith(str(tmp_path / "envs" / "py"))


def test_active_virtual_env_before_the_projects_own(tmp_path: Path) -> None:
    make_venv(tmp_path / ".venv")
    active = make_venv(tmp_path / "active")
    target = resolve_python(tmp_path, environ={"VIRTUAL_ENV": str(active)})
    assert target.source == "virtual_env"


def test_projects_venv_then_own_interpreter(tmp_path: Path) -> None:
    assert resolve_python(tmp_path, environ={}).source == "testcanon"
    make_venv(tmp_path / "venv")
    target = resolve_python(tmp_path, environ={})
    assert target.source == "project_venv"
    assert target.pytest_version is None  # an empty venv: no pytest there
    with pytest.raises(UsageError, match="has no pytest"):
        target.require_pytest()


def test_own_interpreter_is_named_as_such(tmp_path: Path) -> None:
    target = resolve_python(tmp_path, environ={})
    assert target.is_own
    assert target.version == tuple(sys.version_info[:3])
    assert "from testcanon" in target.describe()


@pytest.mark.parametrize("bad", ["missing/python", "notpython.txt"])
def test_bad_path_is_a_one_line_error(tmp_path: Path, bad: str) -> None:
    (tmp_path / "notpython.txt").write_text("hello")
    with pytest.raises(UsageError) as caught:
        resolve_python(tmp_path, cli=str(tmp_path / bad), environ={})
    assert "\n" not in str(caught.value)


def test_an_executable_that_is_not_python(tmp_path: Path) -> None:
    fake = tmp_path / "fake-python"
    fake.write_text("#!/bin/sh\necho hello\n")
    fake.chmod(0o755)
    with pytest.raises(UsageError, match="not a Python interpreter"):
        resolve_python(tmp_path, cli=str(fake), environ={})
