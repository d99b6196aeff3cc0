"""`canon audit`: the table's numbers, history, trends and regressions over changing copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.audit import measure
from testcanon.audit.store import history, save, with_previous
from testcanon.config import load_project

PYPROJECT = """
[tool.testcanon]
test_paths = ["tests"]
[tool.testcanon.areas.websocket]
source = ["app/websocket/**"]
target = 90
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", {
        "pyproject.toml": PYPROJECT,
        "app/__init__.py": "",
        "tests/test_ok.py": "def test_ok():\n    assert True\n",
        "tests/test_broken_a.py": "def test_a(:\n    pass\n",
        "tests/test_broken_b.py": "if True:\nx = 1\n",
    })


def _audit(root: Path):
    project = load_project(root)
    audit = with_previous(measure(project), root)
    save(audit, root)
    return audit


def test_syntax_errors_counts_files_that_do_not_compile(repo: Path) -> None:
    audit = _audit(repo)
    assert audit.row("syntax_errors").current == 2
    assert audit.row("syntax_errors").trend == "new"


def test_area_without_coverage_data_is_not_measured_with_a_reason(repo: Path) -> None:
    row = _audit(repo).row("coverage.websocket")
    assert row.current is None
    assert "canon run --coverage" in row.note
    assert row.spec.target == 90


def test_previous_and_trend_come_from_history(repo: Path) -> None:
    _audit(repo)
    (repo / "tests" / "test_broken_a.py").write_text("def test_a():\n    pass\n")
    second = _audit(repo)
    row = second.row("syntax_errors")
    assert (row.current, row.previous, row.trend) == (1, 2, "better")
    (repo / "tests" / "test_new_broken.py").write_text("x = (\n")
    (repo / "tests" / "test_more_broken.py").write_text("x = )\n")
    third = _audit(repo)
    assert (third.row("syntax_errors").previous, third.row("syntax_errors").trend) == (1, "worse")
    assert [a["metrics"]["syntax_errors"] for a in history(repo)] == [2, 1, 3]


def test_targets_come_from_config(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PYPROJECT + "[tool.testcanon.targets]\nsyntax_errors = 5\n")
    assert _audit(repo).row("syntax_errors").spec.target == 5


def test_cli_fail_on_regression_exits_1_only_when_worse(repo: Path) -> None:
    assert run_canon("audit", "--fail-on-regression", cwd=repo).returncode == 0
    same = run_canon("-v", "audit", "--fail-on-regression", cwd=repo)
    assert same.returncode == 0
    assert "measuring syntax_errors" in same.stderr.splitlines()[0]  # -v: each measurement as it starts
    (repo / "tests" / "test_c.py").write_text("def f(:\n")
    result = run_canon("audit", "--fail-on-regression", cwd=repo)
    assert result.returncode == 1
    assert "syntax_errors" in result.stderr


def test_cli_json_and_markdown(repo: Path) -> None:
    document = json.loads(run_canon("audit", "--format", "json", cwd=repo).stdout)
    rows = {m["metric"]: m for m in document["metrics"]}
    assert rows["syntax_errors"]["current"] == 2
    assert rows["syntax_errors"]["definition_version"] == "2"
    markdown = run_canon("audit", "--format", "markdown", "--no-store", cwd=repo).stdout
    assert "| metric | current | target | previous | trend |" in markdown
    assert "| files with syntax errors | **2** | ≤ 0 | 2 | = same |" in markdown


def test_explain_prints_the_definition_with_its_version(repo: Path) -> None:
    result = run_canon("audit", "--explain", "syntax_errors", cwd=repo)
    assert result.returncode == 0
    assert result.stdout.startswith("## syntax_errors\nversion: 2")
    unknown = run_canon("audit", "--explain", "syntax_eror", cwd=repo)
    assert unknown.returncode == 2 and "did you mean 'syntax_errors'" in unknown.stderr


def test_every_static_metric_has_a_definition() -> None:
    from testcanon.audit import STATIC_METRICS
    from testcanon.audit.docs import explain

    for spec in STATIC_METRICS:
        assert f"version: {spec.version}" in explain(spec.name)
    assert "version: 1" in explain("coverage.websocket")
