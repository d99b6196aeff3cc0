"""CANON602's codemod: a fixture defined alike in several conftest files moves to one.

The duplicates are CANON602's clusters (one name, identical behaviour up to the names they bind
themselves, decorator arguments included). One copy goes to the conftest of the folder that
holds them all (the nearest common conftest, which must exist), the copies go, and every test
that used a copy gets that one. Only when that is exact:

- each copy is a module-level function of its conftest, and every other name it uses is bound
  there by the same absolute import (added to the common conftest when it lacks it; a name
  bound there otherwise, a helper defined beside the fixture, a relative import: left);
- no conftest between the common folder and a copy's folder defines the name (it would shadow
  the moved one), the common conftest does not define it already, and no file under the common
  folder outside the copies' folders names it (a test there may be asking for a plugin's fixture
  of that name, which the moved one would override).

What is left is reported with why. The changes are proven like every codemod (`prove.py`: the
tests under those conftests, by outcomes or collection).
"""

from __future__ import annotations

import ast
import builtins
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from testcanon.config import Project
from testcanon.findings import Finding
from testcanon.migrate.common import module_bindings

__all__ = ["FixtureMove", "plan_fixture_moves"]

_BUILTINS = frozenset(dir(builtins))


@dataclass(frozen=True)
class FixtureMove:
    """One consolidation: the new text of each file it touches, and what it did."""

    name: str
    target: str  # the common conftest
    texts: dict[str, bytes]  # relpath -> new bytes (the copies without it, the target with it)
    note: str


def plan_fixture_moves(project: Project, findings: list[Finding],
                       read: dict[str, bytes]) -> tuple[list[FixtureMove], list[str]]:
    """The exact moves among CANON602's findings, and why each other cluster is left.

    `read` maps relpath -> the bytes other codemods already planned (else the file is read)."""
    clusters: dict[tuple[str, ...], str] = {}
    for finding in findings:
        if finding.code == "CANON602":
            members = tuple(sorted(str(m).rsplit(":", 1)[0] for m in (finding.data or {}).get("cluster", [])))
            clusters[members] = finding.snippet.split(" ", 1)[-1]
    texts = dict(read)

    def text_of(relpath: str) -> bytes | None:
        if relpath not in texts:
            try:
                texts[relpath] = (project.root / relpath).read_bytes()
            except OSError:
                return None
        return texts[relpath]

    moves: list[FixtureMove] = []
    left: list[str] = []
    for members, name in sorted(clusters.items()):
        planned = _plan_one(project, name, list(members), text_of)
        if isinstance(planned, str):
            left.append(f"fixture `{name}` in {', '.join(members)}: left as is: {planned}")
            continue
        texts.update(planned.texts)
        moves.append(planned)
    return moves, left


def _plan_one(project: Project, name: str, members: list[str], text_of) -> FixtureMove | str:
    folders = [PurePosixPath(m).parent for m in members]
    common = _common_folder(folders)
    target = (common / "conftest.py").as_posix() if str(common) != "." else "conftest.py"
    target_text = text_of(target)
    if target_text is None:
        return f"no conftest.py in {common}/ (the folder that holds every copy) to hold it: create one"
    trees: dict[str, ast.Module] = {}
    for relpath in {*members, target}:
        data = text_of(relpath)
        try:
            trees[relpath] = ast.parse(data or b"")
        except SyntaxError:
            return f"{relpath} does not compile"
    definitions = {m: _top_level_function(trees[m], name) for m in members}
    if any(d is None for d in definitions.values()):
        return "a copy is not a module-level function of its conftest"
    if target not in members and _top_level_function(trees[target], name) is not None:
        return f"{target} defines `{name}` already, differently"
    first = members[0]
    node = definitions[first]
    assert node is not None
    imports: dict[str, str] = {}  # name -> the import statement that binds it
    for used in sorted(_free_names(node)):
        statements = {m: _import_binding(trees[m], used) for m in members}
        if len(set(statements.values())) != 1 or None in statements.values():
            where = next(m for m, s in statements.items() if s is None or s != statements[first])
            return (f"it uses `{used}`, which {where} does not bind by the same absolute import "
                    "(a helper beside the fixture, or another import): move it by hand")
        bound = _import_binding(trees[target], used)
        if bound is None and used in module_bindings(trees[target]):
            return f"{target} binds `{used}` otherwise"
        if bound is None:
            imports[used] = statements[first] or ""
    blocker = _shadowing(project, name, members, common, text_of)
    if blocker is not None:
        return blocker
    source = text_of(first) or b""
    definition = _segment(source, node)
    result: dict[str, bytes] = {}
    for member in members:
        if member != target:
            result[member] = _without(text_of(member) or b"", definitions[member])
    if target not in members:
        lines = sorted(set(imports.values()))
        head = _with_imports(target_text, [line.encode() for line in lines]).rstrip(b"\n")
        result[target] = head + b"\n\n\n" + definition + b"\n"
    moved = len([m for m in members if m != target])
    return FixtureMove(name, target, result,
                       f"fixture `{name}` consolidated into {target} ({moved} copy(ies) removed)")


