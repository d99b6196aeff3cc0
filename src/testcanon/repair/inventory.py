"""Which tests a file holds, found even when the file does not parse.

`tokenize` works line by line on broken files (until an unterminated string or bracket), and
a line-based pass covers what it cannot reach; both give (class or None, name) pairs, the class
decided by indentation. A repair must keep every one of them.
"""

from __future__ import annotations

import ast
import re

_DEF = re.compile(r"^([ \t]*)(?:async[ \t]+)?def[ \t]+(test\w*)")
_CLASS = re.compile(r"^([ \t]*)class[ \t]+(\w+)")

TestName = tuple[str | None, str]


def _width(indent: str) -> int:
    return len(indent.expandtabs(8))


def names_in_broken(text: str) -> set[TestName]:
    """Test functions (`test*`) and test classes (`Test*`) by line structure, class by indent."""
    found: set[TestName] = set()
    classes: list[tuple[int, str]] = []  # (indent, name) of open classes
    in_string: str | None = None
    for line in text.splitlines():
        if in_string:
            if line.count(in_string) % 2 == 1:
                in_string = None
            continue
        stripped = line.strip()
        for quote in ('"""', "'''"):
            if stripped.count(quote) % 2 == 1 and not stripped.startswith("#"):
                in_string = quote
        if in_string and not (_DEF.match(line) or _CLASS.match(line)):
            continue
        if not stripped or stripped.startswith("#"):
            continue
        indent = _width(line[: len(line) - len(line.lstrip())])
        while classes and indent <= classes[-1][0]:
            classes.pop()
        class_match = _CLASS.match(line)
        if class_match:
            name = class_match.group(2)
            if name.startswith("Test"):
                found.add((None, name))
            classes.append((indent, name))
            continue
        def_match = _DEF.match(line)
        if def_match:
            owner = classes[-1][1] if classes else None
            found.add((owner if owner and owner.startswith("Test") else owner, def_match.group(2)))
    return found


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
    """Expected tests the tree lacks; a test found in another class counts as lost."""
    present = names_in_tree(tree)
    return {name for name in expected if name not in present}
