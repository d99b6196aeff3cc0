"""CANON301 codemod: direct environment access becomes the canonical environment API.

Where the code runs decides which object stands in for `os.environ`:
- a method of a class on a canonical base of either family (`SSotBaseTestCase`,
  `SSotAsyncTestCase`, `SSotTestBase`, `SSotAsyncTestBase`): `self.env`, which the base's check of
  `os.environ` knows (a module-level `canon_env` there would write behind its back);
- a module-level test function: the `isolated_env` fixture (added as a parameter);
- anywhere else (helpers, module level, fixtures): a module-level
  `canon_env = IsolatedEnvironment(sync_to_os=True)`, which reads and writes like `os.environ`.

Semantics kept: `os.environ[k]` raises KeyError (`env[k]` does too), `os.environ.get(k, d)` and
`os.getenv(k, d)` return the default, `k in os.environ` works (so does `assertIn(k, os.environ)`
and `assertNotIn`, which only ask `in`), `os.environ[k] = v` is
`env.set(k, v)`, `del os.environ[k]` is `env.pop(k)` (KeyError when unset, as `del`),
`os.environ[k] += v` is `env.set(k, env[k] + v)` (k a literal or a name), a chained assignment
and `del a, b` become one statement per store, in Python's order; `os.environ.pop/setdefault/update/clear`
are the same methods of `env`, `patch.dict(os.environ, {...}, clear=...)` (as a `with` or as a
decorator) is `env.overlay({...}, clear=...)`, `monkeypatch.setenv/delenv` in a test is
`isolated_env.set/delete`. What has no exact equivalent (`patch.dict` decorating a class,
`monkeypatch` in fixtures, `os.environ` handed on as a value, unpacking into `os.environ[k]`,
loop/`with`/comprehension targets) is left whole and reported: no form ever becomes item
assignment or deletion on `IsolatedEnvironment`, which has neither.

Why one module past 400 lines: the transformer's cases (reads, writes, deletes, `patch.dict`,
monkeypatch, subprocess `env=`) share one scope analysis; split, each would need all of it.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import NamedTuple

import libcst as cst
import libcst.matchers as m
from libcst.metadata import QualifiedNameProvider

from testcanon.analysis import PATCH_DICT
from testcanon.migrate.common import add_import, dotted, import_origins, local_name, qualified

# Both families have `self.env` (set up before each test, restored after, known to the tamper check).
CANONICAL = {f"{module}.{name}" for module in ("testcanon", "testcanon.testing", "testcanon.testing.base",
                                               "testcanon.testing.pytest_base")
             for name in ("SSotBaseTestCase", "SSotAsyncTestCase", "SSotTestBase", "SSotAsyncTestBase")}
MODULE_ENV = "canon_env"
_PATCH_DICT_SPELLINGS = {"patch.dict", "mock.patch.dict", "unittest.mock.patch.dict"}
PATCH_OBJECT = {"unittest.mock.patch", "mock.patch", "unittest.mock.patch.object", "mock.patch.object"}
_READ_METHODS = {"get"}
_MUTATING_METHODS = {"pop", "setdefault", "update", "clear"}  # IsolatedEnvironment has each, same semantics
_COPY_METHODS = {"copy", "items", "keys", "values"}


class EnvironmentRewriter(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def __init__(self, origins: dict[str, str] | None = None) -> None:
        self.origins = origins  # `import_origins`: names resolved without the scope analysis
        self.scopes: list[str] = []  # "ssot-method", "test-function", "other"
        self.class_is_canonical: list[bool] = []
        self.needs_fixture: list[bool] = []
        self.pending_scopes: list[str] = []  # a function's scope, from its `def` until its body
        self.finished: list[tuple[str, bool]] = []  # (scope, needs the fixture), body to `def` end
        self.defining: list[str] = []  # "class" / "function" whose decorators are being visited
        self.module_env_used = False
        self.skipped: list[str] = []
        self.converted = 0
        self.unimported: set[str] = set()  # patch.dict spellings converted although never imported
        self.frozen: list[cst.CSTNode] = []  # statements (or targets) left whole, innermost last

    # --- where are we -----------------------------------------------------------------------
    # A definition's decorators, parameter defaults and annotations run in the *enclosing*
    # scope, at definition time: only its body gets the function's scope (`self.env` in a
    # decorator would be a NameError).
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        # By where the base comes from, not its name: a project's own `SSotBaseTestCase` has no
        # `self.env` with this API (the corpus's keeps its environment in `self._env`).
        names = {name for base in node.bases for name in qualified(self, base.value)}
        self.class_is_canonical.append(bool(names & CANONICAL))
        self.defining.append("class")

    def visit_ClassDef_body(self, node: cst.ClassDef) -> None:
        self.defining.pop()

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self.class_is_canonical.pop()
        return updated

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        params = [p.name.value for p in node.params.params]
        in_class = bool(self.class_is_canonical)
        if in_class and self.class_is_canonical[-1] and params[:1] == ["self"] and len(self.scopes) == 0:
            scope = "ssot-method"
        elif not in_class and not self.scopes and node.name.value.startswith("test"):
            scope = "test-function"
        elif self.scopes:
            scope = self.scopes[-1]
        else:
            scope = "other"
        self.pending_scopes.append(scope)
        self.defining.append("function")

    def visit_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.defining.pop()
        self.scopes.append(self.pending_scopes.pop())
        self.needs_fixture.append(False)

    def leave_FunctionDef_body(self, node: cst.FunctionDef) -> None:
        self.finished.append((self.scopes.pop(), self.needs_fixture.pop()))

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        scope, needs = self.finished.pop()
        if needs and not any(p.name.value == "isolated_env" for p in updated.params.params):
            params = list(updated.params.params)
            first_default = next((i for i, p in enumerate(params) if p.default is not None), len(params))
            params.insert(first_default, cst.Param(cst.Name("isolated_env")))  # fixtures are passed by name
            updated = updated.with_changes(params=updated.params.with_changes(params=params))
        return updated

    def env_expr(self) -> cst.BaseExpression:
        scope = self.scopes[-1] if self.scopes else "other"
        if scope == "ssot-method":
            return cst.Attribute(cst.Name("self"), cst.Name("env"))
        if scope == "test-function":
            # the fixture is a parameter of the test itself, also when used in a function nested in it
            self.needs_fixture[self.scopes.index("test-function")] = True
            return cst.Name("isolated_env")
        self.module_env_used = True
        return cst.Name(MODULE_ENV)

    def is_environ(self, node: cst.CSTNode) -> bool:
        return "os.environ" in qualified(self, node)

    # --- statements: assignment and deletion -----------------------------------------------
    # `IsolatedEnvironment` has no item assignment or deletion: every statement that stores into
    # or deletes `os.environ[k]` is rewritten whole into calls, in the order Python performs its
    # stores, or left whole (untouched, also its reads) and reported. Nothing becomes `env[k] = v`.
    def _freeze(self, node: cst.CSTNode, why: str) -> None:
        self.frozen.append(node)
        self.skipped.append(f"`{_snippet(node)}`: {why}; left as is")

    def _thaw(self, node: cst.CSTNode) -> bool:
        if self.frozen and self.frozen[-1] is node:
            self.frozen.pop()
            return True
        return False

    def _stores_environ(self, node: cst.CSTNode) -> bool:
        """`node` (a target) is, or unpacks into, an item of `os.environ`."""
        if isinstance(node, cst.Subscript):
            return self.is_environ(node.value)
        if isinstance(node, (cst.Tuple, cst.List)):
            return any(self._stores_environ(e.value) for e in node.elements)
        if isinstance(node, cst.StarredElement):
            return self._stores_environ(node.value)
        return False

    def _environ_key(self, node: cst.BaseExpression) -> cst.BaseExpression | None:
        """The key of `os.environ[key]` (None for a slice or several indices: left)."""
        if isinstance(node, cst.Subscript) and self.is_environ(node.value) and len(node.slice) == 1 \
                and isinstance(node.slice[0].slice, cst.Index) and node.slice[0].slice.star is None:
            return node.slice[0].slice.value
        return None

    def visit_Assign(self, node: cst.Assign) -> None:
        targets = [t.target for t in node.targets]
        environ = [self._environ_key(t) is not None for t in targets]
        if any(self._stores_environ(t) and not direct for t, direct in zip(targets, environ, strict=True)):
            self._freeze(node, "unpacks into os.environ items (no exact equivalent in one statement)")
        elif any(environ) and len(targets) > 1 and not _reevaluable(node.value) \
                and not isinstance(targets[0], cst.Name):
            self._freeze(node, "a chained assignment into os.environ whose value is an expression and whose "
                               "first target is not a plain name (it cannot be stored once and re-read)")

    def leave_Assign(self, original: cst.Assign, updated: cst.Assign
                     ) -> cst.BaseSmallStatement | cst.FlattenSentinel[cst.BaseSmallStatement]:
        if self._thaw(original):
            return original
        keys = [self._environ_key(t.target) for t in original.targets]
        if not any(k is not None for k in keys):
            return updated
        # Python evaluates the value once, then stores into each target from left to right.
        value: cst.BaseExpression = updated.value
        statements: list[cst.BaseSmallStatement] = []
        for index, (target, key) in enumerate(zip(updated.targets, keys, strict=True)):
            if key is not None:
                self.converted += 1
                key = target.target.slice[0].slice.value  # type: ignore[attr-defined]  # converted key
                statements.append(cst.Expr(cst.Call(cst.Attribute(self.env_expr(), cst.Name("set")),
                                                    [cst.Arg(key), cst.Arg(value)])))
            else:
                statements.append(cst.Assign([cst.AssignTarget(target.target)], value))
            if index == 0 and not _reevaluable(updated.value):
                value = target.target  # a plain name (checked in visit_Assign): stored once, read after
        return statements[0] if len(statements) == 1 else cst.FlattenSentinel(statements)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        if self._stores_environ(node.target):
            key = self._environ_key(node.target)
            if key is None or not _reevaluable(key):
                self._freeze(node, "an augmented assignment to os.environ whose key is an expression "
                                   "(it would be evaluated twice)")

    def leave_AugAssign(self, original: cst.AugAssign, updated: cst.AugAssign) -> cst.BaseSmallStatement:
        if self._thaw(original):
            return original
        if self._environ_key(original.target) is None:
            return updated
        # `os.environ[k] += v` is `os.environ[k] = os.environ[k] + v`: str has no in-place operators.
        self.converted += 1
        key = updated.target.slice[0].slice.value  # type: ignore[attr-defined]
        operator = _BINARY_OF[type(updated.operator)]()
        right = updated.value if _atomic(updated.value) else updated.value.with_changes(
            lpar=[cst.LeftParen()], rpar=[cst.RightParen()])
        current = cst.Subscript(self.env_expr(), [cst.SubscriptElement(cst.Index(key))])
        return cst.Expr(cst.Call(cst.Attribute(self.env_expr(), cst.Name("set")),
                                 [cst.Arg(key), cst.Arg(cst.BinaryOperation(current, operator, right))]))

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if self._stores_environ(node.target):
            self._freeze(node, "an annotated assignment to os.environ (rare; move it by hand)")

    def leave_AnnAssign(self, original: cst.AnnAssign, updated: cst.AnnAssign) -> cst.BaseSmallStatement:
        return original if self._thaw(original) else updated

    def leave_Del(self, original: cst.Del, updated: cst.Del
                  ) -> cst.BaseSmallStatement | cst.FlattenSentinel[cst.BaseSmallStatement]:
        targets = _del_targets(original.target)
        new_targets = _del_targets(updated.target)
        if not any(self._environ_key(t) is not None for t in targets):
            return updated
        # `del a, b` deletes from left to right; `del os.environ[k]` raises KeyError when k is unset:
        # `env.pop(k)` does too (`env.delete` would not).
        statements: list[cst.BaseSmallStatement] = []
        names: list[cst.BaseExpression] = []
        for target, new in zip(targets, new_targets, strict=True):
            if self._environ_key(target) is None:
                names.append(new)
                continue
            if names:
                statements.append(_del(names))
                names = []
            self.converted += 1
            key = new.slice[0].slice.value  # type: ignore[attr-defined]
            statements.append(cst.Expr(cst.Call(cst.Attribute(self.env_expr(), cst.Name("pop")),
                                                [cst.Arg(key)])))
        if names:
            statements.append(_del(names))
        return statements[0] if len(statements) == 1 else cst.FlattenSentinel(statements)

    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine, updated: cst.SimpleStatementLine
                                  ) -> cst.SimpleStatementLine | cst.FlattenSentinel[cst.SimpleStatementLine]:
        """A statement that became several (a chained assignment, `del a, b`) gets a line each."""
        if len(original.body) != 1 or len(updated.body) < 2:
            return updated
        lines = [cst.SimpleStatementLine([s.with_changes(semicolon=cst.MaybeSentinel.DEFAULT)])
                 for s in updated.body]
        lines[0] = lines[0].with_changes(leading_lines=updated.leading_lines)
        lines[-1] = lines[-1].with_changes(trailing_whitespace=updated.trailing_whitespace)
        return cst.FlattenSentinel(lines)

    # Targets of loops, `with ... as`, comprehensions: a store per iteration, no call can stand in.
    def visit_For_target(self, node: cst.For) -> None:
        if self._stores_environ(node.target):
            self._freeze(node.target, "a loop stores into os.environ")

    def leave_For_target(self, node: cst.For) -> None:
        self._thaw(node.target)

    def visit_CompFor_target(self, node: cst.CompFor) -> None:
        if self._stores_environ(node.target):
            self._freeze(node.target, "a comprehension stores into os.environ")

    def leave_CompFor_target(self, node: cst.CompFor) -> None:
        self._thaw(node.target)

    def visit_AsName_name(self, node: cst.AsName) -> None:
        if self._stores_environ(node.name):
            self._freeze(node.name, "`as` stores into os.environ")

    def leave_AsName_name(self, node: cst.AsName) -> None:
        self._thaw(node.name)

    # --- expressions ------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        if self.frozen:
            return updated
        func = original.func
        names = qualified(self, func)
        if names & {"os.getenv"}:
            self.converted += 1
            return cst.Call(cst.Attribute(self.env_expr(), cst.Name("get")), updated.args)
        if isinstance(func, cst.Attribute) and self.is_environ(func.value):
            method = func.attr.value
            if method in _READ_METHODS | _MUTATING_METHODS:
                self.converted += 1
                return updated.with_changes(func=cst.Attribute(self.env_expr(), cst.Name(method)))
            if method in _COPY_METHODS:
                self.converted += 1
                as_dict = cst.Call(cst.Attribute(self.env_expr(), cst.Name("as_dict")))
                return as_dict if method == "copy" else cst.Call(cst.Attribute(as_dict, cst.Name(method)))
            self.skipped.append(f"os.environ.{method}(...) has no exact equivalent")
            return updated
        if isinstance(func, cst.Attribute) and func.attr.value in ("setenv", "delenv") and \
                m.matches(func.value, m.Name("monkeypatch")):
            if self.scopes and self.scopes[-1] == "test-function":
                self.converted += 1
                args = list(updated.args)
                if func.attr.value == "setenv":
                    value = args[1].value if len(args) > 1 else cst.SimpleString('""')
                    return cst.Call(cst.Attribute(self.env_expr(), cst.Name("set")),
                                    [cst.Arg(args[0].value), cst.Arg(_as_str(value))])
                return cst.Call(cst.Attribute(self.env_expr(), cst.Name("delete")), [cst.Arg(args[0].value)])
            self.skipped.append(f"monkeypatch.{func.attr.value} outside a test "
                                "function (fixture scope differs)")
        if isinstance(func, cst.Attribute) and func.attr.value in _MEMBERSHIP_ASSERTS and not self.frozen \
                and len(original.args) >= 2 and original.args[1].keyword is None \
                and original.args[1].star == "" \
                and self.is_environ(original.args[1].value):
            self.converted += 1  # `assertIn(k, os.environ)` asks `k in os.environ`, as `k in env` does
            args = list(updated.args)
            args[1] = args[1].with_changes(value=self.env_expr())
            return updated.with_changes(args=args)
        if names & {"dict", "builtins.dict"} and len(original.args) == 1 \
                and original.args[0].keyword is None \
                and original.args[0].star == "" and self.is_environ(original.args[0].value):
            self.converted += 1  # a copy of the environment, as `os.environ.copy()`
            return cst.Call(cst.Attribute(self.env_expr(), cst.Name("as_dict")))
        unimported_patch = not names and dotted(func) in _PATCH_DICT_SPELLINGS
        if unimported_patch and original.args and original.args[0].keyword is None \
                and (self.is_environ(original.args[0].value) or _names_environ(original.args[0].value)):
            # Nothing in the module binds the name (a bulk edit dropped the import, or a star
            # import brings it): the call can only mean mock.patch.dict, and raised NameError.
            self.unimported.add(dotted(func))
            names = PATCH_DICT
        if names & PATCH_OBJECT and original.args and (self.is_environ(original.args[0].value)
                                                        or _names_environ(original.args[0].value)):
            self.skipped.append("os.environ replaced or patched as an object (`patch`/`patch.object`): a "
                                "mock of the environment, not values in it; move it by hand")
            return updated
        if names & PATCH_DICT and updated.args and original.args[0].keyword is None and \
                (self.is_environ(original.args[0].value) or _names_environ(original.args[0].value)):
            if self.defining and self.defining[-1] == "class":
                self.skipped.append("patch.dict(os.environ, ...) decorates a class (it patches each test "
                                    "method): move it by hand")
                return updated
            self.converted += 1
            return cst.Call(cst.Attribute(self.env_expr(), cst.Name("overlay")),
                            _overlay_args(updated.args[1:]))
        return updated

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        if self.is_environ(original.value) and not self.frozen:
            self.converted += 1
            return updated.with_changes(value=self.env_expr())
        return updated

    def leave_ComparisonTarget(self, original: cst.ComparisonTarget,
                               updated: cst.ComparisonTarget) -> cst.ComparisonTarget:
        if isinstance(original.operator, (cst.In, cst.NotIn)) and self.is_environ(original.comparator) \
                and not self.frozen:
            self.converted += 1
            return updated.with_changes(comparator=self.env_expr())
        return updated



# unittest's asserts whose second argument is only asked `in`: the environment has an exact stand-in
_MEMBERSHIP_ASSERTS = frozenset({"assertIn", "assertNotIn"})

_BINARY_OF: dict[type, type] = {
    cst.AddAssign: cst.Add, cst.SubtractAssign: cst.Subtract, cst.MultiplyAssign: cst.Multiply,
    cst.MatrixMultiplyAssign: cst.MatrixMultiply, cst.DivideAssign: cst.Divide, cst.ModuloAssign: cst.Modulo,
    cst.PowerAssign: cst.Power, cst.LeftShiftAssign: cst.LeftShift, cst.RightShiftAssign: cst.RightShift,
    cst.BitOrAssign: cst.BitOr, cst.BitAndAssign: cst.BitAnd, cst.BitXorAssign: cst.BitXor,
    cst.FloorDivideAssign: cst.FloorDivide,
}


def _reevaluable(node: cst.BaseExpression) -> bool:
    """Evaluating `node` again gives the same value and runs no code: a literal or a plain name."""
    return isinstance(node, (cst.Name, cst.SimpleString, cst.Integer, cst.Float,
                             cst.ConcatenatedString)) and \
        not (isinstance(node, cst.ConcatenatedString) and "{" in _snippet(node))


def _atomic(node: cst.BaseExpression) -> bool:
    return _reevaluable(node) or isinstance(node, (cst.Call, cst.Attribute, cst.Subscript)) or bool(node.lpar)


def _del_targets(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """`del a, (b, c)` deletes a, b, c in this order."""
    if isinstance(node, (cst.Tuple, cst.List)):
        return [t for e in node.elements for t in _del_targets(e.value)]
    return [node]


def _del(targets: list[cst.BaseExpression]) -> cst.Del:
    if len(targets) == 1:
        return cst.Del(targets[0].with_changes(lpar=[], rpar=[]) if isinstance(targets[0], cst.Tuple)
                       else targets[0])
    return cst.Del(cst.Tuple([cst.Element(t) for t in targets], lpar=[], rpar=[]))


def _snippet(node: cst.CSTNode) -> str:
    text = " ".join(cst.Module([]).code_for_node(node).split())
    return text if len(text) <= 70 else text[:67] + "..."


def _names_environ(node: cst.BaseExpression) -> bool:
    """`"os.environ"`: `patch.dict` also takes the dictionary to patch by its import path."""
    return isinstance(node, cst.SimpleString) and node.evaluated_value == "os.environ"


def _overlay_args(args: Sequence[cst.Arg]) -> list[cst.Arg]:
    """`patch.dict`'s arguments after `in_dict`, for `overlay`: `values=` becomes positional
    (overlay's `values` is positional-only, so `**kwargs` may name any variable)."""
    result = []
    for arg in args:
        if arg.keyword is not None and arg.keyword.value == "values":
            arg = arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
            result.insert(0, arg)
        else:
            result.append(arg)
    return result


def _as_str(value: cst.BaseExpression) -> cst.BaseExpression:
    if isinstance(value, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString)):
        return value
    return cst.Call(cst.Name("str"), [cst.Arg(value)])


