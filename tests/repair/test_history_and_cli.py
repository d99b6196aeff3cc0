"""History-aware repair on real git repositories, the CLI, the journal and undo."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

from canon_support import EXAMPLE, expected_table, run_canon, write_tree
from testcanon.repair.history import file_history, revert_by_hunks

GOOD = ("import os\n\n\ndef test_one():\n    x = 1\n    if x:\n        assert x\n\n\n"
        "def test_two():\n    assert True\n")


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=root,
                          check=True, capture_output=True, text=True).stdout


def _commit(root: Path, message: str) -> None:
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", message)


def _repo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_a.py": GOOD})
    _git(root, "init", "-q", "-b", "main")
    _commit(root, "good")
    return root


def test_reverts_only_the_breaking_commit_and_keeps_later_edits(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    path.write_text(GOOD.replace("        assert x\n", "    assert x\n") + "\n\n# a harmless tweak\n")
    _commit(root, "bulk edit: SSOT remediation")  # breaks it, and adds a harmless comment
    path.write_text(path.read_text() + "\n\ndef test_three():\n    assert 3\n")
    _commit(root, "add test_three")  # a later, legitimate edit
    result = run_canon("fix", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    verdict = report["files"][0]
    assert verdict["verdict"] == "fixed-by-history"
    assert verdict["breaking_commit"]["subject"] == "bulk edit: SSOT remediation"
    assert report["breaking_commits"][0]["files"] == 1
    fixed = path.read_text()
    assert "        assert x\n" in fixed and "def test_three" in fixed
    compile(fixed, "t", "exec")


def test_follows_renames(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _git(root, "mv", "tests/test_a.py", "tests/test_renamed.py")
    _commit(root, "rename")
    path = root / "tests" / "test_renamed.py"
    path.write_text(path.read_text().replace("def test_two():", "def test_two()"))
    _commit(root, "lose a colon")
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    assert report["files"][0]["verdict"] == "fixed-by-history"
    assert report["files"][0]["breaking_commit"]["subject"] == "lose a colon"


def test_through_a_merge(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _git(root, "checkout", "-q", "-b", "feature")
    path = root / "tests" / "test_a.py"
    path.write_text(path.read_text().replace("def test_two():", "def test_two()"))
    _commit(root, "feature breaks it")
    _git(root, "checkout", "-q", "main")
    (root / "README").write_text("x")
    _commit(root, "unrelated")
    _git(root, "merge", "-q", "--no-edit", "feature")
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    assert report["files"][0]["verdict"] == "fixed-by-history"
    assert report["files"][0]["breaking_commit"]["subject"] == "feature breaks it"


def test_reverting_hunk_by_hunk_keeps_no_hunk_that_moves_a_test_out_of_its_class() -> None:
    """Flattened to column 0, a method still compiles (as a function taking self): compiling is
    not enough to keep that hunk, while a sound later hunk (a new test) is kept."""
    good = (b"class TestA:\n    def test_one(self):\n        assert 1\n\n"
            b"    def test_two(self):\n        assert 2\n\n\nX = 1\n")
    bad = (b"class TestA:\n    def test_one(self):\n        assert 1\n\n"
           b"def test_two(self):\n    assert 2\n\n\nX = 1\n"
           b"\n\ndef test_three():\n    assert 3\n")
    expected = {(None, "TestA"), ("TestA", "test_one"), ("TestA", "test_two"), (None, "test_three")}
    assert revert_by_hunks(good, bad) == bad  # compiling alone accepts the flattening
    assert revert_by_hunks(good, bad, expected) == good + b"\n\ndef test_three():\n    assert 3\n"


def test_a_partial_revert_that_cannot_merge_onto_todays_file_is_given_up_at_its_first_such_hunk() -> None:
    """The breaking commit broke two places; a later commit edited the first again. Left reverted
    (it does not compile), the first hunk makes the merge onto today's file conflict, so the
    replay stops there; a hunk away from every later edit never asks git."""
    from testcanon.repair.by_history import _conflicts_with_later_edits

    good = b"def test_a():\n    assert f(1)\n\n\ndef test_b():\n    assert f(2)\n\n\nX = 1\n"
    bad = b"def test_a():\n    assert f(1\n\n\ndef test_b():\n    assert f(2\n\n\nX = 1\n"
    today = b"def test_a():\n    assert f(1, 2\n\n\ndef test_b():\n    assert f(2\n\n\nX = 1\n"
    asked: list[tuple[str, int, int, int, int]] = []
    conflicts = _conflicts_with_later_edits(today, good, bad)

    def give_up(hunk: tuple[str, int, int, int, int]) -> bool:
        asked.append(hunk)
        return conflicts(hunk)

    assert revert_by_hunks(good, bad, give_up=give_up) is None
    assert asked == [("replace", 1, 2, 1, 2)]  # the first hunk, rejected and conflicting: nothing after it
    assert not conflicts(("replace", 5, 6, 5, 6))  # the second is away from today's edit
    assert revert_by_hunks(good, bad, give_up=lambda hunk: False) == good  # nothing compiles: all reverted


def test_a_nested_helper_the_damage_flattened_into_view_is_not_a_test(tmp_path: Path) -> None:
    """`def test_helper` at column 0 looks like a test in the broken file; the last version that
    compiled nests it in a test (pytest never collected it), so the repair may nest it again."""
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    good = ("def test_outer():\n    def test_helper():\n        return 1\n    assert test_helper() == 1\n"
            "\n\nX = 1\n")
    path.write_text(good)
    _commit(root, "nested helper")
    flattened = "def test_outer():\ndef test_helper():\nreturn 1\nassert test_helper() == 1\n\n\nX = 1\n"
    path.write_text(flattened + "\n\ndef test_new():\n    assert 2\n")
    _commit(root, "flatten, and add a test")
    verdict = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)["files"][0]
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert verdict["detail"].endswith("not counted as tests (the versions that compiled define them only "
                                      "nested in a function, inside a string, or where pytest collects "
                                      "nothing: a property, a class pytest declines or one with no test): "
                                      "test_helper")
    assert path.read_text() == good + "\n\ndef test_new():\n    assert 2\n"


def test_an_injected_empty_test_class_may_go_and_the_verdict_names_it(tmp_path: Path) -> None:
    """A fixer script injected an empty `Test*` class with the damage: pytest collects nothing
    from it, so reverting the commit may drop it, and the verdict says it did."""
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    good = "def test_one():\n    assert 1\n"
    path.write_text(good)
    _commit(root, "good")
    path.write_text('class TestSyntaxFix:\n    """Test class for orphaned methods"""\n\n'
                    + good.replace("():", "()"))
    _commit(root, "fixer script")
    verdict = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)["files"][0]
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert path.read_text() == good
    assert verdict["detail"].endswith("no longer defined, not counted as tests "
                                      "(pytest collects none from them: an empty or helper Test* class, "
                                      "a function nested in another): TestSyntaxFix")


def test_a_definition_inside_a_string_the_damage_unquoted_is_not_a_test(tmp_path: Path) -> None:
    """A template of a generated test file: its `def test_generated` reads as a test once the
    damage broke the quotes around it; the version that compiled shows it is text."""
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    good = 'TEMPLATE = """\ndef test_generated():\n    pass\n"""\n\n\ndef test_real():\n    assert TEMPLATE\n'
    path.write_text(good)
    _commit(root, "template")
    path.write_text(good.replace('TEMPLATE = """', 'TEMPLATE = ""') + "\n\ndef test_new():\n    assert 2\n")
    _commit(root, "break the quotes, and add a test")
    verdict = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)["files"][0]
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert path.read_text() == good + "\n\ndef test_new():\n    assert 2\n"


