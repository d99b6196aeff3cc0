"""Resurrection on small real git repositories: commented-out tests come back from history."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.config import load_project
from testcanon.rules import check_project

V1 = '''"""Calculator tests."""
import math

import pytest


def double(x):
    return 2 * x


@pytest.fixture
def base():
    return 3


class TestCalc:
    unit = 10

    def test_a(self):
        assert 1 + 1 == 2

    def test_b(self, base):
        assert double(base) == 6
        assert math.isclose(self.unit, 10.0)


def test_c():
    assert double(2) == 4
'''

V2 = '''"""Calculator tests."""
import pytest


class TestCalc:

    def test_a(self):
        assert 1 + 1 == 2

# REMOVED_SYNTAX_ERROR: def test_b(self, base):
    # REMOVED_SYNTAX_ERROR: assert double(base) == 6
    # REMOVED_SYNTAX_ERROR: assert math.isclose(self.unit, 10.0)


# def test_c():
#     assert double(2) == 4
'''

V3 = V2.replace("        assert 1 + 1 == 2\n", "        assert 2 + 2 == 4  # a later legitimate edit\n") + '''

def test_d():
    assert True
'''


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin:/usr/local/bin",
                        "HOME": str(root)})


def make_repo(root: Path) -> Path:
    write_tree(root, {"pyproject.toml": "[tool.testcanon]\n", "tests/test_calc.py": V1})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "calc tests")
    (root / "tests/test_calc.py").write_text(V2)
    git(root, "commit", "-qam", "bulk: comment out syntax errors")
    (root / "tests/test_calc.py").write_text(V3)
    git(root, "commit", "-qam", "tests: stronger test_a, add test_d")
    return root


def collected(root: Path, path: str) -> set[str]:
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                           path],
                          cwd=root, capture_output=True, text=True, timeout=120)
    return {line.split("::", 1)[1] for line in done.stdout.splitlines() if "::" in line}


def test_check_names_each_commented_out_test(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    result = check_project(load_project(root), use_cache=False)
    lost = sorted((f.line, f.data["test_id"]) for f in result.findings if f.code == "CANON701")
    assert lost == [(10, "TestCalc::test_b"), (15, "test_c")]


@pytest.mark.slow
def test_resurrect_from_history_keeps_later_edits_and_undoes(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    before = (root / "tests/test_calc.py").read_bytes()
    done = run_canon("fix", "--resurrect", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)["files"][0]
    assert report["verdict"] == "resurrected"
    assert sorted(r["test_id"] for r in report["restored"]) == ["TestCalc::test_b", "test_c"]
    assert {r["subject"] for r in report["restored"]} == {"calc tests"}
    assert sorted(report["needed"]) == ["base", "double", "math", "unit"] or "math" in report["needed"]
    text = (root / "tests/test_calc.py").read_text()
    assert "assert 2 + 2 == 4  # a later legitimate edit" in text  # the later edit survives
    assert "REMOVED_SYNTAX_ERROR" not in text and "# def test_c" not in text
    assert collected(root, "tests/test_calc.py") == {"TestCalc::test_a", "TestCalc::test_b", "test_c",
                                                     "test_d"}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_calc.py"],
                         cwd=root, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout  # the helpers, fixture, import and class attribute came back
    undo = run_canon("undo", cwd=root)
    assert undo.returncode == 0, undo.stderr
    assert (root / "tests/test_calc.py").read_bytes() == before


@pytest.mark.slow
def test_without_history_a_parsable_comment_is_restored_from_itself(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "plain", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_plain.py": "import pytest\n\n\ndef test_placeholder():\n"
                               "    pytest.skip('File has syntax errors - needs manual fixing')\n\n\n"
                               "# Original content (commented out due to syntax errors):\n"
                               "# def test_kept():\n#     assert [1, 2][-1] == 2\n",
    })
    done = run_canon("fix", "--resurrect", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)["files"][0]
    assert [r["origin"] for r in report["restored"]] == ["restored-from-comment"]
    assert report["placeholders_removed"] == ["test_placeholder"]
    assert collected(root, "tests/test_plain.py") == {"test_kept"}


@pytest.mark.slow
def test_a_resurrected_test_that_fails_today_is_written_and_reported(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "failing", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_f.py": "def test_ok():\n    assert True\n\n\n"
                           "# def test_regressed():\n#     assert 1 == 2\n",
    })
    done = run_canon("fix", "--resurrect", "--format", "json", cwd=root)
    report = json.loads(done.stdout)["files"][0]
    assert report["verdict"] == "resurrected"
    assert report["failing_today"] == ["test_regressed"]
    assert "def test_regressed" in (root / "tests/test_f.py").read_text()


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo")
    before = (root / "tests/test_calc.py").read_bytes()
    done = run_canon("fix", "--resurrect", "--dry-run", cwd=root)
    assert "+ TestCalc::test_b" in done.stdout
    assert (root / "tests/test_calc.py").read_bytes() == before


def test_a_method_comes_back_from_a_version_where_its_class_had_another_name() -> None:
    import ast as _ast

    from testcanon.repair.resurrect import resurrect_text, verify_resurrection
    from testcanon.repair.resurrect_history import Version
    from testcanon.rules.lost.naming import TestNaming

    then = "class TestThreads:\n    def test_create(self):\n        assert 1\n"
    now = (b"class ThreadsTests:\n    pass\n\n"
           b"    # def test_create(self):\n\n    # assert 1\n")
    naming = TestNaming(classes=("Test*", "*Tests"))
    plan = resurrect_text("tests/test_t.py", now, [Version("abc", "2025-01-01", "s", then, _ast.parse(then),
                                                            then.split("\n"))], naming=naming)
    assert [r.test_id for r in plan.restored] == ["ThreadsTests::test_create"]
    assert verify_resurrection(plan, naming=naming) is None
    assert "class ThreadsTests:\n    pass\n\n    def test_create(self):\n        assert 1\n" in \
        plan.fixed.decode()


PLACEHOLDER_ONLY = '''"""Thread tests."""
import pytest


def test_placeholder():
    pytest.skip("File has syntax errors - needs manual fixing")
'''

THREADS_V1 = '''"""Thread tests."""
LIMIT = 3


def test_limit():
    assert LIMIT == 3


def test_names():
    assert "t1".upper() == "T1"
'''


@pytest.mark.slow
def test_a_placeholder_only_file_gets_its_tests_back_from_history_verified_in_a_copy(tmp_path: Path) -> None:
    """A script replaced the whole file by a placeholder (no comments kept); a later edit added
    a test. Verification collects in an isolated copy: the conftest logs where pytest ran, and
    that is never the user's tree, which gains no stray file."""
    root = tmp_path / "repo"
    log = tmp_path / "collected-in.log"
    write_tree(root, {"pyproject.toml": "[tool.testcanon]\n", "tests/test_threads.py": THREADS_V1,
                      "tests/conftest.py": f"import os\nwith open({str(log)!r}, 'a') as f:\n"
                                           f"    f.write(os.path.dirname(__file__) + '\\n')\n"})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "thread tests")
    (root / "tests/test_threads.py").write_text(THREADS_V1.replace("LIMIT = 3", "LIMIT = (3"))
    git(root, "commit", "-qam", "a broken edit")
    (root / "tests/test_threads.py").write_text(PLACEHOLDER_ONLY)
    git(root, "commit", "-qam", "bulk: make files importable")
    (root / "tests/test_threads.py").write_text(PLACEHOLDER_ONLY + "\n\ndef test_later():\n    assert True\n")
    git(root, "commit", "-qam", "tests: a later legitimate test")
    listing = sorted(p.relative_to(root) for p in root.rglob("*") if ".git" not in p.parts)

    done = run_canon("fix", "--resurrect", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)["files"][0]
    assert report["verdict"] == "resurrected"
    assert sorted(report["lost"]) == ["test_limit", "test_names"]
    assert {r["subject"] for r in report["restored"]} == {"thread tests"}  # the compiling version
    assert report["placeholders_removed"] == ["test_placeholder"]
    assert report["collection"].startswith("pytest collects 3 ids")
    ran_in = set(log.read_text().splitlines())  # read before this test's own collection below
    assert ran_in and not any(Path(folder).is_relative_to(root) for folder in ran_in), ran_in
    assert sorted(p.relative_to(root) for p in root.rglob("*") if not {".git", ".testcanon"} & set(p.parts)) \
        == listing  # the journalled write is the only change: no scratch file was left
    text = (root / "tests/test_threads.py").read_text()
    assert "LIMIT = 3" in text and "def test_later" in text  # its helper came back, the later edit stayed
    assert collected(root, "tests/test_threads.py") == {"test_limit", "test_names", "test_later"}


