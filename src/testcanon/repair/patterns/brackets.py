"""Bracket damage: closers pulled onto their opening line, deleted, dropped, doubled, of the
wrong kind, or a call closed before its arguments."""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.brackets import CLOSERS, bracket_balance, unclosed
from testcanon.repair.patterns.base import Edit, Site, exactly, matching, pattern, starts
from testcanon.repair.patterns.text import COMPOUND, code_line_before, indent_of

# An opening bracket with closers right after it (`items = [ ]`, `run([ ))`), maybe `"""` after them.
_EMPTY_PAIR = re.compile(r"""^(.*?[(\[{])[ \t]*([)\]}]+)[ \t]*(?:\"\"\"|''')?[ \t]*(#.*)?$""")


@pattern("P301", "collapsed-closers", rank=100,
         broken="""\
             def test_a():
                 services = [ ]
                     ("a", 1),
                     ("b", 2)

                 assert services
             """,
         repaired="""\
             def test_a():
                 services = [
                     ("a", 1),
                     ("b", 2)
                 ]
                 assert services
             """,
         also=(("def test_a():\n    result = run([ ))\n        'docker', 'create',\n        'alpine'\n\n"
                "    assert result\n",
                "def test_a():\n    result = run([\n        'docker', 'create',\n        'alpine'\n    ])\n"
                "    assert result\n"),))
def collapsed_closers(site: Site) -> Iterator[Edit]:
    """`items = [ ]` (or `run([ ))`) followed by the items and a blank line where the closers
    were: a bulk edit pulled them up onto the opening line, sometimes turned into the wrong kind.
    Put back, where the blank is, the closers the opening line needs."""
    lines, index = site.lines, site.index
    for opener in range(index, max(index - 30, -1), -1):
        match = _EMPTY_PAIR.match(lines[opener])
        if not match:
            continue
        closers = unclosed(match.group(1))
        if not closers or (len(match.group(2)) != len(closers) and match.group(2) != closers[:1]):
            continue
        end = opener + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        if end == opener + 1 or end > index + 30:
            return
        head = match.group(1) + (f"  {match.group(3)}" if match.group(3) else "")
        closer = indent_of(lines[opener]) + closers
        yield Edit(opener, min(end + 1, len(lines)), (head, *lines[opener + 1:end], closer),
                   f"moved `{closers}` a bulk edit pulled onto its opening line (as `{match.group(2)}`) back "
                   "after the contents", 2)
        return


_OPENS_BLOCK = re.compile(r"^.*[(\[{][ \t]*(#.*)?$")


@pattern("P302", "deleted-closers", rank=110,
         broken="""\
             class TestA:
                 def setUp(self):
                     self.found = {
                     'containers': set(),
                     'networks': set()

                     self.runs = 0

                 def test_a(self):
                     assert self.found
             """,
         repaired="""\
             class TestA:
                 def setUp(self):
                     self.found = {
                     'containers': set(),
                     'networks': set()
                     }

                     self.runs = 0

                 def test_a(self):
                     assert self.found
             """)
def deleted_closers(site: Site) -> Iterator[Edit]:
    """`config = {` with its items below and a blank line where the `}` was: a bulk edit
    deleted the line holding the closers. Put back what the brackets still open need there."""
    lines, index = site.lines, site.index
    for opener in range(index, max(index - 40, -1), -1):
        if not _OPENS_BLOCK.match(lines[opener]):
            continue
        end = opener + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        if end == opener + 1 or end <= index - 1:
            return  # the blank is above the error: not this bracket's place
        closers = unclosed("".join(lines[opener:end]))
        if not closers or bracket_balance("".join(lines[opener:end])) != len(closers):
            return
        yield Edit(end, end, (indent_of(lines[opener]) + closers,),
                   f"put back `{closers}` a bulk edit deleted (a blank line was left where it stood)")
        return


@pattern("P303", "call-closed-early", rank=200, answers=(exactly("unexpected indent"),),
         broken="""\
             def test_a():
                 total = sum()
                     [1, 2, 3],
                 )
                 assert total == 6
             """,
         repaired="""\
             def test_a():
                 total = sum(
                     [1, 2, 3],
                 )
                 assert total == 6
             """)
def call_closed_early(site: Site) -> Iterator[Edit]:
    """`foo()` left before its dedented arguments: the call reopened."""
    previous = code_line_before(site.lines, site.index)
    if previous is not None:
        stripped = re.sub(r"\s*#.*$", "", site.lines[previous].rstrip())
        if stripped.endswith("()"):
            yield Edit(previous, previous + 1, (stripped[:-1],),
                       "reopened a call closed too early (`foo()` before its arguments)")


_MISMATCH = re.compile(r"closing parenthesis '(.)' does not match opening parenthesis '(.)'")
_ON_MISMATCH = matching(_MISMATCH, "closing parenthesis 'X' does not match opening parenthesis 'Y'")
# `items = [ )`: an opening bracket "closed" by a wrong one a bulk edit added.
_WRONG_EMPTY_PAIR = re.compile(r"^(.*[\[{(])\s*([)\]}])\s*(#.*)?$")


@pattern("P304", "wrong-closer-after-opener", rank=240, answers=(_ON_MISMATCH,),
         broken="""\
             def test_a():
                 cases = [ )
                     (1, 2),
                     (3, 4),
                 ]
                 assert cases
             """,
         repaired="""\
             def test_a():
                 cases = [
                     (1, 2),
                     (3, 4),
                 ]
                 assert cases
             """)
