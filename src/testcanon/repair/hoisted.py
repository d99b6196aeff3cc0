"""Put back definitions a script moved above a module's imports.

Bulk edits (splitting a file, inserting a mock replacement) sometimes paste a class or function at
the very top of a module, above its docstring and imports. The module still compiles, but a
definition that uses an imported name while it is being defined (a decorator such as
`@pytest.mark.integration`, a base class, a class attribute, a default value) raises `NameError:
name 'pytest' is not defined` on import, and pytest cannot collect the file.

The repair moves the definitions that stand above the import of the missing name (with what lies
between them, up to the next docstring or import) to just below the imports that bind it.
Nothing is rewritten: the moved lines are byte-identical, only their place changes. Planning is
static (nothing is imported); the caller keeps the move only when the file then collects.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from testcanon.analysis.extractor import is_main_guard
from testcanon.repair.statements import first_line, imported_names, newline_of

NAME_ERROR = re.compile(r"NameError: name '(?P<name>\w+)' is not defined")
_DEFINITIONS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Lowering:
    """`names`, defined above the imports of `path`, moved below the line that imports `missing`."""

    path: str
    names: tuple[str, ...]
    missing: str
    below_line: int  # the line (of the original file) the definitions now follow

    def describe(self) -> str:
        return (f"{self.path}: moved {', '.join(self.names)} below the imports (after line "
                f"{self.below_line}), where '{self.missing}' is imported")


def undefined_name(cause: str) -> str | None:
    """The name of a `NameError` in a collection failure's cause, if that is what it is."""
    match = NAME_ERROR.search(cause)
    return match.group("name") if match else None


def lower_hoisted(path: str, source: bytes, missing: str) -> tuple[bytes, Lowering] | None:
    """The module with its hoisted definitions below its imports, when that answers `missing`.

    None unless a top-level import binds `missing` and a definition above it uses `missing` at
    definition time. What moves is the run of statements from the first definition above that
    import to the next import or docstring; it goes below the imports that follow the binding one."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    body = tree.body
    binding = next((i for i, node in enumerate(body) if _is_import(node) and missing in _bound_by(node)),
                   None)
    if binding is None:
        return None
    first_definition = next((i for i, node in enumerate(body[:binding]) if isinstance(node, _DEFINITIONS)),
                            None)
    if first_definition is None:
        return None
    header = next(i for i in range(first_definition + 1, binding + 1)
                  if i == binding or _is_import(body[i]) or _is_docstring(body[i]))
    moved = body[first_definition:header]
    if not any(missing in _names_used_when_defined(node) for node in moved):
        return None
    end = binding
    while end + 1 < len(body) and _is_import(body[end + 1]):
        end += 1
    moved_names = {node.name for node in moved if isinstance(node, _DEFINITIONS)}
    if any(moved_names & _all_names(node) for node in body[header:end + 1]):
        return None  # what stays above would use what moved
    lines = source.splitlines(keepends=True)
    newline = newline_of(lines)
    start = first_line(moved[0]) - 1
    stop = moved[-1].end_lineno or moved[-1].lineno  # exclusive index of the block's end
    after = body[end].end_lineno or body[end].lineno
    block = [*lines[start:stop]]
    if block and not block[-1].endswith((b"\n", b"\r")):
        block[-1] += newline
    rest_top = stop
    while rest_top < len(lines) and not lines[rest_top].strip():
        rest_top += 1  # the blank lines that separated the block from the docstring go with it
    above = lines[:start] + lines[rest_top:after]
    if above and not above[-1].endswith((b"\n", b"\r")):
        above[-1] += newline
    below = lines[after:]
    separator = [newline, newline] if below and below[0].strip() else []
    new = b"".join([*above, newline, newline, *block, *separator, *below])
    names = tuple(node.name for node in moved if isinstance(node, _DEFINITIONS))
    return new, Lowering(path, names, missing, after)


def _is_import(node: ast.stmt) -> bool:
    """An import statement, or a `try`/`if` whose body imports (`try: import x except ...`); not
    an `if __name__ == "__main__":` block, which never runs when pytest imports the module."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return True
    if isinstance(node, ast.If) and is_main_guard(node.test):
        return False
    if isinstance(node, (ast.Try, ast.If)):
        return any(isinstance(child, (ast.Import, ast.ImportFrom)) for child in node.body)
    return False


def _is_docstring(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str))


def _bound_by(node: ast.stmt) -> set[str]:
    """The names the imports in `node` bind (it is an import, or a `try`/`if` holding imports)."""
    return {name for child in ast.walk(node) if isinstance(child, (ast.Import, ast.ImportFrom))
            for name in imported_names(child)}


def _names_used_when_defined(node: ast.stmt) -> set[str]:
    """The names a statement evaluates when the module runs it (not those inside function bodies)."""
    return {n.id for tree in _evaluated(node) for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _evaluated(node: ast.stmt) -> list[ast.AST]:
    """The expressions Python evaluates when it executes `node` at module or class level: for a
    function its decorators, defaults and annotations; for a class also its bases and body."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        arguments = node.args
        every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                 *filter(None, (arguments.vararg, arguments.kwarg))]
        return [*node.decorator_list, *arguments.defaults, *filter(None, arguments.kw_defaults),
                *filter(None, (a.annotation for a in every)), *filter(None, (node.returns,))]
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *(k.value for k in node.keywords),
                *(tree for statement in node.body for tree in _evaluated(statement))]
    return [node]


def _all_names(node: ast.stmt) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
