"""Docstrings left open: a stray triple quote removed, or the docstring closed on its line or
before the next definition (family: docstrings)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.patterns.base import Edit, Site, pattern, starts
from testcanon.repair.patterns.text import indent_of

FAMILY = "docstrings"
_UNTERMINATED_TRIPLE = starts("unterminated triple-quoted string literal")


def _triple(line: str) -> str:
    return '"""' if '"""' in line else "'''"


@pattern("P506", "stray-triple-quote", rank=310, answers=(_UNTERMINATED_TRIPLE,),
         broken='''\
             def test_a():
                 """Checks the flow."""
                 x = 1 """
                 assert x
             ''',
         repaired='''\
             def test_a():
                 """Checks the flow."""
                 x = 1
                 assert x
             ''')
def stray_triple_quote(site: Site) -> Iterator[Edit]:
    """A triple quote that ends its line and opens nothing that closes: left by a split
    docstring, removed."""
    line, index = site.line, site.index
    quote = _triple(line)
    position = line.find(quote)
    if position >= 0 and not line[position + 3:].strip():
        yield Edit(index, index + 1, (line[:position].rstrip(),) if line[:position].strip() else (),
                   "removed a stray triple quote left by a split docstring")


@pattern("P507", "docstring-closed-on-its-line", rank=320, answers=(_UNTERMINATED_TRIPLE,),
         broken='''\
             def test_a():
                 """Checks the flow.
                 assert True
             ''',
         repaired='''\
             def test_a():
                 """Checks the flow."""
                 assert True
             ''')
def docstring_closed_on_its_line(site: Site) -> Iterator[Edit]:
    """A docstring that never closes: closed at the end of the line that opens it."""
    line = site.line
    quote = _triple(line)
    if line.find(quote) >= 0:
        yield Edit(site.index, site.index + 1, (line.rstrip() + quote,), "closed a docstring on its own line")


@pattern("P508", "docstring-closed-before-definition", rank=330, answers=(_UNTERMINATED_TRIPLE,),
         broken='''\
             """Module docs.

             More text.

             def test_a():
                 assert True
             ''',
         repaired='''\
             """Module docs.

             More text.
             """

             def test_a():
                 assert True
             ''')
def docstring_closed_before_definition(site: Site) -> Iterator[Edit]:
    """A docstring that never closes: closed before the blank line that precedes the next
    definition or import."""
    lines, index = site.lines, site.index
    quote = _triple(site.line)
    for end in range(index + 1, min(index + 60, len(lines))):
        if not lines[end].strip() and end + 1 < len(lines) and re.match(r"\s*(def|class|import|from|@)\b",
                                                                          lines[end + 1]):
            yield Edit(end, end, (indent_of(site.line) + quote,),
                       "closed a docstring before the next definition")
            break
