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

Why one module past 400 lines: every refusal reason reads the same per-version profile
(tests, assertions, undefined names, tombstones); the profile and its comparisons belong together.
"""

from __future__ import annotations

import ast
import bisect
import functools
import hashlib
import re
from collections import Counter, OrderedDict
from dataclasses import dataclass

from pyflakes.checker import Annotation, Builtin, Checker, ModuleScope
from pyflakes.messages import UndefinedName

from testcanon.analysis.inventory import TEST_DEF, TestName, names_in_tree


@dataclass(frozen=True)
class Refusal:
    """Why a candidate is not the author's code: `kind` is stable, `detail` is for people."""

    kind: str  # fewer-tests, undefined-names, fewer-assertions, tombstone, placeholder
    detail: str
    count: int = 1  # how much of it: tests dropped, name uses added, lines in comments...

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass(frozen=True)
class VersionTraits:
    """What the judgement compares, read once per version."""

    tests: frozenset[TestName]
    undefined: Counter[tuple[str, str]]  # (scope, name) -> uses
    assertions: dict[TestName, int]
    placeholders: frozenset[TestName]
    commented_code: int


def profile(source: bytes, tree: ast.Module | None = None) -> VersionTraits | None:
    """The judged facts of a version; None when it does not parse (nothing to compare). `tree`:
    the source's own tree when the caller has parsed it already.

    Remembered by content: replaying a change hunk by hunk judges the same text more than once."""
    key = hashlib.blake2b(source, digest_size=16).digest()
    if key in _PROFILES:
        _PROFILES.move_to_end(key)
        return _PROFILES[key]
    found = _profile(source, tree)
    _PROFILES[key] = found
    if len(_PROFILES) > _MEMO_SIZE:
        _PROFILES.popitem(last=False)
    return found


_MEMO_SIZE = 256
_PROFILES: OrderedDict[bytes, VersionTraits | None] = OrderedDict()


def _profile(source: bytes, tree: ast.Module | None) -> VersionTraits | None:
    if tree is None:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            return None
    bodies = dict(_test_bodies(tree))
    text = source.decode("utf-8", "replace")
    # numbered as Python numbers them (`str.splitlines` also breaks at form feeds and U+2028)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return VersionTraits(
        tests=frozenset(names_in_tree(tree)),
        undefined=_undefined_names(tree, lines),
        assertions={name: _assertions_of(body, lines) for name, body in bodies.items()},
        placeholders=frozenset(name for name, body in bodies.items() if _is_placeholder(body)),
        commented_code=commented_code_lines(text),
    )


def judge(candidate: bytes, reference: VersionTraits | None, tree: ast.Module | None = None) -> list[Refusal]:
    """Every reason the candidate is not the author's code, compared with `reference` (`tree`:
    the candidate's, when the caller has it)."""
    if reference is None:
        return []
    mine = profile(candidate, tree)
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
        refusals.append(Refusal("undefined-names",
                                f"{sum(added.values())} use(s) of names the author's version "
                                f"defines or quotes: {shown}", sum(added.values())))
    weaker = sorted((name for name, count in reference.assertions.items()
                     if name in mine.assertions and mine.assertions[name] < count), key=_label)
    if weaker:
        lost = sum(reference.assertions[name] - mine.assertions[name] for name in weaker)
        refusals.append(Refusal("fewer-assertions", f"{len(weaker)} test(s) lost {lost} assertion(s): "
                                f"{_names(weaker)}", lost))
    if mine.commented_code > reference.commented_code:
        refusals.append(Refusal("tombstone",
                                f"{mine.commented_code - reference.commented_code} more line(s) of "
                                "code inside comments than the author's version",
                                mine.commented_code - reference.commented_code))
    hollow = sorted((mine.placeholders - reference.placeholders) & reference.assertions.keys(), key=_label)
    if hollow:
        refusals.append(Refusal("placeholder",
                                f"a placeholder stands where the author had a test: {_names(hollow)}",
                                len(hollow)))
    return refusals


