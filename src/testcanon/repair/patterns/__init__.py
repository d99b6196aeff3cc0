"""The catalogue of damage patterns the local repair searches with, one module per family.

`candidates(lines, problem)` yields every registered pattern's edits for the first compile
error, in rank order (the search's tie-break). Adding a pattern is one `@pattern(...)` unit,
with its own example, in its family's module (docs/fix.md's table is generated from them:
`python -m testcanon.repair.patterns.docs`).
"""

from __future__ import annotations

from collections.abc import Iterator

from testcanon.repair.patterns import (
    blocks,
    brackets,
    docstring_closers,
    docstrings,
    indentation,
    script_damage,
    strings,
)
from testcanon.repair.patterns.base import REGISTRY, Edit, Pattern, Site
from testcanon.syntax.compile_check import Problem

FAMILIES = (indentation, blocks, brackets, strings, docstrings, docstring_closers, script_damage)


def candidates(lines: list[str], problem: Problem) -> Iterator[Edit]:
    """Candidate edits for `problem` (the first compile error of `lines`), best-ranked first."""
    site = Site(lines, problem)
    for known in REGISTRY:
        if known.applies(problem):
            yield from known.propose(site)


__all__ = ["FAMILIES", "REGISTRY", "Edit", "Pattern", "Site", "candidates"]
