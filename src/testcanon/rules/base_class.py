"""CANON101 / CANON102: test classes must descend from a canonical base.

Inheritance is resolved across files with the symbol table: a class on a home-made base that
itself derives from a canonical base is compliant; one that reaches `unittest.TestCase` or
`object` another way is not. A base that cannot be resolved is reported as such, not guessed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from testcanon.analysis.facts import ClassFacts, FileFacts
from testcanon.analysis.symbols import UNITTEST_BASES, ClassRef
from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.external_bases import UNITTEST, ExternalBases, target_site_packages
from testcanon.rules.model import Example, Rule


class NotOnCanonicalBase(Rule):
    code = "CANON101"
    name = "test-class-not-on-canonical-base"
    family = "base-classes"
    summary = "Test class does not descend from a canonical base class"
    why = """
Every home-made base class is a second source of truth: its own setUp, its own environment
handling, its own helpers. A suite with hundreds of them cannot be changed in one place. Test
classes should stand on a canonical base, directly or through a home-made base that itself
derives from one. Both styles have one: `testcanon.SSotBaseTestCase` / `SSotAsyncTestCase` for
unittest-style classes, `testcanon.SSotTestBase` / `SSotAsyncTestBase` for pytest-style (plain)
classes; any base in `[tool.testcanon.check] canonical_bases` counts too (a project's own SSOT
base, say).

Exactly which classes: those pytest collects as test classes, read from the project's pytest
configuration (`python_classes`, default `Test`; `python_files`, default `test_*.py` and
`*_test.py`; from pytest.ini, pyproject `[tool.pytest.ini_options]`, tox.ini `[pytest]` or
setup.cfg `[tool:pytest]`): a module-level class in a test file whose name matches and that has
no `__init__`, plus any class with test methods that reaches `unittest.TestCase`. A class
reaching `abc.ABC`, `typing.Protocol`/`Generic` or a plain mixin stands on no canonical base
like a class without bases: it is a pytest-style class (`SSotTestBase` is its base).
"""
    example = """
import unittest

class TestOrders(unittest.TestCase):
    def test_total(self): ...
"""
    use_instead = """
from testcanon import SSotBaseTestCase

class TestOrders(SSotBaseTestCase):
    def test_total(self): ...
"""
    fix = """`canon migrate --select CANON101` re-bases the class, or better, the home-made base it
uses (one edit fixes every class on it). Fix safety: verified by identical collected tests."""
    invalid = (
        Example({"tests/test_a.py": "import unittest\n\nclass TestA(unittest.TestCase):\n"
                                    "    def test_x(self): pass\n"}, [("tests/test_a.py", 3)]),
        Example({"tests/test_plain.py": "class TestPlain:\n    def test_x(self): pass\n"},
                [("tests/test_plain.py", 1)]),
        Example({"tests/base.py": "import unittest\nclass Base(unittest.TestCase): pass\n",
                 "tests/__init__.py": "",
                 "tests/test_b.py": "from tests.base import Base as B\n\nclass TestB(B):\n"
                                    "    def test_x(self): pass\n"}, [("tests/test_b.py", 3)]),
    )
    valid = (
        Example({"tests/test_a.py": "from testcanon import SSotBaseTestCase\n\n"
                                    "class TestA(SSotBaseTestCase):\n    def test_x(self): pass\n"}),
        Example({"tests/test_p.py": "import pytest\nfrom testcanon import SSotTestBase\n\n"
                                    "class TestP(SSotTestBase):\n    @pytest.mark.parametrize('n', [1])\n"
                                    "    def test_x(self, n, tmp_path): pass\n"}),
        Example({"fw/__init__.py": "from fw.base import Base\n",
                 "fw/base.py": "import testcanon\nclass Base(testcanon.SSotBaseTestCase): pass\n",
                 "tests/test_c.py": "import fw\n\nclass TestC(fw.Base):\n    def test_x(self): pass\n"}),
        Example({"tests/helpers.py": "class TestData:\n    def __init__(self): ...\n"}),
    )


class UnresolvedBase(Rule):
    code = "CANON102"
    name = "test-class-base-unresolved"
    family = "base-classes"
    summary = "A test class's base class cannot be resolved"
    why = """