def _common_folder(folders: list[PurePosixPath]) -> PurePosixPath:
    parts = [f.parts for f in folders]
    common: list[str] = []
    for level in zip(*parts, strict=False):
        if len(set(level)) != 1:
            break
        common.append(level[0])
    return PurePosixPath(*common) if common else PurePosixPath(".")


def _top_level_function(tree: ast.Module, name: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    return next((n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                 and n.name == name), None)


def _free_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Names the definition (decorators included) reads that it does not bind itself."""
    bound = {a.arg for a in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)}
    bound |= {a.arg for a in (node.args.vararg, node.args.kwarg) if a is not None}
    loaded: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            (loaded if isinstance(child.ctx, ast.Load) else bound).add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and child is not node:
            bound.add(child.name)
        elif isinstance(child, ast.alias):
            bound.add((child.asname or child.name).split(".")[0])
        elif isinstance(child, ast.ExceptHandler) and child.name:
            bound.add(child.name)
        elif isinstance(child, ast.arg):
            bound.add(child.arg)
    return loaded - bound - _BUILTINS


def _import_binding(tree: ast.Module, name: str) -> str | None:
    """The module-level absolute import statement binding `name`, as one line of its own."""
    for node in tree.body:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (alias.asname or alias.name.split(".")[0]) == name:
                    return f"import {alias.name}" + (f" as {alias.asname}" if alias.asname else "")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return f"from {node.module} import {alias.name}" + (
                        f" as {alias.asname}" if alias.asname else "")
    return None


def _shadowing(project: Project, name: str, members: list[str], common: PurePosixPath,
               text_of) -> str | None:
    word = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    member_folders = {PurePosixPath(m).parent for m in members}
    base = project.root / common
    for path in sorted(base.rglob("*.py")):
        relpath = path.relative_to(project.root).as_posix()
        if any(part.startswith(".") or part in ("node_modules", "__pycache__") for part in path.parts):
            continue
        folder = PurePosixPath(relpath).parent
        inside = any(folder == f or f in folder.parents for f in member_folders)
        if relpath in members or (relpath == (common / "conftest.py").as_posix()):
            continue
        data = text_of(relpath) or b""
        if not word.search(data):
            continue
        if path.name == "conftest.py" and any(f == folder or folder in f.parents for f in member_folders) \
                and folder != common:
            return f"{relpath}, between {common}/ and a copy, uses or defines `{name}` too"
        if not inside:
            return f"{relpath} names `{name}` outside the copies' folders: it would get the moved fixture"
    return None


def _segment(source: bytes, node: ast.FunctionDef | ast.AsyncFunctionDef) -> bytes:
    lines = source.splitlines(keepends=True)
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    return b"".join(lines[start:node.end_lineno]).rstrip(b"\n")


def _without(source: bytes, node: ast.FunctionDef | ast.AsyncFunctionDef | None) -> bytes:
    assert node is not None
    lines = source.splitlines(keepends=True)
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
    end = node.end_lineno or node.lineno
    while end < len(lines) and not lines[end].strip():  # the blank lines that followed it
        end += 1
    kept = lines[:start] + lines[end:]
    return b"".join(kept).rstrip(b"\n") + b"\n"


def _with_imports(text: bytes, imports: list[bytes]) -> bytes:
    """`text` with `imports` after its last module-level import (or at its top)."""
    if not imports:
        return text
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return b"\n".join(imports) + b"\n" + text
    last = max((n.end_lineno or n.lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))),
               default=0)
    if last == 0 and tree.body and isinstance(tree.body[0], ast.Expr) \
            and isinstance(getattr(tree.body[0], "value", None), ast.Constant):
        last = tree.body[0].end_lineno or 0  # after the module docstring
    lines = text.splitlines(keepends=True)
    if last and not lines[last - 1].endswith(b"\n"):
        lines[last - 1] += b"\n"
    block = b"".join(line + b"\n" for line in imports)
    return b"".join(lines[:last]) + block + b"".join(lines[last:])
