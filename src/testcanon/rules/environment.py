"""CANON301: direct environment access in test code."""

from __future__ import annotations

from collections.abc import Iterator

from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Example, Rule


class DirectEnvironmentAccess(Rule):
    code = "CANON301"
    name = "direct-environment-access"
    family = "environment"
    summary = "Test code reads or writes the process environment directly"
    why = """
`os.environ` is one dictionary for the whole process: a test that sets a variable leaks it
into every later test (and every concurrent simulated user), and a test that reads one depends
on whatever ran before. The canonical environment API (default `testcanon.IsolatedEnvironment`,
`self.env` in canonical test classes, the `isolated_env` fixture) scopes every change to one
test and restores the exact previous state.
"""
    example = ('import os\n\ndef test_url():\n    os.environ["API_URL"] = "http://x"\n'
               '    assert os.getenv("API_URL")')
    use_instead = ('def test_url(isolated_env):\n    isolated_env.set("API_URL", "http://x")\n'
                   '    assert isolated_env.get("API_URL")')
    fix = ("`canon migrate --select CANON301` rewrites the access with the same semantics (defaults, "
           "KeyError vs None).")
    invalid = (
        Example({"tests/test_e.py": "import os\n\ndef test_x():\n    assert os.environ.get('A') is None\n"
                                    "    os.getenv('B')\n"},
                [("tests/test_e.py", 4), ("tests/test_e.py", 5)]),
        Example({"tests/test_f.py": "from os import environ as env\n\ndef test_x(monkeypatch):\n"
                                    "    monkeypatch.setenv('A', '1')\n    env['B'] = '2'\n"},
                [("tests/test_f.py", 4), ("tests/test_f.py", 5)]),
        Example({"tests/test_g.py": "from unittest import mock\n\n"
                                    "@mock.patch.dict('os.environ', {'A': '1'})\n"
                                    "def test_x():\n    pass\n"},
                [("tests/test_g.py", 3)]),
    )
    valid = (
        Example({"app/settings.py": "import os\nURL = os.environ.get('URL')\n"}),
        Example({"tests/test_ok.py": "def test_x(isolated_env):\n    isolated_env.set('A', '1')\n"}),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    api_module = ctx.project.config.check.environment_api.rsplit(".", 1)[0]
    for relpath, facts in sorted(ctx.facts.items()):
        if not ctx.is_test_code(relpath) or facts.module.startswith(api_module + "."):
            continue
        for site in facts.env:
            what = site.detail
            yield Finding(
                code=DirectEnvironmentAccess.code, path=relpath, line=site.line, column=site.column,
                end_line=site.end_line, end_column=site.end_column, snippet=f"{what}: {site.snippet}",
                message=f"direct environment access ({what}); use "
                        f"{ctx.project.config.check.environment_api.rsplit('.', 1)[1]}",
                data={"access": what})
