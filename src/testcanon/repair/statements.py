"""Small facts about a module's statements that the repairs which move or add lines share."""

from __future__ import annotations

import ast


def first_line(node: ast.stmt) -> int:
    """The first line a statement occupies: its first decorator's, else its own."""
    return min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])


def imported_names(node: ast.Import | ast.ImportFrom) -> set[str]:
    """The names an import binds (`import a.b` binds `a`; a star import binds none we can name)."""
    return {(alias.asname or alias.name).split(".")[0] for alias in node.names if alias.name != "*"}


def newline_of(lines: list[bytes]) -> bytes:
    """The line ending a file's lines use, judged by its first line."""
    return b"\r\n" if lines and lines[0].endswith(b"\r\n") else b"\n"


def only_binding(node: ast.Import | ast.ImportFrom, name: str) -> ast.Import | ast.ImportFrom:
    """The import reduced to the alias that binds `name` (`import os, pytest` -> `import pytest`)."""
    names = [alias for alias in node.names if (alias.asname or alias.name).split(".")[0] == name]
    if isinstance(node, ast.Import):
        return ast.Import(names=names)
    return ast.ImportFrom(module=node.module, names=names, level=node.level)


def top_level_names(tree: ast.Module) -> list[str]:
    """The names a module defines at its top level: functions, classes, assigned names (not
    imports: what the module itself provides)."""
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return names
