from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree

PYPROJECT = "[project]\nname = 'demo'\n"
PASSING_TEST = "def test_one():\n    assert 1 + 1 == 2\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small project: a pyproject.toml and one passing test file."""
    return write_tree(tmp_path / "proj", {"pyproject.toml": PYPROJECT, "tests/test_one.py": PASSING_TEST})

