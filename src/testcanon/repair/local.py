"""The local method: repair a file from its own text, guided by the interpreter's errors.

A best-first search: from the broken text, each step tries the candidate edits for the
current first error and keeps the ones that make it compile or move the first error further
down the file; the cheapest sequence of edits that compiles *and* passes `verify` wins.
Byte-level damage (NUL bytes, undecodable text) is repaired first.
"""

from __future__ import annotations

import ast
import functools
import heapq
import io
import tokenize
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field

from testcanon.analysis.inventory import TestName, names_in_broken
from testcanon.repair.context import Candidate, Note, Proposer, RepairContext
from testcanon.repair.newer import LOCAL_REASON, definition_reason, newer_definition, newer_file
from testcanon.repair.patterns import candidates
from testcanon.repair.pep701 import rewrite_fstrings
from testcanon.repair.units import repair_by_units
from testcanon.repair.verdict import Outcome
from testcanon.repair.verify import decode, verify
from testcanon.syntax import check_source

MAX_EXPANSIONS = 400  # closing the seams after a unit-by-unit repair: worth a longer search
FIRST_PASS_EXPANSIONS = 120  # repairs found at all are found early; a failing file should fail fast
UNIT_EXPANSIONS = 100


@dataclass
class LocalResult:
    fixed: bytes | None
    edits: list[str] = field(default_factory=list)
    reason: str = ""
    version_specific: bool = False


def _bytes_stage(data: bytes) -> tuple[bytes, list[str]]:
    notes = []
    if b"\0" in data:
        data = data.replace(b"\0", b"")
        notes.append("removed NUL bytes")
    problem = check_source(data)
    if problem is not None and problem.kind == "encoding-error" and "no encoding declared" in problem.message:
        try:
            data.decode("cp1252")
            codec = "cp1252"
        except UnicodeDecodeError:
            codec = "latin-1"
        lines = data.split(b"\n")
        at = 1 if lines and lines[0].startswith(b"#!") else 0
        lines.insert(at, f"# -*- coding: {codec} -*-".encode())
        data = b"\n".join(lines)
        notes.append(f"declared the file's {codec} encoding (PEP 263)")
    return data, notes


def repair_local(data: bytes, *, rewrite_version_specific: bool = False,
                 expected: set[TestName] | None = None, donors: Sequence[str] = (),
                 unmended: list[str] | None = None) -> LocalResult:
    """Repair from the file alone (`donors`: earlier versions that compiled, in history mode;
    `unmended`: filled with every definition no edit mends, instead of stopping at the first)."""
    expected = names_in_broken(decode(data)) if expected is None else expected
    staged, notes = _bytes_stage(data)
    try:  # the file's own encoding (PEP 263 cookie or BOM), so edits re-encode it faithfully
        codec, _ = tokenize.detect_encoding(io.BytesIO(staged).readline)
        "".encode(codec)
    except (SyntaxError, LookupError):
        codec = "utf-8"
    text = staged.decode(codec, "replace")
    problem = check_source(staged)
    if problem is None:
        verdict = verify(data, staged, expected=expected)
        return LocalResult(staged if verdict.ok else None, notes, "" if verdict.ok else verdict.reason)
    if newer_file(problem, text):
        if not rewrite_version_specific:
            return LocalResult(None, notes, LOCAL_REASON, version_specific=True)
        rewritten = rewrite_fstrings(text)
        if rewritten is not None:
            candidate = rewritten[0].encode(codec, "replace")
            if check_source(candidate) is None and verify(data, candidate, expected=expected).ok:
                return LocalResult(candidate, [*notes, f"rewrote {rewritten[1]} Python 3.12 f-string(s) for "
                                               "the target (other quotes inside, else a str.format call)"])

    def encode(lines: list[str]) -> bytes:
        body = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
        return body.encode(codec, "replace")

    failure = "no candidate edit made progress"
    if not donors:  # with donors, what each definition was beats any edit the search can guess
        fixed, whys, failure = _search(text.splitlines(), encode, data, expected, FIRST_PASS_EXPANSIONS)
        if fixed is not None:
            return LocalResult(fixed, [*notes, *whys])
    # Damaged in many places: mend definition by definition, then close the seams.
    newer_syntax: list[str] = []  # definitions valid only on Python 3.12+, not rewritten

    def mend_unit(unit_text: str, definition: bool) -> str | None:
        rewritten = newer_definition(unit_text)  # a definition using PEP 701 f-strings is not damage
        if rewritten is not None:
            if not rewrite_version_specific:
                newer_syntax.append(unit_text.split("(", 1)[0].strip())
                return None
            return rewritten
        unit_lines = unit_text.splitlines()
        unit_bytes = unit_text.encode("utf-8", "replace")
        result, _, _ = _search(unit_lines, lambda ls: ("\n".join(ls) + "\n").encode("utf-8", "replace"),
                               unit_bytes, names_in_broken(unit_text), UNIT_EXPANSIONS,
                               accept=functools.partial(_one_definition, unit_bytes) if definition else None,
                               parse_only=True)
        return result.decode("utf-8", "replace") if result is not None else None

    assembled, unit_notes = repair_by_units(text, mend_unit, donors, unmended=unmended)
    if assembled is None and newer_syntax:
        return LocalResult(None, notes, definition_reason(newer_syntax[0]), version_specific=True)
    if assembled is None:
        return LocalResult(None, notes, f"no verified repair found ({failure}; {unit_notes[-1]})")
    candidate = encode(assembled.splitlines())
    if check_source(candidate) is None:
        verdict = verify(data, candidate, expected=expected)
        if verdict.ok:
            return LocalResult(candidate, [*notes, *unit_notes])
        failure = verdict.reason
    else:
        fixed, whys, _ = _search(assembled.splitlines(), encode, data, expected, MAX_EXPANSIONS)
        if fixed is not None:
            return LocalResult(fixed, [*notes, *unit_notes, *whys])
    return LocalResult(None, notes, f"no verified repair found ({failure})")


