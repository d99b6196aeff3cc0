"""`canon fix --resurrect`: bring lost tests back from the last version where they were live.

For each test a file has only as comments (CANON701), the file's history (git, across renames)
is walked newest first for the last version that *compiled* with that test live. The test's
definition is taken from that version verbatim, with what it needs that today's file no longer
has: module-level imports, fixtures, helper functions and constants (by the names it loads and
the parameters it asks for, transitively), and, for a method put back into a class that is still
live, the class attributes and fixture methods it uses. It is merged into today's file: the
commented copy is removed and the definition stands in its place (a method goes into its live
class), a placeholder test that stood in for it (CANON702) is removed, and nothing else in
today's file changes, so later legitimate edits survive. Without a version that holds it, a
commented test whose text parses is restored from the comment itself (`restored-from-comment`).

The result is verified before anything is written (`verify_resurrection`): it compiles, and the
test ids pytest's naming gives it are exactly today's plus the resurrected ones.

Why one module past 400 lines: merging a test back is one algorithm (its definition, then what
it needs, transitively, from the version it came from); the history it reads is `resurrect_history.py`.
"""

from __future__ import annotations

import ast
import builtins
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from testcanon.journal.planned import PlannedWrite
from testcanon.repair.resurrect_history import Version
from testcanon.repair.statements import first_line, imported_names
from testcanon.rules.lost.naming import DEFAULT, TestNaming
from testcanon.rules.lost.placeholders import find_skipped_tests
from testcanon.rules.lost.tombstones import CommentedTest, find_commented_tests, live_test_ids
from testcanon.syntax import check_source

_BUILTINS = frozenset(dir(builtins))
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@dataclass(frozen=True)
class Restored:
    """One resurrected test and where it came from."""

    test_id: str
    origin: str  # "history" or "restored-from-comment"
    commit: str = ""
    date: str = ""
    subject: str = ""

    def to_json(self) -> dict[str, str]:
        return {"test_id": self.test_id, "origin": self.origin, "commit": self.commit, "date": self.date,
                "subject": self.subject}


@dataclass
class Resurrection:
    """What resurrection made of one file (nothing is written here)."""

    path: str
    lost: list[str]
    restored: list[Restored] = field(default_factory=list)
    left: dict[str, str] = field(default_factory=dict)  # test id -> why it stays lost
    needed: list[str] = field(default_factory=list)  # names brought back with them
    original: bytes = b""
    fixed: bytes | None = None
    placeholders_removed: list[str] = field(default_factory=list)

    @property
    def write(self) -> PlannedWrite | None:
        """The merged file as the journal writes it (None: nothing to write)."""
        if self.fixed is None:
            return None
        return PlannedWrite(Path(self.path), self.original, self.fixed,
                            f"resurrected {len(self.restored)} lost test(s)")

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "lost": self.lost, "restored": [r.to_json() for r in self.restored],
                "left": self.left, "needed": self.needed, "placeholders_removed": self.placeholders_removed}


def _find(tree: ast.Module, test_id: str) -> tuple[ast.stmt, ast.ClassDef | None] | None:
    """The definition of `test_id` in a module tree, and the class it is in."""
    first, _, second = test_id.partition("::")
    for node in tree.body:
        if isinstance(node, _DEFS) and node.name == first:
            if not second:
                return node, None
            if isinstance(node, ast.ClassDef):
                for member in node.body:
                    if isinstance(member, _DEFS) and member.name == second:
                        return member, node
    return None


def _segment(lines: list[str], node: ast.stmt) -> list[str]:
    """The node's lines, decorators and all, as written."""
    start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
    return lines[start - 1:node.end_lineno]


def _reindent(block: list[str], indent: str) -> list[str]:
    body = textwrap.dedent("\n".join(block)).split("\n")
    return [indent + line if line.strip() else "" for line in body]


