"""A mistake in `[tool.testcanon]` never fails the user's own pytest run: one warning, defaults."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import write_tree


@pytest.mark.slow
@pytest.mark.parametrize("workers", [[], ["-n", "2"]])
def test_a_typo_in_the_config_warns_once_and_pytest_passes(tmp_path: Path, workers: list[str]) -> None:
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": "[tool.testcanon.runner]\nworkres = 'auto'\n",
        "tests/test_one.py": "def test_one():\n    assert True\n\ndef test_two():\n    assert True\n",
    })
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *workers],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    output = done.stdout + done.stderr
    assert output.count("testcanon: warning:") == 1, output
    assert "'runner.workres' unknown key (did you mean 'workers'?)" in output
    assert "Traceback" not in output


@pytest.mark.slow
def test_a_broken_pyproject_does_not_fail_pytest_either(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {
        "pyproject.toml": "[tool.testcanon.runner]\ncollect_batch_size = 0\n",
        "tests/test_one.py": "def test_one():\n    assert True\n",
    })
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                          cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "1 passed" in done.stdout, done.stdout + done.stderr
    assert "must be >= 1" in done.stderr
