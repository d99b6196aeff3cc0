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


def test_what_an_interpreter_has_is_cached_until_its_site_packages_change(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from testcanon.target import python as target_python

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    env = make_venv(tmp_path / "env")
    probe = target_python._probe.__wrapped__  # past the in-process cache: as a new command would
    executable = str(env / "bin" / "python")
    assert probe(executable, "cli").pytest_version is None
    cache = tmp_path / "cache" / "testcanon" / "targets.json"
    data = json.loads(cache.read_text())
    data["targets"][executable]["info"]["pytest"] = "cached"  # what only the cache can answer
    cache.write_text(json.dumps(data))
    assert probe(executable, "cli").pytest_version == "cached"
    site = next((env / "lib").glob("python*/site-packages"))
    (site / "newly_installed.pth").write_text("")  # what pip does to site-packages
    os.utime(site, ns=(site.stat().st_atime_ns, site.stat().st_mtime_ns + 1_000_000))
    assert probe(executable, "cli").pytest_version is None  # asked again
    cache.write_text("not json")
    assert probe(executable, "cli").pytest_version is None  # a broken cache is only a miss
