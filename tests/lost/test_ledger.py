"""The ledger of lost tests, and the audit metric, on a small real git repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.analysis import is_test_file
from testcanon.errors import UsageError
from testcanon.rules.lost.ledger import build_ledger

ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
       "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin:/usr/local/bin"}


def commit(root: Path, message: str, date: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=root, check=True,
                   env={**ENV, "HOME": str(root), "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_a.py": "def test_one():\n    assert 1\n\n\ndef test_two():\n    assert 2\n",
        "tests/test_b.py": "class TestB:\n    def test_x(self):\n        assert 1\n",
    })
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    commit(root, "tests", "2025-01-01T00:00:00")
    (root / "tests/test_a.py").write_text("def test_one():\n    assert 1\n\n\n"
                                          "# def test_two():\n#     assert 2\n")
    commit(root, "bulk: comment out what did not compile", "2025-02-01T00:00:00")
    subprocess.run(["git", "mv", "tests/test_b.py", "tests/test_bee.py"], cwd=root, check=True)
    commit(root, "rename", "2025-02-02T00:00:00")
    # broken, not lost
    (root / "tests/test_bee.py").write_text("class TestB:\n    def test_x(self)\n        assert 1\n")
    commit(root, "break syntax", "2025-02-03T00:00:00")
    return root


def test_ledger_names_each_lost_test_and_the_commit_that_lost_it(repo: Path) -> None:
    ledger = build_ledger(repo, "2025-01-15", is_test_path=is_test_file)
    assert ledger.live_then == 4
    assert [(e.path, e.test_id, e.subject) for e in ledger.entries] == [
        ("tests/test_a.py", "test_two", "bulk: comment out what did not compile")]
    assert build_ledger(repo, "HEAD", is_test_path=is_test_file).entries == ()
    with pytest.raises(UsageError):
        build_ledger(repo, "no-such-ref", is_test_path=is_test_file)


def test_working_tree_losses_are_not_committed_yet(repo: Path) -> None:
    (repo / "tests/test_a.py").write_text("")
    ledger = build_ledger(repo, "2025-01-15", is_test_path=is_test_file)
    assert {(e.test_id, e.subject) for e in ledger.entries} == {
        ("test_two", "bulk: comment out what did not compile"), ("test_one", "not committed")}


@pytest.mark.slow
def test_audit_stores_the_metric(repo: Path) -> None:
    done = run_canon("audit", "--format", "json", "--lost-since", "2025-01-15", cwd=repo)
    assert done.returncode == 0, done.stderr
    audit = json.loads(done.stdout)
    row = next(r for r in audit["metrics"] if r["metric"] == "tests_lost")
    assert row["current"] == 1 and row["definition_version"] == "1"
    assert audit["details"]["tests_lost"]["entries"][0]["test_id"] == "test_two"
    again = run_canon("audit", "--format", "json", "--lost-since", "2025-01-15", cwd=repo)
    row = next(r for r in json.loads(again.stdout)["metrics"] if r["metric"] == "tests_lost")
    assert row["previous"] == 1 and row["trend"] == "same"


def test_a_project_in_a_folder_of_the_work_tree(tmp_path: Path) -> None:
    top = tmp_path / "mono"
    write_tree(top, {"svc/tests/test_s.py": "def test_s():\n    assert 1\n\n\ndef test_t():\n    assert 1\n",
                     "other/tests/test_o.py": "def test_o():\n    assert 1\n"})
    subprocess.run(["git", "init", "-q"], cwd=top, check=True)
    commit(top, "tests", "2025-01-01T00:00:00")
    (top / "svc/tests/test_s.py").write_text("def test_s():\n    assert 1\n")
    (top / "other/tests/test_o.py").write_text("")
    commit(top, "drop test_t and test_o", "2025-02-01T00:00:00")
    ledger = build_ledger(top / "svc", "2025-01-15", is_test_path=is_test_file)
    assert [(e.path, e.test_id, e.subject) for e in ledger.entries] == [
        ("tests/test_s.py", "test_t", "drop test_t and test_o")]


def test_a_class_renamed_with_its_methods_kept_is_not_lost(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"tests/test_r.py": "class TestR:\n    def test_m(self):\n"
                                                          "        assert 1\n"})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    commit(root, "tests", "2025-01-01T00:00:00")
    (root / "tests/test_r.py").write_text("class RTests:\n    def test_m(self):\n        assert 1\n")
    commit(root, "rename classes", "2025-02-01T00:00:00")
    from testcanon.rules.lost.naming import TestNaming

    renamed_ok = TestNaming(classes=("Test*", "*Tests"))  # as the project's python_classes says
    assert build_ledger(root, "2025-01-15", is_test_path=is_test_file, naming=renamed_ok).entries == ()
    # under pytest's defaults `RTests` is collected by nobody: its test is lost indeed
    assert [e.test_id for e in build_ledger(root, "2025-01-15", is_test_path=is_test_file).entries] == [
        "TestR", "TestR::test_m"]
