from __future__ import annotations

import subprocess
import venv
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real venv with pytest 7.4 (the oldest the shim supports) and nothing of testcanon.

    Built once per test session; pip installs from the configured index or wheel cache, and
    the tests that need it skip, saying why, on a machine where that is impossible."""
    path = tmp_path_factory.mktemp("venvs") / "pytest-only"
    venv.EnvBuilder(with_pip=True, symlinks=True).create(path)
    python = path / "bin" / "python"
    for requirement in ("pytest==7.4.4", "pytest"):
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                               requirement], capture_output=True, text=True, timeout=600)
        if done.returncode == 0:
            return path
    pytest.skip(f"cannot install pytest into a fresh venv here: {done.stderr.strip().splitlines()[-1:]}")
