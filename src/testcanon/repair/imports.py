"""Plan repairs of imports that break collection: a name or a module that moved in the repository.

pytest reports an import-time failure as `ImportError: cannot import name 'X' from 'a.b'` or
`ModuleNotFoundError: No module named 'a.b'`. When the repository still has what was imported,
under another module, the import is rewritten to its current home:

- a name: the one module that defines it at module level today (several: not a copy in a
  `backups/`-like folder, not a test module, then the one sharing the longest dotted prefix with
  the old module; among equals, the package whose `__init__` holds all the others, its public
  name; else the one the repository's own files import it from most; else ambiguous and left);
- a module: where git's rename history says the file went, else the one module of the same
  last name that defines every name imported from it.

A module that is not the repository's own is a third-party package missing from the
environment: reported with the requirement to add, never installed. Not when Python's own
message says the package is there (`cannot import name 'X' from 'pkg.mod'`, `No module named
'pkg.sub'` name an installed `pkg`): that is a version the test does not match. A bare module
that is a file of the repository (`test_helpers` beside the tests) is the repository's, not
on the path where the test ran (pytest's rootdir, import mode or a conftest's sys.path). Everything here is
planning (pure, static: nothing is imported); the caller verifies each rewrite by collection.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from testcanon.source.copies import copy_folder

CANNOT_IMPORT = re.compile(r"ImportError: cannot import name '(?P<name>[\w.]+)' from '(?P<module>[\w.]+)'")
NO_MODULE = re.compile(r"ModuleNotFoundError: No module named '(?P<module>[\w.]+)'")


@dataclass(frozen=True)
class ImportMove:
    """One import to rewrite: `module` as written at `path:line` becomes `new_module`."""

    path: str
    line: int
    module: str
    name: str | None  # the one name that moved; None when the whole module did
    new_module: str
    evidence: str

    def describe(self) -> str:
        what = f"'{self.name}' from '{self.module}'" if self.name else f"'{self.module}'"
        return f"{self.path}:{self.line}: import {what} -> '{self.new_module}' ({self.evidence})"


@dataclass(frozen=True)
class Unrepaired:
    """A collection failure left as it is, with why: `kind` is stable, `detail` for people."""

    # third-party-missing, third-party-version, not-on-path, module-deleted, name-deleted,
    # ambiguous, no-import-site
    kind: str
    detail: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class Failure:
    """What `canon collect` knows of one file that failed: its cause and the import chain."""

    path: str
    cause: str
    chain: tuple[str, ...] = ()  # "relpath:line", outermost first


def module_name(relpath: str) -> str:
    parts = relpath[:-3].split("/") if relpath.endswith(".py") else relpath.split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


class ModuleIndex:
    """Which repository module defines which names at module level.

    Built from every file's names, or lazily: from the list of files, a function that reads one
    file's names, and one that narrows a name to the files whose text mentions it (a repository
    of 25,000 modules is not parsed to find the home of one name)."""

    def __init__(self, defined_by_path: Mapping[str, Iterable[str]] | None = None, *,
                 files: Iterable[str] = (), names_in: Callable[[str], Iterable[str]] | None = None,
                 mentioning: Callable[[str], Iterable[str]] | None = None,
                 imports_in: Callable[[str], Iterable[tuple[str, str]]] | None = None) -> None:
        self.paths: dict[str, str] = {}
        self._defined: dict[str, set[str]] = {}
        self._names_in = names_in
        self._mentioning = mentioning
        self._mentioned: dict[str, tuple[str, ...]] = {}
        self._imports_in = imports_in  # a file's `from M import N` statements as (M, N), relative resolved
        listed = list(defined_by_path or ()) + list(files)
        for relpath in listed:
            for module in _importable_names(module_name(relpath)):
                self.paths.setdefault(module, relpath)
        for relpath, names in (defined_by_path or {}).items():
            for module in _importable_names(module_name(relpath)):
                self._defined.setdefault(module, set()).update(names)
        self.tops = {module.split(".")[0] for module in self.paths}
        # a file's or a folder's own name, importable as a top-level module from the folder above
        # it (pytest's prepend and append import modes put a test's folder on sys.path; conftests
        # add folders)
        self.by_basename: dict[str, str] = {}
        for relpath in listed:
            parts = module_name(relpath).split(".")
            for depth in range(1, len(parts)):
                self.by_basename.setdefault(parts[depth], "/".join(relpath.split("/")[:depth + 1]))

    def defined_in(self, module: str) -> set[str]:
        if module not in self._defined:
            relpath = self.paths.get(module)
            self._defined[module] = set(self._names_in(relpath)) if relpath and self._names_in else set()
        return self._defined[module]

    def is_first_party(self, module: str) -> bool:
        return module.split(".")[0] in self.tops

    def homes_of(self, name: str, old: str) -> list[str]:
        """Modules that define `name`, best first: copies (backups, archives) last, then test
        modules, then by shared prefix with `old`."""
        if self._mentioning is not None:
            near = set(self._files_mentioning(name))
            modules = [m for m, relpath in self.paths.items() if relpath in near]
        else:
            modules = list(self.paths)
        found = [m for m in modules if m != old and name in self.defined_in(m)]
        return sorted(found, key=lambda m: (copy_folder(self.paths[m]) is not None,
                                            is_test_module(self.paths[m]), -_shared_prefix(m, old), m))

    def _files_mentioning(self, name: str) -> tuple[str, ...]:
        """The files whose text holds `name` (a search of the whole tree: asked once per name)."""
        if name not in self._mentioned:
            assert self._mentioning is not None
            self._mentioned[name] = tuple(self._mentioning(name))
        return self._mentioned[name]

    def importers(self, name: str, modules: Iterable[str]) -> Counter[str]:
        """How many of the repository's files (copies such as `backups/` aside) import `name`
        from each of `modules`: where the code that still runs gets it."""
        wanted = set(modules)
        counts: Counter[str] = Counter()
        if self._imports_in is None:
            return counts
        files = self._files_mentioning(name) if self._mentioning is not None else self.paths.values()
        for relpath in sorted(set(files)):
            if copy_folder(relpath) is None:
                counts.update(module for module, imported in self._imports_in(relpath)
                              if imported == name and module in wanted)
        return counts


def from_imports(source: bytes, relpath: str) -> list[tuple[str, str]]:
    """(module, name) of each `from module import name` in `source`, relative imports resolved
    against `relpath`'s package (parsed, never imported)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return []
    package = module_name(relpath).split(".")
    if not relpath.endswith("__init__.py"):
        package = package[:-1]
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.ImportFrom):
            continue
        base = package[:len(package) - node.level + 1] if node.level else []
        if node.level and len(base) != len(package) - node.level + 1:
            continue  # above the top of the repository
        module = ".".join([*base, *([node.module] if node.module else [])])
        found += [(module, alias.name) for alias in node.names]
    return found


