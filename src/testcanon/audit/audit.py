"""`canon audit`: measure every success metric of a project, compare with the last audit.

Each metric comes from the command that owns its data (scan, check, collect, the runner's
coverage records, the event-coverage file). A metric whose data does not exist yet (no
coverage run, no event tests) is "not measured" with the reason, never a made-up zero.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from testcanon.audit.metrics import STATIC_METRICS, MetricSpec, area_metric, is_better
from testcanon.config import Project
from testcanon.findings import Finding
from testcanon.syntax.compile_check import COMPILE_FAILURE_CODES
from testcanon.vcs import current_branch, head_commit

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MetricRow:
    """One line of the success-metrics table."""

    spec: MetricSpec
    current: float | None
    previous: float | None = None
    note: str = ""

    @property
    def trend(self) -> str:
        if self.current is None:
            return "n/a"
        if self.previous is None:
            return "new"
        if self.current == self.previous:
            return "same"
        return "better" if is_better(self.spec, self.current, self.previous) else "worse"

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.spec.name,
            "title": self.spec.title,
            "current": self.current,
            "target": self.spec.target,
            "previous": self.previous,
            "trend": self.trend,
            "unit": self.spec.unit,
            "better": self.spec.better,
            "definition_version": self.spec.version,
            "note": self.note,
        }


@dataclass(frozen=True)
class Audit:
    root: str
    commit: str | None
    branch: str | None
    created: float
    rows: list[MetricRow]
    findings: list[Finding] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def row(self, name: str) -> MetricRow:
        return next(row for row in self.rows if row.spec.name == name)

    @property
    def regressions(self) -> list[MetricRow]:
        return [row for row in self.rows if row.trend == "worse"]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": 1,
            "root": self.root,
            "commit": self.commit,
            "branch": self.branch,
            "created": self.created,
            "metrics": [row.to_json() for row in self.rows],
            "details": self.details,
        }


class NotMeasured(Exception):
    """The data a metric needs does not exist; the message says how to produce it."""


Measurements = dict[str, float | None]


def measure(project: Project, *, collect: bool = False, jobs: int | None = None,
            python: str | None = None, lost_since: str = "30 days") -> Audit:
    """Run the measurements (scan, check, optionally collect) and read the stored data."""
    values: Measurements = {}
    notes: dict[str, str] = {}
    findings: list[Finding] = []
    details: dict[str, Any] = {}

    steps: list[tuple[tuple[str, ...], Callable[[], Measurements]]] = [
        (("syntax_errors",), lambda: _scan(project, findings, details, jobs)),
        (("runner_bypasses", "base_class_variants", "orchestration_duplication_clusters",
          "env_accesses", "relative_imports", "mocks_in_real_service_tests"),
         lambda: _check(project, findings, details)),
        (("collection_failures",), lambda: _collect(project, details, python) if collect else
         _not_measured("run `canon audit --collect` (runs pytest collection)")),
        (("tests_lost",), lambda: _tests_lost(project, details, lost_since)),
        (("event_coverage",), lambda: _event_coverage(project, details)),
    ]
    for names, step in steps:
        _log.info("measuring %s", ", ".join(names))
        try:
            values.update(step())
        except NotMeasured as reason:
            for name in names:
                values[name] = None
                notes[name] = str(reason)

    specs = [_with_target(spec, project) for spec in STATIC_METRICS]
    coverage = _area_coverage(project)
    for area, config in project.config.areas.items():
        spec = _with_target(area_metric(area, config.target), project)
        specs.append(spec)
        values[spec.name] = coverage.get(area)
        if coverage.get(area) is None:
            notes[spec.name] = "no coverage data: run `canon run --coverage`"

    rows = [MetricRow(spec, values.get(spec.name), note=notes.get(spec.name, "")) for spec in specs]
    root = project.root
    return Audit(root=str(root), commit=head_commit(root), branch=current_branch(root),
                 created=time.time(), rows=rows, findings=findings, details=details)


def _with_target(spec: MetricSpec, project: Project) -> MetricSpec:
    target = project.config.targets.get(spec.name)
    if target is None:
        return spec
    return MetricSpec(spec.name, spec.title, target, spec.better, spec.unit, spec.version)


def _not_measured(reason: str) -> Measurements:
    raise NotMeasured(reason)


def _scan(project: Project, findings: list[Finding], details: dict[str, Any],
          jobs: int | None) -> Measurements:
    from testcanon.source import discover
    from testcanon.syntax import scan

    report = scan(project, discover(project), jobs=jobs)
    findings.extend(report.findings)
    details["python_files"] = report.files
    broken = sum(1 for f in report.findings if f.code in COMPILE_FAILURE_CODES)
    return {"syntax_errors": float(broken)}


def _check(project: Project, findings: list[Finding], details: dict[str, Any]) -> Measurements:
    try:
        from testcanon.rules import check_project
    except ImportError:
        raise NotMeasured("canon check is not available in this installation") from None
    result = check_project(project)
    findings.extend(f for f in result.findings if not f.code.startswith("CANON00"))
    metrics = dict(result.metrics)
    details["check"] = {key: value for key, value in metrics.items() if isinstance(value, dict)}
    out: Measurements = {}
    for name in ("runner_bypasses", "base_class_variants", "orchestration_duplication_clusters",
                 "env_accesses", "relative_imports", "mocks_in_real_service_tests"):
        value = metrics.get(name)
        if isinstance(value, dict):
            value = value.get("total", sum(v for v in value.values() if isinstance(v, (int, float))))
        out[name] = float(value) if value is not None else None
    return out


def _collect(project: Project, details: dict[str, Any], python: str | None = None) -> Measurements:
    try:
        from testcanon.runner.collect import collect_health
        from testcanon.target import resolve_python
    except ImportError:
        raise NotMeasured("canon collect is not available in this installation") from None
    target = resolve_python(project.root, cli=python, config=project.config.python)
    health = collect_health(project, target=target)
    details["collection"] = {"test_files": health.test_files, "collected": health.collected,
                             "python": target.to_json()}
    return {"collection_failures": float(health.failed_files)}


def _tests_lost(project: Project, details: dict[str, Any], since: str) -> Measurements:
    from testcanon.rules.context import RuleContext
    from testcanon.rules.lost.ledger import build_ledger
    from testcanon.rules.lost.naming import naming_for
    from testcanon.vcs import is_work_tree

    if not is_work_tree(project.root):
        raise NotMeasured("needs git history (the project is not a git work tree)")
    context = RuleContext(project, {})
    ledger = build_ledger(project.root, since, is_test_path=context.is_test_file, naming=naming_for(project))
    details["tests_lost"] = ledger.to_json()
    return {"tests_lost": float(len(ledger.entries))}


def _event_coverage(project: Project, details: dict[str, Any]) -> Measurements:
    try:
        from testcanon.events.coverage import load_event_coverage
    except ImportError:
        raise NotMeasured("event coverage is not available in this installation") from None
    coverage = load_event_coverage(project.root)
    if coverage is None:
        raise NotMeasured("no event-coverage data: run the event tests with `canon run`")
    details["event_coverage"] = coverage.to_json()
    return {"event_coverage": float(coverage.percent)}


def _area_coverage(project: Project) -> dict[str, float]:
    """The newest recorded line coverage of each area (from `canon run --coverage`)."""
    from testcanon.history import history_path, session

    if not history_path(project.root).exists():
        return {}
    with session(project.root) as db:
        rows = db.execute(
            "SELECT area, line_percent FROM coverage_areas WHERE run_id = "
            "(SELECT MAX(run_id) FROM coverage_areas)"
        ).fetchall()
    return {row["area"]: row["line_percent"] for row in rows if row["line_percent"] is not None}
