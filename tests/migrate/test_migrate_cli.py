"""`canon migrate` end to end: verification by collected tests, journal and undo, the example."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from canon_support import EXAMPLE, expected_table, run_canon, write_tree
from testcanon.config import load_project
from testcanon.migrate.common import FileChange
from testcanon.migrate.isolation import isolated_copy
from testcanon.migrate.run import MigrationReport, verify
from testcanon.migrate.verify import collected_ids, new_problems
from testcanon.source import GlobSet


def _collected(root: Path) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "--continue-on-collection-errors", "tests"],
                            cwd=root, capture_output=True, text=True)
    return sorted(line for line in result.stdout.splitlines() if "::" in line)


def test_verifier_rejects_a_change_that_renames_or_drops_a_test(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "v", {"pyproject.toml": "[tool.testcanon]\n",
                                       "tests/test_v.py": "def test_keep():\n    pass\n\n"
                                                          "def test_other():\n    pass\n"})
    project = load_project(root)
    before = (root / "tests" / "test_v.py").read_bytes()
    renamed = FileChange.of("tests/test_v.py", before, before.replace(b"test_other", b"test_renamed"),
                            {"CANON301"})
    report = verify(project, MigrationReport([renamed]), level="collect")
    assert report.changes == []
    assert "lost 1 ['tests/test_v.py::test_other']" in report.rejected["tests/test_v.py"]
    report = verify(project, MigrationReport([renamed]))  # by outcomes (the default): the same verdict
    assert "tests/test_v.py::test_other passed -> absent" in report.rejected["tests/test_v.py"]
    harmless = FileChange.of("tests/test_v.py", before, before + b"# comment\n", {"CANON301"})
    assert verify(project, MigrationReport([harmless])).changes == [harmless]


def test_verifier_rejects_what_collection_cannot_see_an_undefined_name_or_a_re_pointed_import(
        tmp_path: Path) -> None:
    root = write_tree(tmp_path / "n", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_n.py": (
        "from helpers import IsolatedEnvironment\n\n\ndef test_a():\n    assert IsolatedEnvironment\n")})
    project = load_project(root)
    before = (root / "tests" / "test_n.py").read_bytes()
    undefined = FileChange.of("tests/test_n.py", before,
                              before.replace(b"assert IsolatedEnvironment", b"assert isolated_env.get('A')"),
                              {"CANON301"})
    report = verify(project, MigrationReport([undefined]))
    assert report.rejected["tests/test_n.py"] == "would leave isolated_env undefined"
    shadowing = FileChange.of("tests/test_n.py", before, before.replace(
        b"\n\n\ndef", b"\nfrom testcanon import IsolatedEnvironment\n\n\ndef"), {"CANON301"})
    report = verify(project, MigrationReport([shadowing]))
    assert "re-point IsolatedEnvironment" in report.rejected["tests/test_n.py"]


def test_a_name_only_a_main_block_bound_was_already_undefined_for_pytest() -> None:
    # `import os` inside `if __name__ == "__main__":` never runs under pytest: removing the block
    # (CANON201) leaves the tests exactly as undefined as they were, so it is no new problem.
    before = (b"def test_a():\n    assert os.sep\n\n"
              b"if __name__ == '__main__':\n    import os\n    os.system('pytest')\n")
    assert new_problems(before, b"def test_a():\n    assert os.sep\n") is None
    assert new_problems(b"import os\n", b"import os\nvalue = undefined_y\n") == \
        "would leave undefined_y undefined"


def test_a_configuration_pytest_refuses_is_collected_with_pytest_defaults_on_both_sides(
        tmp_path: Path) -> None:
    # pytest refuses this configuration outright (exit 4): collection runs again with pytest's
    # defaults, before and after alike, so the ids still decide.
    root = write_tree(tmp_path / "c", {"pyproject.toml": "[tool.testcanon]\n\n[tool.pytest.ini_options]\n"
                                                         "addopts = \"--no-such-option\"\n",
                                       "tests/test_v.py": "def test_keep():\n    pass\n\n"
                                                          "def test_other():\n    pass\n"})
    project = load_project(root)
    before = (root / "tests" / "test_v.py").read_bytes()
    renamed = FileChange.of("tests/test_v.py", before, before.replace(b"test_other", b"test_renamed"),
                            {"CANON301"})
    report = verify(project, MigrationReport([renamed]), level="collect")
    assert report.collection_failure is None and report.collected_with_defaults
    assert report.changes == [] and \
        "lost 1 ['tests/test_v.py::test_other']" in report.rejected["tests/test_v.py"]
    harmless = FileChange.of("tests/test_v.py", before, before + b"# comment\n", {"CANON301"})
    report = verify(project, MigrationReport([harmless]), level="collect")
    assert report.changes == [harmless]
    assert (report.verified_by_collection, report.verified_statically) == (1, 0)


def test_when_pytest_cannot_collect_at_all_changes_are_checked_statically_not_waved_through(
        tmp_path: Path) -> None:
    # a conftest that fails to import stops every collection, with pytest's defaults too: no ids
    # before, none after. That must not count as "identical collected tests"; the static check
    # (every test name kept) decides instead.
    root = write_tree(tmp_path / "c", {"pyproject.toml": "[tool.testcanon]\n",
                                       "tests/conftest.py": "raise RuntimeError('no database here')\n",
                                       "tests/test_v.py": "def test_keep():\n    pass\n\n"
                                                          "def test_other():\n    pass\n"})
    project = load_project(root)
    before = (root / "tests" / "test_v.py").read_bytes()
    renamed = FileChange.of("tests/test_v.py", before, before.replace(b"test_other", b"test_renamed"),
                            {"CANON301"})
    report = verify(project, MigrationReport([renamed]))
    assert report.verify_fallback == ("pytest exited 4: ImportError while loading conftest "
                                      "'tests/conftest.py'.")
    assert report.collection_failure is not None and "exited 4" in report.collection_failure
    assert report.changes == [] and "test_other" in report.rejected["tests/test_v.py"]
    harmless = FileChange.of("tests/test_v.py", before, before + b"# comment\n", {"CANON301"})
    report = verify(project, MigrationReport([harmless]))
    assert report.changes == [harmless]
    assert (report.verified_by_collection, report.verified_statically) == (0, 1)


def test_isolated_copy_takes_excluded_folders_the_tests_import_and_originals_stay(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "l", {"pyproject.toml": "[tool.testcanon]\n"
                                                         "extend_exclude = [\"vendored\"]\n",
                                       "vendored/helpers.py": "VALUE = 1\n",
                                       "tests/test_v.py": "from vendored.helpers import VALUE\n\n\n"
                                                          "def test_value():\n    assert VALUE == 1\n"})
    scratch = tmp_path / "scratch"
    isolated_copy(root, scratch, GlobSet(["vendored"]), {"vendored", "helpers"})
    assert (scratch / "vendored" / "helpers.py").is_file() and not (scratch / "vendored").is_symlink()
    assert (scratch / "vendored" / "helpers.py").stat().st_ino != \
        (root / "vendored" / "helpers.py").stat().st_ino
    assert collected_ids(scratch, ["tests/test_v.py"], 60).ids == {
        "tests/test_v.py": {"tests/test_v.py::test_value"}}
    before = (root / "tests" / "test_v.py").read_bytes()
    dropped = FileChange.of("tests/test_v.py", before, before.replace(b"def test_value", b"def check_value"),
                            {"CANON301"})
    report = verify(load_project(root), MigrationReport([dropped]), level="collect")
    assert "lost 1 ['tests/test_v.py::test_value']" in report.rejected["tests/test_v.py"]
    harmless = FileChange.of("tests/test_v.py", before, before + b"# comment\n", {"CANON301"})
    assert verify(load_project(root), MigrationReport([harmless])).changes == [harmless]
    assert (root / "tests" / "test_v.py").read_bytes() == before
    assert (root / "vendored" / "helpers.py").read_text() == "VALUE = 1\n"


def test_migrate_writes_through_the_journal_and_undo_restores_bytes(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "j", {"pyproject.toml": "[tool.testcanon]\n",
                                       "tests/test_j.py": "import os, unittest\n\n"
                                                          "class TestJ(unittest.TestCase):\n"
                                                          "    def test_j(self):\n"
                                                          "        os.getenv('HOME')\n"})
    original = (root / "tests" / "test_j.py").read_bytes()
    dry = run_canon("migrate", "--dry-run", cwd=root)
    assert "+class TestJ(SSotBaseTestCase):" in dry.stdout
    assert (root / "tests" / "test_j.py").read_bytes() == original
    result = run_canon("migrate", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert b"self.env.get('HOME')" in (root / "tests" / "test_j.py").read_bytes()
    assert run_canon("undo", cwd=root).returncode == 0
    assert (root / "tests" / "test_j.py").read_bytes() == original


def test_example_becomes_clean_of_migrated_codes_with_collected_tests_unchanged(tmp_path: Path) -> None:
    root = tmp_path / "sprawling_repo"
    shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns("__pycache__", ".testcanon"))
    before_ids = _collected(root)
    before = json.loads(run_canon("check", "--format", "json", cwd=root).stdout)["statistics"]
    result = run_canon("migrate", "--format", "json", cwd=root)
    report = json.loads(result.stdout)
    assert report["rejected"] == {}
    assert _collected(root) == before_ids
    after = json.loads(run_canon("check", "--format", "json", cwd=root).stdout)["statistics"]
    expected = {row["code"]: (int(row["before"]), int(row["after"]))
                for row in expected_table("canon migrate")}
    for code, (want_before, want_after) in expected.items():
        assert (before.get(code, 0), after.get(code, 0)) == (want_before, want_after), code
    again = json.loads(run_canon("migrate", "--format", "json", cwd=root).stdout)
    assert again["changed"] == []


def test_every_base_class_violation_left_behind_is_reported_with_its_reason(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "l", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/__init__.py": "",
        "tests/base.py": "class PlainBase:\n    def setup_method(self):\n        self.x = 1\n",
        "tests/test_plain.py": "from tests.base import PlainBase\n\n\n"
                               "class TestA(PlainBase):\n    def test_a(self):\n        assert self.x\n\n\n"
                               "class TestB(PlainBase):\n    def test_b(self):\n        pass\n",
        "tests/test_unit.py": "import unittest\n\n\n"
                              "class TestU(unittest.TestCase):\n    def test_u(self):\n        pass\n",
    })
    report = json.loads(run_canon("migrate", "--select", "CANON101", "--format", "json", cwd=root).stdout)
    # tests/base.py is no test code by the configuration (not a test file, not `infra`): left, said so
    assert [c["path"] for c in report["changed"]] == ["tests/test_unit.py"]
    assert report["left"] == [{"code": "CANON101", "target": "tests.base.PlainBase",
                               "site": "tests/base.py:1", "count": 2, "reason": report["left"][0]["reason"]}]
    assert "not test code by the configuration: add `tests/base.py` to [tool.testcanon.check] infra" in \
        report["left"][0]["reason"] and "SSotTestBase" in report["left"][0]["reason"]
    after = json.loads(run_canon("check", "--select", "CANON101", "--format", "json", cwd=root).stdout)
    assert sum(item["count"] for item in report["left"]) == after["statistics"]["CANON101"]


def test_runner_bypasses_the_codemod_leaves_are_each_reported_with_a_reason(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "b", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_main.py": "import pytest\n\n\ndef test_a():\n    pass\n\n\nif __name__ == '__main__':\n"
                              "    pytest.main([__file__])\n",
        "tests/test_call.py": "import pytest\n\n\ndef test_b():\n    pass\n\n\ndef run_all():\n"
                              "    return pytest.main(['tests'])\n",
        "scripts/run_suite.py": "import subprocess\nimport sys\n\nresult = subprocess.run("
                                "[sys.executable, '-m', 'pytest', 'tests', '-q'], capture_output=True)\n"
                                "print(result.stdout.count(b'passed'))\n",
        # pytest never collects it (python_files): its `__main__` block is how its tests run
        "tests/issue_12_checks.py": "import unittest\n\n\nclass Checks(unittest.TestCase):\n"
                                    "    def test_c(self):\n        pass\n\n\n"
                                    "if __name__ == '__main__':\n    unittest.main()\n",
    })
    report = json.loads(run_canon("migrate", "--select", "CANON201", "--format", "json", cwd=root).stdout)
    assert [c["path"] for c in report["changed"]] == ["tests/test_main.py"]
    left = {item["site"]: item["reason"] for item in report["left"] if item["code"] == "CANON201"}
    assert sorted(left) == ["scripts/run_suite.py:4", "tests/issue_12_checks.py:9", "tests/test_call.py:9"]
    assert left["tests/issue_12_checks.py:9"] == (
        "its 1 test(s) are never collected: `issue_12_checks.py` does not match python_files (`test_*.py`, "
        "`*_test.py`); rename the file to match; once it is collected, `canon migrate` removes the block")
    assert left["tests/test_call.py:9"].startswith(
        "runs tests as part of the program: `pytest.main(...)` runs the tests inside the script's own "
        "process")
    assert left["scripts/run_suite.py:4"].startswith("a script outside the test code: `subprocess.run(...)` "
                                                     "reads pytest's own output")
    after = json.loads(run_canon("check", "--select", "CANON201", "--format", "json", cwd=root).stdout)
    assert after["statistics"]["CANON201"] == len(report["left"])


def test_migrated_environment_code_still_passes_under_pytest(tmp_path: Path) -> None:
    """patch.dict with clear=True and as a decorator (sync and async), pop/update/setdefault, and
    a nested helper: pytest runs the migrated file and every test still passes."""
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_env.py": (
            "import asyncio\nimport os\nfrom unittest.mock import patch\n\n"
            "from testcanon import SSotAsyncTestCase, SSotBaseTestCase\n\n"
            "BASE = os.environ.setdefault('CANON_P_BASE', 'base')\n\n\n"
            "class TestSync(SSotBaseTestCase):\n"
            "    @patch.dict(os.environ, {'CANON_P_ONLY': '1'}, clear=True)\n"
            "    def test_cleared(self):\n        assert os.getenv('PATH') is None\n"
            "        assert os.environ.pop('CANON_P_ONLY') == '1' and 'CANON_P_ONLY' not in os.environ\n\n"
            "    def test_update(self):\n        os.environ.update({'CANON_P_U': '2'})\n"
            "        assert os.environ['CANON_P_U'] == '2'\n        del os.environ['CANON_P_U']\n\n\n"
            "class TestAsync(SSotAsyncTestCase):\n    @patch.dict(os.environ, {'CANON_P_A': 'async'})\n"
            "    async def test_decorated(self):\n        await asyncio.sleep(0)\n"
            "        assert os.environ['CANON_P_A'] == 'async'\n\n\n"
            "@patch.dict(os.environ, {'CANON_P_F': '1'})\ndef test_function(n=1):\n"
            "    def inner():\n        return os.getenv('CANON_P_F')\n"
            "    assert inner() == '1' and os.environ.get('CANON_P_BASE') == 'base'\n"),
    })

    def pytest_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                              cwd=root, capture_output=True, text=True)

    assert "4 passed" in pytest_run().stdout
    before_ids = _collected(root)
    report = json.loads(run_canon("migrate", "--select", "CANON301", "--format", "json", cwd=root).stdout)
    assert report["rejected"] == {} and report["verified_by_outcomes"] == 1
    migrated = (root / "tests" / "test_env.py").read_text()
    assert "patch.dict" not in migrated and "os.environ" not in migrated and "os.getenv" not in migrated
    after = pytest_run()
    assert "4 passed" in after.stdout, after.stdout
    assert _collected(root) == before_ids


def test_environment_accesses_left_are_each_reported_with_a_reason(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "e", {
        "pyproject.toml": "[tool.testcanon]\n",
        "tests/test_env.py": "import os\nimport subprocess\n\n\ndef test_a():\n"
                             "    assert os.getenv('HOME') is not None\n"
                             "    subprocess.run(['true'], env=os.environ)\n",
    })
    report = json.loads(run_canon("migrate", "--select", "CANON301", "--format", "json", cwd=root).stdout)
    assert [c["path"] for c in report["changed"]] == ["tests/test_env.py"]
    left = [item for item in report["left"] if item["code"] == "CANON301"]
    assert [(item["target"], item["count"]) for item in left] == [("tests/test_env.py", 1)]
    assert "passed on as a value" in left[0]["reason"] and "env=os.environ" in left[0]["reason"]
    after = json.loads(run_canon("check", "--select", "CANON301", "--format", "json", cwd=root).stdout)
    assert after["statistics"]["CANON301"] == 1


def test_many_files_are_collected_in_parallel_chunks_and_every_id_comes_back(tmp_path: Path) -> None:
    files = {f"tests/test_m{i}.py": f"def test_a{i}():\n    pass\n" for i in range(45)}
    root = write_tree(tmp_path / "many", {"pyproject.toml": "[tool.testcanon]\n", **files})
    collection = collected_ids(root, sorted(files), 120)
    assert collection.failure is None and not collection.errors
    assert collection.ids == {path: {f"{path}::test_a{path[len('tests/test_m'):-3]}"} for path in files}


def test_a_folder_whose_conftest_fails_to_import_does_not_stop_the_others_from_collecting(
        tmp_path: Path) -> None:
    files = {f"tests/unit/test_u{i}.py": f"def test_u{i}():\n    pass\n" for i in range(25)}
    files |= {f"tests/e2e/test_e{i}.py": f"def test_e{i}():\n    pass\n" for i in range(25)}
    root = write_tree(tmp_path / "mixed", {"pyproject.toml": "[tool.testcanon]\n",
                                           "tests/e2e/conftest.py": "import no_such_module_here\n", **files})
    collection = collected_ids(root, sorted(files), 120)
    assert collection.failure is None
    assert set(collection.ids) == {path for path in files if "/unit/" in path}
    assert collection.errors == {path for path in files if "/e2e/" in path}  # verified statically then


def test_a_conftest_that_fails_only_beside_another_package_named_tests_is_collected_on_its_own(
        tmp_path: Path) -> None:
    # a monorepo's two `tests` packages: one pytest process imports both conftests as
    # `tests.conftest` and stops ("ImportPathMismatchError"); each alone collects
    tree = {"pyproject.toml": "[tool.testcanon]\n",
            "tests/__init__.py": "", "tests/conftest.py": "import pytest\n",
            "frontend/tests/__init__.py": "", "frontend/tests/conftest.py": "import pytest\n"}
    files = {f"tests/test_r{i}.py": "def test_r():\n    pass\n" for i in range(3)}
    files |= {f"frontend/tests/test_f{i}.py": "def test_f():\n    pass\n" for i in range(3)}
    root = write_tree(tmp_path / "mono", tree | files)
    collection = collected_ids(root, sorted(files), 120)
    assert collection.failure is None and not collection.errors
    assert set(collection.ids) == set(files)
    assert sorted(map(sorted, collection.batches)) == [sorted(p for p in files if p.startswith("frontend/")),
                                                       sorted(p for p in files if p.startswith("tests/"))]


def test_a_file_that_ends_the_collecting_process_sinks_only_itself(tmp_path: Path) -> None:
    files = {f"tests/test_m{i}.py": "def test_m():\n    pass\n" for i in range(8)}
    files["tests/test_m5.py"] = "import os\nos._exit(0)\n"
    root = write_tree(tmp_path / "exits", {"pyproject.toml": "[tool.testcanon]\n", **files})
    collection = collected_ids(root, sorted(files), 120)
    assert collection.failure is None
    assert collection.errors == {"tests/test_m5.py"}
    assert set(collection.ids) == set(files) - {"tests/test_m5.py"}
    # the after side is collected in the same company; the file no run collected is not
    # collected again (nothing to compare it with: its change is judged statically)
    again = collected_ids(root, sorted(files), 120, batches=collection.batches)
    assert again.ids == collection.ids and not again.errors and not again.unknown
    assert "tests/test_m5.py" not in again.attempted


def test_ids_that_change_between_two_collections_of_the_same_code_do_not_reject_a_change(
        tmp_path: Path) -> None:
    # `uuid4()` in `parametrize`: every collection names the test differently, so ids compared
    # as they are would reject any change to the file
    source = ("import uuid\n\nimport pytest\n\n\n@pytest.mark.parametrize('run_id', [str(uuid.uuid4())])\n"
              "def test_run(run_id):\n    assert run_id\n\n\ndef test_other():\n    pass\n")
    root = write_tree(tmp_path / "u", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_u.py": source})
    project = load_project(root)
    before = source.encode()
    harmless = FileChange.of("tests/test_u.py", before, before + b"# comment\n", {"CANON301"})
    report = verify(project, MigrationReport([harmless]), level="collect")
    assert report.rejected == {} and report.proof == {"tests/test_u.py": "collected"}
    # a change that drops the parametrized test is still seen, compared by test
    dropped = FileChange.of("tests/test_u.py", before, before.replace(b"def test_run", b"def check_run"),
                            {"CANON301"})
    report = verify(project, MigrationReport([dropped]), level="collect")
    assert "lost 1 ['tests/test_u.py::test_run[" in report.rejected["tests/test_u.py"]


def test_a_change_that_makes_its_file_fail_to_collect_says_so_with_what_it_collected(tmp_path: Path) -> None:
    source = "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n"
    root = write_tree(tmp_path / "e", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_e.py": source})
    before = source.encode()
    breaks = FileChange.of("tests/test_e.py", before, b"import no_such_module_here\n" + before, {"CANON301"})
    report = verify(load_project(root), MigrationReport([breaks]), level="collect")
    assert report.changes == []
    assert report.rejected["tests/test_e.py"] == "would no longer collect (it collected 2 test(s) before)"


def test_an_infrastructure_change_is_rejected_with_the_file_it_alters_and_how(tmp_path: Path) -> None:
    helper = "class Base:\n    def test_inherited(self):\n        pass\n"
    root = write_tree(tmp_path / "i", {
        "pyproject.toml": "[tool.testcanon]\n", "tests/__init__.py": "", "tests/helpers.py": helper,
        "tests/test_x.py": "from tests.helpers import Base\n\n\nclass TestX(Base):\n    pass\n"})
    before = helper.encode()
    renamed = FileChange.of("tests/helpers.py", before, before.replace(b"test_inherited", b"check_inherited"),
                            {"CANON101"})
    report = verify(load_project(root), MigrationReport([renamed]), level="collect")
    assert report.changes == []
    # the change is rejected, with the file it alters as the evidence; that file, which nobody
    # changed, is not itself listed as a rejected change
    assert report.rejected == {"tests/helpers.py": (
        "changing it alters what other test files collect: 1 file(s), e.g. tests/test_x.py: collected tests "
        "would change: lost 1 ['tests/test_x.py::TestX::test_inherited'], gained 0 []")}


def test_the_after_side_keeps_the_files_that_collected_nothing_in_the_company(tmp_path: Path) -> None:
    # test_a fails at import after leaving a module that test_b imports (as a file that fails
    # still puts its folder on sys.path): without test_a beside it, test_b does not collect
    files = {"tests/__init__.py": "", "tests/helper.py": "VALUE = 1\n",
             "tests/test_a.py": "import sys\n\nimport tests.helper\n\nsys.modules['company'] = sys\n"
                                "raise ImportError('not here')\n",
             "tests/test_b.py": "import company\n\nimport tests.helper\n\n\n"
                                "def test_b():\n    assert company\n"}
    root = write_tree(tmp_path / "kept", {"pyproject.toml": "[tool.testcanon]\n", **files})
    before = files["tests/helper.py"].encode()
    harmless = FileChange.of("tests/helper.py", before, before + b"# comment\n", {"CANON301"})
    report = verify(load_project(root), MigrationReport([harmless]), level="collect")
    assert report.rejected == {} and [change.path for change in report.changes] == ["tests/helper.py"]


def test_a_crowded_run_that_times_out_is_collected_again_one_file_at_a_time(tmp_path: Path) -> None:
    files = {"tests/test_fast.py": "def test_f():\n    pass\n",
             "tests/test_slow.py": "import time\n\ntime.sleep(120)\n\n\ndef test_s():\n    pass\n"}
    root = write_tree(tmp_path / "slow", {"pyproject.toml": "[tool.testcanon]\n", **files})
    collection = collected_ids(root, sorted(files), 4, batches=[sorted(files)])
    assert collection.failure is None
    assert collection.ids == {"tests/test_fast.py": {"tests/test_fast.py::test_f"}}
    # the slow file timed out alone too: unknown, which is not a collection error
    assert collection.unknown == {"tests/test_slow.py"} and not collection.errors


def test_a_crowded_run_that_times_out_is_run_again_in_its_company_before_one_file_at_a_time(
        tmp_path: Path) -> None:
    # test_b imports what test_a leaves in `sys.modules` (as a test folder put on `sys.path` by
    # an earlier file does): it collects only beside test_a, so collected alone it would read
    # as a file the change broke
    files = {"tests/test_a.py": "import sys\nimport time\n\ntime.sleep(5)\nsys.modules['company'] = sys\n\n\n"
                                "def test_a():\n    pass\n",
             "tests/test_b.py": "import company\n\n\ndef test_b():\n    assert company\n"}
    root = write_tree(tmp_path / "company", {"pyproject.toml": "[tool.testcanon]\n", **files})
    before = collected_ids(root, sorted(files), 60)
    assert set(before.ids) == set(files) and before.batches == [sorted(files)]
    alone = collected_ids(root, ["tests/test_b.py"], 60, batches=[["tests/test_b.py"]])
    assert alone.errors == {"tests/test_b.py"}
    # the crowded run times out at 4 s (the machine is loaded); run again with more time, in
    # the same company, test_b collects as it did
    after = collected_ids(root, sorted(files), 4, batches=before.batches)
    assert after.ids == before.ids and not after.errors and not after.unknown


def test_a_change_that_makes_its_file_hang_at_import_is_rejected_not_waved_through(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "hang", {"pyproject.toml": "[tool.testcanon.migrate]\ncollect_timeout = 8\n",
                                          "tests/test_a.py": "def test_a():\n    pass\n",
                                          "tests/test_b.py": "def test_b():\n    pass\n"})
    project = load_project(root)
    before = (root / "tests" / "test_a.py").read_bytes()
    hangs = FileChange.of("tests/test_a.py", before, b"import time\n\ntime.sleep(120)\n\n\n" + before,
                          {"CANON301"})
    report = verify(project, MigrationReport([hangs]), level="collect")
    assert report.changes == []
    assert "after the change" in report.rejected["tests/test_a.py"]
    assert "timed out" in report.rejected["tests/test_a.py"]


def test_verbose_says_what_verification_is_doing_on_stderr_and_keeps_stdout_clean(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "v", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_v.py": (
        "import os\n\n\ndef test_a():\n    assert os.environ.get('HOME') is not None or True\n")})
    quiet = run_canon("migrate", "--dry-run", "--verify", "collect", "--format", "json", cwd=root)
    loud = run_canon("-v", "migrate", "--dry-run", "--verify", "collect", "--format", "json", cwd=root)
    assert quiet.returncode == loud.returncode == 0, loud.stderr
    assert quiet.stderr == ""
    assert json.loads(loud.stdout)["changed"] == json.loads(quiet.stdout)["changed"] != []
    said = loud.stderr.splitlines()
    assert any("verifying 1 change(s) by collection: 1 test file(s)" in line for line in said), said
    assert all(line.startswith("canon [") for line in said), said
    every_run = run_canon("-vv", "migrate", "--dry-run", "--verify", "collect", cwd=root).stderr
    assert "pytest --collect-only, 1 file(s): exit 0" in every_run


def test_a_run_stopped_by_a_conftest_names_the_conftest_and_its_error_not_what_it_logged_first(
        tmp_path: Path) -> None:
    root = write_tree(tmp_path / "c", {"pyproject.toml": "[tool.testcanon]\n", "tests/conftest.py": (
        "import logging\nlogging.getLogger('x').warning('Could not import base test cases: maybe later')\n"
        "print('[CONFTEST] synced')\nimport no_such_module_here\n"),
        "tests/test_v.py": "def test_keep():\n    pass\n"})
    collection = collected_ids(root, ["tests/test_v.py"], 120)
    assert collection.failure is not None
    assert collection.failure.endswith(
        "tests/conftest.py: ModuleNotFoundError: No module named 'no_such_module_here'"), collection.failure


def test_after_a_rejection_only_the_runs_the_reverted_change_reaches_are_collected_again(
        tmp_path: Path, caplog) -> None:
    files = {"pyproject.toml": "[tool.testcanon]\n"}
    for folder in ("alpha", "beta"):
        for number in range(20):
            files[f"tests/{folder}/test_{folder}_{number}.py"] = f"def test_{number}():\n    pass\n"
    root = write_tree(tmp_path / "r", files)
    project = load_project(root)
    tests = sorted(path for path in files if path.endswith(".py"))
    company = next(batch for batch in collected_ids(root, tests, 120).batches
                   if "tests/alpha/test_alpha_0.py" in batch)
    changes = [FileChange.of(path, files[path].encode(), files[path].encode() + b"# kept\n", {"CANON301"})
               for path in tests if path != "tests/alpha/test_alpha_0.py"]
    dropped = FileChange.of("tests/alpha/test_alpha_0.py", b"def test_0():\n    pass\n",
                            b"def helper_0():\n    pass\n", {"CANON301"})
    with caplog.at_level("INFO", logger="testcanon"):
        report = verify(project, MigrationReport([dropped, *changes]), level="collect")
    assert "lost 1 ['tests/alpha/test_alpha_0.py::test_0']" in report.rejected["tests/alpha/test_alpha_0.py"]
    assert report.proof == {change.path: "collected" for change in changes}
    said = [record.getMessage() for record in caplog.records]
    assert (f"1 change(s) rejected; 39 left, {len(company)} file(s) of the runs they reach to collect again"
            in said), said
