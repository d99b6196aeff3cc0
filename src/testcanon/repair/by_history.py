"""The history method's proposers: undo only what broke a file, keep every later edit.

In the order the fixer tries them (`HISTORY`):

1. revert the breaking commit's change to this file, three-way (`git merge-file`): the change
   bad -> good applied onto today's content, so later legitimate edits survive;
2. revert only its breaking hunks: keep each hunk of the breaking commit that leaves the file
   compiling, losing no test and not taking it further from the author's code;
3. restore the newest versions that compiled *and* held every test (up to three; the smallest
   change wins), replaying each later hunk that keeps the file compiling with its tests;
4. revert each recent commit alone (the fixer finishes a result that does not compile with
   the local search; the smallest change wins);
5. donors: each broken definition from the newest version where it compiled
   (`repair/local.py`, which owns the search that reassembles the file).

No proposer verifies: the fixer verifies each candidate once (`repair/choose.py`).
"""

from __future__ import annotations

import ast
import difflib
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

from testcanon.analysis.inventory import TestName, missing
from testcanon.repair.choose import choose
from testcanon.repair.context import Candidate, Note, Pick, Proposer, RepairContext
from testcanon.repair.history import TOMBSTONE_LINES, Breaking, FileHistory, Hunk, revert_by_hunks
from testcanon.repair.judge import commented_code_lines
from testcanon.repair.local import DONORS
from testcanon.repair.verdict import Outcome
from testcanon.vcs import merge_file

COMPLETE_VERSIONS = 3  # versions holding every test that `last_complete_version` tries
RECENT_COMMITS = 6
REVERTED = "reverted the breaking commit's change (three-way)"
HUNKS = "reverted only the breaking hunks of the commit"

Proposal = Generator[Candidate, None, Note | None]


def _history(ctx: RepairContext) -> FileHistory:
    assert ctx.history is not None, "history proposers run only with a history"
    return ctx.history


def revert_breaking(ctx: RepairContext) -> Proposal:
    found = _history(ctx).found
    if found is None:
        return None
    breaking, good, bad = found
    merged, clean = merge_file(ctx.original, bad, good)
    if clean:
        yield Candidate(merged, REVERTED, breaking=breaking)
    return None


def revert_breaking_hunks(ctx: RepairContext) -> Proposal:
    history = _history(ctx)
    if history.found is None:
        return None
    breaking, good, bad = history.found
    partial = revert_by_hunks(good, bad, set(ctx.expected), history.reference,
                              give_up=_conflicts_with_later_edits(ctx.original, good, bad))
    if partial is None:
        return None
    replayed, clean = merge_file(ctx.original, bad, partial)
    if clean:
        yield Candidate(replayed, HUNKS, breaking=breaking)
    if ctx.original == bad:
        yield Candidate(partial, HUNKS, breaking=breaking)
    return None


def _conflicts_with_later_edits(current: bytes, good: bytes, bad: bytes) -> Callable[[Hunk], bool]:
    """Whether a breaking hunk left reverted makes the three-way merge onto today's file
    conflict: then the partial revert is of no use (on the corpus, later commits edited nearly
    every line the breaking commit damaged, and the replay cost a third of a file's repair).
    A hunk next to or over a later edit (difflib's alignment) is asked of git itself: the merge
    of that one hunk's revert. Reverting more hunks only adds changes on that side of the merge."""
    good_lines = good.decode("utf-8", "replace").splitlines(keepends=True)
    bad_lines = bad.decode("utf-8", "replace").splitlines(keepends=True)
    current_lines = current.decode("utf-8", "replace").splitlines(keepends=True)
    later = [(j1, j2) for tag, j1, j2, _, _ in
             difflib.SequenceMatcher(None, bad_lines, current_lines, autojunk=False).get_opcodes()
             if tag != "equal"]

    def conflicts(hunk: Hunk) -> bool:
        _, i1, i2, j1, j2 = hunk
        if not any(start <= j2 and end >= j1 for start, end in later):
            return False
        reverted = "".join(bad_lines[:j1] + good_lines[i1:i2] + bad_lines[j2:]).encode()
        return not merge_file(current, bad, reverted)[1]

    return conflicts