The base is imported from a module that is neither in the repository nor a known library, so
testcanon cannot tell whether the class stands on the canonical base. It is reported instead
of guessed; often the import itself is broken (the file will not collect either).
"""
    example = "from legacy_testing.base import LegacyTestCase\n\nclass TestX(LegacyTestCase): ..."
    use_instead = "from testcanon import SSotBaseTestCase\n\nclass TestX(SSotBaseTestCase): ..."
    fix = "Fix the import or re-base the class by hand; no automatic fix."
    invalid = (
        Example({"tests/test_u.py": "from nowhere.base import Base\n\nclass TestU(Base):\n"
                                    "    def test_x(self): pass\n"}, [("tests/test_u.py", 3)]),
    )


@dataclass(frozen=True)
class HomeMadeBase:
    """A repository class that test classes reach instead of a canonical base."""

    qualified_name: str
    path: str
    line: int
    test_classes: int

    @property
    def site(self) -> str:
        return f"{self.path}:{self.line}"

    def to_json(self) -> dict[str, object]:
        return {"qualified_name": self.qualified_name, "path": self.path, "line": self.line,
                "test_classes": self.test_classes}


@dataclass(frozen=True)
class BaseResolution:
    """Where a class's bases lead: the chain of repository classes walked and where it ends."""

    status: str  # "canonical", "not-canonical", "unresolved"
    chain: tuple[str, ...]  # qualified names walked, nearest first
    root: str  # what it ends in: canonical name, unittest.TestCase, object, or the unresolved name


# Both families are canonical whatever the configuration adds.
BUILTIN_CANONICAL = ("testcanon.SSotBaseTestCase", "testcanon.SSotAsyncTestCase", "testcanon.SSotTestBase",
                     "testcanon.SSotAsyncTestBase")
PYTEST_STYLE = {False: "SSotTestBase", True: "SSotAsyncTestBase"}
UNITTEST_STYLE = {False: "SSotBaseTestCase", True: "SSotAsyncTestCase"}


class BaseClassAnalysis:
    def __init__(self, ctx: RuleContext) -> None:
        self.ctx = ctx
        canonical = set(ctx.project.config.check.canonical_bases) | set(BUILTIN_CANONICAL)
        for name in list(canonical):
            if name.startswith("testcanon."):
                short = name.rsplit(".", 1)[1]
                canonical |= {f"testcanon.testing.{short}", f"testcanon.testing.base.{short}",
                              f"testcanon.testing.pytest_base.{short}"}
        self.canonical = canonical
        self._memo: dict[str, BaseResolution] = {}
        self.unittest_like: set[str] = set(UNITTEST_BASES)  # external bases that reach unittest.TestCase
        self._external: ExternalBases | None = None

    @property
    def external(self) -> ExternalBases:
        if self._external is None:
            project = self.ctx.project
            self._external = ExternalBases(target_site_packages(project.root, project.config.python))
        return self._external

    def verdict_of_bases(self, facts: FileFacts, bases: Sequence[str]) -> BaseResolution:
        return self.verdict_of_bases_depth(facts, bases, 0)

    def _base(self, qualified: str, depth: int) -> BaseResolution:
        if qualified in self._memo:
            return self._memo[qualified]
        if qualified in self.canonical:
            verdict = BaseResolution("canonical", (), qualified)
        elif depth > 30:
            verdict = BaseResolution("unresolved", (qualified,), qualified)
        else:
            target = self.ctx.symbols.resolve(qualified)
            if isinstance(target, ClassRef):
                if target.qualified in self.canonical:
                    verdict = BaseResolution("canonical", (), target.qualified)
                else:
                    _, facts = self.ctx.symbols.modules[target.module]
                    inner = self.verdict_of_bases_depth(facts, target.cls.bases, depth + 1)
                    verdict = BaseResolution(inner.status, (target.qualified, *inner.chain), inner.root)
            elif target is None:
                verdict = BaseResolution("unresolved", (qualified,), qualified)
            elif target in self.canonical:
                verdict = BaseResolution("canonical", (), target)
            elif target in UNITTEST_BASES or target == "builtins.object":
                verdict = BaseResolution("not-canonical", (), target)
            else:  # outside the repository: the standard library, or installed (read, never imported)
                style = self.external.style(target)
                if style == UNITTEST:
                    self.unittest_like.add(target)
                verdict = BaseResolution("unresolved" if style is None else "not-canonical", (), target)
        self._memo[qualified] = verdict
        return verdict

    def verdict_of_bases_depth(self, facts: FileFacts, bases: Sequence[str], depth: int) -> BaseResolution:
        verdicts = [self._base(self.ctx.symbols.qualify_in(facts, b.split("[", 1)[0]), depth) for b in bases]
        if not verdicts:
            return BaseResolution("not-canonical", (), "builtins.object")
        for wanted in ("canonical", "not-canonical", "unresolved"):
            for verdict in verdicts:
                if verdict.status == wanted:
                    return verdict
        return verdicts[0]


