from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from canon_support import write_tree


@pytest.fixture
def make_repo(tmp_path: Path):
    """A repository under tmp_path made of the given files, optionally a git work tree."""

    def make(files: dict[str, str | bytes], *, git: bool = False) -> Path:
        root = write_tree(tmp_path / "repo", files)
        if git:
            subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
        return root

    return make
