"""Thin helpers over the real `git` command: the commit a result belongs to, and friends."""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path


def git(root: Path, *args: str, timeout: float = 60,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run git in `root`; never raises for git's own failures (check `returncode`)."""
    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                              timeout=timeout, errors="surrogateescape", env=env)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return subprocess.CompletedProcess(["git", *args], 128, "", str(exc))


def is_work_tree(root: Path) -> bool:
    result = git(root, "rev-parse", "--is-inside-work-tree")
    return result.returncode == 0 and result.stdout.strip() == "true"


def head_commit(root: Path) -> str | None:
    result = git(root, "rev-parse", "HEAD")
    return result.stdout.strip() if result.returncode == 0 else None


def current_branch(root: Path) -> str | None:
    result = git(root, "rev-parse", "--abbrev-ref", "HEAD")
    return result.stdout.strip() if result.returncode == 0 else None
