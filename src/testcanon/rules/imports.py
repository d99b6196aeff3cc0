"""CANON401: relative imports in test code."""

from __future__ import annotations

from collections.abc import Iterator

from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Example, Rule


class RelativeImport(Rule):
    code = "CANON401"
    name = "relative-import-in-tests"
    family = "imports"
    summary = "Test code uses a relative import"
    why = """
Relative imports in tests make a test's meaning depend on how it was collected (rootdir,
`__init__.py` files, import mode): the same file imports different things under pytest's
`prepend` and `importlib` modes, or fails to collect when a folder gains or loses an
`__init__.py`. Absolute imports resolve the same way for every runner.
"""
    example = "from ..helpers.network import free_port"
    use_instead = "from tests.helpers.network import free_port"
    fix = "`canon migrate --select CANON401` rewrites it against the package roots."
    invalid = (
        Example({"tests/__init__.py": "", "tests/unit/__init__.py": "", "tests/helpers.py": "X = 1\n",
                 "tests/unit/test_r.py": "from ..helpers import X\n\ndef test_x():\n    assert X\n"},
                [("tests/unit/test_r.py", 1)]),
    )
    valid = (
        Example({"tests/test_abs.py": "from tests.helpers import X\n"}),
        Example({"app/__init__.py": "from .core import run\n"}),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    for relpath, facts in sorted(ctx.facts.items()):
        if not ctx.is_test_code(relpath):
            continue
        for site in facts.relative_imports:
            yield Finding(
                code=RelativeImport.code, path=relpath, line=site.line, column=site.column,
                end_line=site.end_line, end_column=site.end_column, snippet=site.snippet,
                message=f"relative import; use the absolute form `from {site.detail} import ...`",
                data={"absolute": site.detail})
