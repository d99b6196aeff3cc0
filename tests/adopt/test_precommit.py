"""testcanon's own pre-commit hooks, run by real pre-commit against this repository (try-repo
uses the working tree, uncommitted changes included), in a throwaway git repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import REPO_ROOT, run_canon, write_tree

PRE_COMMIT = Path(sys.executable).parent / "pre-commit"


@pytest.mark.slow
def test_hooks_honour_excludes_run_once_and_show_only_new_findings(tmp_path: Path) -> None:
    if not PRE_COMMIT.exists():
        pytest.skip("pre-commit is not installed (pip install -e '.[test]')")
    repo = write_tree(tmp_path / "repo", {
        "pyproject.toml": "[project]\nname = 'p'\n\n[tool.testcanon]\nextend_exclude = ['legacy/**']\n",
        "legacy/broken.py": "def broken(:\n",  # excluded: pre-commit names it, --force-exclude skips it
        "tests/test_old.py": "import os\n\n\ndef test_old():\n    assert os.getenv('OLD') is None\n",
        "tests/test_ok.py": "def test_ok():\n    pass\n",
    })
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert run_canon("check", "--write-baseline", cwd=repo).returncode == 0  # test_old's finding
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}

    def hooks() -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(PRE_COMMIT), "try-repo", str(REPO_ROOT), "--all-files"], cwd=repo,
                              capture_output=True, text=True, env=env, timeout=900)

    clean = hooks()
    if "An unexpected error has occurred" in clean.stdout + clean.stderr:
        pytest.skip("pre-commit could not build the hook environment: "
                    f"{(clean.stdout + clean.stderr)[-300:]}")
    assert clean.returncode == 0, clean.stdout
    assert re.search(r"canon check \(SSOT rules, new findings only\)\.+Passed", clean.stdout)
    assert re.search(r"canon scan \(files that do not compile\)\.+Passed", clean.stdout)

    (repo / "tests" / "test_new.py").write_text("import os\n\n\n"
                                                "def test_new():\n    os.environ['NEW'] = '1'\n")
    (repo / "tests" / "test_broken.py").write_text("def test_x(:\n")
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    failed = hooks()
    assert failed.returncode == 1
    out = failed.stdout
    assert "tests/test_new.py:5:5: CANON301" in out and "tests/test_broken.py:1:12: CANON001" in out
    assert "test_old.py" not in out  # baselined: not shown
    assert "legacy/broken.py" not in out  # excluded, although pre-commit passed it
    assert out.count("new finding(s)") == 1  # require_serial: one run, one summary
    assert out.count("files do not compile") == 1