def last_complete_version(ctx: RepairContext) -> Proposal:
    """A version that compiles *and* holds every test the file has today, with each later
    change (hunk by hunk) replayed when it keeps the file compiling.

    This undoes damage that arrived in several steps (tests commented out by one script,
    un-commented with flattened indentation by another, then mangled by a third) while keeping
    the later edits that are sound. The newest such versions are tried (a test that lost its
    indentation to the damage may be defined anywhere, as `verify` accepts)."""
    history = _history(ctx)
    if history.found is None:  # the damage is not committed, or nothing ever compiled
        return None
    tried = 0
    newer: tuple[str, str, str] | None = None
    for commit, path, date, subject in history.versions():
        content = history.show(commit, path)
        complete = content is not None and history.compiles(commit, path) \
            and not missing(set(ctx.expected), ast.parse(content)) \
            and not _tombstone(content, history)
        if content is None or not complete:
            newer = (commit, date, subject)
            continue
        tried += 1
        candidate = revert_by_hunks(content, ctx.original, set(ctx.expected), history.reference)
        bad = newer or (commit, date, subject)
        yield Candidate(candidate, f"restored the last version with every test ({commit[:10]}) and replayed "
                        "each later change that keeps it compiling",
                        label=f"restored the last version with every test ({commit[:10]})",
                        breaking=Breaking(bad[0], bad[1], bad[2], commit, path, ctx.path))
        newer = (commit, date, subject)
        if tried == COMPLETE_VERSIONS:
            break
    return None


def _tombstone(content: bytes, history: FileHistory) -> bool:
    """A version with TOMBSTONE_LINES more lines of code in comments than the author's: the judge
    would refuse it, so it does not take one of the versions tried (older ones are the author's)."""
    reference = history.reference
    return reference is not None and (commented_code_lines(content.decode("utf-8", "replace"))
                                      - reference.commented_code) >= TOMBSTONE_LINES


def revert_recent_commits(ctx: RepairContext) -> Proposal:
    """When the last compiling version predates new work (e.g. tests that were commented out,
    then restored with broken indentation, then mangled by a "fixer"), revert each recent
    commit's change alone, three-way onto today's content (finished by the local search)."""
    history = _history(ctx)
    recent = history.versions()[: RECENT_COMMITS + 1]
    versions = [(commit, date, subject, history.show(commit, path)) for commit, path, date, subject in recent]
    for (commit, date, subject, after), (older, _, _, before) in zip(versions, versions[1:], strict=False):
        if after is None or before is None or after == before:
            continue
        merged, clean = merge_file(ctx.original, after, before)
        if clean:
            breaking = Breaking(commit, date, subject, older, ctx.path, ctx.path)
            how = f"reverted commit {commit[:10]}'s change"
            yield Candidate(merged, how, breaking=breaking, unfinished=True)
    return None


HISTORY: tuple[Proposer, ...] = (
    Proposer("revert-breaking-commit", Outcome.FIXED_BY_HISTORY, revert_breaking),
    Proposer("revert-breaking-hunks", Outcome.FIXED_BY_HISTORY, revert_breaking_hunks),
    Proposer("last-complete-version", Outcome.FIXED_BY_HISTORY, last_complete_version, Pick.SMALLEST),
    Proposer("revert-recent-commit", Outcome.FIXED_BY_HISTORY, revert_recent_commits, Pick.SMALLEST),
    DONORS,
)


def why_not(ctx: RepairContext, refusals: tuple[str, ...]) -> str:
    """Why the history method found no repair, for the verdict."""
    if ctx.breaking is None:
        return ("no committed version that compiles (or the damage is not committed), and no version where "
                "each broken definition compiled")
    reason = ("reverting the breaking commit does not verify (tests would be lost or the result does not "
              "compile)")
    if refusals:
        reason += "; refused as not the author's code: " + " | ".join(refusals[:3])
    return reason


@dataclass(frozen=True)
class HistoryResult:
    fixed: bytes | None
    breaking: Breaking | None
    how: str
    reason: str = ""
    refusals: tuple[str, ...] = ()  # candidates passed over because they are not the author's code


def repair_with_history(root: Path, relpath: str, current: bytes, expected: set[TestName], *,
                        rewrite_version_specific: bool = False) -> HistoryResult:
    """The history method alone on one file (what `canon fix` runs first in a git repository).
    `rewrite_version_specific`: definitions valid only on Python 3.12+ may be rewritten for the
    target where the local search finishes a repair."""
    ctx = RepairContext(root, relpath, current, frozenset(expected), frozenset(), FileHistory(root, relpath),
                        rewrite_version_specific, False, sys.version_info[:2])
    choice = choose(ctx, HISTORY)
    if choice.candidate is None:
        return HistoryResult(None, ctx.breaking, "", why_not(ctx, choice.refusals), choice.refusals)
    return HistoryResult(choice.candidate.source, choice.candidate.breaking, choice.candidate.how, "",
                         choice.refusals)
