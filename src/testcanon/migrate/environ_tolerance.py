"""A re-based class whose code under test writes `os.environ`: the check warns instead of failing.

After each test the canonical bases check that `os.environ` is what it was plus what the test set
through `self.env`, and fail a test that changed it behind `self.env`'s back ("test changed
os.environ directly"). That is right for a test's own writes (the environment codemod moves those
onto `self.env`), but the code under test may write `os.environ` itself (celery's app sets
`CELERY_BROKER_URL`, its logging setup `_MP_FORK_*`), and then a re-based test that passed fails at
teardown. When outcome verification shows exactly that (every test the change made worse fails
only with that message), the re-base is tried once more with `on_environ_change = "warn"` on the
re-based classes: the variables are still restored after each test, which the original did not
do, and reported as a warning; the test keeps its outcome. The line says which variables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import libcst as cst

TAMPER = re.compile(r"test changed os\.environ directly: (?P<detail>.*?); use self\.env")
SETTING = "on_environ_change"


def environ_written(messages: Iterable[str | None]) -> list[str] | None:
    """The variables the code under test wrote, when every message is the base's environment
    check and nothing else; None otherwise."""
    names: set[str] = set()
    for message in messages:
        match = TAMPER.search(message or "")
        if match is None:
            return None
        names.update(re.findall(r"(\w+) \(", match.group("detail")))
    return sorted(names) or None


def tolerate(source: bytes, classes: Iterable[str], written: list[str]) -> bytes | None:
    """`source` with `on_environ_change = "warn"` first in the body of each class named (after
    its docstring), or None when no such class is left to change."""
    module = cst.parse_module(source)
    transformer = _Tolerate(set(classes), written)
    updated = module.visit(transformer)
    return updated.code.encode(module.encoding) if transformer.changed else None


class _Tolerate(cst.CSTTransformer):
    def __init__(self, classes: set[str], written: list[str]) -> None:
        self.classes = classes
        shown = ", ".join(written[:4]) + (f" and {len(written) - 4} more" if len(written) > 4 else "")
        self.comment = f"# the code under test writes os.environ ({shown})"
        self.changed = False

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        if updated.name.value not in self.classes or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        body = list(updated.body.body)
        if any(_assigns(statement, SETTING) for statement in body):
            return updated
        line = cst.SimpleStatementLine(
            [cst.Assign([cst.AssignTarget(cst.Name(SETTING))], cst.SimpleString('"warn"'))],
            trailing_whitespace=cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace("  "),
                                                       comment=cst.Comment(self.comment)))
        at = 1 if body and _is_docstring(body[0]) else 0
        body.insert(at, line)
        self.changed = True
        return updated.with_changes(body=updated.body.with_changes(body=body))


def _assigns(statement: cst.BaseStatement, name: str) -> bool:
    if not isinstance(statement, cst.SimpleStatementLine):
        return False
    return any(isinstance(small, (cst.Assign, cst.AnnAssign)) and name in {
        target.value for target in ([t.target for t in small.targets] if isinstance(small, cst.Assign)
                                    else [small.target]) if isinstance(target, cst.Name)}
        for small in statement.body)


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine) and len(statement.body) == 1
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))
