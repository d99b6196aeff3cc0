"""One parse per file: the `FileFacts` of a Python file, from its bytes and path alone.

Statements are walked once; expression-level passes run only when a cheap byte search says
the file can contain what they look for. Nothing is imported or executed.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize

from testcanon.analysis.facts import ClassFacts, Definition, FileFacts, Occurrence, Suppression, module_name
from testcanon.analysis.shell_words import RUNS_NO_TEST

__all__ = ["ENV_FUNCTIONS", "MIN_DUPLICATE_LINES", "MOCK_MODULES", "PATCH_DICT", "extract", "is_main_guard"]

UNITTEST_MAIN = {"unittest.main", "unittest.main.main"}
PYTEST_MAIN = {"pytest.main", "_pytest.config.main"}
SUBPROCESS_CALLS = {"subprocess.run", "subprocess.call", "subprocess.check_call",
                    "subprocess.check_output", "subprocess.Popen", "os.system", "os.popen",
                    "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell"}
ENV_FUNCTIONS = {"os.getenv", "os.putenv", "os.unsetenv", "os.getenvb"}
PATCH_DICT = {"unittest.mock.patch.dict", "mock.patch.dict"}
MOCK_MODULES = ("unittest.mock", "mock", "pytest_mock")
# Definitions shorter than this are never duplication candidates (nor cached as such).
MIN_DUPLICATE_LINES = 4
_SUPPRESSION = re.compile(r"#\s*canon:\s*ignore\[([A-Z0-9, ]+)\]\s*(.*)$")
_PYTEST_WORD = re.compile(r"(^|[\s/])(py\.test|pytest)(\s|$)|-m\s+pytest\b")


def extract(data: bytes, relpath: str, *, shapes: bool = False) -> FileFacts | None:
    """The facts of one file, or None when it does not parse (scan reports those).

    `shapes` adds the normalised shape of every definition (`FileFacts.definitions`, for the
    duplication rules), which only test infrastructure needs.
    """
    try:
        tree = ast.parse(data, relpath)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return None
    return _Extractor(relpath, data, shapes).run(tree)


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _statements(node: ast.AST) -> int:
    """Statements in `node`'s body, nested ones included, the docstring not."""
    body = _without_docstring(list(getattr(node, "body", [])))
    return sum(1 for statement in body for child in ast.walk(statement) if isinstance(child, ast.stmt))


def _without_docstring(body: list[ast.stmt]) -> list[ast.stmt]:
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        return body[1:]
    return body


def _behaviour_hash(node: ast.AST) -> str:
    """A digest of what `node` does, blind only to the names it binds itself.

    Its parameters, the names it assigns and the attributes of its own instance (`self.x`: the
    class's own naming of its state) are renamed by order of first appearance; every other name
    (what it calls, the globals it reads), attribute and literal stays:
    two fixtures that return different values, or helpers that call different services, differ.
    Decorators count for fixtures (`scope="session"` is behaviour); the docstring does not.
    """
    local: dict[str, str] = {}

    def bind(name: str) -> None:
        local.setdefault(name, f"_v{len(local)}")

    arguments = getattr(node, "args", None)
    if isinstance(arguments, ast.arguments):
        for arg in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs,
                    *([arguments.vararg] if arguments.vararg else []),
                    *([arguments.kwarg] if arguments.kwarg else [])]:
            bind(arg.arg)
    body = _without_docstring(list(getattr(node, "body", [])))
    for statement in body:
        for child in ast.walk(statement):
            if isinstance(child, ast.Name) and not isinstance(child.ctx, ast.Load):
                bind(child.id)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(child.name)
            elif isinstance(child, ast.arg):
                bind(child.arg)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                bind(child.name)
    parts: list[str] = []
    own_attrs: dict[str, str] = {}
    positional = [*arguments.posonlyargs, *arguments.args] if isinstance(arguments, ast.arguments) else []
    first = positional[0].arg if positional and positional[0].arg in ("self", "cls") else None
    for statement in [*getattr(node, "decorator_list", []), *body]:
        for child in ast.walk(statement):
            if isinstance(child, ast.Name):
                parts.append(f"N:{local.get(child.id, child.id)}")
            elif isinstance(child, ast.arg):
                parts.append(f"A:{local.get(child.arg, child.arg)}")
            elif isinstance(child, ast.Attribute):
                own = isinstance(child.value, ast.Name) and child.value.id == first
                name = own_attrs.setdefault(child.attr, f"_a{len(own_attrs)}") if own else child.attr
                parts.append(f"T:{name}")
            elif isinstance(child, ast.Constant):
                parts.append(f"C:{child.value!r}")
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                parts.append(f"D:{type(child).__name__}:{local.get(child.name, child.name)}")
            else:
                parts.append(type(child).__name__)
    return hashlib.blake2b(" ".join(parts).encode(), digest_size=12).hexdigest()


