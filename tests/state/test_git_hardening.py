"""A repository's own config never makes testcanon's git calls run the repository's programs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.vcs import git


@pytest.fixture
def hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    """A git repository whose local config names an fsmonitor hook and hooks that write a marker."""
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[project]\nname='g'\n",
                                          "tests/test_a.py": "def test_a():\n    assert 1\n"})
    marker = tmp_path / "MARKER"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\necho \"$0 $*\" >> {marker}\nexit 1\n")
    hook.chmod(0o755)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for name in ("post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc"):
        (hooks / name).symlink_to(hook)

    def run(*args: str) -> None:
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)

    run("init", "-q", "-b", "main")
    run("add", "-A")
    run("-c", "user.email=a@b.c", "-c", "user.name=n", "commit", "-qm", "first")
    run("config", "core.fsmonitor", str(hook))
    run("config", "core.hooksPath", str(hooks))
    run("config", "core.pager", f"{hook} pager")
    subprocess.run(["git", "status"], cwd=root, capture_output=True)
    assert marker.exists(), "the hostile config is live for plain git"
    marker.unlink()
    return root, marker


def test_the_git_helper_runs_no_repository_program(hostile_repo) -> None:
    root, marker = hostile_repo
    for args in (["status"], ["ls-files", "--others", "--exclude-standard"], ["diff", "--name-only", "HEAD"],
                 ["rev-parse", "HEAD"], ["log", "-1"]):
        assert git(root, *args).returncode == 0
    assert not marker.exists(), marker.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("command", [["scan"], ["check"], ["audit"], ["fix", "--dry-run"],
                                     ["run", "--affected", "--serial"]])
def test_static_commands_run_no_repository_program(hostile_repo, command: list[str]) -> None:
    root, marker = hostile_repo
    done = run_canon(*command, cwd=root)
    assert "Traceback" not in done.stderr, done.stderr
    assert not marker.exists(), f"{command}: {marker.read_text()}"
