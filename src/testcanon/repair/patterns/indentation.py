"""Indentation damage: statements that lost their indentation under a block opener, bodies
flattened or shifted by bulk edits, lines indented too deep, tabs mixed with spaces.

Why one module past 400 lines: the indentation family is the largest in the corpus's damage;
each pattern is a small unit, and the family reads best together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.brackets import bracket_balance
from testcanon.repair.patterns.base import Edit, Site, containing, exactly, of_kind, pattern, starts
from testcanon.repair.patterns.text import COMPOUND, OPENER, code_line_before, indent_of

_EMPTY_BLOCK = starts("expected an indented block")
_CLAUSES = {"elif": ("if", "elif"), "else": ("if", "elif", "for", "while", "try", "except"),
            "except": ("try", "except"), "finally": ("try", "except", "else")}


@pattern("P101", "mixed-tabs", rank=130,
         answers=(of_kind("tab-error"), containing("inconsistent use of tabs")),
         broken="""\
             def test_a():
                 if True:
             \tx = 1
                     assert x
             """,
         repaired="""\
             def test_a():
                 if True:
                     x = 1
                     assert x
             """)
def mixed_tabs(site: Site) -> Iterator[Edit]:
    """Tabs mixed with spaces in indentation: expanded to 8 spaces, else to 4."""
    for size in (8, 4):
        new = tuple(indent_of(text).expandtabs(size) + text.lstrip() if "\t" in indent_of(text) else text
                    for text in site.lines)
        yield Edit(0, len(site.lines), new, f"tabs in indentation expanded to {size} spaces")


@pattern("P102", "shifted-body", rank=140, answers=(_EMPTY_BLOCK,),
         broken='''\
             class TestA:
                 def test_a(self):
             """Doc."""
             for name in ("a", "b"):
                 assert name
             assert True

                 def test_b(self):
                     pass
             ''',
         repaired='''\
             class TestA:
                 def test_a(self):
                     """Doc."""
                     for name in ("a", "b"):
                         assert name
                     assert True

                 def test_b(self):
                     pass
             ''')
def shifted_body(site: Site) -> Iterator[Edit]:
    """A `def`'s whole body moved left by a bulk edit, its own nesting intact (`for` at column
    0, the loop's body at 4): move it back, every line by the same amount, up to the next
    definition at the `def`'s column or left of it."""
    lines, index = site.lines, site.index
    opener = code_line_before(lines, index)
    if opener is None or not re.match(r"\s*(?:async\s+)?def\b", lines[opener]):
        return
    base = len(indent_of(lines[opener]))
    flat = len(indent_of(lines[index]))
    if flat > base:
        return
    end = index
    while end < len(lines):
        stripped = lines[end].strip()
        width = len(indent_of(lines[end]))
        if stripped and (width < flat or (width <= base
                                          and re.match(r"(?:async\s+)?def\b|class\b|@", stripped))):
            break
        end += 1
    while end > index and not lines[end - 1].strip():
        end -= 1
    body = [line for line in lines[index:end] if line.strip()]
    if len(body) < 2 or all(len(indent_of(line)) == flat for line in body):
        return  # flat: `reflow` infers the nesting; one line: the single re-indent says it
    delta = " " * (base + len(site.unit) - flat)
    new = tuple(delta + line if line.strip() else line for line in lines[index:end])
    yield Edit(index, end, new,
               f"moved a body a bulk edit shifted left back under its `def` ({len(body)} lines)", 1)


@pattern("P103", "flattened-body", rank=150, answers=(_EMPTY_BLOCK,),
         broken="""\
             class TestA:
                 def test_a(self):
                 x = 1
                 try:
                 y = x
                 except ValueError:
                 y = 0
                 assert y

                 def test_b(self):
                     pass
             """,
         repaired="""\
             class TestA:
                 def test_a(self):
                     x = 1
                     try:
                         y = x
                     except ValueError:
                         y = 0
                         assert y

                 def test_b(self):
                     pass
             """)
