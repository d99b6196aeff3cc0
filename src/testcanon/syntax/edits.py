"""Whether an edit of a module that compiles breaks it, without parsing the lines it left alone.

Replaying a change hunk by hunk compiles the whole file once per hunk, and most hunks of damage
do not compile: the parser reads every line above the hunk only to fail inside it. But the lines
above the hunk are the compiling module's own, up to a *boundary*: a line where a statement
starts below the end of the statement before it, at the top level or in the body of a class or
function (nested only in classes and functions). Parsing starts there in a state a few
synthetic lines rebuild: one `class _:` line at the indentation of each enclosing definition
gives the tokenizer the same indentation stack, and the grammar asks nothing else of what
encloses a statement (`return` outside a function is the compiler's error, not the parser's).
So when the text from the boundary on, under that header, does not parse, the whole edited
module does not either.

Nothing is concluded (the caller parses the whole module) when the first line below the
boundary is not a statement at the boundary's indentation: deeper, the body of a `def` or `if`
above it would take it; shallower, the synthetic body above it would be empty where the real one
is not. Nor when it continues a compound statement (`else`, `elif`, `except`, `finally`). A file
that declares an encoding other than UTF-8, or that imports the one `__future__` feature that
changes the grammar, is never judged by parts.

The text from the boundary is first read only up to the next boundary below the first untouched
statement after the edit (a *window*). Python's parser reads tokens in order and decides on
those it has read: when it fails on a token above that statement, it fails there whatever
follows, so the lines further down are never read. Only a failure where the window ends could be
the window's doing, or one Python reports early but finds at the end (`'(' was never closed`, an
unterminated triple-quoted string): then the whole text from the boundary is parsed.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings
from typing import NamedTuple

_CONTINUES = re.compile(r"[ \t\f]*(?:else|elif|except|finally)\b")
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UTF8 = ("utf-8", "utf8", "utf_8", "utf-8-sig")
# errors found at the end of the text but reported where what they complain of began
_FOUND_AT_THE_END = ("never closed", "EOF", "unterminated triple-quoted", "expected an indented block")
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


class Boundary(NamedTuple):
    line: int  # 1-based: where the statement starts
    indent: str  # its indentation
    header: str  # the synthetic lines that rebuild the indentation stack above it


class CompilingModule:
    """A module that compiles (its lines and its tree), ready to judge edits of it."""

    def __init__(self, lines: list[str], tree: ast.Module) -> None:
        self.lines = lines
        self._boundaries = _boundaries(tree, lines) if _judged_by_parts(lines, tree) else []
        self._lines_of = [b.line for b in self._boundaries]

    def surely_fails(self, edited: list[str]) -> bool:
        """True when `edited` (this module's lines, changed) certainly does not parse; False
        when it may (the caller then compiles it whole)."""
        same = _common_prefix(self.lines, edited)
        index = bisect.bisect_right(self._lines_of, same + 1) - 1  # the last boundary at or above the edit
        if index < 0:
            return False
        boundary = self._boundaries[index]
        rest = edited[boundary.line - 1:]
        first = next((line for line in rest if line.strip() and not line.lstrip().startswith("#")), None)
        if first is None or _CONTINUES.match(first) or _indentation(first) != boundary.indent:
            return False
        window = self._window(edited, same)
        if window is not None:
            end, untouched = window  # indexes into `edited`
            error = _parse_error(boundary.header, edited[boundary.line - 1:end])
            if error is not None and _found_before(error, boundary.header.count("\n")
                                                   + untouched - (boundary.line - 1)):
                return True
        return _parse_error(boundary.header, rest) is not None

    def _window(self, edited: list[str], same: int) -> tuple[int, int] | None:
        """(end, start) in `edited`: the boundary below the first untouched statement after the
        edit, and that statement's own; None when no boundary follows it."""
        suffix = _common_suffix(self.lines, edited, len(self.lines) - same)
        changed_end = len(self.lines) - suffix  # index of this module's first line after the edit
        index = bisect.bisect_left(self._lines_of, changed_end + 1)
        if index + 1 >= len(self._lines_of):
            return None
        shift = len(edited) - len(self.lines)
        return self._lines_of[index + 1] - 1 + shift, self._lines_of[index] - 1 + shift


def _parse_error(header: str, lines: list[str]) -> SyntaxError | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(header + "".join(lines), "<edit>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        return error
    except (ValueError, MemoryError, RecursionError):
        return None
    return None


def _found_before(error: SyntaxError, untouched: int) -> bool:
    """The parser failed above the untouched statement that starts at line `untouched + 1` of the
    parsed text, on what it read there (not on the window's end)."""
    lines = [line for line in (error.lineno, getattr(error, "end_lineno", None)) if line]
    return bool(lines) and max(lines) <= untouched and not any(
        marker in (error.msg or "") for marker in _FOUND_AT_THE_END)


def _boundaries(tree: ast.Module, lines: list[str]) -> list[Boundary]:
    """Where a statement starts below the end of the one before it in the same body (never the
    first statement of a body, nor line 1), in ascending order: at the top level and in the
    bodies of classes and functions nested only in classes and functions."""
    found: list[Boundary] = []

    def visit(body: list[ast.stmt], header: str) -> None:
        ended = 0
        for node in body:
            start = _first_line(node)
            indent = _indentation(lines[start - 1]) if start <= len(lines) else ""
            if start > ended and ended:
                found.append(Boundary(start, indent, header))
            ended = max(ended, node.end_lineno or node.lineno)
            if isinstance(node, _DEFINITIONS):
                visit(node.body, f"{header}{indent}class _:\n")

    visit(tree.body, "")
    found.sort()
    return found


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def _indentation(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" \t\f"))]


def _judged_by_parts(lines: list[str], tree: ast.Module) -> bool:
    """Whether the list's lines are Python's lines (`str.splitlines` also breaks at a form feed
    or U+2028, which Python does not), read as UTF-8, by the usual grammar."""
    if not all(line.endswith(("\n", "\r")) for line in lines[:-1]):
        return False
    for line in lines[:2]:
        match = _CODING.match(line)
        if match and match.group(1).lower() not in _UTF8:
            return False
    return not any(isinstance(node, ast.ImportFrom) and node.module == "__future__"
                   and any(alias.name == "barry_as_FLUFL" for alias in node.names) for node in tree.body)


def _common_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _common_suffix(a: list[str], b: list[str], limit: int) -> int:
    count = 0
    limit = min(limit, len(a), len(b))
    while count < limit and a[-1 - count] == b[-1 - count]:
        count += 1
    return count
