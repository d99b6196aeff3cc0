"""Tests that are there in name only: placeholders, and tests switched off "until fixed".

A placeholder's body (after its docstring) only passes, skips or xfails, with no assertion.
Alone that can be legitimate (an abstract hook, a documented stub), so it is reported only with
evidence that it stands in for lost code: commented-out tests in the same file, or a skip/xfail
reason that says the file is broken. A test behind an *unconditional* skip whose reason says it
needs fixing is reported apart (CANON703); conditional skips (`skipif`, a skip inside an `if`)
are platform or environment choices and are never reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from testcanon.config.schema import NEEDS_FIX_REASONS as DEFAULT_NEEDS_FIX
from testcanon.rules.lost.naming import DEFAULT, TestNaming

# A skip reason that says the *file* is broken, not that the environment lacks something.
BROKEN_FILE = re.compile(r"syntax error|needs? manual fix|file (?:is )?broken|commented[ -]out|placeholder"
                         r"|made importable|original content", re.I)
_SKIP_CALLS = {"pytest.skip", "skip", "pytest.xfail", "xfail", "unittest.skip", "self.skipTest"}
_SKIP_MARKS = {"pytest.mark.skip", "mark.skip", "unittest.skip", "skip"}
_XFAIL_MARKS = {"pytest.mark.xfail", "mark.xfail"}
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class SkippedTest:
    """A placeholder or a test switched off unconditionally, with the reason it gives."""

    test_id: str
    kind: str  # "placeholder" or "needs-fix"
    line: int
    end_line: int
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"test_id": self.test_id, "kind": self.kind, "line": self.line, "end_line": self.end_line,
                "reason": self.reason}


def _dotted(node: ast.AST) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _reason(call: ast.Call) -> str:
    for keyword in call.keywords:
        if keyword.arg in ("reason", "msg") and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return ""


def _skip_marks(decorators: Iterable[ast.expr]) -> list[str]:
    """Reasons of the unconditional skip/xfail marks among `decorators` ("" when none is given)."""
    reasons = []
    for decorator in decorators:
        call = decorator if isinstance(decorator, ast.Call) else None
        name = _dotted(call.func if call else decorator)
        if name in _SKIP_MARKS or name in _XFAIL_MARKS and (call is None or not call.args):
            reasons.append(_reason(call) if call else "")
    return reasons


def _body(node: ast.AST) -> list[ast.stmt]:
    body = list(getattr(node, "body", []))
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]
    return body


def _placeholder_reason(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The body's skip reason ("" when it only passes), or None when the body does real work."""
    reasons = []
    for statement in _body(function):
        if isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and
                                                isinstance(statement.value, ast.Constant)):
            continue
        if isinstance(statement, ast.Return) and statement.value is None:
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call) \
                and _dotted(statement.value.func) in _SKIP_CALLS:
            reasons.append(_reason(statement.value))
            continue
        return None
    return " ".join(r for r in reasons if r)


def _first_skip(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """The reason of a skip that runs unconditionally: the body's first real statement."""
    body = _body(function)
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Call) \
            and _dotted(body[0].value.func) in {"pytest.skip", "skip", "self.skipTest"}:
        return _reason(body[0].value)
    return None


def find_skipped_tests(tree: ast.Module, *, has_tombstones: bool,
                       needs_fix: Sequence[str] = DEFAULT_NEEDS_FIX,
                       naming: TestNaming = DEFAULT) -> list[SkippedTest]:
    """Placeholders (with evidence of lost code) and tests skipped unconditionally until fixed."""
    patterns = [re.compile(p, re.I) for p in needs_fix]
    module_reasons = _module_skip_reasons(tree)
    found: list[SkippedTest] = []

    def consider(function: ast.FunctionDef | ast.AsyncFunctionDef, test_id: str,
                 inherited: list[str]) -> None:
        marks = [*inherited, *_skip_marks(function.decorator_list)]
        end = function.end_lineno or function.lineno
        body_reason = _placeholder_reason(function)
        reasons = " | ".join(r for r in [*marks, body_reason or ""] if r)
        if body_reason is not None and (has_tombstones or BROKEN_FILE.search(reasons)):
            found.append(SkippedTest(test_id, "placeholder", function.lineno, end, reasons))
            return
        first = _first_skip(function)
        switched_off = [*marks, *([first] if first is not None else [])]
        reason = next((r for r in switched_off if any(p.search(r) for p in patterns)), None)
        if reason is not None:
            found.append(SkippedTest(test_id, "needs-fix", function.lineno, end, reason))

    for node in tree.body:
        if isinstance(node, _FUNCTIONS) and naming.is_test_function(node.name):
            consider(node, node.name, module_reasons)
        elif isinstance(node, ast.ClassDef):
            inherited = [*module_reasons, *_skip_marks(node.decorator_list)]
            for member in node.body:
                if isinstance(member, _FUNCTIONS) and naming.is_test_function(member.name):
                    consider(member, f"{node.name}::{member.name}", inherited)
    return found


def _module_skip_reasons(tree: ast.Module) -> list[str]:
    """`pytestmark = pytest.mark.skip(...)` and a module-level `pytest.skip(..., allow_module_level=True)`."""
    reasons = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark"
                                                for t in node.targets):
            values = node.value.elts if isinstance(node.value, (ast.List, ast.Tuple)) else [node.value]
            reasons += _skip_marks(values)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call) \
                and _dotted(node.value.func) in {"pytest.skip", "skip"}:
            reasons.append(_reason(node.value))
    return reasons
