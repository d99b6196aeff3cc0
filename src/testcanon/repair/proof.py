"""`canon fix`'s proof of a repaired file: what pytest, in the target environment and an isolated
copy, collects from it, against what the file's text binds pytest to collect.

A file that did not compile had no outcome and no collected test before, so nothing a test did
can be compared; collection is the strongest proof there is. "What counts as a test" follows
the project's own naming rules (`python_classes`, `python_functions`, `__test__ = False`, never a
fixture), and a class pytest collects nothing from (it declines an `__init__` constructor in its
own words; an abstract class or an inherited `__test__ = False` it passes over in silence) is
set aside only when that is the author's doing, not the repair's: the class stands in the broken
file with the same bases and its own `__init__` as written. The verdict says so.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from testcanon.analysis import is_main_guard
from testcanon.analysis.inventory import opts_out
from testcanon.analysis.pytest_config import PytestConfig
from testcanon.config import Project
from testcanon.migrate import isolation
from testcanon.migrate.sandbox import sandbox
from testcanon.rules.context import RuleContext
from testcanon.target import TargetPython, resolve_python

__all__ = ["RepairProof", "countable_tests", "prove_repairs"]


@dataclass(frozen=True)
class RepairProof:
    """How a repaired file was proven (`collected` or `static`), why it is refused (None when it
    is not), and what the proof set aside on pytest's own word (shown in the verdict)."""

    proof: str
    problem: str | None = None
    note: str | None = None


def prove_repairs(project: Project, repairs: dict[str, tuple[bytes, bytes]], *,
                  level: str = "collect",
                  python: TargetPython | None = None) -> dict[str, RepairProof]:
    """`canon fix`'s proof for each repaired file.

    A file that did not compile had no outcome and no collected test before, so nothing a test
    did can be compared: the strongest proof is that pytest, in the target environment and the
    isolated copy, collects every test the repaired test file defines as pytest would count it
    (the project's `python_classes`/`python_functions`; `collected`); a repaired file from which
    pytest does not collect one of them is rejected. A class pytest declines in its own words
    (it has an `__init__`, here or inherited) holds no test to lose; the proof's note says so.
    Files pytest cannot collect here (a dependency missing, not a test file, a module that skips
    itself at collection), or a target without pytest, keep the static proof (compiles, every
    test name kept).
    """
    proofs = {path: RepairProof("static") for path in repairs}
    ctx = RuleContext(project, {})
    tests = sorted(path for path in repairs if ctx.is_test_file(path))
    if level == "static" or not tests:
        return proofs
    target = python or resolve_python(project.root, config=project.config.python)
    if target.pytest_version is None:
        return proofs
    imported = isolation.imported_names([after for _, after in repairs.values()])
    with sandbox(project, target, imported) as box:
        for path, (_, after) in repairs.items():
            box.put(path, after)
        collected = box.collect(tests, project.config.migrate.collect_timeout)
    if collected.failure is not None:
        return proofs
    for path in tests:
        if path in collected.errors or path in collected.unknown:  # imports what is missing here, or
            continue  # its run timed out: the static proof stands
        if path in collected.skipped and not collected.ids.get(path):
            proofs[path] = RepairProof("static", None, "pytest skips the whole module while collecting it "
                                       "here (the file's own skip): no test to collect, proven statically")
            continue
        pairs = set()  # a file given by name is collected whatever python_files says: none found is none
        for test in collected.ids.get(path, set()):
            parts = test.split("[", 1)[0].split("::")[1:]
            pairs.add((parts[-2] if len(parts) > 1 else None, parts[-1]))
        original, repaired = repairs[path]
        tree = ast.parse(repaired)
        countable = countable_tests(tree, ctx.pytest)
        # a class pytest collects nothing from (an __init__, an abstract base, `__test__` inherited)
        # holds no test the repair lost when its header is the author's: the verdict says so
        collected_classes = {cls for cls, _ in pairs if cls}
        silent = {cls for cls, _ in countable if cls and cls not in collected_classes}
        broken = original.decode("utf-8", "replace")
        excused = {cls for cls in silent if as_the_author_wrote(broken, tree, cls)}
        expected = {(cls, name) for cls, name in countable if cls not in excused}
        lost = sorted(expected - pairs, key=str)
        declined = excused & collected.declined.get(path, set())
        note = None
        if excused:
            why = (f" (pytest declines {', '.join(sorted(declined))} for an __init__ constructor)"
                   if declined else "")
            note = (f"pytest collects no test of {', '.join(sorted(excused))}{why}, as it would not from "
                    "the author's class (same bases, its own __init__ as written): not counted as tests")
        if lost:
            names = ", ".join(f"{cls}.{name}" if cls else name for cls, name in lost[:3])
            problem = f"pytest does not collect {len(lost)} test(s) of the repaired file: {names}"
            proofs[path] = RepairProof("collected", problem, note)
        else:
            proofs[path] = RepairProof("collected", None, note)
    return proofs


