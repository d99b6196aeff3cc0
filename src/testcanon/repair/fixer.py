"""`canon fix`: repair every file `canon scan` reports, verify, journal, report."""

from __future__ import annotations

import ast
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from testcanon.config import Project
from testcanon.journal import Journal
from testcanon.limits import Budget, OverBudget, bounded, die_with_parent
from testcanon.repair.history import Breaking, history_expected, repair_with_history
from testcanon.repair.inventory import names_in_broken, uncounted_gone
from testcanon.repair.judge import judge_intent
from testcanon.repair.local import repair_local
from testcanon.repair.verify import changed_line_count, decode
from testcanon.source import discover
from testcanon.syntax import check_source, scan
from testcanon.syntax.version import is_version_specific
from testcanon.target import TargetPython
from testcanon.vcs import is_work_tree
from testcanon.vcs.graph import history_env

REPAIRABLE = {"CANON001", "CANON002", "CANON003", "CANON004", "CANON005"}


@dataclass
class FileVerdict:
    path: str
    verdict: str  # fixed-by-history, fixed-locally, version-specific, unfixable
    detail: str
    tests: int
    changed_lines: int = 0
    edits: list[str] = field(default_factory=list)
    breaking: Breaking | None = None
    seconds: float = 0.0
    original: bytes = b""
    fixed: bytes | None = None
    proof: str | None = None  # collected or static (`canon fix --verify`); None when not fixed

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "verdict": self.verdict, "detail": self.detail,
                                   "tests_preserved": self.tests if self.fixed else None,
                                   "changed_lines": self.changed_lines, "edits": self.edits,
                                   "seconds": round(self.seconds, 4), "proof": self.proof}
        if self.breaking:
            data["breaking_commit"] = {"hash": self.breaking.commit, "date": self.breaking.date,
                                       "subject": self.breaking.subject}
        return data


def fix_files(project: Project, paths: Sequence[Path | str] = (), *, method: str = "auto",
              dry_run: bool = False, rewrite_version_specific: bool = False, jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None, verify: str = "collect",
              python: TargetPython | None = None) -> list[FileVerdict]:
    """Repair every file `canon scan` reports, in `jobs` worker processes (files are independent),
    and write the verified repairs through the journal."""
    files = discover(project, paths)
    report = scan(project, files)
    use_history = method == "history" or (method == "auto" and is_work_tree(project.root))
    broken = [finding.path for finding in report.findings if finding.code in REPAIRABLE]
    if use_history and broken:
        history_env(project.root)  # once, before the workers that read it
    work = partial(_fix_one_safely, project, use_history=use_history, method=method,
                   rewrite_version_specific=rewrite_version_specific)
    workers = min(jobs or os.cpu_count() or 1, len(broken)) or 1
    verdicts: list[FileVerdict] = []
    if workers < 2:
        for path in broken:
            verdicts.append(work(path))
            if progress:
                progress(len(verdicts), len(broken))
    else:
        with ProcessPoolExecutor(workers, initializer=die_with_parent) as pool:
            for verdict in pool.map(work, broken):
                verdicts.append(verdict)
                if progress:
                    progress(len(verdicts), len(broken))
    _prove(project, [v for v in verdicts if v.fixed is not None], verify, python)
    fixed = [v for v in verdicts if v.fixed is not None]
    if fixed and not dry_run:
        with Journal(project.root).start(f"canon fix ({len(fixed)} files)") as run:
            # compare-and-swap: a file edited while canon fix ran is reported, never overwritten
            by_path = {project.root / v.path: v for v in fixed}
            for skipped in run.write_all([(path, v.fixed, v.original) for path, v in by_path.items()]):
                verdict = by_path[skipped.path]
                verdict.verdict, verdict.fixed, verdict.detail = "changed-during-run", None, skipped.reason
    return verdicts


def _prove(project: Project, fixed: list[FileVerdict], level: str, python: TargetPython | None) -> None:
    """Prove each repair as strongly as this environment allows (`migrate/prove.py`); drop the
    ones pytest contradicts."""
    from testcanon.migrate.prove import prove_repairs

    if not fixed:
        return
    proofs = prove_repairs(project, {v.path: (v.original, v.fixed) for v in fixed if v.fixed is not None},
                           level=level, python=python)
    for verdict in fixed:
        verdict.proof, problem = proofs.get(verdict.path, ("static", None))
        if problem is not None:
            verdict.verdict, verdict.fixed, verdict.proof = "unfixable", None, None
            verdict.detail = f"repair not written: {problem}"