def damage(candidate: bytes, reference: VersionTraits | None, tree: ast.Module | None = None) -> int:
    """How far the candidate is from the author's code, in one number: replaying a later change
    hunk by hunk keeps a hunk only when this does not grow."""
    return sum(refusal.count for refusal in judge(candidate, reference, tree))


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


def _assertions_of(function: ast.FunctionDef | ast.AsyncFunctionDef, lines: list[str]) -> int:
    """`_assertions`, remembered by the function's text (decorators included): the versions a
    replay judges differ by one hunk, so most of their tests are the same text."""
    first = min([function.lineno, *(decorator.lineno for decorator in function.decorator_list)])
    key = "\n".join(lines[first - 1:function.end_lineno or function.lineno])
    if key not in _ASSERTIONS:
        _ASSERTIONS[key] = _assertions(function)
        while len(_ASSERTIONS) > 16 * _MEMO_SIZE:
            _ASSERTIONS.pop(next(iter(_ASSERTIONS)))
    return _ASSERTIONS[key]


_ASSERTIONS: dict[str, int] = {}


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


def _undefined_names(tree: ast.Module, lines: list[str] | None = None) -> Counter[tuple[str, str]]:
    """pyflakes' undefined names, keyed by the innermost function (or class) that uses them.

    pyflakes checks a function's body after the whole module, against the module's final
    bindings; so the body's findings depend only on the body and on those bindings. The module
    is checked with each function's body left out, then each body alone beside the bindings it
    would see, remembered: judging versions that differ by one hunk re-checks one function."""
    scopes = _scope_by_line(tree)
    outline, bodies = _outline(tree, lines)
    found: Counter[tuple[str, str]] = Counter()
    uses, bound = _outline_undefined(outline, bodies, lines)
    if bound is None:  # a `*` import: names may come from anywhere, check the module whole
        bodies = []
        uses = [(message.lineno, message.message_args[0]) for message in Checker(tree).messages
                if isinstance(message, UndefinedName)]
    for line, name in uses:
        found[(scopes.get(line, "<module>"), name)] += 1
    if not bodies or bound is None:
        return found
    bindings = (*bound, _futures(tree))
    keys = [(owner, _text(function, lines), bindings) for owner, function in bodies]
    missing = {key: body for key, body in zip(keys, bodies, strict=True) if key not in _BODIES}
    if missing:  # every body not seen before, checked together in one module
        _BODIES.update(_bodies_undefined(list(missing.items()), bindings, scopes))
        while len(_BODIES) > 16 * _MEMO_SIZE:
            _BODIES.pop(next(iter(_BODIES)))
    for key in keys:
        found.update(_BODIES[key])
    return found


_BODIES: dict[tuple[object, ...], Counter[tuple[str, str]]] = {}
_Function = ast.FunctionDef | ast.AsyncFunctionDef
_Bound = tuple[frozenset[str], frozenset[str]]  # the module's names, and those only annotated
_OUTLINES: dict[str, tuple[list[tuple[int, str]], _Bound | None]] = {}


def _outline_undefined(outline: ast.Module, bodies: list[tuple[str | None, _Function]],
                       lines: list[str] | None) -> tuple[list[tuple[int, str]], _Bound | None]:
    """(line, name) of each undefined name in the outline, and the module's bindings (None when
    a `*` import leaves them unknown). Remembered by the outline's own lines (every line but the
    left-out bodies), so a hunk inside a function body is not checked again at module level;
    found line numbers are kept as positions among those lines, as a hunk above shifts them."""
    kept = _outline_lines(lines, bodies) if lines is not None else None
    key = None if lines is None or kept is None else "\n".join(lines[number - 1] for number in kept)
    if kept is not None and key in _OUTLINES:
        positions, bound = _OUTLINES[key]
        return [(kept[at], name) for at, name in positions], bound
    checker = Checker(outline)
    module = next((scope for scope in checker.deadScopes if isinstance(scope, ModuleScope)), None)
    bound = None if module is None or module.importStarred else (
        frozenset(name for name, b in module.items() if not isinstance(b, (Builtin, Annotation))
                  and name.isidentifier()),
        frozenset(name for name, b in module.items() if isinstance(b, Annotation)))
    uses = [(message.lineno, message.message_args[0]) for message in checker.messages
            if isinstance(message, UndefinedName)]
    if key is not None and kept is not None:
        position = {number: at for at, number in enumerate(kept)}
        if all(line in position for line, _ in uses):
            _OUTLINES[key] = ([(position[line], name) for line, name in uses], bound)
            while len(_OUTLINES) > _MEMO_SIZE:
                _OUTLINES.pop(next(iter(_OUTLINES)))
    return uses, bound


