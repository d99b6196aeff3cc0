"""`canon fix` proves a repaired test file by what pytest collects from it, in the isolated copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.config import load_project
from testcanon.migrate.prove import prove_repairs

pytestmark = pytest.mark.slow

BROKEN = b"def test_a():\n    assert True\n\ndef test_b()\n    assert True\n"


def test_a_repair_pytest_collects_is_proven_collected_and_one_it_does_not_is_rejected(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_r.py": BROKEN})
    project = load_project(root)
    honest = b"def test_a():\n    assert True\n\ndef test_b():\n    assert True\n"
    assert prove_repairs(project, {"tests/test_r.py": (BROKEN, honest)}) == {
        "tests/test_r.py": ("collected", None)}
    # compiles, keeps every name, and yet pytest collects no test of a class with __init__
    hidden = (b"class TestR:\n    def __init__(self):\n        pass\n\n"
              b"    def test_a(self):\n        assert True\n\n"
              b"    def test_b(self):\n        assert True\n")
    proof, problem = prove_repairs(project, {"tests/test_r.py": (BROKEN, hidden)})["tests/test_r.py"]
    assert proof == "collected" and problem is not None and "does not collect 2 test(s)" in problem
    assert prove_repairs(project, {"tests/test_r.py": (BROKEN, hidden)}, level="static") == {
        "tests/test_r.py": ("static", None)}
    assert (root / "tests/test_r.py").read_bytes() == BROKEN


def test_fix_json_names_the_proof_per_file(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_r.py": BROKEN})
    result = run_canon("fix", "--method", "local", "--format", "json", cwd=root)
    files = {entry["path"]: entry for entry in json.loads(result.stdout)["files"]}
    assert files["tests/test_r.py"]["proof"] == "collected", result.stdout
    assert b"def test_b():" in (root / "tests/test_r.py").read_bytes()
    assert run_canon("undo", cwd=root).returncode == 0
    result = run_canon("fix", "--method", "local", "--verify", "static", "--format", "json", cwd=root)
    assert json.loads(result.stdout)["files"][0]["proof"] == "static"
