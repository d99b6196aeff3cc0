"""CANON201/202 codemods: `__main__` blocks that run tests go; script commands use `canon run`.

Shell, Makefile, tox, pyproject and CI YAML files are edited in place at the exact offsets the
check found, so comments and layout survive (no YAML re-serialisation). A command is rewritten
only when `canon run` selects exactly the tests it did: paths stay positional (before `--`),
every word stays as written, and anything whose meaning is decided when it runs (`$(...)`,
`$VAR`, globs, tox's `{posargs}`, make variables), an option that may take a path as its
value, a node id, a command run in a container or another machine, is left and reported.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import libcst as cst

from testcanon.analysis.commands import CommandSite, find_sites, source_kind
from testcanon.analysis.pytest_config import PytestConfig
from testcanon.analysis.pytest_options import CONFIG_OPTIONS, option_name, split_arguments
from testcanon.analysis.shell_words import PYTHON
from testcanon.analysis.testfiles import is_test_file
from testcanon.source.globs import GlobSet

_RUNS_TESTS = re.compile(r"\b(pytest\.main|unittest\.main|py\.test|pytest)\b")


class DropMainBlocks(cst.CSTTransformer):
    def __init__(self, mode: str, hint_path: str) -> None:
        self.mode = mode
        self.hint_path = hint_path
        self.removed = 0

    # `__main__` blocks live at module level (or under a module-level `if`/`try`): the bodies of
    # functions and classes, and simple statements, need no walk (it was most of the time).
    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> bool:
        return False

    def leave_If(self, original: cst.If, updated: cst.If) -> cst.If | cst.RemovalSentinel:
        test = cst.Module(body=[]).code_for_node(original.test).replace("'", '"').replace(" ", "")
        if test not in ('__name__=="__main__"', '"__main__"==__name__'):
            return updated
        body = cst.Module(body=list(original.body.body)).code
        if not _RUNS_TESTS.search(body) or original.orelse is not None:
            return updated
        self.removed += 1
        return cst.RemoveFromParent()  # with mode "hint", drop_main_blocks leaves a one-line hint


def drop_main_blocks(module: cst.Module, *, mode: str, relpath: str) -> tuple[cst.Module, int]:
    transformer = DropMainBlocks(mode, relpath)
    result = module.visit(transformer)
    if transformer.removed and mode == "hint":
        result = result.with_changes(footer=[*result.footer, cst.EmptyLine(
            comment=cst.Comment(f"# Run with: canon run {relpath}"))])
    return result, transformer.removed


_READS_OUTPUT = {"capture_output", "stdout", "stderr"}


def describe_call(source: str, line: int) -> str | None:
    """What stops a call that runs tests at `line` from becoming the runner's, read from the call
    itself (a person's next step), or None when the call is not found there."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    at_line = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and node.lineno == line]
    if not at_line:
        return None
    naming = [node for node in at_line if _RUNS_TESTS.search(ast.unparse(node))]
    # the innermost that names pytest: `sys.exit(pytest.main([...]))` is its `pytest.main`; else
    # the outermost (its command is built elsewhere)
    call = _innermost(naming) if naming else at_line[0]
    name = ast.unparse(call.func)
    if name.rsplit(".", 1)[-1] in ("check_output", "getoutput", "getstatusoutput") or any(
            keyword.arg in _READS_OUTPUT for keyword in call.keywords):
        return (f"`{name}(...)` reads pytest's own output, which `canon run` words differently: "
                "make the script read the runner's JSON (`canon run --format json`) or its exit code")
    in_process = name.rsplit(".", 1)[-1] == "main"  # pytest.main, unittest.main, `from pytest import main`
    words = call.args[0] if call.args else None
    fixed = isinstance(words, ast.List | ast.Tuple) and all(_fixed(word) for word in words.elts)
    if in_process and (words is None or fixed):
        return (f"`{name}(...)` runs the tests inside the script's own process: call the runner in a "
                "subprocess, or drop the script for `canon run`")
    if fixed:
        return (f"`{name}(...)` passes fixed arguments: replace `-m pytest` with `-m testcanon run`, paths "
                "before `--` and options after it")
    return (f"`{name}(...)` computes pytest's arguments when the script runs (which tests it selects is "
            "known only then): replace the call with `canon run` by hand")


def uncollected_tests(root: Path, relpath: str, pytest: PytestConfig, roots: GlobSet) -> str | None:
    """Why pytest never collects the tests `relpath` defines (its `__main__` block is then how
    they run), or None when it defines none or pytest collects it."""
    try:
        tree = ast.parse((root / relpath).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return None
    tests = sum(1 for node in tree.body for _ in _tests_in(node, pytest))
    if not tests or is_test_file(relpath, pytest, roots):
        return None
    name = relpath.rsplit("/", 1)[-1]
    if not is_test_file(relpath, pytest):
        patterns = ", ".join(f"`{pattern}`" for pattern in pytest.python_files)
        return (f"its {tests} test(s) are never collected: `{name}` does not match python_files "
                f"({patterns}); rename the file to match")
    where = ", ".join(f"`{pattern}`" for pattern in dict.fromkeys(roots.patterns))
    return f"its {tests} test(s) are never collected: the file is outside the test paths ({where}); move it"


def _tests_in(node: ast.stmt, pytest: PytestConfig) -> Iterator[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and pytest.is_test_function(node.name):
        yield node.name
    elif isinstance(node, ast.ClassDef) and (pytest.is_test_class(node.name) or _unittest_case(node)):
        yield from (f"{node.name}.{item.name}" for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                    and pytest.is_test_function(item.name))


def _unittest_case(node: ast.ClassDef) -> bool:
    """A class on a `TestCase` base by name (pytest collects unittest cases whatever the class
    is called)."""
    names = (base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "") for base in node.bases)
    return any(name.endswith("TestCase") for name in names)


def _innermost(calls: list[ast.Call]) -> ast.Call:
    """The call nested deepest among calls of one line: no other call of the list lies inside it."""
    def inside(inner: ast.Call, outer: ast.Call) -> bool:
        return inner is not outer and any(node is inner for node in ast.walk(outer))
    return next(call for call in calls if not any(inside(other, call) for other in calls))


def _fixed(word: ast.expr) -> bool:
    """A word of a command known before the script runs: a string, or the interpreter itself."""
    if isinstance(word, ast.Constant):
        return isinstance(word.value, str)
    return ast.unparse(word) == "sys.executable"


# --- CANON202: a pytest command becomes the runner's, only when it selects the same tests -----
@dataclass(frozen=True)
class CommandEdit:
    start: int  # file offsets of the span replaced
    end: int
    replacement: str
    paths: tuple[str, ...] = ()  # the selection, as the command's words mean them
    options: tuple[str, ...] = ()
    arguments: tuple[str, ...] = ()  # everything the command passed to pytest


def plan_command(site: CommandSite, runner: str, text: str) -> CommandEdit | str:
    """The in-place edit turning `site` into `runner PATHS -- OPTIONS` (paths stay positional,
    every word as written), or why no rewrite selects exactly the tests the command selects."""
    if site.problem:
        return site.problem
    run = site.run
    head = [w.value for w in run.head]
    if len(head) > 1 and head[-2:] != ["-m", "pytest"] or len(head) > 3:
        return f"`{' '.join(head)}` passes options to Python itself, which `{runner}` would not"
    interpreter = head[0] if len(head) > 1 else ""
    if interpreter and not PYTHON.match(interpreter) and interpreter != "{envpython}":
        return (f"runs pytest with the interpreter `{run.head[0].raw}`, not the project's: "
                f"`{runner}` picks its own")
    if len(head) == 1 and "/" in head[0] and head[0] != "{envbindir}/pytest":
        return f"runs the pytest at `{run.head[0].raw}`, not the project's: `{runner}` picks its own"
    for word in run.args:
        if word.expands:
            return (f"`{word.raw}` is expanded when the command runs: the tests it selects are known only "
                    "then (it could hold paths, which must stay before `--`)")
    args = list(run.args)
    if any(word.value == "--" for word in args):
        return "a `--` among pytest's arguments: everything after it is a path"
    for word in args:
        if word.value.startswith("-") and (option_name(word.value) in CONFIG_OPTIONS or (
                word.value[:2] in ("-c", "-p", "-o", "-P") and not word.value.startswith("--"))):
            return f"`{word.raw}` changes how pytest reads the project, which `{runner}` reads on its own"
    split = split_arguments([word.value for word in args])
    if isinstance(split, str):
        return split
    paths = [args[i] for i in split.paths]
    for word in paths:
        if "::" in word.value:
            return f"`{word.raw}` names single tests (a node id); `{runner}` selects files and folders"
    options = [args[i] for group in split.options for i in group]
    words = [*run.head, *run.args]
    newline = text.find("\n", words[0].start)
    first_line_end = len(text) if newline < 0 else newline
    later = [w for w in words if w.start > first_line_end]
    if later and any(w in paths for w in later):
        return "a path on a continued line would land after `--`: rewrite it by hand"
    shown = [w for w in (*paths, *options) if w not in later]
    tail = [w.raw for w in options if w not in later]
    text = " ".join([runner, *(w.raw for w in paths)])
    if tail or later:
        text += " --" + "".join(f" {t}" for t in tail)
    end = max((w.end for w in (*run.head, *shown)), default=run.head[-1].end)
    if any(run.head[0].start < w.start < end for w in run.redirections):
        return "a redirection among pytest's arguments: rewrite it by hand"
    return CommandEdit(run.head[0].start, end, text, tuple(w.value for w in paths),
                       tuple(w.value for w in options), tuple(w.value for w in run.args))


@dataclass(frozen=True)
class CommandRewrite:
    text: str
    count: int
    left: list[tuple[int, int, str, str]]  # (line, column, command, why)


def rewrite_commands(relpath: str, text: str, runner: str,
                     prove: Callable[[CommandEdit], str | None] | None = None) -> CommandRewrite:
    """Every pytest command of a text file that can be rewritten exactly, in place; the others
    with why. `prove`, when given, says why a planned edit does not hold (None: it does)."""
    kind = source_kind(relpath)
    if kind is None:
        return CommandRewrite(text, 0, [])
    edits: list[CommandEdit] = []
    left = []
    for site in find_sites(kind, text, relpath):
        planned = plan_command(site, runner, text)
        if not isinstance(planned, str) and prove is not None:
            planned = prove(planned) or planned
        if isinstance(planned, str):
            left.append((site.line, site.column, site.command, planned))
        else:
            edits.append(planned)
    for edit in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[:edit.start] + edit.replacement + text[edit.end:]
    return CommandRewrite(text, len(edits), left)


def canon_command(command: str, runner: str) -> str | None:
    """`python -m pytest tests/unit -x` -> `canon run tests/unit -- -x` (None: no exact rewrite)."""
    result = rewrite_commands("command.sh", command, runner)
    return result.text if result.count else None