def _outline_lines(lines: list[str], bodies: list[tuple[str | None, _Function]]) -> list[int] | None:
    """The numbers of the lines the outline is made of: all but those of the bodies left out;
    None when a body shares a line with its function's header (`def f(): return 1`)."""
    left_out: set[int] = set()
    for _, function in bodies:
        first = function.body[0]
        start = first.lineno
        if getattr(first, "decorator_list", None) or start <= function.lineno or start > len(lines):
            return None
        line = lines[start - 1]
        if len(line) - len(line.lstrip()) != first.col_offset:
            return None
        left_out.update(range(start, (function.end_lineno or start) + 1))
    return [number for number in range(1, len(lines) + 1) if number not in left_out]



def _text(function: _Function, lines: list[str] | None) -> str:
    """What identifies a function's body in the memo: its lines (or, without them, its AST)."""
    if lines is None:
        return ast.dump(function)
    return "\n".join(lines[function.lineno - 1:function.end_lineno or function.lineno])


def _outline(tree: ast.Module,
             lines: list[str] | None) -> tuple[ast.Module, list[tuple[str | None, _Function]]]:
    """The module with the bodies of its functions and its classes' methods replaced by `pass`
    (signatures and decorators kept: they run in the module), and those functions."""
    bodies: list[tuple[str | None, _Function]] = []

    def stub(node: ast.stmt, owner: str | None) -> ast.stmt:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _binds_outside(node, lines):
            bodies.append((owner, node))
            copy = type(node)(**{**{f: getattr(node, f) for f in node._fields},
                                 "body": [ast.Pass(lineno=node.lineno, col_offset=node.col_offset)]})
            return ast.copy_location(copy, node)
        if isinstance(node, ast.ClassDef) and owner is None:
            copy = ast.ClassDef(**{**{f: getattr(node, f) for f in node._fields},
                                   "body": [stub(child, node.name) for child in node.body]})
            return ast.copy_location(copy, node)
        return node

    outline = ast.Module(body=[stub(node, None) for node in tree.body], type_ignores=tree.type_ignores)
    return outline, bodies


def _binds_outside(function: _Function, lines: list[str] | None) -> bool:
    """A `global` or `nonlocal` anywhere in it: pyflakes binds either name in the module (and
    drops what it found undefined by that name so far), so such a function stays in the outline."""
    if lines is not None and not any(word in _text(function, lines) for word in ("global", "nonlocal")):
        return False
    return any(isinstance(node, (ast.Global, ast.Nonlocal)) for node in ast.walk(function))


def _futures(tree: ast.Module) -> tuple[str, ...]:
    return tuple(sorted(alias.name for node in tree.body if isinstance(node, ast.ImportFrom)
                        and node.module == "__future__" for alias in node.names))


