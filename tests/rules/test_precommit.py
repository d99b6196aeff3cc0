"""The pre-commit integration, with a real `pre-commit run` in a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import REPO_ROOT, write_tree

PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
pytestmark = pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(cwd.parent / "pre-commit-home")}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def test_the_hook_manifest_is_valid() -> None:
    result = _run([PRE_COMMIT, "validate-manifest", str(REPO_ROOT / ".pre-commit-hooks.yaml")], REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_run_blocks_a_new_violation_and_passes_a_clean_tree(tmp_path: Path) -> None:
    hooks = (REPO_ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "id: canon-check" in hooks and "id: canon-scan" in hooks
    root = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[tool.testcanon]\n",
        ".pre-commit-config.yaml": (
            "repos:\n  - repo: local\n    hooks:\n"
            "      - {id: canon-check, name: canon check, entry: canon check, language: system,"
            " pass_filenames: false, types: [python]}\n"
            "      - {id: canon-scan, name: canon scan, entry: canon scan, language: system,"
            " types: [python]}\n"),
        "tests/test_ok.py": "def test_ok():\n    assert True\n",
    })
    for command in (["git", "init", "-q", "-b", "main"], ["git", "add", "."]):
        subprocess.run(command, cwd=root, check=True)
    clean = _run([PRE_COMMIT, "run", "--all-files"], root)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    (root / "tests" / "test_env.py").write_text("import os\n\ndef test_e():\n    os.getenv('X')\n")
    (root / "tests" / "test_broken.py").write_text("def test_b(:\n")
    subprocess.run(["git", "add", "."], cwd=root, check=True)
    dirty = _run([PRE_COMMIT, "run", "--all-files"], root)
    assert dirty.returncode == 1
    assert "CANON301" in dirty.stdout and "CANON001" in dirty.stdout
