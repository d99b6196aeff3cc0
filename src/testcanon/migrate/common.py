"""Shared pieces of the codemods: a change record, qualified names, import insertion."""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst
import libcst.matchers as m
from libcst.metadata import QualifiedNameProvider

from testcanon.journal.planned import PlannedWrite


@dataclass
class FileChange:
    """A codemod's planned write (`write`) and what the migration learned making it."""

    write: PlannedWrite
    codes: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    rebased: list[str] = field(default_factory=list)  # CANON101: classes moved onto a canonical base
    main_blocks_removed: int = 0  # CANON201
    # Checked where the change is made (in parallel): what it would break that collecting cannot
    # see (None: nothing), and the static verdict (ok, why) used when it cannot be collected.
    problem: str | None = None
    static_verdict: tuple[bool, str] | None = None

    @classmethod
    def of(cls, path: str, before: bytes, after: bytes, codes: Iterable[str] = (),
           notes: Iterable[str] = ()) -> FileChange:
        code_set, note_list = set(codes), list(notes)
        return cls(PlannedWrite(Path(path), before, after, _why(code_set, note_list)), code_set, note_list)

    def rewrite(self, after: bytes) -> None:
        """Plan `after` instead (the codemods build it up on the file as read)."""
        self.write = PlannedWrite(self.write.path, self.before, after, _why(self.codes, self.notes))

    @property
    def path(self) -> str:
        """Relative to the project root, as the report keys files."""
        return self.write.path.as_posix()

    @property
    def before(self) -> bytes:
        return self.write.before or b""

    @property
    def after(self) -> bytes:
        return self.write.after

    @property
    def changed(self) -> bool:
        return self.write.changed


def _why(codes: set[str], notes: list[str]) -> str:
    return f"{', '.join(sorted(codes))}: {'; '.join(notes)}" if codes else ""


def qualified(transformer: cst.CSTTransformer | cst.CSTVisitor, node: cst.CSTNode) -> set[str]:
    """What `node` (a name or attribute chain) stands for, as QualifiedNameProvider says it; from
    the module's imports when the transformer has them (`import_origins`)."""
    origins: dict[str, str] | None = getattr(transformer, "origins", None)
    if origins is not None:
        text = dotted(node) if isinstance(node, cst.BaseExpression) else ""
        if not text:
            return set()
        head, dot, rest = text.partition(".")
        if head in origins:
            return {origins[head] + dot + rest}
        return {f"builtins.{text}"} if head in _BUILTINS else set()  # unbound: as the provider says
    try:
        return {q.name
                for q in transformer.get_metadata(QualifiedNameProvider, node, set())}  # type: ignore[attr-defined]
    except KeyError:
        return set()


def local_name(module: cst.Module, source: str, name: str, *, bound: dict[str, str] | None = None) -> str:
    """The name under which `from source import name` should be bound in `module`: `name` itself,
    unless the module already binds it to something else (a project's own `SSotBaseTestCase`,
    say), since importing over it would silently re-point every other use; then an alias.
    `bound`: the module's `module_bindings`, when the caller has them."""
    bound = module_bindings(ast.parse(module.code)) if bound is None else bound
    for local, origin in bound.items():
        if origin == f"{source}.{name}":
            return local  # imported already (perhaps by an earlier run, perhaps aliased)
    local, counter = f"Canon{name}", 1
    if name not in bound:
        return name
    while local in bound:
        counter += 1
        local = f"Canon{name}{counter}"
    return local


def module_bindings(tree: ast.Module) -> dict[str, str]:
    """Names bound at module level (also under `if`/`try`), the last binding winning: imported
    ones -> where from, others -> ""."""
    bound: dict[str, str] = {}

    def bind(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                for alias in node.names:
                    bound[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else ""
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{'.' * node.level}{node.module or ''}.{alias.name}"
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bound[node.name] = ""
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                bound.update({n.id: "" for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)})
            elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                bind([child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt)])
                if isinstance(node, ast.Try):
                    bind([s for handler in node.handlers for s in handler.body])

    bind(tree.body)
    return bound


def add_import(module: cst.Module, source: str, name: str, alias: str | None = None) -> cst.Module:
    """`from source import name [as alias]` after the docstring, __future__ imports and the
    first imports (nothing when it is there)."""
    alias = None if alias == name else alias
    for statement in module.body:
        if m.matches(statement,
                     m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name(source) | m.Attribute())])):
            node = statement.body[0]
            if isinstance(node, cst.ImportFrom) and dotted(node.module) == source and \
                    not isinstance(node.names, cst.ImportStar) and any(
                        a.name.value == name and (a.evaluated_alias or None) == alias for a in node.names):
                return module
    line = cst.parse_statement(f"from {source} import {name}{f' as {alias}' if alias else ''}\n")
    body = list(module.body)
    index = 0
    while index < len(body) and (
            m.matches(body[index], m.SimpleStatementLine(body=[m.Expr(m.SimpleString())]))
            or m.matches(body[index],
                         m.SimpleStatementLine(body=[m.ImportFrom(module=m.Name("__future__"))]))):
        index += 1
    while index < len(body) and m.matches(body[index],
                                          m.SimpleStatementLine(body=[m.Import() | m.ImportFrom()])):
        index += 1
    body.insert(index, line)
    return module.with_changes(body=body)


def dotted(node: cst.BaseExpression | None) -> str:
    """`a.b.c` for a name or attribute chain ("" for anything else)."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{dotted(node.value)}.{node.attr.value}"
    return ""


_BUILTINS = frozenset(dir(builtins))
_NAMED_BINDINGS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.ExceptHandler, ast.MatchAs,
                   ast.MatchStar)


def import_origins(tree: ast.Module) -> dict[str, str] | None:
    """Each name the module binds by import -> what it imports, when that alone settles what the
    name stands for: no name is bound by two imports that disagree, by a star import, or also by
    anything else (an assignment, a parameter, a definition). Else None: only a scope analysis
    (LibCST's QualifiedNameProvider) can tell, and it is most of a codemod's time, so it is
    used only then. Names bound otherwise map to `<local>.NAME`: never an import's name."""
    origins: dict[str, str] = {}
    others: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.asname or alias.name.split(".")[0]
                origin = alias.name if alias.asname else name
                if origins.setdefault(name, origin) != origin:
                    return None
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    return None
                origin = f"{'.' * node.level}{node.module + '.' if node.module else ''}{alias.name}"
                if origins.setdefault(alias.asname or alias.name, origin) != origin:
                    return None
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            others.add(node.id)
        elif isinstance(node, ast.arg):
            others.add(node.arg)
        elif isinstance(node, _NAMED_BINDINGS) and node.name:
            others.add(node.name)
    if origins.keys() & others:
        return None
    return {**{name: f"<local>.{name}" for name in others}, **origins}
