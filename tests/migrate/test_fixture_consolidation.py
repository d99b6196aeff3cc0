"""CANON602's codemod on a real project: a fixture duplicated across conftest files moves to the
nearest common conftest when that is exact, proven by the tests' outcomes; otherwise left, with why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree

pytestmark = pytest.mark.slow

FIXTURE = ('@pytest.fixture\ndef store(tmp_path):\n    folder = tmp_path / "store"\n    folder.mkdir()\n'
           '    (folder / "seed.json").write_text(json.dumps({"n": 1}))\n    yield folder\n'
           '    shutil.rmtree(folder)\n')
CONFTEST = f"import json\nimport shutil\n\nimport pytest\n\n\n{FIXTURE}"
USES = ("import json\n\n\ndef test_seed(store):\n"
        "    assert json.loads((store / 'seed.json').read_text()) == {{'n': 1}}\n")
PROJECT = {
    "pyproject.toml": "[tool.testcanon]\ntest_paths = [\"tests\"]\n",
    "tests/conftest.py": '"""Shared fixtures."""\n\nimport pytest\n',
    "tests/unit/conftest.py": CONFTEST,
    "tests/unit/test_unit.py": USES.format(),
    "tests/e2e/conftest.py": CONFTEST + "\n\n@pytest.fixture\ndef other():\n    return 2\n",
    "tests/e2e/test_e2e.py": USES.format(),
}


def _migrate(root: Path) -> dict:
    result = run_canon("migrate", "--select", "CANON602", "--format", "json", cwd=root)
    return json.loads(result.stdout)


def test_a_duplicated_fixture_moves_to_the_nearest_common_conftest(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", PROJECT)
    document = _migrate(root)
    common = (root / "tests/conftest.py").read_text()
    assert common.startswith('"""Shared fixtures."""\n\nimport pytest\nimport json\nimport shutil\n')
    assert common.count("def store(tmp_path):") == 1
    assert "def store" not in (root / "tests/unit/conftest.py").read_text()
    e2e = (root / "tests/e2e/conftest.py").read_text()
    assert "def store" not in e2e and "def other():" in e2e
    assert set(document["proof"]) == {"tests/conftest.py", "tests/unit/conftest.py", "tests/e2e/conftest.py"}
    assert set(document["proof"].values()) == {"outcomes"}, document
    ran = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=root,
                         capture_output=True, text=True)
    assert ran.returncode == 0 and "2 passed" in ran.stdout, ran.stdout
    assert run_canon("undo", cwd=root).returncode == 0
    assert (root / "tests/unit/conftest.py").read_text() == CONFTEST


def test_a_test_outside_the_copies_asking_for_that_name_keeps_them_apart(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**PROJECT, "tests/other/test_plugin.py":
                                       "def test_from_a_plugin(store):\n    assert store\n"})
    document = _migrate(root)
    assert "def store" in (root / "tests/unit/conftest.py").read_text()
    [note] = [n for n in document["not_converted"] if "fixture `store`" in n]
    assert "tests/other/test_plugin.py names `store` outside the copies' folders" in note


def test_a_fixture_using_a_helper_beside_it_is_left(tmp_path: Path) -> None:
    helper = "\n\ndef seed():\n    return {'n': 1}\n"
    conftest = CONFTEST.replace('json.dumps({"n": 1})', "json.dumps(seed())") + helper
    root = write_tree(tmp_path / "p", {**PROJECT, "tests/unit/conftest.py": conftest,
                                       "tests/e2e/conftest.py": conftest})
    document = _migrate(root)
    assert (root / "tests/unit/conftest.py").read_text() == conftest
    [note] = [n for n in document["not_converted"] if "fixture `store`" in n]
    assert "it uses `seed`" in note
