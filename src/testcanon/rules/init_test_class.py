"""CANON103: a test class pytest never runs because it defines `__init__`.

One file, one rule: its logic, its examples and its documentation (docs/rules/CANON103.md is
generated from this class). Asked for by issue 19 ("what is a test class is pytest's
configuration"): which classes count is read from the project's `python_classes`,
`python_functions` and `python_files`, exactly as CANON101 reads them.
"""

from __future__ import annotations

from collections.abc import Iterator

from testcanon.findings import Finding
from testcanon.rules.base_class import BaseClassAnalysis
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Example, Rule

_TESTS = """\
class TestClient:
    def __init__(self, url="http://localhost"):
        self.url = url

    def test_get(self):
        assert self.url
"""


class ConstructorOnTestClass(Rule):
    code = "CANON103"
    name = "test-class-with-init"
    family = "base-classes"
    summary = "Test class defines `__init__`, so pytest collects none of its tests"
    why = """
pytest instantiates a test class once per test and will not call a constructor it does not
know: a class that matches `python_classes` but defines `__init__` is skipped with a
`PytestCollectionWarning` ("cannot collect test class ... because it has a __init__
constructor"), and every test in it silently never runs. In a large suite the warning scrolls
by; the tests are lost while the run stays green.

Which classes count is the project's pytest configuration (`python_classes`, `python_functions`,
`python_files`). A `unittest.TestCase` subclass is collected by pytest's unittest support and is
not reported; nor is a class with `__test__ = False`, one whose bases cannot be resolved, or one
without test methods (a helper that happens to match the pattern loses no tests).
"""
    example = _TESTS
    use_instead = """\
class TestClient:
    def setup_method(self):
        self.url = "http://localhost"

    def test_get(self):
        assert self.url
"""
    fix = ("Move the constructor's work into `setup_method` or a fixture; if the class is a helper, "
           "rename it or set `__test__ = False`. No automatic fix: what the constructor's arguments "
           "were meant to be is for a person to decide.")
    invalid = (
        Example({"tests/test_client.py": _TESTS}, [("tests/test_client.py", 1)]),
        Example({"tests/test_checks.py": "class CheckClient:\n    def __init__(self):\n        pass\n\n"
                                         "    def test_get(self):\n        pass\n"},
                [("tests/test_checks.py", 1)],
                config='[tool.testcanon]\n\n[tool.pytest.ini_options]\npython_classes = ["Check"]\n'),
    )
    valid = (
        Example({"tests/test_unit.py": "import unittest\n\n\nclass TestClient(unittest.TestCase):\n"
                                       "    def __init__(self, *args):\n        super().__init__(*args)\n\n"
                                       "    def test_get(self):\n        pass\n"}),
        Example({"tests/test_helper.py": "class TestData:\n    def __init__(self, rows):\n"
                                         "        self.rows = rows\n"}),
        Example({"tests/test_off.py": "class TestClient:\n    __test__ = False\n\n"
                                      "    def __init__(self):\n        pass\n\n    def test_get(self):\n"
                                      "        pass\n"}),
        Example({"tests/test_ok.py": "class TestClient:\n    def setup_method(self):\n"
                                     "        self.url = 'x'\n\n"
                                     "    def test_get(self):\n        assert self.url\n"}),
    )


def check(ctx: RuleContext) -> Iterator[Finding]:
    bases = ctx.shared(BaseClassAnalysis)
    for relpath, facts in sorted(ctx.facts.items()):
        if not ctx.is_test_file(relpath):
            continue
        for cls in facts.classes:
            if cls.nested or cls.not_collected or not cls.has_init or not ctx.pytest.is_test_class(cls.name):
                continue
            tests = [name for name in cls.methods if ctx.pytest.is_test_function(name)]
            if not tests:
                continue
            resolution = bases.verdict_of_bases(facts, cls.bases)
            if resolution.status != "not-canonical" or resolution.root in bases.unittest_like:
                continue  # a TestCase (collected by unittest support), or not known: not guessed
            yield Finding(
                code=ConstructorOnTestClass.code, path=relpath, line=cls.line, column=cls.column,
                snippet=cls.snippet, data={"class": cls.qualname, "tests": tests},
                message=f"pytest collects none of the {len(tests)} test(s) of {cls.name}: "
                        "it defines `__init__`")
