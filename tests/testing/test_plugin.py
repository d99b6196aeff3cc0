"""The pytest plugin in real pytest subprocess runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import EXAMPLE, write_tree

PYPROJECT = """
[tool.testcanon.categories.unit]
paths = ["tests/unit/**"]
[tool.testcanon.categories.integration]
paths = ["tests/integration/**"]
real_services = true
[tool.testcanon.categories.smoke]
markers = ["smoke"]
"""


def _pytest(root: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "proj", {
        "pyproject.toml": PYPROJECT,
        "tests/unit/test_env.py": (
            "import os\n\n"
            "def test_isolated(isolated_env):\n"
            "    isolated_env.set('CANON_P_X', '1')\n"
            "    assert os.environ['CANON_P_X'] == '1'\n\n"
            "def test_restored():\n"
            "    assert 'CANON_P_X' not in os.environ\n\n"
            "def test_metric(canon_metrics):\n"
            "    canon_metrics.record('rows', 42)\n"
        ),
        "tests/unit/test_classes.py": (
            "import unittest\nfrom testcanon import SSotBaseTestCase\n\n"
            "class TestCanonical(SSotBaseTestCase):\n"
            "    def test_env(self):\n"
            "        self.env.set('CANON_P_Y', '2')\n"
            "        self.record_metric('speed', 3)\n\n"
            "class TestLegacy(unittest.TestCase):\n"
            "    def test_old(self):\n"
            "        pass\n"
        ),
        "tests/integration/test_mocked.py": (
            "from unittest import mock\n\ndef test_with_mock():\n    assert mock.Mock()\n"
        ),
    })


def test_fixtures_and_ssot_classes_work_under_pytest(project: Path) -> None:
    result = _pytest(project, "-q")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed" in result.stdout


def test_category_markers_are_registered(project: Path) -> None:
    result = _pytest(project, "--markers")
    for marker in ("@pytest.mark.unit:", "@pytest.mark.integration:", "@pytest.mark.smoke:",
                   "@pytest.mark.real_services(*names):"):
        assert marker in result.stdout
    strict = _pytest(project, "-q", "--strict-markers", "-m", "smoke")
    assert strict.returncode == 5  # no smoke tests, but the marker itself is known


def test_results_file_lines_per_test(project: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    _pytest(project, "-q", env={"TESTCANON_RESULTS_FILE": str(results)})
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    events = [line["event"] for line in lines if "event" in line]
    modules = [line["nodeid"] for line in lines if line.get("event") == "module"]
    # each module as soon as it is collected (a run stopped midway says how far it got), then the end
    assert events == ["module"] * len(modules) + ["collected", "session"]
    lines = [line for line in lines if "event" not in line]
    by_id = {line["nodeid"]: line for line in lines}
    assert sorted(modules) == sorted({nodeid.split("::")[0] for nodeid in by_id})
    assert len(lines) == 6
    assert by_id["tests/unit/test_env.py::test_metric"]["metrics"] == {"rows": 42.0}
    assert by_id["tests/unit/test_classes.py::TestCanonical::test_env"]["metrics"] == {"speed": 3.0}
    assert all(line["outcome"] == "passed" and line["duration"] >= 0 for line in lines)


def test_results_file_under_xdist(project: Path, tmp_path: Path) -> None:
    results = tmp_path / "results.jsonl"
    result = _pytest(project, "-q", "-n", "2", env={"TESTCANON_RESULTS_FILE": str(results)})
    assert result.returncode == 0, result.stdout
    lines = [json.loads(line) for line in results.read_text().splitlines()]
    assert len([line for line in lines if "event" not in line]) == 6
    assert [line["exitstatus"] for line in lines if line.get("event") == "session"] == [0]


def test_strict_mode_reports_rule_codes_as_collection_errors(project: Path) -> None:
    result = _pytest(project, "-q", "--canon-strict")
    assert result.returncode == 2
    assert "CANON101 test_classes.py::TestLegacy does not derive from a canonical base" in result.stdout
    assert ("CANON501 test_mocked.py:1: imports unittest.mock in a test of category "
            "'integration'") in result.stdout
    assert "TestCanonical does not derive" not in result.stdout


def test_a_bad_config_is_a_warning_not_a_failed_run(tmp_path: Path) -> None:
    """testcanon's own settings never fail the user's pytest run (tests/state has more)."""
    root = write_tree(tmp_path / "bad", {"pyproject.toml": "[tool.testcanon]\nbogus = 1\n",
                                        "test_a.py": "def test_a(): pass\n"})
    result = _pytest(root, "-q")
    assert result.returncode == 0
    assert "testcanon: warning:" in result.stderr and "'bogus' unknown key" in result.stderr


def test_example_repository_passes_with_the_plugin(tmp_path: Path) -> None:
    """Every example test file that compiles and imports runs green with the plugin loaded."""
    import shutil

    from testcanon.config import load_project
    from testcanon.source import discover
    from testcanon.syntax import scan

    root = tmp_path / "sprawling_repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    project = load_project(root)
    broken = [f.path for f in scan(project, discover(project), use_cache=False).findings]
    ignores = [f"--ignore={p}" for p in broken] + [
        "--ignore=tests/unit/test_document_index.py", "--ignore=tests/integration/test_legacy_sync.py"]
    result = _pytest(root, "-q", "tests", *ignores)
    assert result.returncode == 0, result.stdout[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_strict_mode_on_the_example_matches_expected(tmp_path: Path) -> None:
    import shutil

    from canon_support import expected_section
    from testcanon.config import load_project
    from testcanon.source import discover
    from testcanon.syntax import scan

    root = tmp_path / "sprawling_repo"  # a copy: other tests may run pytest in the example meanwhile
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    project = load_project(root)
    broken = [f.path for f in scan(project, discover(project), use_cache=False).findings]
    ignores = [f"--ignore={p}" for p in broken] + [
        "--ignore=tests/unit/test_document_index.py", "--ignore=tests/integration/test_legacy_sync.py"]
    result = _pytest(root, "-q", "tests", "--canon-strict", *ignores)
    lines = sorted({line for line in result.stdout.splitlines() if line.startswith("CANON")})
    assert "25 collection" in expected_section("pytest --canon-strict")
    assert len(lines) == 25
    assert sum(line.startswith("CANON101") for line in lines) == 21
    assert sorted(line.split()[1].split(":")[0] for line in lines if line.startswith("CANON501")) == [
        "test_agent_store.py", "test_config_integration.py", "test_e2e_mocks.py",
        "test_ws_integration.py"]