_ENV_WORDS = (b"environ", b"getenv", b"putenv", b"unsetenv", b"setenv", b"delenv")
_STATEMENT_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


class _Extractor:
    """Statements are walked once; expression-level passes run only when a cheap byte search
    says the file can contain what they look for (most files cannot)."""

    def __init__(self, relpath: str, data: bytes, shapes: bool) -> None:
        self.relpath = relpath
        self.data = data
        self.shapes = shapes
        self.module = module_name(relpath)
        self.is_package = relpath.endswith("__init__.py")
        self.lines = data.decode("utf-8", "replace").splitlines()
        self.aliases: dict[str, str] = {}
        self.main_blocks: list[tuple[int, int]] = []
        self.classes: list[ClassFacts] = []
        self.env: list[Occurrence] = []
        self.relative_imports: list[Occurrence] = []
        self.mock_imports: list[Occurrence] = []
        self.mocker_uses: list[Occurrence] = []
        self.bypasses: list[Occurrence] = []
        self.marker_lines: list[tuple[str, int]] = []
        self.definitions: list[Definition] = []
        self.suppressions: dict[int, Suppression] = {}
        self.defined: list[str] = []
        self.fallback = 0  # inside `except` handlers: their bindings only stand in for the `try`'s

    def snippet(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 1)
        end = getattr(node, "end_lineno", line) or line
        text = " ".join(s.strip() for s in self.lines[line - 1:min(end, line + 2)])
        return text[:200]

    def at(self, node: ast.AST, detail: str = "", snippet: str | None = None) -> Occurrence:
        line, column = getattr(node, "lineno", 1), getattr(node, "col_offset", 0)
        end_col = getattr(node, "end_col_offset", None)
        return Occurrence(line, column + 1, getattr(node, "end_lineno", None) or line,
                          (end_col if end_col is not None else column) + 1,
                          self.snippet(node) if snippet is None else snippet, detail)

    def resolve_relative(self, module: str | None, level: int) -> str:
        package = self.module.split(".") if self.is_package else self.module.split(".")[:-1]
        base = package[: len(package) - (level - 1)] if level > 1 else package
        return ".".join([*base, module] if module else base)

    def qualify(self, node: ast.AST) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if head in self.aliases:
            return self.aliases[head] + (f".{rest}" if rest else "")
        return dotted

    def run(self, tree: ast.Module) -> FileFacts:
        if b"canon:" in self.data:
            self._suppressions()
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                self.defined.append(node.name)
            elif isinstance(node, ast.Assign):
                self.defined.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        self._statements(tree.body, scope=[])
        data = self.data
        env = any(word in data for word in _ENV_WORDS)
        runs = b"pytest" in data or b"unittest" in data or b"py.test" in data
        marks = b"mark" in data
        if env or runs or marks:  # one expression-level walk for all three
            call, attribute, name = ast.Call, ast.Attribute, ast.Name
            for node in ast.walk(tree):
                kind = type(node)
                if kind is call:
                    if env:
                        self._env(node)
                    if runs and not self._in_main(node.lineno) and self._runs_tests(node):
                        self.bypasses.append(self.at(node, "call"))
                elif kind is attribute:
                    if env:
                        self._env(node)
                    if marks:
                        self._markers(node)
                elif kind is name and env:
                    self._env(node)
        return FileFacts(self.module, self.aliases, tuple(self.classes), tuple(self.env),
                         tuple(self.relative_imports), tuple(self.mock_imports), tuple(self.mocker_uses),
                         tuple(self.bypasses), tuple(name for name, _ in self.marker_lines),
                         tuple(self.marker_lines), tuple(self.definitions), self.suppressions,
                         tuple(self.defined))

    def _in_main(self, line: int) -> bool:
        return any(start <= line <= end for start, end in self.main_blocks)

    def _statements(self, body: list[ast.stmt], scope: list[str]) -> None:
        for node in body:
            if isinstance(node, ast.Import):
                self._import(node)
            elif isinstance(node, ast.ImportFrom):
                self._import_from(node)
            elif isinstance(node, ast.ClassDef):
                self._class(node, scope)
                self._statements(node.body, [*scope, node.name])
                continue
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._function(node, scope)
                self._statements(node.body, [*scope, node.name])
                continue
            elif isinstance(node, ast.Assign) and not scope and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name) \
                    and isinstance(node.value, (ast.Name, ast.Attribute)):
                # `BaseTestCase = SSotBaseTestCase`: a module-level alias, resolved like an import
                dotted = _dotted(node.value)
                if dotted:
                    head, _, rest = dotted.partition(".")
                    target = self.aliases[head] + (f".{rest}" if rest else "") if head in self.aliases \
                        else f"{self.module}.{dotted}"
                    self.bind(node.targets[0].id, target)
            elif isinstance(node, ast.If) and is_main_guard(node.test):
                self.main_blocks.append((node.lineno, node.end_lineno or node.lineno))
                if any(isinstance(c, ast.Call) and self._runs_tests(c) for c in ast.walk(node)):
                    self.bypasses.append(self.at(node, "main-block"))
            elif isinstance(node, ast.ExceptHandler):
                self.fallback += 1
                self._statements(node.body, scope)
                self.fallback -= 1
                continue
            for block in _STATEMENT_BLOCKS:
                children = getattr(node, block, None)
                if children:
                    self._statements(children, scope)

    def bind(self, name: str, target: str) -> None:
        """`name` now stands for `target`; in an `except` handler only when the `try` bound nothing:
        `try: from pkg import Base` / `except ImportError: Base = object` means `pkg.Base`, as the
        project runs it (a fallback is what runs where the import fails)."""
        if self.fallback and name in self.aliases:
            return
        self.aliases[name] = target

    def _import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.asname:
                self.bind(alias.asname, alias.name)
            else:
                head = alias.name.split(".")[0]
                self.bind(head, head)
            if alias.name in MOCK_MODULES:
                self.mock_imports.append(self.at(node))

    def _import_from(self, node: ast.ImportFrom) -> None:
        source = self.resolve_relative(node.module, node.level) if node.level else (node.module or "")
        for alias in node.names:
            if alias.name != "*":
                self.bind(alias.asname or alias.name, f"{source}.{alias.name}")
        if node.level:
            self.relative_imports.append(self.at(node, source))
        if source in MOCK_MODULES or (source == "unittest" and any(a.name == "mock" for a in node.names)):
            self.mock_imports.append(self.at(node))

    def _suppressions(self) -> None:
        try:
            tokens = tokenize.generate_tokens(io.StringIO("\n".join(self.lines) + "\n").readline)
            for token in tokens:
                if token.type == tokenize.COMMENT:
                    match = _SUPPRESSION.search(token.string)
                    if match:
                        codes = [c.strip() for c in match.group(1).split(",") if c.strip()]
                        self.suppressions[token.start[0]] = Suppression(tuple(codes), match.group(2).strip())
        except (tokenize.TokenError, SyntaxError):
            pass

    def _runs_tests(self, call: ast.Call) -> bool:
        name = self.qualify(call.func) or ""
        if name in PYTEST_MAIN:
            return not RUNS_NO_TEST & set(_literal_words(call))
        if name in UNITTEST_MAIN:
            return True
        if name in SUBPROCESS_CALLS or name.endswith(".run") and name.split(".")[-2] == "session":
            return _command_runs_pytest(call)
        return False

    def _env(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute):
            if node.attr == "environ" and self.qualify(node) == "os.environ":
                self.env.append(self.at(node, "os.environ"))
        elif isinstance(node, ast.Name):
            if self.aliases.get(node.id) == "os.environ" and isinstance(node.ctx, ast.Load):
                self.env.append(self.at(node, "os.environ"))
        elif isinstance(node, ast.Call):
            func = node.func
            name = self.qualify(func) or ""
            if name in ENV_FUNCTIONS:
                self.env.append(self.at(node, name))
            elif isinstance(func, ast.Attribute) and func.attr in ("setenv", "delenv") \
                    and _dotted(func.value) in ("monkeypatch", "mp"):
                self.env.append(self.at(node, f"monkeypatch.{func.attr}"))
            elif name in PATCH_DICT and node.args and isinstance(node.args[0], ast.Constant) \
                    and node.args[0].value == "os.environ":  # patch.dict("os.environ", ...) names it as text
                self.env.append(self.at(node, "os.environ"))

    def _markers(self, node: ast.AST) -> None:
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "mark":
            dotted = self.qualify(node) or ""
            if dotted.startswith("pytest.mark.") and dotted.count(".") == 2:
                self.marker_lines.append((dotted.rsplit(".", 1)[1], node.lineno))

    def _class(self, node: ast.ClassDef, scope: list[str]) -> None:
        methods = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        bases = []
        for base in node.bases:
            dotted = _dotted(base)
            bases.append(dotted if dotted is not None else ast.unparse(base))
        self.classes.append(ClassFacts(
            name=node.name, qualname=".".join([*scope, node.name]), line=node.lineno,
            first_line=min([node.lineno, *(d.lineno for d in node.decorator_list)]),
            end_line=node.end_lineno or node.lineno, column=node.col_offset + 1, bases=tuple(bases),
            tests=tuple(m.name for m in methods if m.name.startswith("test")),
            async_tests=tuple(m.name for m in methods if m.name.startswith("test")
                              and isinstance(m, ast.AsyncFunctionDef)),
            has_init=any(m.name == "__init__" for m in methods),
            not_collected=any(isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__test__"
                                                                for t in n.targets)
                              and isinstance(n.value, ast.Constant) and not n.value.value for n in node.body),
            methods=tuple(m.name for m in methods),
            snippet=f"class {node.name}({', '.join(bases)})",
            nested=bool(scope),
        ))
        self._shape("class", node, scope, fixture=False)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: list[str]) -> None:
        fixture = any((self.qualify(d.func if isinstance(d, ast.Call) else d) or "")
                      in ("pytest.fixture", "pytest_asyncio.fixture") for d in node.decorator_list)
        if any(arg.arg == "mocker" for arg in node.args.args):
            self.mocker_uses.append(self.at(node, snippet=f"def {node.name}(... mocker ...)"))
        self._shape("function", node, scope, fixture=fixture)

    def _shape(self, kind: str, node: ast.AST, scope: list[str], *, fixture: bool) -> None:
        if not self.shapes:
            return
        size = (node.end_lineno or node.lineno) - node.lineno + 1  # type: ignore[attr-defined]
        if size >= MIN_DUPLICATE_LINES or fixture:
            name, line = getattr(node, "name", ""), getattr(node, "lineno", 1)
            self.definitions.append(Definition(kind, ".".join([*scope, name]), line, size,
                                               _behaviour_hash(node), fixture, _statements(node)))


def is_main_guard(test: ast.AST) -> bool:
    """`__name__ == "__main__"`, either way round."""
    if not (isinstance(test, ast.Compare) and len(test.comparators) == 1 and isinstance(test.ops[0], ast.Eq)):
        return False
    sides = (test.left, test.comparators[0])
    return (any(isinstance(side, ast.Name) and side.id == "__name__" for side in sides)
            and any(isinstance(side, ast.Constant) and side.value == "__main__" for side in sides))


def _command_runs_pytest(call: ast.Call) -> bool:
    """A subprocess-style call whose command (a string, a list, or *args) runs pytest."""
    words = _literal_words(call)
    if not words:
        return False
    text = " ".join(words)
    return bool(_PYTEST_WORD.search(f" {text} ")) and not RUNS_NO_TEST & set(text.split())


def _literal_words(call: ast.Call) -> list[str]:
    """The string literals of a call's first argument that has any (a command or an argv list)."""
    words: list[str] = []
    for arg in call.args:
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            words.append(arg.value)
        elif isinstance(arg, (ast.List, ast.Tuple)):
            words.extend(e.value for e in arg.elts
                         if isinstance(e, ast.Constant) and isinstance(e.value, str))
        if words:
            break
    return words