def flattened_body(site: Site) -> Iterator[Edit]:
    """A block whose statements a bulk edit flattened to the opener's column (or to column 0): give
    every line the indentation its openers (`...:`) and clauses (`else`, `except`, ...) imply.
    Where a nested block ended cannot be seen in flattened text; the block runs to the next clause."""
    lines, index, unit = site.lines, site.index, site.unit
    opener = code_line_before(lines, index)
    if opener is None:
        return
    base = len(indent_of(lines[opener]))
    flat = len(indent_of(lines[index]))  # the opener's column, or left of it (flattened to column 0)
    if flat > base:
        return
    first = COMPOUND.match(lines[opener].strip())
    stack: list[tuple[str, int]] = [(first.group(1) if first else "", base)]
    level = base + len(unit)
    out: list[str] = []
    depth = 0  # open brackets carried over from earlier lines
    shift = 0  # how far the current statement's first line moved
    end = index
    while end < len(lines):
        line = lines[end]
        stripped = line.strip()
        if not stripped:
            out.append(line)
            end += 1
            continue
        if depth == 0 and not stripped.startswith("#") and len(indent_of(line)) != flat:
            break  # only the flattened run (all at one column) is re-flowed
        if re.match(r"(?:async[ \t]+)?def\b|class\b|@", stripped) and len(indent_of(line)) <= base:
            break
        if depth > 0:  # a continuation line keeps its place relative to its statement
            out.append(" " * max(len(indent_of(line)) + shift, level) + stripped)
        elif stripped.startswith("#"):
            out.append(" " * level + stripped)
        else:
            keyword = COMPOUND.match(stripped)
            kind = keyword.group(1) if keyword else ""
            if kind in _CLAUSES:
                while len(stack) > 1 and stack[-1][0] not in _CLAUSES[kind]:
                    stack.pop()
                if not stack or stack[-1][0] not in _CLAUSES[kind]:
                    break  # a clause of a block above the flattened one (or of nothing)
                level = stack.pop()[1]
            out.append(" " * level + stripped)
            shift = level - len(indent_of(line))
            code = re.sub(r"\s*#.*$", "", stripped)
            if keyword and code.endswith(":"):
                stack.append((kind, level))
                level += len(unit)
        depth = max(depth + (bracket_balance(stripped) or 0), 0)
        end += 1
    changed = sum(1 for old, new in zip(lines[index:end], out, strict=True) if old != new)
    if sum(1 for text in lines[index:end] if text.strip() and not text.lstrip().startswith("#")) < 2:
        return  # one line: the single-line re-indent says the same, more modestly
    # Statements at a `def`'s own column right after it are its body (a body cannot be empty);
    # under other openers the block may well have ended after one line, so that costs more.
    cost = 1 if stack and stack[0][0] in ("def", "class") else min(changed, 3)
    yield Edit(index, end, tuple(out), f"re-indented {changed} flattened line(s) by the blocks their openers "
               "and clauses imply", cost)


def _block_target(site: Site) -> tuple[str, str]:
    """The indentation of the block opener above the error, and of its body."""
    opener = code_line_before(site.lines, site.index)
    base = indent_of(site.lines[opener]) if opener is not None else ""
    return base, base + site.unit


@pattern("P104", "lost-indentation", rank=160, answers=(_EMPTY_BLOCK,),
         broken="""\
             def test_a():
                 x = 1
                 if x:
                 assert x

             def test_b():
                 pass
             """,
         repaired="""\
             def test_a():
                 x = 1
                 if x:
                     assert x

             def test_b():
                 pass
             """)
def lost_indentation(site: Site) -> Iterator[Edit]:
    """A statement that lost its indentation under a block opener: re-indented under it."""
    _, target = _block_target(site)
    yield Edit(site.index, site.index + 1, (target + site.line.lstrip(),),
               "re-indented a statement that lost its indentation under a block opener")


@pattern("P105", "lost-indentation-run", rank=170, answers=(_EMPTY_BLOCK,),
         broken="""\
             def test_a(rows):
                 for row in rows:
                 total = row * 2
                 assert total
             """,
         repaired="""\
             def test_a(rows):
                 for row in rows:
                     total = row * 2
                     assert total
             """)
def lost_indentation_run(site: Site) -> Iterator[Edit]:
    """The statements after a block opener that lost their indentation, up to the next
    definition or clause: re-indented together under it."""
    lines, index, line = site.lines, site.index, site.line
    _, target = _block_target(site)
    end = index
    while end < len(lines) and (not lines[end].strip() or indent_of(lines[end]) == indent_of(line)) \
            and not re.match(r"\s*(def|class|async def|@|except|finally|elif|else)\b",
                             lines[end] if end > index else ""):
        end += 1
    if end - index > 1:
        yield Edit(index, end,
                   tuple(target + text.lstrip() if text.strip() else text for text in lines[index:end]),
                   "re-indented the statements that lost their indentation under a block opener")


@pattern("P106", "empty-block", rank=180, answers=(_EMPTY_BLOCK,),
         broken="""\
             class TestA:
                 def helper(self):
                 def test_a(self):
                     assert True
             """,
         repaired="""\
             class TestA:
                 def helper(self):
                     pass
                 def test_a(self):
                     assert True
             """)
def empty_block(site: Site) -> Iterator[Edit]:
    """Only a truly empty block gets `pass`: what follows is a definition, a clause, or code
    left of the opener. A statement at the opener's own column was most likely its body
    (flattened), and `pass` would silently move that body out of the block."""
    lines, index, line = site.lines, site.index, site.line
    base, target = _block_target(site)
    if index >= len(lines) or len(indent_of(line)) < len(base) or re.match(
            r"\s*(def|class|async\s+def|@|except|finally|elif|else|case)\b", line):
        yield Edit(index, index, (target + "pass",), "inserted `pass` into an empty block")


