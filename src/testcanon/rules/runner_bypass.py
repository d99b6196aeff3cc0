"""CANON201 / CANON202: tests run without the canonical runner."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from testcanon.analysis.commands import find_sites, metric_kind, source_kind
from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Example, Rule


class PythonRunnerBypass(Rule):
    code = "CANON201"
    name = "runner-bypass-in-python"
    family = "runner"
    summary = "Python code runs tests without the canonical runner"
    why = """
Every `pytest.main(...)`, `unittest.main()`, subprocess call to pytest or `if __name__ ==
"__main__":` block that runs tests is another way to run the suite, with its own flags, its own
selection and none of the runner's guarantees (layers, real services, timeouts, history).
Teams end up with as many ways to run tests as scripts. There must be exactly one.

pytest runs no test with `--collect-only` (`--co`), `--version`, `--help`, `--fixtures` or
`--markers`, so a script or test that only checks what pytest collects, or which pytest is
installed, is not reported.
"""
    example = 'if __name__ == "__main__":\n    pytest.main([__file__, "-v"])'
    use_instead = "# run it with: canon run tests/unit/test_x.py"
    fix = """`canon migrate --select CANON201` removes the block (or leaves a one-line hint). A call that
runs tests elsewhere (a script's `subprocess.run([sys.executable, "-m", "pytest", ...])`, a
`pytest.main(...)` inside a function) is left and reported with what stops it becoming the
runner's: the script reads pytest's own output, computes pytest's arguments when it runs, runs
pytest in its own process, or passes fixed arguments that a person can move behind
`-m testcanon run` in a minute. The block of a file pytest never collects (its name does not
match `python_files`, or it lies outside the test paths) is how its tests run at all: it is left,
with how many tests it holds and what to rename or move, until pytest collects the file."""
    invalid = (
        Example({"tests/test_m.py": "import pytest\n\ndef test_x(): pass\n\nif __name__ == '__main__':\n"
                                    "    pytest.main([__file__])\n"}, [("tests/test_m.py", 5)]),
        Example({"scripts/run.py": "import subprocess\n"
                                   "subprocess.run(['python', '-m', 'pytest', 'tests'])\n"},
                [("scripts/run.py", 2)]),
    )
    valid = (
        Example({"scripts/run.py": "import subprocess\nsubprocess.run(['canon', 'run'])\n"}),
        Example({"tests/test_c.py": "import subprocess, sys\n\ndef test_collects():\n"
                                    "    subprocess.run([sys.executable, '-m', 'pytest', '--collect-only',"
                                    " '-q'])\n"}),
        Example({"scripts/check_env.py": "import subprocess\n"
                                         "subprocess.run(['pytest', '--version'], capture_output=True)\n"}),
    )


class ConfigRunnerBypass(Rule):
    code = "CANON202"
    name = "runner-bypass-in-scripts"
    family = "runner"
    summary = "A script, Makefile, CI or config file runs pytest directly"
    why = PythonRunnerBypass.why + """
Exactly which commands count: a simple command (the shell's: split on unquoted `&&`, `||`, `;`,
`|`, `&`, newlines) that, after environment assignments and wrappers (`sudo`, `env`, `time`,
`uv run`, `poetry run`, ...), is `pytest`, `py.test`, `python -m pytest` or `coverage run -m
pytest`, also inside `docker run ...`, `docker compose run ...`, `ssh` or `sh -c "..."`. Read per
file kind: shell scripts; Makefile recipes (also through a variable, `$(PYTEST)`, defined as a
pytest command); tox `commands`, `commands_pre` and `commands_post` of `testenv` sections (never
`deps`; a factor prefix such as `unit:` is not part of the command); CI YAML `run`/`script`
blocks; Dockerfile `RUN`/`CMD`/`ENTRYPOINT`; pre-commit `entry`; pyproject task tables (poe,
taskipy, pdm, hatch). The finding is placed at the exact line and column where the command
starts. A command with `--collect-only`, `--version`, `--help`, `--fixtures` or `--markers` runs
no test and is not reported.
"""
    example = "run: |\n  python -m pytest -v --cov=app tests/unit"
    use_instead = "run: |\n  canon run tests/unit -- -v --cov=app"
    fix = """`canon migrate --select CANON202` rewrites a command in place (comments and layout kept, every
word as written, paths positional before `--`, pytest's options after it) only when `canon run`
selects exactly the tests it did. It leaves and reports, with why: words the shell or tool
expands when the command runs (`$(...)`, `$VAR`, globs, braces, tox's `{posargs}`, CI templates),
node ids, options that may take a path as their value or change how pytest reads the project
(`-p`, `-c`, `--rootdir`), another interpreter or Python options, commands in a container or on
another machine, a make variable, a tox environment without testcanon in its deps, a pre-commit
hook that receives file names, and folded or quoted YAML scalars.

Then each rewrite is proven on the project (`migrate/command_proof.py`, unless `--verify
static`): in the target environment, pytest collects with the command's own arguments (at the
folder the command runs in: tox's and make's own), and the runner plans its run of the new
command from its own collection; the two sets of node ids must be equal. A rewrite whose
selection differs ("selects other tests as `canon run ...`: 3 where the command collects 5; e.g.
it would not run ...") or that cannot be collected here (an option of a plugin the environment
lacks) is left as written and reported; the file's proof is `collected` when one holds."""
    invalid = (
        Example({"scripts/t.sh": "#!/bin/sh\nset -e\npytest tests && python -m pytest other\n"},
                [("scripts/t.sh", 3), ("scripts/t.sh", 3)]),
        Example({".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: |\n"
                                             "          pip install .\n          python -m pytest -q\n"},
                [(".github/workflows/ci.yml", 6)]),
    )
    valid = (
        Example({"scripts/t.sh": "#!/bin/sh\ncanon run\necho pytest is not run here\n"}),
        Example({"scripts/count.sh": "#!/bin/sh\npython -m pytest --collect-only -q tests | tail -1\n"}),
        Example({"Makefile": "versions:\n\tpython -m pytest --version\n"}),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    for relpath, facts in sorted(ctx.facts.items()):
        for site in facts.bypasses:
            how = site.detail
            what = "`if __name__ == \"__main__\":` block runs tests" if how == "main-block" \
                else "call runs tests"
            yield Finding(
                code=PythonRunnerBypass.code, path=relpath, line=site.line, column=site.column,
                end_line=site.end_line, end_column=site.end_column, snippet=site.snippet,
                data={"source_kind": "python", "how": how},
                message=f"{what} without `{ctx.project.config.check.runner_command}`")
    for relpath in ctx.text_files:
        kind = source_kind(relpath)
        if kind is None:
            continue
        try:
            text = (ctx.project.root / relpath).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        bucket = metric_kind(relpath, kind)
        for site in find_sites(kind, text, relpath):
            data = {"source_kind": bucket, "file_kind": kind}
            if site.problem:
                data["left_because"] = site.problem
            yield Finding(
                code=ConfigRunnerBypass.code, path=relpath, line=site.line, column=site.column,
                end_line=site.end_line, end_column=site.end_column, snippet=site.command,
                message=f"`{site.command[:80]}` runs pytest directly; use "
                        f"`{ctx.project.config.check.runner_command}`", data=data)


def by_kind(findings: Iterable[Finding]) -> Counter[str]:
    """Runner bypasses per kind of source (`python`, `shell`, `ci_yaml`, `other`): the
    `runner_bypasses` metric (docs/metrics.md)."""
    codes = (PythonRunnerBypass.code, ConfigRunnerBypass.code)
    return Counter(str(f.data["source_kind"]) for f in findings if f.code in codes)
