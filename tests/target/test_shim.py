"""The results shim loads in a target interpreter that has pytest and no testcanon at all."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from canon_support import run_canon, write_tree
from testcanon.target import resolve_python

pytestmark = pytest.mark.slow

SUITE = {
    "tests/test_a.py": ("import pytest\n\ndef test_pass():\n    pass\n\n"
                        "def test_fail():\n    assert 1 == 2\n\n"
                        "@pytest.mark.skip(reason='no')\ndef test_skip():\n    pass\n\n"
                        "@pytest.mark.xfail\ndef test_xfail():\n    assert False\n"),
    "tests/unit/test_u.py": "def test_unit():\n    pass\n",
}


def test_the_venv_really_lacks_testcanon(bare_venv: Path, tmp_path: Path) -> None:
    target = resolve_python(tmp_path, cli=str(bare_venv), environ={})
    assert not target.has_testcanon and target.pytest_version is not None
    assert target.source == "cli"


def test_run_in_a_venv_without_testcanon(bare_venv: Path, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", SUITE)
    result = run_canon("run", "-v", "--no-fail-fast", "--python", str(bare_venv), "--json", "r.json",
                       cwd=root)
    document = json.loads((root / "r.json").read_text())
    assert f"python: {bare_venv}/bin/python" in result.stdout
    assert document["python"]["source"] == "cli" and document["python"]["has_testcanon"] is False
    outcomes = {t["nodeid"]: t["outcome"] for t in document["tests"]}
    assert outcomes == {"tests/test_a.py::test_pass": "passed", "tests/test_a.py::test_fail": "failed",
                        "tests/test_a.py::test_skip": "skipped", "tests/test_a.py::test_xfail": "xfailed",
                        "tests/unit/test_u.py::test_unit": "passed"}
    assert result.returncode == 1 and not document["failures"]


def test_false_green_is_caught_in_the_target_too(bare_venv: Path, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**SUITE, "conftest.py": "import os\nos._exit(0)\n",
                                       "pyproject.toml": f'[tool.testcanon]\npython = "{bare_venv}"\n'})
    result = run_canon("run", "--json", "r.json", cwd=root)
    document = json.loads((root / "r.json").read_text())
    assert result.returncode == 1
    assert document["python"]["source"] == "config"
    assert "without finishing its session" in document["failures"][0]["reason"]


def test_collect_in_the_target(bare_venv: Path, tmp_path: Path) -> None:
    root = write_tree(tmp_path / "p", {**SUITE, "tests/test_imports.py": "import testcanon\n"})
    result = run_canon("collect", "--format", "json", "--python", str(bare_venv), cwd=root)
    document = json.loads(result.stdout)
    assert document["python"]["executable"].startswith(str(bare_venv))
    assert [c["cause"] for c in document["clusters"]] == ["ModuleNotFoundError: No module named 'testcanon'"]


def test_a_target_without_pytest_is_a_one_line_error(tmp_path: Path) -> None:
    import venv

    venv.EnvBuilder(with_pip=False).create(tmp_path / ".venv")
    root = write_tree(tmp_path, {"tests/test_a.py": "def test_a():\n    pass\n"})
    for command in (["run"], ["collect"]):
        result = run_canon(*command, cwd=root)
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0
        assert f"{tmp_path}/.venv/bin/python (project_venv) has no pytest" in result.stderr


def test_the_library_imports_nothing_beyond_pytest() -> None:
    code = ("import sys\nbefore = set(sys.modules)\n"
            "from testcanon import SSotBaseTestCase, SSotAsyncTestCase, IsolatedEnvironment\n"
            "SSotBaseTestCase, SSotAsyncTestCase, IsolatedEnvironment\n"
            "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
            "print(sorted(n for n in new if n not in sys.stdlib_module_names))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert set(json.loads(done.stdout.replace("'", '"'))) <= {"testcanon", "pytest", "_pytest", "pluggy",
                                                             "iniconfig", "packaging"}
