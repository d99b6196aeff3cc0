"""Import at module level a name the module imports only where it does not run on import.

`@pytest.mark.integration` on a class fails collection with `NameError: name 'pytest' is not
defined` when the module's only `import pytest` sits in its `if __name__ == "__main__":` block or
inside a function: bulk edits removed the top-level import and left those. The module itself says
which import the name means, so the repair copies that statement, as written, to the end of the
module's top-level imports. Planning is static; the caller keeps it only when the file then
collects.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from testcanon.repair.statements import imported_names, newline_of


@dataclass(frozen=True)
class AddedImport:
    path: str
    statement: str  # the import as the module already writes it elsewhere
    missing: str
    line: int  # the line (of the original file) it now follows; 0: the top of the file

    def describe(self) -> str:
        where = f"after line {self.line}" if self.line else "at the top"
        return (f"{self.path}: added `{self.statement}` {where}, as the module imports '{self.missing}' "
                "elsewhere")


def add_missing_import(path: str, source: bytes, missing: str) -> tuple[bytes, AddedImport] | None:
    """The module with a top-level copy of the one nested import that binds `missing`, or None
    (no nested import binds it, several different ones do, or a top-level one already does)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if any(missing in imported_names(node) for node in top):
        return None  # imported at module level already: the NameError is something else
    nested = {ast.unparse(_only(node, missing)) for node in ast.walk(tree)
              if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in top
              and missing in imported_names(node)
              and not (isinstance(node, ast.ImportFrom) and node.level)}
    if len(nested) != 1:
        return None
    statement = nested.pop()
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    after = _insertion_line(tree, top)
    text = statement.encode() + newline
    if after and not lines[after - 1].endswith((b"\n", b"\r")):
        text = newline + text
    new = b"".join([*lines[:after], text, *lines[after:]])
    return new, AddedImport(path, statement, missing, after)


def _insertion_line(tree: ast.Module, top: list[ast.stmt]) -> int:
    """After the last top-level import that comes before any other code, else after the docstring."""
    last = 0
    for node in tree.body:
        if node in top:
            last = node.end_lineno or node.lineno
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and node is tree.body[0]:
            last = node.end_lineno or node.lineno  # the docstring
        else:
            break
    return last


def _only(node: ast.Import | ast.ImportFrom, missing: str) -> ast.stmt:
    """The import reduced to the alias that binds `missing` (`import os, pytest` -> `import pytest`)."""
    names = [alias for alias in node.names if (alias.asname or alias.name).split(".")[0] == missing]
    if isinstance(node, ast.Import):
        return ast.Import(names=names)
    return ast.ImportFrom(module=node.module, names=names, level=node.level)