def _bodies_undefined(bodies: list[tuple[tuple[object, ...], tuple[str | None, _Function]]],
                      bindings: tuple[frozenset[str], frozenset[str], tuple[str, ...]],
                      scopes: dict[int, str]) -> dict[tuple[object, ...], Counter[tuple[str, str]]]:
    """The undefined names of each function's body (not its signature or decorators), checked
    in a module that binds what the real module binds, each method inside a class of its owner's
    name (as pyflakes sees it: `__class__` is defined there). Bodies see only the module's
    bindings, never each other's, so one check serves them all."""
    names, annotated, futures = bindings
    line = 1
    body: list[ast.stmt] = []
    if futures:
        body.append(ast.ImportFrom("__future__", [ast.alias(name) for name in futures], 0, lineno=line))
    if names:
        body.append(ast.ImportFrom("canon_bindings", [ast.alias(name) for name in sorted(names)], 0,
                                   lineno=line))
    body += [ast.AnnAssign(ast.Name(name, ast.Store(), lineno=line),
                           ast.Name("object", ast.Load(), lineno=line),
                           None, 1, lineno=line) for name in sorted(annotated)]
    spans: list[tuple[int, int, tuple[object, ...]]] = []
    for key, (owner, function) in bodies:
        arguments = function.args
        bare = ast.arguments(posonlyargs=[_bare(a) for a in arguments.posonlyargs],
                             args=[_bare(a) for a in arguments.args],
                             vararg=_bare(arguments.vararg) if arguments.vararg else None,
                             kwonlyargs=[_bare(a) for a in arguments.kwonlyargs],
                             kw_defaults=[None] * len(arguments.kwonlyargs),
                             kwarg=_bare(arguments.kwarg) if arguments.kwarg else None, defaults=[])
        alone: ast.stmt = ast.copy_location(type(function)(name=function.name, args=bare, body=function.body,
                                                           decorator_list=[], returns=None,
                                                           type_comment=None),
                                            function)
        if owner is not None:
            alone = ast.copy_location(ast.ClassDef(name=owner, bases=[], keywords=[], body=[alone],
                                                   decorator_list=[]), function)
        body.append(alone)
        spans.append((function.lineno, function.end_lineno or function.lineno, key))
    module = ast.Module(body=[_located(node) for node in body], type_ignores=[])
    counted: dict[tuple[object, ...], Counter[tuple[str, str]]] = {key: Counter() for key, _ in bodies}
    spans.sort()
    starts = [start for start, _, _ in spans]
    for message in Checker(module).messages:
        if not isinstance(message, UndefinedName):
            continue
        at = bisect.bisect_right(starts, message.lineno) - 1
        if at >= 0 and message.lineno <= spans[at][1]:
            counted[spans[at][2]][(scopes.get(message.lineno, "<module>"), message.message_args[0])] += 1
    return counted


def _located(statement: ast.stmt) -> ast.stmt:
    """Locations for the nodes made here, without walking the bodies they hold (the real ones
    have theirs): a function's signature, its class, the binding statements."""
    def fix(node: ast.AST, line: int) -> None:
        for field in ("lineno", "end_lineno"):
            if "lineno" in node._attributes and getattr(node, field, None) is None:
                setattr(node, field, line)
        for field in ("col_offset", "end_col_offset"):
            if "col_offset" in node._attributes and getattr(node, field, None) is None:
                setattr(node, field, 0)

    line = statement.lineno
    fix(statement, line)
    for child in ast.iter_child_nodes(statement):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and child in statement.body:
            continue
        if isinstance(statement, ast.ClassDef):
            _located(child)  # type: ignore[arg-type]
            continue
        for node in ast.walk(child):
            fix(node, line)
    return statement


def _bare(argument: ast.arg) -> ast.arg:
    return ast.copy_location(ast.arg(arg=argument.arg), argument)


def _scope_by_line(tree: ast.Module) -> dict[int, str]:
    """The qualified name of the innermost definition holding each line. Only statement lists
    are walked: a `def` or `class` is always a statement, never inside an expression (walking
    every node was a fifth of judging a candidate)."""
    lines: dict[int, str] = {}

    def visit(statements: list[ast.stmt], prefix: str) -> None:
        for child in statements:
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = f"{prefix}.{child.name}" if prefix else child.name
                for line in range(child.lineno, (child.end_lineno or child.lineno) + 1):
                    lines[line] = name  # inner definitions overwrite their parent's lines
                visit(child.body, name)
                continue
            for field in _STATEMENT_LISTS:
                inner = getattr(child, field, None)
                if inner:
                    visit(inner, prefix)
            for handler in getattr(child, "handlers", ()):  # try / try*
                visit(handler.body, prefix)
            for case in getattr(child, "cases", ()):  # match
                visit(case.body, prefix)

    visit(tree.body, "")
    return lines


_STATEMENT_LISTS = ("body", "orelse", "finalbody")


