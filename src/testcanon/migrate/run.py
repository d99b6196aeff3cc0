"""`canon migrate`: plan every codemod, prove it in an isolated copy, write through the journal."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from testcanon.analysis.pytest_config import pytest_config
from testcanon.config import Project
from testcanon.journal import Journal
from testcanon.limits import worker_pool
from testcanon.migrate import prove
from testcanon.migrate import verify as verifier
from testcanon.migrate.base_class import may_rebase, rebase, rebase_bindings
from testcanon.migrate.common import FileChange
from testcanon.migrate.environment import migrate_environment
from testcanon.migrate.imports import absolutize
from testcanon.migrate.leftovers import Leftover, bypass_leftovers, environment_leftovers, leftovers
from testcanon.migrate.pytest_rebase import add_bases, plan_targets
from testcanon.migrate.runner_bypass import (
    describe_call,
    drop_main_blocks,
    rewrite_commands,
    uncollected_tests,
)
from testcanon.rules.context import RuleContext
from testcanon.rules.engine import TEXT_GLOBS
from testcanon.source import discover
from testcanon.syntax import scan
from testcanon.target import TargetPython

CODES = ("CANON101", "CANON201", "CANON202", "CANON301", "CANON401", "CANON602")
# A codemod can only apply to a file whose bytes hold every word of one of its trigger groups:
# checked before paying for a LibCST parse (most files need no change).
# CANON101 rewrites only bases that resolve to `unittest` in the file itself (`may_rebase`).
_TRIGGERS: dict[str, tuple[tuple[bytes, ...], ...]] = {
    "CANON401": ((b"from .",),),
}


# CANON301: `environ` alone also matches the word "environment" in every docstring and comment.
_ENVIRONMENT_ACCESS = re.compile(rb"\bos\.(?:environ|getenv)\b|\.(?:setenv|delenv)\(|\bfrom\s+os\s+import\b"
                                 rb"|\bimport\s+os\s+as\b")


# CANON201 removes a `__main__` block only when its body runs tests: such a word must follow the guard.
_RUNNER_WORDS = (b"pytest", b"py.test", b"unittest")


def may_apply(codes: set[str], data: bytes) -> bool:
    if "CANON101" in codes and may_rebase(data):
        return True
    if "CANON301" in codes and _ENVIRONMENT_ACCESS.search(data):
        return True
    if "CANON201" in codes:
        guard = data.find(b"__main__")
        if guard >= 0 and any(data.find(word, guard) >= 0 for word in _RUNNER_WORDS):
            return True
    return any(all(word in data for word in group) for code in codes & _TRIGGERS.keys()
               for group in _TRIGGERS[code])


@dataclass
class MigrationReport:
    changes: list[FileChange]
    rejected: dict[str, str] = field(default_factory=dict)  # path -> why not written
    review: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    left: list[Leftover] = field(default_factory=list)  # CANON101/201/301 violations left, with why
    verify_level: str = "outcomes"  # asked for: outcomes, collect or static
    # path -> outcomes, collected or static (written ones)
    proof: dict[str, str] = field(default_factory=dict)
    verified_by_outcomes: int = 0
    verified_by_collection: int = 0
    verified_statically: int = 0
    verify_fallback: str | None = None  # why the tests could not run (then collected ids decided)
    flaky: list[str] = field(default_factory=list)  # tests whose outcome differed between two runs before
    # path -> (test, old, new)
    outcome_changes: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    target: dict[str, object] = field(default_factory=dict)  # the interpreter the tests ran with
    copy: dict[str, object] = field(default_factory=dict)  # what the isolated copy cost
    test_seconds: float = 0.0  # spent running the affected tests, before (twice) and after
    collection_failure: str | None = None  # why pytest could not collect at all (then all static)
    collected_with_defaults: bool = False  # the project's pytest configuration was refused
    collection_seconds: float = 0.0  # spent in pytest --collect-only, before and after
    seconds: float = 0.0


def selected_codes(select: Sequence[str] | None) -> set[str]:
    if not select:
        return set(CODES)
    chosen = {c.upper() for c in select}
    return {code for code in CODES if any(code.startswith(c) for c in chosen)}


@dataclass(frozen=True)
class _FileJob:
    path: Path
    relpath: str
    codes: frozenset[str]
    is_test_file: bool
    main_block: str
    package_roots: tuple[str, ...]
    plain: tuple[tuple[str, str], ...] = ()  # CANON101, pytest-style: (module-level class, canonical base)


_Planned = tuple["FileChange | None", list[str], list[str]]  # change, review notes, skipped notes
PARALLEL_FROM = 16  # below this many files, worker start-up costs more than it saves


def _map(function: Callable[[_FileJob], _Planned], jobs: list[_FileJob]) -> list[_Planned]:
    """LibCST is pure CPU: spread the files over processes (in order) when there are enough."""
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_FROM or workers < 2:
        return [function(job) for job in jobs]
    with worker_pool(workers) as pool:
        return list(pool.map(function, jobs, chunksize=max(1, len(jobs) // (workers * 4))))


def _plan_file(job: _FileJob) -> _Planned:
    """Every selected codemod on one file: (the change or None, review notes, skipped notes)."""
    before = job.path.read_bytes()
    review: list[str] = []
    skipped_notes: list[str] = []
    try:
        module = cst.parse_module(before)
    except cst.ParserSyntaxError:
        return None, review, skipped_notes
    change = FileChange.of(job.relpath, before, before)
    updated = module
    bound = rebase_bindings(before) if "CANON101" in job.codes else None
    if bound is not None:
        updated, rebased, notes = rebase(updated, is_test_file=job.is_test_file, bound=bound, source=before)
        change.rebased = rebased
        if rebased:
            change.codes.add("CANON101")
            change.notes += [f"re-based {name}" for name in rebased]
        review += [f"{job.relpath}: {note}" for note in notes]
    if job.plain:
        updated, done = add_bases(updated, dict(job.plain))
        if done:
            change.rebased += done
            change.codes.add("CANON101")
            change.notes += [f"re-based {name} onto {dict(job.plain)[name]}" for name in done]
    if "CANON301" in job.codes and _ENVIRONMENT_ACCESS.search(before):
        updated, converted, skipped, notes = migrate_environment(updated)
        if converted:
            change.codes.add("CANON301")
            change.notes.append(f"{converted} environment access(es) to the canonical API")
            change.notes += notes
        skipped_notes += [f"{job.relpath}: {note}" for note in skipped]
    if "CANON401" in job.codes:
        updated, count = absolutize(updated, job.relpath, list(job.package_roots))
        if count:
            change.codes.add("CANON401")
            change.notes.append(f"{count} relative import(s) made absolute")
    if "CANON201" in job.codes:
        updated, removed = drop_main_blocks(updated, mode=job.main_block, relpath=job.relpath)
        change.main_blocks_removed = removed
        if removed:
            change.codes.add("CANON201")
            change.notes.append(f"removed {removed} `__main__` block(s) that ran tests")
    change.rewrite(updated.bytes if change.codes else before)  # the module's own encoding
    if not change.changed:
        return None, review, skipped_notes
    _check(change)  # here, in the worker processes: it parses both sides
    return change, review, skipped_notes


def _check(change: FileChange) -> None:
    checked = verifier.check_change(change.before, change.after)
    change.problem, change.static_verdict = checked.problem, checked.static


def plan(project: Project, paths: Sequence[Path | str] = (),
         select: Sequence[str] | None = None) -> MigrationReport:
    started = time.perf_counter()
    codes = selected_codes(select)
    files = discover(project, paths)
    broken = {f.path for f in scan(project, files).findings}
    ctx = RuleContext(project, {})
    report = MigrationReport([])
    mode = project.config.migrate.main_block
    roots = project.config.migrate.package_roots or (["src"] if (project.root / "src").is_dir() else [])
    jobs = []
    guard = _ShippedGuard(project, ctx, paths)
    plain: dict[str, dict[str, str]] = {}
    if "CANON101" in codes:
        plain, notes = _plain_targets(project, ctx, guard, broken)
        report.review += notes
    for source in files:
        if source.relpath in broken or not (ctx.is_test_file(source.relpath)
                                            or ctx.infra.match(source.relpath)):
            continue
        before = source.path.read_bytes()
        targets = tuple(sorted(plain.get(source.relpath, {}).items()))
        if (targets or may_apply(codes, before)) and not guard.keeps(source.relpath) \
                and ctx.is_test_code(source.relpath):
            jobs.append(_FileJob(source.path, source.relpath, frozenset(codes),
                                 ctx.is_test_file(source.relpath), mode, tuple(roots), targets))
    for change, review, skipped in _map(_plan_file, jobs):
        report.review += review
        report.skipped += skipped
        if change is not None:
            report.changes.append(change)
    if "CANON602" in codes:
        _consolidate_fixtures(project, report, guard)
    if "CANON202" in codes:
        runner = project.config.check.runner_command
        for source in discover(project, paths, include=TEXT_GLOBS):
            if guard.keeps(source.relpath):
                continue
            before = source.path.read_bytes()
            rewritten = rewrite_commands(source.relpath, before.decode("utf-8", "replace"), runner)
            for line, column, command, why in rewritten.left:
                report.skipped.append(f"{source.relpath}:{line}:{column}: `{command[:60]}` left as is: {why}")
            if rewritten.count:
                report.changes.append(FileChange.of(source.relpath, before, rewritten.text.encode("utf-8"),
                                                    {"CANON202"},
                                                    [f"{rewritten.count} pytest command(s) now `{runner}`"]))
    report.skipped += guard.notes()
    report.seconds = time.perf_counter() - started
    return report


def _consolidate_fixtures(project: Project, report: MigrationReport, guard: _ShippedGuard) -> None:
    """CANON602: each exact duplicate fixture moved to the nearest common conftest, on top of
    what the other codemods planned for those files (`migrate/fixtures.py`)."""
    from testcanon.migrate.fixtures import plan_fixture_moves
    from testcanon.rules.engine import check_project

    findings = [f for f in check_project(project, select=["CANON602"]).findings if not guard.keeps(f.path)]
    by_path = {change.path: change for change in report.changes}
    moves, left = plan_fixture_moves(project, findings, {p: c.after for p, c in by_path.items()})
    report.skipped += left
    for move in moves:
        for relpath, data in move.texts.items():
            change = by_path.get(relpath)
            if change is None:
                before = (project.root / relpath).read_bytes()
                change = by_path[relpath] = FileChange.of(relpath, before, data)
                report.changes.append(change)
            change.codes.add("CANON602")
            change.notes.append(move.note)
            change.rewrite(data)
            _check(change)


def _plain_targets(project: Project, ctx: RuleContext, guard: _ShippedGuard,
                   broken: set[str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Where the pytest-native bases go (from `canon check`'s CANON101 findings), and the
    home-made bases left with their conflict."""
    from testcanon.rules.engine import check_project

    result = check_project(project, select=["CANON101"])
    sites = {base.qualified_name: base.site for base in result.home_made_bases}

    def read(relpath: str) -> bytes | None:
        try:
            return (project.root / relpath).read_bytes()
        except OSError:
            return None

    def why_not(relpath: str) -> str | None:
        return _why_not(relpath, ctx, guard, broken)

    targets, review = plan_targets(result.findings, sites, read, why_not)
    return targets, review


