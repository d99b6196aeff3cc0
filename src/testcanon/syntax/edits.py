"""Whether an edit of a module that compiles breaks it, without parsing the lines it left alone.

Replaying a change hunk by hunk compiles the whole file once per hunk, and most hunks of damage
do not compile: the parser reads every line above the hunk only to fail inside it. But the lines
above the hunk are the compiling module's own, up to a *boundary*: a line where a top-level
statement starts and every statement above it has ended. Parsing starts there in the same
state as at the top of a file (no bracket or string open, no indentation), so when the text
from the boundary on does not parse on its own, the whole edited module does not either.

Two things could join the text below a boundary to the statement above it, and then nothing is
concluded (the caller parses the whole module): a first line that is indented (the body of a
`def` or `if` above it would take it) or that continues a compound statement (`else`, `elif`,
`except`, `finally`). A file that declares an encoding other than UTF-8, or that imports the
one `__future__` feature that changes the grammar, is never judged by parts.
"""

from __future__ import annotations

import ast
import bisect
import re
import warnings

_CONTINUES = re.compile(r"(?:else|elif|except|finally)\b")
_CODING = re.compile(r"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
_UTF8 = ("utf-8", "utf8", "utf_8", "utf-8-sig")


class CompilingModule:
    """A module that compiles (its lines and its tree), ready to judge edits of it."""

    def __init__(self, lines: list[str], tree: ast.Module) -> None:
        self.lines = lines
        self._boundaries = _boundaries(tree) if _judged_by_parts(lines, tree) else []

    def surely_fails(self, edited: list[str]) -> bool:
        """True when `edited` (this module's lines, changed) certainly does not parse; False
        when it may (the caller then compiles it whole)."""
        same = _common_prefix(self.lines, edited)
        boundary = _last_at_or_below(self._boundaries, same + 1)
        if boundary is None:
            return False
        rest = edited[boundary - 1:]
        first = next((line for line in rest if line.strip() and not line.lstrip().startswith("#")), None)
        if first is None or first[0] in " \t\f" or _CONTINUES.match(first):
            return False
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                compile("".join(rest), "<edit>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except SyntaxError:
            return True
        except (ValueError, MemoryError, RecursionError):
            return False
        return False


def _boundaries(tree: ast.Module) -> list[int]:
    """Lines (1-based, ascending, above 1) where a top-level statement starts below the end of
    every statement before it."""
    found: list[int] = []
    ended = 0
    for node in tree.body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if start > ended and ended:
            found.append(start)
        ended = max(ended, node.end_lineno or node.lineno)
    return found


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


def _last_at_or_below(boundaries: list[int], line: int) -> int | None:
    """The greatest boundary not after `line` (the first changed line)."""
    index = bisect.bisect_right(boundaries, line)
    return boundaries[index - 1] if index else None
