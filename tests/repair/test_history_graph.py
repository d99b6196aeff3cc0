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