def _one_definition(unit: bytes, candidate: bytes) -> bool:
    """A definition's unit must stay one definition: its body may not spill out of it.

    A unit runs to the next definition, so module code may follow its definition (a module
    docstring and imports after a class a script put on top of the file): statements after
    the definition are accepted only if the repair moved no line out to column 0."""
    body = ast.parse(candidate).body
    if not body or not isinstance(body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return False
    return len(body) == 1 or _at_column_0(candidate) <= _at_column_0(unit)


def _at_column_0(text: bytes) -> int:
    """Lines of code at column 0, the definition's own line aside."""
    return sum(1 for line in text.splitlines()[1:]
               if line.strip() and not line[:1].isspace() and not line.startswith(b"#"))


def _search(start: list[str], encode: Callable[[list[str]], bytes], original: bytes,
            expected: set[TestName], budget: int,
            accept: Callable[[bytes], bool] | None = None,
            parse_only: bool = False) -> tuple[bytes | None, list[str], str]:
    """Best-first over candidate edits for the first error: (verified result, edits, why not)."""
    counter = 0
    frontier: list[tuple[int, int, int, list[str], list[str]]] = [(0, 0, counter, start, [])]
    seen = {tuple(start)}
    best_failure = "no candidate edit made progress"
    expansions = 0
    while frontier and expansions < budget:
        cost, _, _, lines, whys = heapq.heappop(frontier)
        expansions += 1
        current = check_source(encode(lines), parse_only=parse_only)
        if current is None:
            candidate = encode(lines)
            verdict = verify(original, candidate, expected=expected, parse_only=parse_only)
            if verdict.ok and (accept is None or accept(candidate)):
                return candidate, whys, ""
            best_failure = verdict.reason if not verdict.ok else "a definition's body would spill out of it"
            continue
        for edit in candidates(lines, current):
            new_lines = edit.apply(lines)
            key = tuple(new_lines)
            if key in seen:
                continue
            seen.add(key)
            after = check_source(encode(new_lines), parse_only=parse_only)
            if after is not None and (after.line, after.column) <= (current.line, current.column) \
                    and after.message == current.message:
                continue  # no progress on this error
            counter += 1
            progress = -(after.line if after else 10**9)
            heapq.heappush(frontier, (cost + edit.cost, progress, counter, new_lines,
                                      [*whys, f"line {edit.start + 1}: {edit.why}"]))
    return None, [], best_failure


def propose_local(ctx: RepairContext) -> Generator[Candidate, None, Note | None]:
    """The local method: the search on the file's own text."""
    result = repair_local(ctx.original, rewrite_version_specific=ctx.rewrite_version_specific,
                          expected=set(ctx.expected))
    if result.fixed is None:
        return Note(result.reason, result.version_specific)
    yield Candidate(result.fixed, f"{len(result.edits)} edit(s)", edits=tuple(result.edits))
    return None


def propose_donors(ctx: RepairContext) -> Generator[Candidate, None, Note | None]:
    """History's last resort: each broken definition taken from the newest version where it
    compiled; definitions that compile today (new or legitimately edited tests) stay as they
    are. This keeps the new work when the damage arrived together with it, over several commits."""
    donors = ctx.history.donors(ctx.original) if ctx.history is not None else []
    if not donors:
        return None
    result = repair_local(ctx.original, expected=set(ctx.expected), donors=donors,
                          rewrite_version_specific=ctx.rewrite_version_specific)
    if result.fixed is None:
        return None
    restored = sum(1 for note in result.edits if "restored from" in note)
    yield Candidate(result.fixed, f"restored {restored} broken definition(s) from the last version where "
                    "each compiled, kept the ones that compile today", breaking=ctx.breaking)
    return None


LOCAL = Proposer("local", Outcome.FIXED_LOCALLY, propose_local, judged=False)
DONORS = Proposer("donors", Outcome.FIXED_BY_HISTORY, propose_donors)
