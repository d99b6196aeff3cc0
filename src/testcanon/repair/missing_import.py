"""Import at module level a name the module uses on import but does not import there.

`@pytest.mark.integration` on a class fails collection with `NameError: name 'pytest' is not
defined` when bulk edits removed the module's top-level `import pytest`. Which import the name
means is taken from the best evidence there is:

1. the module itself: its only other import of the name sits in its `if __name__ == "__main__":`
   block or inside a function; that statement is copied, as written;
2. the repository: the module-level import statement that binds the name in the most of its
   other modules (`repository_index.import_convention`), when at least two agree and no other
   statement is as common;
3. the repository's definitions: the one module (copies and test modules aside) that defines
   the name at module level (`repository_index.sole_definition`), imported from there.

A name the module defines itself is never imported (the NameError is then about order, not a
lost import).

The statement goes to the end of the module's top-level imports. Planning is static; the caller
keeps the edit only when the file then collects.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from testcanon.repair.statements import imported_names, newline_of, only_binding, top_level_names

Convention = Callable[[str], "tuple[str, int] | None"]  # name -> (statement, files that use it)
Home = Callable[[str], "tuple[str, str] | None"]  # name -> (the module that alone defines it, its file)


@dataclass(frozen=True)
class AddedImport:
    path: str
    statement: str  # the import as the module (or the repository) already writes it
    missing: str
    line: int  # the line (of the original file) it now follows; 0: the top of the file
    convention: int = 0  # files of the repository that import it so; 0: the module's own import
    home: str = ""  # the file that alone defines it, when that is the evidence

    def describe(self) -> str:
        where = f"after line {self.line}" if self.line else "at the top"
        if self.home:
            why = (f"as {self.home} is the one module of the repository that defines '{self.missing}' "
                   "(no two modules import it alike)")
        elif self.convention:
            why = (f"as {self.convention} of the repository's modules import '{self.missing}' (the module "
                   "never imports it)")
        else:
            why = f"as the module imports '{self.missing}' elsewhere"
        return f"{self.path}: added `{self.statement}` {where}, {why}"


def add_missing_import(path: str, source: bytes, missing: str, convention: Convention | None = None,
                       home: Home | None = None) -> tuple[bytes, AddedImport] | None:
    """The module with a top-level import binding `missing`: a copy of its one nested import of
    it, else the repository's `convention` for it, else an import from its one `home`; None when
    none says (several different nested imports, no convention, no single home), when a
    top-level import already binds it, or when the module defines the name itself."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    top = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    if any(missing in imported_names(node) for node in top):
        return None  # imported at module level already: the NameError is something else
    nested = {ast.unparse(only_binding(node, missing)) for node in ast.walk(tree)
              if isinstance(node, (ast.Import, ast.ImportFrom)) and node not in top
              and missing in imported_names(node)
              and not (isinstance(node, ast.ImportFrom) and node.level)}
    files, defined_in = 0, ""
    if len(nested) == 1:
        statement = nested.pop()
    elif nested or missing in top_level_names(tree):
        return None
    elif convention is not None and (found := convention(missing)) is not None:
        statement, files = found
    elif home is not None and (sole := home(missing)) is not None and sole[1] != path:
        module, defined_in = sole
        statement = f"from {module} import {missing}"
    else:
        return None
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    after = _insertion_line(tree, top)
    text = statement.encode() + newline
    if after and not lines[after - 1].endswith((b"\n", b"\r")):
        text = newline + text
    new = b"".join([*lines[:after], text, *lines[after:]])
    return new, AddedImport(path, statement, missing, after, files, defined_in)


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
