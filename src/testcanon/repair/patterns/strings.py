"""String damage: quotes moved to the end of their line or stripped, a string split at its `\\n`
escapes, an unterminated string, a Python 3.12 f-string."""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.brackets import code_positions
from testcanon.repair.patterns.base import Edit, Site, pattern, starts
from testcanon.repair.patterns.text import code_line_before, reads_as_code
from testcanon.repair.pep701 import swap_field_quotes
from testcanon.repair.quotes import moved_quote_candidates, moved_quotes_everywhere, quote_stripped_arguments

_UNTERMINATED = starts("unterminated string literal")


@pattern("P401", "split-at-escapes", rank=50, answers=(_UNTERMINATED,),
         broken="""\
             def test_a():
                 print("
             " + "=" * 60)
             """,
         repaired="""\
             def test_a():
                 print("\\n" + "=" * 60)
             """)
def split_at_escapes(site: Site) -> Iterator[Edit]:
    """`print("` / `1. Done")`: a script wrote the `\\n` escape of a string as a real line break
    (the string opens at the end of its line and the next lines close it). Re-joined with the
    escape, the line is what it was; the text after each break is kept verbatim."""
    lines, index, column = site.lines, site.index, site.problem.column - 1
    line = lines[index]
    while 0 <= column < len(line) and line[column] in "rbfuRBFU":  # a prefix: the quote follows it
        column += 1
    if not 0 <= column < len(line) or line[column] not in "'\"":
        return
    quote = line[column]
    if line[column:column + 3] == quote * 3 or not code_positions(line)[1]:
        return
    joined = line.rstrip("\r")
    for end in range(index + 1, min(index + 6, len(lines))):
        joined += "\\n" + lines[end].rstrip("\r")
        if quote in lines[end]:
            if code_positions(joined)[1] or not reads_as_code(joined.strip()):  # still open, or not code
                return
            breaks = end - index
            # one decision however many breaks: ranked with the one-line edits it competes with
            yield Edit(index, end + 1, (joined,),
                       f"re-joined a string a script split at {breaks} `\\n` escape(s) "
                       "(written as line breaks)",
                       changed=1)
            return


@pattern("P402", "stripped-quotes", rank=60,
         broken="""\
             def test_a():
                 print(\u2705 {1} PASSED (all))
             """,
         repaired="""\
             def test_a():
                 print("\u2705 {1} PASSED (all)")
             """)
def stripped_quotes(site: Site) -> Iterator[Edit]:
    """Text arguments, assertion messages and assigned values stripped of their quotes
    (`log([U+1F4BE] Checking volumes)`, `url = http://localhost:8000`): quoted back when they
    cannot be code (`repair/quotes.py`)."""
    requoted = quote_stripped_arguments(site.line)
    if requoted is not None:
        yield Edit(site.index, site.index + 1, (requoted,),
                   "quoted call arguments a bulk edit had stripped of their quotes")


@pattern("P403", "moved-quote", rank=70,
         broken="""\
             def test_a():
                 d = {"key": 1}
                 assert d["key] == 1"
             """,
         repaired="""\
             def test_a():
                 d = {"key": 1}
                 assert d["key"] == 1
             """,
         also=(('def test_a():\n    print("done)"\n    assert True\n',
                'def test_a():\n    print("done")\n    assert True\n'),))
def moved_quote(site: Site) -> Iterator[Edit]:
    """One quote of a string taken out and appended to its line (`d["key] == v"`): every place
    it may have come from where the line then reads as code (`repair/quotes.py`), on the
    error's line and the code line before it."""
    for at in (site.index, code_line_before(site.lines, site.index)):
        if at is not None and site.lines[at].rstrip().endswith(("'", '"')):
            for fixed, why in moved_quote_candidates(site.lines[at]):
                yield Edit(at, at + 1, (fixed,), why)


@pattern("P404", "moved-quotes-everywhere", rank=80,
         broken="""\
             def test_a(d):
                 assert d["a] == 1"
                 assert d["b] == 2"
             """,
         repaired="""\
             def test_a(d):
                 assert d["a"] == 1
                 assert d["b"] == 2
             """)
def quotes_moved_throughout(site: Site) -> Iterator[Edit]:
    """The moved quote put back on every line of the file that has one, when more than one has:
    one pattern applied throughout is one decision."""
    everywhere, changed = moved_quotes_everywhere(site.lines)
    if changed > 1:
        # one pattern applied throughout: one decision (cost 2), not `changed`
        yield Edit(0, len(site.lines), tuple(everywhere),
                   f"put back {changed} quotes a bulk edit moved to the ends of their lines", 2)


@pattern("P405", "unterminated-string", rank=300, answers=(_UNTERMINATED,),
         broken="""\
             def test_a():
                 s = 'abc
                 assert s
             """,
         repaired="""\
             def test_a():
                 s = 'abc'
                 assert s
             """)
def unterminated_string(site: Site) -> Iterator[Edit]:
    """A string left open: closed at the end of its line, or before the brackets that end it."""
    line, index, column = site.line, site.index, site.problem.column - 1
    quote = line[column] if 0 <= column < len(line) and line[column] in "'\"" else None
    if quote is None:
        prefix = re.match(r"[rbfuRBFU]{0,2}(['\"])", line[column:] if column >= 0 else "")
        quote = prefix.group(1) if prefix else '"'
    body = line.rstrip()
    yield Edit(index, index + 1, (body + quote,), "closed an unterminated string at the end of its line")
    closing = re.search(r"(\)|\]|\}|,)+\s*$", body)
    if closing and closing.start() > column:
        yield Edit(index, index + 1, (body[: closing.start()] + quote + body[closing.start():],),
                   "closed an unterminated string before the brackets that end its line")


@pattern("P406", "nested-fstring-quotes", rank=430, answers=(starts("f-string"),), before=(3, 12),
         broken="""\
             def test_a(d):
                 assert f"{d["k"]}" == "1"
             """,
         repaired="""\
             def test_a(d):
                 assert f"{d['k']}" == "1"
             """)
def nested_fstring_quotes(site: Site) -> Iterator[Edit]:
    """A Python 3.12 f-string whose field uses its own quotes: the field's quotes swapped for
    the target version."""
    swapped = swap_field_quotes(site.line)
    if swapped != site.line:
        yield Edit(site.index, site.index + 1, (swapped,),
                   "rewrote a Python 3.12 f-string (nested quotes) for the target version")
