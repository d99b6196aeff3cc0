"""Which tests a file holds, found even when the file does not parse.

`tokenize` works line by line on broken files (until an unterminated string or bracket), and
a line-based pass covers what it cannot reach; both give (class or None, name) pairs, the class
decided by indentation. A repair must keep every one of them.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

TEST_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(test\w*)[ \t]*\(")  # its indent, its name
_ANY_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+\w+[ \t]*\(")
_CLASS = re.compile(r"^([ \t]*)class[ \t]+(\w+)[ \t]*[(:]")
# pytest does not collect a class with an `__init__`, unless it is a unittest.TestCase (so only
# classes with no base, or `object`, can be told apart as helpers by their text).
_PLAIN_CLASS = re.compile(r"^[ \t]*class[ \t]+\w+[ \t]*(?:\([ \t]*(?:object)?[ \t]*\))?[ \t]*:")
_INIT = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+__init__[ \t]*\(")
# Lines that end a class when they are not indented deeper than it. Anything else at a low
# indent (a stray docstring fragment, prose, a flattened statement) is damage, not structure:
# letting it close the class would move every later test out of it.
_STRUCTURAL = re.compile(r"^[ \t]*(?:@|(?:async[ \t]+)?def[ \t]|class[ \t]|import[ \t]"
                         r"|from[ \t]+\S+[ \t]+import\b"
                         r"|if[ \t]+__name__\b)")

TestName = tuple[str | None, str]

__all__ = ["TEST_DEF", "TestName", "indent_width", "missing", "names_in_broken", "names_in_source",
           "names_in_strings", "names_in_tree", "nested_helpers", "opts_out", "uncollected_names",
           "uncounted_gone"]


def indent_width(indent: str) -> int:
    """Columns an indentation takes, tabs to multiples of 8 as the tokenizer counts them."""
    return len(indent.expandtabs(8))


def names_in_broken(text: str) -> set[TestName]:
    """Test functions (`test*`) and test classes (`Test*`) by line structure, class by indent.

    Triple-quoted strings are skipped, but a damaged file's quotes are not to be trusted: a
    line that is unmistakably a definition (`def test_x(`, `class TestX(`) counts even where
    the quote parity says it is inside a string, so a repair cannot drop it silently.

    What pytest would not collect holds no test to lose, so its name is not counted:
    - a `Test*` class with no base that defines `__init__` (pytest refuses it: "cannot collect
      test class ... because it has a __init__ constructor");
    - a `Test*` class with no base and no `test*` definition in its body (it yields no item).

    A `test*` method of a class with no base that pytest would not collect (a helper, or a
    `Test*` class with `__init__`) still counts, but not in that class: pytest does not run it
    there, so either it is no test, or the damage's flattened indentation put it there (the
    corpus's bulk edits placed whole test classes' methods under a helper class above them).
    Its class is not recoverable, so it counts wherever the repair defines it, as a test seen
    at module level does.
    """
    found: set[TestName] = set()
    classes: list[_OpenClass] = []
    collected: dict[str, bool] = {}  # Test* class -> some definition of it is collected
    function_indent: int | None = None  # the open function, whose nested defs are not tests
    in_string: str | None = None

    def close(open_class: _OpenClass) -> None:
        owner = open_class.name if open_class.runs_tests else None
        found.update((owner, name) for name in open_class.tests)
        if open_class.tests and classes:  # a nested test class makes its parent hold tests
            classes[-1].holds_nested_tests = True
        if open_class.name.startswith("Test"):
            counted = open_class.runs_tests and bool(open_class.tests or open_class.holds_nested_tests
                                                      or not open_class.plain)
            collected[open_class.name] = collected.get(open_class.name, False) or counted

    for line in text.splitlines():
        definition = TEST_DEF.match(line) or _CLASS.match(line)
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = None
            if not definition:
                continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for quote in ('"""', "'''"):
            if stripped.count(quote) % 2 == 1:
                in_string = None if in_string == quote else quote
        if not definition and not _STRUCTURAL.match(line):
            continue
        indent = indent_width(line[: len(line) - len(line.lstrip())])
        while classes and indent <= classes[-1].indent:
            close(classes.pop())
        if function_indent is not None and indent <= function_indent:
            function_indent = None
        if function_indent is not None:
            continue  # a helper nested in a function body is not collected
        class_match = _CLASS.match(line)
        if class_match:
            classes.append(_OpenClass(indent, class_match.group(2), bool(_PLAIN_CLASS.match(line))))
            continue
        if classes and _INIT.match(line):
            classes[-1].has_init = True
        def_match = TEST_DEF.match(line)
        if def_match:
            if classes:
                classes[-1].tests.append(def_match.group(2))
            else:
                found.add((None, def_match.group(2)))
        if _ANY_DEF.match(line):
            function_indent = indent
    while classes:
        close(classes.pop())
    found |= {(None, name) for name, is_collected in collected.items() if is_collected}
    return found