def _why_not(relpath: str, ctx: RuleContext, guard: _ShippedGuard, broken: set[str]) -> str | None:
    """Why the codemod may not change `relpath` (None: it may)."""
    if relpath in broken:
        return "its file does not compile: repair it first (`canon fix`)"
    if (shipped := guard.why_protected(relpath)) is not None:
        return shipped
    if not ctx.is_test_code(relpath):
        folder = relpath.rsplit("/", 1)[0]
        glob = f"{folder}/**" if "/" in folder else relpath  # a helpers folder, or the one file
        return (f"its file is not test code by the configuration: add `{glob}` to "
                "[tool.testcanon.check] infra")
    return None


class _ShippedGuard:
    """Files of the project's installable packages are the product, not its tests: left unless
    named on the command line or below a test path the project declares (see `rules.shipped`)."""

    def __init__(self, project: Project, ctx: RuleContext, paths: Sequence[Path | str]) -> None:
        self.shipped = ctx.shipped
        root = project.root.resolve()
        explicit = []
        for path in paths:
            try:
                explicit.append((Path.cwd() / path).resolve().relative_to(root).as_posix())
            except ValueError:
                continue
        self.explicit = tuple(explicit)
        self.test_roots = tuple(pytest_config(project.root).testpaths) + tuple(project.config.test_paths)
        self.kept: dict[str, int] = {}

    def why_protected(self, relpath: str) -> str | None:
        owner = self.shipped.protects(relpath, test_roots=self.test_roots, explicit=self.explicit)
        if owner is None:
            return None
        return f"it is in the shipped package {owner}/ (name the path to include it)"

    def keeps(self, relpath: str) -> bool:
        owner = self.shipped.protects(relpath, test_roots=self.test_roots, explicit=self.explicit)
        if owner is not None:
            self.kept[owner] = self.kept.get(owner, 0) + 1
        return owner is not None

    def notes(self) -> list[str]:
        return [f"{owner}/: {count} file(s) of the shipped package left untouched ({self.shipped.evidence}); "
                f"name the path (`canon migrate {owner}/...`) to include them"
                for owner, count in self.kept.items()]


