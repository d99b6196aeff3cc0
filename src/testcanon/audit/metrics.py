"""The success metrics: what each one counts, its default target and which way is better.

Every number `canon audit` prints is one of these, and each has a written definition in
docs/metrics.md (section `## <name>`), versioned: when a definition changes, its version
changes, so histories never silently compare different things.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Better = Literal["lower", "higher"]


@dataclass(frozen=True)
class MetricSpec:
    name: str
    title: str
    target: float
    better: Better = "lower"
    unit: str = ""
    version: str = "1"


STATIC_METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("syntax_errors", "files with syntax errors", 0, version="2"),
    MetricSpec("collection_failures", "test files that fail to collect", 0),
    MetricSpec("runner_bypasses", "runner bypasses", 0, version="2"),
    MetricSpec("base_class_variants", "base-class variants", 1),
    MetricSpec("orchestration_duplication_clusters", "orchestration duplication clusters", 0),
    MetricSpec("env_accesses", "direct environment accesses", 0),
    MetricSpec("relative_imports", "relative imports in tests", 0),
    MetricSpec("mocks_in_real_service_tests", "mocks in real-service tests", 0),
    MetricSpec("tests_lost", "tests lost since the reference (--lost-since, default 30 days)", 0),
    MetricSpec("event_coverage", "event coverage (events and profile rules exercised)", 100,
               better="higher", unit="%"),
)

COVERAGE_PREFIX = "coverage."


def area_metric(area: str, target: float) -> MetricSpec:
    """The coverage metric of one configured area, e.g. `coverage.websocket`."""
    return MetricSpec(f"{COVERAGE_PREFIX}{area}", f"coverage: {area}", target, better="higher",
                      unit="%")


def is_better(spec: MetricSpec, current: float, previous: float) -> bool:
    return current < previous if spec.better == "lower" else current > previous


def meets_target(spec: MetricSpec, value: float) -> bool:
    return value <= spec.target if spec.better == "lower" else value >= spec.target
