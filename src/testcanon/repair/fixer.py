"""`canon fix`: repair every file `canon scan` reports, verify, journal, report.

Per file: build its `RepairContext` once, run the proposers in order (history's, then the
local method's; `repair/choose.py` verifies each candidate once and chooses), and turn the
choice into a `FileVerdict` whose `verdict` is an `Outcome`."""

from __future__ import annotations

import ast
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from testcanon.analysis.inventory import uncounted_gone
from testcanon.config import Project
from testcanon.journal import Journal, PlannedWrite
from testcanon.limits import Budget, OverBudget, bounded, worker_pool
from testcanon.repair.by_history import HISTORY, why_not
from testcanon.repair.choose import choose
from testcanon.repair.context import Proposer, RepairContext
from testcanon.repair.history import Breaking
from testcanon.repair.local import LOCAL
from testcanon.repair.newer import FILE_DETAIL
from testcanon.repair.verdict import Outcome, Reason
from testcanon.repair.verify import changed_line_count, decode
from testcanon.source import discover
from testcanon.syntax import scan
from testcanon.syntax.compile_check import COMPILE_FAILURE_CODES
from testcanon.target import TargetPython
from testcanon.vcs import is_work_tree
from testcanon.vcs.graph import history_env

_log = logging.getLogger(__name__)

REPAIRABLE = COMPILE_FAILURE_CODES  # every compile failure is a candidate for repair


@dataclass
class FileVerdict:
    path: str
    verdict: Outcome
    detail: str
    tests: int
    changed_lines: int = 0
    edits: list[str] = field(default_factory=list)
    breaking: Breaking | None = None
    seconds: float = 0.0
    original: bytes = b""
    fixed: bytes | None = None
    proof: str | None = None  # collected or static (`canon fix --verify`); None when not fixed
    reason: Reason | None = None  # why no repair is written; None when fixed

    @property
    def write(self) -> PlannedWrite | None:
        """The repair as the journal writes it (None: nothing to write)."""
        if self.fixed is None:
            return None
        return PlannedWrite(Path(self.path), self.original, self.fixed, f"{self.verdict}: {self.detail}")

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"path": self.path, "verdict": self.verdict, "detail": self.detail,
                                   "tests_preserved": self.tests if self.fixed else None,
                                   "changed_lines": self.changed_lines, "edits": self.edits,
                                   "seconds": round(self.seconds, 4), "proof": self.proof,
                                   "reason": self.reason}
        if self.breaking:
            data["breaking_commit"] = {"hash": self.breaking.commit, "date": self.breaking.date,
                                       "subject": self.breaking.subject}
        return data


def fix_files(project: Project, paths: Sequence[Path | str] = (), *, method: str = "auto",
              dry_run: bool = False, rewrite_version_specific: bool = False, jobs: int | None = None,
              progress: Callable[[int, int], None] | None = None, verify: str = "collect",
              python: TargetPython | None = None,
              stage: Callable[[str], AbstractContextManager[object]] | None = None) -> list[FileVerdict]:
    """Repair every file `canon scan` reports, in `jobs` worker processes (files are independent),
    and write the verified repairs through the journal. `stage(text)` surrounds a step that
    reports no progress of its own (the proof: one pytest collection that may take minutes)."""
    started = time.perf_counter()
    files = discover(project, paths)
    report = scan(project, files)
    use_history = method == "history" or (method == "auto" and is_work_tree(project.root))
    broken = [finding.path for finding in report.findings if finding.code in REPAIRABLE]
    if use_history and broken:
        history_env(project.root)  # once, before the workers that read it
    work = partial(_fix_one_safely, project, use_history=use_history, method=method,
                   rewrite_version_specific=rewrite_version_specific)
    workers = min(jobs or os.cpu_count() or 1, len(broken)) or 1
    _log.info("repairing %d file(s) that do not compile, %d at a time", len(broken), workers)
    verdicts: list[FileVerdict] = []
    if workers < 2:
        for path in broken:
            verdicts.append(work(path))
            if progress:
                progress(len(verdicts), len(broken))
    else:
        with worker_pool(workers) as pool:
            # the largest files first: a long repair started last would leave one worker busy alone
            largest_first = sorted(broken, key=partial(_size, project.root), reverse=True)
            futures = {path: pool.submit(work, path) for path in largest_first}
            for done, _ in enumerate(as_completed(futures.values()), start=1):
                if progress:
                    progress(done, len(broken))
            verdicts = [futures[path].result() for path in broken]
    repaired = [v for v in verdicts if v.fixed is not None]
    _log.info("repaired %d of %d file(s) in %.0fs", len(repaired), len(broken), time.perf_counter() - started)
    if repaired and verify != "static":
        proving = time.perf_counter()
        what = f"proving {len(repaired)} repair(s): pytest collects them in an isolated copy"
        _log.info(what)
        with (stage or _no_stage)(what):
            _prove(project, repaired, verify, python)
        _log.info("proved the repairs in %.0fs", time.perf_counter() - proving)
    else:
        _prove(project, repaired, verify, python)
    fixed = [v for v in verdicts if v.fixed is not None]
    if fixed and not dry_run:
        with Journal(project.root).start(f"canon fix ({len(fixed)} files)") as run:
            # compare-and-swap: a file edited while canon fix ran is reported, never overwritten
            by_path = {Path(v.path): v for v in fixed}
            for skipped in run.apply(v.write for v in by_path.values() if v.write is not None):
                verdict = by_path[skipped.path]
                verdict.verdict, verdict.fixed = Outcome.CHANGED_DURING_RUN, None
                verdict.detail = skipped.reason
                verdict.reason = Reason.CHANGED_DURING_RUN
    return verdicts