def _importable_names(module: str) -> list[str]:
    names = [module]
    head, _, rest = module.partition(".")
    if head in ("src", "lib") and rest:
        names.append(rest)
    return names


def is_test_module(relpath: str) -> bool:
    name = relpath.rsplit("/", 1)[-1]
    return name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"


def _shared_prefix(a: str, b: str) -> int:
    count = 0
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x != y:
            break
        count += 1
    return count


RenameLookup = Callable[[str], "str | None"]  # old relpath -> new relpath, from git's history


def plan_moves(failures: Iterable[Failure], index: ModuleIndex, read: Callable[[str], bytes | None],
               renamed: RenameLookup) -> tuple[list[ImportMove], list[Unrepaired]]:
    """The import rewrites that would answer each failure, and the failures none answers."""
    moves: dict[tuple[str, int, str | None], ImportMove] = {}
    left: dict[tuple[str, str], list[str]] = {}
    for failure in failures:
        planned = _plan_one(failure, index, read, renamed)
        if isinstance(planned, ImportMove):
            moves.setdefault((planned.path, planned.line, planned.name), planned)
        elif planned is not None:
            left.setdefault((planned.kind, planned.detail), []).append(failure.path)
    unrepaired = [Unrepaired(kind, detail, tuple(sorted(set(files))))
                  for (kind, detail), files in left.items()]
    unrepaired.sort(key=lambda u: (-len(u.files), u.kind, u.detail))
    return sorted(moves.values(), key=lambda m: (m.path, m.line)), unrepaired


