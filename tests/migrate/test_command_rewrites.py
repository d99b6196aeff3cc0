"""CANON202: a command is rewritten only when `canon run` selects exactly the tests it did;
every other one is left, reported at its exact line and column with why."""

from __future__ import annotations

import pytest

from testcanon.analysis.commands import find_sites
from testcanon.migrate.runner_bypass import canon_command, describe_call, rewrite_commands

RUNNER = "canon run"


@pytest.mark.parametrize(("command", "expected"), [
    # docker-py's CI step: the path stays positional, before `--` (it ran every test when moved behind it)
    ("py.test -v --cov=docker tests/unit", "canon run tests/unit -- -v --cov=docker"),
    ("pytest --cov docker tests/unit", "canon run tests/unit -- --cov docker"),  # `--cov` takes `docker`
    ("python -m pytest tests/unit -x -m 'not slow'", "canon run tests/unit -- -x -m 'not slow'"),
    ("FOO=1 uv run pytest -k \"a or b\" tests", "FOO=1 uv run canon run tests -- -k \"a or b\""),
    ("pytest tests 2>&1 | tee log", "canon run tests 2>&1 | tee log"),
    ("if [ -n \"$CI\" ]; then py.test tests/mc -ra; fi",
     "if [ -n \"$CI\" ]; then canon run tests/mc -- -ra; fi"),
    ("pytest", "canon run"),
])
def test_rewrites_that_select_the_same_tests(command: str, expected: str) -> None:
    assert canon_command(command, RUNNER) == expected


@pytest.mark.parametrize(("command", "why"), [
    ("pytest tests $(cat args)", "`$(cat args)` is expanded when the command runs"),  # issue 18
    ("pytest tests/test_*.py", "`tests/test_*.py` is expanded"),
    ("pytest $TEST_DIR", "`$TEST_DIR` is expanded"),
    ("pytest tests/{unit,e2e}", "is expanded"),
    ("pytest tests/a.py::test_x", "a node id"),
    ("pytest --frobnicate tests", "may be its value or a path"),
    ("pytest -p no:cacheprovider tests", "changes how pytest reads the project"),
    ("pytest --rootdir=. tests", "changes how pytest reads the project"),
    ("docker run --rm -v $PWD:/app img py.test tests", "runs inside a container (`docker`)"),
    ("docker compose run --rm app pytest tests", "runs inside a container (`docker`)"),
    ("sh -c 'pytest tests'", "runs inside a `sh -c` string"),
    ("coverage run -m pytest tests", "`coverage run`"),
    (".venv/bin/python -m pytest tests", "the interpreter `.venv/bin/python`"),
    ("python -W error -m pytest tests", "passes options to Python itself"),
    ("pytest tests > out.txt -v", "a redirection among pytest's arguments"),
])
def test_commands_whose_selection_is_not_known_here_are_left_with_why(command: str, why: str) -> None:
    result = rewrite_commands("ci/run.sh", command + "\n", RUNNER)
    assert result.count == 0 and result.text == command + "\n"
    assert len(result.left) == 1 and why in result.left[0][3], result.left


_TOX = """[tox]
envlist = py{311,312}-{unit,e2e}

[testenv]
deps =
    pytest
    testcanon
commands =
    unit: python -m pytest tests/unit -q
    e2e: pytest {posargs:--cov=x tests}
    - pytest tests/flaky

[testenv:lint]
deps = pytest
commands = pytest tests/unit -q
"""


def test_tox_factors_deps_and_posargs() -> None:
    sites = find_sites("tox", _TOX)
    assert [(s.line, s.column, s.command) for s in sites] == [
        (9, 11, "python -m pytest tests/unit -q"), (10, 10, "pytest {posargs:--cov=x tests}"),
        (11, 7, "pytest tests/flaky"), (15, 12, "pytest tests/unit -q")]
    result = rewrite_commands("tox.ini", _TOX, RUNNER)
    lines = result.text.splitlines()
    assert lines[4:7] == ["deps =", "    pytest", "    testcanon"]  # deps are never commands
    assert lines[8] == "    unit: canon run tests/unit -- -q"
    assert lines[9] == "    e2e: pytest {posargs:--cov=x tests}"  # `{posargs:...}` may hold paths
    assert lines[10] == "    - canon run tests/flaky"
    assert lines[13:15] == ["deps = pytest", "commands = pytest tests/unit -q"]  # no testcanon there
    assert [(line, column) for line, column, _, _ in result.left] == [(10, 10), (15, 12)]
    assert "not in the deps of tox's [testenv:lint]" in result.left[1][3]


def test_findings_are_placed_at_their_own_line_even_when_the_text_repeats() -> None:
    """black's tox.ini: the same command in two sections (lines 36/39 were reported as 18/22)."""
    text = ("[testenv]\ncommands =\n    pytest tests -q\n\n[testenv:ci]\ncommands =\n    pytest tests -q\n"
            "[testenv:x]\ncommands = pytest tests -q\n")
    assert [(s.line, s.column) for s in find_sites("tox", text)] == [(3, 5), (7, 5), (9, 12)]


