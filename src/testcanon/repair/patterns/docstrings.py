"""Docstring damage: triple quotes doubled, split, cut down, broken into lines of one quote,
appended to code or to the docstring's lines, replaced by a one-line docstring, stripped."""

from __future__ import annotations

import re
from collections.abc import Iterator

from testcanon.repair.patterns.base import Edit, Site, pattern, starts
from testcanon.repair.patterns.text import CODE_START, OPENER, code_line_before, indent_of, is_statement

_UNTERMINATED = starts("unterminated string literal")
_UNTERMINATED_TRIPLE = starts("unterminated triple-quoted string literal")


@pattern("P501", "doubled-triple-quotes", rank=10,
         broken="""\
             import os
             '''
             '''
             Module docs: costs $15K MRR (>200ms).
             '''
             '''

             def test_a():
                 assert os
             """,
         repaired="""\
             import os
             '''
             Module docs: costs $15K MRR (>200ms).
             '''

             def test_a():
                 assert os
             """)
def doubled_triple_quotes(site: Site) -> Iterator[Edit]:
    """`'''` on one line and again on the next: a bulk edit wrapped docstrings twice (collapse
    each pair to one) or split one in two (drop the pair); both happen in one file, most often
    the first pair opening the module docstring and the later ones splitting it."""
    lines = site.lines
    pairs = [i for i in range(len(lines) - 1)
             if lines[i].strip() in ('"""', "'''") and lines[i + 1].strip() == lines[i].strip()
             and (i == 0 or lines[i - 1].strip() != lines[i].strip())]
    if not pairs:
        return
    variants = [("collapsed {n} doubled triple-quote line(s) that split docstrings", set(pairs), set()),
                ("collapsed the first doubled triple-quote line and removed {m} pair(s) that split a "
                 "docstring",
                 {pairs[0]}, set(pairs[1:])),
                ("removed {m} doubled triple-quote pair(s) that split docstrings", set(), set(pairs))]
    for why, collapse, drop in variants:
        if not (collapse or drop) or (why.startswith("collapsed the first") and len(pairs) < 2):
            continue
        out: list[str] = []
        i = 0
        while i < len(lines):
            if i in collapse:
                out.append(lines[i])
                i += 2
            elif i in drop:
                i += 2
            else:
                out.append(lines[i])
                i += 1
        yield Edit(0, len(lines), tuple(out), why.format(n=len(collapse), m=len(drop)),
                   len(collapse) + 2 * len(drop))


# A line of code with `"""` (or `'''`) stuck to its end, possibly six of them.
_TRAILING_TRIPLE = re.compile(r"""^(\s*[^\s"'#].*?)(?:\"\"\"|''')+\s*$""")
# `"""Doc.""""""`: a docstring closed twice.
_DOUBLED_CLOSE = re.compile(r"""^(\s*(\"\"\"|''')(?:(?!\2).)+\2)\2\s*$""")


@pattern("P502", "quotes-appended-to-code", rank=20,
         broken='''\
             class TestA:
                 def test_a(self):
                     self.ready = True"""
                     assert self.ready
             ''',
         repaired='''\
             class TestA:
                 def test_a(self):
                     self.ready = True
                     assert self.ready
             ''',
         also=(('def test_a():\n    """Cleanup.""""""\n    assert True\n',
                'def test_a():\n    """Cleanup."""\n    assert True\n'),))
def quotes_appended_to_code(site: Site) -> Iterator[Edit]:
    """`self.ready = True\"\"\"`: a bulk edit appended triple quotes to a line of code (it meant to
    close a docstring). The line without them is a statement on its own: take them off. Also a
    docstring closed twice (`\"\"\"Cleanup.\"\"\"\"\"\"`)."""
    for at in (site.index, site.index - 1):
        if not 0 <= at < len(site.lines):
            continue
        match = _TRAILING_TRIPLE.match(site.lines[at])
        if match and is_statement(match.group(1).strip()):
            yield Edit(at, at + 1, (match.group(1).rstrip(),),
                       "removed triple quotes a bulk edit appended to a line of code")
        doubled = _DOUBLED_CLOSE.match(site.lines[at])
        if doubled:
            yield Edit(at, at + 1, (doubled.group(1),),
                       "removed a second closing triple quote from a docstring")


_STRIPPED_DOCSTRING = re.compile(r"""^(\s*)(["']{0,3})([A-Za-z][^"']*?)(["']{1,3})\s*$""")


@pattern("P503", "stripped-docstring", rank=90,
         broken="""\
             class TestA:
                 def test_a(self):
                     Checks the flow once."
                     assert True
             """,
         repaired='''\
             class TestA:
                 def test_a(self):
                     """Checks the flow once."""
                     assert True
             ''')
