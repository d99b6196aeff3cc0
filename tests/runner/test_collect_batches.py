"""A file that ends pytest's session at import sinks only itself, not the batch it was collected in."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

pytestmark = pytest.mark.slow


def test_a_file_that_ends_the_session_is_isolated_by_halving_the_batch(tmp_path: Path) -> None:
    good = "def test_one():\n    pass\n\ndef test_two():\n    pass\n"
    root = write_tree(tmp_path / "p", {"tests/test_a.py": good, "tests/test_b.py": good,
                                       "tests/test_exit.py": "import os\nos._exit(3)\n",
                                       "tests/test_c.py": good})
    result = run_canon("collect", "--format", "json", "--batch-size", "10", cwd=root)
    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert document["failed_files"] == 1 and document["tests"] == 6
    [cluster] = document["clusters"]
    assert cluster["files"] == ["tests/test_exit.py"] and \
        cluster["cause"].startswith("pytest could not collect: pytest exit")
