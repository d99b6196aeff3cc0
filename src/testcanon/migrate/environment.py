"""CANON301 codemod: direct environment access becomes the canonical environment API.

Where the code runs decides which object stands in for `os.environ`:
- a method of a class on `SSotBaseTestCase` / `SSotAsyncTestCase`: `self.env`;
- a module-level test function: the `isolated_env` fixture (added as a parameter);
- anywhere else (helpers, module level, fixtures): a module-level
  `canon_env = IsolatedEnvironment(sync_to_os=True)`, which reads and writes like `os.environ`.

Semantics kept: `os.environ[k]` raises KeyError (`env[k]` does too), `os.environ.get(k, d)` and
`os.getenv(k, d)` return the default, `k in os.environ` works, `os.environ[k] = v` is
`env.set(k, v)`, `del os.environ[k]` is `env.delete(k)`, `os.environ.pop/setdefault/update/clear`
are the same methods of `env`, `patch.dict(os.environ, {...}, clear=...)` (as a `with` or as a
decorator) is `env.overlay({...}, clear=...)`, `monkeypatch.setenv/delenv` in a test is
`isolated_env.set/delete`. What has no exact equivalent (`patch.dict` decorating a class,
`monkeypatch` in fixtures, `os.environ` handed on as a mapping) is left alone and reported.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from typing import NamedTuple

import libcst as cst
import libcst.matchers as m
from libcst.metadata import QualifiedNameProvider

from testcanon.migrate.common import add_import, dotted, import_origins, local_name, qualified
from testcanon.rules.facts import PATCH_DICT

CANONICAL = {f"{module}.{name}" for module in ("testcanon", "testcanon.testing", "testcanon.testing.base")
             for name in ("SSotBaseTestCase", "SSotAsyncTestCase")}
MODULE_ENV = "canon_env"
_PATCH_DICT_SPELLINGS = {"patch.dict", "mock.patch.dict", "unittest.mock.patch.dict"}
PATCH_OBJECT = {"unittest.mock.patch", "mock.patch", "unittest.mock.patch.object", "mock.patch.object"}
_READ_METHODS = {"get"}
_MUTATING_METHODS = {"pop", "setdefault", "update", "clear"}  # IsolatedEnvironment has each, same semantics
_COPY_METHODS = {"copy", "items", "keys", "values"}


class Environment(cst.CSTTransformer):
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
    def leave_Assign(self, original: cst.Assign, updated: cst.Assign) -> cst.BaseSmallStatement:
        if len(original.targets) == 1 and isinstance(original.targets[0].target, cst.Subscript) \
                and self.is_environ(original.targets[0].target.value):
            key = updated.targets[0].target.slice[0].slice.value  # type: ignore[attr-defined]
            self.converted += 1
            return cst.Expr(cst.Call(cst.Attribute(self.env_expr(), cst.Name("set")),
                                     [cst.Arg(key), cst.Arg(updated.value)]))
        return updated

    def leave_Del(self, original: cst.Del, updated: cst.Del) -> cst.BaseSmallStatement:
        target = original.target
        if isinstance(target, cst.Subscript) and self.is_environ(target.value):
            key = updated.target.slice[0].slice.value  # type: ignore[attr-defined]
            self.converted += 1
            return cst.Expr(cst.Call(cst.Attribute(self.env_expr(), cst.Name("delete")), [cst.Arg(key)]))
        return updated

    # --- expressions ------------------------------------------------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
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
            self.skipped.append(f"monkeypatch.{func.attr.value} outside a test function (fixture scope differs)")
        if names & {"dict", "builtins.dict"} and len(original.args) == 1 and original.args[0].keyword is None \
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
            self.skipped.append("os.environ replaced or patched as an object (`patch`/`patch.object`): a mock of "
                                "the environment, not values in it; move it by hand")
            return updated
        if names & PATCH_DICT and updated.args and original.args[0].keyword is None and \
                (self.is_environ(original.args[0].value) or _names_environ(original.args[0].value)):
            if self.defining and self.defining[-1] == "class":
                self.skipped.append("patch.dict(os.environ, ...) decorates a class (it patches each test "
                                    "method): move it by hand")
                return updated
            self.converted += 1
            return cst.Call(cst.Attribute(self.env_expr(), cst.Name("overlay")), _overlay_args(updated.args[1:]))
        return updated

    def leave_Subscript(self, original: cst.Subscript, updated: cst.Subscript) -> cst.BaseExpression:
        if self.is_environ(original.value):
            self.converted += 1
            return updated.with_changes(value=self.env_expr())
        return updated

    def leave_ComparisonTarget(self, original: cst.ComparisonTarget, updated: cst.ComparisonTarget) -> cst.ComparisonTarget:
        if isinstance(original.operator, (cst.In, cst.NotIn)) and self.is_environ(original.comparator):
            self.converted += 1
            return updated.with_changes(comparator=self.env_expr())
        return updated



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
    transformer = Environment(origins)
    result = module.visit(transformer) if origins is not None else cst.MetadataWrapper(module).visit(transformer)
    if transformer.module_env_used:
        name = local_name(result, "testcanon", "IsolatedEnvironment")
        result = add_import(result, "testcanon", "IsolatedEnvironment", name)
        if f"{MODULE_ENV} = {name}(" not in result.code:
            body = list(result.body)
            index = 0
            while index < len(body) and m.matches(body[index], m.SimpleStatementLine(
                    body=[m.Import() | m.ImportFrom() | m.Expr(m.SimpleString())])):
                index += 1
            statement = cst.parse_statement(f"{MODULE_ENV} = {name}(sync_to_os=True)  # canonical environment API\n")
            body.insert(index, statement.with_changes(leading_lines=[cst.EmptyLine()]))
            result = result.with_changes(body=body)
    notes = [f"`{name}` was never imported here (it raised NameError); converted as unittest.mock.patch.dict"
             for name in sorted(transformer.unimported)]
    return EnvironmentMigration(result, transformer.converted, transformer.skipped, notes)