def test_a_side_branch_version_a_merge_threw_away_is_not_history(tmp_path: Path) -> None:
    """`git log --follow` lists the side branch's commit (it turns off history simplification);
    its version never reached today's file, so it must not pass for the file's last good one."""
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    path.write_text(path.read_text().replace("def test_two():", "def test_two()"))
    _commit(root, "main breaks it")
    _git(root, "checkout", "-q", "-b", "side", "HEAD~1")
    path.write_text("def test_one():\n    assert 1\n")
    _git(root, "add", "-A")
    later = "2090-01-01T00:00:00+00:00"  # the newest commit by date: first in `git log --follow`
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "side rewrites it"],
                   cwd=root, check=True,
                   env={**os.environ, "GIT_COMMITTER_DATE": later, "GIT_AUTHOR_DATE": later})
    _git(root, "checkout", "-q", "main")
    _git(root, "merge", "-q", "-s", "ours", "--no-edit", "side")
    assert [subject for _, _, _, subject in file_history(root, "tests/test_a.py")] == [
        "main breaks it", "good"]
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    assert report["files"][0]["breaking_commit"]["subject"] == "main breaks it"
    assert "def test_two():" in path.read_text()


def test_file_that_never_compiled_falls_back_to_local(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "tests" / "test_new.py").write_text("def test_n()\n    pass\n")
    _commit(root, "born broken")
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    assert [f["verdict"] for f in report["files"]] == ["fixed-locally"]


def test_dry_run_writes_nothing_and_undo_restores_bytes_and_mode(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "r", {"pyproject.toml": "[tool.testcanon]\n",
                                       "tests/test_b.py": "def test_b()\n    pass\n"})
    path = root / "tests" / "test_b.py"
    path.chmod(0o750)
    original = path.read_bytes()
    dry = run_canon("fix", "--dry-run", "--method", "local", cwd=root)
    assert "+def test_b():" in dry.stdout and path.read_bytes() == original
    assert run_canon("fix", "--no-history", cwd=root).returncode == 0
    assert path.read_bytes() == b"def test_b():\n    pass\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o750
    assert run_canon("undo", cwd=root).returncode == 0
    assert path.read_bytes() == original and stat.S_IMODE(path.stat().st_mode) == 0o750


