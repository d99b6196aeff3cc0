"""CANON202 on a real project: a rewrite is written only when pytest with the command's own
arguments and the runner's plan of the rewritten command collect the same tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

pytestmark = pytest.mark.slow

TESTS = {
    "pyproject.toml": "[tool.testcanon]\ntest_paths = [\"tests\"]\n",
    "tests/unit/test_a.py": "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n",
    "tests/integration/test_b.py": "def test_three():\n    pass\n",
}


def _migrate(root: Path) -> dict:
    result = run_canon("migrate", "--select", "CANON202", "--format", "json", cwd=root)
    return json.loads(result.stdout)


def test_a_command_whose_selection_is_proven_the_same_is_rewritten(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**TESTS, "Makefile": "test:\n\tpython -m pytest tests/unit -x\n"})
    document = _migrate(root)
    assert (root / "Makefile").read_text() == "test:\n\tcanon run tests/unit -- -x\n"
    assert document["proof"]["Makefile"] == "collected", document


def test_a_command_that_cannot_be_collected_here_is_left_with_why(tmp_path: Path) -> None:
    # an option of a plugin this environment lacks: pytest refuses the arguments, nothing is proven
    makefile = "test:\n\tpytest --only-on-ci -x tests/unit\n"
    root = write_tree(tmp_path / "p", {**TESTS, "Makefile": makefile})
    document = _migrate(root)
    assert (root / "Makefile").read_text() == makefile
    notes = [note for note in document["not_converted"] if note.startswith("Makefile:2:")]
    assert notes and "cannot be proven here" in notes[0], document["not_converted"]