def verify(project: Project, report: MigrationReport, *, level: str = "outcomes",
           python: TargetPython | None = None) -> MigrationReport:
    """Drop every change not proven at `level` (outcomes, collect, static): see `migrate/prove.py`."""
    return prove.verify(project, report, level=level, python=python, check=_check)


def account(project: Project, report: MigrationReport, paths: Sequence[Path | str] = (),
            select: Sequence[str] | None = None, *, written: bool = False) -> MigrationReport:
    """Attach every CANON101/201/301 violation the (verified) changes leave, with its reason."""
    codes = selected_codes(select) & {"CANON101", "CANON201", "CANON301"}
    if not codes:
        return report
    from testcanon.rules.engine import check_project

    result = check_project(project, paths, select=sorted(codes))
    broken = {f.path for f in scan(project, discover(project, paths)).findings}
    ctx = RuleContext(project, {})
    guard = _ShippedGuard(project, ctx, paths)
    if "CANON101" in codes:
        sites = {base.qualified_name: base.site for base in result.home_made_bases}
        report.left += leftovers(result.findings, report.changes, report.rejected, report.review, sites,
                                 lambda relpath: _why_not(relpath, ctx, guard, broken))
    if "CANON201" in codes:
        report.left += bypass_leftovers(result.findings, report.changes, report.rejected, broken,
                                        ctx.is_test_code, guard.why_protected,
                                        lambda relpath, line: _describe_call(project.root / relpath, line),
                                        lambda relpath: uncollected_tests(project.root, relpath, ctx.pytest,
                                                                          ctx.test_roots))
    if "CANON301" in codes:
        report.left += environment_leftovers(result.findings, report.changes, report.rejected, report.skipped,
                                             broken, written=written, protected=guard.why_protected)
    return report


def write(project: Project, report: MigrationReport, command: str) -> None:
    if not report.changes:
        return
    with Journal(project.root).start(command) as run:
        by_path = {change.write.path: change for change in report.changes}
        skipped = run.apply(c.write for c in by_path.values())
    for item in skipped:  # compare-and-swap: edited while canon migrate ran, so not written
        change = by_path[item.path]
        report.rejected[change.path] = item.reason
        report.changes.remove(change)


def _describe_call(path: Path, line: int) -> str | None:
    try:
        return describe_call(path.read_text(encoding="utf-8", errors="replace"), line)
    except OSError:
        return None
