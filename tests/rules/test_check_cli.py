"""`canon check` end to end: ratchet round trip, SARIF baselineState, suppressions, cache."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import jsonschema
import pytest

from canon_support import REPO_ROOT, run_canon, write_tree
from testcanon.config import load_project
from testcanon.rules.engine import check_project

BASE = {
    "pyproject.toml": "[tool.testcanon]\n",
    "tests/test_env.py": "import os\n\n\ndef test_a():\n    assert os.getenv('A') is None\n",
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "repo", BASE)


def test_exit_codes_and_json(repo: Path) -> None:
    result = run_canon("check", "--format", "json", cwd=repo)
    assert result.returncode == 1
    document = json.loads(result.stdout)
    assert document["statistics"] == {"CANON301": 1}
    assert document["metrics"]["env_accesses"] == 1
    assert run_canon("check", "--select", "CANON1", cwd=repo).returncode == 0
    assert run_canon("check", "--ignore", "CANON301", cwd=repo).returncode == 0


def test_ratchet_round_trip_survives_line_moves(repo: Path) -> None:
    assert run_canon("check", "--write-baseline", cwd=repo).returncode == 0
    assert run_canon("check", cwd=repo).returncode == 0  # everything is baselined
    path = repo / "tests" / "test_env.py"
    path.write_text("import os\n\n# moved down\n\n\ndef test_a():\n    assert os.getenv('A') is None\n")
    assert run_canon("check", cwd=repo).returncode == 0  # same finding, new line
    path.write_text(path.read_text() + "\n\ndef test_b():\n    os.environ['B'] = '1'\n")
    new = run_canon("check", cwd=repo)
    assert new.returncode == 1 and "1 new" in new.stdout and "os.environ" in new.stdout
    refused = run_canon("check", "--update-baseline", cwd=repo)
    assert refused.returncode == 1 and "refusing to grow" in refused.stderr
    assert run_canon("check", "--update-baseline", "--allow-growth", cwd=repo).returncode == 0
    assert run_canon("check", cwd=repo).returncode == 0
    path.write_text("def test_a():\n    pass\n")  # both fixed
    fixed = run_canon("check", cwd=repo)
    assert fixed.returncode == 0 and "2 fixed" in fixed.stdout
    assert run_canon("check", "--update-baseline", cwd=repo).returncode == 0
    baseline = json.loads((repo / "testcanon-baseline.json").read_text())
    assert baseline["findings"] == []


def test_sarif_marks_baseline_state_and_validates(repo: Path) -> None:
    run_canon("check", "--write-baseline", cwd=repo)
    path = repo / "tests" / "test_env.py"
    path.write_text("import os\n\n\ndef test_b():\n    os.environ['B'] = '1'\n")
    sarif = json.loads(run_canon("check", "--format", "sarif", cwd=repo).stdout)
    schema = json.loads((REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    states = sorted(r["baselineState"] for r in sarif["runs"][0]["results"])
    assert states == ["absent", "new"]
    rule_ids = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"CANON101", "CANON301", "CANON001"} <= rule_ids


def test_inline_suppression_and_unused_suppression(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_s.py": (
        "import os\n\n\ndef test_a():\n    os.getenv('A')  # canon: ignore[CANON301] reads CI flag\n"
        "    x = 1  # canon: ignore[CANON401] stale\n")})
    document = json.loads(run_canon("check", "--format", "json", cwd=root).stdout)
    assert [(f["code"], f["line"]) for f in document["findings"]] == [("CANON901", 6)]


def test_select_runs_only_the_selected_families_and_judges_suppressions_against_them(
        tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_s.py": (
        "import os\nimport unittest\n\n\nclass TestA(unittest.TestCase):\n    def test_a(self):\n"
        "        os.getenv('A')  # canon: ignore[CANON301] reads CI flag\n\n\nif __name__ == '__main__':\n"
        "    unittest.main()\n")})
    project = load_project(root)
    assert check_project(project, select=["CANON101"]).statistics() == {"CANON101": 1}
    assert check_project(project, select=["CANON2"]).statistics() == {"CANON201": 1}
    assert check_project(project, select=["CANON3", "CANON901"]).statistics() == {}  # the suppression is used
    assert check_project(project, select=["CANON901"]).statistics() == {"CANON901": 1}  # as ruff's RUF100


def test_per_file_ignores(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {
        "pyproject.toml": "[tool.testcanon.check]\nper-file-ignores = {'tests/legacy/**' = ['CANON3']}\n",
        "tests/legacy/test_l.py": "import os\nos.getenv('A')\n",
        "tests/test_n.py": "import os\nos.getenv('A')\n"})
    document = json.loads(run_canon("check", "--format", "json", cwd=root).stdout)
    assert [f["path"] for f in document["findings"]] == ["tests/test_n.py"]


def test_warm_run_uses_the_facts_cache_and_survives_corruption(repo: Path) -> None:
    from testcanon.config import load_project
    from testcanon.rules import check_project

    for path in repo.rglob("*.py"):
        past = time.time() - 3600
        os.utime(path, (past, past))
    first = check_project(load_project(repo))
    cache = repo / ".testcanon" / "cache" / "check-facts.marshal"
    assert cache.is_file()
    second = check_project(load_project(repo))
    assert [f.fingerprint for f in first.findings] == [f.fingerprint for f in second.findings]
    cache.write_bytes(b"\x00garbage")
    third = check_project(load_project(repo))
    assert [f.fingerprint for f in third.findings] == [f.fingerprint for f in first.findings]


def test_rule_command(repo: Path) -> None:
    result = run_canon("rule", "CANON301", cwd=repo)
    assert result.returncode == 0 and "## Why is this bad?" in result.stdout
    assert run_canon("rule", "CANON999", cwd=repo).returncode == 2
    listing = run_canon("rule", "--all", cwd=repo).stdout
    assert "CANON101" in listing and "CANON001" in listing
