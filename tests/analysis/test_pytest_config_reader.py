"""The one reader of pytest's configuration: pytest's choice of file, each format, and a cache
that notices an edit."""

from __future__ import annotations

from pathlib import Path

from testcanon.analysis.pytest_config import pytest_config
from testcanon.rules.lost.naming import naming_at
from testcanon.runner.pytest_ini import addopts, sets_parallelism
from testcanon.runner.pytest_ini import testpaths as ini_testpaths


def test_dot_pytest_ini_is_read_by_the_runner_the_rules_and_the_naming(tmp_path: Path) -> None:
    (tmp_path / ".pytest.ini").write_text("[pytest]\naddopts = -n 2\ntestpaths = t\npython_classes = Check\n")
    (tmp_path / "tox.ini").write_text("[pytest]\naddopts = -q\n")  # pytest takes .pytest.ini first
    assert addopts(tmp_path, environ={}) == ["-n", "2"] and sets_parallelism(addopts(tmp_path, environ={}))
    assert ini_testpaths(tmp_path) == ["t"]
    assert pytest_config(tmp_path).python_classes == ("Check",)
    assert naming_at(tmp_path).classes == ("Check",)


def test_pytest_9_native_table_gives_addopts_and_testpaths(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest]\naddopts = ["-p", "no:xdist"]\ntestpaths = ["tests"]\n')
    assert addopts(tmp_path, environ={"PYTEST_ADDOPTS": "-x"}) == ["-p", "no:xdist", "-x"]
    assert ini_testpaths(tmp_path) == ["tests"]


def test_a_pytest_ini_without_its_section_still_wins(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("# empty: pytest still takes this file\n")
    (tmp_path / "setup.cfg").write_text("[tool:pytest]\ntestpaths = elsewhere\n")
    config = pytest_config(tmp_path)
    assert config.source == "pytest.ini" and config.testpaths == ()


def test_an_edit_is_seen_by_the_next_read(tmp_path: Path) -> None:
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\npython_functions = check\n")
    assert pytest_config(tmp_path).python_functions == ("check",)
    ini.write_text("[pytest]\npython_functions = verify_ it_\n")
    assert pytest_config(tmp_path).python_functions == ("verify_", "it_")
