"""Tests that exist only as comments: read the comments back as code.

Bulk scripts "fixed" broken files by commenting code out, with whatever prefix they chose
(`# `, `#`, `# REMOVED_SYNTAX_ERROR: `), sometimes the whole file under a placeholder test.
A comment is read as code by stripping `#` and an upper-case marker (`WORD:`), then a
definition header is recognised only if it *parses* (`def name(...):`, possibly over several
comment lines, decorators above it): prose that mentions a test is not a definition.

Indentation inside such comments cannot be trusted (the corpus's script re-indented before
commenting, so a method's `def` sits at column 0 under its class): a function whose first
parameter is `self`/`cls` belongs to the commented class above it, and spans end at the next
definition that is not nested deeper.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass, field

from testcanon.rules.lost.naming import DEFAULT, TestNaming

# Starts with a literal, so `re` scans for '#' fast (a `^`-anchored multi-line pattern is tried
# at every position: 4 s over the corpus instead of 0.1 s).
_PREFILTER = re.compile(r"#+(?:[ \t]*[A-Z][A-Z0-9_]{2,}:)?[ \t]*(?:async[ \t]+def|def|class)[ \t]+[A-Za-z_]")
_UNCOMMENT = re.compile(r"^([ \t]*)#+(?:[ \t]*[A-Z][A-Z0-9_]{2,}:)?(.*)$")
_HEADER = re.compile(r"^(?:async[ \t]+def|def|class)[ \t]+([A-Za-z_]\w*)")
_PLACEHOLDER_MARK = re.compile(r"original content.*comment(?:ed)?[ -]out|commented out due to", re.I)
_MAX_HEADER_LINES = 12
_STRAY_COMMA = re.compile(r"\(\s*,")


@dataclass(frozen=True)
class CommentedTest:
    """One test definition found only in comments."""

    test_id: str  # pytest's id within the file: "test_x", "TestA", "TestA::test_x"
    kind: str  # "function" or "class"
    line: int  # first line of the commented definition (its first decorator)
    end_line: int  # last line of its commented span
    under_placeholder: bool  # below an "Original content (commented out ...)" marker
    source: str | None  # the definition as code when the uncommented span parses, else None

    def to_json(self) -> dict[str, object]:
        return {"test_id": self.test_id, "kind": self.kind, "line": self.line, "end_line": self.end_line,
                "under_placeholder": self.under_placeholder, "parses": self.source is not None}


@dataclass
class _Header:
    index: int  # 0-based line index of the header's first line
    start: int  # 0-based index of its first decorator (or the header)
    name: str
    kind: str
    indent: int  # effective indentation: before the '#' plus inside the comment
    method: bool  # first parameter self/cls
    end: int = -1  # 0-based last line of its span
    parent: _Header | None = None
    nested: bool = False  # inside a commented function: a helper, not a test
    fixture: bool = False  # decorated with a fixture decorator: named like a test, but no test
    classes_above: tuple[list[_Header], int] = ([], 0)  # the run's commented classes before it
    children: list[_Header] = field(default_factory=list)


def might_hold_tombstones(text: str) -> bool:
    """A cheap test a file must pass before it is tokenized."""
    for match in _PREFILTER.finditer(text):
        if not text[text.rfind("\n", 0, match.start()) + 1:match.start()].strip():
            return True
    return False


def uncomment(line: str) -> tuple[int, str] | None:
    """(indent before the '#', text after the '#' and any `MARKER:`), or None for a non-comment."""
    match = _UNCOMMENT.match(line)
    if match is None:
        return None
    body = match.group(2)
    if body.startswith(" "):
        body = body[1:]  # the one space `# ` adds
    return len(match.group(1).expandtabs(8)), body


def comment_lines(lines: list[str], tree: ast.Module) -> set[int]:
    """0-based indexes of lines that hold only a comment: a `#` line outside every multi-line
    string of the (compiling) file's tree. Reading the tree, not tokenizing, keeps this cheap."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if (isinstance(node, (ast.Constant, ast.JoinedStr)) and node.end_lineno
            and node.end_lineno > node.lineno):
            inside.update(range(node.lineno, node.end_lineno))  # 0-based: the lines after the first
    return {i for i, line in enumerate(lines) if line.lstrip().startswith("#") and i not in inside}