_COMMENT = re.compile(r"^[ \t]*#+[ \t]?(?:[A-Z][A-Z_]+:[ \t]*)?(?P<code>.*\S)[ \t]*$")
_CODE_START = re.compile(r"^(?:def |async def |class |import |from \S+ import |assert |return |raise |await |"
                         r"with |for |if |elif |else:|try:|except|finally:|while "
                         r"|@|self\.|\w+(?:\.\w+)*\s*[(=\[])")


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


@functools.lru_cache(maxsize=65536)  # a tombstone's lines come back in every version judged
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


_QUOTED = re.compile(r"""(?<![\w'"])(?:'([A-Za-z_]\w*)'|"([A-Za-z_]\w*)")""")
_ASSERT_LINE = re.compile(r"^[ \t]*(?:assert\b|self\.assert\w*\(|\w+(?:\.\w+)*\.assert_\w+\("
                          r"|with pytest\.raises\b)",
                          re.M)


def judge_intent(candidate: bytes, broken: bytes) -> list[Refusal]:
    """Where no author's version exists (local mode): every reason the candidate goes against the
    broken file's own intent, read from its text (it need not parse).

    - `unquoted-string`: a name undefined in the candidate that the broken file only ever wrote
      quoted (`'ENVIRONMENT'`): an edit that drops quotes turns a string into a bare name;
    - `fewer-assertions`: fewer assertion lines than the broken file has, in all or inside its
      test functions (an edit that dedents a test's last lines to column 0 compiles, and takes
      its asserts out of it);
    - `tombstone`: more lines of code inside comments than the broken file has (an edit that
      comments out what it cannot mend);
    - `fewer-tests` is `verify`'s check (the names the broken file defines), not repeated here.
    """
    mine = profile(candidate)
    if mine is None:
        return [Refusal("does-not-parse", "the candidate does not parse")]
    text = broken.decode("utf-8", "replace")
    mine_text = candidate.decode("utf-8", "replace")
    refusals: list[Refusal] = []
    quoted = {a or b for a, b in _QUOTED.findall(text)}
    bare_before = set(re.findall(r"[A-Za-z_]\w*", _QUOTED.sub(" ", _strip_comments(text))))
    unquoted = Counter({key: count for key, count in mine.undefined.items()
                        if key[1] in quoted and key[1] not in bare_before})
    if unquoted:
        shown = ", ".join(f"{name} (in {scope})" for scope, name in sorted(unquoted)[:5])
        refusals.append(Refusal("unquoted-string",
                                f"{sum(unquoted.values())} use(s) of names the broken file only "
                                f"quotes, now bare and undefined: {shown}", sum(unquoted.values())))
    code_before, code_after = _strip_comments(text), _strip_comments(mine_text)
    before, after = len(_ASSERT_LINE.findall(code_before)), len(_ASSERT_LINE.findall(code_after))
    inside_before, inside_after = _assertions_in_tests(code_before), _assertions_in_tests(code_after)
    if after < before:
        refusals.append(Refusal("fewer-assertions",
                                f"{before - after} assertion line(s) of the broken file are gone "
                                f"({after} of {before} left)", before - after))
    elif inside_after < inside_before:
        refusals.append(Refusal("fewer-assertions",
                                f"{inside_before - inside_after} assertion line(s) the broken file has "
                                f"inside its tests are outside them ({inside_after} of {inside_before} "
                                "left inside)", inside_before - inside_after))
    commented_before, commented_after = commented_code_lines(text), mine.commented_code
    if commented_after > commented_before:
        refusals.append(Refusal("tombstone",
                                f"{commented_after - commented_before} more line(s) of code inside "
                                "comments than the broken file", commented_after - commented_before))
    return refusals


def _assertions_in_tests(code: str) -> int:
    """Assertion lines inside test functions of `code` (comment lines stripped), read from the
    indentation alone (it need not parse): a test's lines are those below its `def` that are
    deeper than it."""
    count, depth = 0, None
    for line in code.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if depth is not None and indent <= depth:
            depth = None
        if (match := TEST_DEF.match(line)) is not None:
            depth = len(match.group(1))
        elif depth is not None and _ASSERT_LINE.match(line):
            count += 1
    return count


def _strip_comments(text: str) -> str:
    """The text without whole-line comments (a commented assertion is not one)."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
