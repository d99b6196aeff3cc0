"""`canon check`: run every rule over a repository and summarise the result.

One parse per file (facts, cached and extracted in parallel), a repository-wide symbol table,
then each rule family over the facts. Findings are filtered by `select` / `ignore` /
`per_file_ignores` and inline suppressions; the metrics printed with them are defined in
docs/metrics.md.
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from testcanon.config import Project
from testcanon.findings import Finding, RuleInfo
from testcanon.rules import base_class, duplication, environment, imports, mocks, runner_bypass
from testcanon.rules.cache import FactsCache, digest
from testcanon.rules.context import Context
from testcanon.rules.facts import Facts, extract
from testcanon.rules.lost import rules as lost
from testcanon.rules.registry import ALL_RULES
from testcanon.rules.suppression import apply as apply_suppressions
from testcanon.source import GlobSet, SourceFile, discover
from testcanon.syntax import scan
from testcanon.syntax.rules import SCAN_RULES

TEXT_GLOBS = ("**/*.sh", "**/*.bash", "**/Makefile", "**/makefile", "**/GNUmakefile", "**/*.mk",
              "**/tox.ini", "**/Dockerfile*", "**/*.dockerfile", "**/pyproject.toml", "**/*.yml",
              "**/*.yaml")
_PARALLEL_MIN = 64


@dataclass(frozen=True)
class CheckResult:
    findings: list[Finding]
    metrics: dict[str, Any]
    home_made_bases: list[base_class.HomeMadeBase] = field(default_factory=list)
    clusters: list[duplication.Cluster] = field(default_factory=list)
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
    facts = _facts(project, [f for f in files if f.relpath not in broken], infra, jobs, use_cache)
    text_files = [f.relpath for f in discover(project, paths, include=TEXT_GLOBS)]
    ctx = Context(project, facts, text_files)

    findings: list[Finding] = list(report.findings)
    run = _families_to_run(project, select)
    base_findings, inventory, variants = (base_class.check(ctx) if base_class in run else
                                          ([], [], {"canonical_in_use": 0, "home_made": 0, "direct_unittest": 0}))
    bypass_findings, bypass_kinds = runner_bypass.check(ctx) if runner_bypass in run else ([], Counter())
    dup_findings, clusters = duplication.check(ctx) if duplication in run else ([], [])
    findings += base_findings + bypass_findings + dup_findings
    findings += [f for family in (environment, imports, mocks, lost) if family in run for f in family.check(ctx)]

    findings = _selected(project, findings, select, ignore)
    suppressions = {path: f["suppressions"] for path, f in facts.items() if f["suppressions"]}
    findings = apply_suppressions(findings, suppressions)
    findings = _selected(project, findings, select, ignore)  # CANON901 obeys select too
    priority = {f.relpath: f.priority for f in files}
    findings.sort(key=lambda f: (priority.get(f.path, len(project.config.priority)), *f.sort_key))

    def count(code_prefix: str) -> int:
        return sum(1 for f in findings if f.code.startswith(code_prefix))

    metrics: dict[str, Any] = {
        "syntax_errors": sum(1 for f in findings if f.code in
                             ("CANON001", "CANON002", "CANON003", "CANON004", "CANON005")),
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
    return CheckResult(findings, metrics, inventory, clusters, len(files), time.perf_counter() - started)


def _families_to_run(project: Project, select: Sequence[str] | None) -> set[ModuleType]:
    """The rule families with a selected code: `canon migrate --select CANON101` need not pay for
    the runner-bypass or duplication passes. (As with ruff's RUF100, a suppression of a code that
    is not selected counts as unused.)"""
    chosen = [s.upper() for s in (select or project.config.check.select)]

    def wanted(code: str) -> bool:
        return any(prefix == "ALL" or code.startswith(prefix) for prefix in chosen)

    families = {base_class, runner_bypass, duplication, environment, imports, mocks, lost}
    return {family for family in families
            if any(wanted(rule.code) for rule in ALL_RULES if rule.__module__ == family.__name__)}


def _selected(project: Project, findings: list[Finding], select: Sequence[str] | None,
              ignore: Sequence[str] | None) -> list[Finding]:
    config = project.config.check
    chosen = [s.upper() for s in (select or config.select)]
    dropped = [s.upper() for s in (ignore or config.ignore)]
    per_file = [(GlobSet([glob]), [c.upper() for c in codes]) for glob, codes in config.per_file_ignores.items()]

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


def _facts(project: Project, files: list[SourceFile], infra: GlobSet, jobs: int | None,
           use_cache: bool) -> dict[str, Facts]:
    cache = FactsCache(project.root) if use_cache else None
    result: dict[str, Facts] = {}
    pending: list[tuple[SourceFile, tuple[int, int, int], bool]] = []
    for source in files:
        try:
            st = os.stat(source.abspath)
        except OSError:
            continue
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        shapes = infra.match(source.relpath)
        if cache is not None:
            hit = cache.by_stat(source.relpath, key, shapes)
            if hit is not False:
                if hit is not None:
                    result[source.relpath] = hit
                continue
        pending.append((source, key, shapes))
    now = time.time_ns()
    for relpath, key, shapes, data_digest, facts, reused in _extract_all(pending, cache, jobs):
        if cache is not None and not reused or cache is not None:
            cache.store(relpath, key, data_digest, shapes, facts, now)
        if facts is not None:
            result[relpath] = facts
    if cache is not None:
        cache.save()
    return result


def _extract_one(item: tuple[str, str, tuple[int, int, int], bool, bytes]):
    abspath, relpath, key, shapes, known = item
    try:
        with open(abspath, "rb") as handle:
            data = handle.read()
    except OSError:
        return relpath, key, shapes, b"", None, False
    data_digest = digest(data)
    if data_digest == known:
        return relpath, key, shapes, data_digest, None, True
    return relpath, key, shapes, data_digest, extract(data, relpath, shapes=shapes), False


def _extract_batch(batch):
    import gc

    gc.disable()
    return [_extract_one(item) for item in batch]


def _extract_all(pending, cache: FactsCache | None, jobs: int | None):
    items = []
    for source, key, shapes in pending:
        known = b""
        if cache is not None:
            entry = cache.entries.get(source.relpath)
            if entry is not None and isinstance(entry, tuple) and len(entry) == 4 and entry[2] == shapes:
                known = entry[1] if isinstance(entry[1], bytes) else b""
        items.append((source.abspath, source.relpath, key, shapes, known))
    from testcanon.syntax.scan import default_jobs

    jobs = jobs or default_jobs()
    if jobs > 1 and len(items) >= _PARALLEL_MIN:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        size = max(8, len(items) // (jobs * 8))
        batches = [items[i:i + size] for i in range(0, len(items), size)]
        from testcanon.limits import die_with_parent

        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork"),
                                 initializer=die_with_parent) as pool:
            results = [r for batch in pool.map(_extract_batch, batches) for r in batch]
    else:
        results = [_extract_one(item) for item in items]
    for relpath, key, shapes, data_digest, facts, reused in results:
        if reused and cache is not None:
            facts = cache.entries[relpath][3]
        yield relpath, key, shapes, data_digest, facts, reused