def _parse_header(lines: list[str], index: int, comments: set[int]) -> tuple[str, str, bool] | None:
    """(name, kind, is_method) when the comment at `index` starts a definition that parses.

    A header a script damaged only by a stray comma after its parenthesis (`def test_x(, self)`,
    seen in the corpus) is read with that comma dropped.
    """
    first = uncomment(lines[index])
    if first is None:
        return None
    code = first[1].strip()
    if _HEADER.match(code) is None:
        return None
    parts = [code]
    for offset in range(_MAX_HEADER_LINES):
        candidate = "\n".join(parts)
        for attempt in (candidate, candidate + "\n pass", _STRAY_COMMA.sub("(", candidate) + "\n pass"):
            try:
                tree = ast.parse(attempt)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            if not tree.body or not isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef,
                                                             ast.ClassDef)):
                return None
            node = tree.body[0]
            method = False
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                params = [*node.args.posonlyargs, *node.args.args]
                method = bool(params) and params[0].arg in ("self", "cls")
            return node.name, "class" if isinstance(node, ast.ClassDef) else "function", method
        following = index + offset + 1
        if following >= len(lines) or following not in comments:
            return None
        more = uncomment(lines[following])
        if more is None:
            return None
        parts.append(more[1].strip())
    return None


def find_commented_tests(text: str, tree: ast.Module | None = None, *,
                         naming: TestNaming = DEFAULT) -> list[CommentedTest]:
    """Every test defined only in comments, one entry per test id (the first copy), in file order.

    `tree` is the file's parsed live code (parsed here when not given); a test id it defines is
    live, so its commented copy is no lost test.
    """
    if not might_hold_tombstones(text):
        return []
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return []
    lines = text.splitlines()
    comments = comment_lines(lines, tree)
    live = live_test_ids(tree, naming)
    owners = _LiveOwners(tree)
    placeholder_from = next((i for i in sorted(comments) if _PLACEHOLDER_MARK.search(lines[i])), None)

    found: list[CommentedTest] = []
    seen: set[str] = set()
    for run in _runs(lines, comments):
        for header in _headers(lines, run, comments):
            if header.nested:
                continue
            test_id = _test_id(header, owners, naming)
            if test_id is None or test_id in live or test_id in seen:
                continue
            seen.add(test_id)
            source = span_source(lines, header.start, header.end)
            end = header.end
            if source is not None:  # a span cut short of trailing prose ends where its code does
                end = min(end, header.start + source.rstrip("\n").count("\n"))
                while end > header.start and not lines[end].strip():
                    end -= 1
            found.append(CommentedTest(
                test_id=test_id, kind=header.kind, line=header.start + 1, end_line=end + 1,
                under_placeholder=placeholder_from is not None and header.index > placeholder_from,
                source=source))
    return found


def live_test_ids(tree: ast.Module, naming: TestNaming = DEFAULT) -> set[str]:
    """The ids pytest's naming gives the live definitions (no collection: names only)."""
    ids: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and naming.is_test_function(node.name) \
                and not _is_fixture(node):
            ids.add(node.name)
        elif isinstance(node, ast.ClassDef) and naming.is_test_class(node.name) and not any(
                isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name == "__init__"
                for m in node.body):
            ids.add(node.name)
            ids.update(f"{node.name}::{m.name}" for m in node.body
                       if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and naming.is_test_function(m.name))
    return ids


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A `@pytest.fixture` named like a test is a fixture, not a test."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if (isinstance(target, ast.Attribute) and target.attr == "fixture") or \
                (isinstance(target, ast.Name) and target.id == "fixture"):
            return True
    return False


