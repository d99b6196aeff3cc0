"""CANON101 codemod: move test classes (and the home-made bases they stand on) onto the
canonical bases, keeping `super()` chains in setUp/tearDown.

A class whose base is `unittest.TestCase` / `IsolatedAsyncioTestCase` gets `SSotBaseTestCase`
(or `SSotAsyncTestCase` when it has async tests or was on the async base). A home-made base is
re-based the same way when its own behaviour survives: one that writes `os.environ` itself
(its own environment juggling would fight `self.env`) or redefines a canonical helper is left
alone and reported for manual review.
"""

from __future__ import annotations

import ast
import re

import libcst as cst
import libcst.matchers as m

from testcanon.migrate.common import add_import, local_name, module_bindings
from testcanon.migrate.environment import MODULE_ENV

SYNC_BASES = {"unittest.TestCase", "unittest.case.TestCase"}
ASYNC_BASES = {"unittest.IsolatedAsyncioTestCase", "unittest.async_case.IsolatedAsyncioTestCase"}
CANONICAL_HELPERS = {"wait_for", "assert_eventually", "temp_dir", "record_metric", "async_wait_for"}
# Writes to the process environment, directly or through the module-level environment the
# CANON301 codemod introduces (so a base it migrated is still seen as managing the environment).
_ENV_WRITE = re.compile(r"\bos\.environ\.(?:clear|update|pop|setdefault|popitem)\("
                        r"|\bos\.environ\[[^\]\n]+\]\s*=(?!=)"
                        rf"|\b{MODULE_ENV}\.(?:set|delete|clear|update|pop|setdefault)\(")


