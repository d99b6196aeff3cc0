"""Candidate edits for one compile error, each a small change aimed at a damage pattern.

Every strategy looks at the interpreter's error (kind, message, line, column) and the lines
around it and proposes edits; none is trusted: the search keeps an edit only if it moves the
first error forward (or removes it), and the final result must pass `verify`. The patterns
come from real bulk-edit damage: lost indentation under a block opener, `foo()` left before
its dedented arguments, mismatched or stray brackets, split docstrings, prose outside a
docstring, unterminated strings, a `try` whose handler was deleted, un-commented lines with
flattened indentation, tabs mixed with spaces, a lost colon.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from testcanon.repair.brackets import CLOSERS as _CLOSERS
from testcanon.repair.brackets import bracket_balance, code_positions, unclosed
from testcanon.repair.pep701 import swap_field_quotes
from testcanon.repair.quotes import moved_quote_candidates, moved_quotes_everywhere, quote_stripped_arguments
from testcanon.syntax.compile_check import Problem

_OPENER = re.compile(r"^\s*(if|elif|else|for|while|with|try|except|finally|def|async def|class|async with|async for|match|case)\b.*:\s*(#.*)?$")
_PROSE = re.compile(r"^[A-Za-z][\w'\-]*(?:[ ,;:]+[\w'\-()]+){2,}[.!?:]?$")


@dataclass(frozen=True)
class Edit:
    """Replace lines [start, end) (0-based) with `new`; `why` goes into the report."""

    start: int
    end: int
    new: tuple[str, ...]
    why: str
    changed: int | None = None  # for an edit over many lines: how many it really changes

    @property
    def cost(self) -> int:
        if self.changed is not None:
            return max(self.changed, 1)
        return max(self.end - self.start, len(self.new)) or 1

    def apply(self, lines: list[str]) -> list[str]:
        return [*lines[: self.start], *self.new, *lines[self.end:]]


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _code_line_before(lines: list[str], index: int) -> int | None:
    for i in range(index - 1, -1, -1):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            return i
    return None


@functools.lru_cache(maxsize=64)
def _unit(lines: tuple[str, ...]) -> str:
    """The file's indentation unit (4 spaces unless it clearly uses something else)."""
    widths = sorted({len(indent_of(line)) for line in lines if line.strip() and indent_of(line) and "\t" not in indent_of(line)})
    return " " * (widths[0] if widths and widths[0] in (2, 3, 4, 8) else 4)