def countable_tests(tree: ast.Module, config: PytestConfig) -> set[tuple[str | None, str]]:
    """(class or None, name) of what pytest is bound to collect by the project's naming rules:
    module-level test functions, and test methods of classes matching `python_classes` that do
    not opt out (`__test__ = False`); never a fixture, whatever its name. A class outside those
    names may still be collected (a `unittest.TestCase`), but nothing in its text demands it."""
    found: set[tuple[str | None, str]] = set()

    def visit(body: list[ast.stmt], owner: str | None, collecting: bool) -> None:
        for node in body:
            if isinstance(node, ast.ClassDef):
                test_class = config.is_test_class(node.name) and not opts_out(node)
                visit(node.body, node.name, collecting and test_class)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                if collecting and config.is_test_function(node.name) and not _is_fixture(node):
                    found.add((owner, node.name))
            # what runs only as a script defines nothing pytest sees
            elif not (isinstance(node, ast.If) and is_main_guard(node.test)):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    children = getattr(node, block, None)
                    if isinstance(children, list):
                        visit(children, owner, collecting)

    visit(tree.body, None, True)
    return found


def _is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """`@pytest.fixture` (called or not, under any import name ending in `fixture`): pytest
    never collects a fixture as a test, whatever its name."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
        if name in ("fixture", "yield_fixture") or name.endswith("_fixture"):
            return True
    return False


def as_the_author_wrote(broken: str, repaired: ast.Module, name: str) -> bool:
    """Whether what decides that pytest collects nothing from class `name` is none of the
    repair's doing: the broken file has the class with the same bases (an inherited `__init__`,
    abstract methods or `__test__` come with them), and an `__init__` the class defines itself
    is in the broken file's class too."""
    node = next((n for n in ast.walk(repaired) if isinstance(n, ast.ClassDef) and n.name == name), None)
    header = re.compile(rf"^([ \t]*)class[ \t]+{re.escape(name)}\b[ \t]*(?:\((?P<bases>[^)]*)\))?[ \t]*:",
                        re.MULTILINE)
    found = header.search(broken)
    if node is None or found is None:
        return False
    bases = ", ".join([*(ast.unparse(b) for b in node.bases), *(ast.unparse(k) for k in node.keywords)])
    if re.sub(r"\s", "", found.group("bases") or "") != re.sub(r"\s", "", bases):
        return False
    own_init = any(isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and m.name == "__init__"
                   for m in node.body)
    if not own_init:
        return True
    width = len(found.group(1).expandtabs(8))
    for line in broken[found.end():].splitlines()[1:]:
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(line[:len(line) - len(stripped)].expandtabs(8)) <= width \
                and stripped.startswith(("class ", "def ", "async def ", "@")):
            return False  # the class ended without one
        if re.match(r"(?:async[ \t]+)?def[ \t]+__init__[ \t]*\(", stripped):
            return True
    return False