def test_makefile_variables_and_recipes() -> None:
    text = ("PYTEST ?= python -m pytest\nPY = python3\n\ntest:\n\t$(PYTEST) -x tests\n"
            "unit:\n\t@$(PY) -m pytest tests/unit\ne2e:\n\tcd e2e && pytest . -v\n")
    sites = find_sites("makefile", text)
    assert [(s.line, s.column) for s in sites] == [(5, 2), (7, 3), (9, 12)]
    result = rewrite_commands("Makefile", text, RUNNER)
    assert "make variable PYTEST (line 1" in result.left[0][3]
    assert "\tcd e2e && canon run . -- -v\n" in result.text
    assert "\t$(PYTEST) -x tests\n" in result.text and "\t@$(PY) -m pytest tests/unit\n" in result.text


def test_dockerfile_and_compose_commands_run_in_containers_and_are_left() -> None:
    docker = "FROM python\nRUN pip install . && \\\n    pytest -q tests\nCMD [\"pytest\", \"-v\"]\n"
    result = rewrite_commands("Dockerfile", docker, RUNNER)
    assert result.text == docker and \
        [(line, column) for line, column, _, _ in result.left] == [(3, 5), (4, 5)]
    compose = "services:\n  tests:\n    image: app\n    command: pytest tests\n"
    result = rewrite_commands("docker-compose.yml", compose, RUNNER)
    assert result.text == compose and "container" in result.left[0][3]


def test_ci_yaml_blocks_keep_their_layout_and_column() -> None:
    text = ("jobs:\n  t:\n    steps:\n      - run: |\n          pip install .\n"
            "          python -m pytest -v tests/unit  # fast\n      - run: pytest tests/e2e\n")
    assert [(s.line, s.column) for s in find_sites("yaml", text)] == [(6, 11), (7, 14)]
    result = rewrite_commands(".github/workflows/ci.yml", text, RUNNER)
    assert result.text == text.replace("python -m pytest -v tests/unit",
                                       "canon run tests/unit -- -v").replace(
        "run: pytest tests/e2e", "run: canon run tests/e2e")


def test_pre_commit_hooks_are_rewritten_only_when_they_take_no_file_names() -> None:
    text = ("repos:\n- repo: local\n  hooks:\n  - id: a\n    entry: pytest tests -q\n    language: system\n"
            "    pass_filenames: false\n  - id: b\n    entry: pytest\n    language: system\n")
    result = rewrite_commands(".pre-commit-config.yaml", text, RUNNER)
    assert "entry: canon run tests -- -q\n" in result.text and "    entry: pytest\n" in result.text
    assert [(line, column) for line, column, _, _ in result.left] == [(9, 12)]


def test_pyproject_tasks_are_rewritten_in_place() -> None:
    text = '[project]\nname = "x"\n\n[tool.poe.tasks]\ntest = "pytest tests -x"\n'
    sites = find_sites("pyproject", text)
    assert [(s.line, s.column) for s in sites] == [(5, 9)]
    assert rewrite_commands("pyproject.toml", text, RUNNER).text == text.replace("pytest tests -x",
                                                                                 "canon run tests -- -x")


READS = "reads pytest's own output"


@pytest.mark.parametrize(("call", "says"), [
    ("subprocess.run([sys.executable, '-m', 'pytest', 'tests'], capture_output=True)", READS),
    ("subprocess.run([sys.executable, '-m', 'pytest', 'tests'], stdout=subprocess.PIPE)", READS),
    ("subprocess.check_output(['python', '-m', 'pytest', 'tests'])", READS),
    ("subprocess.run([sys.executable, '-m', 'pytest', path, '-v'])", "computes pytest's arguments"),
    ("subprocess.run(['python', '-m', 'pytest', *ARGS])", "computes pytest's arguments"),
    ("subprocess.run([sys.executable, '-m', 'pytest', 'tests/unit', '-x'])", "passes fixed arguments"),
    ("pytest.main(['tests/unit', '-v'])", "inside the script's own process"),
    ("sys.exit(pytest.main(['tests/unit', '-v']))", "`pytest.main(...)` runs the tests inside"),
    ("unittest.main()", "`unittest.main(...)` runs the tests inside"),
    ("pytest.main(ARGS)", "computes pytest's arguments"),
])
def test_a_call_left_says_what_stops_it_becoming_the_runners(call: str, says: str) -> None:
    source = ("import subprocess\nimport sys\nimport unittest\n\nimport pytest\n\npath = 'tests'\n"
              f"ARGS = ['-q']\n{call}\n")
    assert says in describe_call(source, 9)


def test_no_call_at_the_line_or_a_file_that_does_not_parse_has_no_description() -> None:
    assert describe_call("import pytest\n\npytest.main([])\n", 1) is None
    assert describe_call("def broken(:\n", 1) is None