def _plan_one(failure: Failure, index: ModuleIndex, read: Callable[[str], bytes | None],
              renamed: RenameLookup) -> ImportMove | Unrepaired | None:
    cannot = CANNOT_IMPORT.search(failure.cause)
    missing = NO_MODULE.search(failure.cause)
    if cannot is None and missing is None:
        return None
    module = (cannot or missing).group("module")  # type: ignore[union-attr]
    if not index.is_first_party(module):
        top = module.split(".")[0]
        if top in index.by_basename:
            return Unrepaired("not-on-path", f"'{top}' is the repository's {index.by_basename[top]}, "
                              "not importable where the test runs (pytest's rootdir and import mode, "
                              "or a conftest's sys.path)", ())
        if cannot is not None or "." in module:  # Python found `top`: its version lacks this
            what = f"'{cannot.group('name')}' in '{module}'" if cannot else f"module '{module}'"
            return Unrepaired("third-party-version", f"the installed '{top}' has no {what}: the test "
                              "was written against another version of its package", ())
        return Unrepaired("third-party-missing", f"package providing '{top}' is not installed: add it to the "
                          f"project's test requirements (e.g. `{top}`)", ())
    site = _import_site(failure, module, cannot.group("name") if cannot else None, read)
    if site is None:
        return Unrepaired("no-import-site", f"no import of '{module}' found along the import chain", ())
    path, node = site
    if cannot is not None:
        name = cannot.group("name")
        homes = index.homes_of(name, module)
        if not homes:
            return Unrepaired("name-deleted",
                              f"'{name}' is defined nowhere in the repository (was in '{module}')", ())
        best = [h for h in homes if _rank(h, module, index) == _rank(homes[0], module, index)]
        evidence = f"defined in {index.paths[best[0]]}"
        if len(best) > 1:
            settled = _settle(name, best, index)
            if isinstance(settled, Unrepaired):
                return settled
            best, evidence = [settled[0]], settled[1]
        return ImportMove(path, node.lineno, module, name, best[0], evidence)
    assert isinstance(node, ast.ImportFrom) and node.module
    written = node.module  # `from a.b.c import X` fails as "No module named 'a.b'": a.b.c moves
    new = _moved_module(written, [alias.name for alias in node.names], index, renamed)
    if new is None:
        return Unrepaired("module-deleted",
                          f"module '{written}' no longer exists and nothing in the repository "
                          "or its history took its place", ())
    return ImportMove(path, node.lineno, written, None, new[0], new[1])


def _settle(name: str, homes: list[str], index: ModuleIndex) -> tuple[str, str] | Unrepaired:
    """One of several equally ranked homes of `name`, with why: the package holding all the
    others (its public name), else the one the repository's own files import it from most."""
    package = _enclosing_package(homes, index)
    if package is not None:
        return package, (f"defined in {index.paths[package]}, the package that holds every other module "
                         "defining it (its public name)")
    used = index.importers(name, homes).most_common()
    if not used or len(used) > 1 and used[0][1] == used[1][1]:
        counts = ", ".join(f"{home} ({dict(used).get(home, 0)} importer(s))" for home in homes[:4])
        return Unrepaired("ambiguous", f"'{name}' is defined in several modules, and the repository's "
                          f"own imports do not settle which: {counts}", ())
    others = "; ".join(f"{home}: {count}" for home, count in used[1:4])
    return used[0][0], (f"defined in {index.paths[used[0][0]]} and elsewhere; the repository imports it "
                        f"from there in {used[0][1]} file(s)" + (f" (elsewhere: {others})" if others else ""))


def _rank(home: str, old: str, index: ModuleIndex) -> tuple[bool, bool, int]:
    """Real code before copies of it (a `backups/` snapshot), code before tests, then nearest `old`."""
    relpath = index.paths[home]
    return copy_folder(relpath) is not None, is_test_module(relpath), -_shared_prefix(home, old)