class EnvironmentMigration(NamedTuple):
    module: cst.Module
    converted: int
    skipped: list[str]  # what was left, and why
    notes: list[str]  # what a reviewer should know about what was converted


def migrate_environment(module: cst.Module) -> EnvironmentMigration:
    try:
        origins = import_origins(ast.parse(module.code))
    except (SyntaxError, ValueError):  # LibCST reads a grammar this interpreter does not
        origins = None
    transformer = EnvironmentRewriter(origins)
    result = (module.visit(transformer) if origins is not None
              else cst.MetadataWrapper(module).visit(transformer))
    if transformer.module_env_used:
        name = local_name(result, "testcanon", "IsolatedEnvironment")
        result = add_import(result, "testcanon", "IsolatedEnvironment", name)
        if f"{MODULE_ENV} = {name}(" not in result.code:
            body = list(result.body)
            index = 0
            while index < len(body) and m.matches(body[index], m.SimpleStatementLine(
                    body=[m.Import() | m.ImportFrom() | m.Expr(m.SimpleString())])):
                index += 1
            statement = cst.parse_statement(f"{MODULE_ENV} = {name}(sync_to_os=True)  "
                                            "# canonical environment API\n")
            body.insert(index, statement.with_changes(leading_lines=[cst.EmptyLine()]))
            result = result.with_changes(body=body)
    notes = [f"`{name}` was never imported here (it raised NameError); converted as unittest.mock.patch.dict"
             for name in sorted(transformer.unimported)]
    return EnvironmentMigration(result, transformer.converted,
                                transformer.skipped + _passed_on(result.code), notes)


