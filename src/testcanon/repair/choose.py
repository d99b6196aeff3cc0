"""Propose, verify, choose: the one place a candidate repair is verified.

Each proposer (in order) yields candidates; each candidate is verified once: it compiles on
the target, keeps every expected test (`repair/verify.py`) and, for the proposers that are
judged, is the author's code (`repair/judge.py`, against the last good version; for the
local search, which has no such version, not against the broken file's own intent). The first
proposer with a verified candidate wins; within it the first, or the one that changes the
file least (`Pick.SMALLEST`). A candidate marked unfinished (a revert that does not compile
yet) is first finished by the local search.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from testcanon.repair.context import Candidate, Note, Pick, Proposer, RepairContext
from testcanon.repair.judge import judge, judge_intent
from testcanon.repair.local import repair_local
from testcanon.repair.verify import changed_line_count, verify
from testcanon.syntax import check_source


@dataclass(frozen=True)
class Choice:
    candidate: Candidate | None  # None: no proposer's candidate verified
    proposer: Proposer | None
    refusals: tuple[str, ...]  # candidates that verified but are not the author's code, and why
    against_intent: tuple[str, ...]  # unjudged (local) candidates refused as against the broken file's intent
    notes: dict[str, Note]  # why each proposer that found nothing found nothing, by proposer name


def choose(ctx: RepairContext, proposers: tuple[Proposer, ...]) -> Choice:
    refusals: list[str] = []
    against_intent: list[str] = []
    notes: dict[str, Note] = {}
    for proposer in proposers:
        best: tuple[int, Candidate] | None = None
        proposal = proposer.propose(ctx)
        while True:
            try:
                candidate: Candidate | None = next(proposal)
            except StopIteration as stop:
                if stop.value is not None:
                    notes[proposer.name] = stop.value
                break
            if candidate is not None and candidate.unfinished:
                candidate = _finish(ctx, candidate)
            if candidate is None or not _accepts(ctx, candidate, proposer.judged,
                                                      refusals if proposer.judged else against_intent):
                continue
            if proposer.pick is Pick.FIRST:
                proposal.close()
                return Choice(candidate, proposer, tuple(refusals), tuple(against_intent), notes)
            cost = changed_line_count(ctx.original, candidate.source)
            if best is None or cost < best[0]:
                best = (cost, candidate)
        if best is not None:
            return Choice(best[1], proposer, tuple(refusals), tuple(against_intent), notes)
    return Choice(None, None, tuple(refusals), tuple(against_intent), notes)


def _accepts(ctx: RepairContext, candidate: Candidate, judged: bool, refusals: list[str]) -> bool:
    """Verification, once: compiles, keeps every expected test; then the author's judgement."""
    if not verify(ctx.original, candidate.source, expected=set(ctx.expected)).ok:
        return False
    if judged:
        refused = judge(candidate.source, ctx.history.reference) if ctx.history is not None else []
    else:  # no author's version to judge against: the broken file's own intent (a quoted string stays one)
        refused = judge_intent(candidate.source, ctx.original)
    if refused:
        refusals.append(f"{candidate.name}: " + "; ".join(map(str, refused)))
        return False
    return True


def _finish(ctx: RepairContext, candidate: Candidate) -> Candidate | None:
    """A candidate that does not compile yet, finished by the local search (None: it cannot be)."""
    if check_source(candidate.source) is None:
        return replace(candidate, unfinished=False)
    local = repair_local(candidate.source, expected=set(ctx.expected),
                         rewrite_version_specific=ctx.rewrite_version_specific)
    if local.fixed is None:
        return None
    how = candidate.how + f", then {len(local.edits)} local edit(s)"
    return replace(candidate, source=local.fixed, how=how, unfinished=False)
