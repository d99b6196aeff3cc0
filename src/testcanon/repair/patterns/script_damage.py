"""Damage particular bulk-edit scripts left across whole suites: an `await asyncio.sleep(0)`
inserted before each `return` (and the `return` moved left of it), `Mock()` and its line break
deleted, commas doubled, a `pass` inserted one level short, prose outside any docstring,
imports written at column 0 inside a block."""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.brackets import code_positions
from testcanon.repair.patterns.base import Edit, Site, exactly, pattern, starts
from testcanon.repair.patterns.text import (
    NO_OP_AWAIT,
    OPENER,
    code_line_before,
    in_function,
    indent_of,
    is_statement,
    reads_as_code,
)


@pattern("P601", "return-left-of-inserted-await", rank=30,
         broken="""\
             async def test_a():
                 for i in range(3):
                     if i:
                         await asyncio.sleep(0)
             return i
                 return None
             """,
         repaired="""\
             async def test_a():
                 for i in range(3):
                     if i:
                         await asyncio.sleep(0)
                         return i
                 return None
             """)
def return_left_of_inserted_await(site: Site) -> Iterator[Edit]:
    """`        await asyncio.sleep(0)` / `return x` at a lower column: a script put a yield to the
    event loop before each `return` and moved the `return` left of it (to the def's column or
    to column 0); it goes back to the column of the `await` that precedes it."""
    lines = site.lines
    for at in range(max(site.index - 3, 0), min(site.index + 1, len(lines))):
        text = lines[at]
        if not re.match(r"\s*(return|yield|raise)\b", text):
            continue
        previous = code_line_before(lines, at)
        if previous is not None and NO_OP_AWAIT.match(lines[previous]) \
                and len(indent_of(lines[previous])) > len(indent_of(text)):
            yield Edit(at, at + 1, (indent_of(lines[previous]) + text.lstrip(),),
                       f"re-indented a `{text.split()[0]}` a script moved left of the "
                       "`await asyncio.sleep(0)` it put before it")


_JOINED = re.compile(r"^(\s*[A-Za-z_][\w.\[\]\"']*\s*=\s*[\w.]+)( {2,})([A-Za-z_][\w.\[\]\"']*\s*[.=(].*)$")


@pattern("P602", "joined-statements", rank=40, answers=(starts("invalid syntax"),),
         broken="""\
             def test_a():
                 m = Magic    m.reset = AsyncMock(
                     return_value=1)
                 assert m
             """,
         repaired="""\
             def test_a():
                 m = MagicMock()
                 m.reset = AsyncMock(
                     return_value=1)
                 assert m
             """)
def joined_statements(site: Site) -> Iterator[Edit]:
    """`mock = Magic        mock.reset = AsyncMock()`: a script deleted `Mock()` with the line
    break after it, joining two statements; the run of spaces is the second one's indentation.
    Split there (the deleted `MagicMock()` is restored: the only text that edit deleted)."""
    match = _JOINED.match(site.line)
    if match is None or "#" in match.group(1):
        return
    first, indent, second = match.group(1), match.group(2), match.group(3)
    restored = first + "Mock()" if first.endswith("Magic") else first
    if not (is_statement(restored.strip()) and reads_as_code(second.strip())):
        return
    how = "restored the `MagicMock()` and line break" if restored != first else "split at the line break"
    yield Edit(site.index, site.index + 1, (restored, indent + second),
               f"{how} a script deleted, which joined two statements")


@pattern("P603", "doubled-commas", rank=120,
         broken="""\
             def test_a():
                 payload = {"sub": 1,, "iat": 2,, "note": "a,, b"}
                 assert payload
             """,
         repaired="""\
             def test_a():
                 payload = {"sub": 1, "iat": 2, "note": "a,, b"}
                 assert payload
             """)
def doubled_commas(site: Site) -> Iterator[Edit]:
    """`f(a,, b)` -> `f(a, b)`: commas doubled outside strings (a bulk edit joined lines)."""
    line = site.line
    code = set(code_positions(line)[0])
    single = "".join(char for i, char in enumerate(line)
                     if not (char == "," and i in code and i - 1 in code and line[i - 1] == ","))
    if single != line:
        yield Edit(site.index, site.index + 1, (single,), "removed commas a bulk edit doubled (`a,, b`)")


@pattern("P604", "pass-one-level-short", rank=190, answers=(exactly("unexpected indent"),),
         broken='''\
             class TestA:
                 def test_a(self):
                     """Doc."""
                 pass
                     x = 1
                     assert x
             ''',
         repaired='''\
             class TestA:
                 def test_a(self):
                     """Doc."""
                     x = 1
                     assert x
             ''')
def pass_one_level_short(site: Site) -> Iterator[Edit]:
    """`def f():` / `\"\"\"Doc.\"\"\"` / `pass` (one level short) / the body: a `pass` a script
    inserted above the block's body, removed."""
    previous = code_line_before(site.lines, site.index)
    if previous is not None and site.lines[previous].strip() == "pass" \
            and len(indent_of(site.lines[previous])) < len(indent_of(site.line)):
        yield Edit(previous, previous + 1, (), "removed a `pass` a script inserted one level short, above "
                   "the block's body")