def _doubled_quotes(lines: list[str]) -> Iterator[Edit]:
    """`'''` on one line and again on the next: a bulk edit wrapped docstrings twice (collapse
    each pair to one) or split one in two (drop the pair); both happen in one file, most often
    the first pair opening the module docstring and the later ones splitting it."""
    pairs = [i for i in range(len(lines) - 1)
             if lines[i].strip() in ('"""', "'''") and lines[i + 1].strip() == lines[i].strip()
             and (i == 0 or lines[i - 1].strip() != lines[i].strip())]
    if not pairs:
        return
    variants = [("collapsed {n} doubled triple-quote line(s) that split docstrings", set(pairs), set()),
                ("collapsed the first doubled triple-quote line and removed {m} pair(s) that split a docstring",
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


def candidates(lines: list[str], problem: Problem) -> Iterator[Edit]:
    index = max(problem.line - 1, 0)
    if index >= len(lines):
        index = len(lines) - 1
    message = problem.message
    line = lines[index] if lines else ""
    # the indentation unit is read from every line: only where an edit indents by it
    needs_unit = message.startswith(("expected an indented block", "expected 'except'")) or message == "unexpected indent"
    unit = _unit(tuple(lines)) if needs_unit else "    "

    yield from _doubled_quotes(lines)
    yield from _appended_to_code(lines, index)  # very specific signatures: before the generic ones
    yield from _return_left_of_inserted_sleep(lines, index)
    if message.startswith("invalid syntax"):
        joined = _joined_statements(line)
        if joined is not None:
            yield Edit(index, index + 1, joined[0], joined[1])
    if message.startswith("unterminated string literal"):
        rejoined = _split_at_escaped_newlines(lines, index, problem.column - 1)
        if rejoined is not None:
            yield rejoined
    requoted = quote_stripped_arguments(line)
    if requoted is not None:
        yield Edit(index, index + 1, (requoted,), "quoted call arguments a bulk edit had stripped of their quotes")
    for at in (index, _code_line_before(lines, index)):
        if at is not None and lines[at].rstrip().endswith(("'", '"')):
            for fixed, why in moved_quote_candidates(lines[at]):
                yield Edit(at, at + 1, (fixed,), why)
    everywhere, changed = moved_quotes_everywhere(lines)
    if changed > 1:
        yield Edit(0, len(lines), tuple(everywhere), f"put back {changed} quotes a bulk edit moved to the ends of "
                   "their lines", 2)  # one pattern applied throughout: one decision, not `changed`

    stripped = _stripped_docstring(lines, index)
    if stripped is not None:
        yield stripped
    collapsed = _collapsed_brackets(lines, index)  # a very specific signature: try it first
    if collapsed is not None:
        yield collapsed
    lost = _lost_closers(lines, index)
    if lost is not None:
        yield lost
    single = _single_commas(line)
    if single != line:
        yield Edit(index, index + 1, (single,), "removed commas a bulk edit doubled (`a,, b`)")

    if problem.kind == "tab-error" or "inconsistent use of tabs" in message:
        for size in (8, 4):
            new = tuple(indent_of(text_line).expandtabs(size) + text_line.lstrip() if "\t" in indent_of(text_line) else text_line for text_line in lines)
            yield Edit(0, len(lines), new, f"tabs in indentation expanded to {size} spaces")

    if message.startswith("expected an indented block"):
        shifted = _shifted_body(lines, index, unit)
        if shifted is not None:
            yield shifted
        reflowed = _reflow(lines, index, unit)
        if reflowed is not None:
            yield reflowed
        opener = _code_line_before(lines, index)
        base = indent_of(lines[opener]) if opener is not None else ""
        target = base + unit
        yield Edit(index, index + 1, (target + line.lstrip(),), "re-indented a statement that lost its indentation under a block opener")
        end = index
        while end < len(lines) and (not lines[end].strip() or indent_of(lines[end]) == indent_of(line)) \
                and not re.match(r"\s*(def|class|async def|@|except|finally|elif|else)\b", lines[end] if end > index else ""):
            end += 1
        if end - index > 1:
            yield Edit(index, end, tuple(target + text_line.lstrip() if text_line.strip() else text_line for text_line in lines[index:end]),
                       "re-indented the statements that lost their indentation under a block opener")
        # Only a truly empty block gets `pass`: what follows is a definition, a clause, or code
        # left of the opener. A statement at the opener's own column was most likely its body
        # (flattened), and `pass` would silently move that body out of the block.
        if index >= len(lines) or len(indent_of(line)) < len(base) or re.match(
                r"\s*(def|class|async\s+def|@|except|finally|elif|else|case)\b", line):
            yield Edit(index, index, (target + "pass",), "inserted `pass` into an empty block")

    if message == "unexpected indent":
        previous = _code_line_before(lines, index)
        if previous is not None and lines[previous].strip() == "pass" \
                and len(indent_of(lines[previous])) < len(indent_of(line)):
            # `def f():` / `"""Doc."""` / `pass` (one level short) / the body: a script's `pass`
            yield Edit(previous, previous + 1, (), "removed a `pass` a script inserted one level short, above "
                       "the block's body")
        if previous is not None:
            prev = lines[previous].rstrip()
            stripped_prev = re.sub(r"\s*#.*$", "", prev)
            if stripped_prev.endswith("()"):
                yield Edit(previous, previous + 1, (stripped_prev[:-1],),
                           "reopened a call closed too early (`foo()` before its arguments)")
            if stripped_prev.endswith(("(", "[", "{", ",", "\\")):
                pass
            block_end = index
            while block_end < len(lines) and (not lines[block_end].strip() or
                                              len(indent_of(lines[block_end])) >= len(indent_of(line))):
                block_end += 1
            base = indent_of(lines[previous]) if not _OPENER.match(lines[previous]) else indent_of(lines[previous]) + unit
            shift = len(indent_of(line)) - len(base)
            if shift > 0:
                yield Edit(index, block_end, tuple(text_line[shift:] if text_line.strip() and text_line.startswith(" " * shift) else text_line
                                                   for text_line in lines[index:block_end]),
                           "dedented lines whose indentation was flattened by a bulk edit")
                yield Edit(index, index + 1, (base + line.lstrip(),), "dedented one over-indented line")

    if message.startswith("unindent does not match"):
        levels = sorted({len(indent_of(text_line)) for text_line in lines[:index] if text_line.strip()}, reverse=True)
        width = len(indent_of(line))
        over = _over_indented_block(lines, index, width)
        if over is not None:
            yield over
        for level in levels:
            if level < width:
                yield Edit(index, index + 1, (" " * level + line.lstrip(),), "aligned a line with an enclosing block")
                break
        above = next((level for level in levels if level > width), None)
        if above is not None:
            yield Edit(index, index + 1, (" " * above + line.lstrip(),), "aligned a line with the block above it")

    match = re.match(r"closing parenthesis '(.)' does not match opening parenthesis '(.)'", message)
    if match:
        closer, opener = match.groups()
        column = problem.column - 1
        wrong = _WRONG_EMPTY_PAIR.match(line)
        if wrong and wrong.group(2) == closer and wrong.group(1).endswith(opener):
            # `cases = [ )` with the items on the next lines and their `]` after them
            yield Edit(index, index + 1, (wrong.group(1) + (f"  {wrong.group(3)}" if wrong.group(3) else ""),),
                       f"removed a `{closer}` a bulk edit put after an opening `{opener}`")
        if 0 <= column < len(line) and line[column] == closer:
            yield Edit(index, index + 1, (line[:column] + _CLOSERS[opener] + line[column:],),
                       f"restored a dropped `{_CLOSERS[opener]}` before `{closer}`")
            yield Edit(index, index + 1, (line[:column] + _CLOSERS[opener] + line[column + 1:],),
                       f"replaced a mismatched `{closer}` with `{_CLOSERS[opener]}`")
            yield Edit(index, index + 1, (line[:column] + line[column + 1:],), f"removed a mismatched `{closer}`")

    match = re.match(r"unmatched '(.)'", message)
    if match:
        column = problem.column - 1
        if 0 <= column < len(line) and line[column] == match.group(1):
            run = len(line[column:]) - len(line[column:].lstrip(match.group(1)))
            if run > 1:  # `]]`: removing one leaves the same error in the same place
                yield Edit(index, index + 1, ((line[:column].rstrip() + line[column + run:]).rstrip(),),
                           f"removed {run} stray `{match.group(1)}`")
            yield Edit(index, index + 1, (line[:column] + line[column + 1:],), f"removed a stray `{match.group(1)}`")

    match = re.match(r"'(.)' was never closed", message)
    if match:
        closer = _CLOSERS[match.group(1)]
        for end in range(index, min(index + 8, len(lines))):
            text = lines[end].rstrip()
            header = re.match(r"(.*?)(\s*:\s*(?:#.*)?)$", text) if _COMPOUND.match(text.lstrip()) else None
            if header:  # `if all([a, b]:` -> `if all([a, b]):`, not after the colon
                yield Edit(end, end + 1, (header.group(1) + closer + header.group(2),),
                           f"closed a `{match.group(1)}` left open")
            else:
                yield Edit(end, end + 1, (text + closer,), f"closed a `{match.group(1)}` left open")

    if message.startswith("unterminated string literal"):
        yield from _mangled_quotes(index, line)
        column = problem.column - 1
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

    if message.startswith("unterminated triple-quoted string literal"):
        lone = _lone_quote_lines(lines, index)
        if lone is not None:
            yield lone
        yield from _mangled_quotes(index, line)
        quote = '"""' if '"""' in line else "'''"
        position = line.find(quote)
        if position >= 0:
            rest = line[position + 3:]
            if not rest.strip():
                yield Edit(index, index + 1, (line[:position].rstrip(),) if line[:position].strip() else (),
                           "removed a stray triple quote left by a split docstring")
            yield Edit(index, index + 1, (line.rstrip() + quote,), "closed a docstring on its own line")
        for end in range(index + 1, min(index + 60, len(lines))):
            if not lines[end].strip() and end + 1 < len(lines) and re.match(r"\s*(def|class|import|from|@)\b", lines[end + 1]):
                yield Edit(end, end, (indent_of(line) + quote,), "closed a docstring before the next definition")
                break

    yield from _mangled_delimiters(lines, index)

    inserted = _ONE_LINE_DOCSTRING.match(line)
    if inserted and index > 0 and lines[index - 1].count(inserted.group(2)) % 2 == 1:
        # A one-line docstring right after a line that opens a triple-quoted string: a script
        # inserted it into that docstring (or turned its bare closing quotes into one).
        yield Edit(index, index + 1, (), "removed a one-line docstring a bulk edit inserted into another")
        yield Edit(index, index + 1, (inserted.group(1) + inserted.group(2),),
                   "turned a one-line docstring a bulk edit made of bare triple quotes back into them")
    elif inserted and (message.startswith("unterminated triple-quoted")
                       or sum(text_line.count(inserted.group(2)) for text_line in lines[:index]) % 2 == 1):
        # It closes an open docstring, then opens another: it stands for the closing quotes a
        # bulk edit replaced (the same edit usually replaced the opening ones).
        yield Edit(index, index + 1, (inserted.group(1) + inserted.group(2),),
                   "restored the closing quotes of a docstring (a bulk edit left a one-line docstring)")

    if message in ("invalid syntax", "invalid syntax. Perhaps you forgot a comma?") or message.startswith("invalid decimal literal"):
        stripped = line.strip()
        if _PROSE.match(stripped) or (stripped and not re.search(r"[=()\[\]{}:]", stripped)):
            # ranked after restoring a docstring's mangled quotes, which keeps the text a docstring
            yield Edit(index, index + 1, (indent_of(line) + "# " + stripped,), "turned stray prose into a comment", 2)
            end = index
            while end < len(lines) and lines[end].strip() and not re.search(r"[=()\[\]{}]", lines[end]):
                end += 1
            if end - index > 1:
                yield Edit(index, end, tuple(indent_of(text_line) + "# " + text_line.strip() for text_line in lines[index:end]),
                           "turned a paragraph of stray prose into comments")

    if message.startswith("invalid syntax") and _STATEMENT_KEYWORD.match(line):
        # `value = compute(0` / `assert value)`: a statement keyword inside brackets the line
        # above left open. Close them there (a stray closer below is its own next error).
        previous = _code_line_before(lines, index)
        closers = unclosed(lines[previous]) if previous is not None else None
        if previous is not None and closers:
            body = re.sub(r"\s*#.*$", "", lines[previous].rstrip())
            yield Edit(previous, previous + 1, (body + closers + lines[previous].rstrip()[len(body):],),
                       f"closed `{closers}` left open on the line before a new statement")

    if message == "expected ':'":
        body = re.sub(r"\s*(#.*)?$", "", line)
        comment = line[len(body):].strip()
        yield Edit(index, index + 1, (body + ":" + (f"  {comment}" if comment else ""),), "restored a lost colon")

    if message.startswith("expected 'except' or 'finally' block"):
        opener = next((i for i in range(index - 1, -1, -1) if re.match(r"\s*try\s*:", lines[i])), None)
        if opener is not None:
            base = indent_of(lines[opener])
            yield Edit(index, index, (base + "except Exception:", base + unit + "raise"),
                       "restored the `except` handler a `try` lost (re-raises, so failures still fail)")
            yield Edit(index, index, (base + "finally:", base + unit + "pass"),
                       "restored a `finally` to a `try` that lost its handler")

    if message in ("'return' outside function", "'yield' outside function"):
        # `return x` one level left of the body it ends (at the class's level, after a method):
        # put it back at the column of the statement before it, inside that function
        previous = _code_line_before(lines, index)
        if previous is not None and len(indent_of(lines[previous])) > len(indent_of(line)) \
                and _in_function(lines, previous):
            yield Edit(index, index + 1, (indent_of(lines[previous]) + line.lstrip(),),
                       f"re-indented a `{message.split()[0].strip(chr(39))}` that lost its indentation into the "
                       "function above it")

    if message == "'await' outside async function" and _NO_OP_AWAIT.match(line):
        # a plain function cannot await; this one is a bare yield to the event loop a script
        # inserted (it never ran: the file did not compile), so nothing it did is lost
        yield Edit(index, index + 1, (), "removed `await asyncio.sleep(0)` a script inserted into a plain "
                   "(non-async) function")

    if message.startswith("f-string"):
        swapped = swap_field_quotes(line)
        if swapped != line:
            yield Edit(index, index + 1, (swapped,), "rewrote a Python 3.12 f-string (nested quotes) for the target version")

    # No last resort: commenting out a line of code that cannot be repaired changes what the
    # test does (an assertion gone, a statement pulled into a loop), which no check can prove
    # harmless. Such a file is reported unfixable instead.


def _split_at_escaped_newlines(lines: list[str], index: int, column: int) -> Edit | None:
    """`print("` / `1. Done")`: a script wrote the `\\n` escape of a string as a real line break
    (the string opens at the end of its line and the next lines close it). Re-joined with the
    escape, the line is what it was; the text after each break is kept verbatim."""
    line = lines[index]
    while 0 <= column < len(line) and line[column] in "rbfuRBFU":  # a prefix: the quote follows it
        column += 1
    if not 0 <= column < len(line) or line[column] not in "'\"":
        return None
    quote = line[column]
    if line[column:column + 3] == quote * 3 or not code_positions(line)[1]:
        return None
    joined = line.rstrip("\r")
    for end in range(index + 1, min(index + 6, len(lines))):
        joined += "\\n" + lines[end].rstrip("\r")
        if quote in lines[end]:
            if code_positions(joined)[1] or not _reads_as_code(joined.strip()):  # still open, or not code
                return None
            breaks = end - index
            # one decision however many breaks: ranked with the one-line edits it competes with
            return Edit(index, end + 1, (joined,), f"re-joined a string a script split at {breaks} `\\n` escape(s) "
                        "(written as line breaks)", changed=1)
    return None


def _reads_as_code(text: str) -> bool:
    """A re-joined line must read as a statement, or as one line of a bracketed construct (its
    open brackets closed, or the closers that end it dropped), not as prose with stray quotes."""
    # also as the first line of an expression that goes on (`"...\\n%s" %`, then the operand)
    for probe in {text, text + (unclosed(text) or ""), text.rstrip(",)]} "), text + " _" + (unclosed(text) or "")}:
        if probe and (_is_statement(probe) or _is_statement(f"_ = [{probe}]")):  # an item: `"\\nDone",`
            return True
    return False


def _mangled_delimiters(lines: list[str], index: int) -> Iterator[Edit]:
    """A docstring's text parsed as code: the triple quotes that should open it were mangled by a
    bulk edit (six quotes, a one-line `\"\"\"Empty docstring.\"\"\"` put in their place, quotes
    stripped to one), or quotes appended to its lines closed it early. Seen across the corpus,
    most often in a file's first lines."""
    start = index
    while start > 0 and index - start < 80:
        above = lines[start - 1]
        if _CODE_START.match(above) or _OPENER.match(above):
            break
        start -= 1
        if _DELIMITER_VARIANT.match(above):
            quote = "'''" if "'" in above and '"' not in above else '"""'
            indent = indent_of(lines[index]) if lines[index].strip() else indent_of(above)
            closing = next((i for i in range(index, min(index + 80, len(lines)))
                            if _DELIMITER_VARIANT.match(lines[i]) or _CODE_START.match(lines[i])), None)
            if closing is not None and _DELIMITER_VARIANT.match(lines[closing]):
                # both ends mangled by the same edit: one repair, ranked as one
                new = (indent + quote, *lines[start + 1:closing], indent + quote)
                yield Edit(start, closing + 1, new, "restored the opening and closing quotes of a docstring "
                           f"(a bulk edit left `{above.strip()[:30]}`)", 1)
            yield Edit(start, start + 1, (indent + quote,),
                       f"restored the opening quotes of a docstring (a bulk edit left `{above.strip()[:30]}`)")
            break
    first = index
    while first > 0 and _APPENDED_QUOTES.match(lines[first - 1]):
        first -= 1
    tail = next((i for i in range(index, len(lines)) if not _APPENDED_QUOTES.match(lines[i])), len(lines))
    if first < index and tail - first > 1:  # the last one keeps its quotes: it closes the docstring
        new = tuple(lines[i].rstrip()[:-3].rstrip() if i < tail - 1 else lines[i] for i in range(first, tail))
        yield Edit(first, tail, new, f"removed the triple quotes a bulk edit appended to {tail - first - 1} "
                   "docstring line(s)", tail - first - 1)


# Mangled stand-ins for a docstring's opening quotes: six quotes, one or two, or a one-line docstring.
_DELIMITER_VARIANT = re.compile(r"""^\s*(?:"{6}|'{6}|"{1,2}|'{1,2}|\"\"\"[^"]+\"\"\"|'''[^']+''')\s*$""")
_APPENDED_QUOTES = re.compile(r"""^\s*[^\s"'#].*[^"'\s]("{3}|'{3})\s*$""")
_CODE_START = re.compile(r"^\s*(def|class|async\s+def|import|from\s+\S+\s+import|@)\b")


def _appended_to_code(lines: list[str], index: int) -> Iterator[Edit]:
    """`self.ready = True\"\"\"`: a bulk edit appended triple quotes to a line of code (it meant to
    close a docstring). The line without them is a statement on its own: take them off."""
    for at in (index, index - 1):
        if not 0 <= at < len(lines):
            continue
        match = _TRAILING_TRIPLE.match(lines[at])
        if match and _is_statement(match.group(1).strip()):
            yield Edit(at, at + 1, (match.group(1).rstrip(),),
                       "removed triple quotes a bulk edit appended to a line of code")
        doubled = _DOUBLED_CLOSE.match(lines[at])
        if doubled:
            yield Edit(at, at + 1, (doubled.group(1),), "removed a second closing triple quote from a docstring")


def _over_indented_block(lines: list[str], index: int, width: int) -> Edit | None:
    """`class A:` / `        \"\"\"Doc.\"\"\"` / `    def test_a(self):`: the block's first lines went
    deeper than the rest of it (a bulk edit indented them twice). Bring them to the rest's level."""
    start = index
    while start > 0 and (not lines[start - 1].strip() or len(indent_of(lines[start - 1])) > width):
        start -= 1
    if start == 0 or start == index or not _OPENER.match(lines[start - 1]) \
            or len(indent_of(lines[start - 1])) >= width:
        return None
    block = [text_line for text_line in lines[start:index] if text_line.strip()]
    shift = min(len(indent_of(text_line)) for text_line in block) - width
    if shift <= 0:
        return None
    new = tuple(text_line[shift:] if text_line.strip() else text_line for text_line in lines[start:index])
    return Edit(start, index, new, f"dedented {len(block)} line(s) a bulk edit indented deeper than their block",
                len(block))


def _return_left_of_inserted_sleep(lines: list[str], index: int) -> Iterator[Edit]:
    """`        await asyncio.sleep(0)` / `return x` at a lower column: a script put a yield to the
    event loop before each `return` and moved the `return` left of it (to the def's column or
    to column 0); it goes back to the column of the `await` that precedes it."""
    for at in range(max(index - 3, 0), min(index + 1, len(lines))):
        text = lines[at]
        if not re.match(r"\s*(return|yield|raise)\b", text):
            continue
        previous = _code_line_before(lines, at)
        if previous is not None and _NO_OP_AWAIT.match(lines[previous]) \
                and len(indent_of(lines[previous])) > len(indent_of(text)):
            yield Edit(at, at + 1, (indent_of(lines[previous]) + text.lstrip(),),
                       f"re-indented a `{text.split()[0]}` a script moved left of the `await asyncio.sleep(0)` "
                       "it put before it")


def _joined_statements(line: str) -> tuple[tuple[str, ...], str] | None:
    """`mock = Magic        mock.reset = AsyncMock()`: a script deleted `Mock()` with the line
    break after it, joining two statements; the run of spaces is the second one's indentation.
    Split there (the deleted `MagicMock()` is restored: the only text that edit deleted)."""
    match = _JOINED.match(line)
    if match is None or "#" in match.group(1):
        return None
    first, indent, second = match.group(1), match.group(2), match.group(3)
    restored = first + "Mock()" if first.endswith("Magic") else first
    if not (_is_statement(restored.strip()) and _reads_as_code(second.strip())):
        return None
    how = "restored the `MagicMock()` and line break" if restored != first else "split at the line break"
    return (restored, indent + second), f"{how} a script deleted, which joined two statements"


_JOINED = re.compile(r"^(\s*[A-Za-z_][\w.\[\]\"']*\s*=\s*[\w.]+)( {2,})([A-Za-z_][\w.\[\]\"']*\s*[.=(].*)$")
_NO_OP_AWAIT = re.compile(r"^\s*await\s+asyncio\.sleep\(\s*0\s*\)\s*(#.*)?$")
_DEF_LINE = re.compile(r"^(\s*)(?:async\s+)?def\s")


def _in_function(lines: list[str], index: int) -> bool:
    """Whether line `index` is in a function's body: the nearest line left of it is a `def`."""
    width = len(indent_of(lines[index]))
    for i in range(index - 1, -1, -1):
        text = lines[i]
        if text.strip() and not text.lstrip().startswith("#") and len(indent_of(text)) < width:
            if _DEF_LINE.match(text):
                return True
            width = len(indent_of(text))
            if width == 0:
                return False
    return False


def _is_statement(text: str) -> bool:
    if not text or text.startswith(("'", '"', "#")):
        return False
    for candidate in (text, text + "\n    pass"):  # a header (`with x:`, `@dataclass` + def) too
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile(candidate if not text.startswith("@") else f"{text}\ndef _(): pass", "<line>", "exec")
            return True
        except SyntaxError:
            continue
    return False


# A line of code with `"""` (or `'''`) stuck to its end, possibly six of them.
_TRAILING_TRIPLE = re.compile(r"""^(\s*[^\s"'#].*?)(?:\"\"\"|''')+\s*$""")
_STATEMENT_KEYWORD = re.compile(r"\s*(assert|return|raise|del|pass|import|from|global|nonlocal|yield|await|if|for|"
                                r"while|with|try|def|class|async)\b")
# `"""Doc.""""""`: a docstring closed twice.
_DOUBLED_CLOSE = re.compile(r"""^(\s*(\"\"\"|''')(?:(?!\2).)+\2)\2\s*$""")
# `items = [ )`: an opening bracket "closed" by a wrong one a bulk edit added.
_WRONG_EMPTY_PAIR = re.compile(r"^(.*[\[{(])\s*([)\]}])\s*(#.*)?$")


_CUT_DOCSTRING = re.compile(r"""^(\s*)(""|'')([^"'].*?)["']?\s*$""")
_HALF_CLOSED = re.compile(r"""^(\s*)('''|\"\"\")(.*[^"'])(["'])\s*$""")
_ONE_LINE_DOCSTRING = re.compile(r"""^(\s*)(\"\"\"|''')(?:(?!\2).)+\2\s*$""")
_APOSTROPHE = re.compile(r"""(?<=[A-Za-z])"(?=(?:t|s|re|ve|ll|d|m)\b)""")


_COMPOUND = re.compile(r"^(?:async[ \t]+)?(if|elif|else|for|while|with|try|except|finally|def|class|match|case)\b")
_CLAUSES = {"elif": ("if", "elif"), "else": ("if", "elif", "for", "while", "try", "except"),
            "except": ("try", "except"), "finally": ("try", "except", "else")}


def _shifted_body(lines: list[str], index: int, unit: str) -> Edit | None:
    """A `def`'s whole body moved left by a bulk edit, its own nesting intact (`for` at column
    0, the loop's body at 4): move it back, every line by the same amount, up to the next
    definition at the `def`'s column or left of it."""
    opener = _code_line_before(lines, index)
    if opener is None or not re.match(r"\s*(?:async\s+)?def\b", lines[opener]):
        return None
    base = len(indent_of(lines[opener]))
    flat = len(indent_of(lines[index]))
    if flat > base:
        return None
    end = index
    while end < len(lines):
        stripped = lines[end].strip()
        width = len(indent_of(lines[end]))
        if stripped and (width < flat or (width <= base and re.match(r"(?:async\s+)?def\b|class\b|@", stripped))):
            break
        end += 1
    while end > index and not lines[end - 1].strip():
        end -= 1
    body = [line for line in lines[index:end] if line.strip()]
    if len(body) < 2 or all(len(indent_of(line)) == flat for line in body):
        return None  # flat: `_reflow` infers the nesting; one line: the single re-indent says it
    delta = " " * (base + len(unit) - flat)
    new = tuple(delta + line if line.strip() else line for line in lines[index:end])
    return Edit(index, end, new, f"moved a body a bulk edit shifted left back under its `def` ({len(body)} lines)", 1)


def _reflow(lines: list[str], index: int, unit: str) -> Edit | None:
    """A block whose statements a bulk edit flattened to the opener's column (or to column 0): give every line
    the indentation its openers (`...:`) and clauses (`else`, `except`, ...) imply. Where a
    nested block ended cannot be seen in flattened text; the block runs to the next clause."""
    opener = _code_line_before(lines, index)
    if opener is None:
        return None
    base = len(indent_of(lines[opener]))
    flat = len(indent_of(lines[index]))  # the opener's column, or left of it (flattened to column 0)
    if flat > base:
        return None
    first = _COMPOUND.match(lines[opener].strip())
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
            keyword = _COMPOUND.match(stripped)
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
        return None  # one line: the single-line re-indent says the same, more modestly
    # Statements at a `def`'s own column right after it are its body (a body cannot be empty);
    # under other openers the block may well have ended after one line, so that costs more.
    cost = 1 if stack and stack[0][0] in ("def", "class") else min(changed, 3)
    return Edit(index, end, tuple(out), f"re-indented {changed} flattened line(s) by the blocks their openers "
                "and clauses imply", cost)


# An opening bracket with closers right after it (`items = [ ]`, `run([ ))`), maybe `"""` after them.
_EMPTY_PAIR = re.compile(r"""^(.*?[(\[{])[ \t]*([)\]}]+)[ \t]*(?:\"\"\"|''')?[ \t]*(#.*)?$""")


def _collapsed_brackets(lines: list[str], index: int) -> Edit | None:
    """`items = [ ]` (or `run([ ))`) followed by the items and a blank line where the closers
    were: a bulk edit pulled them up onto the opening line, sometimes turned into the wrong kind.
    Put back, where the blank is, the closers the opening line needs."""
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
            return None
        head = match.group(1) + (f"  {match.group(3)}" if match.group(3) else "")
        closer = indent_of(lines[opener]) + closers
        return Edit(opener, min(end + 1, len(lines)), (head, *lines[opener + 1:end], closer),
                    f"moved `{closers}` a bulk edit pulled onto its opening line (as `{match.group(2)}`) back "
                    "after the contents", 2)
    return None


_STRIPPED_DOCSTRING = re.compile(r"""^(\s*)(["']{0,3})([A-Za-z][^"']*?)(["']{1,3})\s*$""")


_OPENS_BLOCK = re.compile(r"^.*[(\[{][ \t]*(#.*)?$")


def _lost_closers(lines: list[str], index: int) -> Edit | None:
    """`config = {` with its items below and a blank line where the `}` was: a bulk edit
    deleted the line holding the closers. Put back what the brackets still open need there."""
    for opener in range(index, max(index - 40, -1), -1):
        if not _OPENS_BLOCK.match(lines[opener]):
            continue
        end = opener + 1
        while end < len(lines) and lines[end].strip():
            end += 1
        if end == opener + 1 or end <= index - 1:
            return None  # the blank is above the error: not this bracket's place
        closers = unclosed("".join(lines[opener:end]))
        if not closers or bracket_balance("".join(lines[opener:end])) != len(closers):
            return None
        return Edit(end, end, (indent_of(lines[opener]) + closers,),
                    f"put back `{closers}` a bulk edit deleted (a blank line was left where it stood)")
    return None


_LONE_QUOTE = re.compile(r"""^\s*["']\s*$""")


def _lone_quote_lines(lines: list[str], index: int) -> Edit | None:
    """`\"\"\"` / text / `"` / `"`: a bulk edit broke a docstring's closing triple quotes into
    lines holding one quote each (and may have put one after the opening). The last run of them
    closes the docstring; the others go."""
    opening = lines[index].strip()
    quote = '"""' if '"""' in opening else "'''" if "'''" in opening else None
    if quote is None:
        return None
    found: list[int] = []
    for at in range(index + 1, min(index + 80, len(lines))):
        if quote in lines[at] or _CODE_START.match(lines[at]):
            break
        if _LONE_QUOTE.match(lines[at]):
            found.append(at)
    if not found:
        return None
    last_run = [found[-1]]
    while len(last_run) < len(found) and found[-len(last_run) - 1] == last_run[0] - 1:
        last_run.insert(0, found[-len(last_run) - 1])
    closing = last_run[0]
    end = last_run[-1] + 1
    new = [text for at, text in enumerate(lines[index:closing], index) if at not in found]
    new.append(indent_of(lines[index]) + quote)
    return Edit(index, end, tuple(new), f"closed a docstring whose triple quotes a bulk edit broke into "
                f"{len(found)} line(s) of one quote", 1)


def _single_commas(line: str) -> str:
    """`f(a,, b)` -> `f(a, b)`: commas doubled outside strings (a bulk edit joined lines)."""
    code = set(code_positions(line)[0])
    return "".join(char for i, char in enumerate(line)
                   if not (char == "," and i in code and i - 1 in code and line[i - 1] == ","))


def _stripped_docstring(lines: list[str], index: int) -> Edit | None:
    """`Checks the flow."` or `Checks the flow.""` as a definition's first line: a bulk edit
    stripped a one-line docstring's quotes to what is left at its end. Quote it back."""
    header = _code_line_before(lines, index)
    match = _STRIPPED_DOCSTRING.match(lines[index])
    if header is None or not match or not re.match(r"\s*(?:async\s+)?(?:def|class)\b.*:\s*(#.*)?$", lines[header]):
        return None
    indent, opening, text, closing = match.groups()
    if opening == closing == '"""' or _is_statement(text.strip()):
        return None
    quote = '"""' if closing[0] == '"' else "'''"
    return Edit(index, index + 1, (f"{indent}{quote}{text.rstrip()}{quote}",),
                "restored a docstring whose quotes a bulk edit stripped")


def _mangled_quotes(index: int, line: str) -> Iterator[Edit]:
    """Quotes a bulk edit cut down or moved: `""Doc."`, `'''Doc.'`, `didn"t`."""
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
        yield Edit(index, index + 1, (apostrophes,), "turned apostrophes that a bulk edit made into quotes back")