@dataclass
class _OpenClass:
    indent: int
    name: str
    plain: bool  # no base, or `object`: an __init__ makes it a helper pytest does not collect
    has_init: bool = False
    tests: list[str] = field(default_factory=list)  # its `test*` methods
    holds_nested_tests: bool = False

    @property
    def runs_tests(self) -> bool:
        """Whether pytest may run the class's methods: a `Test*` class that is no helper, or one
        with a base (a unittest.TestCase runs whatever its name)."""
        if not self.plain:
            return True
        return self.name.startswith("Test") and not self.has_init


def names_in_tree(tree: ast.Module) -> set[TestName]:
    found: set[TestName] = set()

    def visit(body: list[ast.stmt], owner: str | None) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                if node.name.startswith("Test"):
                    found.add((None, node.name))
                visit(node.body, node.name)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                found.add((owner, node.name))
            else:
                for block in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, block, None)
                    if isinstance(children, list):
                        visit(children, owner)

    visit(tree.body, None)
    return found


def missing(expected: set[TestName], tree: ast.Module) -> set[TestName]:
    """Expected tests the tree lacks. A test seen inside a class must stay in that class; one
    seen at module level may have lost its indentation to the damage (its class is not
    recoverable), so it counts as kept wherever the repair defines it."""
    present = names_in_tree(tree)
    anywhere = {name for _, name in present}
    return {(owner, name) for owner, name in expected
            if ((owner, name) not in present if owner is not None else name not in anywhere)}


def names_in_source(data: bytes) -> set[TestName]:
    """The tests of a file: exact from its AST when it parses, else by line structure."""
    try:
        return names_in_tree(ast.parse(data))
    except (SyntaxError, ValueError):
        return names_in_broken(data.decode("utf-8", "replace").replace("\0", ""))


def nested_helpers(tree: ast.Module) -> set[str]:
    """`test*` functions and `Test*` classes a module defines inside a function's body (pytest
    never collects them there: a test that builds a `class TestAgent(Mixin)` to exercise a mixin;
    the caller takes out the names it also defines as tests).

    A bulk edit that flattened indentation makes them look like sibling methods in the broken
    file, so the inventory of the broken file counts them; the versions that compiled tell which
    they are (`history.history_expected`)."""
    nested: set[str] = set()
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    # one pass, each node once: what has a function among its ancestors (walking each function's
    # subtree again cost a deeply nested module time quadratic in its depth)
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, in_function = stack.pop()
        if in_function and ((isinstance(node, functions) and node.name.startswith("test"))
                            or (isinstance(node, ast.ClassDef) and node.name.startswith("Test"))):
            nested.add(node.name)
        inside = in_function or isinstance(node, functions)
        stack.extend((child, inside) for child in ast.iter_child_nodes(node))
    return nested


def uncollected_names(tree: ast.Module) -> set[str]:
    """Test-like names a module defines only where pytest collects nothing from them:
    - a `test*` property (`@property`, `@cached_property`, a setter): an attribute, no function;
    - a `Test*` class pytest declines ("cannot collect test class ... because it has a __init__
      constructor"): a dataclass or attrs class, or one with no base that defines `__init__`, or
      one that sets `__test__ = False`; its `test*` methods with it;
    - a `Test*` class with no base and no `test*` method (it yields no item).

    The broken file's inventory cannot see decorators and bases through the damage, so it counts
    these; a version that compiled shows what they are (`history.history_expected`). The caller
    takes out the names some version defines as tests pytest collects."""
    everything: set[str] = set()
    collected: set[str] = set()

    def visit(body: list[ast.stmt], declined: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                inner = declined or _declined(node)
                if node.name.startswith("Test"):
                    everything.add(node.name)
                    if not inner and (node.bases or _holds_tests(node)):
                        collected.add(node.name)
                visit(node.body, inner)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if node.name.startswith("test"):
                    everything.add(node.name)
                    if not declined and not _is_property(node):
                        collected.add(node.name)
            else:
                for block in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, block, None)
                    if isinstance(children, list):
                        visit(children, declined)

    visit(tree.body, False)
    return everything - collected