def stripped_docstring(site: Site) -> Iterator[Edit]:
    """`Checks the flow."` or `Checks the flow.""` as a definition's first line: a bulk edit
    stripped a one-line docstring's quotes to what is left at its end. Quote it back."""
    header = code_line_before(site.lines, site.index)
    match = _STRIPPED_DOCSTRING.match(site.lines[site.index])
    if header is None or not match or not re.match(r"\s*(?:async\s+)?(?:def|class)\b.*:\s*(#.*)?$",
                                                   site.lines[header]):
        return
    indent, opening, text, closing = match.groups()
    if opening == closing == '"""' or is_statement(text.strip()):
        return
    quote = '"""' if closing[0] == '"' else "'''"
    yield Edit(site.index, site.index + 1, (f"{indent}{quote}{text.rstrip()}{quote}",),
               "restored a docstring whose quotes a bulk edit stripped")


_LONE_QUOTE = re.compile(r"""^\s*["']\s*$""")


@pattern("P504", "closing-quotes-broken-up", rank=280, answers=(_UNTERMINATED_TRIPLE,),
         broken='''\
             class TestA:
                 def test_a(self):
                     """
                     "
                     Checks the flow.
             "
             "
                     value = 1
                     assert value
             ''',
         repaired='''\
             class TestA:
                 def test_a(self):
                     """
                     Checks the flow.
                     """
                     value = 1
                     assert value
             ''')
def closing_quotes_broken_up(site: Site) -> Iterator[Edit]:
    """`\"\"\"` / text / `"` / `"`: a bulk edit broke a docstring's closing triple quotes into
    lines holding one quote each (and may have put one after the opening). The last run of them
    closes the docstring; the others go."""
    lines, index = site.lines, site.index
    opening = lines[index].strip()
    quote = '"""' if '"""' in opening else "'''" if "'''" in opening else None
    if quote is None:
        return
    found: list[int] = []
    for at in range(index + 1, min(index + 80, len(lines))):
        if quote in lines[at] or CODE_START.match(lines[at]):
            break
        if _LONE_QUOTE.match(lines[at]):
            found.append(at)
    if not found:
        return
    last_run = [found[-1]]
    while len(last_run) < len(found) and found[-len(last_run) - 1] == last_run[0] - 1:
        last_run.insert(0, found[-len(last_run) - 1])
    closing = last_run[0]
    end = last_run[-1] + 1
    new = [text for at, text in enumerate(lines[index:closing], index) if at not in found]
    new.append(indent_of(lines[index]) + quote)
    yield Edit(index, end, tuple(new), f"closed a docstring whose triple quotes a bulk edit broke into "
               f"{len(found)} line(s) of one quote", 1)


_CUT_DOCSTRING = re.compile(r"""^(\s*)(""|'')([^"'].*?)["']?\s*$""")
_HALF_CLOSED = re.compile(r"""^(\s*)('''|\"\"\")(.*[^"'])(["'])\s*$""")
_APOSTROPHE = re.compile(r"""(?<=[A-Za-z])"(?=(?:t|s|re|ve|ll|d|m)\b)""")


@pattern("P505", "cut-down-quotes", rank=290, answers=(_UNTERMINATED, _UNTERMINATED_TRIPLE),
         broken="""\
             def test_a():
                 ""Checks the flow."
                 pass
             """,
         repaired='''\
             def test_a():
                 """Checks the flow."""
                 pass
             ''',
         also=(("def test_a():\n    '''Checks the flow.'\n    pass\n",
                "def test_a():\n    '''Checks the flow.'''\n    pass\n"),
               ('def test_a():\n    assert 1, "it didn"t work"\n',
                "def test_a():\n    assert 1, \"it didn't work\"\n")))
def cut_down_quotes(site: Site) -> Iterator[Edit]:
    """Quotes a bulk edit cut down or moved: `""Doc."`, `'''Doc.'`, `didn"t`."""
    index, line = site.index, site.line
    cut = _CUT_DOCSTRING.match(line)
    if cut:
        quote = cut.group(2)[0] * 3
        yield Edit(index, index + 1, (f"{cut.group(1)}{quote}{cut.group(3)}{quote}",),
                   "restored a docstring whose triple quotes a bulk edit cut down")
    half = _HALF_CLOSED.match(line)
    if half and half.group(4) == half.group(2)[0]:
        yield Edit(index, index + 1, (f"{half.group(1)}{half.group(2)}{half.group(3)}{half.group(2)}",),
                   "closed a one-line docstring whose closing quotes were cut down")
    apostrophes = _APOSTROPHE.sub("'", line)
    if apostrophes != line:
        yield Edit(index, index + 1, (apostrophes,),
                   "turned apostrophes that a bulk edit made into quotes back")


# Mangled stand-ins for a docstring's opening quotes: six quotes, one or two, or a one-line docstring.
_DELIMITER_VARIANT = re.compile(r"""^\s*(?:"{6}|'{6}|"{1,2}|'{1,2}|\"\"\"[^"]+\"\"\"|'''[^']+''')\s*$""")