def _bound(statement: ast.stmt) -> set[str]:
    """Names a module-level statement binds."""
    if isinstance(statement, _DEFS):
        return {statement.name}
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return imported_names(statement)
    names: set[str] = set()
    targets = statement.targets if isinstance(statement, ast.Assign) else \
        [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else []
    for target in targets:
        names |= {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}
    if isinstance(statement, (ast.If, ast.Try)):
        for child in ast.walk(statement):
            if isinstance(child, ast.stmt) and child is not statement \
                    and not isinstance(child, (ast.If, ast.Try)):
                names |= _bound(child)
    return names


def _used(node: ast.AST) -> set[str]:
    """Names a definition loads, and the fixtures its functions ask for."""
    used: set[str] = set()
    for child in ast.walk(node):  # one walk: on the corpus this ran over every restored definition
        if isinstance(child, ast.Name):
            if isinstance(child.ctx, ast.Load):
                used.add(child.id)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
            used.update(a.arg for a in [*child.args.posonlyargs, *child.args.args, *child.args.kwonlyargs])
    return used


def _module_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for statement in tree.body:
        names |= _bound(statement)
    return names


def resurrect_text(relpath: str, current: bytes, versions: list[Version] | None, *,
                   naming: TestNaming = DEFAULT, replaced: Sequence[str] = (),
                   commented: Sequence[CommentedTest] | None = None) -> Resurrection:
    """Plan the resurrection of one file's lost tests from `versions` (newest first; None: no history).

    `replaced`: ids no comment keeps, lost when a placeholder replaced the file's tests
    (`replaced_by_placeholder`); they come back from history where the first placeholder stood.
    `commented`: `find_commented_tests` of this file when the caller has it (it is not read twice).
    """
    text = current.decode("utf-8", "replace")
    result = Resurrection(relpath, [], original=current)
    try:
        tree = ast.parse(current)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return result
    lost = list(find_commented_tests(text, tree, naming=naming) if commented is None else commented)
    kept = {t.test_id for t in lost}
    lost += [CommentedTest(test_id,
                           "class" if "::" not in test_id and naming.is_test_class(test_id) else "function",
                           0, 0, True, None) for test_id in replaced if test_id not in kept]
    result.lost = [t.test_id for t in lost]
    if not lost:
        return result
    lines = text.split("\n")
    deletions: set[int] = set()  # 0-based lines to drop
    inserts: dict[int, list[str]] = {}  # 0-based line -> lines inserted before it
    tail: list[str] = []  # appended at the end of the file
    top_blocks: list[tuple[Version | None, ast.stmt | None]] = []
    restored_ids: set[str] = set()
    owners = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    lost_classes = {t.test_id for t in lost if t.kind == "class"}
    needed_from: dict[int, tuple[Version, set[str]]] = {}  # id(version) -> names its blocks load

    stand_in = _placeholder_line(tree, naming)

    def place_module_level(test: CommentedTest, block: list[str]) -> None:
        at = test.line - 1 if test.line else stand_in
        if at is not None and (not test.line or _at_module_level(tree, lines, test)):
            inserts.setdefault(at, []).extend([*block, "", ""])
        else:
            tail.extend(["", "", *block])

    def place_in_class(owner: ast.ClassDef, block: list[str]) -> None:
        indent = " " * (owner.body[0].col_offset if owner.body else owner.col_offset + 4)
        end = owner.end_lineno or owner.lineno
        inserts.setdefault(end, []).extend(["", *_reindent(block, indent)])

    for test in lost:
        if test.test_id in restored_ids:
            continue
        class_name, _, method = test.test_id.partition("::")
        if method and class_name in lost_classes:
            continue  # comes back with its class, or stays lost with it
        source = _source_version(versions or [], test.test_id)
        if source is not None:
            version, node, _ = source
            block = _segment(version.lines, node)
            covered = {test.test_id}
            if isinstance(node, ast.ClassDef):
                covered |= {f"{node.name}::{m.name}" for m in node.body
                            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                            and naming.is_test_function(m.name)}
            if method:
                owner = owners.get(class_name)
                if owner is None:
                    result.left[test.test_id] = f"its class {class_name} is neither live nor lost as a whole"
                    continue
                then_class = source[2].name if source[2] is not None else class_name
                extra = _class_members_needed(version, then_class, node, owner)
                for member in extra:
                    place_in_class(owner, _segment(version.lines, member))
                place_in_class(owner, block)
            else:
                place_module_level(test, block)
            entry = needed_from.setdefault(id(version), (version, set()))
            entry[1].update(_used(node))
            for n in (_class_members_needed(version, source[2].name if source[2] else class_name, node,
                                            owners[class_name])
                      if method and class_name in owners else []):
                entry[1].update(_used(n))
            top_blocks.append((version, node))
            # A class comes back whole: its tests the comments no longer showed are lost tests too.
            for lost_id in sorted(covered - restored_ids, key=lambda i: (i != test.test_id, i)):
                result.restored.append(Restored(lost_id, "history", version.commit, version.date,
                                                version.subject))
                restored_ids.add(lost_id)
        elif test.source is not None:
            block = test.source.rstrip("\n").split("\n")
            if method:
                owner = owners.get(class_name)
                if owner is None:
                    result.left[test.test_id] = f"its class {class_name} is neither live nor lost as a whole"
                    continue
                place_in_class(owner, block)
            else:
                place_module_level(test, block)
            covered = {test.test_id}
            parsed = ast.parse(test.source).body[0]
            if isinstance(parsed, ast.ClassDef):
                covered |= {f"{parsed.name}::{m.name}" for m in parsed.body
                            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef))
                            and naming.is_test_function(m.name)}
            for lost_id in covered & set(result.lost):
                result.restored.append(Restored(lost_id, "restored-from-comment"))
                restored_ids.add(lost_id)
        else:
            result.left[test.test_id] = ("no compiling version holds it live and its "
                                         "commented text does not parse"
                                         if versions is not None else
                                         "no history, and its commented text does not parse")
            continue
        if test.line:  # (a test a placeholder replaced has no commented copy)
            deletions.update(range(test.line - 1, test.end_line))
        for other in lost:  # its methods' commented copies go with it
            if other.test_id.startswith(f"{test.test_id}::"):
                deletions.update(range(other.line - 1, other.end_line))
    for test in lost:  # a class that stays lost keeps its methods' comments, and they stay lost
        class_name, _, method = test.test_id.partition("::")
        if method and class_name in lost_classes and test.test_id not in restored_ids:
            result.left.setdefault(test.test_id, f"its class {class_name} could not be restored")
    if not result.restored:
        return result

    # What the restored definitions need that today's file no longer binds.
    present = _module_names(tree) | {_name_of(v, n) for v, n in top_blocks if n is not None} | _BUILTINS
    import_lines: list[str] = []
    helper_lines: list[str] = []
    for version, names in needed_from.values():
        imports, helpers, brought = _dependencies(version, names, present)
        present |= brought
        result.needed += sorted(brought)
        import_lines += imports
        for helper in helpers:
            helper_lines += ["", "", *_segment(version.lines, helper)]

    # Placeholders that stood in for the lost tests go.
    for skipped in find_skipped_tests(tree, has_tombstones=True, naming=naming):
        if skipped.kind != "placeholder":
            continue
        found = _find(tree, skipped.test_id)
        if found is None:
            continue
        node, owner = found
        if owner is not None and all(m is node or _trivial(m) for m in owner.body):
            node = owner
        deletions.update(range(first_line(node) - 1, node.end_lineno or node.lineno))
        result.placeholders_removed.append(skipped.test_id)

    anchor = _import_anchor(tree)
    if import_lines or helper_lines:
        inserts.setdefault(anchor, [])[0:0] = [*import_lines, *helper_lines, *([""] if helper_lines else [])]
    out: list[str] = []
    for index, line in enumerate(lines):
        out += inserts.get(index, [])
        if index not in deletions:
            out.append(line)
    out += inserts.get(len(lines), [])
    out += tail
    fixed = "\n".join(_squeeze_blank(out)).rstrip("\n") + "\n"
    result.fixed = fixed.encode("utf-8")
    return result