def _enclosing_package(modules: list[str], index: ModuleIndex) -> str | None:
    """The one candidate that is a package (`__init__.py`) holding all the others, else None."""
    packages = [m for m in modules if index.paths[m].endswith("__init__.py")
                and all(other == m or other.startswith(m + ".") for other in modules)]
    return packages[0] if len(packages) == 1 else None


def _moved_module(module: str, names: list[str], index: ModuleIndex,
                  renamed: RenameLookup) -> tuple[str, str] | None:
    base = module.replace(".", "/")
    for prefix in ("", "src/"):
        for old in (f"{prefix}{base}.py", f"{prefix}{base}/__init__.py"):
            new = renamed(old)
            if new and new.endswith(".py"):
                candidate = _importable_names(module_name(new))[-1]
                if candidate in index.paths:
                    return candidate, f"git: {old} was renamed to {new}"
    wanted = set(names) - {"*"}
    last = module.rsplit(".", 1)[-1]
    same_name = [m for m in index.paths if m.rsplit(".", 1)[-1] == last and wanted <= index.defined_in(m)]
    same_name = sorted({m for m in same_name if not m.startswith(("src.", "lib."))})
    if len(same_name) == 1:
        return (same_name[0],
                f"the only module named '{last}' that defines {', '.join(sorted(wanted)) or 'it'}")
    return None


def _import_site(failure: Failure, module: str, name: str | None,
                 read: Callable[[str], bytes | None]) -> tuple[str, ast.ImportFrom] | None:
    """The `from ... import` statement that failed: the innermost repository frame of the chain
    whose line holds an import of `module`, else the first such import in the failing file."""
    frames = [(frame.rsplit(":", 1)[0], int(frame.rsplit(":", 1)[1])) for frame in failure.chain
              if frame.rsplit(":", 1)[-1].isdigit()]
    for path, line in [*reversed(frames), (failure.path, 0)]:
        source = read(path)
        if source is None:
            continue
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                continue
            if line and not node.lineno <= line <= (node.end_lineno or node.lineno):
                continue
            if name is not None and node.module == module and any(a.name == name for a in node.names):
                return path, node
            if name is None and (node.module == module or node.module.startswith(module + ".")):
                return path, node
    return None


def rewrite(source: bytes, moves: Iterable[ImportMove]) -> tuple[bytes, list[ImportMove]]:
    """`source` with each move applied to its `from ... import` statement, and the moves applied.

    A statement that shares a line with other code (`from a import b; c()`) or holds a comment
    inside its parentheses is left: rewriting its lines would change or drop more than the import."""
    text = source.decode("utf-8")
    lines = text.splitlines(keepends=True)
    tree = ast.parse(source)
    statements = {node.lineno: node for node in ast.walk(tree)
                  if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    applied: list[ImportMove] = []
    for move in sorted(moves, key=lambda m: -m.line):  # bottom up: earlier line numbers stay valid
        node = statements.get(move.line)
        if node is None or (move.name is None and node.module != move.module):
            continue
        start, end = node.lineno - 1, node.end_lineno or node.lineno
        indent = lines[start][: node.col_offset]
        rest = lines[end - 1].encode("utf-8")[node.end_col_offset or 0:].decode("utf-8", "replace")
        inside = "".join(lines[start:end])
        if indent.strip() or rest.strip() or "#" in inside:
            continue
        applied.append(move)
        ending = "\r\n" if lines[end - 1].endswith("\r\n") else "\n"
        names = [_alias(a) for a in node.names]
        if move.name is None:
            new = [f"{indent}from {move.new_module} import {', '.join(names)}{ending}"]
        else:
            kept = [_alias(a) for a in node.names if a.name != move.name]
            moved = [_alias(a) for a in node.names if a.name == move.name]
            new = [f"{indent}from {move.module} import {', '.join(kept)}{ending}"] if kept else []
            new.append(f"{indent}from {move.new_module} import {', '.join(moved)}{ending}")
        lines[start:end] = new
    return "".join(lines).encode("utf-8"), applied


def _alias(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname else alias.name
