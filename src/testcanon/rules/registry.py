"""Every rule class, in code order: the single list docs, SARIF metadata and tests read."""

from __future__ import annotations

from testcanon.rules.base_class import NotOnCanonicalBase, UnresolvedBase
from testcanon.rules.duplication import DuplicateFixture, DuplicateInfrastructureCode, SeveralOrchestrators
from testcanon.rules.environment import DirectEnvironmentAccess
from testcanon.rules.imports import RelativeImport
from testcanon.rules.lost.rules import CommentedOutTest, PlaceholderTest, SkippedUntilFixed
from testcanon.rules.mocks import MockInRealServiceTest
from testcanon.rules.model import Rule
from testcanon.rules.runner_bypass import ConfigRunnerBypass, PythonRunnerBypass
from testcanon.rules.suppression import UnusedSuppression

ALL_RULES: tuple[type[Rule], ...] = (
    NotOnCanonicalBase, UnresolvedBase, PythonRunnerBypass, ConfigRunnerBypass,
    DirectEnvironmentAccess, RelativeImport, MockInRealServiceTest, DuplicateInfrastructureCode,
    DuplicateFixture, SeveralOrchestrators, CommentedOutTest, PlaceholderTest, SkippedUntilFixed,
    UnusedSuppression,
)
BY_CODE = {rule.code: rule for rule in ALL_RULES}