def test_example_broken_files_repaired_as_expected(tmp_path: Path) -> None:
    root = tmp_path / "sprawling_repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    got = {f["path"]: f["verdict"] for f in report["files"]}
    assert got == {row["path"]: row["verdict"] for row in expected_table("canon fix")}
    remaining = json.loads(run_canon("scan", "--format", "json", cwd=root).stdout)
    assert [f["path"] for f in remaining["findings"]] == ["tests/unit/test_fstring_py312.py"]


def test_multi_step_damage_restores_the_last_version_with_every_test(tmp_path: Path) -> None:
    """Commented out by one script, un-commented with flattened indentation by another: the
    last compiling version has no tests, so the repair goes back to the last one that has them."""
    root = _repo(tmp_path)  # "good": GOOD, with test_one and test_two
    path = root / "tests" / "test_a.py"
    path.write_text("".join(f"# REMOVED_SYNTAX_ERROR: {line}\n" for line in GOOD.splitlines()))
    _commit(root, "comment out broken tests")
    path.write_text("\n".join(line.strip() for line in GOOD.splitlines()) + "\n")
    _commit(root, "restore tests")
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    verdict = report["files"][0]
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert "restored the last version with every test" in verdict["detail"]
    fixed = path.read_text()
    compile(fixed, "t", "exec")
    assert "def test_one" in fixed and "def test_two" in fixed


def test_a_class_whose_tests_lost_their_indentation_comes_back_from_the_version_that_had_it(
        tmp_path: Path) -> None:
    """The flattened tests are at module level in today's file, inside their class in the last
    complete version: that version still holds every test."""
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    good = ("import unittest\n\n\nclass TestA(unittest.TestCase):\n    def test_one(self):\n"
            "        if True:\n            self.assertTrue(1)\n\n    def test_two(self):\n        pass\n")
    path.write_text(good)
    _commit(root, "class")
    path.write_text("".join(f"# {line}\n" for line in good.splitlines()))
    _commit(root, "comment out")
    path.write_text("\n".join(line.strip() for line in good.splitlines()) + "\n")
    _commit(root, "restore flattened")
    verdict = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)["files"][0]
    assert verdict["verdict"] == "fixed-by-history", verdict
    assert path.read_text() == good


def test_worker_processes_give_the_same_verdicts_as_one(tmp_path: Path) -> None:
    from testcanon.config import load_project
    from testcanon.repair.fixer import fix_files

    files = {"pyproject.toml": "[tool.testcanon]\n"}
    for n in range(4):
        files[f"tests/test_{n}.py"] = f"def test_{n}()\n    assert {n} == {n}\n"
    root = write_tree(tmp_path / "j", files)
    project = load_project(root)
    serial = fix_files(project, method="local", dry_run=True, jobs=1)
    parallel = fix_files(project, method="local", dry_run=True, jobs=2)
    assert [(v.path, v.verdict, v.fixed) for v in serial] == [(v.path, v.verdict, v.fixed) for v in parallel]
    assert all(v.verdict == "fixed-locally" for v in parallel) and len(parallel) == 4


def test_a_test_added_with_the_damage_comes_from_the_version_that_added_it(tmp_path: Path) -> None:
    """The commit that broke test_one also added test_three, which a later script broke: no
    version compiles with test_three, but in the version that added it, it compiled on its own."""
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    three = "\n\ndef test_three():\n    values = {'a': 1}\n    assert values['a'] == 1\n"
    path.write_text(GOOD.replace("    if x:\n        assert x\n", "    if x:\n    assert x ]]\n") + three)
    _commit(root, "bulk edit adds test_three")
    path.write_text(path.read_text().replace("    values = {'a': 1}\n", "    values = {'a': 1)}}\n'\n"))
    _commit(root, "second fixer script")
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    verdict = report["files"][0]
    assert verdict["verdict"] == "fixed-by-history", verdict
    fixed = path.read_text()
    compile(fixed, "t", "exec")
    assert "    if x:\n        assert x\n" in fixed and \
        "    values = {'a': 1}\n    assert values['a'] == 1\n" in fixed


def test_a_file_valid_on_a_newer_python_is_reported_not_reverted(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    path = root / "tests" / "test_a.py"
    newer = GOOD.replace("    assert True\n", '    d = {"k": "v"}\n    assert f"{d["k"]}" == "v"\n')
    path.write_text(newer)
    _commit(root, "test_two written for Python 3.12")  # no test added: reverting would verify
    report = json.loads(run_canon("fix", "--format", "json", cwd=root).stdout)
    verdict = report["files"][0]
    assert verdict["verdict"] == "version-specific", verdict
    assert path.read_text() == newer  # history did not "repair" the new test away