def _no_stage(_text: str) -> AbstractContextManager[object]:
    return nullcontext()


def _size(root: Path, relpath: str) -> int:
    try:
        return (root / relpath).stat().st_size
    except OSError:
        return 0


def _prove(project: Project, fixed: list[FileVerdict], level: str, python: TargetPython | None) -> None:
    """Prove each repair as strongly as this environment allows (`migrate/prove.py`); drop the
    ones pytest contradicts."""
    from testcanon.repair.proof import RepairProof, prove_repairs

    if not fixed:
        return
    proofs = prove_repairs(project, {v.path: (v.original, v.fixed) for v in fixed if v.fixed is not None},
                           level=level, python=python)
    for verdict in fixed:
        proof = proofs.get(verdict.path, RepairProof("static"))
        verdict.proof = proof.proof
        if proof.problem is not None:
            verdict.verdict, verdict.fixed, verdict.proof = Outcome.UNFIXABLE, None, None
            verdict.reason = Reason.NOT_PROVEN
            verdict.detail = f"repair not written: {proof.problem}"
        if proof.note is not None:
            verdict.detail = f"{verdict.detail}; {proof.note}"


def _fix_one_safely(project: Project, relpath: str, *, use_history: bool, method: str,
                    rewrite_version_specific: bool) -> FileVerdict:
    try:
        budget = Budget(project.config.file_time_budget, project.config.file_memory_budget)
        result = bounded(budget, _fix_one, project, relpath, use_history, method, rewrite_version_specific)
        if isinstance(result, OverBudget):
            return FileVerdict(relpath, Outcome.UNFIXABLE, f"{result.describe()}; left untouched", 0,
                               reason=Reason.OVER_BUDGET)
        return result
    except Exception as error:  # noqa: BLE001 - a bug in one strategy must not cost the other files
        return FileVerdict(relpath, Outcome.UNFIXABLE, f"internal error, left untouched (please report it): "
                           f"{type(error).__name__}: {error}", 0, reason=Reason.INTERNAL_ERROR)


def _fix_one(project: Project, relpath: str, use_history: bool, method: str,
             rewrite_version_specific: bool) -> FileVerdict:
    started = time.perf_counter()
    original = (project.root / relpath).read_bytes()
    ctx = RepairContext.build(project.root, relpath, original, use_history=use_history,
                              rewrite_version_specific=rewrite_version_specific)
    verdict = _verdict(ctx, method)
    verdict.seconds = time.perf_counter() - started
    return verdict


def proposers(ctx: RepairContext, method: str) -> tuple[Proposer, ...]:
    """History's proposers in a repository (not for a file valid on a newer Python), then the
    local method's unless `--method history`."""
    return (*(HISTORY if ctx.history is not None else ()), *((LOCAL,) if method != "history" else ()))


def _verdict(ctx: RepairContext, method: str) -> FileVerdict:
    verdict = FileVerdict(ctx.path, Outcome.UNFIXABLE, "", len(ctx.expected), original=ctx.original,
                          breaking=ctx.breaking)
    if ctx.version_specific and not ctx.rewrite_version_specific:
        verdict.verdict, verdict.detail = Outcome.VERSION_SPECIFIC, FILE_DETAIL
        verdict.reason = Reason.NEWER_PYTHON
        return verdict
    choice = choose(ctx, proposers(ctx, method))
    chosen = choice.candidate
    if chosen is None or choice.proposer is None:
        local = choice.notes.get(LOCAL.name)
        if local is not None and local.version_specific:
            verdict.verdict, verdict.detail = Outcome.VERSION_SPECIFIC, local.reason
            verdict.reason = Reason.NEWER_PYTHON
            return verdict
        reasons = [why_not(ctx, choice.refusals) if ctx.history is not None else "",
                   "local repair refused as against the file's intent: " + " | ".join(choice.against_intent)
                   if choice.against_intent else local.reason if local else ""]
        verdict.detail, verdict.reason = "; ".join(r for r in reasons if r), Reason.NO_VERIFIED_REPAIR
        return verdict
    verdict.verdict, verdict.fixed, verdict.detail = choice.proposer.outcome, chosen.source, chosen.how
    verdict.edits = list(chosen.edits)
    if choice.proposer.outcome is Outcome.FIXED_BY_HISTORY:
        verdict.breaking = chosen.breaking
        if choice.refusals:  # say which candidates were not the author's code, and why
            verdict.detail += "; passed over as not the author's code: " + " | ".join(choice.refusals[:3])
    verdict.changed_lines = changed_line_count(ctx.original, chosen.source)
    if ctx.set_aside:  # say so: the guarantee did not cover them
        verdict.detail += ("; not counted as tests (the versions that compiled define them only nested in a "
                           "function, inside a string, or where pytest collects nothing: a property, a class "
                           f"pytest declines or one with no test): {', '.join(sorted(ctx.set_aside))}")
    gone = uncounted_gone(decode(ctx.original), set(ctx.expected), ast.parse(chosen.source)) - ctx.set_aside
    if gone:
        verdict.detail += ("; no longer defined, not counted as tests (pytest collects none from them: an "
                           "empty or helper Test* class, a function nested in another): "
                           f"{', '.join(sorted(gone))}")
    return verdict


def breaking_commits(verdicts: list[FileVerdict]) -> list[tuple[Breaking, int]]:
    counts = Counter((v.breaking.commit, v.breaking.date, v.breaking.subject) for v in verdicts if v.breaking)
    return [(Breaking(c, d, s, "", "", ""), n) for (c, d, s), n in counts.most_common()]
