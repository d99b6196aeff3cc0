"""Reading lines of broken code: indentation, the code line before, whether text is a statement."""

from __future__ import annotations

import re
import warnings

from testcanon.repair.brackets import unclosed

# A line that opens a block (`if x:`, `def f():`, `else:`, ...).
OPENER = re.compile(r"^\s*(if|elif|else|for|while|with|try|except|finally|def|async def|class|async with|"
                    r"async for|match|case)\b.*:\s*(#.*)?$")
# A compound statement's keyword at the start of a stripped line.
COMPOUND = re.compile(r"^(?:async[ \t]+)?"
                      r"(if|elif|else|for|while|with|try|except|finally|def|class|match|case)\b")
# A line that starts a definition or an import: where a docstring or prose cannot run on.
CODE_START = re.compile(r"^\s*(def|class|async\s+def|import|from\s+\S+\s+import|@)\b")
# `await asyncio.sleep(0)` alone on its line: a script's yield to the event loop.
NO_OP_AWAIT = re.compile(r"^\s*await\s+asyncio\.sleep\(\s*0\s*\)\s*(#.*)?$")
_DEF_LINE = re.compile(r"^(\s*)(?:async\s+)?def\s")


def indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def code_line_before(lines: list[str], index: int) -> int | None:
    for i in range(index - 1, -1, -1):
        if lines[i].strip() and not lines[i].lstrip().startswith("#"):
            return i
    return None


def in_function(lines: list[str], index: int) -> bool:
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


def is_statement(text: str) -> bool:
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


def reads_as_code(text: str) -> bool:
    """A re-joined line must read as a statement, or as one line of a bracketed construct (its
    open brackets closed, or the closers that end it dropped), not as prose with stray quotes."""
    # also as the first line of an expression that goes on (`"...\\n%s" %`, then the operand)
    closers = unclosed(text) or ""
    for probe in {text, text + closers, text.rstrip(",)]} "), text + " _" + closers}:
        if probe and (is_statement(probe) or is_statement(f"_ = [{probe}]")):  # an item: `"\\nDone",`
            return True
    return False
