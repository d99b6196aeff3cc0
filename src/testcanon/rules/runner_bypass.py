"""CANON201 / CANON202: tests run without the canonical runner."""

from __future__ import annotations

from collections import Counter

from testcanon.findings import Finding
from testcanon.rules.commands import find_in_file, metric_kind, source_kind
from testcanon.rules.context import Context
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

`pytest --collect-only` (or `--co`) runs no test, so a script or test that only checks what
pytest collects is not reported.
"""
    example = 'if __name__ == "__main__":\n    pytest.main([__file__, "-v"])'
    use_instead = "# run it with: canon run tests/unit/test_x.py"
    fix = "`canon migrate --select CANON201` removes the block (or leaves a one-line hint)."
    invalid = (
        Example({"tests/test_m.py": "import pytest\n\ndef test_x(): pass\n\nif __name__ == '__main__':\n"
                                    "    pytest.main([__file__])\n"}, [("tests/test_m.py", 5)]),
        Example({"scripts/run.py": "import subprocess\nsubprocess.run(['python', '-m', 'pytest', 'tests'])\n"},
                [("scripts/run.py", 2)]),
    )
    valid = (
        Example({"scripts/run.py": "import subprocess\nsubprocess.run(['canon', 'run'])\n"}),
        Example({"tests/test_c.py": "import subprocess, sys\n\ndef test_collects():\n"
                                    "    subprocess.run([sys.executable, '-m', 'pytest', '--collect-only', '-q'])\n"}),
    )


class ConfigRunnerBypass(Rule):
    code = "CANON202"
    name = "runner-bypass-in-scripts"
    family = "runner"
    summary = "A script, Makefile, CI or config file runs pytest directly"
    why = PythonRunnerBypass.why
    example = "run: |\n  python -m pytest tests/unit -x"
    use_instead = "run: |\n  canon run tests/unit -- -x"
    fix = "`canon migrate --select CANON202` rewrites the command, keeping comments and layout."
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
    )


def check(ctx: Context) -> tuple[list[Finding], Counter[str]]:
    findings: list[Finding] = []
    by_kind: Counter[str] = Counter()
    for relpath, facts in sorted(ctx.facts.items()):
        for line, col, end_line, end_col, snippet, how in facts["bypasses"]:
            what = "`if __name__ == \"__main__\":` block runs tests" if how == "main-block" \
                else "call runs tests"
            findings.append(Finding(
                code=PythonRunnerBypass.code, path=relpath, line=line, column=col, end_line=end_line,
                end_column=end_col, snippet=snippet, data={"source_kind": "python", "how": how},
                message=f"{what} without `{ctx.project.config.check.runner_command}`"))
            by_kind["python"] += 1
    for relpath in ctx.text_files:
        kind = source_kind(relpath)
        if kind is None:
            continue
        try:
            text = (ctx.project.root / relpath).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        bucket = metric_kind(relpath, kind)
        for line, command in find_in_file(kind, text):
            findings.append(Finding(
                code=ConfigRunnerBypass.code, path=relpath, line=line, snippet=command,
                message=f"`{command[:80]}` runs pytest directly; use "
                        f"`{ctx.project.config.check.runner_command}`",
                data={"source_kind": bucket, "file_kind": kind}))
            by_kind[bucket] += 1
    return findings, by_kind