def _bindings(tree: ast.Module) -> dict[str, str]:
    """What each name bound from `unittest` in this module stands for (`T` -> `unittest.TestCase`,
    `ut` -> `unittest`). Test bases are imported at module level by name, so this is what a
    scope analysis would find, without its cost (it was most of a migration's time)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "unittest":
                    bound[alias.asname or alias.name.split(".")[0]] = (alias.name if alias.asname
                                                                       else "unittest")
        elif (isinstance(node, ast.ImportFrom) and node.level == 0
              and (node.module or "").split(".")[0] == "unittest"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return bound


def _resolve(bound: dict[str, str], dotted: str) -> str | None:
    head, _, rest = dotted.partition(".")
    if head not in bound:
        return None
    return bound[head] + (f".{rest}" if rest else "")


# A class statement naming `TestCase`/`IsolatedAsyncioTestCase` itself (not `SSotBaseTestCase`),
# or an aliased import from unittest (then any base name may stand for it).
_NAMED_BASE = re.compile(rb"class\s+\w+\s*\((?:[^)]*[\s,(.])?(?:TestCase|IsolatedAsyncioTestCase)\b")
# Starts with a literal so the scan is fast (an alternation first made it most of the pre-check's
# time); a match elsewhere than an import only costs the `ast` parse that settles it.
_ALIASED = re.compile(rb"unittest[\w.]*[ \t]+(?:import\b[^\n]*?\bas\b|as\b)")


def rebase_bindings(data: bytes) -> dict[str, str] | None:
    """The file's `unittest` bindings when a class in it names a `unittest` base directly (only
    then can the codemod change anything), else None. A byte check first, then one `ast` parse."""
    if b"unittest" not in data or not (_NAMED_BASE.search(data) or _ALIASED.search(data)):
        return None  # most files only import unittest.mock, or stand on a home-made base
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return None
    bound = _bindings(tree)
    if bound and any(_resolve(bound, ast.unparse(base)) in SYNC_BASES | ASYNC_BASES
                     for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for base in node.bases):
        return bound
    return None


def may_rebase(data: bytes) -> bool:
    return rebase_bindings(data) is not None


class Rebase(cst.CSTTransformer):
    def __init__(self, module: cst.Module, source: bytes, *, is_test_file: bool,
                 bound: dict[str, str]) -> None:
        self.module = module
        self.is_test_file = is_test_file
        self.bound = bound
        self.used: dict[str, str] = {}  # canonical base -> the name it has in this module
        self.review: list[str] = []
        self.rebased: list[str] = []
        self._depth = 0
        # Read from the source, once: generating code from the tree was most of a migration's time.
        try:
            self._tree: ast.Module | None = ast.parse(source)
        except (SyntaxError, ValueError):  # LibCST reads a grammar this interpreter does not
            self._tree = None
        self._lines = source.decode("utf-8", "replace").splitlines()
        self._module_bound: dict[str, str] | None = None

    def name_of(self, target: str) -> str:
        if target not in self.used:
            if self._module_bound is None and self._tree is not None:
                self._module_bound = module_bindings(self._tree)
            self.used[target] = local_name(self.module, "testcanon", target, bound=self._module_bound)
        return self.used[target]

    def class_source(self, node: cst.ClassDef) -> str:
        """The source of the module-level class(es) named like `node`, as the file has it."""
        name = node.name.value
        if self._tree is None:
            return cst.Module(body=[node]).code
        return "\n".join("\n".join(self._lines[node.lineno - 1:node.end_lineno])
                         for node in self._tree.body if isinstance(node, ast.ClassDef) and node.name == name)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._depth += 1
        return self._depth == 1  # nested classes are not collected: nothing inside them to do

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # only class statements change; skipping bodies is most of the walk's time

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self._depth -= 1
        if self._depth:
            return updated  # nested classes are not collected by pytest
        target = None
        new_bases = []
        for arg in updated.bases:
            resolved = _resolve(self.bound, _dotted(arg.value))
            names = {resolved} if resolved else set()
            if names & (SYNC_BASES | ASYNC_BASES):
                is_async = bool(names & ASYNC_BASES) or _has_async_tests(updated)
                target = "SSotAsyncTestCase" if is_async else "SSotBaseTestCase"
                new_bases.append(arg.with_changes(value=cst.Name(self.name_of(target))))
            else:
                new_bases.append(arg)
        if target is None:
            return updated
        is_test_class = updated.name.value.startswith("Test") and self.is_test_file
        if not is_test_class:
            problem = _review_reason(updated, self.class_source(updated))
            if problem:
                self.review.append(f"{updated.name.value}: {problem}")
                return updated
        self.used[target] = self.name_of(target)
        self.rebased.append(updated.name.value)
        return _with_super_calls(updated.with_changes(bases=new_bases))


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def _has_async_tests(node: cst.ClassDef) -> bool:
    return any(isinstance(s, cst.FunctionDef) and s.asynchronous is not None
               and s.name.value.startswith("test")
               for s in node.body.body)


def _review_reason(node: cst.ClassDef, code: str) -> str | None:
    if _ENV_WRITE.search(code):
        return "writes os.environ itself (its environment handling would fight self.env): re-base by hand"
    methods = {s.name.value for s in node.body.body if isinstance(s, cst.FunctionDef)}
    duplicated = methods & CANONICAL_HELPERS
    if duplicated:
        return f"defines {', '.join(sorted(duplicated))}, which the canonical base already provides"
    return None


def _with_super_calls(node: cst.ClassDef) -> cst.ClassDef:
    """setUp/asyncSetUp/tearDown that do not call super() get the call (setUp first, tearDown last)."""
    body = []
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) \
                and statement.name.value in ("setUp", "tearDown", "asyncSetUp", "asyncTearDown"):
            code = cst.Module(body=list(statement.body.body)).code
            if f"super().{statement.name.value}(" not in code:
                awaited = "await " if statement.name.value.startswith("async") else ""
                call = cst.parse_statement(f"{awaited}super().{statement.name.value}()\n")
                inner = list(statement.body.body)
                docstring = (1 if inner
                             and m.matches(inner[0], m.SimpleStatementLine(body=[m.Expr(m.SimpleString())]))
                             else 0)
                if statement.name.value in ("setUp", "asyncSetUp"):
                    inner.insert(docstring, call)
                else:
                    inner.append(call)
                statement = statement.with_changes(body=statement.body.with_changes(body=inner))
        body.append(statement)
    return node.with_changes(body=node.body.with_changes(body=body))


def rebase(module: cst.Module, *, is_test_file: bool, bound: dict[str, str] | None = None,
           source: bytes | None = None) -> tuple[cst.Module, list[str], list[str]]:
    """`bound`: the file's `rebase_bindings`, and `source`: the module's bytes, when the caller
    has them already."""
    source = module.bytes if source is None else source
    if bound is None:
        bound = rebase_bindings(source) or {}
    transformer = Rebase(module, source, is_test_file=is_test_file, bound=bound)
    result = module.visit(transformer)
    if transformer.rebased:
        for target, name in sorted(transformer.used.items()):
            result = add_import(result, "testcanon", target, name)
    return result, transformer.rebased, transformer.review
