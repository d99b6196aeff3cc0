from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import run_canon
from testcanon.config import load_project
from testcanon.errors import ConfigError


def _pyproject(root: Path, body: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(body)


def test_defaults_without_a_table(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[project]\nname = 'x'\n")
    project = load_project(tmp_path)
    assert project.root == tmp_path.resolve()
    assert project.config.test_paths == ["tests"]
    assert "unit" in project.config.categories


def test_nearest_pyproject_above_the_path_wins(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon]\ntest_paths = ['outer']\n")
    _pyproject(tmp_path / "inner", "[tool.testcanon]\ntest_paths = ['inner_tests']\n")
    (tmp_path / "inner" / "pkg").mkdir()
    project = load_project(tmp_path / "inner" / "pkg")
    assert project.root == (tmp_path / "inner").resolve()
    assert project.config.test_paths == ["inner_tests"]


def test_kebab_case_keys_are_accepted(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon]\nextend-exclude = ['backup']\n"
               "[tool.testcanon.check]\nper-file-ignores = {'a/*' = ['CANON101']}\n")
    config = load_project(tmp_path).config
    assert config.extend_exclude == ["backup"]
    assert config.check.per_file_ignores == {"a/*": ["CANON101"]}


def test_unknown_key_names_the_key_file_and_suggestion(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon]\nexlude = ['x']\n")
    with pytest.raises(ConfigError) as info:
        load_project(tmp_path)
    message = str(info.value)
    assert "'exlude' unknown key" in message
    assert "did you mean 'exclude'" in message
    assert str(tmp_path / "pyproject.toml") in message


def test_nested_wrong_type_is_reported_with_dotted_key(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon.categories.unit]\ntimeout = 'soon'\n")
    with pytest.raises(ConfigError, match=r"'categories\.unit\.timeout' must be a number"):
        load_project(tmp_path)


def test_list_items_are_type_checked(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon]\npriority = ['tests/a/**', 3]\n")
    with pytest.raises(ConfigError, match=r"'priority\[1\]' must be a string"):
        load_project(tmp_path)


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_project(tmp_path)


def test_cli_config_error_is_one_line_and_exit_2(tmp_path: Path) -> None:
    _pyproject(tmp_path, "[tool.testcanon]\nprioritty = []\n")
    result = run_canon("scan", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "did you mean 'priority'" in lines[0]
    assert "Traceback" not in result.stderr


def test_cli_missing_path_is_exit_2_without_traceback(tmp_path: Path) -> None:
    result = run_canon("scan", "does-not-exist", cwd=tmp_path)
    assert result.returncode == 2
    assert "no such file or directory" in result.stderr
    assert "Traceback" not in result.stderr