def test_tests_a_placeholder_replaced_go_where_it_stood_and_later_code_stays() -> None:
    import ast as _ast

    from testcanon.repair.resurrect import resurrect_text, verify_resurrection
    from testcanon.repair.resurrect_history import Version

    then = THREADS_V1
    now = PLACEHOLDER_ONLY.encode() + b"\n\ndef test_later():\n    assert True\n"
    plan = resurrect_text("tests/test_threads.py", now,
                          [Version("abc", "2025-01-01", "thread tests", then, _ast.parse(then),
                                    then.split("\n"))],
                          replaced=["test_limit", "test_names"])
    assert verify_resurrection(plan) is None
    assert plan.placeholders_removed == ["test_placeholder"]
    assert plan.needed == ["LIMIT"]
    fixed = plan.fixed.decode()
    assert fixed.index("def test_limit") < fixed.index("def test_names") < fixed.index("def test_later")
    assert "test_placeholder" not in fixed and "LIMIT = 3" in fixed


@pytest.mark.slow
def test_an_older_placeholder_under_another_class_name_is_not_a_lost_test(tmp_path: Path) -> None:
    """The corpus renamed `TestPlaceholder` to `PlaceholderTests`: the newest compiling version
    that had other tests held only the old placeholder; the real tests are older still."""
    import ast as _ast

    from testcanon.repair.resurrect_history import replaced_by_placeholder
    from testcanon.rules.lost.naming import TestNaming

    root = tmp_path / "repo"
    old_placeholder = ('import pytest\n\n\nclass TestPlaceholder:\n    def test_placeholder(self):\n'
                       '        pytest.skip("File has syntax errors - needs manual fixing")\n')
    write_tree(root, {"tests/test_threads.py": THREADS_V1})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "thread tests")
    for text, subject in ((old_placeholder, "bulk: placeholders"),
                          (old_placeholder.replace("TestPlaceholder", "PlaceholderTests"),
                           "bulk: rename classes")):
        (root / "tests/test_threads.py").write_text(text)
        git(root, "commit", "-qam", subject)
    today = _ast.parse((root / "tests/test_threads.py").read_bytes())
    naming = TestNaming(classes=("Test*", "*Tests"))
    assert replaced_by_placeholder(root, "tests/test_threads.py", today, naming=naming) == [
        "test_limit", "test_names"]
