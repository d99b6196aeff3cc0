"""CANON202 in every kind of file, parsed as what it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from canon_support import write_tree
from testcanon.analysis.commands import runs_pytest
from testcanon.config import load_project
from testcanon.rules import check_project


@pytest.mark.parametrize("command", [
    "pytest", "pytest tests -x", "python -m pytest", "python3.11 -m pytest -q", "py.test tests",
    "FOO=1 pytest", "sudo -E pytest", "uv run pytest", "poetry run pytest -k x",
    "coverage run -m pytest", "/usr/bin/pytest", "python -u -m pytest",
])
def test_commands_that_run_pytest(command: str) -> None:
    assert runs_pytest(command)


@pytest.mark.parametrize("command", [
    "canon run", "echo pytest", "pip install pytest", "python -m pip install pytest-xdist",
    "pytest-benchmark compare", "grep pytest file", "python script.py",
])
def test_commands_that_do_not(command: str) -> None:
    assert not runs_pytest(command)


def _found(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, int, str]]:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", **files})
    result = check_project(load_project(root), use_cache=False)
    return sorted((f.path, f.line, f.data["source_kind"]) for f in result.findings if f.code == "CANON202")


def test_shell_chains_continuations_and_comments(tmp_path: Path) -> None:
    found = _found(tmp_path, {"ci/run.sh": (
        "#!/bin/bash\n# pytest in a comment does not count\npytest a && python -m pytest b || true\n"
        "python -m \\\n  pytest c\nif true; then py.test d; fi\n")})
    assert found == [("ci/run.sh", 3, "shell"), ("ci/run.sh", 3, "shell"), ("ci/run.sh", 4, "shell"),
                     ("ci/run.sh", 6, "shell")]


def test_makefile_recipes_only(tmp_path: Path) -> None:
    found = _found(tmp_path, {"Makefile": "PYTEST = pytest\ntest:\n\t@pytest tests\n\techo done\n"})
    assert found == [("Makefile", 3, "shell")]


def test_github_actions_run_blocks_and_folded_scalars(tmp_path: Path) -> None:
    found = _found(tmp_path, {".github/workflows/ci.yml": (
        "# comment with pytest\njobs:\n  test:\n    steps:\n      - run: pip install pytest\n"
        "      - run: |\n          echo start\n          python -m pytest tests\n"
        "      - name: x\n        run: >\n          pytest\n          -q\n")})
    assert found == [(".github/workflows/ci.yml", 8, "ci_yaml"), (".github/workflows/ci.yml", 11, "ci_yaml")]


def test_gitlab_precommit_tox_docker_pyproject(tmp_path: Path) -> None:
    found = _found(tmp_path, {
        ".gitlab-ci.yml": "test:\n  script:\n    - pip install .\n    - pytest -x\n",
        ".pre-commit-config.yaml": "repos:\n- repo: local\n  hooks:\n  - id: t\n"
                                   "    entry: python -m pytest\n",
        "tox.ini": "[tox]\nenvlist=py\n[testenv]\ndeps = pytest\ncommands =\n    pytest {posargs}\n",
        "Dockerfile": "FROM python\nRUN pip install pytest && \\\n    pytest -q\nCMD [\"pytest\", \"-v\"]\n",
        "pyproject.toml": "[tool.testcanon]\n[tool.poe.tasks]\ntest = \"pytest tests\"\n",
    })
    assert found == [(".gitlab-ci.yml", 4, "ci_yaml"), (".pre-commit-config.yaml", 5, "other"),
                     ("Dockerfile", 3, "other"), ("Dockerfile", 4, "other"),
                     ("pyproject.toml", 3, "other"), ("tox.ini", 6, "other")]


def test_python_bypasses_count_a_main_block_once(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_m.py": (
        "import pytest, unittest, os\nfrom pytest import main as run_tests\n\n"
        "if __name__ == '__main__':\n    pytest.main(['-x'])\n    unittest.main()\n\n"
        "def helper():\n    run_tests([])\n    os.system('python -m pytest tests')\n")})
    result = check_project(load_project(root), use_cache=False)
    found = sorted((f.line, f.data["how"]) for f in result.findings if f.code == "CANON201")
    assert found == [(4, "main-block"), (9, "call"), (10, "call")]


def test_a_main_guard_written_the_other_way_round_is_one_too(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "repo", {"pyproject.toml": "[tool.testcanon]\n", "tests/test_m.py": (
        "import pytest\n\n\ndef test_a():\n    pass\n\n\n"
        "if '__main__' == __name__:\n    pytest.main([__file__])\n")})
    result = check_project(load_project(root), use_cache=False)
    assert [(f.line, f.data["how"]) for f in result.findings if f.code == "CANON201"] == [(8, "main-block")]
