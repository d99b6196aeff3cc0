"""CANON101 for pytest-style classes: onto `SSotTestBase` / `SSotAsyncTestBase`.

`canon check` says which test classes stand on no canonical base and are pytest-style (no
`unittest.TestCase` on the way). Where they share a home-made base in the repository, that base
is re-based (one edit for all of its classes: the root-most home-made one, standing on
`object`, a mixin or `abc.ABC`); else the test class itself gets the base. A home-made base is
left, with exactly what conflicts and what to do, when it defines a name the canonical base
provides (`env`, `wait_for`, `temp_dir`, ...), writes `os.environ` itself (the tamper check
would fail its tests), or is a `typing.Protocol`. A `setup_method` that does not call
`super().setup_method(...)` gets the call first, so `self.env` exists in it.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Callable, Iterable

import libcst as cst

from testcanon.findings import Finding
from testcanon.migrate.common import add_import, local_name

PROVIDED = {"env", "canon_metrics", "wait_for", "assert_eventually", "temp_dir", "record_metric",
            "add_cleanup", "async_wait_for", "async_assert_eventually", "on_environ_change", "sync_env_to_os",
            "secret_patterns", "_canon_services", "_canon_begin", "_canon_end"}
_ENV_WRITE = re.compile(r"\bos\.environ\.(?:clear|update|pop|setdefault|popitem)\("
                        r"|\bos\.environ\[[^\]\n]+\]\s*=(?!=)"
                        r"|\bmonkeypatch\.(?:setenv|delenv)\(|\bos\.(?:putenv|unsetenv)\(")

Targets = dict[str, dict[str, str]]  # path -> {module-level class: canonical base}


def plan_targets(findings: Iterable[Finding], sites: dict[str, str], read: Callable[[str], bytes | None],
                 why_not: Callable[[str], str | None]) -> tuple[Targets, list[str]]:
    """Which classes get which pytest-native base, and review notes ("path: Class: why") for
    the home-made bases that cannot take it. `why_not(path)`: why that file may not be
    rewritten (None: it may)."""
    users: dict[str, list[Finding]] = defaultdict(list)
    targets: Targets = defaultdict(dict)
    review: list[str] = []
    for finding in findings:
        if finding.code != "CANON101" or finding.data.get("style") != "pytest":
            continue
        home = list(finding.data.get("home_made", []))
        if home:
            users[home[-1]].append(finding)
        elif "." not in str(finding.data.get("class", "")) and why_not(finding.path) is None:
            targets[finding.path][str(finding.data["class"])] = str(finding.data["canonical"])
    for qualified, found in users.items():
        path = sites.get(qualified, "").rsplit(":", 1)[0]
        name = qualified.rsplit(".", 1)[-1]
        if not path:
            continue
        blocked = why_not(path)
        if blocked:
            review.append(f"{path}: {name}: {blocked}; then add `SSotTestBase` to its bases, or run "
                          f"`canon migrate` again ({len(found)} test class(es) stand on it)")
            continue
        source = read(path)
        node = _module_class(source, name) if source is not None else None
        if node is None:
            continue
        why = conflict(node, source.decode("utf-8", "replace"))  # type: ignore[union-attr]
        if why:
            review.append(f"{path}: {name}: {why} ({len(found)} test class(es) stand on it)")
            continue
        asynchronous = any(f.data.get("canonical") == "SSotAsyncTestBase" for f in found)
        targets[path][name] = "SSotAsyncTestBase" if asynchronous else "SSotTestBase"
    return dict(targets), review


def _module_class(source: bytes, name: str) -> ast.ClassDef | None:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    return next((n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == name), None)


def conflict(node: ast.ClassDef, source: str) -> str | None:
    """Why `node` cannot simply take the pytest-native canonical base, as a person can act on it."""
    defined = {n.name for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    defined |= {t.id for n in node.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                for t in (n.targets if isinstance(n, ast.Assign) else [n.target]) if isinstance(t, ast.Name)}
    clash = sorted(defined & PROVIDED)
    if clash:
        return (f"defines {', '.join(f'`{c}`' for c in clash)}, which SSotTestBase provides with its own "
                "meaning: rename it (or drop it for the canonical one), then run `canon migrate` again")
    if any(ast.unparse(b).split("[")[0].endswith("Protocol") for b in node.bases):
        return ("is a typing.Protocol, which cannot take a concrete base: put the base on "
                "its test classes by hand")
    text = ast.get_source_segment(source, node) or ""
    match = _ENV_WRITE.search(text)
    if match:
        line = node.lineno + text[:match.start()].count("\n")
        return (f"writes the process environment itself (`{match.group(0)}` at line {line}): the canonical "
                "base fails a test that does; move it to `self.env.set/delete`, then "
                "run `canon migrate` again")
    return None


class AddBase(cst.CSTTransformer):
    """Module-level classes named in `targets` get their canonical base (last, replacing `object`)."""

    def __init__(self, targets: dict[str, str], names: dict[str, str]) -> None:
        self.targets = targets
        self.names = names
        self.done: list[str] = []
        self._depth = 0

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self._depth += 1
        return self._depth == 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        self._depth -= 1
        if self._depth or updated.name.value not in self.targets:
            return updated
        base = self.names[self.targets[updated.name.value]]
        bases = [a for a in updated.bases
                 if not (isinstance(a.value, cst.Name) and a.value.value == "object")]
        if any(isinstance(a.value, cst.Name) and a.value.value == base for a in bases):
            return updated
        if bases:
            bases[-1] = bases[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        bases.append(cst.Arg(cst.Name(base)))
        self.done.append(updated.name.value)
        return _with_super_setup(updated.with_changes(
            bases=bases, lpar=cst.LeftParen(), rpar=cst.RightParen()))


def _with_super_setup(node: cst.ClassDef) -> cst.ClassDef:
    """`setup_method` calls `super().setup_method(...)` first, so `self.env` exists in it."""
    body = []
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef) and statement.name.value == "setup_method":
            code = cst.Module(body=list(statement.body.body)).code
            if "super().setup_method(" not in code:
                params = [p.name.value for p in statement.params.params]
                argument = params[1] if len(params) > 1 else ""
                call = cst.parse_statement(f"super().setup_method({argument})\n")
                inner = list(statement.body.body)
                first = inner[0] if inner else None
                docstring = 1 if isinstance(first, cst.SimpleStatementLine) \
                    and isinstance(first.body[0], cst.Expr) \
                    and isinstance(first.body[0].value, cst.SimpleString) else 0
                inner.insert(docstring, call)
                statement = statement.with_changes(body=statement.body.with_changes(body=inner))
        body.append(statement)
    return node.with_changes(body=node.body.with_changes(body=body))


def add_bases(module: cst.Module, targets: dict[str, str]) -> tuple[cst.Module, list[str]]:
    names = {base: local_name(module, "testcanon", base) for base in set(targets.values())}
    transformer = AddBase(targets, names)
    result = module.visit(transformer)
    if transformer.done:
        for base in sorted({targets[name] for name in transformer.done}):
            result = add_import(result, "testcanon", base, names[base])
    return result, transformer.done
