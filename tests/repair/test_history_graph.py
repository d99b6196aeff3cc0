"""The commit-graph that speeds up file histories: in testcanon's cache, never under `.git`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from testcanon.vcs import git
from testcanon.vcs.graph import history_env


def _repo(root: Path, commits: int) -> Path:
    root.mkdir()
    run = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*run, "init", "-q", "-b", "main"], cwd=root, check=True)
    for n in range(commits):
        (root / f"f{n % 3}.py").write_text(f"x = {n}\n")
        subprocess.run([*run, "add", "-A"], cwd=root, check=True)
        subprocess.run([*run, "commit", "-qm", f"c{n}"], cwd=root, check=True)
    return root


def _tree_of_git_dir(root: Path) -> set[str]:
    return {str(path.relative_to(root / ".git")) for path in (root / ".git").rglob("*")}


def test_graph_lives_in_the_cache_and_gives_the_same_history(tmp_path: Path) -> None:
    root = _repo(tmp_path / "repo", 7)
    git_dir_before = _tree_of_git_dir(root)
    env = history_env(root)
    assert env is not None
    assert (root / ".testcanon" / "cache" / "git-graph" / "info" / "commit-graph").is_file()
    assert _tree_of_git_dir(root) == git_dir_before
    fast = git(root, "log", "--format=%s", "--", "f1.py", env=env).stdout
    slow = git(root, "log", "--format=%s", "--", "f1.py").stdout
    assert fast == slow == "c4\nc1\n"
    # a graph of an older HEAD is rebuilt for the new one
    head_before = (root / ".testcanon" / "cache" / "git-graph" / "head").read_text()
    _repo_commit(root, "f1.py", "x = 99\n", "c7")
    history_env.cache_clear()
    assert history_env(root) is not None
    assert (root / ".testcanon" / "cache" / "git-graph" / "head").read_text() != head_before
    assert git(root, "log", "--format=%s", "--", "f1.py", env=history_env(root)).stdout == "c7\nc4\nc1\n"


def _repo_commit(root: Path, name: str, text: str, message: str) -> None:
    (root / name).write_text(text)
    run = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run([*run, "add", "-A"], cwd=root, check=True)
    subprocess.run([*run, "commit", "-qm", message], cwd=root, check=True)


def test_outside_a_repository_there_is_no_graph(tmp_path: Path) -> None:
    assert history_env(tmp_path) is None


def test_a_files_versions_are_read_ahead_by_one_git_process(tmp_path: Path, monkeypatch) -> None:
    """The versions every repair reads come from one `git cat-file --batch`, byte for byte what
    `git show` gives, renames included; a version past the read-ahead is still read on demand."""
    from testcanon.repair import history

    root = _repo(tmp_path / "repo", 2)
    for n in range(4):
        _repo_commit(root, "t.py", f"def test_{n}():\n    assert {n}\n", f"t{n}")
    subprocess.run(["git", "mv", "t.py", "moved.py"], cwd=root, check=True)
    _repo_commit(root, "moved.py", "def test_3():\n    assert 3\n", "moved")
    _repo_commit(root, "moved.py", "def test_moved():\n    pass\n", "changed")
    history._file_history.cache_clear()
    versions = history.file_history(root, "moved.py")
    assert [path for _, path, _, _ in versions] == ["moved.py"] * 2 + ["t.py"] * 4
    expected = [subprocess.run(["git", "show", f"{commit}:{path}"], cwd=root, capture_output=True,
                               check=True).stdout for commit, path, _, _ in versions]

    def no_git_show(*_args: object) -> bytes:
        raise AssertionError("a version read ahead was read again with git show")

    monkeypatch.setattr(history, "show", no_git_show)
    assert [history._show(root, commit, path) for commit, path, _, _ in versions] == expected
    monkeypatch.undo()
    monkeypatch.setattr(history, "HELPER_VERSIONS", 2)
    history._file_history.cache_clear()
    history._BLOBS.clear()
    versions = history.file_history(root, "moved.py")
    assert [history._show(root, commit, path) for commit, path, _, _ in versions] == expected
