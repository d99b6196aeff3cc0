"""The project's own addopts decide parallelism before canon's heuristic does."""

from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree
from testcanon.runner.pytest_ini import addopts, sets_parallelism


@pytest.mark.parametrize(("files", "expected"), [
    ({"pytest.ini": "[pytest]\naddopts = -n 4 -q\n", "pyproject.toml": ""}, ["-n", "4", "-q"]),
    ({"pyproject.toml": '[tool.pytest.ini_options]\naddopts = ["-nauto"]\n'}, ["-nauto"]),
    ({"pyproject.toml": "[project]\nname='x'\n", "tox.ini": "[pytest]\naddopts = --dist loadfile\n"},
     ["--dist", "loadfile"]),
    ({"setup.cfg": "[tool:pytest]\naddopts = -p no:xdist\n"}, ["-p", "no:xdist"]),
    ({"setup.cfg": "[metadata]\nname = x\n"}, []),
])
def test_addopts_from_the_inifile_pytest_would_pick(tmp_path: Path, files: dict, expected: list) -> None:
    root = write_tree(tmp_path / "p", files)
    assert addopts(root, environ={}) == expected
    assert sets_parallelism(expected) == bool(expected)


def test_pytest_addopts_from_the_environment(tmp_path: Path) -> None:
    assert addopts(tmp_path, environ={"PYTEST_ADDOPTS": "--numprocesses=3"}) == ["--numprocesses=3"]
    assert sets_parallelism(["--numprocesses=3"])
    assert not sets_parallelism(["-q", "--strict-markers", "-k", "not slow"])


def test_testpaths_scope_the_projects_own_invocation(tmp_path: Path) -> None:
    """testpaths = t/unit: files under t/integration cannot make a bare run split in two."""
    from testcanon.config import load_project
    from testcanon.runner.planning import single_invocation
    from testcanon.runner.pytest_ini import testpaths

    root = write_tree(tmp_path / "p", {"pyproject.toml": '[tool.pytest.ini_options]\ntestpaths = "t/unit/"\n',
                                       "t/unit/test_u.py": "", "t/integration/test_i.py": ""})
    assert testpaths(root) == ["t/unit/"]
    batch = single_invocation(load_project(root), [], [], selecting=False)
    assert batch is not None and (batch.category, batch.args) == ("unit", [])
