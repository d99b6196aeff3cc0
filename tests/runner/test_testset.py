"""`canon run`'s test set is what pytest collects with the project's own configuration."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.runner.planning import UNCOLLECTED

pytestmark = pytest.mark.slow

CONFIGURED = {
    "pyproject.toml": """
[tool.pytest.ini_options]
testpaths = ["suite", "more"]
python_files = ["check_*.py", "test_*.py"]
python_classes = ["Describe*"]
python_functions = ["it_*", "test_*"]
norecursedirs = ["fixtures_data", ".*"]
""",
    "suite/check_alpha.py": "def it_works():\n    pass\n\ndef test_also():\n    pass\n",
    "suite/test_beta.py": ("class DescribeBeta:\n    def it_counts(self):\n        assert 1 + 1 == 2\n\n"
                           "class TestIgnored:\n    def test_not_a_test_here(self):\n        pass\n"),
    "suite/unit/check_unit.py": "def it_is_unit():\n    pass\n",
    "suite/fixtures_data/test_never.py": "def test_never():\n    raise AssertionError\n",
    "more/test_more.py": "def test_more():\n    pass\n",
    "outside/test_outside.py": "def test_outside():\n    raise AssertionError\n",
}


def _pytest_ids(root: Path) -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:testcanon"],
                          cwd=root, capture_output=True, text=True)
    return {line for line in done.stdout.splitlines() if "::" in line}


def _canon_ids(root: Path, *args: str) -> tuple[int, dict]:
    result = run_canon("run", "--no-fail-fast", "--json", "r.json", *args, cwd=root)
    return result.returncode, json.loads((root / "r.json").read_text())


@pytest.fixture
def configured(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "configured", CONFIGURED)


def test_no_arguments_runs_exactly_what_pytest_collects(configured: Path) -> None:
    expected = _pytest_ids(configured)
    assert expected == {"suite/check_alpha.py::it_works", "suite/check_alpha.py::test_also",
                        "suite/test_beta.py::DescribeBeta::it_counts", "suite/unit/check_unit.py::it_is_unit",
                        "more/test_more.py::test_more"}
    code, document = _canon_ids(configured)
    assert code == 0
    assert {t["nodeid"] for t in document["tests"]} == expected
    # suite/unit is the `unit` category (layer 0): the run was split after one collection
    assert document["invocation"] == "collected"
    assert {c["category"] for c in document["categories"]} == {"unit", "uncategorized"}


def test_one_category_keeps_the_projects_own_invocation(configured: Path) -> None:
    (configured / "suite" / "unit" / "check_unit.py").rename(configured / "suite" / "check_unit.py")
    (configured / "suite" / "unit").rmdir()
    code, document = _canon_ids(configured)
    assert code == 0
    assert document["invocation"] == "project"
    assert {t["nodeid"] for t in document["tests"]} == _pytest_ids(configured)


def test_a_named_folder_is_collected_by_the_projects_rules(configured: Path) -> None:
    code, document = _canon_ids(configured, "suite")
    assert code == 0
    assert {t["nodeid"] for t in document["tests"]} == {
        "suite/check_alpha.py::it_works", "suite/check_alpha.py::test_also",
        "suite/test_beta.py::DescribeBeta::it_counts", "suite/unit/check_unit.py::it_is_unit"}


def test_a_category_selects_and_says_what_it_left_out(configured: Path) -> None:
    code, document = _canon_ids(configured, "--category", "unit")
    assert code == 0
    assert [t["nodeid"] for t in document["tests"]] == ["suite/unit/check_unit.py::it_is_unit"]
    assert {n["file"]: n["reason"] for n in document["not_run"]} == {
        "more/test_more.py": "category 'uncategorized' not selected",
        "suite/check_alpha.py": "category 'uncategorized' not selected",
        "suite/test_beta.py": "category 'uncategorized' not selected",
        "suite/fixtures_data/test_never.py": UNCOLLECTED}


def test_a_run_started_in_a_subfolder_reads_the_projects_roots(configured: Path) -> None:
    """The invocation's roots are the project's (`suite`, `more`), not folders of the cwd: from
    `more/` they were looked for as `more/suite` and the run stopped with a usage error."""
    result = run_canon("run", "--no-fail-fast", "--category", "unit", "--json", "r.json",
                       cwd=configured / "more")
    assert result.returncode == 0, result.stderr
    document = json.loads((configured / "more" / "r.json").read_text())
    assert [t["nodeid"] for t in document["tests"]] == ["suite/unit/check_unit.py::it_is_unit"]
    assert {n["file"]: n["reason"] for n in document["not_run"]}["suite/fixtures_data/test_never.py"] == \
        UNCOLLECTED


def test_addopts_deselection_and_conftest_hooks_apply(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "hooks", {
        "pyproject.toml": '[tool.pytest.ini_options]\naddopts = "-k \'not slowpath\'"\n',
        "tests/conftest.py": ("def pytest_collection_modifyitems(items):\n"
                              "    items[:] = [i for i in items if 'dropped' not in i.name]\n"),
        "tests/unit/test_u.py": "def test_u():\n    pass\n\ndef test_dropped():\n    raise AssertionError\n",
        "tests/test_top.py": "def test_top():\n    pass\n\ndef test_slowpath():\n    raise AssertionError\n",
    })
    code, document = _canon_ids(root)
    assert code == 0, document
    assert {t["nodeid"] for t in document["tests"]} == {"tests/unit/test_u.py::test_u",
                                                        "tests/test_top.py::test_top"}
