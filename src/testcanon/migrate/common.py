"""Shared pieces of the codemods: a change record, qualified names, import insertion."""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst
import libcst.matchers as m
from libcst.metadata import QualifiedNameProvider


@dataclass
class FileChange:
    path: str
    before: bytes
    after: bytes
    codes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    rebased: list[str] = field(default_factory=list)  # CANON101: classes moved onto a canonical base
    main_blocks_removed: int = 0  # CANON201

    @property
    def changed(self) -> bool:
        return self.before != self.after


def qualified(transformer: cst.CSTTransformer | cst.CSTVisitor, node: cst.CSTNode) -> set[str]:
    try:
        return {q.name for q in transformer.get_metadata(QualifiedNameProvider, node, set())}  # type: ignore[attr-defined]
    except KeyError:
        return set()


def add_import(module: cst.Module, source: str, name: str) -> cst.Module:
    """`from source import name` after the docstring, __future__ imports and the first imports."""
    for statement in module.body:
        if m.matches(statement, m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name(source) | m.Attribute())])):
            node = statement.body[0]
            if isinstance(node, cst.ImportFrom) and _dotted(node.module) == source and \
                    not isinstance(node.names, cst.ImportStar) and any(a.name.value == name for a in node.names):
                return module
    line = cst.parse_statement(f"from {source} import {name}\n")
    body = list(module.body)
    index = 0
    while index < len(body) and (m.matches(body[index], m.SimpleStatementLine(body=[m.Expr(m.SimpleString())]))
                                 or m.matches(body[index], m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name("__future__"))]))):
        index += 1
    while index < len(body) and m.matches(body[index], m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])):
        index += 1
    body.insert(index, line)
    return module.with_changes(body=body)


def _dotted(node: cst.BaseExpression | None) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""