def _passed_on(code: str) -> list[str]:
    """Every `os.environ` left as the object itself (an argument, a bound name, a returned value):
    whoever receives it reads and writes the process environment, not `self.env`; there is no
    exact stand-in for the live mapping, so each is reported."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return []
    modules, environs = {"<none>"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {a.asname or a.name for a in node.names if a.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and not node.level:
            environs |= {a.asname or a.name for a in node.names if a.name == "environ"}
    consumed: set[int] = set()  # uses the codemod converts or reports on its own
    for node in ast.walk(tree):
        if isinstance(node, (ast.Subscript, ast.Attribute)):
            consumed.add(id(node.value))
        elif isinstance(node, ast.Compare):
            consumed |= {id(c) for op, c in zip(node.ops, node.comparators, strict=True)
                         if isinstance(op, (ast.In, ast.NotIn))}
        elif isinstance(node, ast.Call) and node.args and isinstance(node.func, (ast.Name, ast.Attribute)) \
                and ast.unparse(node.func).split(".")[-1] in ("patch", "object", "dict"):
            consumed.add(id(node.args[0]))  # patch.dict/patch/patch.object: converted or reported
        elif isinstance(node, ast.Call) and len(node.args) >= 2 and isinstance(node.func, ast.Attribute) \
                and node.func.attr in _MEMBERSHIP_ASSERTS:
            consumed.add(id(node.args[1]))
    lines = code.splitlines()
    found = []
    for node in ast.walk(tree):
        is_environ = (isinstance(node, ast.Attribute) and node.attr == "environ"
                      and isinstance(node.value, ast.Name)
                      and node.value.id in modules) or (isinstance(node, ast.Name) and node.id in environs)
        if is_environ and isinstance(getattr(node, "ctx", None), ast.Load) and id(node) not in consumed:
            found.append((node.lineno, lines[node.lineno - 1].strip()))
    return [f"`{text[:70]}`: os.environ passed on as a value (the live process environment, no exact "
            "equivalent); left as is" for _, text in sorted(set(found))]
