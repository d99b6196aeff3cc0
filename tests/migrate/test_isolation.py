"""The isolated copy verification runs tests in: nothing the tests do reaches the user's tree."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from canon_support import EXAMPLE, run_canon, write_tree
from testcanon.migrate.isolation import imported_names, isolated_copy
from testcanon.source import GlobSet


def snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    """Every path under root except .testcanon/: file bytes, link targets, folders."""
    seen: dict[str, tuple[str, bytes | str]] = {}
    for folder, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not (folder == str(root) and d == ".testcanon")]
        for name in dirnames + filenames:
            path = Path(folder) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                seen[rel] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[rel] = ("dir", "")
            else:
                seen[rel] = ("file", path.read_bytes())
    return seen


# A conftest as hostile as real ones get by accident: it rewrites a test file, appends to a
# module, deletes a data file, writes into the excluded backup/ folder and through a symlink.
HOSTILE_CONFTEST = """\
import os
from pathlib import Path

here = Path(__file__).resolve().parent
root = here.parent
(here / "test_env.py").write_text((here / "test_env.py").read_text() + "# touched by conftest\\n")
with open(root / "app" / "module.py", "a") as handle:
    handle.write("APPENDED = True\\n")
data = here / "data.txt"
if data.exists():
    data.unlink()
(root / "backup").mkdir(exist_ok=True)
(root / "backup" / "old_test.py").write_text("overwritten\\n")
with open(root / "linked_app" / "module.py", "a") as handle:
    handle.write("THROUGH_LINK = True\\n")
with open(os.path.join(os.path.dirname(__file__), "..", "keep.bin"), "r+b") as handle:
    handle.write(b"XX")
"""


def hostile_project(root: Path) -> Path:
    write_tree(root, {
        "pyproject.toml": '[tool.testcanon]\nextend_exclude = ["backup/**"]\n',
        "app/module.py": "VALUE = 1\n",
        "backup/old_test.py": "import unittest\n",
        "keep.bin": b"\x00\x01binary",
        "tests/data.txt": "data\n",
        "tests/conftest.py": HOSTILE_CONFTEST,
        "tests/test_env.py": ("import os\nimport unittest\n\n\nclass TestEnv(unittest.TestCase):\n"
                              "    def test_home(self):\n"
                              "        assert os.getenv('NO_SUCH_VARIABLE_X') is None\n"),
    })
    (root / "linked_app").symlink_to(root / "app")  # absolute, into the tree
    return root


@pytest.mark.slow
@pytest.mark.parametrize("args", [("--dry-run",), ("--diff-stat",), ("--dry-run", "--verify", "collect")])
def test_dry_run_with_a_conftest_that_writes_appends_and_deletes_leaves_the_tree_byte_identical(
        tmp_path: Path, args: tuple[str, ...]) -> None:
    root = hostile_project(tmp_path / "p")
    before = snapshot(root)
    result = run_canon("migrate", *args, cwd=root)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert "TestEnv(SSotBaseTestCase)" in result.stdout or "tests/test_env.py" in result.stdout
    assert snapshot(root) == before


@pytest.mark.slow
def test_a_real_migration_changes_only_the_migrated_file(tmp_path: Path) -> None:
    root = hostile_project(tmp_path / "p")
    before = snapshot(root)
    result = run_canon("migrate", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    after = snapshot(root)
    changed = {path for path in before if before[path] != after.get(path)}
    assert changed == {"tests/test_env.py"} and set(after) == set(before)


@pytest.mark.slow
def test_dry_run_on_the_example_writes_nothing_outside_dot_testcanon(tmp_path: Path) -> None:
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root, symlinks=True)
    before = snapshot(root)
    result = run_canon("migrate", "--dry-run", cwd=root, timeout=600)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    assert snapshot(root) == before


def test_the_copy_holds_no_link_into_the_tree_and_skips_what_tests_never_need(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "pkg/mod.py": "X = 1\n", "tests/test_a.py": "from vendored.lib import Y\n",
        "vendored/lib.py": "Y = 2\n",
        "backup/old.py": "Z = 3\n", ".venv/pyvenv.cfg": "home = /usr\n", ".venv/lib/site.py": "",
        "node_modules/x/index.js": "", ".git/HEAD": "ref: refs/heads/main\n", "run.sh": "#!/bin/sh\n"})
    (root / "run.sh").chmod(0o755)
    (root / "abs_link").symlink_to(root / "pkg")  # absolute, inside the tree
    (root / "rel_link.py").symlink_to("pkg/mod.py")  # relative, inside the tree
    (root / "escaping").symlink_to("../../")  # relative, leaving the tree
    outside = tmp_path / "outside.txt"
    outside.write_text("outside\n")
    (root / "out_link.txt").symlink_to(outside)
    copy = tmp_path / "copy"
    stats = isolated_copy(root, copy, GlobSet(["vendored", "backup"]),
                          imported_names([(root / "tests/test_a.py").read_bytes()]))
    assert (copy / "vendored/lib.py").read_text() == "Y = 2\n"  # imported by the tests: taken
    assert not (copy / "backup").exists() and not (copy / ".venv").exists()
    assert not (copy / "node_modules").exists() and not (copy / ".git").exists()
    assert set(stats.skipped_folders) >= {"backup", ".venv", "node_modules", ".git"}
    assert os.access(copy / "run.sh", os.X_OK)
    for folder, dirnames, filenames in os.walk(copy):
        for name in dirnames + filenames:
            path = Path(folder) / name
            if path.is_symlink():
                target = Path(os.path.normpath(path.parent / os.readlink(path)))
                assert not target.is_relative_to(root.resolve()), f"{path} links into the user's tree"
            elif path.is_file():
                original = root / path.relative_to(copy)
                assert path.stat().st_ino != original.stat().st_ino
    assert (copy / "abs_link").resolve() == (copy / "pkg").resolve()
    assert (copy / "rel_link.py").read_text() == "X = 1\n"
    assert (copy / "out_link.txt").read_text() == "outside\n"
    (copy / "abs_link" / "mod.py").write_text("changed\n")
    assert (root / "pkg/mod.py").read_text() == "X = 1\n"


def test_imported_names_reads_every_import_form() -> None:
    names = imported_names([b"import a.b, c\nfrom d.e import f\n    from g import (h)\n"
                            b"x = 'import not_this'\n"])
    assert {"a", "b", "c", "d", "e", "g"} <= names and "not_this" not in names and "f" not in names