def _placeholder_line(tree: ast.Module, naming: TestNaming) -> int | None:
    """0-based line of the first module-level placeholder test: where the tests it replaced go."""
    for skipped in find_skipped_tests(tree, has_tombstones=True, naming=naming):
        if skipped.kind == "placeholder":
            found = _find(tree, skipped.test_id)
            if found is not None and found[1] is None:
                return first_line(found[0]) - 1
    return None


def _name_of(version: Version, node: ast.stmt) -> str:
    return getattr(node, "name", "")


def _trivial(node: ast.stmt) -> bool:
    return isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


def _squeeze_blank(lines: list[str]) -> list[str]:
    """At most two blank lines in a row (the edits may stack them)."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and len(out) >= 2 and not out[-1].strip() and not out[-2].strip():
            continue
        out.append(line)
    return out


def _at_module_level(tree: ast.Module, lines: list[str], test: CommentedTest) -> bool:
    """Whether a module-level definition can stand where the commented copy starts: outside every
    live top-level statement, and the next live line after the span starts at column 0."""
    start, end = test.line, test.end_line
    for node in tree.body:
        if first_line(node) <= start <= (node.end_lineno or node.lineno):
            return False
    for line in lines[end:]:
        if line.strip() and not line.lstrip().startswith("#"):
            return not line[:1].isspace()
    return True


def _import_anchor(tree: ast.Module) -> int:
    """0-based line after the module's leading docstring, `__future__` imports and imports."""
    anchor = 0
    for index, node in enumerate(tree.body):
        docstring = index == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if docstring or isinstance(node, (ast.Import, ast.ImportFrom)):
            anchor = node.end_lineno or anchor
        else:
            break
    return anchor