def _fix_one_safely(project: Project, relpath: str, *, use_history: bool, method: str,
                    rewrite_version_specific: bool) -> FileVerdict:
    try:
        budget = Budget(project.config.file_time_budget, project.config.file_memory_budget)
        result = bounded(budget, _fix_one, project, relpath, use_history, method, rewrite_version_specific)
        if isinstance(result, OverBudget):
            return FileVerdict(relpath, "unfixable", f"{result.describe()}; left untouched", 0)
        return result
    except Exception as error:  # noqa: BLE001 - a bug in one strategy must not cost the other files
        return FileVerdict(relpath, "unfixable", f"internal error, left untouched (please report it): "
                           f"{type(error).__name__}: {error}", 0)


def _fix_one(project: Project, relpath: str, use_history: bool, method: str,
             rewrite_version_specific: bool) -> FileVerdict:
    started = time.perf_counter()
    original = (project.root / relpath).read_bytes()
    expected = names_in_broken(decode(original))
    verdict = FileVerdict(relpath, "unfixable", "", len(expected), original=original)
    history_reason = ""
    if is_version_specific(check_source(original), decode(original)):
        # Valid on a newer Python: not damage, so history must not revert it. Rewritten for the
        # target only on request (`--rewrite-version-specific`), by the local method.
        use_history = False
        if not rewrite_version_specific:
            verdict.verdict = "version-specific"
            verdict.detail = ("valid on Python 3.12+ (PEP 701 f-string); use --rewrite-version-specific to make it "
                              "compatible with the target")
            verdict.seconds = time.perf_counter() - started
            return verdict
    set_aside: set[str] = set()
    if use_history:
        by_history = history_expected(project.root, relpath, expected)
        set_aside = {name for _, name in expected - by_history}
        expected = by_history
        verdict.tests = len(expected)
        result = repair_with_history(project.root, relpath, original, expected,
                                     allow_version_rewrite=rewrite_version_specific)
        verdict.breaking = result.breaking
        if result.fixed is not None:
            verdict.verdict, verdict.detail, verdict.fixed = "fixed-by-history", result.how, result.fixed
            if result.refusals:  # say which candidates were not the author's code, and why
                verdict.detail += "; passed over as not the author's code: " + " | ".join(result.refusals[:3])
        history_reason = result.reason
    if verdict.fixed is None and method != "history":
        local = repair_local(original, allow_version_rewrite=rewrite_version_specific, expected=expected)
        against_intent = judge_intent(local.fixed, original) if local.fixed is not None else []
        if against_intent:  # no author's version here: judged against the broken file's own intent
            verdict.detail = "; ".join(r for r in (history_reason, "local repair refused as against the file's "
                                                   "intent: " + "; ".join(map(str, against_intent))) if r)
        elif local.fixed is not None:
            verdict.verdict, verdict.fixed, verdict.edits = "fixed-locally", local.fixed, local.edits
            verdict.detail = f"{len(local.edits)} edit(s)"
        elif local.version_specific:
            verdict.verdict, verdict.detail = "version-specific", local.reason
        else:
            verdict.detail = "; ".join(r for r in (history_reason, local.reason) if r)
    elif verdict.fixed is None:
        verdict.detail = history_reason
    if verdict.fixed is not None:
        verdict.changed_lines = changed_line_count(original, verdict.fixed)
        if set_aside:  # say so: the guarantee did not cover them
            verdict.detail += (f"; not counted as tests (the versions that compiled define them only nested in a "
                               f"function or inside a string): {', '.join(sorted(set_aside))}")
        gone = uncounted_gone(decode(original), expected, ast.parse(verdict.fixed)) - set_aside
        if gone:
            verdict.detail += (f"; no longer defined, not counted as tests (pytest collects none from them: an empty "
                               f"or helper Test* class, a function nested in another): "
                               f"{', '.join(sorted(gone))}")
    verdict.seconds = time.perf_counter() - started
    return verdict


def breaking_commits(verdicts: list[FileVerdict]) -> list[tuple[Breaking, int]]:
    counts = Counter((v.breaking.commit, v.breaking.date, v.breaking.subject) for v in verdicts if v.breaking)
    return [(Breaking(c, d, s, "", "", ""), n) for (c, d, s), n in counts.most_common()]
