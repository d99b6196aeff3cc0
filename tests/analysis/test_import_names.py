"""Files pytest would import under one module name are planned into separate runs (verification
collects each file as itself: a copy of the `tests` package must not stand in for the project's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree
from testcanon.analysis.import_names import import_names, separate

TEST = "def test_one():\n    pass\n"

# the project's `tests` package and a backup copy of it: both are `tests.conftest`, `tests.test_a`
COPIED = {"tests/__init__.py": "", "tests/conftest.py": "", "tests/test_a.py": TEST,
          "backup/tests/__init__.py": "", "backup/tests/conftest.py": "", "backup/tests/test_a.py": TEST,
          "plain/test_b.py": TEST, "plain/test_a.py": TEST}


def test_names_are_the_dotted_package_names_of_the_file_and_its_conftests(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"conftest.py": "", "tests/__init__.py": "", "tests/unit/__init__.py": "",
                                 "tests/unit/conftest.py": "", "tests/unit/test_x.py": TEST})
    assert import_names(root, "tests/unit/test_x.py") == {
        "tests": "tests/__init__.py", "tests.unit": "tests/unit/__init__.py",
        "tests.unit.test_x": "tests/unit/test_x.py", "tests.unit.conftest": "tests/unit/conftest.py"}


def test_a_package_line_starts_at_the_highest_folder_with_an_init_in_an_unbroken_line(tmp_path: Path) -> None:
    # `svc` has no `__init__.py`: the package is `tests`, as pytest's resolve_package_path finds it
    root = write_tree(tmp_path, {"svc/tests/__init__.py": "", "svc/tests/test_x.py": TEST})
    assert import_names(root, "svc/tests/test_x.py") == {"tests": "svc/tests/__init__.py",
                                                        "tests.test_x": "svc/tests/test_x.py"}


def test_files_outside_packages_have_no_names_that_could_collide(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"conftest.py": "", "test_top.py": TEST, "plain/test_b.py": TEST})
    assert import_names(root, "test_top.py") == {}
    assert import_names(root, "plain/test_b.py") == {}


def test_a_copy_of_a_package_goes_to_its_own_run_and_the_order_is_kept(tmp_path: Path) -> None:
    root = write_tree(tmp_path, COPIED)
    files = ["backup/tests/test_a.py", "plain/test_a.py", "plain/test_b.py", "tests/test_a.py"]
    assert separate(root, files) == [["backup/tests/test_a.py", "plain/test_a.py", "plain/test_b.py"],
                                     ["tests/test_a.py"]]


def test_different_modules_of_one_package_share_a_run(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"tests/__init__.py": "", "tests/conftest.py": "", "tests/test_a.py": TEST,
                                 "tests/test_b.py": TEST, "tests/sub/__init__.py": "",
                                 "tests/sub/test_c.py": TEST})
    files = ["tests/sub/test_c.py", "tests/test_a.py", "tests/test_b.py"]
    assert separate(root, files) == [files]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["prepend", "importlib"])
def test_collection_reads_each_copy_as_itself(tmp_path: Path, mode: str) -> None:
    """In one pytest process the copy's `tests.test_a` is the project's: an "import file
    mismatch" error (prepend), or silently the other file's tests (importlib)."""
    from testcanon.migrate.verify import collected_ids

    root = write_tree(tmp_path / "p", {
        "pyproject.toml": f'[tool.pytest.ini_options]\naddopts = "--import-mode={mode}"\n',
        "tests/__init__.py": "", "tests/test_a.py": "def test_new():\n    pass\n",
        "backup/tests/__init__.py": "", "backup/tests/test_a.py": "def test_old():\n    pass\n",
        "plain/test_b.py": TEST})
    files = ["backup/tests/test_a.py", "plain/test_b.py", "tests/test_a.py"]
    collection = collected_ids(root, files, 120)
    assert collection.failure is None and not collection.errors
    assert collection.ids == {"backup/tests/test_a.py": {"backup/tests/test_a.py::test_old"},
                              "plain/test_b.py": {"plain/test_b.py::test_one"},
                              "tests/test_a.py": {"tests/test_a.py::test_new"}}