def wrong_closer_after_opener(site: Site) -> Iterator[Edit]:
    """`cases = [ )` with the items on the next lines and their `]` after them: the stray
    closer a bulk edit put after the opening bracket removed."""
    closer, opener = _MISMATCH.match(site.message).groups()  # type: ignore[union-attr]
    wrong = _WRONG_EMPTY_PAIR.match(site.line)
    if wrong and wrong.group(2) == closer and wrong.group(1).endswith(opener):
        comment = f"  {wrong.group(3)}" if wrong.group(3) else ""
        yield Edit(site.index, site.index + 1, (wrong.group(1) + comment,),
                   f"removed a `{closer}` a bulk edit put after an opening `{opener}`")


@pattern("P305", "mismatched-closer", rank=250, answers=(_ON_MISMATCH,),
         broken="""\
             def test_a():
                 d = {'a': 1 )
                 assert d
             """,
         repaired="""\
             def test_a():
                 d = {'a': 1 }
                 assert d
             """)
def mismatched_closer(site: Site) -> Iterator[Edit]:
    """A closer of the wrong kind: the dropped closer restored before it, or it replaced, or
    it removed."""
    closer, opener = _MISMATCH.match(site.message).groups()  # type: ignore[union-attr]
    line, index, column = site.line, site.index, site.problem.column - 1
    if 0 <= column < len(line) and line[column] == closer:
        yield Edit(index, index + 1, (line[:column] + CLOSERS[opener] + line[column:],),
                   f"restored a dropped `{CLOSERS[opener]}` before `{closer}`")
        yield Edit(index, index + 1, (line[:column] + CLOSERS[opener] + line[column + 1:],),
                   f"replaced a mismatched `{closer}` with `{CLOSERS[opener]}`")
        yield Edit(index, index + 1, (line[:column] + line[column + 1:],), f"removed a mismatched `{closer}`")


_UNMATCHED = re.compile(r"unmatched '(.)'")


@pattern("P306", "stray-closer", rank=260, answers=(matching(_UNMATCHED, "unmatched 'X'"),),
         broken="""\
             def test_a():
                 x = 1
                 x == 1)
             """,
         repaired="""\
             def test_a():
                 x = 1
                 x == 1
             """)
def stray_closer(site: Site) -> Iterator[Edit]:
    """A closer nothing opened: removed (a run of them at once, since removing one of `]]`
    leaves the same error in the same place)."""
    stray = _UNMATCHED.match(site.message).group(1)  # type: ignore[union-attr]
    line, index, column = site.line, site.index, site.problem.column - 1
    if 0 <= column < len(line) and line[column] == stray:
        run = len(line[column:]) - len(line[column:].lstrip(stray))
        if run > 1:
            yield Edit(index, index + 1, ((line[:column].rstrip() + line[column + run:]).rstrip(),),
                       f"removed {run} stray `{stray}`")
        yield Edit(index, index + 1, (line[:column] + line[column + 1:],), f"removed a stray `{stray}`")


_NEVER_CLOSED = re.compile(r"'(.)' was never closed")


@pattern("P307", "dropped-closer", rank=270, answers=(matching(_NEVER_CLOSED, "'X' was never closed"),),
         broken="""\
             def test_a():
                 x = [1, 2
                 assert x
             """,
         repaired="""\
             def test_a():
                 x = [1, 2]
                 assert x
             """)
def dropped_closer(site: Site) -> Iterator[Edit]:
    """A bracket left open: closed at the end of its line or one of the next few, before the
    colon of a block opener (`if all([a, b]:` -> `if all([a, b]):`)."""
    bracket = _NEVER_CLOSED.match(site.message).group(1)  # type: ignore[union-attr]
    closer = CLOSERS[bracket]
    for end in range(site.index, min(site.index + 8, len(site.lines))):
        text = site.lines[end].rstrip()
        header = re.match(r"(.*?)(\s*:\s*(?:#.*)?)$", text) if COMPOUND.match(text.lstrip()) else None
        if header:
            yield Edit(end, end + 1, (header.group(1) + closer + header.group(2),),
                       f"closed a `{bracket}` left open")
        else:
            yield Edit(end, end + 1, (text + closer,), f"closed a `{bracket}` left open")


_STATEMENT_KEYWORD = re.compile(r"\s*(assert|return|raise|del|pass|import|from|global|nonlocal|yield|await|"
                                r"if|for|while|with|try|def|class|async)\b")


@pattern("P308", "open-before-statement", rank=380, answers=(starts("invalid syntax"),), first_step=True,
         broken="""\
             def test_a():
                 value = compute(0
                 assert value)
             """,
         repaired="""\
             def test_a():
                 value = compute(0)
                 assert value)
             """)
def open_before_statement(site: Site) -> Iterator[Edit]:
    """`value = compute(0` / `assert value)`: a statement keyword inside brackets the line above
    left open. Close them there (the stray closer below is its own next error, `stray-closer`)."""
    if not _STATEMENT_KEYWORD.match(site.line):
        return
    previous = code_line_before(site.lines, site.index)
    closers = unclosed(site.lines[previous]) if previous is not None else None
    if previous is not None and closers:
        body = re.sub(r"\s*#.*$", "", site.lines[previous].rstrip())
        yield Edit(previous, previous + 1, (body + closers + site.lines[previous].rstrip()[len(body):],),
                   f"closed `{closers}` left open on the line before a new statement")
