"""Judge a repair against the author's last good code, not only against the compiler.

A repair that compiles and keeps every test name can still be damage that happens to compile:
history replay keeps a later change where a script stripped the quotes around a string
(`if __name__ == __main__:`), a version with every test commented out compiles too, and a
hunk that lost a test's asserts keeps the test's name. So, compared with the reference (the
last version that compiled before the damage), a candidate is refused when it:

- defines fewer tests (what pytest would collect there);
- uses names undefined in the module that the reference did not (pyflakes, per scope:
  module level and each function);
- has fewer assertions in a test both define;
- holds more code inside comments (a tombstone);
- has a placeholder (a body that only passes, skips or xfails) where the reference had a test.

Each refusal names its reason, so a verdict can say why a candidate was passed over.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from dataclasses import dataclass

from pyflakes.checker import Checker
from pyflakes.messages import UndefinedName

from testcanon.repair.inventory import TestName, names_in_tree


@dataclass(frozen=True)
class Refusal:
    """Why a candidate is not the author's code: `kind` is stable, `detail` is for people."""

    kind: str  # fewer-tests, undefined-names, fewer-assertions, tombstone, placeholder
    detail: str
    count: int = 1  # how much of it: tests dropped, name uses added, lines in comments...

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class Profile:
    """What the judgement compares, read once per version."""

    tests: frozenset[TestName]
    undefined: Counter[tuple[str, str]]  # (scope, name) -> uses
    assertions: dict[TestName, int]
    placeholders: frozenset[TestName]
    commented_code: int


def profile(source: bytes) -> Profile | None:
    """The judged facts of a version; None when it does not parse (nothing to compare)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    bodies = dict(_test_bodies(tree))
    return Profile(
        tests=frozenset(names_in_tree(tree)),
        undefined=_undefined_names(tree),
        assertions={name: _assertions(body) for name, body in bodies.items()},
        placeholders=frozenset(name for name, body in bodies.items() if _is_placeholder(body)),
        commented_code=commented_code_lines(source.decode("utf-8", "replace")),
    )


def judge(candidate: bytes, reference: Profile | None) -> list[Refusal]:
    """Every reason the candidate is not the author's code, compared with `reference`."""
    if reference is None:
        return []
    mine = profile(candidate)
    if mine is None:
        return [Refusal("does-not-parse", "the candidate does not parse")]
    refusals: list[Refusal] = []
    dropped = sorted(reference.tests - mine.tests, key=_label)
    if dropped:
        refusals.append(Refusal("fewer-tests", f"{len(dropped)} test(s) the author's version defines: "
                                + _names(dropped), len(dropped)))
    added = mine.undefined - reference.undefined
    if added:
        shown = ", ".join(f"{name} (in {scope})" for scope, name in sorted(added)[:5])
        refusals.append(Refusal("undefined-names", f"{sum(added.values())} use(s) of names the author's version "
                                f"defines or quotes: {shown}", sum(added.values())))
    weaker = sorted((name for name, count in reference.assertions.items()
                     if name in mine.assertions and mine.assertions[name] < count), key=_label)
    if weaker:
        lost = sum(reference.assertions[name] - mine.assertions[name] for name in weaker)
        refusals.append(Refusal("fewer-assertions", f"{len(weaker)} test(s) lost {lost} assertion(s): "
                                f"{_names(weaker)}", lost))
    if mine.commented_code > reference.commented_code:
        refusals.append(Refusal("tombstone", f"{mine.commented_code - reference.commented_code} more line(s) of "
                                "code inside comments than the author's version",
                                mine.commented_code - reference.commented_code))
    hollow = sorted((mine.placeholders - reference.placeholders) & reference.assertions.keys(), key=_label)
    if hollow:
        refusals.append(Refusal("placeholder", f"a placeholder stands where the author had a test: {_names(hollow)}",
                                len(hollow)))
    return refusals


def damage(candidate: bytes, reference: Profile | None) -> int:
    """How far the candidate is from the author's code, in one number: replaying a later change
    hunk by hunk keeps a hunk only when this does not grow."""
    return sum(refusal.count for refusal in judge(candidate, reference))


def _label(name: TestName) -> str:
    owner, test = name
    return f"{owner}.{test}" if owner else test


def _names(names: list[TestName]) -> str:
    shown = ", ".join(_label(name) for name in names[:5])
    return shown + (f" (+{len(names) - 5} more)" if len(names) > 5 else "")


def _test_bodies(tree: ast.Module):
    """(test name, function node) for every test function, methods under their class."""
    def visit(body: list[ast.stmt], owner: str | None):
        for node in body:
            if isinstance(node, ast.ClassDef):
                yield from visit(node.body, node.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                yield (owner, node.name), node

    yield from visit(tree.body, None)


def _assertions(function: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """`assert` statements, `self.assert*`/`mock.assert_*` calls and `pytest.raises`/`fail` uses."""
    count = 0
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            count += 1
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name.startswith("assert") or name in ("raises", "fail", "warns", "approx"):
                count += 1
    return count


def _is_placeholder(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of only a docstring, `pass`, `...` and skip/xfail calls."""
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            continue
        if isinstance(statement, ast.Expr):
            value = statement.value
            if isinstance(value, ast.Constant):
                continue
            if isinstance(value, ast.Call):
                func = value.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                if name in ("skip", "xfail", "skipTest"):
                    continue
        if isinstance(statement, ast.Raise) and "Skip" in ast.unparse(statement):
            continue
        return False
    return True


def _undefined_names(tree: ast.Module) -> Counter[tuple[str, str]]:
    """pyflakes' undefined names, keyed by the innermost function (or class) that uses them."""
    scopes = _scope_by_line(tree)
    found: Counter[tuple[str, str]] = Counter()
    for message in Checker(tree).messages:
        if isinstance(message, UndefinedName):
            found[(scopes.get(message.lineno, "<module>"), message.message_args[0])] += 1
    return found


def _scope_by_line(tree: ast.Module) -> dict[int, str]:
    lines: dict[int, str] = {}

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                    lines[line] = name  # inner definitions overwrite their parent's lines
                visit(child, name)
            else:
                visit(child, prefix)

    visit(tree, "")
    return lines


_COMMENT = re.compile(r"^[ \t]*#+[ \t]?(?:[A-Z][A-Z_]+:[ \t]*)?(?P<code>.*\S)[ \t]*$")
_CODE_START = re.compile(r"^(?:def |async def |class |import |from \S+ import |assert |return |raise |await |"
                         r"with |for |if |elif |else:|try:|except|finally:|while |@|self\.|\w+(?:\.\w+)*\s*[(=\[])")


def commented_code_lines(text: str) -> int:
    """Comment lines whose text, uncommented, reads as a statement (whatever prefix a script used,
    `# `, `#`, `# REMOVED_SYNTAX_ERROR: `)."""
    count = 0
    for line in text.splitlines():
        match = _COMMENT.match(line)
        if not match:
            continue
        code = match.group("code").strip()
        if not _CODE_START.match(code):
            continue
        if _parses(code):
            count += 1
    return count


def _parses(code: str) -> bool:
    candidates = [code]
    if code.endswith(":"):
        candidates.append(code + " pass")
    if code.startswith(("elif ", "else:", "except", "finally:")):
        candidates.append("if 1: pass\n" + code + (" pass" if code.endswith(":") else ""))
        candidates.append("try: pass\n" + code + (" pass" if code.endswith(":") else ""))
    if code.startswith("@"):
        candidates.append(code + "\ndef f(): pass")
    for candidate in candidates:
        try:
            ast.parse(candidate)
        except (SyntaxError, ValueError):
            continue
        return True
    return False
