"""`canon check`: run every rule over a repository and summarise the result.

One parse per file (facts, cached and extracted in parallel), a repository-wide symbol table,
then each rule family over the facts. Findings are filtered by `select` / `ignore` /
`per_file_ignores` and inline suppressions; the metrics printed with them are defined in
docs/metrics.md.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testcanon.analysis.cache import facts_for
from testcanon.config import Project
from testcanon.findings import Finding, RuleInfo
from testcanon.rules import base_class, duplication, runner_bypass
from testcanon.rules.context import RuleContext
from testcanon.rules.registry import ALL_RULES, FAMILIES, RuleFamily, codes_of
from testcanon.rules.suppression import apply as apply_suppressions
from testcanon.source import GlobSet, discover
from testcanon.syntax import scan
from testcanon.syntax.compile_check import COMPILE_FAILURE_CODES
from testcanon.syntax.rules import SCAN_RULES

__all__ = ["TEXT_GLOBS", "CheckResult", "check_project", "rule_infos"]

TEXT_GLOBS = ("**/*.sh", "**/*.bash", "**/Makefile", "**/makefile", "**/GNUmakefile", "**/*.mk",
              "**/tox.ini", "**/Dockerfile*", "**/*.dockerfile", "**/pyproject.toml", "**/*.yml",
              "**/*.yaml")


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    metrics: dict[str, Any]
    home_made_bases: list[base_class.HomeMadeBase] = field(default_factory=list)
    clusters: list[duplication.DuplicateCluster] = field(default_factory=list)
    files: int = 0
    elapsed: float = 0.0

    def statistics(self) -> dict[str, int]:
        return dict(sorted(Counter(f.code for f in self.findings).items()))


def rule_infos() -> list[RuleInfo]:
    return [*SCAN_RULES, *(rule.info() for rule in ALL_RULES)]


def check_project(project: Project, paths: Sequence[Path | str] = (), *, jobs: int | None = None,
                  use_cache: bool = True, select: Sequence[str] | None = None,
                  ignore: Sequence[str] | None = None) -> CheckResult:
    started = time.perf_counter()
    files = discover(project, paths)
    report = scan(project, files, jobs=jobs, use_cache=use_cache)
    broken = {f.path for f in report.findings}
    infra = GlobSet(project.config.check.infra)
    facts = facts_for(project, [f for f in files if f.relpath not in broken], infra, jobs=jobs,
                      use_cache=use_cache)
    text_files = [f.relpath for f in discover(project, paths, include=TEXT_GLOBS)]
    ctx = RuleContext(project, facts, text_files)

    findings: list[Finding] = list(report.findings)
    for family in _families_to_run(project, select):
        findings += family.check(ctx)
    bypass_kinds = runner_bypass.by_kind(findings)
    census = ctx.computed(base_class.census, base_class.BaseClassCensus())
    clusters = ctx.computed(duplication.clusters, [])

    findings = _selected(project, findings, select, ignore)
    suppressions = {path: f.suppressions for path, f in facts.items() if f.suppressions}
    findings = apply_suppressions(findings, suppressions)
    findings = _selected(project, findings, select, ignore)  # CANON901 obeys select too
    priority = {f.relpath: f.priority for f in files}
    findings.sort(key=lambda f: (priority.get(f.path, len(project.config.priority)), *f.sort_key))

    def count(code_prefix: str) -> int:
        return sum(1 for f in findings if f.code.startswith(code_prefix))

    variants = census.variants
    metrics: dict[str, Any] = {
        "syntax_errors": sum(1 for f in findings if f.code in COMPILE_FAILURE_CODES),
        "runner_bypasses": {"total": count("CANON20"), "python": bypass_kinds.get("python", 0),
                            "shell": bypass_kinds.get("shell", 0), "ci_yaml": bypass_kinds.get("ci_yaml", 0),
                            "other": bypass_kinds.get("other", 0)},
        "base_class_variants": variants["canonical_in_use"] + variants["home_made"]
        + variants["direct_unittest"],
        "base_class_violations": count("CANON101"),
        "unresolved_bases": count("CANON102"),
        "env_accesses": count("CANON301"),
        "relative_imports": count("CANON401"),
        "mocks_in_real_service_tests": count("CANON501"),
        "orchestration_duplication_clusters": len(clusters),
        "python_files": len(files),
        "test_files": sum(1 for f in files if ctx.is_test_file(f.relpath)),
    }
    return CheckResult(findings, metrics, list(census.home_made), list(clusters), len(files),
                       time.perf_counter() - started)


def _families_to_run(project: Project, select: Sequence[str] | None) -> list[RuleFamily]:
    """The rule families with a selected code, in `FAMILIES` order: `canon migrate --select
    CANON101` need not pay for the runner-bypass or duplication passes. (As with ruff's RUF100, a
    suppression of a code that is not selected counts as unused.)"""
    chosen = [s.upper() for s in (select or project.config.check.select)]

    def wanted(code: str) -> bool:
        return any(prefix == "ALL" or code.startswith(prefix) for prefix in chosen)

    return [family for family in FAMILIES if any(wanted(code) for code in codes_of(family))]


def _selected(project: Project, findings: list[Finding], select: Sequence[str] | None,
              ignore: Sequence[str] | None) -> list[Finding]:
    config = project.config.check
    chosen = [s.upper() for s in (select or config.select)]
    dropped = [s.upper() for s in (ignore or config.ignore)]
    per_file = [(GlobSet([glob]), [c.upper() for c in codes])
                for glob, codes in config.per_file_ignores.items()]

    def matches(code: str, prefixes: list[str]) -> bool:
        return any(p == "ALL" or code.startswith(p) for p in prefixes)

    kept = []
    for finding in findings:
        if not matches(finding.code, chosen) or matches(finding.code, dropped):
            continue
        if any(glob.match(finding.path) and matches(finding.code, codes) for glob, codes in per_file):
            continue
        kept.append(finding)
    return kept

