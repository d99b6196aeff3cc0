"""`canon fix` proves a repaired test file by what pytest collects from it, in the isolated copy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.config import load_project
from testcanon.repair.proof import RepairProof, prove_repairs

pytestmark = pytest.mark.slow

BROKEN = b"def test_a():\n    assert True\n\ndef test_b()\n    assert True\n"


def test_a_repair_pytest_collects_is_proven_collected_and_one_it_does_not_is_rejected(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_r.py": BROKEN})
    project = load_project(root)
    honest = b"def test_a():\n    assert True\n\ndef test_b():\n    assert True\n"
    assert prove_repairs(project, {"tests/test_r.py": (BROKEN, honest)}) == {
        "tests/test_r.py": RepairProof("collected")}
    # compiles, keeps every name, and yet pytest collects no test of a class with __init__
    hidden = (b"class TestR:\n    def __init__(self):\n        pass\n\n"
              b"    def test_a(self):\n        assert True\n\n"
              b"    def test_b(self):\n        assert True\n")
    proof = prove_repairs(project, {"tests/test_r.py": (BROKEN, hidden)})["tests/test_r.py"]
    assert proof.proof == "collected" and proof.problem is not None
    assert "does not collect 2 test(s)" in proof.problem
    assert prove_repairs(project, {"tests/test_r.py": (BROKEN, hidden)}, level="static") == {
        "tests/test_r.py": RepairProof("static")}
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


def test_fix_says_each_stage_under_verbose_and_nothing_to_a_pipe_without(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_r.py": BROKEN})
    quiet = run_canon("fix", "--method", "local", "--dry-run", cwd=root)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr
    loud = run_canon("-v", "fix", "--method", "local", "--dry-run", "--format", "json", cwd=root)
    assert loud.returncode == 0, loud.stderr
    said = loud.stderr
    assert "repairing 1 file(s) that do not compile" in said
    assert "repaired 1 of 1 file(s) in" in said
    assert "proving 1 repair(s): pytest collects them in an isolated copy" in said
    assert "proved the repairs in" in said
    assert json.loads(loud.stdout)["files"][0]["proof"] == "collected"
    static = run_canon("-v", "fix", "--method", "local", "--dry-run", "--verify", "static", cwd=root)
    assert "repaired 1 of 1" in static.stderr and "proving" not in static.stderr  # nothing run by pytest


HELPER_BASE = "class Base:\n    def __init__(self):\n        self.ready = True\n"
BROKEN_ON_BASE = (b"from helpers import Base\n\n\nclass ChatTests(Base):\n    def test_a(self):\n"
                  b"        assert self.ready\n\n    def test_b(self)\n        assert self.ready\n")
REPAIRED_ON_BASE = BROKEN_ON_BASE.replace(b"def test_b(self)\n", b"def test_b(self):\n")


def test_a_class_pytest_declines_for_the_authors_init_holds_no_test_to_lose(tmp_path: Path) -> None:
    """The corpus's `*Tests` classes inherit an `__init__` from a helper base: pytest declines
    them before and after the repair, so the repair loses nothing, and the verdict says why."""
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\npython_classes = ["Test*", "*Tests"]\n',
        "tests/helpers.py": HELPER_BASE, "tests/test_r.py": BROKEN_ON_BASE})
    proof = prove_repairs(load_project(root), {"tests/test_r.py": (BROKEN_ON_BASE, REPAIRED_ON_BASE)})
    assert proof["tests/test_r.py"].problem is None
    assert proof["tests/test_r.py"].note is not None and "ChatTests" in proof["tests/test_r.py"].note


def test_a_repair_that_moves_a_class_onto_a_declining_base_is_refused(tmp_path: Path) -> None:
    broken = BROKEN_ON_BASE.replace(b"class ChatTests(Base):", b"class ChatTests:")
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": '[tool.pytest.ini_options]\npython_classes = ["Test*", "*Tests"]\n',
        "tests/helpers.py": HELPER_BASE, "tests/test_r.py": broken})
    proof = prove_repairs(load_project(root), {"tests/test_r.py": (broken, REPAIRED_ON_BASE)})
    problem = proof["tests/test_r.py"].problem
    assert problem is not None and "ChatTests.test_a" in problem


def test_what_the_project_does_not_name_a_test_is_not_demanded(tmp_path: Path) -> None:
    """Under the default `python_classes`, a `*Tests` class's methods are no tests pytest collects."""
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n",
                                       "tests/helpers.py": HELPER_BASE, "tests/test_r.py": BROKEN_ON_BASE})
    proof = prove_repairs(load_project(root), {"tests/test_r.py": (BROKEN_ON_BASE, REPAIRED_ON_BASE)})
    assert proof["tests/test_r.py"] == RepairProof("collected")


def test_a_fixture_named_like_a_test_is_no_test_to_collect(tmp_path: Path) -> None:
    broken = (b"import pytest\n\n\n@pytest.fixture\ndef test_user():\n    return 'u'\n\n\n"
              b"def test_uses(test_user)\n    assert test_user == 'u'\n")
    repaired = broken.replace(b"def test_uses(test_user)\n", b"def test_uses(test_user):\n")
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_r.py": broken})
    proof = prove_repairs(load_project(root), {"tests/test_r.py": (broken, repaired)})
    assert proof["tests/test_r.py"] == RepairProof("collected")


def test_a_class_on_an_abstract_base_pytest_passes_over_holds_no_test_to_lose(tmp_path: Path) -> None:
    """pytest collects nothing from an abstract class, and says nothing: the author's header
    (the same bases) is the evidence, named in the verdict."""
    base = "import abc\n\n\nclass Base(abc.ABC):\n    @abc.abstractmethod\n    def url(self):\n        ...\n"
    broken = b"from helpers import Base\n\n\nclass TestHttps(Base):\n    def test_a(self)\n        assert 1\n"
    repaired = broken.replace(b"def test_a(self)\n", b"def test_a(self):\n")
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/helpers.py": base,
                                       "tests/test_r.py": broken})
    proof = prove_repairs(load_project(root), {"tests/test_r.py": (broken, repaired)})["tests/test_r.py"]
    assert proof.problem is None and proof.note is not None and "TestHttps" in proof.note


def test_a_module_that_skips_itself_at_collection_keeps_the_static_proof(tmp_path: Path) -> None:
    """The author's module skips itself when a dependency is gone (`allow_module_level=True`):
    pytest collects nothing from it, by the file's own decision, so nothing is lost and nothing
    is proven by collection. The proof is static and says why (the repair is not refused)."""
    broken = (b"import pytest\n\ntry:\n    import gone_module\nexcept ImportError:\n"
              b"    pytest.skip('gone_module is not available', allow_module_level=True)\n\n\n"
              b"def test_uses()\n    assert gone_module\n")
    repaired = broken.replace(b"def test_uses()\n", b"def test_uses():\n")
    root = write_tree(tmp_path / "p", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_r.py": broken})
    proof = prove_repairs(load_project(root), {"tests/test_r.py": (broken, repaired)})["tests/test_r.py"]
    assert proof.proof == "static" and proof.problem is None
    assert proof.note is not None and "skips the whole module" in proof.note
