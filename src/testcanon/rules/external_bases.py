"""Bases from outside the repository, resolved like an IDE does: by reading source, never importing.

The standard library is known by name (`sys.stdlib_module_names`): only `unittest`'s test cases
are unittest-style; `abc.ABC`, `typing.Protocol`, `typing.Generic`, `object` and every other
stdlib class are plain. An installed third-party base (aiohttp's `AioHTTPTestCase`,
`django.test.TestCase`) is found in the target environment's site-packages: its module file is
parsed and its own bases followed (through `from x import y` and `import x` re-exports) until
they reach the standard library.
"""

from __future__ import annotations

import ast
import sys
from functools import lru_cache
from pathlib import Path

UNITTEST = "unittest"
PLAIN = "plain"
_UNITTEST_CLASSES = {"TestCase", "IsolatedAsyncioTestCase", "FunctionTestCase"}


class ExternalBases:
    """`style(qualified)`: "unittest", "plain", or None (not found: unresolved)."""

    def __init__(self, site_packages: tuple[Path, ...]) -> None:
        self.site_packages = site_packages
        self._memo: dict[str, str | None] = {}

    def style(self, qualified: str, depth: int = 0) -> str | None:
        if qualified in self._memo:
            return self._memo[qualified]
        self._memo[qualified] = None  # a cycle resolves to "not found"
        result = self._style(qualified, depth)
        self._memo[qualified] = result
        return result

    def _style(self, qualified: str, depth: int) -> str | None:
        top = qualified.split(".")[0]
        if top in sys.stdlib_module_names or top == "builtins":
            if top == "unittest" and qualified.rsplit(".", 1)[-1] in _UNITTEST_CLASSES:
                return UNITTEST
            return PLAIN
        if depth > 12:
            return None
        module, _, name = qualified.rpartition(".")
        while module:
            path = self._find(module)
            if path is not None:
                tree = _parse(path)
                if tree is None:
                    return None
                return self._in_module(tree, module, name, path.name == "__init__.py", depth)
            module, _, head = module.rpartition(".")
            name = f"{head}.{name}"
        return None

    def _in_module(self, tree: ast.Module, module: str, name: str, package: bool, depth: int) -> str | None:
        head, _, rest = name.partition(".")
        imported = _imports(tree, module, package)
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == head and not rest:
                styles = []
                for base in node.bases:
                    text = _dotted(base)
                    if not text:
                        continue
                    first, _, tail = text.partition(".")
                    target = imported.get(first, f"{module}.{first}")
                    styles.append(self.style(f"{target}.{tail}" if tail else target, depth + 1))
                if UNITTEST in styles:
                    return UNITTEST
                return PLAIN if all(s == PLAIN for s in styles) else None
        if head in imported:
            target = imported[head]
            return self.style(f"{target}.{rest}" if rest else target, depth + 1)
        for star in _star_imports(tree, module, package):
            found = self.style(f"{star}.{name}", depth + 1)
            if found is not None:
                return found
        return None

    def _find(self, module: str) -> Path | None:
        relative = Path(*module.split("."))
        for root in self.site_packages:
            for candidate in (root / relative.with_suffix(".py"), root / relative / "__init__.py",
                              root / relative.with_suffix(".pyi"), root / relative / "__init__.pyi"):
                if candidate.is_file():
                    return candidate
        return None


@lru_cache(maxsize=512)
def _parse(path: Path) -> ast.Module | None:
    try:
        return ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None


def _imports(tree: ast.Module, module: str, package: bool) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                head = alias.name.split(".")[0]
                names[alias.asname or head] = alias.name if alias.asname else head
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, package)
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{source}.{alias.name}"
    return names


def _star_imports(tree: ast.Module, module: str, package: bool) -> list[str]:
    return [_absolute(node, module, package) for node in tree.body
            if isinstance(node, ast.ImportFrom) and any(a.name == "*" for a in node.names)]


def _absolute(node: ast.ImportFrom, module: str, package: bool) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    keep = len(parts) - node.level + (1 if package else 0)
    base = ".".join(parts[:max(keep, 0)])
    return f"{base}.{node.module}" if node.module else base


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    if isinstance(node, ast.Subscript):  # Generic[T], Protocol[T]
        return _dotted(node.value)
    return ""


def site_packages_of(executable: str) -> tuple[Path, ...]:
    """The site-packages folders of the environment `executable` belongs to, found on disk
    (the interpreter is not run: its `.pth` files would execute)."""
    exe = Path(executable)
    roots: list[Path] = []
    for env in (exe.parent.parent, Path(sys.prefix)):
        roots += sorted(env.glob("lib/python3*/site-packages")) + sorted(env.glob("Lib/site-packages"))
        config = env / "pyvenv.cfg"
        if config.is_file() and "include-system-site-packages = true" in config.read_text(errors="replace"):
            roots += sorted(Path(sys.base_prefix).glob("lib/python3*/site-packages"))
        break  # the target's own environment only; testcanon's is not the project's
    return tuple(dict.fromkeys(r for r in roots if r.is_dir()))


def target_site_packages(root: Path, config: str = "") -> tuple[Path, ...]:
    """The site-packages of the project's target environment (`testcanon.target`'s order:
    config, $VIRTUAL_ENV, the project's venv; else testcanon's own), without running it."""
    from testcanon.target.python import locate_interpreter

    try:
        executable = locate_interpreter(root, config=config)
        if executable is not None:
            return site_packages_of(str(executable))
    except (OSError, ValueError):
        pass
    return site_packages_of(sys.executable)
