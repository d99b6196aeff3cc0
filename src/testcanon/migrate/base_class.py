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

import libcst as cst
import libcst.matchers as m
from libcst.metadata import QualifiedNameProvider

from testcanon.migrate.common import add_import, qualified

SYNC_BASES = {"unittest.TestCase", "unittest.case.TestCase"}
ASYNC_BASES = {"unittest.IsolatedAsyncioTestCase", "unittest.async_case.IsolatedAsyncioTestCase"}
CANONICAL_HELPERS = {"wait_for", "assert_eventually", "temp_dir", "record_metric", "async_wait_for"}
_ENV_WRITES = ("clear", "update", "pop", "setdefault", "popitem")


def may_rebase(data: bytes) -> bool:
    """Cheap pre-check with stdlib `ast` (no scope analysis): does a class in this file name a
    `unittest` base directly? Only then can the LibCST codemod change anything."""
    if b"unittest" not in data or b"TestCase" not in data:
        return False
    try:
        tree = ast.parse(data)
    except (SyntaxError, ValueError):
        return False
    modules, names = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name.split(".")[0] == "unittest"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "unittest":
            names |= {a.asname or a.name for a in node.names}
            if node.module == "unittest":
                modules |= {a.asname or a.name for a in node.names if a.name in ("case", "async_case")}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                root = base
                while isinstance(root, ast.Attribute):
                    root = root.value
                if isinstance(base, ast.Name) and base.id in names or \
                        isinstance(base, ast.Attribute) and isinstance(root, ast.Name) and root.id in modules | names:
                    return True
    return False


class Rebase(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, *, is_test_file: bool) -> None:
        self.is_test_file = is_test_file
        self.used: set[str] = set()
        self.review: list[str] = []
        self.rebased: list[str] = []
        self._depth = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._depth += 1
        return True

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self._depth -= 1
        if self._depth:
            return updated  # nested classes are not collected by pytest
        target = None
        new_bases = []
        for arg in updated.bases:
            names = qualified(self, _original_arg(original, arg))
            if names & (SYNC_BASES | ASYNC_BASES):
                is_async = bool(names & ASYNC_BASES) or _has_async_tests(updated)
                target = "SSotAsyncTestCase" if is_async else "SSotBaseTestCase"
                new_bases.append(arg.with_changes(value=cst.Name(target)))
            else:
                new_bases.append(arg)
        if target is None:
            return updated
        is_test_class = updated.name.value.startswith("Test") and self.is_test_file
        if not is_test_class:
            problem = _review_reason(updated)
            if problem:
                self.review.append(f"{updated.name.value}: {problem}")
                return updated
        self.used.add(target)
        self.rebased.append(updated.name.value)
        return _with_super_calls(updated.with_changes(bases=new_bases))


def _original_arg(original: cst.ClassDef, updated_arg: cst.Arg) -> cst.CSTNode:
    for arg in original.bases:
        if arg.deep_equals(updated_arg):
            return arg.value
    return updated_arg.value


def _has_async_tests(node: cst.ClassDef) -> bool:
    return any(isinstance(s, cst.FunctionDef) and s.asynchronous is not None and s.name.value.startswith("test")
               for s in node.body.body)


def _review_reason(node: cst.ClassDef) -> str | None:
    code = cst.Module(body=[node]).code
    if any(f"os.environ.{w}(" in code for w in _ENV_WRITES) or "os.environ[" in code and "] =" in code:
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
        if isinstance(statement, cst.FunctionDef) and statement.name.value in ("setUp", "tearDown", "asyncSetUp",
                                                                               "asyncTearDown"):
            code = cst.Module(body=list(statement.body.body)).code
            if f"super().{statement.name.value}(" not in code:
                awaited = "await " if statement.name.value.startswith("async") else ""
                call = cst.parse_statement(f"{awaited}super().{statement.name.value}()\n")
                inner = list(statement.body.body)
                docstring = 1 if inner and m.matches(inner[0], m.SimpleStatementLine(body=[m.Expr(m.SimpleString())])) else 0
                if statement.name.value in ("setUp", "asyncSetUp"):
                    inner.insert(docstring, call)
                else:
                    inner.append(call)
                statement = statement.with_changes(body=statement.body.with_changes(body=inner))
        body.append(statement)
    return node.with_changes(body=node.body.with_changes(body=body))


def rebase(module: cst.Module, *, is_test_file: bool) -> tuple[cst.Module, list[str], list[str]]:
    wrapper = cst.MetadataWrapper(module)
    transformer = Rebase(is_test_file=is_test_file)
    result = wrapper.visit(transformer)
    for name in sorted(transformer.used):
        result = add_import(result, "testcanon", name)
    return result, transformer.rebased, transformer.review
