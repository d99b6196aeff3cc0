"""The local method: repair a file from its own text, guided by the interpreter's errors.

A best-first search: from the broken text, each step tries the candidate edits for the
current first error and keeps the ones that make it compile or move the first error further
down the file; the cheapest sequence of edits that compiles *and* passes `verify` wins.
Byte-level damage (NUL bytes, undecodable text) is repaired first.
"""

from __future__ import annotations

import heapq
import io
import re
import tokenize
from dataclasses import dataclass, field

from testcanon.repair.inventory import TestName, names_in_broken
from testcanon.repair.strategies import Edit, candidates
from testcanon.repair.verify import decode, verify
from testcanon.syntax import check_source
from testcanon.syntax.compile_check import Problem

MAX_EXPANSIONS = 400


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


def is_version_specific(problem: Problem | None, text: str) -> bool:
    """A PEP 701 f-string (3.12+): nested same-kind quotes inside a replacement field."""
    if problem is None or not problem.message.startswith("f-string"):
        return False
    line = text.splitlines()[problem.line - 1] if problem.line - 1 < len(text.splitlines()) else ""
    return bool(re.search(r"[fF](\"|')[^\"']*\{[^}]*\1", line))


def repair_local(data: bytes, *, allow_version_rewrite: bool = False,
                 expected: set[TestName] | None = None) -> LocalResult:
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
    if is_version_specific(problem, text) and not allow_version_rewrite:
        return LocalResult(None, notes, "version-specific: valid on Python 3.12+ (PEP 701 f-string); "
                           "use --rewrite-version-specific to make it compatible", version_specific=True)

    def encode(lines: list[str]) -> bytes:
        body = "\n".join(lines) + ("\n" if text.endswith("\n") else "")
        return body.encode(codec, "replace")

    start = text.splitlines()
    counter = 0
    frontier: list[tuple[int, int, int, list[str], list[str]]] = [(0, 0, counter, start, [])]
    seen = {tuple(start)}
    best_failure = "no candidate edit made progress"
    expansions = 0
    while frontier and expansions < MAX_EXPANSIONS:
        cost, _, _, lines, whys = heapq.heappop(frontier)
        expansions += 1
        current = check_source(encode(lines))
        if current is None:
            candidate = encode(lines)
            verdict = verify(data, candidate, expected=expected)
            if verdict.ok:
                return LocalResult(candidate, [*notes, *whys])
            best_failure = verdict.reason
            continue
        for edit in candidates(lines, current):
            new_lines = edit.apply(lines)
            key = tuple(new_lines)
            if key in seen:
                continue
            seen.add(key)
            after = check_source(encode(new_lines))
            if after is not None and (after.line, after.column) <= (current.line, current.column) \
                    and after.message == current.message:
                continue  # no progress on this error
            penalty = 50 if "could not be repaired" in edit.why else 0
            counter += 1
            progress = -(after.line if after else 10**9)
            heapq.heappush(frontier, (cost + edit.cost + penalty, progress, counter, new_lines,
                                      [*whys, f"line {edit.start + 1}: {edit.why}"]))
    return LocalResult(None, notes, f"no verified repair found ({best_failure})")


def first_edit_line(edit: Edit) -> int:
    return edit.start + 1
