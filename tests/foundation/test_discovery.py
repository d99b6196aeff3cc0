from __future__ import annotations

import os
import subprocess
from pathlib import Path

from testcanon.config import load_project
from testcanon.source import GlobSet, discover


def _relpaths(root: Path, *paths: Path) -> list[str]:
    return [f.relpath for f in discover(load_project(root), list(paths))]


def test_walk_finds_python_files_and_skips_default_excludes(make_repo) -> None:
    root = make_repo({
        "pkg/a.py": "", "pkg/b.txt": "", ".venv/lib/x.py": "", "node_modules/y.py": "",
        "pkg/__pycache__/c.py": "",
    })
    assert _relpaths(root) == ["pkg/a.py"]


def test_config_excludes_and_priority_order(make_repo) -> None:
    root = make_repo({
        "pyproject.toml": "[tool.testcanon]\nextend_exclude = ['backup/**']\n"
                          "priority = ['tests/mission_critical/**', 'tests/e2e/**']\n",
        "a.py": "", "tests/unit/test_u.py": "", "tests/e2e/test_e.py": "",
        "tests/mission_critical/test_m.py": "", "backup/tests/test_old.py": "",
    })
    files = discover(load_project(root))
    assert [f.relpath for f in files] == [
        "tests/mission_critical/test_m.py", "tests/e2e/test_e.py", "a.py", "tests/unit/test_u.py",
    ]
    assert [f.priority for f in files] == [0, 1, 2, 2]


def test_git_mode_lists_tracked_and_untracked_but_not_ignored(make_repo) -> None:
    root = make_repo({".gitignore": "generated/\n", "tracked.py": "", "generated/g.py": "",
                      "new.py": ""}, git=True)
    subprocess.run(["git", "add", "tracked.py", ".gitignore"], cwd=root, check=True)
    assert _relpaths(root) == ["new.py", "tracked.py"]


def test_git_mode_skips_tracked_files_deleted_from_the_work_tree(make_repo) -> None:
    root = make_repo({"keep.py": "", "gone.py": ""}, git=True)
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    (root / "gone.py").unlink()
    assert _relpaths(root) == ["keep.py"]


def test_paths_restrict_the_scope(make_repo) -> None:
    root = make_repo({"a/x.py": "", "b/y.py": "", "b/z.py": ""})
    assert _relpaths(root, root / "b") == ["b/y.py", "b/z.py"]
    assert _relpaths(root, root / "a" / "x.py") == ["a/x.py"]


def test_symlinks_out_of_the_tree_and_loops_are_not_followed(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("")
    root = make_repo({"inside.py": "", "pkg/real.py": ""})
    os.symlink(outside / "secret.py", root / "escape.py")
    os.symlink(outside, root / "escape_dir")
    os.symlink(root / "pkg", root / "pkg" / "loop")
    os.symlink(root / "inside.py", root / "alias.py")
    assert _relpaths(root) == ["alias.py", "inside.py", "pkg/real.py"]


def test_symlinks_escaping_in_git_mode_are_skipped(make_repo, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text("")
    root = make_repo({"inside.py": ""}, git=True)
    os.symlink(outside, root / "escape.py")
    assert _relpaths(root) == ["inside.py"]


def test_globset_semantics() -> None:
    assert GlobSet([".venv"]).match("a/.venv/x.py")
    assert not GlobSet([".venv"]).match("a/venv2/x.py")
    assert GlobSet(["backup/**"]).match("backup/deep/x.py")
    assert not GlobSet(["backup/**"]).match("src/backup/x.py")
    assert GlobSet(["backup"]).match("src/backup/x.py")
    assert GlobSet(["**/unit/**"]).match("unit/x.py")
    assert GlobSet(["**/unit/**"]).match("tests/unit/a/x.py")
    assert GlobSet(["**/*.py"]).match("x.py")
    assert not GlobSet(["**/*.py"]).match("x.pyc")
    assert GlobSet(["Dockerfile*"]).match("ci/Dockerfile.test")
    assert not GlobSet(["tests/*.py"]).match("tests/a/b.py")
    assert GlobSet(["tests/test_[ab].py"]).match("tests/test_a.py")
    assert not GlobSet([]).match("anything.py")


def test_a_project_inside_an_ignored_folder_of_a_repository_is_walked(make_repo) -> None:
    root = make_repo({".gitignore": "out/\n", "out/copy/a.py": "", "out/copy/pyproject.toml": ""}, git=True)
    project = load_project(root / "out" / "copy")
    assert [f.relpath for f in discover(project)] == ["a.py"]


def test_naming_only_files_scans_only_those_files(make_repo) -> None:
    for git in (False, True):
        root = make_repo({"a.py": "", "b.py": "", "sub/c.py": ""}, git=git)
        assert _relpaths(root, root / "b.py") == ["b.py"]
        assert _relpaths(root, root / "b.py", root / "sub") == ["b.py", "sub/c.py"]
        import shutil

        shutil.rmtree(root)


def test_git_discovery_cache_follows_gitignore_and_new_files(make_repo) -> None:
    root = make_repo({".gitignore": "", "a.py": "", "pkg/b.py": ""}, git=True)
    assert _relpaths(root) == ["a.py", "pkg/b.py"]
    assert _relpaths(root) == ["a.py", "pkg/b.py"]  # from the cache
    (root / ".gitignore").write_text("pkg/\n")
    assert _relpaths(root) == ["a.py"]
    (root / "pkg" / "new.py").write_text("")
    (root / "c.py").write_text("")
    assert _relpaths(root) == ["a.py", "c.py"]
    subprocess.run(["git", "add", "-f", "pkg/new.py"], cwd=root, check=True)
    assert _relpaths(root) == ["a.py", "c.py", "pkg/new.py"]