_PROPERTIES = frozenset({"property", "cached_property", "abstractproperty", "setter", "getter", "deleter"})
_DATACLASSES = frozenset({"dataclass", "dataclasses.dataclass", "attr.s", "attr.attrs", "attr.define",
                          "attr.frozen", "attrs.define", "attrs.frozen", "attrs.mutable"})


def _decorator_name(decorator: ast.expr) -> str:
    """A decorator as written, without its call (`functools.cached_property`, `dataclass`); ""
    for an expression ast cannot render, which names no known decorator."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    try:
        return ast.unparse(target)
    except (AttributeError, ValueError):
        return ""


def _is_property(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(_decorator_name(decorator).rsplit(".", 1)[-1] in _PROPERTIES
               for decorator in node.decorator_list)


def opts_out(node: ast.ClassDef) -> bool:
    """The class says `__test__ = <falsy constant>` in its body: pytest reads the attribute by
    truth (`False`, `0`, `None` all opt out)."""
    return any(isinstance(statement, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__test__"
                                                        for t in statement.targets)
               and isinstance(statement.value, ast.Constant) and not statement.value.value
               for statement in node.body)


def _declined(node: ast.ClassDef) -> bool:
    """pytest refuses the class: it has an `__init__` (generated or written) and is no unittest
    case (only a class with no base, or `object`, can be told to be none), or says `__test__ = False`."""
    if any(_generates_init(decorator) for decorator in node.decorator_list):
        return True
    if opts_out(node):
        return True
    plain = all(isinstance(base, ast.Name) and base.id == "object" for base in node.bases)
    return plain and any(isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef))
                         and statement.name == "__init__" for statement in node.body)


def _generates_init(decorator: ast.expr) -> bool:
    """`@dataclass`, `@attrs.define(...)` and the like, unless told `init=False`."""
    no_init = isinstance(decorator, ast.Call) and any(
        keyword.arg == "init" and isinstance(keyword.value, ast.Constant) and keyword.value.value is False
        for keyword in decorator.keywords)
    return _decorator_name(decorator) in _DATACLASSES and not no_init


def _holds_tests(node: ast.ClassDef) -> bool:
    """A class with no base yields items only from `test*` methods or nested test classes."""
    return any((isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) and child.name.startswith("test")
                and not _is_property(child))
               or (isinstance(child, ast.ClassDef) and child.name.startswith("Test"))
               for child in node.body)


def names_in_strings(tree: ast.Module) -> set[str]:
    """Test-like definitions written inside string literals (a template of a generated test file,
    an example in a docstring), read with the inventory's own patterns. The broken file's
    inventory counts a line that reads like a definition even inside a string, as its quotes are
    not to be trusted; a version that compiled shows the string for what it is."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
            found |= _test_like_names(node.value)
    return found


def uncounted_gone(text: str, expected: set[TestName], repaired: ast.Module) -> set[str]:
    """Test-like names the broken text defines that the repair no longer does and the guarantee
    did not require (pytest would collect no test from them), so the report can name them."""
    defined = {node.name for node in ast.walk(repaired)
               if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    return _test_like_names(text) - defined - {name for _, name in expected}


def _test_like_names(text: str) -> set[str]:
    """Every line that reads like a `def test*` or `class Test*`, wherever it stands."""
    found: set[str] = set()
    for line in text.splitlines():
        function, cls = TEST_DEF.match(line), _CLASS.match(line)
        if function:
            found.add(function.group(2))
        elif cls and cls.group(2).startswith("Test"):
            found.add(cls.group(2))
    return found