_DEFINITION = re.compile(r"\s*(?:async\s+def|def|class)\b")


@pattern("P110", "decorator-misaligned", rank=185,
         answers=(exactly("unexpected unindent"), exactly("unexpected indent")),
         broken="""\
             class TestA:
                 @pytest.fixture
                 def client(self):
                     return 1

                     @pytest.mark.asyncio
                 async def test_a(self, client):
                     assert client
             """,
         repaired="""\
             class TestA:
                 @pytest.fixture
                 def client(self):
                     return 1

                 @pytest.mark.asyncio
                 async def test_a(self, client):
                     assert client
             """)
def decorator_misaligned(site: Site) -> Iterator[Edit]:
    """A decorator left at another column than the `def` it decorates (a bulk re-indent moved one
    and not the other; seen thousands of times in the corpus, both ways): the decorators right
    above the definition go to its column."""
    lines, index = site.lines, site.index
    if not _DEFINITION.match(site.line):
        return
    first = index
    while first > 0 and lines[first - 1].lstrip().startswith("@"):
        first -= 1
    column = indent_of(site.line)
    if first < index and any(indent_of(text) != column for text in lines[first:index]):
        yield Edit(first, index, tuple(column + text.lstrip() for text in lines[first:index]),
                   f"aligned {index - first} decorator line(s) with the definition they decorate")


@pattern("P107", "flattened-uncommented", rank=210, answers=(exactly("unexpected indent"),),
         broken="""\
             def test_a():
                 x = 1
                     y = 2
                     assert x + y == 3
             """,
         repaired="""\
             def test_a():
                 x = 1
                 y = 2
                 assert x + y == 3
             """)
def flattened_uncommented(site: Site) -> Iterator[Edit]:
    """Lines a bulk un-commenting left deeper than the statement before them: the run of them
    dedented to that statement's column (or the one line alone)."""
    lines, index, line = site.lines, site.index, site.line
    previous = code_line_before(lines, index)
    if previous is None:
        return
    block_end = index
    while block_end < len(lines) and (not lines[block_end].strip() or
                                      len(indent_of(lines[block_end])) >= len(indent_of(line))):
        block_end += 1
    base = indent_of(lines[previous])
    if OPENER.match(lines[previous]):
        base += site.unit
    shift = len(indent_of(line)) - len(base)
    if shift > 0:
        yield Edit(index, block_end,
                   tuple(text[shift:] if text.strip() and text.startswith(" " * shift) else text
                         for text in lines[index:block_end]),
                   "dedented lines whose indentation was flattened by a bulk edit")
        yield Edit(index, index + 1, (base + line.lstrip(),), "dedented one over-indented line")


@pattern("P108", "over-indented-block", rank=220, answers=(starts("unindent does not match"),),
         broken='''\
             class TestA:
                     """Doc."""

                 def test_a(self):
                     pass
             ''',
         repaired='''\
             class TestA:
                 """Doc."""

                 def test_a(self):
                     pass
             ''')
def over_indented_block(site: Site) -> Iterator[Edit]:
    """`class A:` / `        \"\"\"Doc.\"\"\"` / `    def test_a(self):`: the block's first lines went
    deeper than the rest of it (a bulk edit indented them twice). Bring them to the rest's level."""
    lines, index = site.lines, site.index
    width = len(indent_of(site.line))
    start = index
    while start > 0 and (not lines[start - 1].strip() or len(indent_of(lines[start - 1])) > width):
        start -= 1
    if start == 0 or start == index or not OPENER.match(lines[start - 1]) \
            or len(indent_of(lines[start - 1])) >= width:
        return
    block = [text for text in lines[start:index] if text.strip()]
    shift = min(len(indent_of(text)) for text in block) - width
    if shift <= 0:
        return
    new = tuple(text[shift:] if text.strip() else text for text in lines[start:index])
    yield Edit(start, index, new,
               f"dedented {len(block)} line(s) a bulk edit indented deeper than their block", len(block))


@pattern("P109", "misaligned-line", rank=230, answers=(starts("unindent does not match"),),
         broken="""\
             def test_a():
                 if True:
                     x = 1
                   assert x
             """,
         repaired="""\
             def test_a():
                 if True:
                     x = 1
                 assert x
             """)
def misaligned_line(site: Site) -> Iterator[Edit]:
    """A line at a column no enclosing block uses: aligned with the nearest enclosing block
    left of it, else with the block above it."""
    lines, index, line = site.lines, site.index, site.line
    levels = sorted({len(indent_of(text)) for text in lines[:index] if text.strip()}, reverse=True)
    width = len(indent_of(line))
    for level in levels:
        if level < width:
            yield Edit(index, index + 1, (" " * level + line.lstrip(),),
                       "aligned a line with an enclosing block")
            break
    above = next((level for level in levels if level > width), None)
    if above is not None:
        yield Edit(index, index + 1, (" " * above + line.lstrip(),), "aligned a line with the block above it")
