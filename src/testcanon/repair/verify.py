"""The guarantees every repair must meet before anything is written."""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

from testcanon.analysis.inventory import TestName, missing, names_in_broken
from testcanon.syntax import check_source


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str
    tests: int
    changed_lines: int


def decode(data: bytes) -> str:
    return data.decode("utf-8", "replace").replace("\0", "")


def verify(original: bytes, candidate: bytes, *, expected: set[TestName] | None = None,
           parse_only: bool = False) -> Verdict:
    """1. it compiles; 2. no test of the broken file is lost (nor moved out of its class).

    `parse_only` for a fragment (one definition repaired alone): the whole file it goes back
    into is verified in full."""
    expected = names_in_broken(decode(original)) if expected is None else expected
    problem = check_source(candidate, "<candidate>", parse_only=parse_only)
    changed = changed_line_count(original, candidate)
    if problem is not None:
        why = f"does not compile: {problem.message} (line {problem.line})"
        return Verdict(False, why, len(expected), changed)
    tree = ast.parse(candidate)
    lost = missing(expected, tree)
    if lost:
        names = ", ".join(f"{c}.{n}" if c else n for c, n in sorted(lost, key=str)[:5])
        return Verdict(False, f"would lose {len(lost)} test(s): {names}", len(expected), changed)
    return Verdict(True, "compiles; every test kept", len(expected), changed)


def changed_line_count(before: bytes, after: bytes) -> int:
    a = before.decode("utf-8", "replace").splitlines()
    b = after.decode("utf-8", "replace").splitlines()
    count = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            count += max(i2 - i1, j2 - j1)
    return count
