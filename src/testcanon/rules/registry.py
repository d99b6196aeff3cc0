"""Every rule family and every rule class, in code order: the single lists the engine, docs,
SARIF metadata and tests read.

A family is a module with `check(ctx: RuleContext) -> Iterable[Finding]` and the `Rule`
classes of the codes it reports (their docs and examples beside their logic). Adding a rule is
one family module (or one class in an existing one) added here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from testcanon.findings import Finding
from testcanon.rules import (
    base_class,
    duplication,
    environment,
    imports,
    init_test_class,
    mocks,
    runner_bypass,
)
from testcanon.rules.base_class import NotOnCanonicalBase, UnresolvedBase
from testcanon.rules.context import RuleContext
from testcanon.rules.duplication import DuplicateFixture, DuplicateInfrastructureCode, SeveralOrchestrators
from testcanon.rules.environment import DirectEnvironmentAccess
from testcanon.rules.imports import RelativeImport
from testcanon.rules.init_test_class import ConstructorOnTestClass
from testcanon.rules.lost import rules as lost
from testcanon.rules.lost.rules import CommentedOutTest, PlaceholderTest, SkippedUntilFixed
from testcanon.rules.mocks import MockInRealServiceTest
from testcanon.rules.model import Rule
from testcanon.rules.runner_bypass import ConfigRunnerBypass, PythonRunnerBypass
from testcanon.rules.suppression import UnusedSuppression


class RuleFamily(Protocol):
    """A module of rules: one pass over the repository that reports their codes."""

    __name__: str

    def check(self, ctx: RuleContext) -> Iterable[Finding]: ...


# The order findings are produced in (ties of the final sort keep it).
FAMILIES: tuple[RuleFamily, ...] = (base_class, runner_bypass, duplication, environment, imports, mocks, lost,
                                    init_test_class)

ALL_RULES: tuple[type[Rule], ...] = (
    NotOnCanonicalBase, UnresolvedBase, ConstructorOnTestClass, PythonRunnerBypass, ConfigRunnerBypass,
    DirectEnvironmentAccess, RelativeImport, MockInRealServiceTest, DuplicateInfrastructureCode,
    DuplicateFixture, SeveralOrchestrators, CommentedOutTest, PlaceholderTest, SkippedUntilFixed,
    UnusedSuppression,
)
BY_CODE = {rule.code: rule for rule in ALL_RULES}


def codes_of(family: RuleFamily) -> list[str]:
    """The codes a family reports: those of the rule classes defined in its module."""
    return [rule.code for rule in ALL_RULES if rule.__module__ == family.__name__]