def _source_version(versions: list[Version],
                    test_id: str) -> tuple[Version, ast.stmt, ast.ClassDef | None] | None:
    """The newest version that holds `test_id`; for a method, failing that, the newest that holds a
    method of that name in exactly one test class (a script renamed the class since, e.g.
    `TestThreads` -> `ThreadsTests`)."""
    for version in versions:
        found = _find(version.tree, test_id)
        if found is not None:
            return version, found[0], found[1]
    owner, _, method = test_id.partition("::")
    if method:
        for version in versions:
            matches = [(member, node) for node in version.tree.body if isinstance(node, ast.ClassDef)
                       for member in node.body if isinstance(member, (ast.FunctionDef, ast.AsyncFunctionDef))
                       and member.name == method]
            if len(matches) == 1:
                return version, matches[0][0], matches[0][1]
    return None


def _class_members_needed(version: Version, class_name: str, method: ast.stmt,
                          owner_now: ast.ClassDef) -> list[ast.stmt]:
    """Members of the class in `version` the method uses (`self.x`, fixture parameters) that the
    live class lacks: attributes, fixture methods, helpers (transitively)."""
    found = _find(version.tree, class_name)
    if found is None or not isinstance(found[0], ast.ClassDef):
        return []
    then = found[0]
    have = set()
    for member in owner_now.body:
        have |= _bound(member)
    members = {name: member for member in then.body for name in _bound(member)}
    wanted: list[ast.stmt] = []
    queue = [method]
    while queue:
        node = queue.pop()
        names = {a.attr for a in ast.walk(node)
                 if isinstance(a, ast.Attribute) and isinstance(a.value, ast.Name)
                 and a.value.id in ("self", "cls", class_name)} | _used(node)
        for name in sorted(names):
            member = members.get(name)
            if member is not None and member is not method and name not in have and member not in wanted:
                wanted.append(member)
                queue.append(member)
    return sorted(wanted, key=lambda m: m.lineno)


def _dependencies(version: Version, names: set[str],
                  present: set[str]) -> tuple[list[str], list[ast.stmt], set[str]]:
    """Import lines and module-level statements of `version` that bind `names` today's file lacks,
    transitively, in the order `version` had them."""
    bindings: dict[str, ast.stmt] = {}
    for statement in version.tree.body:
        for name in _bound(statement):
            bindings.setdefault(name, statement)
    brought: set[str] = set()
    chosen: dict[int, tuple[ast.stmt, set[str]]] = {}
    queue = sorted(names - present)
    while queue:
        name = queue.pop()
        if name in brought or name in present:
            continue
        statement = bindings.get(name)
        if statement is None:
            continue  # a conftest fixture, or something pytest provides
        brought.add(name)
        entry = chosen.setdefault(id(statement), (statement, set()))
        entry[1].add(name)
        if not isinstance(statement, (ast.Import, ast.ImportFrom)):
            queue += sorted(_used(statement) - present - brought)
    imports: list[str] = []
    helpers: list[ast.stmt] = []
    for statement, wanted in sorted(chosen.values(), key=lambda e: e[0].lineno):
        if isinstance(statement, ast.Import):
            aliases = [a for a in statement.names if (a.asname or a.name).split(".")[0] in wanted]
            imports.append(ast.unparse(ast.Import(names=aliases)))
        elif isinstance(statement, ast.ImportFrom):
            aliases = [a for a in statement.names if (a.asname or a.name) in wanted]
            imports.append(ast.unparse(ast.ImportFrom(module=statement.module, names=aliases,
                                                      level=statement.level)))
        else:
            helpers.append(statement)
    return imports, helpers, brought


def verify_resurrection(result: Resurrection, *, naming: TestNaming = DEFAULT) -> str | None:
    """Why the planned file must not be written, or None: it compiles, and its test ids are exactly
    today's plus the resurrected ones."""
    if result.fixed is None:
        return "nothing to write"
    error = check_source(result.fixed)
    if error is not None:
        return f"the merged file does not compile: {error.message} (line {error.line})"
    after = live_test_ids(ast.parse(result.fixed), naming)  # (each file parsed once)
    before = live_test_ids(ast.parse(result.original), naming) - set(result.placeholders_removed)
    before -= {i for i in before
               if any(i.startswith(f"{p.split('::')[0]}::") for p in result.placeholders_removed
                                         if p.split("::")[0] not in after)}
    before -= {p.split("::")[0] for p in result.placeholders_removed} - after
    gained = {r.test_id for r in result.restored}
    if before - after:
        return f"it would lose {', '.join(sorted(before - after))}"
    if after - before != gained:
        extra = sorted((after - before) - gained)
        short = sorted(gained - (after - before))
        return "test ids differ from the plan: " + "; ".join(
            part for part in (f"unexpected {', '.join(extra)}" if extra else "",
                              f"missing {', '.join(short)}" if short else "") if part)
    return None