def is_test_class(ctx: RuleContext, analysis: BaseClassAnalysis, relpath: str, facts: FileFacts,
                  cls: ClassFacts) -> bool:
    """pytest's rule (a `python_classes` name without __init__ in a test file) or a TestCase
    subclass with tests in a test file."""
    if cls.nested or cls.not_collected:
        return False
    if ctx.is_test_file(relpath) and ctx.pytest.is_test_class(cls.name) and not cls.has_init:
        return True
    if ctx.is_test_file(relpath) and cls.tests and cls.bases:
        verdict = analysis.verdict_of_bases(facts, cls.bases)
        return verdict.status != "not-canonical" or verdict.root in analysis.unittest_like
    return False


@dataclass(frozen=True)
class BaseClassCensus:
    """Every test class's base, once per run: the findings, the home-made bases test classes
    reach (most used first), and the `base_class_variants` metric's parts."""

    findings: tuple[Finding, ...] = ()
    home_made: tuple[HomeMadeBase, ...] = ()
    variants: Mapping[str, int] = field(default_factory=lambda: {"canonical_in_use": 0, "home_made": 0,
                                                                 "direct_unittest": 0})


def check(ctx: RuleContext) -> tuple[Finding, ...]:
    return ctx.shared(census).findings


def census(ctx: RuleContext) -> BaseClassCensus:
    analysis = ctx.shared(BaseClassAnalysis)
    findings: list[Finding] = []
    users: dict[str, set[str]] = defaultdict(set)
    direct_unittest: dict[str, int] = defaultdict(int)
    canonical_users = 0
    for relpath, facts in sorted(ctx.facts.items()):
        for cls in facts.classes:
            if not is_test_class(ctx, analysis, relpath, facts, cls):
                continue
            verdict = analysis.verdict_of_bases(facts, cls.bases)
            test_id = f"{relpath}::{cls.qualname}"
            if verdict.status == "canonical":
                canonical_users += 1
                continue
            if verdict.status == "unresolved":
                findings.append(_finding(UnresolvedBase.code, relpath, cls,
                                         f"base of {cls.name} cannot be resolved: {verdict.root}"))
                continue
            home = [name for name in verdict.chain if name in ctx.symbols.classes]
            if home:
                for name in home:  # every home-made base on the way counts this class
                    users[name].add(test_id)
                via = f" via home-made base {home[0]}"
            else:
                direct_unittest[verdict.root] += 1
                via = ""
            is_async = bool(cls.async_tests)
            style = "unittest" if verdict.root in analysis.unittest_like else "pytest"
            wanted = (UNITTEST_STYLE if style == "unittest" else PYTEST_STYLE)[is_async]
            reaches = "no base" if verdict.root == "builtins.object" and not home else verdict.root
            findings.append(_finding(NotOnCanonicalBase.code, relpath, cls,
                                     f"test class {cls.name} reaches {reaches}{via}, not a canonical base "
                                     f"(a {style}-style class: `{wanted}`)",
                                     root=verdict.root, home_made=home, style=style, canonical=wanted))
    inventory = []
    for qualified, tests in users.items():
        ref = ctx.symbols.classes[qualified]
        inventory.append(HomeMadeBase(qualified, ref.relpath, ref.cls.line, len(tests)))
    inventory.sort(key=lambda b: (-b.test_classes, b.qualified_name))
    variants = {"home_made": len(inventory), "direct_unittest": len(direct_unittest),
                "canonical_in_use": int(canonical_users > 0)}
    return BaseClassCensus(tuple(findings), tuple(inventory), variants)


def _finding(code: str, relpath: str, cls: ClassFacts, message: str, **data: object) -> Finding:
    return Finding(code=code, message=message, path=relpath, line=cls.line, column=cls.column,
                   snippet=cls.snippet, data={"class": cls.qualname, **data})
