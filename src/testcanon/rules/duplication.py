"""CANON601-603: test infrastructure that repeats itself.

601: functions or classes in test infrastructure that do the same thing: identical once the
names they bind themselves (parameters, locals) are normalised; what they call, the attributes
they use and their literals must match. At least `duplication_min_lines` lines and
`MIN_STATEMENTS` statements: two-line helpers are not worth consolidating.
602: a fixture defined under one name in several conftest files with identical behaviour by the
same rule (decorator arguments included: a `scope="session"` fixture is not a function one), of
at least `MIN_FIXTURE_STATEMENTS` statements: fixtures that return different literals, or a
two-line `app` fixture each conftest adapts, are not duplicates.
603: several classes doing one orchestration job (start/stop/wait/health services).
Each cluster is one finding per member, and one unit of the duplication metric.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from testcanon.findings import Finding
from testcanon.rules.context import RuleContext
from testcanon.rules.model import Example, Rule

_ORCHESTRATION_NAME = re.compile(
    r"(Orchestrat|ServiceManager|ServicesManager|ServiceRunner|DockerManager|ServiceLauncher|"
    r"EnvironmentManager|ServiceController|TestHarness)", re.IGNORECASE)
_ORCHESTRATION_VERBS = {"start", "stop", "wait_ready", "wait_for_ready", "health", "health_check",
                        "is_healthy", "restart", "teardown", "setup", "up", "down", "wait_for_services",
                        "start_services", "stop_services", "ensure_running"}

MIN_STATEMENTS = 4
MIN_FIXTURE_STATEMENTS = 3

_DUP = """
Two copies of the same helper drift apart: a fix lands in one, the other keeps the bug, and
tests that should behave alike do not. Test infrastructure (conftest files, fixtures, helpers,
framework folders) should have one implementation of each job.
"""


class DuplicateInfrastructureCode(Rule):
    code = "CANON601"
    name = "duplicate-infrastructure-code"
    family = "duplication"
    summary = "Test infrastructure repeats another function or class, up to names and literals"
    why = _DUP
    example = ("# tests/helpers/a.py and tests/helpers/b.py\n"
               "def wait_for_port(host, port, timeout): ...  # same body twice")
    use_instead = "# one wait_for_port, imported by both"
    fix = "Keep one copy and import it. No automatic fix."
    invalid = (
        Example({"tests/helpers/a.py": "def f(a, b):\n    x = a + 1\n    y = b * 2\n    if x > y:\n"
                                       "        x, y = y, x\n    return x, y\n",
                 "tests/helpers/b.py": "def g(p, q):\n    m = p + 1\n    n = q * 2\n    if m > n:\n"
                                       "        m, n = n, m\n    return m, n\n"},
                [("tests/helpers/a.py", 1), ("tests/helpers/b.py", 1)],
                config="[tool.testcanon.check]\ninfra = ['tests/helpers/**']\n"),
    )
    valid = (
        Example({"tests/helpers/a.py": "def f(a):\n    x = a + 1\n    y = x * 2\n    return y\n",
                 "tests/helpers/b.py": "def g(p):\n    for i in p:\n        print(i)\n    return None\n"},
                config="[tool.testcanon.check]\ninfra = ['tests/helpers/**']\n"),
        Example({"tests/helpers/a.py": "def f(a, b):\n    x = a + 1\n    y = b * 2\n    if x > y:\n"
                                       "        x, y = y, x\n    return x, y\n",
                 "tests/helpers/b.py": "def g(p, q):\n    m = p + 5\n    n = q * 3\n    if m > n:\n"
                                       "        m, n = n, m\n    return m, n\n"},
                config="[tool.testcanon.check]\ninfra = ['tests/helpers/**']\n"),
    )


class DuplicateFixture(Rule):
    code = "CANON602"
    name = "duplicate-fixture"
    family = "duplication"
    summary = "The same fixture is defined in several conftest files"
    why = _DUP
    example = ("# tests/integration/conftest.py and tests/e2e/conftest.py\n@pytest.fixture\n"
               "def service_orchestrator(): ...")
    use_instead = "# define it once in tests/conftest.py"
    fix = ("`canon migrate --select CANON602` moves one copy to the conftest of the folder that holds "
           "them all and removes the others, when that is exact: every other name the fixture uses "
           "is bound by the same absolute import in each copy's conftest (added to the common one), "
           "no conftest in between defines the name, and no file under the common folder outside "
           "the copies' folders names it (it may want a plugin's fixture). Proven by the tests' "
           "outcomes; anything else is left and reported with why.")
    invalid = (
        Example({"a/conftest.py": "import pytest\n\n@pytest.fixture\ndef db(tmp_path):\n"
                                  "    conn = connect(tmp_path)\n"
                                  "    conn.migrate()\n    yield conn\n    conn.close()\n",
                 "b/conftest.py": "import pytest\n\n@pytest.fixture\ndef db(tmp_path):\n"
                                  "    c = connect(tmp_path)\n"
                                  "    c.migrate()\n    yield c\n    c.close()\n"},
                [("a/conftest.py", 4), ("b/conftest.py", 4)]),
    )
    valid = (
        Example({"a/conftest.py": "import pytest\n\n@pytest.fixture\ndef app():\n    return make_app('a')\n",
                 "b/conftest.py": "import pytest\n\n@pytest.fixture\ndef app():\n"
                                  "    return make_app('b')\n"}),
    )


class SeveralOrchestrators(Rule):
    code = "CANON603"
    name = "several-orchestrators"
    family = "duplication"
    summary = "Several test-infrastructure classes do the same orchestration job"
    why = _DUP
    example = ("class ServiceOrchestrator: start/stop/wait_ready/health\n"
               "class TestServiceManager: start/stop/wait_ready/health")
    use_instead = "one orchestrator (or the runner's services: canon run starts and stops them)"
    fix = "Keep one orchestrator; declare services in [tool.testcanon.services]. No automatic fix."


@dataclass(frozen=True)
class DuplicateCluster:
    """Definitions (or orchestrator classes) in test infrastructure that do the same thing."""

    code: str
    members: tuple[tuple[str, int, str], ...]  # (path, line, qualified name)
    similarity: float

    def to_json(self) -> dict[str, object]:
        return {"code": self.code, "similarity": self.similarity,
                "members": [{"path": p, "line": line, "name": n} for p, line, n in self.members]}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for cluster in ctx.shared(clusters):
        for path, line, name in cluster.members:
            others = [f"{p}:{n}" for p, n, q in cluster.members if (p, n) != (path, line)]
            yield Finding(
                code=cluster.code, path=path, line=line, snippet=f"{cluster.code} {name}",
                message=f"{name} duplicates {', '.join(others[:3])}"
                        f"{' and more' if len(others) > 3 else ''} (similarity {cluster.similarity:.2f})",
                severity="warning", data={"cluster": [m[0] + ':' + str(m[1]) for m in cluster.members]})


def clusters(ctx: RuleContext) -> list[DuplicateCluster]:
    """Every duplication cluster in the test infrastructure, once per run."""
    min_lines = ctx.project.config.check.duplication_min_lines
    shapes: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)
    fixtures: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)
    orchestrators: list[tuple[str, int, str, frozenset[str]]] = []
    for relpath, facts in sorted(ctx.facts.items()):
        if not ctx.is_infra(relpath):
            continue
        for d in facts.definitions:
            if d.fixture and relpath.endswith("conftest.py"):
                if d.statements >= MIN_FIXTURE_STATEMENTS:
                    fixtures[(d.qualname, d.shape)].append((relpath, d.line, d.qualname))
            elif d.size >= min_lines and d.statements >= MIN_STATEMENTS:
                shapes[(d.kind, d.shape)].append((relpath, d.line, d.qualname))
        for cls in facts.classes:
            verbs = frozenset(m for m in cls.methods if m in _ORCHESTRATION_VERBS)
            if _ORCHESTRATION_NAME.search(cls.name) or len(verbs) >= 3:
                orchestrators.append((relpath, cls.line, cls.qualname, verbs))
    found: list[DuplicateCluster] = []
    fixture_sites = {(p, line) for members in fixtures.values() if len(members) > 1 for p, line, _ in members}
    for members in fixtures.values():
        if len({p for p, _, _ in members}) > 1:
            found.append(DuplicateCluster(DuplicateFixture.code, tuple(members), 1.0))
    for members in shapes.values():
        members = [m for m in members if (m[0], m[1]) not in fixture_sites]
        if len(members) > 1 and _not_nested_in_each_other(members):
            found.append(DuplicateCluster(DuplicateInfrastructureCode.code, tuple(members), 1.0))
    return found + _orchestrator_clusters(orchestrators)


def _not_nested_in_each_other(members: list[tuple[str, int, str]]) -> bool:
    names = [q for _, _, q in members]
    return not any(a != b and b.startswith(a + ".") for a in names for b in names)


def _orchestrator_clusters(candidates: list[tuple[str, int, str, frozenset[str]]]) -> list[DuplicateCluster]:
    """Classes with overlapping orchestration verbs (Jaccard >= 0.5) form one cluster."""
    groups: list[list[tuple[str, int, str, frozenset[str]]]] = []
    for candidate in candidates:
        for group in groups:
            if any(_jaccard(candidate[3], other[3]) >= 0.5 for other in group):
                group.append(candidate)
                break
        else:
            groups.append([candidate])
    found = []
    for group in groups:
        if len(group) > 1:
            similarity = min(_jaccard(a[3], b[3]) for a in group for b in group if a is not b)
            members = tuple((p, line, q) for p, line, q, _ in group)
            found.append(DuplicateCluster(SeveralOrchestrators.code, members, round(similarity, 2)))
    return found


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
