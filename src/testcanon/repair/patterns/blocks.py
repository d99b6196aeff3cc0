"""Block structure damage: a compound statement's colon lost, a `try` left without its handler."""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.patterns.base import Edit, Site, exactly, pattern, starts
from testcanon.repair.patterns.text import indent_of


@pattern("P201", "lost-colon", rank=390, answers=(exactly("expected ':'"),),
         broken="""\
             def test_a()
                 pass
             """,
         repaired="""\
             def test_a():
                 pass
             """)
def lost_colon(site: Site) -> Iterator[Edit]:
    """A block opener that lost its colon: restored before the line's comment."""
    body = re.sub(r"\s*(#.*)?$", "", site.line)
    comment = site.line[len(body):].strip()
    yield Edit(site.index, site.index + 1, (body + ":" + (f"  {comment}" if comment else ""),),
               "restored a lost colon")


@pattern("P202", "try-without-handler", rank=400, answers=(starts("expected 'except' or 'finally' block"),),
         broken="""\
             def test_a():
                 try:
                     x = 1

                 assert x
             """,
         repaired="""\
             def test_a():
                 try:
                     x = 1

                 except Exception:
                     raise
                 assert x
             """)
def try_without_handler(site: Site) -> Iterator[Edit]:
    """A `try` whose handler a bulk edit deleted: an `except` that re-raises (failures still
    fail), else a `finally` that does nothing."""
    lines, index = site.lines, site.index
    opener = next((i for i in range(index - 1, -1, -1) if re.match(r"\s*try\s*:", lines[i])), None)
    if opener is not None:
        base = indent_of(lines[opener])
        yield Edit(index, index, (base + "except Exception:", base + site.unit + "raise"),
                   "restored the `except` handler a `try` lost (re-raises, so failures still fail)")
        yield Edit(index, index, (base + "finally:", base + site.unit + "pass"),
                   "restored a `finally` to a `try` that lost its handler")