@pattern("P509", "mangled-opening-quotes", rank=340,
         broken='''\
             class TestA:
                 """Empty docstring."""
                 Checks the flow: 2 steps.
                 """Empty docstring."""

                 def test_a(self):
                     pass
             ''',
         repaired='''\
             class TestA:
                 """
                 Checks the flow: 2 steps.
                 """

                 def test_a(self):
                     pass
             ''',
         also=(('"""Module.\n\nFirst part."""\n"""Inserted."""\nrest of the text.\n"""\n\n'
                'def test_a():\n    pass\n',
                '"""Module.\n\nFirst part."""\n"""\nrest of the text.\n"""\n\ndef test_a():\n    pass\n'),
               ('"""Empty docstring."""\nModule text: 10% of $5.\n"""\n\ndef test_a():\n    pass\n',
                '"""\nModule text: 10% of $5.\n"""\n\ndef test_a():\n    pass\n'),
               ('""""""\nModule text: 10% of $5.\n"""\n\ndef test_a():\n    pass\n',
                '"""\nModule text: 10% of $5.\n"""\n\ndef test_a():\n    pass\n')))
def mangled_opening_quotes(site: Site) -> Iterator[Edit]:
    """A docstring's text parsed as code: the triple quotes that should open it were mangled by
    a bulk edit (six quotes, a one-line `\"\"\"Empty docstring.\"\"\"` put in their place, quotes
    stripped to one), and maybe its closing ones the same way. Seen across the corpus, most
    often in a file's first lines."""
    lines, index = site.lines, site.index
    start = index
    while start > 0 and index - start < 80:
        above = lines[start - 1]
        if CODE_START.match(above) or OPENER.match(above):
            break
        start -= 1
        if _DELIMITER_VARIANT.match(above):
            quote = "'''" if "'" in above and '"' not in above else '"""'
            indent = indent_of(lines[index]) if lines[index].strip() else indent_of(above)
            closing = next((i for i in range(index, min(index + 80, len(lines)))
                            if _DELIMITER_VARIANT.match(lines[i]) or CODE_START.match(lines[i])), None)
            if closing is not None and _DELIMITER_VARIANT.match(lines[closing]):
                # both ends mangled by the same edit: one repair, ranked as one
                new = (indent + quote, *lines[start + 1:closing], indent + quote)
                yield Edit(start, closing + 1, new, "restored the opening and closing quotes of a docstring "
                           f"(a bulk edit left `{above.strip()[:30]}`)", 1)
            yield Edit(start, start + 1, (indent + quote,), "restored the opening quotes of a docstring "
                       f"(a bulk edit left `{above.strip()[:30]}`)")
            break


_APPENDED_QUOTES = re.compile(r"""^\s*[^\s"'#].*[^"'\s]("{3}|'{3})\s*$""")


@pattern("P510", "quotes-appended-to-docstring-lines", rank=350,
         broken='''\
             """
             Module.

             Why:"""
             - first reason"""
             - second reason"""

             def test_a():
                 pass
             ''',
         repaired='''\
             """
             Module.

             Why:
             - first reason
             - second reason"""

             def test_a():
                 pass
             ''')
def quotes_appended_to_docstring_lines(site: Site) -> Iterator[Edit]:
    """Triple quotes appended to a docstring's lines closed it early: taken off all but the
    last, which closes the docstring."""
    lines, index = site.lines, site.index
    first = index
    while first > 0 and _APPENDED_QUOTES.match(lines[first - 1]):
        first -= 1
    tail = next((i for i in range(index, len(lines)) if not _APPENDED_QUOTES.match(lines[i])), len(lines))
    if first < index and tail - first > 1:
        new = tuple(lines[i].rstrip()[:-3].rstrip() if i < tail - 1 else lines[i] for i in range(first, tail))
        yield Edit(first, tail, new, f"removed the triple quotes a bulk edit appended to {tail - first - 1} "
                   "docstring line(s)", tail - first - 1)


_ONE_LINE_DOCSTRING = re.compile(r"""^(\s*)(\"\"\"|''')(?:(?!\2).)+\2\s*$""")


@pattern("P511", "one-line-docstring-inserted", rank=360,
         broken='''\
             def test_a():
                 """Checks the flow.
                 """Empty docstring."""
                 More text.
                 """
                 assert True
             ''',
         repaired='''\
             def test_a():
                 """Checks the flow.
                 More text.
                 """
                 assert True
             ''')
def one_line_docstring_inserted(site: Site) -> Iterator[Edit]:
    """A one-line docstring right after a line that opens a triple-quoted string: a script
    inserted it into that docstring (or turned its bare closing quotes into one). One that
    closes an open docstring and opens another stands for the closing quotes a bulk edit
    replaced (the same edit usually replaced the opening ones)."""
    lines, index = site.lines, site.index
    inserted = _ONE_LINE_DOCSTRING.match(site.line)
    if inserted and index > 0 and lines[index - 1].count(inserted.group(2)) % 2 == 1:
        yield Edit(index, index + 1, (), "removed a one-line docstring a bulk edit inserted into another")
        yield Edit(index, index + 1, (inserted.group(1) + inserted.group(2),),
                   "turned a one-line docstring a bulk edit made of bare triple quotes back into them")
    elif inserted and (site.message.startswith("unterminated triple-quoted")
                       or sum(text.count(inserted.group(2)) for text in lines[:index]) % 2 == 1):
        yield Edit(index, index + 1, (inserted.group(1) + inserted.group(2),),
                   "restored the closing quotes of a docstring (a bulk edit left a one-line docstring)")