@pattern("P608", "import-inserted-outdented", rank=205, answers=(exactly("unexpected indent"),),
         broken="""\
             def test_a():
                 import os
                 # replaced by a migration script:
             # from json import loads
             from json import loads as parse
                 assert os.sep and parse("1") == 1
             """,
         repaired="""\
             def test_a():
                 import os
                 # replaced by a migration script:
                 # from json import loads
                 from json import loads as parse
                 assert os.sep and parse("1") == 1
             """)
def import_inserted_outdented(site: Site) -> Iterator[Edit]:
    """Imports a migration script wrote at column 0 into a block that goes on below them at its
    own depth: indented to the block's depth, not the rest of the block dedented out of its
    function (which compiles too, and takes the test's statements to module level)."""
    lines, index = site.lines, site.index
    depth = indent_of(site.line)
    start = index  # back over the inserted lines: imports and comments shallower than the block
    while start > 0 and (not lines[start - 1].strip() or len(indent_of(lines[start - 1])) < len(depth)):
        text = lines[start - 1].strip()
        if text and not text.startswith("#") and not _IMPORT.match(text):
            return
        start -= 1
    inserted = [text for text in lines[start:index] if text.strip() and not text.lstrip().startswith("#")]
    before = code_line_before(lines, start)
    if not inserted or before is None:
        return
    context = indent_of(lines[before]) + (site.unit if OPENER.match(lines[before]) else "")
    if context != depth:
        return
    new = tuple(depth + text.lstrip() if text.strip() and len(indent_of(text)) < len(depth) else text
                for text in lines[start:index])
    yield Edit(start, index, new, f"indented {len(inserted)} import(s) a script wrote at a shallower depth "
               "than the block around them", changed=len(inserted))


_IMPORT = re.compile(r"(?:from\s+[\w.]+\s+import\b|import\s+\w)")
_PROSE = re.compile(r"^[A-Za-z][\w'\-]*(?:[ ,;:]+[\w'\-()]+){2,}[.!?:]?$")


@pattern("P605", "stray-prose", rank=370,
         answers=(exactly("invalid syntax"), exactly("invalid syntax. Perhaps you forgot a comma?"),
                  starts("invalid decimal literal")),
         broken="""\
             import os
             This file was migrated by the SSOT script.

             def test_a():
                 pass
             """,
         repaired="""\
             import os
             # This file was migrated by the SSOT script.

             def test_a():
                 pass
             """)
def stray_prose(site: Site) -> Iterator[Edit]:
    """Prose outside any docstring (a script's note, a docstring's text left behind): turned into
    comments, the line or its paragraph. Ranked after restoring a docstring's mangled quotes,
    which keeps the text a docstring."""
    lines, index, line = site.lines, site.index, site.line
    stripped = line.strip()
    if _PROSE.match(stripped) or (stripped and not re.search(r"[=()\[\]{}:]", stripped)):
        yield Edit(index, index + 1, (indent_of(line) + "# " + stripped,),
                   "turned stray prose into a comment", 2)
        end = index
        while end < len(lines) and lines[end].strip() and not re.search(r"[=()\[\]{}]", lines[end]):
            end += 1
        if end - index > 1:
            yield Edit(index, end, tuple(indent_of(text) + "# " + text.strip() for text in lines[index:end]),
                       "turned a paragraph of stray prose into comments")


@pattern("P606", "return-dedented-out-of-function", rank=410,
         answers=(exactly("'return' outside function"), exactly("'yield' outside function")),
         broken="""\
             class TestA:
                 def helper(self):
                     x = 1
                 return x

                 def test_a(self):
                     pass
             """,
         repaired="""\
             class TestA:
                 def helper(self):
                     x = 1
                     return x

                 def test_a(self):
                     pass
             """)
def return_dedented_out_of_function(site: Site) -> Iterator[Edit]:
    """`return x` one level left of the body it ends (at the class's level, after a method):
    put back at the column of the statement before it, inside that function."""
    previous = code_line_before(site.lines, site.index)
    if previous is not None and len(indent_of(site.lines[previous])) > len(indent_of(site.line)) \
            and in_function(site.lines, previous):
        yield Edit(site.index, site.index + 1, (indent_of(site.lines[previous]) + site.line.lstrip(),),
                   f"re-indented a `{site.message.split()[0].strip(chr(39))}` that lost its indentation into "
                   "the function above it")


@pattern("P607", "await-in-plain-function", rank=420, answers=(exactly("'await' outside async function"),),
         broken="""\
             class Conn:
                 def get(self) -> list:
                     await asyncio.sleep(0)
                     return []
             """,
         repaired="""\
             class Conn:
                 def get(self) -> list:
                     return []
             """)
def await_in_plain_function(site: Site) -> Iterator[Edit]:
    """A plain function cannot await; an `await asyncio.sleep(0)` in one is a bare yield to the
    event loop a script inserted (it never ran: the file did not compile), so removing it loses
    nothing."""
    if NO_OP_AWAIT.match(site.line):
        yield Edit(site.index, site.index + 1, (),
                   "removed `await asyncio.sleep(0)` a script inserted into a plain (non-async) function")