def _runs(lines: list[str], comments: set[int]) -> list[list[int]]:
    """Consecutive comment lines; blank lines do not end a run, live code does."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, line in enumerate(lines):
        if index in comments:
            current.append(index)
        elif not line.strip():
            continue
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _headers(lines: list[str], run: list[int], comments: set[int]) -> list[_Header]:
    """The definitions of one run of comments, each with its span and the definition it is in."""
    reads = {index: uncomment(lines[index]) for index in run}
    # A script that kept the code's indentation after its prefix (`#     def`) is read by that;
    # one that put a flat prefix on re-indented lines (`    # MARK: def`) by the column of '#'.
    inner_indented = any(r is not None and r[1][:1] in (" ", "\t") and r[1].strip() for r in reads.values())
    headers: list[_Header] = []
    classes: list[_Header] = []
    for position, index in enumerate(run):
        parsed = _parse_header(lines, index, comments)
        if parsed is None:
            continue
        name, kind, method = parsed
        outer, inner = reads[index]  # type: ignore[misc]
        indent = len(inner.expandtabs(8)) - len(inner.expandtabs(8).lstrip())
        start, back, fixture = index, position - 1, False
        while back >= 0 and run[back] == start - 1:
            above = reads[run[back]]
            if above is None or not above[1].lstrip().startswith("@"):
                break
            fixture = fixture or "fixture" in above[1]
            start, back = run[back], back - 1
        header = _Header(index, start, name, kind, indent if inner_indented else outer + indent, method,
                         fixture=fixture)
        header.classes_above = (classes, len(classes))
        headers.append(header)
        if kind == "class":
            classes.append(header)
    last = run[-1]
    while last > run[0] and not lines[last].strip():
        last -= 1
    open_: list[_Header] = []
    for header in headers:
        while open_ and not _inside(header, open_[-1]):
            open_.pop().end = _before(header.start, lines)
        if open_:
            header.parent = open_[-1]
            header.nested = any(h.kind == "function" for h in open_) and not header.method
            open_[-1].children.append(header)
        open_.append(header)
    for header in open_:
        header.end = last
    for header in headers:  # a class spans the methods that belong to it, wherever indentation put them
        owner = header.parent
        while owner is not None and owner.kind != "class":
            owner = owner.parent
        if owner is not None:
            owner.end = max(owner.end, header.end)
    return headers


def _inside(header: _Header, opener: _Header) -> bool:
    """Whether `header` belongs to the span `opener` started."""
    if opener.kind == "class":
        if header.kind == "class":
            return header.indent > opener.indent
        return header.method or header.indent > opener.indent
    if header.method and opener.method and header.indent <= opener.indent:
        return False
    return header.indent > opener.indent


def _before(index: int, lines: list[str]) -> int:
    end = index - 1
    while end > 0 and not lines[end].strip():
        end -= 1
    return end


class _LiveOwners:
    """Which live class a commented method sits in: the nearest top-level class above it with no
    module-level statement in between (trailing comments fall outside a class's line range)."""

    def __init__(self, tree: ast.Module) -> None:
        self.starts = [(node.lineno, node.name if isinstance(node, ast.ClassDef) else None)
                       for node in tree.body]

    def around(self, line: int) -> str | None:
        owner = None
        for start, name in self.starts:
            if start >= line:
                break
            owner = name
        return owner


def _test_id(header: _Header, owners: _LiveOwners, naming: TestNaming) -> str | None:
    if header.kind == "class":
        if header.parent is not None and header.parent.kind == "function":
            return None  # a class defined inside a function: no test
        if any(child.name == "__init__" for child in header.children):
            return None  # pytest does not collect a class with an __init__: a helper
        return header.name if naming.is_test_class(header.name) else None
    if not naming.is_test_function(header.name) or header.fixture:
        return None
    if not header.method:
        return header.name if header.parent is None else None
    ancestor = header.parent
    while ancestor is not None:
        if ancestor.kind == "class" and naming.is_test_class(ancestor.name):
            return f"{ancestor.name}::{header.name}"
        ancestor = ancestor.parent
    live = owners.around(header.index + 1)
    if live is not None:
        return f"{live}::{header.name}" if naming.is_test_class(live) else None
    classes, count = header.classes_above
    for above in reversed(classes[:count]):  # flattened: the nearest commented test class above
        if naming.is_test_class(above.name):
            return f"{above.name}::{header.name}"
    return header.name


def span_source(lines: list[str], start: int, end: int) -> str | None:
    """The commented span read back as code, when it parses as one definition.

    Two readings: the text inside the comments dedented (a script that kept the code's own
    indentation after its prefix), and the indentation before the '#' added back (a script
    that commented each line in place).
    """
    inner: list[str] = []
    placed: list[str] = []
    for line in lines[start:end + 1]:
        read = uncomment(line)
        if read is None:
            inner.append("")
            placed.append("")
            continue
        outer, body = read
        inner.append(body)
        placed.append(" " * outer + body)
    for candidate in (textwrap.dedent("\n".join(inner)), textwrap.dedent("\n".join(placed))):
        parsed = _one_definition(candidate)
        if parsed is not None:
            return parsed
    return None


def _one_definition(candidate: str) -> str | None:
    """`candidate` when it parses as one definition. Where the parser fails on an unindented line:
    if the body goes on below it, the line is a real comment a later script wrote into the
    commented block (`# Mock: ...`) and stays a comment, at the body's indentation; otherwise the
    span ran on into prose after the definition and is cut there. A body is never shortened."""
    lines = candidate.split("\n")
    for _ in range(24):
        text = "\n".join(lines)
        try:
            tree = ast.parse(text)
        except SyntaxError as error:
            cut = (error.lineno or 0) - 1
            if cut <= 0 or cut >= len(lines) or lines[cut][:1] in (" ", "\t"):
                return None
            below = next((line for line in lines[cut + 1:] if line.strip()), "")
            if below[:1] in (" ", "\t"):
                indent = below[:len(below) - len(below.lstrip())]
                lines[cut] = f"{indent}# {lines[cut]}"
            else:
                lines = lines[:cut]
            continue
        except (ValueError, RecursionError, MemoryError):
            return None
        if len(tree.body) == 1 and isinstance(tree.body[0],
                                              (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return text.strip("\n") + "\n"
        if tree.body and isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            lines = lines[:tree.body[1].lineno - 1] if len(tree.body) > 1 else lines
            continue
        return None
    return None
