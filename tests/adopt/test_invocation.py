"""`canon init` carries the options the project's own whole-suite runs pass, and only those."""

from __future__ import annotations

import tomllib
from pathlib import Path

from canon_support import run_canon, write_tree
from testcanon.adopt.invocation import project_pytest_args
from testcanon.analysis.pytest_options import Arguments, split_arguments
from testcanon.config import load_project

TOX = """[tox]
envlist = py311,pypy3

[testenv]
deps = pytest
commands =
    pytest tests --run-optional no_jupyter \\
        --numprocesses auto --cov {posargs}
    pytest tests --run-optional jupyter -m jupyter

[testenv:pypy3]
commands =
    pytest tests --run-optional=no_jupyter -v
    pytest tests/benchmarks --benchmark-only
"""


def _guess(tmp_path: Path, files: dict[str, str], roots: tuple[str, ...] = ("tests",)):
    write_tree(tmp_path, {"tests/test_a.py": "def test_a():\n    pass\n", **files})
    return project_pytest_args(load_project(tmp_path), roots)


def test_the_options_every_whole_suite_run_passes_are_proposed_with_the_commands(tmp_path: Path) -> None:
    tox = TOX.replace("--run-optional=no_jupyter", "--run-optional no_jupyter")
    guess = _guess(tmp_path, {"tox.ini": tox})
    assert guess is not None
    args, evidence = guess
    # -n, --cov, -v are the runner's or output; -m jupyter and tests/benchmarks run a part only
    assert args == ["--run-optional", "no_jupyter"]
    assert "tox.ini:7 `pytest tests --run-optional no_jupyter" in evidence and "tox.ini:13" in evidence


def test_runs_that_disagree_propose_nothing(tmp_path: Path) -> None:
    # `--run-optional=no_jupyter` is not the same words as `--run-optional no_jupyter`: not guessed
    assert _guess(tmp_path, {"tox.ini": TOX}) is None


def test_toxs_posargs_default_is_what_runs_and_coverage_run_is_local(tmp_path: Path) -> None:
    tox = ("[testenv]\ncommands =\n    pytest {posargs:--cov=pkg -o junit_family=x tests --doctest-modules}\n"
           "    coverage run -m pytest --doctest-modules -x\n")
    assert _guess(tmp_path, {"tox.ini": tox}) == (
        ["--doctest-modules"], "passed by every run of the whole suite: tox.ini:3 `pytest "
        "{posargs:--cov=pkg -o junit_family=x tests --doctest-modules}`; tox.ini:4 "
        "`coverage run -m pytest --doctest-modules -x`")


def test_commands_that_cannot_be_read_exactly_or_run_elsewhere_are_not_evidence(tmp_path: Path) -> None:
    makefile = ("test:\n\tpytest $(PYTEST_FLAGS) --strict-markers\n"
                "docker:\n\tdocker run img pytest --strict-markers --foo\n"
                "odd:\n\tpytest --unknown-option maybe_a_path --strict-markers\n")
    assert _guess(tmp_path, {"Makefile": makefile}) is None
    ci = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
          "      - run: python -m pytest tests --strict-markers -p no:randomly\n")
    assert _guess(tmp_path, {".github/workflows/ci.yml": ci}) == (
        ["--strict-markers"], "passed by every run of the whole suite: .github/workflows/ci.yml:6 "
        "`python -m pytest tests --strict-markers -p no:randomly`")


def test_a_project_without_commands_gets_no_guess(tmp_path: Path) -> None:
    assert _guess(tmp_path, {}) is None


def test_split_arguments_pairs_values_and_refuses_ambiguity() -> None:
    assert split_arguments(["tests", "-n", "auto", "--tb=short", "-kfoo", "-x", "--cov", "-v"]) == Arguments(
        paths=(0,), options=((1, 2), (3,), (4,), (5,), (6,), (7,)))
    assert split_arguments(["--cov", "pkg", "tests"]) == Arguments(paths=(2,), options=((0, 1),))
    assert isinstance(split_arguments(["--mystery", "tests"]), str)


def test_init_writes_the_options_into_the_runner_settings(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "demo"\n',
                          "tests/test_a.py": "def test_a():\n    pass\n",
                          "tox.ini": "[testenv]\ncommands = pytest tests --run-optional slow -n auto\n"})
    result = run_canon("init", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pytest options --run-optional slow: passed by every run" in result.stdout
    written = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert written["tool"]["testcanon"]["runner"]["pytest_args"] == ["--run-optional", "slow"]
